// Portal behaviour that htmx attributes cannot express (the CSP allows no
// inline script). Everything here improves a page that works without it.
(function () {
  "use strict";

  // Polls ([data-poll]) pause while the tab is hidden: a thread in a
  // background tab neither marks messages read nor costs queries.
  document.addEventListener("htmx:confirm", function (event) {
    if (document.hidden && event.detail.elt.hasAttribute("data-poll")) {
      event.preventDefault();
    }
  });

  // --- Tabs -----------------------------------------------------------------
  // A nav[data-tabs] of links to [data-tab-panel] sections becomes an ARIA
  // tab list: one panel shows, the arrow keys move between tabs, and the
  // choice is kept in the URL's fragment. Without JavaScript every section
  // shows and the links jump to them.
  function initTabs(root) {
    root.querySelectorAll("nav[data-tabs]:not([data-tabs-ready])").forEach(function (nav) {
      nav.setAttribute("data-tabs-ready", "");
      var list = nav.querySelector("ul");
      var tabs = Array.prototype.slice.call(nav.querySelectorAll("a[href^='#']"));
      var panels = tabs.map(function (a) { return document.getElementById(a.hash.slice(1)); });
      if (!list || panels.indexOf(null) >= 0) return;
      list.setAttribute("role", "tablist");
      tabs.forEach(function (a, i) {
        a.parentElement.setAttribute("role", "presentation");
        a.setAttribute("role", "tab");
        a.setAttribute("aria-controls", panels[i].id);
        panels[i].setAttribute("role", "tabpanel");
        panels[i].setAttribute("aria-labelledby", a.id);
      });
      function select(i, focus) {
        tabs.forEach(function (a, j) {
          a.setAttribute("aria-selected", String(i === j));
          a.tabIndex = i === j ? 0 : -1;
          panels[j].hidden = i !== j;
        });
        if (focus) tabs[i].focus();
      }
      nav.addEventListener("click", function (event) {
        var i = tabs.indexOf(event.target.closest("a"));
        if (i < 0) return;
        event.preventDefault();
        select(i, false);
        history.replaceState(history.state, "", tabs[i].hash);
      });
      nav.addEventListener("keydown", function (event) {
        var i = tabs.indexOf(document.activeElement);
        if (i < 0) return;
        var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        next = (next + tabs.length) % tabs.length;
        select(next, true);
        history.replaceState(history.state, "", tabs[next].hash);
      });
      // A fragment naming a panel, or an element inside one (#thread),
      // opens that panel; else the first.
      var target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
      var open = 0;
      panels.forEach(function (p, i) { if (target && p.contains(target)) open = i; });
      select(open, false);
    });
  }

  // --- The thread's scrolling and focus ----------------------------------------
  // The thread scrolls inside its card, newest at the bottom: show the
  // bottom at load, and follow new messages when the reader is there.
  function scrollBox() { return document.querySelector("[data-thread-scroll]"); }
  function atBottom(box) { return box.scrollHeight - box.scrollTop - box.clientHeight < 80; }
  var followNew = true;
  function initThread(root) {
    var box = scrollBox();
    if (box && root.contains(box)) box.scrollTop = box.scrollHeight;
  }
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var box = scrollBox();
    if (box && event.target.id === "messages") followNew = atBottom(box);
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var box = scrollBox();
    if (box && event.detail.target && event.detail.target.id === "messages" && followNew) box.scrollTop = box.scrollHeight;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var el = event.target; // the new content
    // Older messages loaded: the link that was clicked is gone, so focus
    // moves to the newest of the loaded messages, where reading goes on.
    if (el && el.id === "older-page") {
      var loaded = el.querySelectorAll(":scope > ol > li");
      var last = loaded[loaded.length - 1];
      if (last) {
        last.tabIndex = -1;
        last.focus();
      }
    }
    // A page of the process list: focus the count at the top of the new
    // page rather than leaving it on a link that no longer exists.
    if (el && el.id === "process-results" && event.detail.requestConfig &&
        event.detail.requestConfig.elt && event.detail.requestConfig.elt.matches("a[rel]")) {
      var count = el.querySelector("[data-testid='process-count']");
      if (count) {
        count.tabIndex = -1;
        count.focus();
      }
    }
  });

  // --- Drafts and failed sends ---------------------------------------------
  // What is typed in a form[data-draft] is kept in sessionStorage (this tab
  // only) until the bank has it: a failed send, a reload or an expired
  // session that sends the user to sign in again loses nothing. A send that
  // fails without an answer to show (network down, 5xx, 403) says so next
  // to the form and leaves the text in it.
  function draftKey(form) { return "portal.draft:" + form.getAttribute("action"); }
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && (el.tagName === "TEXTAREA" || el.type === "text");
    });
  }
  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }
  function saveDraft(form) {
    var store = storage();
    if (!store) return;
    var draft = {}, any = false;
    draftFields(form).forEach(function (el) {
      draft[el.name] = el.value;
      any = any || el.value.trim() !== "";
    });
    try {
      if (any) store.setItem(draftKey(form), JSON.stringify(draft));
      else store.removeItem(draftKey(form));
    } catch (e) { /* storage full or refused: the form still holds the text */ }
  }
  function restoreDrafts(root) {
    var store = storage();
    if (!store) return;
    var forms = root.matches && root.matches("form[data-draft]") ? [root] : root.querySelectorAll("form[data-draft]");
    Array.prototype.forEach.call(forms, function (form) {
      var draft;
      try { draft = JSON.parse(store.getItem(draftKey(form)) || "null"); } catch (e) { draft = null; }
      if (!draft) return;
      var fields = draftFields(form);
      if (fields.some(function (el) { return el.value.trim() !== ""; })) return; // the page has its own text
      var restored = false;
      fields.forEach(function (el) {
        if (typeof draft[el.name] === "string" && draft[el.name] !== "") {
          el.value = draft[el.name];
          restored = true;
        }
      });
      var note = form.querySelector("[data-draft-note]");
      if (restored && note) note.hidden = false;
    });
  }
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft")) saveDraft(form);
  });
  function sendError(form, text) {
    var box = form && form.querySelector("[data-send-error]");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }
  function draftForm(event) {
    var elt = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
    return elt && elt.closest ? elt.closest("form[data-draft]") : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    sendError(draftForm(event), "");
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = draftForm(event);
    // Accepted: the answer is the cleared form, and the draft is done with.
    if (form && event.detail.xhr.status >= 200 && event.detail.xhr.status < 300) {
      var store = storage();
      if (store) store.removeItem(draftKey(form));
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var form = draftForm(event);
    if (!form) return;
    saveDraft(form);
    var status = event.detail.xhr.status;
    sendError(form, status === 403 ? form.dataset.errorForbidden : form.dataset.errorServer);
  });
  document.addEventListener("htmx:sendError", function (event) {
    var form = draftForm(event);
    if (!form) return;
    saveDraft(form);
    sendError(form, form.dataset.errorNetwork);
  });

  // --- Start ----------------------------------------------------------------
  function init(root) {
    initTabs(root);
    initThread(root);
    restoreDrafts(root);
  }
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
