/* A window's console (叫号): one key calls, starts, completes… (the keys are listed on the page;
   the buttons carry them as access keys too). A key pressed while typing in a field types. */
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    if (target.isContentEditable) {
      return true;
    }
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") {
      return true;
    }
    if (target.tagName === "INPUT") {
      var type = (target.getAttribute("type") || "text").toLowerCase();
      return type !== "checkbox" && type !== "radio" && type !== "button" && type !== "submit";
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (typing(event.target)) {
      return;
    }
    var key = (event.key || "").toLowerCase();
    if (key.length !== 1 || !/[a-z]/.test(key)) {
      return;
    }
    var body = document.getElementById("console-body");
    var control = body && body.querySelector('[data-shortcut="' + key + '"]');
    if (!control || control.disabled) {
      return;
    }
    event.preventDefault();
    if (control.hasAttribute("data-focus-only")) {
      control.focus();
    } else {
      control.click();
    }
  });
})();
