// The process page's documents tab (components/documents): each picked or
// dropped file goes in a request of its own with a progress bar, then the
// tab is refreshed from the page the server answers with. Without this
// script the forms post one file each and the server redirects back.
(function () {
  "use strict";
  if (window.portalDocuments) return;
  window.portalDocuments = true;

  function init(root) {
    root.querySelectorAll("form[data-upload] input[type=file][data-multiple]").forEach(function (input) {
      input.multiple = true;
    });
    root.querySelectorAll("[data-add-row]").forEach(function (b) { b.classList.remove("hidden"); });
    // A refused change re-rendered: open the documents tab.
    if (root.querySelector("[data-documents-open]")) {
      var tab = document.getElementById("tab-documents-tab");
      if (tab && tab.getAttribute("aria-selected") !== "true") tab.click();
    }
  }

  function label(list, name) { return list.getAttribute("data-label-" + name) || ""; }

  // progressRow adds a file's line to the form's progress list.
  function progressRow(list, file) {
    var li = document.createElement("li");
    li.className = "rounded-md border border-gray-200 bg-white p-2 text-left text-sm";
    li.setAttribute("data-testid", "upload-progress");
    var name = document.createElement("p");
    name.className = "break-all font-medium text-gray-900";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.className = "mt-1 h-2 w-full";
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var status = document.createElement("p");
    status.className = "mt-1 text-xs text-gray-700";
    status.setAttribute("data-testid", "upload-progress-status");
    status.textContent = label(list, "sending");
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  function finish(row, ok, text) {
    row.li.setAttribute("data-state", ok ? "done" : "failed");
    row.bar.value = ok ? 100 : row.bar.value;
    row.status.textContent = text;
    row.status.className = "mt-1 text-xs " + (ok ? "text-green-800" : "text-red-800");
  }

  // refusal is the message of a refused upload, read from the page the
  // server answered with.
  function refusal(doc) {
    var el = doc.querySelector("[data-testid=documents-error]") ||
      doc.querySelector("[data-documents] .field-error") ||
      doc.querySelector("main [role=alert]") || doc.querySelector("main h1");
    return el ? el.textContent.trim() : "";
  }

  // send posts one file with the form's other fields, the file last (the
  // server reads the fields, then streams the file).
  function send(form, file, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      form.querySelectorAll("input:not([type=file]), select, textarea").forEach(function (el) {
        if (el.name && !el.disabled) data.append(el.name, el.value);
      });
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) row.bar.value = Math.round(event.loaded / event.total * 100);
      });
      xhr.addEventListener("load", function () {
        var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
        if (xhr.status >= 200 && xhr.status < 300) {
          finish(row, true, label(row.list, "done"));
          resolve(doc);
        } else {
          finish(row, false, label(row.list, "failed") + (refusal(doc) ? ": " + refusal(doc) : ""));
          resolve(null);
        }
      });
      xhr.addEventListener("error", function () {
        finish(row, false, label(row.list, "failed"));
        resolve(null);
      });
      xhr.send(data);
    });
  }

  // upload sends files one after the other, then refreshes the tab and
  // keeps the files' outcomes in its status region.
  function upload(form, files) {
    var list = form.querySelector("[data-progress-list]");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var rows = [];
    var chain = Promise.resolve(null);
    var last = null;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    Array.prototype.forEach.call(files, function (file) {
      var row = progressRow(list, file);
      row.list = list;
      rows.push(row);
      if (max && file.size > max) {
        finish(row, false, label(list, "too-large"));
        return;
      }
      chain = chain.then(function () {
        return send(form, file, row).then(function (doc) { if (doc) last = doc; });
      });
    });
    chain.then(function () {
      var refresh = last ? Promise.resolve(last) : fetch(location.pathname, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (t) { return new DOMParser().parseFromString(t, "text/html"); });
      return refresh.then(function (doc) { swap(doc, rows); });
    }).catch(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  }

  // swap replaces the documents tab with the one of doc and puts the
  // files' outcomes in its status region.
  function swap(doc, rows) {
    var fresh = doc && doc.querySelector("[data-documents]");
    var current = document.querySelector("[data-documents]");
    if (!fresh || !current) { location.reload(); return; }
    fresh.removeAttribute("data-documents-open");
    var status = fresh.querySelector("#documents-status");
    if (status) {
      var ul = document.createElement("ul");
      ul.className = "space-y-2";
      ul.setAttribute("data-testid", "upload-results");
      rows.forEach(function (r) { ul.appendChild(r.li); });
      status.appendChild(ul);
    }
    current.replaceWith(document.adoptNode(fresh));
    var count = doc.getElementById("documents-tab-count");
    var tab = document.getElementById("tab-documents-tab");
    var mine = document.getElementById("documents-tab-count");
    if (mine) mine.remove();
    if (count && tab) tab.appendChild(document.adoptNode(count));
    init(document);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-upload]");
    if (!form || typeof FormData === "undefined") return;
    var input = form.querySelector("input[type=file]");
    if (!input || input.files.length === 0) return; // the server says a file is missing
    event.preventDefault();
    var files = Array.prototype.slice.call(input.files);
    input.value = "";
    upload(form, files);
  });

  // The drop zone: dropped files upload at once.
  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-zone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("border-brand-500", "bg-brand-50");
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-zone]");
    if (zone) zone.classList.remove("border-brand-500", "bg-brand-50");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-zone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("border-brand-500", "bg-brand-50");
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) upload(zone.closest("form"), Array.prototype.slice.call(files));
  });

  // The request form: another row of a type, a borrower and a note.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (!button) return;
    var rows = button.closest("form").querySelectorAll("[data-request-row]");
    var last = rows[rows.length - 1];
    if (!last) return;
    var n = rows.length;
    var row = last.cloneNode(true);
    row.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
    row.querySelectorAll("select, input").forEach(function (el) {
      el.value = "";
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      el.id = el.id.replace(/-\d+$/, "-" + n);
    });
    row.querySelectorAll("label[for]").forEach(function (l) {
      l.htmlFor = l.htmlFor.replace(/-\d+$/, "-" + n);
    });
    last.after(row);
    var first = row.querySelector("select");
    if (first) first.focus();
  });

  init(document);
})();
