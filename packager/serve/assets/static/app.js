// casepack serve: the little script the pages use. Every page works
// without it; it adds live progress, upload progress and re-checking a
// case when its files change. It reads only this app's own addresses.
"use strict";

function csrfToken() {
  var m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.getAttribute("content") : "";
}

function humanBytes(n) {
  if (n < 1024) return n + " bytes";
  var units = "KMGTPE", i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
  return n.toFixed(1) + " " + units[i] + "iB";
}

// The Problems page: check the case's stamp every two seconds and show
// the page again when its files changed.
function watchCase(el) {
  var stamp = el.getAttribute("data-stamp"), url = el.getAttribute("data-stamp-url");
  setInterval(function () {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      if (d.stamp && d.stamp !== stamp) { location.reload(); }
    }).catch(function () {});
  }, 2000);
}

// A running task: poll its state, move the progress bar, and show the
// result when it is done.
function watchJob(el) {
  var url = el.getAttribute("data-job-url");
  var bar = el.querySelector("progress"), text = el.querySelector(".progress-text"), phase = el.querySelector(".phase");
  function tick() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      if (s.done) { location.reload(); return; }
      if (s.total > 0) { bar.max = s.total; bar.value = s.bytes; }
      else { bar.removeAttribute("value"); }
      text.textContent = humanBytes(s.bytes) + " of " + humanBytes(s.total) + (s.of_files ? " (" + s.files + " of " + s.of_files + " files)" : "");
      if (phase.textContent !== s.phase + "…") { phase.textContent = s.phase + "…"; }
      setTimeout(tick, 500);
    }).catch(function () { setTimeout(tick, 2000); });
  }
  tick();
}

// An upload form: send it with a progress bar, then follow the answer.
function uploadWithProgress(form) {
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var box = form.querySelector(".upload-progress"), bar = box.querySelector("progress"), text = box.querySelector(".progress-text");
    box.hidden = false;
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; text.textContent = "Sent " + humanBytes(e.loaded) + " of " + humanBytes(e.total); }
    };
    xhr.onload = function () {
      if (xhr.responseURL && xhr.responseURL !== location.href && xhr.status < 400) { location.assign(xhr.responseURL); return; }
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.onerror = function () { text.textContent = "The upload failed: is casepack serve still running?"; if (button) { button.disabled = false; } };
    xhr.send(new FormData(form));
  });
}

// A drop zone: files dropped on it go into its file input, as if chosen
// with the button (the input stays for keyboard users).
function dropZone(zone) {
  var input = zone.querySelector("input[type=file]"), names = zone.querySelector(".dropped");
  zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    zone.classList.remove("over");
    if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
    input.files = e.dataTransfer.files;
    names.textContent = Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ");
  });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-drop]").forEach(dropZone);
  var el = document.querySelector("[data-stamp-url]");
  if (el) { watchCase(el); }
  el = document.querySelector("[data-job-url]");
  if (el) { watchJob(el); }
  document.querySelectorAll("form[data-upload]").forEach(uploadWithProgress);
});
