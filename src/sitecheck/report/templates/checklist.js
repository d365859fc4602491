// Admitted by the CSP through its SHA-256 (html.py hashes this file): keep it static.
// Reads only the DOM; the page carries no data for scripts, so nothing crawled reaches code.
(function () {
  "use strict";

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding-row"));
  var textBox = document.getElementById("filter-text");
  var kindBox = document.getElementById("filter-kind");
  var statusBox = document.getElementById("filter-status");
  var resetButton = document.getElementById("filter-reset");
  var visibleCount = document.getElementById("visible-count");

  // Search text once: rows do not change, and textContent of every row on every keystroke
  // is what makes large checklists sluggish.
  var haystack = new Map();
  rows.forEach(function (row) {
    haystack.set(row, row.textContent.replace(/\s+/g, " ").toLowerCase());
  });

  function applyFilters() {
    var terms = textBox ? textBox.value.trim().toLowerCase().split(/\s+/).filter(Boolean) : [];
    var kind = kindBox ? kindBox.value : "";
    var status = statusBox ? statusBox.value : "";
    var shown = 0;
    rows.forEach(function (row) {
      var text = haystack.get(row);
      var visible =
        (!kind || row.getAttribute("data-kind") === kind) &&
        (!status || row.getAttribute("data-status") === status) &&
        terms.every(function (term) { return text.indexOf(term) !== -1; });
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    // A group heading or a whole table with nothing under it is noise when filtering.
    document.querySelectorAll("tbody.group").forEach(function (body) {
      var heading = body.querySelector("tr.group-row");
      if (heading) { heading.hidden = !body.querySelector("tr.finding-row:not([hidden])"); }
    });
    document.querySelectorAll("table.findings").forEach(function (table) {
      var any = !!table.querySelector("tr.finding-row:not([hidden])");
      table.hidden = !any;
      var note = table.parentNode.querySelector(".no-match");
      if (note) { note.hidden = any; }
    });
    if (visibleCount) { visibleCount.textContent = String(shown); }
  }

  if (textBox) { textBox.addEventListener("input", applyFilters); }
  if (kindBox) { kindBox.addEventListener("change", applyFilters); }
  if (statusBox) { statusBox.addEventListener("change", applyFilters); }
  if (resetButton) {
    resetButton.addEventListener("click", function () {
      if (textBox) { textBox.value = ""; }
      if (kindBox) { kindBox.value = ""; }
      if (statusBox) { statusBox.value = ""; }
      applyFilters();
    });
  }

  // Sorting keeps the grouping: rows move within their own group (tbody), so a column or an office
  // still finds all of its rows together.
{% include "sort.js" %}

  function sortTable(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-sort-type") === "number";
    var ascending = markSorted(table, th);
    table.querySelectorAll("tbody").forEach(function (body) {
      var items = Array.prototype.slice.call(body.querySelectorAll("tr.finding-row, tr.sort-row"));
      sortRows(items, index, numeric, ascending).forEach(function (row) { body.appendChild(row); });
    });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th[data-sortable]").forEach(function (th) {
      var button = th.querySelector("button.sort-btn");
      if (button) {
        button.addEventListener("click", function () { sortTable(table, th); });
      }
    });
  });

  // Phone cards show each cell under its column's title (CSS reads data-label). The template
  // labels the problem cells; any cell without a label takes its header's title here.
  document.querySelectorAll("table.grid").forEach(function (table) {
    var titles = Array.prototype.map.call(
      table.querySelectorAll("thead tr:first-child > th"),
      function (th) { return th.textContent.replace(/\s+/g, " ").trim(); }
    );
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var span = cell.colSpan || 1;
        if (span === 1 && !cell.hasAttribute("data-label") && titles[column]) {
          cell.setAttribute("data-label", titles[column]);
        }
        column += span;
      });
    });
  });

  // Printing shows every <details> open (the column list), then puts them back as they were.
  // The print stylesheet shows their content too, for a printer that fires no events.
  var openedForPrint = [];
  function openForPrint() {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      openedForPrint.push(details);
    });
  }
  function restoreAfterPrint() {
    openedForPrint.forEach(function (details) { details.open = false; });
    openedForPrint = [];
  }
  window.addEventListener("beforeprint", openForPrint);
  window.addEventListener("afterprint", restoreAfterPrint);

  document.documentElement.setAttribute("data-ready", "true");
  applyFilters();
})();
