// Live updates over Socket.IO for logged-in members. Pages work without this file:
// it only refreshes what the server already rendered.
"use strict";
(function () {
  if (!document.body.dataset.member || typeof io === "undefined") {
    return;
  }
  const socket = io({ transports: ["websocket", "polling"] });
  window.ortsvereinSocket = socket;  // feature scripts (forum.js) share the link
  // The header shows each count twice (the wide navigation and the menu).
  const badges = document.querySelectorAll("[data-open-polls]");

  async function refreshBadge() {
    if (!badges.length) return;
    try {
      const response = await fetch(badges[0].dataset.openPolls, { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      for (const badge of badges) {
        badge.querySelector("[data-count]").textContent = data.open_polls;
        badge.hidden = data.open_polls === 0;
      }
    } catch (err) {
      // a poor link: the next page load shows the right number
    }
  }
  socket.on("poll_opened", refreshBadge);
  socket.on("poll_closed", refreshBadge);

  const turnouts = document.querySelectorAll("[data-turnout]");
  // Pages that belong to a room without being it (a meeting vote's ballot page
  // keeps the member in the meeting room).
  const alsoIn = document.querySelectorAll("[data-join-room]");
  function joinRooms() {
    for (const el of turnouts) {
      socket.emit("join", { room: "poll:" + el.dataset.turnout });
    }
    for (const el of alsoIn) {
      socket.emit("join", { room: el.dataset.joinRoom });
    }
  }
  socket.on("connect", joinRooms);  // again after every reconnect
  // Events were lost on the server (its message queue was away): the counts may be
  // behind. Each feature script catches up its own rooms.
  socket.on("resync", refreshBadge);
  socket.on("turnout", (payload) => {
    for (const el of turnouts) {
      if (String(payload.poll_id) === el.dataset.turnout) {
        el.textContent = payload.ballots;
      }
    }
  });
  const unread = document.querySelectorAll("[data-unread-notifications]");
  socket.on("notification", () => {
    for (const badge of unread) {
      const count = badge.querySelector("[data-count]");
      count.textContent = String(Number(count.textContent || "0") + 1);
      badge.hidden = false;
    }
  });
  // Refused because the server's database or Redis is away for a moment (not for
  // who we are): the client does not retry a refusal by itself, so try later.
  socket.on("connect_error", (err) => {
    if (err && err.message === "unavailable" && !socket.active) {
      window.setTimeout(() => socket.connect(), 3000 + Math.random() * 5000);
    }
  });
  socket.on("session_ended", () => socket.disconnect());
  // Access changed (a role was removed): reconnect, so every room is checked again.
  socket.on("access_changed", () => {
    socket.disconnect();
    window.setTimeout(() => socket.connect(), 500);
  });
})();
