/* Progressive enhancement: warn two minutes before the idle time-out; one button keeps the
   session. Without JavaScript the server still logs out after the idle time. */
(function () {
  "use strict";
  var box = document.getElementById("session-timeout");
  if (!box) { return; }
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10) * 1000;
  if (!idle) { return; }
  var warnAfter = Math.max(idle - 120000, 1000);
  var button = box.querySelector("[data-keepalive]");
  var lastFocus = null;
  var warnTimer, logoutTimer;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(logoutTimer);
    warnTimer = setTimeout(warn, warnAfter);
    logoutTimer = setTimeout(function () {
      window.location.href = box.getAttribute("data-login-url");
    }, idle);
  }

  function warn() {
    lastFocus = document.activeElement;
    box.hidden = false;
    button.focus();
  }

  // A modal dialog: Tab and Shift+Tab stay on its only control, not on the page behind it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Tab" && !box.hidden) {
      event.preventDefault();
      button.focus();
    }
  });

  button.addEventListener("click", function () {
    var body = new FormData();
    body.append("csrf_token", box.getAttribute("data-csrf"));
    fetch(box.getAttribute("data-keepalive-url"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { window.location.href = box.getAttribute("data-login-url"); return; }
        box.hidden = true;
        if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
        schedule();
      });
  });

  schedule();
}());
