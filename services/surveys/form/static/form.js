// Optional: hides the questions that do not apply to the answers given so far. The form works
// without it (the server ignores answers to questions that do not apply).
(function () {
  "use strict";
  var form = document.querySelector("form.survey");
  if (!form) {
    return;
  }
  var dependents = form.querySelectorAll("[data-relevant-on]");

  function given(name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      var chosen = input.type === "radio" || input.type === "checkbox" ? input.checked : input.value !== "";
      if (chosen) {
        values.push(input.value);
      }
    });
    return values;
  }

  function update() {
    // In document order, so that a question depending on a hidden one is hidden too.
    dependents.forEach(function (question) {
      var source = document.getElementById("q-" + question.getAttribute("data-relevant-on"));
      var wanted = question.getAttribute("data-relevant-values").split(" ");
      var shown = !(source && source.hidden) && given(question.getAttribute("data-relevant-on")).some(function (v) {
        return wanted.indexOf(v) >= 0;
      });
      question.hidden = !shown;
    });
  }

  form.addEventListener("change", update);
  update();
})();
