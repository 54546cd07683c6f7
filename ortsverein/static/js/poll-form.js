// The poll form (templates/polls/form.html): with JavaScript the kind changes in
// place, showing only the fields that kind needs; without it the button
// "Art übernehmen" sends the form back for the same (progressive enhancement).
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("form.poll-form[data-kind-fields]");
    if (!form) return;
    var needs;
    try {
      needs = JSON.parse(form.getAttribute("data-kind-fields"));
    } catch (e) {
      return;
    }
    var kind = form.querySelector("select[name=kind]");
    var apply = form.querySelector("[data-kind-apply]");
    if (!kind) return;
    if (apply) apply.hidden = true;
    function show() {
      var fields = (needs[kind.value] || "").split(" ");
      form.querySelectorAll("[data-kind-field]").forEach(function (box) {
        box.hidden = fields.indexOf(box.getAttribute("data-kind-field")) < 0;
      });
    }
    kind.addEventListener("change", show);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
