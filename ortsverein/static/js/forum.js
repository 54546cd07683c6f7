// Live forum pages: new, edited and hidden posts in place, presence, typing, new
// threads, and catch-up after a dropped link. The pages work without this file.
"use strict";
(function () {
  const socket = window.ortsvereinSocket;
  if (!socket) return;
  const posts = document.querySelector("[data-thread-live]");
  const forum = document.querySelector("[data-forum-live]");

  function say(el, text, href) {
    if (!el) return;
    el.textContent = "";
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      el.appendChild(link);
    } else {
      el.textContent = text;
    }
  }

  if (forum) {
    const room = "forum:" + forum.dataset.forumLive;
    socket.on("connect", () => socket.emit("join", { room: room }));
    socket.on("thread_created", (payload) => {
      if (String(payload.forum_id) !== forum.dataset.forumLive) return;
      say(forum, forum.dataset.newThread + " " + payload.thread.title, payload.thread.url);
    });
  }

  if (!posts) return;
  const threadId = posts.dataset.threadLive;
  const room = "thread:" + threadId;
  const onLastPage = posts.dataset.lastPage === "true";
  const note = document.querySelector("[data-live-note]");
  const presence = document.querySelector("[data-presence]");
  const typing = document.querySelector("[data-typing]");
  const textarea = document.querySelector("#reply textarea");
  const text = posts.dataset;

  function lastPostId() {
    let last = 0;
    for (const el of posts.querySelectorAll("[data-post-id]")) {
      last = Math.max(last, Number(el.dataset.postId));
    }
    return last;
  }

  // A deleted or hidden post, and a member who left, in this reader's language
  // (the event's own words are those of whoever caused it).
  function fillBody(body, post) {
    const placeholder = { deleted: text.postDeleted, hidden: text.postHidden }[post.state];
    if (!placeholder) {
      body.innerHTML = post.html;  // sanitised on the server when the post was saved
      return;
    }
    const line = document.createElement("p");
    const em = document.createElement("em");
    em.textContent = placeholder;
    line.appendChild(em);
    body.replaceChildren(line);
  }

  function authorName(post) {
    return post.author_left ? text.formerMember : post.author;
  }

  function article(post) {
    const el = document.createElement("article");
    el.className = "post post-live";
    el.id = "post-" + post.id;
    el.dataset.postId = post.id;
    const head = document.createElement("header");
    const who = document.createElement("strong");
    who.textContent = authorName(post);
    const link = document.createElement("a");
    link.className = "muted";
    link.href = post.url;
    // The page's language and time zone, as the server writes the other posts' times.
    const when = new Date(post.created_at).toLocaleString(document.documentElement.lang, {
      dateStyle: "short", timeStyle: "short", timeZone: text.timeZone || undefined,
    });
    link.textContent = " #" + post.number + " · " + when;
    head.append(who, " ", link);
    const body = document.createElement("div");
    body.className = "prose";
    body.dataset.postBody = "";
    fillBody(body, post);
    const foot = document.createElement("p");
    foot.className = "muted";
    const reload = document.createElement("a");
    reload.href = post.url;
    reload.textContent = text.actions;
    foot.appendChild(reload);
    el.append(head, body, foot);
    return el;
  }

  function addPost(post) {
    if (document.getElementById("post-" + post.id)) return;
    if (onLastPage) {
      posts.appendChild(article(post));
      say(note, text.newPost + " " + authorName(post));
    } else {
      say(note, text.newPostElsewhere, post.url);
    }
  }

  function replacePost(post) {
    const el = document.getElementById("post-" + post.id);
    if (!el) return;
    const body = el.querySelector("[data-post-body]");
    if (body) fillBody(body, post);
  }

  let joined = false;
  // After a dropped link the server sends what was posted in between and, for
  // the posts shown, how they read now (edited, hidden or deleted meanwhile).
  function catchUp(since) {
    const request = { room: room, after: lastPostId() };
    if (typeof since === "string") request.since = since;
    if (joined) {
      request.shown = Array.from(posts.querySelectorAll("[data-post-id]"),
        (el) => Number(el.dataset.postId));
    }
    socket.emit("join", request, (ack) => {
      if (ack && ack.error === "unavailable") {
        // The server's database or Redis is away for a moment: ask again.
        window.setTimeout(() => catchUp(since), 2000 + Math.random() * 3000);
        return;
      }
      if (!ack || !ack.ok) return;
      joined = true;
      for (const post of ack.current || []) replacePost(post);
      for (const post of ack.posts || []) addPost(post);
      if (ack.more) say(note, text.missed, window.location.pathname);
    });
  }
  socket.on("connect", () => catchUp());
  // The server lost events (its message queue was away): catch up as after a
  // dropped link, each page at a moment of its own.
  // `since`: the gap's start, for posts numbered before the last one shown.
  socket.on("resync", (p) => {
    window.setTimeout(() => catchUp(p && p.since), Math.random() * 1500);
  });
  socket.on("post_created", (p) => { if (String(p.thread_id) === threadId) addPost(p.post); });
  socket.on("post_updated", (p) => { if (String(p.thread_id) === threadId) replacePost(p.post); });
  socket.on("post_hidden", (p) => { if (String(p.thread_id) === threadId) replacePost(p.post); });
  socket.on("post_reaction", (p) => {
    const el = document.getElementById("post-" + p.post_id);
    const count = el && el.querySelector("[data-agree-count]");
    if (count) count.textContent = p.agree_count;
  });
  socket.on("presence", (p) => {
    if (p.room !== room || !presence) return;
    const reading = p.count === 1 ? text.readingOne : text.reading;
    presence.textContent = "· " + reading.replace("{n}", p.count);
    presence.hidden = p.count < 1;
  });
  let typingTimer = null;
  socket.on("typing", (p) => {
    if (p.room !== room || !typing) return;
    typing.textContent = text.typingText.replace("{names}", p.members.join(", "));
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(() => { typing.textContent = ""; }, 5000);
  });
  if (textarea) {
    let lastSent = 0;
    textarea.addEventListener("input", () => {
      const now = Date.now();
      if (now - lastSent > 3000) {
        lastSent = now;
        socket.emit("typing", { room: room });
      }
    });
  }
})();
