// Small enhancements on top of htmx. Every page works without this file.
(function () {
  "use strict";

  // What had focus when an htmx request began, so focus can come back to its counterpart
  // after the swap (a swapped-out button would otherwise drop keyboard users at the top).
  var lastFocus = null;

  function describe(el) {
    if (!el || el === document.body || !el.tagName) { return null; }
    return {
      id: el.id,
      tag: el.tagName,
      name: el.getAttribute("name"),
      label: el.getAttribute("aria-label") || (el.textContent || "").trim()
    };
  }

  function counterpart(scope, seen) {
    if (!seen) { return null; }
    if (seen.id) {
      var byId = document.getElementById(seen.id);
      if (byId) { return byId; }
    }
    var candidates = scope.querySelectorAll(seen.tag.toLowerCase());
    for (var i = 0; i < candidates.length; i++) {
      var c = candidates[i];
      if (c.getAttribute("name") === seen.name &&
          (c.getAttribute("aria-label") || (c.textContent || "").trim()) === seen.label) { return c; }
    }
    return null;
  }

  document.addEventListener("htmx:beforeRequest", function () {
    lastFocus = describe(document.activeElement);
  });

  // After an htmx swap: an error summary that arrived takes focus (so keyboard and
  // screen-reader users hear what went wrong); otherwise, if focus was lost with the
  // swapped content, it returns to the same control in the new content, or to the region.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelector) { return; }
    if (!document.contains(target)) { target = event.detail.elt; }
    var summary = target && target.querySelector ? target.querySelector(".error-summary") : null;
    if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) { return; }
    var scope = (target && document.contains(target)) ? target : document;
    var again = counterpart(scope, lastFocus) || counterpart(document, lastFocus);
    if (again) { again.focus(); return; }
    if (target && document.contains(target)) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  });

  // Give each cell of a data table its column heading, so that on a narrow screen (portal.css) the table
  // can fold into labelled rows; a table is only folded once every cell has its label. The table keeps its
  // roles, so screen readers still read rows and columns whatever the layout.
  function labelTable(table) {
    var heads = table.querySelectorAll("thead tr:last-child th");
    if (!heads.length) { return; }
    var names = [];
    for (var h = 0; h < heads.length; h++) {
      var span = parseInt(heads[h].getAttribute("colspan") || "1", 10);
      for (var k = 0; k < span; k++) { names.push((heads[h].textContent || "").trim()); }
    }
    var rows = table.querySelectorAll("tbody tr");
    for (var r = 0; r < rows.length; r++) {
      var column = 0;
      for (var c = 0; c < rows[r].children.length; c++) {
        var cell = rows[r].children[c];
        if (cell.tagName === "TD" && names[column] && !cell.hasAttribute("data-label")
            && !(cell.colSpan > 1 && rows[r].children.length === 1)) {
          cell.setAttribute("data-label", names[column]);
        }
        column += cell.colSpan || 1;
      }
    }
    // A table shown as blocks loses its table semantics in some browsers; the explicit roles keep them.
    table.setAttribute("role", "table");
    var parts = table.querySelectorAll("tr, td, th");
    for (var p = 0; p < parts.length; p++) {
      var part = parts[p];
      if (part.hasAttribute("role")) { continue; }
      if (part.tagName === "TR") { part.setAttribute("role", "row"); }
      else if (part.tagName === "TD") { part.setAttribute("role", "cell"); }
      else { part.setAttribute("role", part.closest("thead") || part.getAttribute("scope") === "col" ? "columnheader" : "rowheader"); }
    }
    table.classList.add("labelled");
  }

  function labelTables(scope) {
    var tables = (scope.querySelectorAll ? scope : document).querySelectorAll("table.table:not(.month-grid)");
    for (var t = 0; t < tables.length; t++) { labelTable(tables[t]); }
    if (scope.matches && scope.matches("table.table:not(.month-grid)")) { labelTable(scope); }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target) { labelTables(event.detail.target); }
  });

  // Focus the error summary on a full page load too.
  document.addEventListener("DOMContentLoaded", function () {
    labelTables(document);
    var summary = document.querySelector("main .error-summary");
    if (summary) { summary.focus(); }
  });
})();
