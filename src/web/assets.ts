// The pages' only stylesheet and script, served from this app (the Content-Security-Policy allows nothing
// else). Kept small and readable: no build step.

export const SITE_CSS = `
:root { --ink: #1d2327; --muted: #5f6b73; --line: #d8dee2; --accent: #0b5cad; --bad: #b3261e; --ok: #1b7f3b; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", sans-serif; color: var(--ink); background: #f6f7f8; }
header.site { background: #fff; border-bottom: 1px solid var(--line); padding: .5rem 1rem; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
header.site .brand { font-weight: 700; margin-right: auto; }
header.site nav a { margin-right: .75rem; }
header.site form { display: inline; }
main { max-width: 960px; margin: 1rem auto; padding: 0 1rem; }
body.embed { background: transparent; }
body.embed [hidden] { display: none !important; }
body.embed main { max-width: none; margin: 0; padding: .25rem .5rem; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
section, .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
.muted { color: var(--muted); font-size: .9rem; }
.notice { border-left: 4px solid var(--ok); background: #eef8f0; padding: .5rem .75rem; margin: .75rem 0; }
.notice.warn { border-color: var(--warn); background: #fff6e5; }
td.overdue { color: var(--warn); font-weight: 600; }
.error { border-left: 4px solid var(--bad); background: #fdeceb; padding: .5rem .75rem; margin: .75rem 0; }
.error ul { margin: .25rem 0 0; }
textarea, input[type=text], input[type=number], select { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; }
textarea { width: 100%; min-height: 6rem; }
button { font: inherit; padding: .35rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #a4262c; border-color: #a4262c; }
button.link { border: none; background: none; color: var(--accent); padding: 0; text-decoration: underline; }
.comment { border-top: 1px solid var(--line); padding: .6rem 0; }
.comment:first-child { border-top: none; }
.comment .body { white-space: pre-wrap; overflow-wrap: anywhere; }
.comment details { display: inline-block; }
.reply { margin-left: 1.5rem; border-left: 3px solid var(--line); padding-left: .8rem; }
.comment details { margin-right: .8rem; }
.comment details[open] { display: block; }
.tags { list-style: none; padding: 0; display: flex; gap: .4rem; flex-wrap: wrap; }
.tags li { background: #e8f0f9; border-radius: 999px; padding: .1rem .6rem; }
.rules li { margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .5rem; text-align: left; vertical-align: top; }
td.excerpt { max-width: 22rem; overflow-wrap: anywhere; }
.queue-item.arrived { border-left: 4px solid var(--ok); }
.queue-item.selected { outline: 2px solid var(--accent); background: #eef4fb; }
.queue-item .meta { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; font-size: .9rem; }
.queue-item .meta .overdue { color: var(--warn); font-weight: 600; }
.queue-item .text { font-size: 1rem; margin: .4rem 0; }
.card-reasons { margin: .25rem 0; padding-left: 1.2rem; font-size: .9rem; }
.quick { display: flex; gap: .5rem; flex-wrap: wrap; }
.quick form { display: inline; }
.filters { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; }
.counts { display: flex; gap: .5rem; flex-wrap: wrap; padding: 0; list-style: none; }
.counts li { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: .2rem .6rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 1.1rem; background: #fffdf7; border: 1px solid var(--line); padding: .75rem; border-radius: 4px; }
mark.hit { background: #ffd6d2; border-bottom: 2px solid var(--bad); padding: 0 1px; }
.badge { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-size: .85rem; background: #eceff1; }
.badge.critical, .badge.high { background: #fdeceb; color: var(--bad); }
.badge.medium { background: #fff6e5; color: var(--warn); }
.actions { display: flex; gap: 1rem; flex-wrap: wrap; margin: .5rem 0; }
.actions label { display: flex; gap: .3rem; align-items: center; }
kbd { border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 3px; padding: 0 .3rem; font-size: .85rem; background: #fff; }
.shortcuts { font-size: .9rem; color: var(--muted); }
.chart { margin: 0; }
.chart > svg { width: 100%; height: auto; }
.chart .axis { stroke: #9aa5ad; }
.chart .tick, .chart .total { font-size: 11px; fill: var(--muted); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; padding: 0; font-size: .9rem; }
.legend li { display: flex; align-items: center; gap: .3rem; }
.s-R1 { fill: #b3261e; } .s-R2 { fill: #e07b00; } .s-R3 { fill: #0b5cad; } .s-R4 { fill: #6a3fb5; }
.s-fully_automated { fill: #7a8790; } .s-human_with_automated_help { fill: #0b8a8a; } .s-human { fill: #1b7f3b; }
.s-upheld { fill: #5f6b73; } .s-reversed { fill: #e07b00; }
.login { max-width: 560px; }
table.sessions td { font-size: .9rem; }
table.sessions th:not(:first-child), table.sessions td:not(:first-child) { white-space: nowrap; }
`;

