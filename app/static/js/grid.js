/* Fast entry of paper answers (surveys): number keys fill the answer and move on, Enter moves on,
   Enter on the last answer saves. Without this file the form still works (Tab, then Enter, which
   sends the whole form at once: the page's own hint says so, and this script replaces it).
   Typing into an answer that already holds one replaces it, also for multiple choice: the first
   digit after the answer gets the focus starts afresh, the next ones add to it. */
(function () {
  "use strict";
  var form = document.querySelector("form.grid");
  if (!form) { return; }
  var hint = form.querySelector("[data-js-hint]");
  if (hint) { hint.textContent = hint.getAttribute("data-js-hint"); }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[name^=Q]"));

  function next(input) {
    var i = inputs.indexOf(input);
    if (i >= 0 && i < inputs.length - 1) { inputs[i + 1].focus(); inputs[i + 1].select(); return; }
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  inputs.forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max") || "0", 10);
    var multi = input.getAttribute("data-multi") === "1";
    var fresh = true;
    input.addEventListener("focus", function () { fresh = true; });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); next(input); return; }
      if (e.key === "Backspace" || e.key === "Delete") { fresh = false; return; }
      if (!max || e.ctrlKey || e.metaKey || e.altKey || !/^[0-9]$/.test(e.key)) { return; }
      e.preventDefault();
      var n = parseInt(e.key, 10);
      input.setCustomValidity(n >= 1 && n <= max ? "" : "1-" + max);
      if (n < 1 || n > max) { input.reportValidity(); return; }
      if (multi) {
        var chosen = (input.value && !fresh) ? input.value.split(",") : [];
        fresh = false;
        if (chosen.indexOf(e.key) < 0) { chosen.push(e.key); }
        input.value = chosen.sort().join(",");
      } else {
        input.value = e.key;
        next(input);
      }
    });
  });
}());
