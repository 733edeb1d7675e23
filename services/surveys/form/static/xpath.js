// The ODK XPath evaluator of the server (services/surveys/instruments/xpath/evaluation.py)
// for the browser: the same trees, which the server parses and puts on the page as JSON, and
// the same rules.
// An answer is its text (a select_multiple's codes separated by spaces, "" when unanswered).
(function () {
  "use strict";

  function toNumber(value) {
    if (typeof value === "boolean") {
      return value ? 1 : 0;
    }
    if (typeof value === "number") {
      return value;
    }
    return /^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(value) ? parseFloat(value) : NaN;
  }

  function toBool(value) {
    if (typeof value === "boolean") {
      return value;
    }
    if (typeof value === "number") {
      return value !== 0 && !isNaN(value);
    }
    return value !== "";
  }

  function toText(value) {
    if (typeof value === "boolean") {
      return value ? "true" : "false";
    }
    if (typeof value === "number") {
      return String(value);
    }
    return value;
  }

  function compare(op, left, right) {
    if (op === "=" || op === "!=") {
      var equal;
      if (typeof left === "boolean" || typeof right === "boolean") {
        equal = toBool(left) === toBool(right);
      } else if (typeof left === "number" || typeof right === "number") {
        equal = toNumber(left) === toNumber(right);
      } else {
        equal = left === right;
      }
      return op === "=" ? equal : !equal;
    }
    var a = toNumber(left);
    var b = toNumber(right);
    return { "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b }[op];
  }

  function arithmetic(op, left, right) {
    var a = toNumber(left);
    var b = toNumber(right);
    if (op === "+") { return a + b; }
    if (op === "-") { return a - b; }
    if (op === "*") { return a * b; }
    if (op === "div") { return a / b; }
    return b === 0 ? NaN : a % b;
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  var functions = {
    "selected": function (a, c) {
      return text(a[0], c).split(/\s+/).indexOf(text(a[1], c).trim()) >= 0;
    },
    "count-selected": function (a, c) {
      return text(a[0], c).split(/\s+/).filter(function (v) { return v !== ""; }).length;
    },
    "not": function (a, c) { return !holds(a[0], c); },
    "if": function (a, c) { return evaluate(holds(a[0], c) ? a[1] : a[2], c); },
    "coalesce": function (a, c) {
      var first = evaluate(a[0], c);
      return toText(first) !== "" ? first : evaluate(a[1], c);
    },
    "string-length": function (a, c) { return Array.from(text(a[0], c)).length; },
    "regex": function (a, c) {
      try {
        return new RegExp(text(a[1], c), "u").test(text(a[0], c));
      } catch (e) {
        return false;
      }
    },
    "today": function () {
      var d = new Date();
      return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
    },
    "true": function () { return true; },
    "false": function () { return false; },
    "number": function (a, c) { return toNumber(evaluate(a[0], c)); },
    "string": function (a, c) { return text(a[0], c); },
    "int": function (a, c) { return Math.trunc(toNumber(evaluate(a[0], c))); },
    "concat": function (a, c) { return a.map(function (n) { return text(n, c); }).join(""); },
    "contains": function (a, c) { return text(a[0], c).indexOf(text(a[1], c)) >= 0; }
  };

  function text(node, context) {
    return toText(evaluate(node, context));
  }

  function evaluate(node, context) {
    var kind = node[0];
    if (kind === "num" || kind === "str") { return node[1]; }
    if (kind === "ref") { return context.answers[node[1]] || ""; }
    if (kind === "self") { return context.current || ""; }
    if (kind === "name") { return (context.choice || {})[node[1]] || ""; }
    if (kind === "neg") { return -toNumber(evaluate(node[1], context)); }
    if (kind === "call") {
      if (!functions.hasOwnProperty(node[1])) { throw new Error("unknown function " + node[1]); }
      return functions[node[1]](node[2], context);
    }
    if (kind === "or") { return holds(node[1], context) || holds(node[2], context); }
    if (kind === "and") { return holds(node[1], context) && holds(node[2], context); }
    var left = evaluate(node[1], context);
    var right = evaluate(node[2], context);
    if (["=", "!=", "<", "<=", ">", ">="].indexOf(kind) >= 0) { return compare(kind, left, right); }
    if (["+", "-", "*", "div", "mod"].indexOf(kind) >= 0) { return arithmetic(kind, left, right); }
    throw new Error("unknown node " + kind);
  }

  function holds(node, context) {
    return toBool(evaluate(node, context));
  }

  window.sokoXPath = { evaluate: evaluate, holds: holds, toText: toText, toBool: toBool };
})();
