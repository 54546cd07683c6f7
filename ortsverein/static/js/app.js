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
  // ui.checksum's copy buttons carry the value itself.
  for (const button of document.querySelectorAll("[data-copy-text]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copyText);
        const label = button.querySelector("span");
        if (label) label.textContent = button.dataset.copied || "✓";  // aria-live
      } catch (err) {
        // no clipboard (insecure context): open the full value to select it
        const details = button.parentElement.querySelector("details");
        if (details) details.open = true;
      }
    });
  }
  refreshRelativeTimes();
  window.setInterval(refreshRelativeTimes, 60_000);
  // Live pages (forum.js) say so when they put in content with times of its own.
  document.addEventListener("ortsverein:content", refreshRelativeTimes);
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
});

// On a phone a table scrolls inside itself (app.css); keyboard users reach its hidden
// part when the table takes focus (browsers without focusable scrollers).
function focusableScrollers() {
  for (const table of document.querySelectorAll("main table")) {
    const scrolls = table.scrollWidth > table.clientWidth + 1
      && getComputedStyle(table).overflowX === "auto";
    if (scrolls && !table.hasAttribute("tabindex")) {
      table.tabIndex = 0;
      table.dataset.scrollFocus = "1";
    } else if (!scrolls && table.dataset.scrollFocus) {
      table.removeAttribute("tabindex");
      delete table.dataset.scrollFocus;
    }
  }
}

// ui.relative_time: a cached page says "vor 5 Minuten" as of when it was drawn;
// bring the words up to date in the page's language. A post's time comes as the
// exact time alone (templates/discussions/_post.html, one copy per post): it moves
// into title and data-exact (shown on focus, app.css), and the time takes focus.
const TIME_UNITS = [
  ["year", 365 * 86400], ["month", 30 * 86400], ["week", 7 * 86400],
  ["day", 86400], ["hour", 3600], ["minute", 60],
];
function refreshRelativeTimes() {
  const times = document.querySelectorAll("time.reltime[datetime]");
  if (!times.length || typeof Intl.RelativeTimeFormat !== "function") return;
  const format = new Intl.RelativeTimeFormat(document.documentElement.lang || "de",
    { numeric: "auto" });
  const now = Date.now();
  for (const el of times) {
    const seconds = (Date.parse(el.getAttribute("datetime")) - now) / 1000;
    if (Number.isNaN(seconds)) continue;
    if (!el.dataset.exact) {
      el.dataset.exact = el.textContent;
      el.title = el.textContent;
      el.tabIndex = 0;
    }
    // Babel's rounding: the largest unit of which there are 0.85 or more.
    let text = null;
    for (const [unit, size] of TIME_UNITS) {
      if (Math.abs(seconds) >= 0.85 * size) {
        text = format.format(Math.round(seconds / size), unit);
        break;
      }
    }
    el.textContent = text || format.format(0, "second");  // "jetzt" / "now"
  }
}

// On paper nothing is folded away (results' matrices, protocols' details): open every
// <details> for printing and close again those that were closed.
let openedForPrint = [];
window.addEventListener("beforeprint", () => {
  openedForPrint = [...document.querySelectorAll("main details:not([open])")];
  for (const d of openedForPrint) d.open = true;
});
window.addEventListener("afterprint", () => {
  for (const d of openedForPrint) d.open = false;
  openedForPrint = [];
});
