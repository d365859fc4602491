  // Shared by checklist.js and overview.js (included where it stands): a click sorts a column
  // ascending, a second click descending; counts sort as numbers; blank cells go last whichever
  // the direction. Chinese text sorts as the zh-Hans-CN collation orders it.
  var collator = new Intl.Collator("zh-Hans-CN", { numeric: true, sensitivity: "base" });

  function sortValue(row, index) {
    var cell = row.children[index];
    if (!cell) { return ""; }
    var explicit = cell.getAttribute("data-sort-value");
    return explicit !== null ? explicit : cell.textContent.trim();
  }

  // Marks the header sorted and says the new direction (true: ascending).
  function markSorted(table, th) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th[aria-sort]").forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    return ascending;
  }

  function sortRows(items, index, numeric, ascending) {
    return items.sort(function (a, b) {
      var x = sortValue(a, index);
      var y = sortValue(b, index);
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
  }
