(function () {
  "use strict";
  // Sort the overview by any column: a click sorts ascending, a second descending. Counts and
  // ranks sort as numbers; blanks (a portal never audited) go last whichever the direction.
  var collator = new Intl.Collator("zh-Hans-CN", { numeric: true, sensitivity: "base" });

  function value(row, index) {
    var cell = row.children[index];
    if (!cell) { return ""; }
    var explicit = cell.getAttribute("data-sort-value");
    return explicit !== null ? explicit : cell.textContent.trim();
  }

  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-sort-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th[aria-sort]").forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.querySelector("tbody");
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr"));
    rows.sort(function (a, b) {
      var x = value(a, index);
      var y = value(b, index);
      var order;
      if (numeric) {
        var nx = parseFloat(x);
        var ny = parseFloat(y);
        if (isNaN(nx) || isNaN(ny)) { return isNaN(nx) ? (isNaN(ny) ? 0 : 1) : -1; }
        order = nx - ny;
      } else {
        if (x === "" || y === "") { return x === "" ? (y === "" ? 0 : 1) : -1; }
        order = collator.compare(x, y);
      }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th[data-sortable]").forEach(function (th) {
      var button = th.querySelector("button");
      if (button) { button.addEventListener("click", function () { sortBy(table, th); }); }
    });
  });
})();
