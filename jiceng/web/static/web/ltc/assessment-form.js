/* The assessment form: as the assessor answers the items, the totals, the three indicator grades
 * and the final level are computed here from the standard (read from the page, json_script
 * "ltc-standard": items, bands, grade order and the combination table). The server computes them
 * again when the form is saved, and its result is the one that counts.
 */
(function () {
  "use strict";

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function gradeOf(bands, total) {
    var found = null;
    Object.keys(bands).forEach(function (grade) {
      if (total >= bands[grade][0] && total <= bands[grade][1]) {
        found = grade;
      }
    });
    return found;
  }

  function compute(standard, form) {
    var totals = {};
    var answered = 0;
    Object.keys(standard.indicators).forEach(function (code) {
      totals[code] = 0;
    });
    standard.items.forEach(function (item) {
      var checked = form.querySelector('input[name="' + item.id + '"]:checked');
      if (checked) {
        answered += 1;
        totals[item.indicator] += parseInt(checked.value, 10);
      }
    });
    var complete = answered === standard.items.length;
    var grades = {};
    Object.keys(totals).forEach(function (code) {
      grades[code] = complete ? gradeOf(standard.bands[code], totals[code]) : null;
    });
    var level = null;
    if (complete) {
      var worst = standard.columns.reduce(function (worse, code) {
        return standard.grades.indexOf(grades[code]) > standard.grades.indexOf(worse) ? grades[code] : worse;
      }, standard.grades[0]);
      level = standard.combination[grades[standard.row]][worst];
    }
    return { totals: totals, grades: grades, level: level, answered: answered, complete: complete };
  }

  function show(standard, labels, form, result) {
    Object.keys(result.totals).forEach(function (code) {
      var total = form.querySelector('[data-indicator-total="' + code + '"]');
      if (total) {
        total.textContent = result.totals[code] + " / " + standard.indicators[code].max;
      }
      var grade = form.querySelector('[data-grade="' + code + '"]');
      if (grade) {
        grade.textContent = result.grades[code] ? standard.grade_names[result.grades[code]] : "—";
        grade.setAttribute("data-grade-code", result.grades[code] || "");
      }
    });
    var level = form.querySelector("[data-level]");
    var name = form.querySelector("[data-level-name]");
    var progress = form.querySelector("[data-progress]");
    progress.textContent = result.complete
      ? labels.level
      : fill(labels.answered, { n: result.answered, total: standard.items.length });
    level.textContent = result.level === null ? "—" : String(result.level);
    level.className = "ltc-level" + (result.level === null ? "" : " ltc-level-" + result.level);
    level.setAttribute("data-level-value", result.level === null ? "" : String(result.level));
    name.textContent = result.level === null ? labels.incomplete : standard.levels[String(result.level)];
  }

  function start() {
    var form = document.querySelector("[data-assessment-form]");
    var standard = readJson("ltc-standard");
    if (!form || !standard) {
      return;
    }
    var labels = readJson("ltc-labels") || {};
    var update = function () {
      show(standard, labels, form, compute(standard, form));
    };
    form.addEventListener("change", update);
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-submit-once]");
      if (button) {
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      }
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
