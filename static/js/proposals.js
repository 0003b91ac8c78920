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

  // Wording that is only true while this script runs ("Changes save as you type"): the page says what
  // holds without JavaScript, and the script swaps in its own words.
  function jsWording(scope) {
    var spans = scope.querySelectorAll("[data-js-text]");
    for (var i = 0; i < spans.length; i++) { spans[i].textContent = spans[i].getAttribute("data-js-text"); }
  }
  document.addEventListener("DOMContentLoaded", function () { jsWording(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.querySelectorAll) { jsWording(event.detail.target); }
  });

  // "Use it" beside a kept answer: put the kept text in its field here, without a round trip (the button
  // posts the form when this script is not running, or for choices it cannot set). In a draft it then saves
  // as typing would; a submitted proposal changes only when "Save changes" is pressed.
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("button[data-kept-use]") : null;
    if (!button || !button.form) { return; }
    var field = button.form.elements[button.getAttribute("data-kept-use")];
    var kept = document.getElementById(button.getAttribute("data-kept-text"));
    if (!field || !kept || !field.tagName || !/^(TEXTAREA|INPUT)$/.test(field.tagName) ||
        /^(radio|checkbox)$/.test(field.type)) { return; }
    event.preventDefault();
    var draft = button.form.hasAttribute("data-autosave-url");
    field.value = kept.textContent;
    // As if typed: the live word count follows, and a draft's autosave picks it up.
    field.dispatchEvent(new Event("input", { bubbles: true }));
    var offer = button.closest(".kept-offer");
    var note = document.createElement("p");
    note.className = "hint";
    note.setAttribute("role", "status");
    note.textContent = draft ? "The kept text is now in the field above, and saves with your draft."
                             : "The kept text is now in the field above. It is not saved until you press “Save changes”.";
    offer.parentNode.replaceChild(note, offer);
    field.focus();
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
