// koppel serve: progressive enhancement only. Every page works without this file (plain forms, links and a
// <noscript> refresh); with it, uploads show their progress, drops onto the upload field work, and pages that
// wait for a task follow it live and reload when it ends.
(function () {
  "use strict";

  function csrfOf(form) {
    var field = form.querySelector("input[name=csrf]");
    return field ? field.value : "";
  }

  // Uploads: the same multipart POST as without script, sent by XHR so its progress can be shown.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
    var input = form.querySelector("input[type=file]");
    var bar = form.querySelector("progress");
    var status = form.querySelector("[aria-live]");
    var drop = form.querySelector(".drop");
    if (drop && input) {
      ["dragenter", "dragover"].forEach(function (name) {
        drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        drop.addEventListener(name, function () { drop.classList.remove("over"); });
      });
      drop.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          status.textContent = input.files.length + " bestand(en) gekozen";
        }
      });
      input.addEventListener("change", function () {
        status.textContent = input.files.length ? input.files.length + " bestand(en) gekozen" : "";
      });
    }
    form.addEventListener("submit", function (event) {
      if (!input || !input.files.length || !window.FormData) { return; }  // let the browser say what is missing
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", csrfOf(form));
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.hidden = false;
          bar.value = e.loaded / e.total;
          status.textContent = "opladen: " + Math.round(100 * e.loaded / e.total) + "%";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
          window.location.assign(xhr.responseURL);
        } else {
          status.textContent = "opladen mislukt (" + xhr.status + "): " + (xhr.responseText || "").slice(0, 300);
        }
      });
      xhr.addEventListener("error", function () { status.textContent = "opladen mislukt: geen verbinding met koppel"; });
      status.textContent = "opladen…";
      xhr.send(new FormData(form));
    });
  });

  // A page waiting for a task: follow it, reload when it is done.
  function follow(id) {
    var bar = document.getElementById("task-bar");
    var phase = document.getElementById("task-phase");
    var seconds = document.getElementById("task-seconds");
    var percent = document.getElementById("task-percent");
    function poll() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", "/api/tasks/" + encodeURIComponent(id));
      xhr.responseType = "json";
      xhr.addEventListener("load", function () {
        var t = xhr.response;
        if (!t || xhr.status !== 200 || t.state === "done" || t.state === "failed") {
          window.location.reload();
          return;
        }
        if (bar) {
          if (t.fraction === null) { bar.removeAttribute("value"); } else { bar.value = t.fraction; }
        }
        if (phase) { phase.textContent = t.phase; }
        if (seconds) { seconds.textContent = t.seconds; }
        if (percent) { percent.textContent = t.fraction === null ? "" : Math.round(100 * t.fraction) + "%"; }
        window.setTimeout(poll, 600);
      });
      xhr.addEventListener("error", function () { window.setTimeout(poll, 2000); });
      xhr.send();
    }
    window.setTimeout(poll, 300);
  }
  var waiting = document.querySelector("[data-task]");
  if (waiting && waiting.getAttribute("data-task")) { follow(waiting.getAttribute("data-task")); }
}());
