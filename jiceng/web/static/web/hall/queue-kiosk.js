/* The kiosk (触摸屏取号): a ticket slip stays on the screen a few seconds, counting down, then
   the kiosk returns to the start for the next resident. */
(function () {
  "use strict";

  var timer = null;

  function labels() {
    var node = document.getElementById("queue-labels");
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (error) {
      return {};
    }
  }

  function backToStart() {
    if (timer) {
      window.clearInterval(timer);
      timer = null;
    }
    var slip = document.getElementById("kiosk-slip");
    if (slip) {
      slip.classList.remove("is-shown");
      slip.removeAttribute("data-return-seconds");
      slip.textContent = "";
    }
    var form = document.getElementById("kiosk-take");
    if (form) {
      form.reset();
    }
    document.querySelectorAll(".kiosk-extras form").forEach(function (other) {
      other.reset();
    });
    document.querySelectorAll(".kiosk-extras details[open]").forEach(function (panel) {
      panel.open = false;
    });
    var result = document.getElementById("kiosk-rate-result");
    if (result) {
      result.textContent = "";
    }
    window.scrollTo(0, 0);
  }

  function countDown(slip) {
    var left = parseInt(slip.getAttribute("data-return-seconds") || "0", 10);
    if (!left) {
      return;
    }
    var label = slip.querySelector("[data-return-label]");
    var text = labels().returnIn || "%(n)s";
    function show() {
      if (label) {
        label.textContent = text.replace("%(n)s", String(left));
      }
    }
    show();
    if (timer) {
      window.clearInterval(timer);
    }
    timer = window.setInterval(function () {
      left -= 1;
      if (left <= 0) {
        backToStart();
      } else {
        show();
      }
    }, 1000);
    var done = slip.querySelector("[data-kiosk-done]");
    if (done) {
      done.addEventListener("click", backToStart);
      done.focus();
    }
  }

  function within(root, selector) {
    if (root.matches && root.matches(selector)) {
      return root;
    }
    return root.querySelector ? root.querySelector(selector) : null;
  }

  function init(root) {
    var slip = within(root, "#kiosk-slip[data-return-seconds]");
    if (slip) {
      countDown(slip);
    }
    if (within(root, "#kiosk-rate-result") && within(root, "[data-rated]")) {
      window.setTimeout(backToStart, 5000); // thanked: back to the start
    }
  }

  if (window.htmx) {
    window.htmx.onLoad(init);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  }
})();
