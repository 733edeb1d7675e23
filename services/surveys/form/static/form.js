// Optional: applies the form's logic to the answers given so far, with the server's evaluator
// (xpath.js): hides the questions that do not apply, works out calculations, and offers only
// the choices a choice filter leaves (saying «Сначала ответьте на вопрос N» while it leaves
// none because a question it reads is unanswered). The form works without it (the server
// checks the same logic and ignores answers to questions that do not apply). What it cannot
// evaluate stays shown. As Enketo does, a choice the filter no longer offers is unticked and hidden, and the
// controls of a question that does not apply are disabled, so that its answer is not sent.
// The shown questions are numbered again after each change (1, 2, 3 ... without gaps), and
// a condition's "в вопросе N" follows the number of the question it names. The progress
// line a refused post shows («отвечено 2 из 5») counts the required questions as answers change,
// and a refused post's «Ответьте на этот вопрос» (and its line in the summary at the top) goes
// once the question is answered; the other errors stay until the answers are sent again.
// A public form (`data-keep-answers`: not a personal link, which keeps a draft on the server,
// nor the paper desk) keeps the answers given in this tab's sessionStorage, and a fresh form
// of the same link in the tab (a reload) gets them back, saying so, with «Начать заново»;
// thanks.js forgets them once they went through. Only the answers are kept, never the token.
(function () {
  "use strict";
  var form = document.querySelector("form.survey");
  if (!form || !window.sokoXPath) {
    return;
  }
  var xpath = window.sokoXPath;
  var questions = form.querySelectorAll("[data-code]");

  function given(name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      var chosen = input.type === "radio" || input.type === "checkbox" ? input.checked : input.value !== "";
      if (chosen) {
        // A number box is a text box (a browser's number box drops a decimal comma: 3,5
        // became 35): its value is read with either mark, as the server reads it.
        var typed = input.value.trim();
        values.push(input.classList.contains("input-number") ? typed.replace(",", ".") : typed);
      }
    });
    return values;
  }

  function attempt(json, context, fallback) {
    try {
      return xpath.evaluate(JSON.parse(json), context);
    } catch (e) {
      return fallback;
    }
  }

  // Whether the question offers a choice or waits for an answer its filter reads (false: the
  // filter leaves none for the answers given, and it is not required, as on the server).
  function filterChoices(question, answers, skipped) {
    var box = question.querySelector("[data-choice-filter]");
    if (!box) {
      return true;
    }
    var tree = box.getAttribute("data-choice-filter");
    var count = 0;
    box.querySelectorAll("label.choice[data-choice]").forEach(function (label) {
      var choice = JSON.parse(label.getAttribute("data-choice"));
      var offered = xpath.toBool(attempt(tree, { answers: answers, choice: choice }, true));
      var input = label.querySelector("input");
      if (!offered && input) {
        input.checked = false;
      }
      label.hidden = !offered;
      count += offered ? 1 : 0;
    });
    // No choice left: say why (a question it reads, shown, is unanswered: the server's list,
    // a calculation standing for the questions it reads) or that there is none. A refused
    // post's waiting error is hidden once it no longer holds, and then says it instead.
    var waits = question.querySelector("[data-waits]");
    var none = question.querySelector("[data-no-choice]");
    var error = question.querySelector("[data-waiting-error]");
    var reads = (box.getAttribute("data-reads") || "").split(" ").filter(Boolean);
    var unanswered = reads.some(function (code) {
      return !answers[code] && !skipped[code];
    });
    var waiting = count === 0 && unanswered;
    if (error) {
      error.hidden = !waiting;
    }
    if (waits) {
      waits.hidden = !waiting || Boolean(error);
    }
    if (none) {
      none.hidden = count > 0 || unanswered;
    }
    return count > 0 || unanswered;
  }

  // Required for the answers before it: `data-required`, or its expression holding.
  function required(question, answers) {
    var when = question.getAttribute("data-required-when");
    if (when !== null) {
      return xpath.toBool(attempt(when, { answers: answers }, true));
    }
    return question.hasAttribute("data-required");
  }

  // An answer the progress counts: given, and a number where a number is asked (a whole one
  // where the box steps by 1: an `integer` question, as the server reads it).
  function readable(question, answer) {
    var box = question.querySelector(".input-number");
    if (answer === "") {
      return false;
    }
    if (!box) {
      return true;
    }
    var number = Number(answer);
    return isFinite(number) && (box.getAttribute("step") !== "1" || Number.isInteger(number));
  }

  // A question's «Ответьте на этот вопрос» while it is unanswered (or no longer asked: left
  // out by the answers), gone once answered. A line of the error summary goes with its
  // question's error (this one, or a choice filter's waiting, which `filterChoices` hides),
  // and the summary when none of its lines is left.
  function settle(answers) {
    form.querySelectorAll("[data-unanswered-error]").forEach(function (error) {
      var question = error.closest("[data-code]");
      var code = question.getAttribute("data-code");
      var settled = question.hidden || readable(question, answers[code] || "");
      error.hidden = settled;
      question.querySelectorAll("input, textarea").forEach(function (control) {
        if (settled) {
          control.removeAttribute("aria-invalid");
        } else {
          control.setAttribute("aria-invalid", "true");
        }
      });
    });
    var summary = document.getElementById("error-summary");
    var lines = summary ? summary.querySelectorAll("li") : [];
    Array.prototype.forEach.call(lines, function (line) {
      var link = line.querySelector("a[href^='#']");
      var target = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
      var question = target ? target.closest("[data-code]") : null;
      if (question) {
        var error = question.querySelector(".error-message");
        var shown = !question.hidden && Boolean(error) && !error.hidden;
        line.hidden = !shown;
        question.classList.toggle("has-error", shown);
      }
    });
    if (lines.length) {
      summary.hidden = Array.prototype.every.call(lines, function (line) {
        return line.hidden;
      });
    }
  }

  function progress(answered, count) {
    var shown = document.querySelector("[data-answered]");
    var total = document.querySelector("[data-required-count]");
    if (shown && total) {
      shown.textContent = String(answered);
      total.textContent = String(count);
    }
  }

  // A calculation's text; NaN or Infinity (`1 div 0`) is no value, as on the server.
  function finite(value) {
    return typeof value === "number" && !isFinite(value) ? "" : xpath.toText(value);
  }

  function update() {
    // In document order: a condition sees the answers (and calculations) before it, and the
    // answer of a hidden question counts as none.
    var answers = {};
    var skipped = {}; // the questions these answers leave out: nothing to wait for
    var asked = 0; // required questions, and how many of them are answered
    var answered = 0;
    questions.forEach(function (question) {
      var code = question.getAttribute("data-code");
      var relevant = question.getAttribute("data-relevant");
      var shown = relevant ? xpath.toBool(attempt(relevant, { answers: answers }, true)) : true;
      var calculation = question.getAttribute("data-calculate");
      if (calculation !== null) {
        if (shown) {
          answers[code] = finite(attempt(calculation, { answers: answers }, ""));
        }
        return;
      }
      question.hidden = !shown;
      skipped[code] = !shown;
      question.querySelectorAll("input, textarea, select").forEach(function (control) {
        control.disabled = !shown;
      });
      if (shown) {
        var choosing = filterChoices(question, answers, skipped);
        var needed = choosing && required(question, answers);
        answers[code] = given(code).join(" ");
        asked += needed ? 1 : 0;
        answered += needed && readable(question, answers[code]) ? 1 : 0;
      }
    });
    progress(answered, asked);
    settle(answers);
    renumber();
  }

  function renumber() {
    var numbers = {};
    var count = 0;
    questions.forEach(function (question) {
      var label = question.querySelector(".question-number");
      if (!label) {
        return; // a note or a calculation takes no number
      }
      if (question.hidden) {
        label.textContent = "";
        return;
      }
      count += 1;
      numbers[question.getAttribute("data-code")] = count;
      label.textContent = count + ".";
    });
    form.querySelectorAll("[data-number-of]").forEach(function (reference) {
      var number = numbers[reference.getAttribute("data-number-of")];
      if (number) {
        reference.textContent = String(number);
      }
    });
  }

  // Answers are sent once. The page's one-time token is kept in this history entry when the
  // form is sent: the browser may show the form again (Back, from its cache or the server,
  // with the answers it restores), and sending it again then carries the same token, which
  // the server stores nothing for. When the thank-you page has said the token went through
  // (sessionStorage of this tab), the form says so and its button is disabled.
  var link = form.getAttribute("data-link");
  var token = form.querySelector("input[name='_submission']");

  function stored(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  form.addEventListener("submit", function (event) {
    if (!token || (event.submitter && event.submitter.value === "draft")) {
      return;
    }
    try {
      window.history.replaceState({ sokoSubmission: token.value }, "", window.location.href);
      window.sessionStorage.setItem("soko-pending:" + link, token.value);
    } catch (e) {
      // Without history or storage the server still refuses a second post of this page.
    }
  });

  function restore() {
    var state = window.history.state;
    var sent = state && state.sokoSubmission;
    if (token && sent) {
      token.value = sent;
      if (stored("soko-sent:" + link) === sent) {
        var note = document.getElementById("already-sent");
        if (note) {
          note.hidden = false;
        }
        form.querySelectorAll("button[type='submit']").forEach(function (button) {
          button.disabled = true;
        });
      }
    }
    // Restored answers (Back) change no control's events: apply the logic to them.
    update();
  }

  var keep = form.hasAttribute("data-keep-answers");
  var kept = "soko-answers:" + link;

  function answerControls() {
    return Array.prototype.filter.call(form.elements, function (control) {
      return control.name && control.type !== "hidden" && control.type !== "submit";
    });
  }

  function filled(control) {
    return control.type === "radio" || control.type === "checkbox" ? control.checked : control.value !== "";
  }

  // The answers as [name, value] pairs, in this tab only (none given: nothing kept).
  function remember() {
    if (!keep) {
      return;
    }
    var pairs = answerControls()
      .filter(filled)
      .map(function (control) {
        return [control.name, control.value];
      });
    try {
      if (pairs.length) {
        window.sessionStorage.setItem(kept, JSON.stringify(pairs));
      } else {
        window.sessionStorage.removeItem(kept);
      }
    } catch (e) {
      // No storage: a reload loses the answers, as before.
    }
  }

  // Into a fresh form only (a refused post shows the answers it was sent).
  function recall() {
    if (!keep || answerControls().some(filled)) {
      return false;
    }
    var pairs;
    try {
      pairs = JSON.parse(stored(kept) || "[]");
    } catch (e) {
      pairs = [];
    }
    var restored = false;
    (Array.isArray(pairs) ? pairs : []).forEach(function (pair) {
      answerControls().forEach(function (control) {
        if (!Array.isArray(pair) || control.name !== pair[0] || typeof pair[1] !== "string") {
          return;
        }
        if (control.type === "radio" || control.type === "checkbox") {
          control.checked = control.checked || control.value === pair[1];
        } else {
          control.value = pair[1];
        }
        restored = true;
      });
    });
    return restored;
  }

  var restoredNotice = document.getElementById("answers-restored");
  var startOver = document.getElementById("start-over");
  if (startOver) {
    startOver.addEventListener("click", function () {
      form.reset();
      remember();
      update();
      if (restoredNotice) {
        restoredNotice.hidden = true;
      }
    });
  }

  form.addEventListener("change", function () {
    update();
    remember();
  });
  form.addEventListener("input", function () {
    update();
    remember();
  });
  window.addEventListener("pageshow", restore);
  // Back or Forward: the browser restores the answers after this script has run, into
  // enabled controls only; the logic waits for them (pageshow) rather than disable any first.
  var navigation = window.performance && window.performance.getEntriesByType
    ? window.performance.getEntriesByType("navigation")[0]
    : null;
  if (!navigation || navigation.type !== "back_forward") {
    if (recall() && restoredNotice) {
      restoredNotice.hidden = false;
    }
    update();
  }
})();
