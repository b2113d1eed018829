// Findings filter: severity check boxes and a search box. Rows carry data-severity and data-search.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.finding"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.sev-filter"));
  var search = document.getElementById("finding-search");
  var shown = document.getElementById("finding-shown");
  var empty = document.getElementById("no-match");
  function apply() {
    var wanted = {};
    boxes.forEach(function (box) { wanted[box.value] = box.checked; });
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var visible = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var ok = wanted[row.getAttribute("data-severity")] !== false &&
        words.every(function (word) { return text.indexOf(word) !== -1; });
      row.hidden = !ok;
      if (ok) { visible += 1; }
    });
    empty.hidden = visible !== 0;
    shown.textContent = visible + " " + shown.getAttribute("data-of") + " " + rows.length + " " + shown.getAttribute("data-shown");
  }
  var toggle = document.getElementById("toggle-places");
  var details = Array.prototype.slice.call(table.querySelectorAll("details"));
  function openAll(open) {
    details.forEach(function (d) { d.open = open; });
    toggle.setAttribute("aria-pressed", String(open));
    toggle.textContent = toggle.getAttribute(open ? "data-hide" : "data-show");
  }
  toggle.addEventListener("click", function () { openAll(toggle.getAttribute("aria-pressed") !== "true"); });
  window.addEventListener("beforeprint", function () { openAll(true); });  // paper shows every place
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  apply();
}());
