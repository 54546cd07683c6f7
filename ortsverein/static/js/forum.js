// Live forum pages: new, edited and hidden posts in place (rendered by the server
// for this reader, as the page's own posts), presence, typing, new threads, and
// catch-up after a dropped link. The pages work without this file.
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

  // Posts that arrive or change are fetched as the server renders them for this
  // reader (the thread page's macro: same markup, buttons, language and time zone),
  // a batch at a time. The event's own fields are the fallback on a poor link.
  const postsUrl = posts.dataset.postsUrl;
  const wanted = new Map();  // post id -> { post, add }
  let readers = 1;  // from presence events
  let fetchTimer = null;

  function want(post, add) {
    const known = wanted.get(post.id);
    wanted.set(post.id, { post: post, add: add || Boolean(known && known.add) });
    if (fetchTimer !== null) return;
    // Every reader of the thread gets the event at once: with many, spread their
    // requests over up to two seconds; alone, ask at once.
    const spread = Math.min(2000, 10 * (readers - 1));
    fetchTimer = window.setTimeout(fetchWanted, Math.random() * spread);
  }

  async function fetchWanted() {
    fetchTimer = null;
    const batch = Array.from(wanted.values());
    wanted.clear();
    let fresh = null;
    try {
      const ids = batch.map((w) => w.post.id).join(",");
      const response = await fetch(postsUrl + "?ids=" + ids, { credentials: "same-origin" });
      if (response.ok) {
        fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      }
    } catch (err) {
      // a poor link: the event's own fields below
    }
    for (const { post, add } of batch) {
      const article = fresh && fresh.getElementById("post-" + post.id);
      if (add) {
        if (!document.getElementById("post-" + post.id)) {
          if (article) {
            insert(article);
            say(note, text.newPost + " " + authorName(post));
          } else {
            say(note, text.newPost + " " + authorName(post), post.url);
          }
        }
      } else {
        replace(post, article);
      }
    }
    document.dispatchEvent(new Event("ortsverein:content"));  // app.js: times
  }

  function insert(article) {
    const id = Number(article.dataset.postId);
    for (const el of posts.querySelectorAll(":scope > [data-post-id]")) {
      if (Number(el.dataset.postId) > id) {
        el.before(article);
        return;
      }
    }
    posts.appendChild(article);
  }

  function replace(post, article) {
    const el = document.getElementById("post-" + post.id);
    if (!el) return;
    // A moderator writing a reason in this post keeps the form: only the text changes.
    const busy = el.contains(document.activeElement) || el.querySelector("details[open]");
    if (article && !busy) {
      el.replaceWith(article);
      return;
    }
    const body = el.querySelector("[data-post-body]");
    const freshBody = article && article.querySelector("[data-post-body]");
    if (body && freshBody) body.replaceWith(freshBody);
    else if (body) fillBody(body, post);
  }

  // The event's text, with a deleted or hidden post and a member who left in this
  // reader's language (the event's own words are those of whoever caused it).
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

  function addPost(post) {
    if (document.getElementById("post-" + post.id)) return;
    if (onLastPage) {
      want(post, true);
    } else {
      say(note, text.newPostElsewhere, post.url);
    }
  }

  function replacePost(post) {
    if (document.getElementById("post-" + post.id)) want(post, false);
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
    if (p.room !== room) return;
    readers = p.count;
    if (!presence) return;
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
