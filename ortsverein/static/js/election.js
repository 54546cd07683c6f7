// An election's page, live. The page works without this file; here, when the
// server says this election changed (a round started or was counted, a candidacy
// or an acceptance), the page's live parts are fetched again and replaced (one
// rendering path). A part holding the keyboard focus is left alone, so nothing
// being typed is lost; the next event or reload brings it.
"use strict";
(function () {
  const root = document.querySelector("[data-election-id]");
  const socket = window.ortsvereinSocket;
  if (!root || !socket) return;
  const electionId = Number(root.dataset.electionId);
  let timer = null;

  async function refresh() {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const part of document.querySelectorAll("[data-election-part]")) {
        const next = fresh.querySelector(
          `[data-election-part="${part.dataset.electionPart}"]`);
        if (!next || part.contains(document.activeElement)) continue;
        part.replaceChildren(...next.childNodes);
      }
    } catch (err) {
      // a poor link: the next event or a reload shows the election as it is
    }
  }

  function onEvent(payload) {
    if (!payload || payload.election_id !== electionId) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);  // a burst of events, one fetch
  }
  ["candidacy_changed", "round_started", "result_published", "election_changed"]
    .forEach((name) => socket.on(name, onEvent));
})();
