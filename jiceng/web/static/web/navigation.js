/* The module navigation in the header (web/_navigation.html).

   Each module group is a disclosure button with its menu: a click (Enter, Space, or the down
   arrow, which also moves to the first entry) opens it and closes the others and the user menu;
   the arrows move within it; Escape closes it and returns to its button, and a click elsewhere
   or Tab past its last entry closes it.

   When the groups do not fit on one line beside the brand and the tools (a phone, a narrow
   window, long labels, many modules), the navigation folds behind one menu button: the button
   opens a panel with every group open. Whether they fit is measured, not guessed from the width,
   so any number of modules and any language is handled. Without script the CSS shows each menu on
   hover and keyboard focus, and the groups wrap onto a second line instead of folding. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var nav = document.getElementById("modules");
  if (!nav) {
    return;
  }
  var toggle = nav.querySelector(".nav-toggle");
  var list = nav.querySelector(".nav-groups");
  var buttons = Array.prototype.slice.call(nav.querySelectorAll(".nav-group-button"));
  var userMenu = document.querySelector(".user-menu");
  var topbar = nav.closest(".topbar") || document.body;

  function folded() {
    return nav.classList.contains("is-folded");
  }

  function setGroup(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.parentElement.classList.toggle("is-open", open);
  }

  function closeGroups(except) {
    buttons.forEach(function (button) {
      if (button !== except) {
        setGroup(button, false);
      }
    });
  }

  function setPanel(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
  }

  function fold(on) {
    nav.classList.toggle("is-folded", on);
    // Folded, the panel shows every group open; unfolded, every menu starts closed.
    buttons.forEach(function (button) {
      setGroup(button, on);
    });
    if (!on) {
      setPanel(false);
    }
  }

  var phone = window.matchMedia("(max-width: 600px)");

  /* Do the groups fit on one line? A group that wrapped sits lower than the first. A phone always
     gets the menu button: its header keeps the room for the tools. */
  function fitsOnOneLine() {
    if (phone.matches) {
      return false;
    }
    var items = list.children;
    if (!items.length) {
      return true;
    }
    return (
      items[items.length - 1].offsetTop === items[0].offsetTop &&
      list.scrollWidth <= list.clientWidth + 1
    );
  }

  /* Room is made in steps, each tried only when the groups do not fit yet: the brand's tagline
     goes (.is-compact), then the user's name and region beside the avatar (.is-tight; both stay
     in the user menu), then the groups fold behind the menu button. */
  var STEPS = ["is-compact", "is-tight"];

  function measure() {
    var wasFolded = folded();
    // Measured from the roomiest layout; nothing is drawn in between.
    nav.classList.remove("is-folded");
    STEPS.forEach(function (step) {
      topbar.classList.remove(step);
    });
    var fits = fitsOnOneLine();
    for (var i = 0; !fits && i < STEPS.length; i++) {
      topbar.classList.add(STEPS[i]);
      fits = fitsOnOneLine();
    }
    if (fits) {
      if (wasFolded) {
        fold(false);
      }
    } else {
      // Folded, the brand and the user's name get their room back.
      STEPS.forEach(function (step) {
        topbar.classList.remove(step);
      });
      if (wasFolded) {
        nav.classList.add("is-folded"); // stays folded, the panel and its groups as they were
      } else {
        fold(true);
      }
    }
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      if (!folded()) {
        closeGroups(button);
        if (open && userMenu) {
          userMenu.open = false;
        }
      }
      setGroup(button, open);
    });
  });

  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    setPanel(open);
    if (open && userMenu) {
      userMenu.open = false;
    }
  });

  if (userMenu) {
    userMenu.addEventListener("toggle", function () {
      if (userMenu.open) {
        if (folded()) {
          setPanel(false);
        } else {
          closeGroups(null);
        }
      }
    });
  }

  document.addEventListener("click", function (event) {
    if (nav.contains(event.target)) {
      return;
    }
    if (folded()) {
      setPanel(false);
    } else {
      closeGroups(null);
    }
    if (userMenu && userMenu.open && !userMenu.contains(event.target)) {
      userMenu.open = false;
    }
  });

  nav.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    if (folded()) {
      setPanel(false);
      toggle.focus();
      return;
    }
    var group = event.target.closest(".nav-group");
    if (group) {
      var button = group.querySelector(".nav-group-button");
      setGroup(button, false);
      button.focus();
    }
  });

  /* Arrow keys: down from a group's button opens its menu at the first entry; up and down move
     within the menu (Tab works as well). */
  nav.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
      return;
    }
    var group = event.target.closest(".nav-group");
    if (!group) {
      return;
    }
    var button = group.querySelector(".nav-group-button");
    var entries = Array.prototype.slice.call(group.querySelectorAll(".nav-menu a"));
    var at = entries.indexOf(event.target);
    var next;
    if (event.target === button) {
      if (event.key !== "ArrowDown" || !entries.length) {
        return;
      }
      if (!folded()) {
        closeGroups(button);
      }
      setGroup(button, true);
      next = entries[0];
    } else if (at >= 0) {
      next = event.key === "ArrowDown" ? entries[at + 1] : entries[at - 1] || button;
    }
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  if (userMenu) {
    userMenu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && userMenu.open) {
        userMenu.open = false;
        userMenu.querySelector("summary").focus();
      }
    });
  }

  /* Tab past a menu's last entry closes it (unfolded only: the panel stays until closed). */
  nav.addEventListener("focusout", function (event) {
    var group = event.target.closest(".nav-group");
    var next = event.relatedTarget;
    if (!folded() && group && next && !group.contains(next)) {
      setGroup(group.querySelector(".nav-group-button"), false);
    }
  });

  var pending = false;
  window.addEventListener("resize", function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        measure();
      });
    }
  });
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(measure);
  }
  measure();
})();
