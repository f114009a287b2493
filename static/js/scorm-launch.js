/* The content origin's launch page: the SCORM runtime (scorm-again) for the SCO in the frame
   below, its data handed in and its commits handed out by postMessage to the platform's lecture
   page, and to no other window or origin. */
(function () {
  "use strict";
  var root = document.documentElement;
  var platform = root.getAttribute("data-platform");
  var files = root.getAttribute("data-files");
  var version = root.getAttribute("data-version");
  var launched = false;
  var sequence = 0;
  var first = 0;  // the sequence number this launch started from
  var sco = null;

  function tell(message) {
    window.parent.postMessage(message, platform);
  }

  // scorm-again calls this instead of an HTTP request: each commit goes to the platform page,
  // which saves it on the server (idempotently, by sequence number).
  var bridge = {
    reportsRequestCompletion: false,
    processHttpRequest: function (url, params, immediate) {
      sequence += 1;
      tell({
        type: "scorm:commit", sco: sco, sequence: sequence, cmi: params,
        terminate: !!immediate, first: sequence === first + 1
      });
      return { result: "true", errorCode: 0 };
    },
    updateSettings: function () {}
  };

  function start(message) {
    if (launched) return;
    launched = true;
    sco = String(message.sco);
    sequence = Number(message.sequence) || 0;
    first = sequence;
    var settings = {
      lmsCommitUrl: "postmessage:",
      httpService: bridge,
      autocommit: true,
      autocommitSeconds: 10,
      alwaysSendTotalTime: true,
      dataCommitFormat: "json",
      logLevel: 5
    };
    var valid = message.valid && typeof message.valid === "object" ? message.valid : {};
    // adl.nav.request_valid.choice.{target=ID} answers from the SCOs the learner may choose.
    if (Array.isArray(valid.choice)) settings.scoItemIds = valid.choice.map(String);
    var api;
    if (version === "1.2") {
      api = new window.Scorm12API(settings);
      window.API = api;
    } else {
      api = new window.Scorm2004API(settings);
      window.API_1484_11 = api;
    }
    if (message.cmi && typeof message.cmi === "object") api.loadFromJSON(message.cmi);
    if (version !== "1.2" && api.adl && api.adl.nav) {
      // What adl.nav.request_valid.continue/previous answer, set before Initialize (read-only after).
      try {
        api.adl.nav.request_valid.continue = valid.continue === "true" ? "true" : "false";
        api.adl.nav.request_valid.previous = valid.previous === "true" ? "true" : "false";
      } catch (e) { /* an older runtime without request_valid: the SCO reads "unknown" */ }
    }
    api.on(version === "1.2" ? "LMSInitialize" : "Initialize", function () {
      tell({ type: "scorm:initialized", sco: sco, at: performance.now() });
    });
    api.on(version === "1.2" ? "LMSFinish" : "Terminate", function () {
      // The SCO's navigation request is still set here (the runtime clears it after Terminate).
      var nav = "_none_";
      if (version !== "1.2" && api.adl && api.adl.nav) nav = String(api.adl.nav.request || "_none_");
      tell({ type: "scorm:finished", sco: sco, nav: nav });
    });
    var href = String(message.href || "");
    if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(href) || href.indexOf("..") !== -1) return;
    document.getElementById("sco").src = files + href;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== platform || event.source !== window.parent) return;
    var data = event.data;
    if (data && data.type === "scorm:launch") start(data);
  });
  tell({ type: "scorm:ready" });
})();
