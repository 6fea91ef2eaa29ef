/* Search page: mounts Pagefind's UI in German and runs the query from ?q=. */
(function () {
  "use strict";
  var German = {
    placeholder: "Artikel und Begriffe durchsuchen",
    clear_search: "Löschen",
    load_more: "Weitere Ergebnisse laden",
    search_label: "Diese Website durchsuchen",
    filters_label: "Filter",
    zero_results: "Keine Ergebnisse für [SEARCH_TERM]",
    many_results: "[COUNT] Ergebnisse für [SEARCH_TERM]",
    one_result: "[COUNT] Ergebnis für [SEARCH_TERM]",
    alt_search: "Keine Ergebnisse für [SEARCH_TERM]. Stattdessen Ergebnisse für [DIFFERENT_TERM]",
    search_suggestion: "Keine Ergebnisse für [SEARCH_TERM]. Versuchen Sie eine dieser Suchen:",
    searching: "Suche nach [SEARCH_TERM] …"
  };
  function start() {
    var mount = document.getElementById("search");
    if (!mount || typeof window.PagefindUI !== "function") {
      return;
    }
    var ui = new window.PagefindUI({element: "#search", showSubResults: true, showImages: false, translations: German});
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
