/* Progressive enhancement: a checkbox shows the fields that apply and hides the ones that do not
   ("I have no fixed address now": the gemeente instead of the postcode). Without JavaScript all
   fields are shown and the server uses only the ones that apply. */
(function () {
  "use strict";
  function update(box) {
    document.querySelectorAll("[data-shown-when-checked='" + box.name + "']").forEach(function (part) {
      part.hidden = !box.checked;
    });
    document.querySelectorAll("[data-hidden-when-checked='" + box.name + "']").forEach(function (part) {
      part.hidden = box.checked;
    });
  }
  document.querySelectorAll("input[type=checkbox][aria-controls]").forEach(function (box) {
    box.addEventListener("change", function () { update(box); });
    update(box);
  });
}());
