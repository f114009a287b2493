/* Lecture editor enhancements: live preview after typing pauses, and autosaved drafts.
   Without JavaScript the Preview and Save buttons do the same through ordinary form posts. */
(function () {
  "use strict";
  var form = document.getElementById("lecture-editor");
  if (!form || !window.fetch || !window.FormData) { return; }
  var source = form.querySelector("textarea[name=source]");
  var preview = document.getElementById("preview");
  var status = document.getElementById("autosave-status");
  var revision = form.querySelector("input[name=revision]");
  var previewTimer = null;
  var dirty = false;
  var stopped = false;

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    });
  }

  function refreshPreview() {
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("source", source.value);
    post(form.dataset.previewUrl, data).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (body && typeof body.html === "string") { preview.innerHTML = body.html; }
    }).catch(function () { /* offline: the Preview button still works later */ });
  }

  function autosave() {
    if (!dirty || stopped) { return; }
    dirty = false;
    post(form.dataset.autosaveUrl, new FormData(form)).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      if (result.status === 200) {
        revision.value = String(result.body.revision);
        status.textContent = status.dataset.saved || "Draft saved " + new Date().toLocaleTimeString();
      } else if (result.status === 409) {
        stopped = true;
        status.textContent = result.body.detail;
      } else {
        dirty = true;
      }
    }).catch(function () { dirty = true; });
  }

  form.addEventListener("input", function () {
    dirty = true;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 700);
  });
  setInterval(autosave, 15000);
})();
