/* Search page: merges the site's index shards and mounts Pagefind's UI with the page's texts
 * (data-texts, from the theme's message catalogs); runs ?q=.
 *
 * The build splits the index into shards (pagefind/shards.js lists them, the primary one
 * first, which carries Pagefind's runtime). All shards are merged at once when the page
 * loads, before the first query: Pagefind's UI would merge them one after the other. */
(function () {
  "use strict";
  var EXCERPT = 20;   // words; the same for every shard (Pagefind's options reach only the primary)

  function folder() {
    /* The path of pagefind/ as the page loaded its UI from (the site's base path is in it); a path,
       not a URL, so that every shard's results link to the same root-relative URLs. */
    var script = document.querySelector('script[src*="pagefind-ui.js"]');
    return script ? new URL(script.src, window.location.href).pathname.replace(/pagefind-ui\.js$/, "") : null;
  }

  function start() {
    var mount = document.getElementById("search");
    var shards = window.builderSearchShards;
    var base = folder();
    if (!mount || typeof window.PagefindUI !== "function" || !shards || !shards.length || !base) {
      return;
    }
    var texts = JSON.parse(mount.getAttribute("data-texts") || "{}");
    var primary = base + shards[0];
    window.builderSearchReady = import(primary + "pagefind.js").then(function (pagefind) {
      pagefind.options({excerptLength: EXCERPT});
      // Every shard's merge is started before the UI exists: its first search comes after them
      // in Pagefind's queue and so waits until every shard is merged.
      var merged = Promise.all(shards.slice(1).map(function (shard) {
        return pagefind.mergeIndex(base + shard, {excerptLength: EXCERPT});
      }));
      // The UI imports the same module (the same URL), so it searches the merged shards.
      var ui = new window.PagefindUI({element: "#search", bundlePath: primary, showSubResults: true,
                                      showImages: false, excerptLength: EXCERPT, translations: texts,
                                      debounceTimeoutMs: 150});
      // Pagefind labels its field only by a title; screen readers and axe want a label.
      var input = mount.querySelector("input");
      if (input && !input.hasAttribute("aria-label")) {
        input.setAttribute("aria-label", texts.search_label || texts.placeholder || "");
      }
      var q = new URLSearchParams(window.location.search).get("q");
      if (q && q.trim()) {
        ui.triggerSearch(q.trim());
      }
      return merged.then(function () { return pagefind; });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
