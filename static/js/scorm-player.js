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
  var previousButton = box.querySelector(".scorm-previous");
  var nextButton = box.querySelector(".scorm-next");
  var launch = null;
  var current = null;
  var queue = Promise.resolve();
  var initTimer = null;
  var navigating = false;

  function say(text) { statusLine.textContent = text; }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) {
        // A problem detail says why (a part that cannot be reached): shown as it is.
        return response.json().catch(function () { return {}; }).then(function (problem) {
          var error = new Error(String(response.status));
          error.detail = problem && typeof problem.detail === "string" ? problem.detail : "";
          throw error;
        });
      }
      return response.json();
    });
  }

  function markToc() {
    if (!toc) return;
    Array.prototype.forEach.call(toc.querySelectorAll("ol button"), function (button) {
      var sco = launch.scos[Number(button.getAttribute("data-index"))];
      var here = current && sco.id === current.id;
      if (here) button.setAttribute("aria-current", "step");
      else button.removeAttribute("aria-current");
      button.querySelector(".scorm-done").textContent = sco.finished ? " ✓" : "";
      button.querySelector(".visually-hidden").textContent = sco.finished ? " (" + words.finished + ")" : "";
    });
    var valid = (current && current.valid) || {};
    if (previousButton) previousButton.disabled = navigating || valid.previous !== "true";
    if (nextButton) nextButton.disabled = navigating || valid.continue !== "true";
  }

  function byId(id) {
    return launch.scos.filter(function (s) { return s.id === id; })[0] || null;
  }

  function open(sco) {
    current = sco;
    frame.hidden = false;
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
          var sco = byId(message.sco);
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
        sequence: current.sequence, valid: current.valid
      }, launch.origin);
    } else if (data.type === "scorm:initialized" && data.sco === current.id) {
      clearTimeout(initTimer);
      box.setAttribute("data-state", "running");
      box.setAttribute("data-initialized-at", String(Math.round(performance.now())));
      say("");
    } else if (data.type === "scorm:commit" && byId(data.sco)) {
      // Also the last commit of a SCO unloading as the player moves on: the server checks it.
      commit(data);
    } else if (data.type === "scorm:finished" && current && data.sco === current.id && !navigating) {
      finished(typeof data.nav === "string" ? data.nav : "_none_");
    }
  });

  // The SCO has terminated: honour its adl.nav.request (SCORM 2004), else wait for the learner.
  function finished(nav) {
    if (nav !== "_none_") { go(nav); return; }
    // After the last commit's answer, which would say "saved" over it; a lesson now done says so.
    if (launch.scos.length < 2) return;
    queue.then(function () {
      if (box.getAttribute("data-lecture-done") !== "true") say(words.partEnded);
    });
  }

  function stop(action) {
    clearTimeout(initTimer);
    box.setAttribute("data-state", action);
    if (action === "stay") { say(words.partEnded); return; }
    frame.hidden = true;
    frame.removeAttribute("src");
    say(action === "suspend" ? words.suspended : words.ended);
  }

  // Ask the platform where a request leads from the current SCO, then open it with fresh data
  // (the last commit goes first, so the reopened SCO resumes from what the server has).
  function go(request) {
    if (navigating) return;
    navigating = true;
    markToc();
    var from = current ? current.id : null;
    queue.then(function () {
      return post(box.getAttribute("data-navigate"), { sco: from, request: request });
    }).then(function (decision) {
      if (decision.action !== "launch") { stop(decision.action); return null; }
      return post(box.getAttribute("data-launch"), {}).then(function (fresh) {
        launch = fresh;
        open(byId(decision.sco) || launch.scos[0]);
      });
    }).catch(function (error) {
      say((error && error.detail) || words.notMoved);
    }).then(function () {
      navigating = false;
      markToc();
    });
  }

  function buildToc() {
    if (!toc || launch.scos.length < 2) return;
    var list = toc.querySelector("ol");
    launch.scos.forEach(function (sco, index) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-index", String(index));
      button.textContent = sco.title;
      button.disabled = sco.choice === false;
      var mark = document.createElement("span");
      mark.className = "scorm-done";
      mark.setAttribute("aria-hidden", "true");
      button.appendChild(mark);
      var spoken = document.createElement("span");
      spoken.className = "visually-hidden";
      button.appendChild(spoken);
      button.addEventListener("click", function () { go("{target=" + sco.id + "}choice"); });
      item.appendChild(button);
      list.appendChild(item);
    });
    if (previousButton) previousButton.addEventListener("click", function () { go("previous"); });
    if (nextButton) nextButton.addEventListener("click", function () { go("continue"); });
    toc.hidden = false;
  }

  post(box.getAttribute("data-launch"), {}).then(function (data) {
    launch = data;
    buildToc();
    var next = launch.scos.filter(function (s) { return !s.finished; })[0] || launch.scos[0];
    open(next);
  }).catch(function () { say(words.notLoaded); });
})();
