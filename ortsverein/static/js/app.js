// Progressive enhancement only: every page works without this file.
"use strict";
// Buttons that ask before an irreversible step (without JavaScript: no question).
// One listener for the whole document, in the capture phase: it also covers buttons
// that live pages (the meeting room) put in later, and runs before their handlers.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons (hidden without JavaScript, since they would do nothing).
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = button.dataset.copied || "✓";  // announced: aria-live
      } catch (err) {
        field.select();
      }
    });
  }
});
