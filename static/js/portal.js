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

  // Focus the error summary on a full page load too.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("main .error-summary");
    if (summary) { summary.focus(); }
  });
})();
