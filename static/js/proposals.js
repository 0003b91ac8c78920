// Proposal form: live word counts, and a last save when the person leaves the page.
// Everything here is an enhancement; the server counts words and the "Save draft" button works without it.
(function () {
  "use strict";

  function countWords(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }

  function updateCount(area) {
    var limit = parseInt(area.getAttribute("data-word-limit"), 10);
    var counter = document.getElementById(area.id + "-count");
    if (!counter || !limit) { return; }
    var words = countWords(area.value);
    var text = words + " of " + limit + " words";
    if (words > limit) { text += " — " + (words - limit) + " over the limit"; }
    counter.textContent = text;
    counter.classList.toggle("over", words > limit);
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area && area.matches && area.matches("textarea[data-word-limit]")) { updateCount(area); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosave-url]");
    if (!form) { return; }
    var dirty = false;
    var submitting = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { submitting = true; });
    // An htmx autosave that succeeded leaves nothing unsaved.
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt === form && event.detail.successful) { dirty = false; }
    });
    function saveOnLeaving() {
      if (!dirty || submitting || !navigator.sendBeacon) { return; }
      if (navigator.sendBeacon(form.getAttribute("data-autosave-url"), new FormData(form))) { dirty = false; }
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { saveOnLeaving(); }
    });
    window.addEventListener("pagehide", saveOnLeaving);
  });
})();
