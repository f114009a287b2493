/* Print buttons: a button with data-print prints the page. Without JavaScript the button stays
   hidden and the browser's own Print command does the same. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
