/* The lecture page's SCORM player: asks the platform what to launch, frames the content
   origin's launch page, hands it the learner's data, and posts each commit it sends back to
   the platform (with the page's CSRF token). Messages from any other window or origin are
   ignored; a commit is only ever data the server checks again. */
(function () {
  "use strict";
  var box = document.getElementById("scorm-player");
  if (!box || !window.fetch) return;
  var frame = box.querySelector("iframe");
  var statusLine = box.querySelector(".scorm-status");
  var toc = box.querySelector(".scorm-toc");
  var csrf = box.getAttribute("data-csrf");
  var words = JSON.parse(box.querySelector("script[type='application/json']").textContent);
  var launch = null;
  var current = null;
  var queue = Promise.resolve();
  var initTimer = null;

  function say(text) { statusLine.textContent = text; }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  function markToc() {
    if (!toc) return;
    Array.prototype.forEach.call(toc.querySelectorAll("button"), function (button) {
      var sco = launch.scos[Number(button.getAttribute("data-index"))];
      button.setAttribute("aria-current", sco === current ? "true" : "false");
      button.querySelector(".scorm-done").textContent = sco.finished ? " ✓" : "";
    });
  }

  function open(sco) {
    current = sco;
    markToc();
    say(words.loading);
    box.setAttribute("data-state", "loading");
    frame.src = launch.launch;
    clearTimeout(initTimer);
    initTimer = setTimeout(function () {
      box.setAttribute("data-state", "no-initialize");
      say(words.noInitialize);
    }, Number(box.getAttribute("data-init-timeout")) || 30000);
  }

  function commit(message) {
    if (!launch.track) return;  // a visitor's preview is not recorded
    queue = queue.then(function () {
      return post(launch.track, {
        sco: message.sco, sequence: message.sequence, cmi: message.cmi, first: message.first === true
      })
        .then(function (result) {
          var sco = launch.scos.filter(function (s) { return s.id === message.sco; })[0];
          if (sco) {
            sco.sequence = Math.max(sco.sequence, result.sequence);
            sco.finished = result.completion === "completed" || result.success === "passed";
          }
          markToc();
          box.setAttribute("data-saved", String(result.sequence));
          var score = result.score === null ? "" : " " + words.score.replace("{score}", String(result.score));
          if (result.lecture_done) {
            box.setAttribute("data-lecture-done", "true");
            say(words.done + score);
          } else {
            say(words.saved + score);
          }
        })
        .catch(function () { say(words.notSaved); });
    });
  }

  window.addEventListener("message", function (event) {
    if (!launch || event.origin !== launch.origin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "scorm:ready" && current) {
      frame.contentWindow.postMessage({
        type: "scorm:launch", sco: current.id, href: current.href, cmi: current.cmi,
        sequence: current.sequence
      }, launch.origin);
    } else if (data.type === "scorm:initialized" && data.sco === current.id) {
      clearTimeout(initTimer);
      box.setAttribute("data-state", "running");
      box.setAttribute("data-initialized-at", String(Math.round(performance.now())));
      say("");
    } else if (data.type === "scorm:commit" && data.sco === current.id) {
      commit(data);
    }
  });

  function buildToc() {
    if (!toc || launch.scos.length < 2) return;
    var list = toc.querySelector("ol");
    launch.scos.forEach(function (sco, index) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-index", String(index));
      button.textContent = sco.title;
      var mark = document.createElement("span");
      mark.className = "scorm-done";
      button.appendChild(mark);
      button.addEventListener("click", function () {
        // The last commit goes first: reopening reloads the SCO with what the server has.
        queue.then(function () { return post(box.getAttribute("data-launch"), {}); })
          .then(function (fresh) { launch = fresh; open(launch.scos[index]); });
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    toc.hidden = false;
  }

  post(box.getAttribute("data-launch"), {}).then(function (data) {
    launch = data;
    buildToc();
    var next = launch.scos.filter(function (s) { return !s.finished; })[0] || launch.scos[0];
    open(next);
  }).catch(function () { say(words.notLoaded); });
})();
