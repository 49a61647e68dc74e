// Swagger UI puts a link inside each operation's toggle button (nested interactive controls);
// the links only repeat the button's target, so they become plain text.
(function () {
  "use strict";
  function unnest() {
    document.querySelectorAll(".opblock-summary-control a[href], button a[href]").forEach(function (a) {
      var span = document.createElement("span");
      span.className = a.className;
      span.innerHTML = a.innerHTML;
      a.replaceWith(span);
    });
  }
  new MutationObserver(unnest).observe(document.body, { childList: true, subtree: true });
})();
