// Privacy placeholders for third-party embeds (see builder/text/embeds.py): nothing is loaded
// from the provider until the reader presses the button; then the iframe takes the placeholder's
// place and gets the focus. Without JavaScript the placeholder's plain link remains.
(function () {
  "use strict";
  function load(button) {
    var box = button.closest(".embed");
    var frame = document.createElement("iframe");
    frame.src = button.getAttribute("data-embed-src");
    frame.title = button.getAttribute("data-embed-title") || "";
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.tabIndex = 0;
    box.replaceChildren(frame);
    box.classList.add("embed-loaded");
    frame.focus();
  }
  document.querySelectorAll(".embed-load").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { load(button); });
  });
})();
