// Small enhancements on top of htmx. Every page works without this file.
(function () {
  "use strict";
  // After an htmx swap, move focus to an error summary if one arrived, so that
  // keyboard and screen-reader users hear what went wrong.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelector) { return; }
    var summary = target.querySelector(".error-summary");
    if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
  });
  // Focus the error summary on a full page load too.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("main .error-summary");
    if (summary) { summary.focus(); }
  });
})();
