// The idle-timeout warning of signed-in pages (sessionWarning in
// components/layout.templ). The server ends a session data-idle-timeout
// seconds after the last request of the user's own; requests a page makes by
// itself (polls, sent with the X-Portal-Background header) do not count.
// This script keeps the same clock: it starts at page load and restarts
// after every htmx request without that header. data-idle-warn seconds
// before the end it shows the warning, whose "Stay signed in" button calls
// POST /session/keepalive (a request of the user's: it extends the session).
// When the time is up the warning says the session has ended and links to
// the sign-in page, which comes back here. Tabs of one browser share one
// session, so they share the clock through localStorage.
(function () {
  "use strict";
  var body = document.body;
  var timeout = Number(body.dataset.idleTimeout) * 1000;
  var lead = Number(body.dataset.idleWarn) * 1000;
  var region = document.getElementById("session-warning");
  if (!timeout || !region) {
    return; // signed out: there is no session to time
  }
  var panel = region.querySelector("[data-session-panel]");
  var button = region.querySelector("[data-session-keepalive]");
  var login = region.querySelector("[data-session-login]");
  var KEY = "portal.session.activity"; // the time of the last request, for the other tabs
  var last = 0; // when the server last saw a request of the user's (ms)
  var timer = 0;

  // show puts the panel in state "warn" or "ended", or hides it ("").
  function show(state) {
    region.querySelectorAll("[data-session-state]").forEach(function (el) {
      el.hidden = el.getAttribute("data-session-state") !== state;
    });
    if (state === "ended") {
      login.href = "/login?next=" + encodeURIComponent(location.pathname + location.search) + "&expired=1";
    }
    panel.hidden = state === "";
  }

  // check shows the state for now and sleeps until the next change.
  // Timers of hidden or sleeping tabs run late, so the state is always
  // worked out from the clock, and again when the tab is shown.
  function check() {
    clearTimeout(timer);
    var left = last + timeout - Date.now();
    if (left <= 0) {
      show("ended");
      return;
    }
    show(left <= lead ? "warn" : "");
    timer = setTimeout(check, left <= lead ? left : left - lead);
  }

  // seen restarts the clock at time at (ms), unless it already runs from later.
  function seen(at) {
    last = Math.max(last, at);
    check();
  }

  // active records a request the server has just seen, for this tab and the others.
  function active() {
    var now = Date.now();
    try {
      localStorage.setItem(KEY, String(now));
    } catch (e) {
      // Storage is off: this tab keeps its own clock.
    }
    seen(now);
  }

  window.addEventListener("storage", function (event) {
    if (event.key === KEY && event.newValue) {
      seen(Number(event.newValue));
    }
  });
  document.addEventListener("visibilitychange", check);

  // Every answered htmx request of the user's own restarts the clock; a
  // background one, or one sent to sign in (the session is gone), does not.
  document.addEventListener("htmx:afterRequest", function (event) {
    var d = event.detail;
    var headers = (d.requestConfig && d.requestConfig.headers) || {};
    var redirect = d.xhr && d.xhr.getResponseHeader("HX-Redirect");
    if (d.xhr && d.xhr.status && !headers["X-Portal-Background"] && !(redirect && redirect.indexOf("/login") === 0)) {
      active();
    }
  });

  button.addEventListener("click", function () {
    fetch("/session/keepalive", { method: "POST", credentials: "same-origin" }).then(
      function (res) {
        if (res.ok) {
          active();
        } else if (res.status === 401) {
          last = 0; // the session has already ended
          check();
        }
      },
      function () {
        // Offline: the warning stays up and the button can be pressed again.
      }
    );
  });

  active(); // this page's own load was a request of the user's
})();
