// The ranked ballot (templates/polls/vote.html): tap the options in the order of
// your choice. Without JavaScript the page has one position select per option;
// with it this list is drawn above them, the selects are hidden and kept filled in
// (they are what the form sends), so a rank can never be given twice. Every change
// is announced to screen readers; "Rückgängig" takes back the last step.
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) {
      return key in values ? String(values[key]) : "";
    });
  }

  function init(box) {
    var text = function (name) { return box.getAttribute("data-text-" + name) || ""; };
    var selectsBox = box.querySelector("[data-rank-selects]");
    var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-option-label]"));
    if (!selectsBox || !selects.length) return;
    var options = selects.map(function (s) {
      return { select: s, label: s.getAttribute("data-option-label") };
    });

    // Start from what the selects hold (a ballot shown again after an error).
    var order = options
      .filter(function (o) { return /^\d+$/.test(o.select.value); })
      .sort(function (a, b) { return Number(a.select.value) - Number(b.select.value); });
    var seen = {};
    order = order.filter(function (o) {  // a duplicated rank: keep the first only
      if (seen[o.select.value]) return false;
      seen[o.select.value] = true;
      return true;
    });

    var help = el("p", "hint ranker__help", text("help"));
    help.id = "ranker-help";
    var chosenHead = el("h3", "ranker__head", text("chosen"));
    chosenHead.id = "ranker-chosen-head";
    var chosen = el("ol", "ranker__chosen");
    chosen.setAttribute("aria-labelledby", "ranker-chosen-head");
    var none = el("p", "ranker__none muted", text("none"));
    var poolHead = el("h3", "ranker__head", text("pool"));
    poolHead.id = "ranker-pool-head";
    var pool = el("ul", "ranker__pool");
    pool.setAttribute("aria-labelledby", "ranker-pool-head");
    var all = el("p", "ranker__none muted", text("all"));
    var controls = el("div", "cluster ranker__controls");
    var undo = el("button", "button button--secondary", text("undo"));
    undo.type = "button";
    var clear = el("button", "button button--quiet", text("clear"));
    clear.type = "button";
    controls.appendChild(undo);
    controls.appendChild(clear);
    var live = el("p", "visually-hidden");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("role", "status");

    var ui = el("div", "ranker__ui");
    [help, chosenHead, chosen, none, controls, poolHead, pool, all, live].forEach(function (n) {
      ui.appendChild(n);
    });
    box.insertBefore(ui, selectsBox);
    selectsBox.hidden = true;

    function sync() {
      options.forEach(function (o) {
        var rank = order.indexOf(o);
        o.select.value = rank < 0 ? "" : String(rank + 1);
      });
    }

    function render(focusPool) {
      chosen.textContent = "";
      order.forEach(function (o, i) {
        var item = el("li", "ranker__item");
        item.appendChild(el("span", "ranker__rank", fill(text("rank"), { rank: i + 1 })));
        item.appendChild(el("span", "ranker__label", o.label));
        chosen.appendChild(item);
      });
      none.hidden = order.length > 0;
      chosen.hidden = order.length === 0;
      pool.textContent = "";
      var first = null;
      options.forEach(function (o) {
        if (order.indexOf(o) >= 0) return;
        var li = el("li");
        var button = el("button", "ranker__option", o.label);
        button.type = "button";
        button.setAttribute("aria-describedby", "ranker-help");
        button.addEventListener("click", function () { place(o); });
        li.appendChild(button);
        pool.appendChild(li);
        if (!first) first = button;
      });
      all.hidden = order.length < options.length;
      pool.hidden = order.length === options.length;
      undo.disabled = clear.disabled = order.length === 0;
      if (focusPool) (first || undo).focus();
    }

    function place(o) {
      if (order.indexOf(o) >= 0) return;  // never twice
      order.push(o);
      sync();
      live.textContent = fill(text("placed"), { option: o.label, rank: order.length });
      render(true);
    }

    undo.addEventListener("click", function () {
      var last = order.pop();
      if (!last) return;
      sync();
      live.textContent = fill(text("undone"), { option: last.label });
      render(true);
    });
    clear.addEventListener("click", function () {
      order = [];
      sync();
      live.textContent = text("cleared");
      render(true);
    });

    sync();
    render(false);
  }

  function start() {
    document.querySelectorAll("[data-ranker]").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
