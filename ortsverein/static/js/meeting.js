// The meeting room, live. The page works as plain forms without this file; here the
// room is joined (checking the member in while the meeting runs), every change the
// server pushes refreshes the page's sections from the server (one rendering path),
// new posts of the current item appear at once, and the speaking time counts down.
"use strict";
(function () {
  const root = document.getElementById("meeting-room");
  const socket = window.ortsvereinSocket;
  if (!root || !socket) return;
  const meetingId = Number(root.dataset.meetingId);
  const room = "meeting:" + meetingId;
  const liveStatus = root.querySelector("[data-live-status]");
  let threadRoom = null;
  let refreshTimer = null;

  function section(selector) {
    return root.querySelector(selector);
  }

  function join() {
    socket.emit("join", { room: room, check_in: root.dataset.canAttend === "1" }, (ack) => {
      if (!ack || !ack.ok) return;
      if (liveStatus) liveStatus.hidden = true;
      // After a dropped link the acknowledgement carries the whole state: refresh.
      refresh(0);
      followThread(ack.state && ack.state.item ? ack.state.item.thread_id : null);
    });
  }

  function followThread(threadId) {
    const wanted = threadId ? "thread:" + threadId : null;
    if (wanted === threadRoom) return;
    if (threadRoom) socket.emit("leave", { room: threadRoom });
    threadRoom = wanted;
    root.dataset.threadId = threadId || "";
    if (!wanted) return;
    const last = lastPostId();
    socket.emit("join", { room: wanted, after: last }, (ack) => {
      if (ack && ack.ok && Array.isArray(ack.posts)) ack.posts.forEach(addPost);
    });
  }

  function lastPostId() {
    const posts = root.querySelectorAll("[data-post-id]");
    return posts.length ? Number(posts[posts.length - 1].dataset.postId) : 0;
  }

  function addPost(post) {
    const list = section("[data-posts]");
    if (!list || document.getElementById("post-" + post.id)) return;
    const li = document.createElement("li");
    li.id = "post-" + post.id;
    li.dataset.postId = String(post.id);
    const meta = document.createElement("p");
    meta.className = "muted";
    meta.textContent = post.author + " · " + new Date(post.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    li.appendChild(meta);
    const body = document.createElement("div");
    body.innerHTML = post.html;  // sanitised on the server when the post was saved
    li.appendChild(body);
    list.appendChild(li);
  }

  // Fetch the sections as the server renders them for this member, keeping focus
  // and anything typed into an open form. Many members refresh at once after a
  // change, so each waits a moment at random.
  function refresh(delay) {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(load, delay === undefined ? 100 + Math.random() * 400 : delay);
  }

  async function load() {
    const active = document.activeElement;
    if (active && active.closest && active.closest("[data-sections] form") &&
        (active.tagName === "TEXTAREA" || active.tagName === "INPUT" || active.tagName === "SELECT")) {
      refreshTimer = window.setTimeout(load, 2000);  // someone is typing: later
      return;
    }
    try {
      const response = await fetch(root.dataset.partial, { credentials: "same-origin" });
      if (!response.ok) return;
      const html = await response.text();
      const doc = new DOMParser().parseFromString(html, "text/html");
      const fresh = doc.querySelector("[data-sections]");
      const current = section("[data-sections]");
      if (!fresh || !current) return;
      const focusId = active && active.closest && active.closest("[data-sections]") ? focusKey(active) : null;
      // Keep open what the member opened (the vote form, "add an item").
      const opened = Array.from(current.querySelectorAll("details[open] > summary"), (s) => s.textContent);
      for (const summary of fresh.querySelectorAll("details > summary")) {
        if (opened.includes(summary.textContent)) summary.parentElement.open = true;
      }
      current.replaceWith(fresh);
      restoreFocus(focusId);
      tick();
    } catch (err) {
      // a poor link: the next event or reconnect refreshes again
    }
  }

  function focusKey(el) {
    const form = el.closest("form");
    return form ? form.getAttribute("action") : el.id || null;
  }

  function restoreFocus(key) {
    if (!key) return;
    const form = root.querySelector('form[action="' + CSS.escape(key) + '"]');
    const target = form ? form.querySelector("button, input, select, textarea") : document.getElementById(key);
    if (target) target.focus();
  }

  function tick() {
    const el = section("[data-countdown]");
    if (!el) return;
    const left = Math.round((new Date(el.dataset.countdown).getTime() - Date.now()) / 1000);
    el.textContent = left > 0
      ? root.dataset.textSeconds.replace("{n}", String(left))
      : root.dataset.textOver;
    el.classList.toggle("over", left <= 0);
  }
  window.setInterval(tick, 1000);
  tick();

  function onState(state) {
    if (!state || state.meeting_id !== meetingId) return;
    const opened = state.status === "running" && root.dataset.status !== "running";
    root.dataset.status = state.status;
    followThread(state.item ? state.item.thread_id : null);
    refresh();
    if (opened && root.dataset.canAttend === "1") {
      // the meeting has just been opened: check in, as on arriving
      socket.emit("join", { room: room, check_in: true });
    }
  }
  ["meeting_started", "meeting_ended", "agenda_changed", "speakers_changed",
   "vote_started", "vote_closed", "vote_updated"].forEach((name) => socket.on(name, onState));
  socket.on("attendance_changed", (payload) => {
    if (payload.meeting_id !== meetingId) return;
    if (root.dataset.chair === "1") {
      refresh();  // the chair's attendance list
      return;
    }
    const count = section("[data-attendance]");
    if (count) count.textContent = root.dataset.textPresent.replace("{n}", String(payload.present));
  });
  socket.on("post_created", (payload) => {
    if (threadRoom === "thread:" + payload.thread_id) addPost(payload.post);
  });
  socket.on("turnout", () => refresh());

  // Actions go over the socket when it is up (no page load); otherwise the form posts.
  root.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-action]");
    if (!form || !socket.connected || form.dataset.confirm) return;
    event.preventDefault();
    socket.emit("meeting", { meeting_id: meetingId, action: form.dataset.action }, (ack) => {
      if (ack && ack.ok) {
        refresh(0);
      } else if (ack && ack.message && liveStatus) {
        liveStatus.textContent = ack.message;
        liveStatus.hidden = false;
      }
    });
  });

  socket.on("connect", join);
  socket.on("disconnect", () => {
    threadRoom = null;
    if (liveStatus) {
      liveStatus.textContent = root.dataset.textReconnect;
      liveStatus.hidden = false;
    }
  });
  if (socket.connected) join();
})();
