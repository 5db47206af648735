/* "Exit this page" (the GOV.UK pattern): the button, or Shift pressed three times, hides the page at
   once and replaces it in the history with a neutral site, so Back does not return to it.
   Without JavaScript the button is a plain link to the same site. */
(function () {
  "use strict";
  var button = document.getElementById("exit-this-page");
  if (!button) { return; }
  var status = document.getElementById("exit-this-page-status");
  var presses = 0;
  var timer = null;

  function exit(event) {
    if (event) { event.preventDefault(); }
    document.documentElement.classList.add("exit-this-page--exiting");
    window.location.replace(button.href);
  }

  function reset() {
    presses = 0;
    if (status) { status.textContent = ""; }
  }

  button.addEventListener("click", exit);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || event.repeat) {
      if (event.key !== "Shift") { reset(); }
      return;
    }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(reset, 5000);
    if (presses >= 3) {
      reset();
      exit();
    } else if (status) {
      status.textContent = presses === 1 ? status.getAttribute("data-two-more") : status.getAttribute("data-one-more");
    }
  });
  // Coming Back to a page kept in the browser's memory: show it again.
  window.addEventListener("pageshow", function () {
    document.documentElement.classList.remove("exit-this-page--exiting");
  });
}());
