// Countdown on timed quizzes (progressive enhancement: without it the page shows the deadline).
// Counts down from the seconds left when the page was served, not from the phone's clock.
(function () {
  "use strict";
  var box = document.querySelector(".countdown[data-seconds-left]");
  if (!box) { return; }
  var end = Date.now() + 1000 * Number(box.getAttribute("data-seconds-left"));
  var label = box.getAttribute("data-label");
  var done = box.getAttribute("data-done");
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var ms = end - Date.now();
    var left = Math.max(0, Math.ceil(ms / 1000));
    if (left === 0) {
      box.setAttribute("aria-live", "assertive");  // a timer is silent; this must be heard
      box.textContent = done;
      box.classList.add("countdown-over");
      return;
    }
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    var time = (h ? h + ":" + two(m) : String(m)) + ":" + two(s);
    box.textContent = label.replace("{time}", time);
    if (left <= 60) { box.classList.add("countdown-soon"); }
    window.setTimeout(tick, ms % 1000 || 1000);  // wake when the shown second changes
  }
  box.hidden = false;
  tick();
})();
