// The two scripts of the embedded comment section (src/web/embed.tsx), plain ES5 as written: no build.

/**
 * GET /embed.js, on the publisher's article page:
 *   <script src="https://comments.example/embed.js" data-article="ARTICLE-ID" data-token-url="/comments-token" async></script>
 * It puts the frame after itself, sizes it to what the frame reports, and when the frame is ready (or its
 * token expired) asks the publisher's data-token-url (same origin as the page, with its cookies) for
 * `{ "token": "<JWT>" }` and hands the token to the frame. Messages are checked both ways by origin and by
 * window, so another frame or page cannot speak for either.
 */
export const EMBED_JS = `(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src).origin;
  var article = script.getAttribute("data-article");
  var tokenUrl = script.getAttribute("data-token-url");
  if (!article) return;
  var frame = document.createElement("iframe");
  frame.src = base + "/embed/articles/" + encodeURIComponent(article) + "?origin=" + encodeURIComponent(location.origin);
  frame.title = "留言區";
  frame.setAttribute("scrolling", "no");
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.height = "240px";
  script.parentNode.insertBefore(frame, script.nextSibling);
  function giveToken() {
    if (!tokenUrl) return;
    fetch(tokenUrl, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && typeof body.token === "string" && frame.contentWindow) frame.contentWindow.postMessage({ type: "comments:token", token: body.token }, base);
      })
      .catch(function () {});
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== base || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "comments:height" && typeof data.height === "number") frame.style.height = Math.ceil(data.height) + "px";
    if (data.type === "comments:ready" || data.type === "comments:token-expired") giveToken();
  });
})();
`;

/**
 * /assets/embed-frame.js, inside the frame: tells the page its height and that it is ready, takes the
 * token the page hands it (only from the origin the frame was opened for, only from its parent), shows
 * the forms once signed in (edit and delete on one's own comments, reply and report on others'), and sends
 * them to the JSON API with the token: a published comment, edit or deletion reloads the frame (the page
 * hands the token again), a held one or a refusal is said in the frame.
 */
export const EMBED_FRAME_JS = `(function () {
  "use strict";
  var root = document.querySelector("[data-embed]");
  if (!root || window.parent === window) return;
  var parentOrigin = root.getAttribute("data-parent-origin");
  var article = root.getAttribute("data-article");
  var version = root.getAttribute("data-rules-version");
  var token = null;
  function tell(message) { window.parent.postMessage(message, parentOrigin); }
  function size() { tell({ type: "comments:height", height: document.documentElement.scrollHeight }); }
  function each(selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); }
  function signedIn(yes) {
    var me = yes ? subject(token) : null;
    each("[data-signed-in]", function (element) {
      // One's own comment takes neither a reply nor a report, and only one's own an edit or deletion.
      var author = element.closest("[data-author]");
      var mine = author !== null && author.getAttribute("data-author") === me;
      var offered = element.hasAttribute("data-not-own") ? !mine : element.hasAttribute("data-own") ? mine : true;
      element.hidden = !yes || !offered;
    });
    each("[data-signed-out]", function (element) { element.hidden = yes; });
    size();
  }
  function subject(jwt) {
    try {
      var part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(decodeURIComponent(escape(atob(part)))).sub;
    } catch (error) { return ""; }
  }
  function show(text, warn) {
    var box = root.querySelector("[data-testid=embed-result]");
    box.textContent = text;
    box.className = warn ? "notice warn" : "notice";
    box.hidden = false;
    size();
  }
  function refusal(body) {
    var error = body && body.error;
    if (!error) return "發生錯誤，請稍後再試。";
    var lines = [error.message];
    var reasons = (error.details && error.details.reasons) || [];
    for (var i = 0; i < reasons.length; i++) lines.push(reasons[i].message);
    return lines.join("\\n");
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function send(path, body, method) {
    var headers = { authorization: "Bearer " + token, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    return fetch(path, {
      method: method || "POST",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, body: json }; });
    });
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    var data = event.data || {};
    if (data.type !== "comments:token" || typeof data.token !== "string") return;
    token = data.token;
    var who = root.querySelector("[data-member]");
    if (who) who.textContent = "會員 " + subject(token);
    signedIn(true);
  });
  root.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.getAttribute("data-action");
    if (!action) return;
    event.preventDefault();
    if (!token) { show("請先登入。", true); return; }
    var request;
    var comment = form.getAttribute("data-comment");
    if (action === "report") {
      request = send("/reports", { subject: "comment", id: comment, reason: form.elements.reason.value });
    } else if (action === "edit") {
      request = send("/comments/" + encodeURIComponent(comment), { body: form.elements.body.value }, "PATCH");
    } else if (action === "delete") {
      request = send("/comments/" + encodeURIComponent(comment), undefined, "DELETE");
    } else {
      var body = { body: form.elements.body.value, acceptedRulesVersion: version, idempotencyKey: form.getAttribute("data-key") };
      if (action === "reply") body.parentId = form.getAttribute("data-parent");
      request = send("/articles/" + encodeURIComponent(article) + "/comments", body);
    }
    var button = form.querySelector("button");
    button.disabled = true;
    request.then(function (answer) {
      button.disabled = false;
      // Answered: the next text from this form is another comment, with a key of its own (a network
      // failure keeps the key, so sending again cannot post twice).
      form.setAttribute("data-key", newKey());
      if (answer.status === 401) {
        token = null;
        signedIn(false);
        tell({ type: "comments:token-expired" });
        show("登入已逾時，請再試一次。", true);
      } else if (action === "report") {
        if (answer.status < 300) show("已收到檢舉，管理員會盡快處理。謝謝你。"); else show(refusal(answer.body), true);
      } else if (answer.status === 200 || answer.status === 201) {
        location.reload();
      } else if (answer.status === 202) {
        form.reset();
        show(action === "edit" ? "修改已送出，留言將由管理員審核後再顯示。" : "留言已送出，將由管理員審核後顯示。", true);
      } else {
        show(refusal(answer.body), true);
      }
    }, function () {
      button.disabled = false;
      show("無法連線，請稍後再試。", true);
    });
  });
  if (window.ResizeObserver) new ResizeObserver(size).observe(document.body);
  window.addEventListener("load", size);
  tell({ type: "comments:ready" });
  size();
})();
`;
