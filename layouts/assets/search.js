/* Search page: mounts Pagefind's UI with the page's texts (data-texts, from the theme's
   message catalogs) and runs the query from ?q=. */
(function () {
  "use strict";
  function start() {
    var mount = document.getElementById("search");
    if (!mount || typeof window.PagefindUI !== "function") {
      return;
    }
    var texts = JSON.parse(mount.getAttribute("data-texts") || "{}");
    var ui = new window.PagefindUI({element: "#search", showSubResults: true, showImages: false, translations: texts});
    var q = new URLSearchParams(window.location.search).get("q");
    if (q && q.trim()) {
      ui.triggerSearch(q.trim());
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
