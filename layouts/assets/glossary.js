/* Glossary tooltips (WCAG 1.4.13), progressive enhancement.
   CSS alone shows a tooltip on hover and on focus. This script adds:
   - placement: shift the tooltip inside the viewport, flip it above the term
     when there is no room below;
   - Escape hides the visible tooltip without moving focus;
   - touch: the first tap on a term shows its tooltip instead of following the
     link, a second tap on the same term follows it, a tap elsewhere hides it;
   - print: note numbers that match the list of terms even when a term is
     annotated more than once. */
(function () {
  "use strict";

  var MARGIN = 8;          // px kept free between a tooltip and the viewport edge
  var lastPointer = "";    // pointerType of the latest pointerdown
  var tapped = null;       // the .gl opened by a tap

  function glOf(node) {
    return node && node.closest ? node.closest(".gl") : null;
  }

  function tipOf(gl) {
    return gl.querySelector(".gl-tip");
  }

  /* Keep the tooltip of `gl` inside the viewport. */
  function place(gl) {
    var tip = tipOf(gl);
    if (!tip) {
      return;
    }
    gl.classList.remove("gl--above");
    tip.style.setProperty("--gl-dx", "0px");
    var viewWidth = document.documentElement.clientWidth;
    var viewHeight = document.documentElement.clientHeight;
    var box = tip.getBoundingClientRect();
    var dx = 0;
    if (box.right > viewWidth - MARGIN) {
      dx = viewWidth - MARGIN - box.right;
    }
    if (box.left + dx < MARGIN) {
      dx = MARGIN - box.left;
    }
    if (dx !== 0) {
      tip.style.setProperty("--gl-dx", Math.round(dx) + "px");
    }
    if (box.bottom > viewHeight - MARGIN) {
      var term = gl.getBoundingClientRect();
      var roomAbove = term.top - MARGIN;
      if (roomAbove >= box.height || roomAbove > viewHeight - term.bottom) {
        gl.classList.add("gl--above");
      }
    }
  }

  function isShown(gl) {
    return gl.matches(":hover, :focus-within, .gl--open") && !gl.classList.contains("gl--dismissed");
  }

  function closeTapped() {
    if (tapped) {
      tapped.classList.remove("gl--open");
      tapped = null;
    }
  }

  document.addEventListener("pointerover", function (event) {
    var gl = glOf(event.target);
    if (gl && !gl.contains(event.relatedTarget)) {
      place(gl);
    }
  });

  document.addEventListener("pointerout", function (event) {
    var gl = glOf(event.target);
    // a touch pointer "leaves" right after every tap; only a real pointer resets Escape
    if (gl && event.pointerType !== "touch" && !gl.contains(event.relatedTarget)) {
      gl.classList.remove("gl--dismissed");
    }
  });

  document.addEventListener("focusin", function (event) {
    var gl = glOf(event.target);
    if (tapped && tapped !== gl) {
      closeTapped();
    }
    if (gl) {
      gl.classList.remove("gl--dismissed");
      place(gl);
    }
  });

  document.addEventListener("focusout", function (event) {
    var gl = glOf(event.target);
    if (gl && !gl.contains(event.relatedTarget)) {
      gl.classList.remove("gl--dismissed");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      return;
    }
    var all = document.querySelectorAll(".gl");
    for (var i = 0; i < all.length; i++) {
      if (isShown(all[i])) {
        all[i].classList.add("gl--dismissed");
        all[i].classList.remove("gl--open");
      }
    }
    tapped = null;
  });

  document.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType;
    if (event.pointerType === "touch" && tapped && !tapped.contains(event.target)) {
      // tapping elsewhere hides the tooltip even if the term keeps focus or sticky :hover
      tapped.classList.add("gl--dismissed");
      closeTapped();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".gl-term") : null;
    if (!link) {
      return;
    }
    var touch = event.pointerType ? event.pointerType === "touch"
                                  : lastPointer === "touch" && event.detail > 0;
    if (!touch) {
      return;
    }
    var gl = glOf(link);
    if (gl === tapped) {
      return;  // second tap: follow the link
    }
    event.preventDefault();
    closeTapped();
    gl.classList.remove("gl--dismissed");
    gl.classList.add("gl--open");
    tapped = gl;
    place(gl);
  }, true);

  window.addEventListener("resize", function () {
    var all = document.querySelectorAll(".gl");
    for (var i = 0; i < all.length; i++) {
      if (isShown(all[i])) {
        place(all[i]);
      }
    }
  });

  /* Print numbers: each annotation gets its term's position in the notes list. */
  function numberNotes() {
    var items = document.querySelectorAll(".gl-notes li[data-term]");
    var number = {};
    for (var i = 0; i < items.length; i++) {
      number[items[i].getAttribute("data-term")] = String(i + 1);
    }
    var terms = document.querySelectorAll(".gl-term[data-term]");
    for (var j = 0; j < terms.length; j++) {
      var n = number[terms[j].getAttribute("data-term")];
      if (n) {
        terms[j].setAttribute("data-note", n);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", numberNotes);
  } else {
    numberNotes();
  }
})();