export const MODERATE_JS = `
// Keyboard shortcuts for the moderator pages (listed on each page). Nothing here is needed to use them.
(function () {
  "use strict";
  var typing = function (el) { return el && ((el.tagName === "INPUT" && el.type !== "checkbox" && el.type !== "radio") || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable); };
  var queue = document.querySelector(".queue");
  var decision = document.querySelector("form.decision");

  if (queue) {
    var rows = Array.prototype.slice.call(queue.querySelectorAll("[data-href]"));
    // The order of the list, so j / k on an item page move through it.
    try { sessionStorage.setItem("moderation-queue", JSON.stringify(rows.map(function (r) { return r.getAttribute("data-href"); }))); } catch (e) {}
    var selected = -1;
    var select = function (index) {
      if (!rows.length) return;
      if (selected >= 0) rows[selected].classList.remove("selected");
      selected = Math.max(0, Math.min(rows.length - 1, index));
      rows[selected].classList.add("selected");
      rows[selected].scrollIntoView({ block: "nearest" });
    };
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=itemId]"));
    var chosenCount = document.querySelector("[data-testid=chosen-count]");
    var countChosen = function () { if (chosenCount) chosenCount.textContent = String(boxes.filter(function (b) { return b.checked; }).length); };
    boxes.forEach(function (box) { box.addEventListener("change", countChosen); });
    var all = document.querySelector("[data-select-all]");
    if (all) all.addEventListener("change", function () { boxes.forEach(function (box) { box.checked = all.checked; }); countChosen(); });
    countChosen();
    // A click on a card makes it the one the keys act on; its links, boxes and buttons work as usual.
    rows.forEach(function (row) { row.addEventListener("click", function () { select(rows.indexOf(row)); }); });
    var quick = function (action) {
      if (selected < 0) return false;
      var form = rows[selected].querySelector("form.quick-" + action);
      if (!form) return false;
      form.requestSubmit();
      return true;
    };
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
      if (event.key === "j") { select(selected + 1); event.preventDefault(); }
      else if (event.key === "k") { select(selected - 1); event.preventDefault(); }
      else if ((event.key === "Enter" || event.key === "o") && selected >= 0) { location.href = rows[selected].getAttribute("data-href"); event.preventDefault(); }
      else if (event.key === "x" && selected >= 0) {
        var box = rows[selected].querySelector("input[name=itemId]");
        if (box) { box.checked = !box.checked; countChosen(); event.preventDefault(); }
      }
      else if ((event.key === "a" && quick("approve")) || (event.key === "r" && quick("remove"))) { event.preventDefault(); }
      else if (event.key === "c") { var claim = document.querySelector("form.claim"); if (claim) { claim.submit(); event.preventDefault(); } }
    });
  }

  // The live queue: counts and new cards arrive without reloading, by server-sent events, or by asking
  // every few seconds where EventSource is missing or keeps failing.
  var live = document.querySelector("[data-live=on]");
  if (live && queue) {
    var since = live.getAttribute("data-live-since") || "0";
    var news = document.querySelector("[data-testid=live-news]");
    var added = 0;
    var apply = function (update) {
      Object.keys(update.counts).forEach(function (name) {
        var el = live.querySelector("[data-count=" + name + "]");
        if (el && typeof update.counts[name] === "number") el.textContent = String(update.counts[name]);
      });
      since = update.latest || since;
      (update.cards || []).forEach(function (card) {
        if (queue.querySelector('[data-item-id="' + card.id + '"]')) return;
        var holder = document.createElement("div");
        holder.innerHTML = card.html;
        var element = holder.firstElementChild;
        if (!element) return;
        element.classList.add("arrived");
        queue.insertBefore(element, queue.firstChild);
        rows.unshift(element);
        if (selected >= 0) selected++;
        element.addEventListener("click", function () { select(rows.indexOf(element)); });
        var box = element.querySelector("input[name=itemId]");
        if (box) { boxes.push(box); box.addEventListener("change", countChosen); }
        added++;
      });
      if (added && news) { news.hidden = false; news.textContent = "有 " + added + " 則新項目（標示於上方）。"; }
    };
    var poll = function () {
      fetch("/moderate/live?since=" + encodeURIComponent(since), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (update) { if (update) apply(update); })
        .catch(function () {})
        .then(function () { setTimeout(poll, 5000); });
    };
    if (window.EventSource) {
      var failures = 0;
      var open = function () {
        var source = new EventSource("/moderate/events?since=" + encodeURIComponent(since));
        source.addEventListener("queue", function (event) { failures = 0; apply(JSON.parse(event.data)); });
        source.onerror = function () {
          // The server ends each stream after a while: open the next from the newest item seen. A stream
          // that fails three times running without an event gives way to polling.
          source.close();
          if (++failures >= 3) poll(); else setTimeout(open, 3000);
        };
      };
      open();
    } else {
      poll();
    }
  }

  if (decision) {
    var note = decision.querySelector("textarea[name=note]");
    var choose = function (action) {
      var radio = decision.querySelector("input[name=action][value=" + action + "]");
      if (!radio) return false;
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      note.focus();
      return true;
    };
    var keys = {};
    Array.prototype.forEach.call(decision.querySelectorAll("input[name=action][data-key]"), function (radio) { keys[radio.getAttribute("data-key")] = radio.value; });
    var move = function (step) {
      var list = [];
      try { list = JSON.parse(sessionStorage.getItem("moderation-queue") || "[]"); } catch (e) {}
      var index = list.indexOf(location.pathname);
      var target = index < 0 ? null : list[index + step];
      location.href = target || "/moderate";
    };
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") { decision.requestSubmit(); event.preventDefault(); return; }
      if (event.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
      if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
      if (keys[event.key] && choose(keys[event.key])) { event.preventDefault(); return; }
      if (event.key === "j") { move(1); event.preventDefault(); }
      else if (event.key === "k") { move(-1); event.preventDefault(); }
    });
    var days = decision.querySelector("input[name=suspendDays]");
    decision.addEventListener("change", function () {
      var chosen = decision.querySelector("input[name=action]:checked");
      if (days) days.disabled = !chosen || chosen.value !== "remove_and_suspend";
    });
    decision.dispatchEvent(new Event("change"));
  }
})();
`;

export const MEMBER_JS = `
// The member page's live nickname check: as the member types, ask the service whether the nickname would
// be accepted, and say so beside the field. The form's "check" button does the same without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-nickname-check]");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=nickname]");
  var answer = document.querySelector("[data-testid=nickname-live]");
  var csrf = form.querySelector("input[name=_csrf]").value;
  var timer = null;
  var asked = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var nickname = input.value.trim();
      var mine = ++asked;
      if (!nickname) { answer.textContent = ""; return; }
      var body = new URLSearchParams({ _csrf: csrf, nickname: nickname });
      fetch("/me/nickname/live", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          if (mine !== asked) return;
          answer.textContent = result.message || "";
          answer.className = result.outcome === "allow" ? "notice" : "notice warn";
        })
        .catch(function () {});
    }, 300);
  });
})();
`;
