/* The dialogue entry screen (templates/dialogues/enter_questions.html), as progressive enhancement:
   - "Thêm dòng" / "Thêm cam kết" add a row from a <template> without a round trip (the agency of
     the last commitment typed is offered on the new one), "Bỏ dòng này" removes an unsaved row;
   - Enter in a text box moves to the next field (the form's default button is disabled, so Enter
     never submits, with or without this file);
   - picking a leader as the answerer fills the name, position and agency.
   Without this file every button still works through the server. No framework, no inline code. */
(function () {
  "use strict";
  var form = document.getElementById("entry");
  if (!form) { return; }
  var rows = form.querySelector("[data-qs]");
  var qTemplate = document.getElementById("q-template");
  var cTemplate = document.getElementById("c-template");
  var leaders = {};
  (function readLeaders() {
    var el = document.getElementById("leaders");
    if (el) { try { leaders = JSON.parse(el.textContent); } catch (e) { leaders = {}; } }
  }());

  function fields() {
    return Array.prototype.filter.call(form.querySelectorAll("input, select, textarea, button"), function (el) {
      return !el.disabled && el.type !== "hidden" && el.tabIndex >= 0 && el.offsetParent !== null;
    });
  }

  function nextIndex() {
    var max = -1;
    Array.prototype.forEach.call(rows.querySelectorAll("[data-q]"), function (q) {
      var n = parseInt(q.getAttribute("data-q"), 10);
      if (n > max) { max = n; }
    });
    return max + 1;
  }

  function nextNumber() {
    var max = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input[name$='-number']"), function (el) {
      var n = parseInt(el.value, 10);
      if (n > max) { max = n; }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".q-list li"), function (li) {
      var n = parseInt(li.getAttribute("value"), 10);
      if (n > max) { max = n; }
    });
    return max + 1;
  }

  function fromTemplate(template, replace) {
    var html = template.innerHTML;
    Object.keys(replace).forEach(function (key) { html = html.split(key).join(replace[key]); });
    var box = document.createElement("div");
    box.innerHTML = html.trim();
    var node = box.firstElementChild;
    enhance(node);
    return node;
  }

  function lastAgency() {
    var chosen = "";
    Array.prototype.forEach.call(form.querySelectorAll("[data-c] select[name$='-agency_id']"), function (el) {
      if (el.value) { chosen = el.value; }
    });
    return chosen;
  }

  function addQuestion() {
    var i = nextIndex();
    var node = fromTemplate(qTemplate, {"questions-0-": "questions-" + i + "-", "__i__": String(i)});
    var number = node.querySelector("input[name$='-number']");
    number.value = nextNumber();
    node.querySelector("legend").textContent += " " + number.value;
    rows.appendChild(node);
    node.querySelector("input[name$='-raiser_name']").focus();
  }

  function addCommitment(question) {
    var i = question.getAttribute("data-q");
    var box = question.querySelector("[data-cs]");
    var j = box.querySelectorAll("[data-c]").length;
    var names = Array.prototype.map.call(box.querySelectorAll("[data-c] input[type=hidden]"), function (el) {
      return el.name;
    });
    while (names.indexOf("questions-" + i + "-commitments-" + j + "-id") >= 0) { j += 1; }
    var node = fromTemplate(cTemplate, {"questions-0-commitments-0-": "questions-" + i + "-commitments-" + j + "-"});
    var agency = node.querySelector("select[name$='-agency_id']");
    agency.value = lastAgency();
    box.appendChild(node);
    agency.focus();
  }

  function fillAnswerer(select) {
    var leader = leaders[select.value];
    var row = select.closest("[data-q]");
    if (!leader || !row) { return; }
    row.querySelector("input[name$='-answerer_name']").value = leader.name;
    row.querySelector("input[name$='-answerer_title']").value = leader.title;
    row.querySelector("select[name$='-answerer_agency_id']").value = leader.agency || "";
  }

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-remove]"), function (b) { b.hidden = false; });
  }

  form.addEventListener("click", function (e) {
    var button = e.target.closest("button");
    if (!button) { return; }
    if (button.name === "add_row") { e.preventDefault(); addQuestion(); return; }
    if (button.name === "add_commitment") { e.preventDefault(); addCommitment(button.closest("[data-q]")); return; }
    var kind = button.getAttribute("data-remove");
    if (kind) {
      e.preventDefault();
      var row = button.closest(kind === "q" ? "[data-q]" : "[data-c]");
      var focusTo = kind === "q" ? form.querySelector("button[name=add_row]")
                                 : row.closest("[data-q]").querySelector("button[name=add_commitment]");
      row.parentNode.removeChild(row);
      focusTo.focus();
    }
  });

  form.addEventListener("change", function (e) {
    if (e.target.name && /-answerer_pick$/.test(e.target.name)) { fillAnswerer(e.target); }
  });

  form.addEventListener("keydown", function (e) {
    var el = e.target;
    if (e.key !== "Enter" || el.tagName !== "INPUT" || el.type === "submit" || el.type === "button") { return; }
    e.preventDefault();
    var all = fields();
    var i = all.indexOf(el);
    if (i >= 0 && i < all.length - 1) { all[i + 1].focus(); }
  });

  enhance(form);
}());
