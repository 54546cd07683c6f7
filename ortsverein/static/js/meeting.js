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
  let joinedBefore = false;  // the first join needs no refresh: the page is fresh

  // The status line is always in the page (a live region that appears together
  // with its text is often not read out).
  function announce(text) {
    if (liveStatus) liveStatus.textContent = text;
  }

  function section(selector) {
    return root.querySelector(selector);
  }

  function join() {
    socket.emit("join", { room: room, check_in: root.dataset.canAttend === "1" }, (ack) => {
      if (ack && ack.error === "unavailable") {
        joinLater();  // the server's database or Redis is away for a moment
        return;
      }
      if (!ack || !ack.ok) return;
      announce("");
      // After a dropped link, show what changed meanwhile (spread out: after a
      // server restart every member reconnects at once).
      const present = Boolean(ack.state && ack.state.me && ack.state.me.present);
      if (joinedBefore) {
        refresh(Math.random() * 2000);
      } else if (present !== (root.dataset.present === "1")) {
        refresh(0);  // the join has just checked the member in
      }
      joinedBefore = true;
      followThread(ack.state && ack.state.item ? ack.state.item.thread_id : null);
      followVote(ack.state ? ack.state.vote : null);
    });
  }

  // The running vote's room brings the turnout (at most every 30 seconds).
  let pollRoom = null;
  function followVote(vote) {
    const wanted = vote && vote.status === "open" ? "poll:" + vote.poll_id : null;
    if (wanted === pollRoom) return;
    if (pollRoom) socket.emit("leave", { room: pollRoom });
    pollRoom = wanted;
    if (wanted) socket.emit("join", { room: wanted });
  }

  function followThread(threadId) {
    const wanted = threadId ? "thread:" + threadId : null;
    if (wanted === threadRoom) return;
    if (threadRoom) socket.emit("leave", { room: threadRoom });
    threadRoom = wanted;
    root.dataset.threadId = threadId || "";
    if (!wanted) return;
    const request = { room: wanted, after: lastPostId() };
    if (resyncSince) request.since = resyncSince;
    socket.emit("join", request, (ack) => {
      if (ack && ack.error === "unavailable") {
        joinLater();
        return;
      }
      if (ack && ack.ok) resyncSince = null;
      if (ack && ack.ok && Array.isArray(ack.posts)) ack.posts.forEach(addPost);
    });
  }

  // Join the room and its thread again in a moment (after a refused join, and
  // when the server lost events: `resync`), as after a dropped link.
  let joinTimer = null;
  let resyncSince = null;  // a `resync`'s gap start, for the thread's catch-up
  function joinLater(delay) {
    window.clearTimeout(joinTimer);
    joinTimer = window.setTimeout(() => {
      threadRoom = null;
      pollRoom = null;
      join();
    }, delay === undefined ? 2000 + Math.random() * 3000 : delay);
  }

  function lastPostId() {
    const posts = root.querySelectorAll("[data-post-id]");
    return posts.length ? Number(posts[posts.length - 1].dataset.postId) : 0;
  }

  // A new post of the item's discussion, as templates/meetings/_room_sections.html
  // draws one: "Name · 19:05" (short time, the member's time zone), then the text.
  function addPost(post) {
    const list = section("[data-posts]");
    if (!list || document.getElementById("post-" + post.id)) return;
    const li = document.createElement("li");
    li.id = "post-" + post.id;
    li.dataset.postId = String(post.id);
    const meta = document.createElement("p");
    meta.className = "muted";
    const time = new Date(post.created_at).toLocaleTimeString(document.documentElement.lang, {
      timeStyle: "short", timeZone: root.dataset.timeZone || undefined,
    });
    meta.textContent = post.author + " · " + time;
    li.appendChild(meta);
    li.insertAdjacentHTML("beforeend", post.html);  // sanitised when the post was saved
    list.appendChild(li);
  }

  // Fetch the sections as the server renders them for this member, keeping focus
  // and anything typed into an open form. Many members refresh at once after a
  // change, so each waits a moment at random.
  function refresh(delay) {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(load, delay === undefined ? 100 + Math.random() * 400 : delay);
  }

  function typing() {
    const active = document.activeElement;
    return Boolean(active && active.closest && active.closest("[data-sections] form") &&
      (active.tagName === "TEXTAREA" || active.tagName === "INPUT" || active.tagName === "SELECT"));
  }

  async function load() {
    if (typing()) {
      refreshTimer = window.setTimeout(load, 2000);  // someone is typing: later
      return;
    }
    try {
      const response = await fetch(root.dataset.partial, { credentials: "same-origin" });
      if (!response.ok) return;
      const html = await response.text();
      // They may have started typing while the sections were on their way (a chair
      // entering paper counts as votes come in): replacing the form now could drop
      // a keystroke or the field they are in. Fetch again once they pause.
      if (typing()) {
        refreshTimer = window.setTimeout(load, 2000);
        return;
      }
      const active = document.activeElement;
      const doc = new DOMParser().parseFromString(html, "text/html");
      const fresh = doc.querySelector("[data-sections]");
      const current = section("[data-sections]");
      if (!fresh || !current) return;
      const inside = active && active.closest && active.closest("[data-sections]");
      const focusId = inside ? focusKey(active) : null;
      const focusSection = inside && active.closest("section") ? active.closest("section").id : null;
      keepTyped(current, fresh);
      // Keep open what the member opened (the vote form, "add an item").
      const opened = Array.from(current.querySelectorAll("details[open] > summary"), (s) => s.textContent);
      for (const summary of fresh.querySelectorAll("details > summary")) {
        if (opened.includes(summary.textContent)) summary.parentElement.open = true;
      }
      current.replaceWith(fresh);
      restoreFocus(focusId, focusSection);
      tick();
    } catch (err) {
      // a poor link: the next event or reconnect refreshes again
    }
  }

  function focusKey(el) {
    const form = el.closest("form");
    return form ? form.getAttribute("action") : el.id || null;
  }

  function restoreFocus(key, sectionId) {
    if (!key) return;
    const form = root.querySelector('form[action="' + CSS.escape(key) + '"]');
    let target = form ? form.querySelector("button, input, select, textarea") : document.getElementById(key);
    if (!target && sectionId) {
      // the button turned into its opposite (check in / out): the section's heading
      target = root.querySelector("#" + CSS.escape(sectionId) + " h2");
      if (target) target.tabIndex = -1;
    }
    if (target) target.focus();
  }

  // Whatever was typed into a form of the room survives the refresh.
  function keepTyped(current, fresh) {
    for (const form of current.querySelectorAll("form")) {
      const twin = fresh.querySelector('form[action="' + CSS.escape(form.getAttribute("action")) + '"]');
      if (!twin) continue;
      for (const field of form.querySelectorAll("input:not([type=hidden]), textarea, select")) {
        if (!field.name) continue;
        const other = twin.querySelector('[name="' + CSS.escape(field.name) + '"]' +
          (field.type === "checkbox" ? '[value="' + CSS.escape(field.value) + '"]' : ""));
        if (!other) continue;
        if (field.type === "checkbox" || field.type === "radio") other.checked = field.checked;
        else other.value = field.value;
      }
    }
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
    followVote(state.vote);
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
    if (!form || !socket.connected || event.defaultPrevented) return;
    event.preventDefault();
    const data = { meeting_id: meetingId, action: form.dataset.action };
    for (const input of form.querySelectorAll("input[type=hidden]")) {
      if (input.name !== "csrf_token") data[input.name] = Number(input.value);
    }
    const button = event.submitter;
    if (button) button.disabled = true;  // one click, one action
    socket.emit("meeting", data, (ack) => {
      if (button) button.disabled = false;
      if (ack && ack.message) announce(ack.message);
      if (ack && ack.ok) refresh(0);
    });
  });

  socket.on("connect", join);
  socket.on("disconnect", () => {
    threadRoom = null;
    pollRoom = null;
    announce(root.dataset.textReconnect);
  });
  // The server lost events (its message queue was away): join again as after a
  // dropped link, so the thread's catch-up and the sections' refresh run.
  socket.on("resync", (p) => {
    if (p && typeof p.since === "string") resyncSince = p.since;
    joinLater(Math.random() * 1500);
  });
  if (socket.connected) join();
})();
