// Live reload for the builder preview. Injected by the dev server only, never part of a build.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = me ? me.getAttribute("data-build") : "";
  var KEY = "builder-livereload-scroll:" + location.pathname;
  var OVERLAY = "builder-livereload-overlay";

  try {
    var saved = sessionStorage.getItem(KEY);
    if (saved) {
      sessionStorage.removeItem(KEY);
      var pos = JSON.parse(saved);
      var restore = function () { window.scrollTo(pos[0], pos[1]); };
      restore();
      if (document.readyState !== "complete") window.addEventListener("load", restore, { once: true });
    }
  } catch (e) { /* storage may be disabled */ }

  function reload(target) {
    if (target && target !== location.pathname) { location.assign(target); return; }
    try { sessionStorage.setItem(KEY, JSON.stringify([window.scrollX, window.scrollY])); } catch (e) {}
    location.reload();
  }

  function swapStylesheets() {
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("livereload", Date.now().toString(36));
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      // Keep the old sheet until the new one has loaded: no flash of unstyled text.
      fresh.addEventListener("load", function () { link.remove(); }, { once: true });
      fresh.addEventListener("error", function () { fresh.remove(); }, { once: true });
      link.after(fresh);
    });
  }

  function hideOverlay() {
    var old = document.getElementById(OVERLAY);
    if (old) old.remove();
  }

  function el(tag, text, style) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;  // textContent: messages are never parsed as HTML
    if (style) Object.assign(node.style, style);
    return node;
  }

  // The words come from the server, in the site's language; English if a message has none.
  var texts = {
    failed: "Build failed", close: "Close", hint: "Hint: %(hint)s",
    kept: "The preview shows the last version without errors. Once the error is fixed, the page reloads."
  };

  function showOverlay(diagnostics, words) {
    if (words) texts = Object.assign({}, texts, words);
    hideOverlay();
    var box = el("div", "", {
      position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto", margin: "0",
      padding: "2rem", background: "rgba(30, 0, 0, 0.92)", color: "#fff",
      font: "15px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
    });
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.appendChild(el("h2", texts.failed, { margin: "0 0 .5rem", font: "bold 1.3rem sans-serif", color: "#ffb4b4" }));
    box.appendChild(el("p", texts.kept, { margin: "0 0 1rem", fontFamily: "sans-serif" }));
    var list = el("ul", "", { listStyle: "none", padding: "0", margin: "0" });
    (diagnostics || []).forEach(function (d) {
      var item = el("li", "", { margin: "0 0 1rem", whiteSpace: "pre-wrap" });
      var where = d.path + (d.line != null ? ":" + d.line : "") + (d.line != null && d.col != null ? ":" + d.col : "");
      var loc = el("strong", where, { color: "#ffd479" });
      loc.className = "builder-livereload-location";
      item.appendChild(loc);
      item.appendChild(document.createTextNode(": " + (d.severity || "error") + ": "));
      var msg = el("span", d.message);
      msg.className = "builder-livereload-message";
      item.appendChild(msg);
      if (d.hint) item.appendChild(el("div", texts.hint.replace("%(hint)s", function () { return d.hint; }), { opacity: ".8" }));
      list.appendChild(item);
    });
    box.appendChild(list);
    var close = el("button", texts.close, { font: "inherit", padding: ".3rem .8rem" });
    close.type = "button";
    close.addEventListener("click", hideOverlay);
    box.appendChild(close);
    (document.body || document.documentElement).appendChild(box);
  }

  function handle(msg) {
    if (msg.type === "state") {
      // Tests and benchmarks wait for this: the tab knows the server's current state.
      window.__builderLiveReload = { connected: true };
      if (!msg.ok) showOverlay(msg.diagnostics, msg.texts);
      else if (msg.build !== build) reload(null);   // a build finished while this page loaded
      else hideOverlay();
    } else if (msg.type === "reload") {
      reload(msg.navigate);
    } else if (msg.type === "css") {
      build = msg.build;
      hideOverlay();
      swapStylesheets();
    } else if (msg.type === "error") {
      showOverlay(msg.diagnostics, msg.texts);
    }
  }

  // One tab per browser holds the event stream and relays it to the others:
  // browsers allow only six HTTP/1.1 connections per host, so a stream per tab
  // would leave the seventh tab waiting forever.
  function lead() {
    var source = new EventSource("/__livereload/events");
    source.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (channel) channel.postMessage(msg);
      if (msg.type === "reload") source.close();
      handle(msg);
    };
    window.addEventListener("pagehide", function () { source.close(); });
    return new Promise(function () {});  // hold the lock while this page lives
  }

  var channel = null;
  try { channel = new BroadcastChannel("builder-livereload"); } catch (e) { /* old browser */ }
  if (channel && navigator.locks) {  // Web Locks need a secure context such as localhost
    channel.onmessage = function (event) { handle(event.data); };
    fetch("/__livereload/state", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(handle, function () {});
    navigator.locks.request("builder-livereload", lead);
  } else {
    lead();
  }
})();
