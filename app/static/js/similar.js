/* Entry screen of dialogues: while a question is typed, earlier questions of the unit that read
   alike appear under it (GET /dialogues/<id>/similar?fragment=1), and a button marks the row as
   raising one of them again. Without this file the link "Kiểm tra ý kiến tương tự" does the same. */
(function () {
  "use strict";
  var slots = document.querySelectorAll(".similar-slot[data-similar-url]");
  Array.prototype.forEach.call(slots, function (slot) {
    var row = slot.closest("fieldset");
    var text = row && row.querySelector("textarea[name$='-content']");
    if (!text) { return; }
    var timer = null, last = "";
    function ask() {
      var q = text.value.trim();
      if (q === last) { return; }
      last = q;
      if (q.length < 12) { slot.textContent = ""; return; }
      var url = slot.getAttribute("data-similar-url") + "?fragment=1&row=" + encodeURIComponent(slot.getAttribute("data-row")) +
        "&q=" + encodeURIComponent(q);
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (q === last) { slot.innerHTML = html; } })
        .catch(function () { /* offline: the link still works later */ });
    }
    text.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 600); });
    slot.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-repeat-of]");
      if (!button) { return; }
      var field = document.getElementById(button.getAttribute("data-row"));
      if (field) { field.value = button.getAttribute("data-repeat-of"); field.focus(); }
    });
  });
})();
