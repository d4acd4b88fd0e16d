/* Fast entry of paper answers (surveys): number keys fill the answer and move on, Enter moves on,
   Enter on the last answer saves. Without this file the form still works (Tab, then Enter). */
(function () {
  "use strict";
  var form = document.querySelector("form.grid");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[name^=Q]"));

  function next(input) {
    var i = inputs.indexOf(input);
    if (i >= 0 && i < inputs.length - 1) { inputs[i + 1].focus(); inputs[i + 1].select(); return; }
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  inputs.forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max") || "0", 10);
    var multi = input.getAttribute("data-multi") === "1";
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); next(input); return; }
      if (!max || e.ctrlKey || e.metaKey || e.altKey || !/^[0-9]$/.test(e.key)) { return; }
      e.preventDefault();
      var n = parseInt(e.key, 10);
      input.setCustomValidity(n >= 1 && n <= max ? "" : "1-" + max);
      if (n < 1 || n > max) { input.reportValidity(); return; }
      if (multi) {
        var chosen = input.value ? input.value.split(",") : [];
        if (chosen.indexOf(e.key) < 0) { chosen.push(e.key); }
        input.value = chosen.sort().join(",");
      } else {
        input.value = e.key;
        next(input);
      }
    });
  });
}());
