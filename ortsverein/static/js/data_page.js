// Progressive enhancement only: while a data export is being prepared, its status
// updates itself (without JavaScript the page has a link to reload it).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const region = document.getElementById("export-status");
  if (!region) {
    return;
  }
  const busy = () => region.querySelector(
    '[data-export-status="pending"], [data-export-status="running"]');
  if (!busy()) {
    return;
  }
  const timer = window.setInterval(async () => {
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: {Accept: "text/html"},
      });
      if (!response.ok) {
        return;
      }
      const html = await response.text();
      const fresh = new DOMParser().parseFromString(html, "text/html")
        .getElementById("export-status");
      if (fresh) {
        region.replaceChildren(...Array.from(fresh.childNodes));
      }
      if (!busy()) {
        window.clearInterval(timer);
      }
    } catch (err) {
      // Try again at the next tick; the reload link still works.
    }
  }, 3000);
});
