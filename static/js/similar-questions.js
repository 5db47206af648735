/* Progressive enhancement: while a question's title is typed (step 1 and step 2 of asking), show
   similar questions. Without JavaScript the same list is shown as a step before the form.
   A redirect (to the login page, after the session ended) is never shown as the list. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar]");
  var target = document.getElementById("similar-questions");
  if (!form || !target) { return; }
  var input = form.querySelector("input[name='title'], input[name='titel']");
  if (!input) { return; }
  var timer;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var title = input.value.trim();
      if (title.length < 6) { return; }
      fetch(form.getAttribute("data-similar") + "?titel=" + encodeURIComponent(title), { credentials: "same-origin" })
        .then(function (response) { return response.ok && !response.redirected ? response.text() : ""; })
        .then(function (html) { target.innerHTML = html; });
    }, 400);
  });
}());
