/* The display board (大屏): the calls come in by htmx every second; each new call is read aloud
   once in Chinese with the browser's speech synthesis ("请A012号到3号窗口"), where the browser
   has it. A call is known by its number and the moment of the call, so a recall (a new moment)
   is read again. A television's browser must allow sound without a touch (for Chromium:
   --autoplay-policy=no-user-gesture-required), or someone presses "Test the voice" once. */
(function () {
  "use strict";

  var announced = {};
  var announcedCount = 0;
  var MAX_REMEMBERED = 500;

  function speechAvailable() {
    return (
      "speechSynthesis" in window &&
      window.speechSynthesis &&
      typeof window.SpeechSynthesisUtterance === "function"
    );
  }

  function chineseVoice() {
    var synth = window.speechSynthesis;
    var voices = typeof synth.getVoices === "function" ? synth.getVoices() || [] : [];
    for (var i = 0; i < voices.length; i += 1) {
      if (/^zh[-_]CN/i.test(voices[i].lang || "")) {
        return voices[i];
      }
    }
    for (var j = 0; j < voices.length; j += 1) {
      if (/^zh/i.test(voices[j].lang || "")) {
        return voices[j];
      }
    }
    return null;
  }

  function speak(text) {
    if (!speechAvailable() || !text) {
      return false;
    }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
    var voice = chineseVoice();
    if (voice) {
      utterance.voice = voice;
    }
    window.speechSynthesis.speak(utterance);
    return true;
  }

  function readCalls() {
    var node = document.getElementById("board-calls");
    if (!node) {
      return [];
    }
    try {
      var calls = JSON.parse(node.textContent);
      return Array.isArray(calls) ? calls : [];
    } catch (error) {
      return [];
    }
  }

  function announceNew() {
    var calls = readCalls();
    if (announcedCount > MAX_REMEMBERED) {
      var kept = {};
      calls.forEach(function (call) {
        if (announced[call.id]) {
          kept[call.id] = true;
        }
      });
      announced = kept;
      announcedCount = Object.keys(kept).length;
    }
    // The latest call comes first: read them in the order they were made.
    for (var i = calls.length - 1; i >= 0; i -= 1) {
      var call = calls[i];
      if (!call || !call.id || announced[call.id]) {
        continue;
      }
      announced[call.id] = true;
      announcedCount += 1;
      speak(call.text);
    }
  }

  function tickClock() {
    var clock = document.querySelector("[data-board-clock]");
    if (!clock) {
      return;
    }
    var now = new Date();
    var minutes = now.getMinutes();
    clock.textContent = now.getHours() + ":" + (minutes < 10 ? "0" : "") + minutes;
  }

  function wireTools() {
    var voice = document.querySelector("[data-board-voice]");
    if (!speechAvailable()) {
      var missing = document.querySelector("[data-voice-missing]");
      if (missing) {
        missing.hidden = false;
      }
      if (voice) {
        voice.hidden = true;
      }
    } else if (voice) {
      voice.addEventListener("click", function () {
        var latest = readCalls()[0];
        speak(latest ? latest.text : voice.getAttribute("data-voice-sample"));
        voice.setAttribute("aria-pressed", "true");
      });
    }
    var full = document.querySelector("[data-board-fullscreen]");
    if (full) {
      if (!document.documentElement.requestFullscreen) {
        full.hidden = true;
      } else {
        full.addEventListener("click", function () {
          if (document.fullscreenElement) {
            document.exitFullscreen();
          } else {
            document.documentElement.requestFullscreen();
          }
        });
      }
    }
    var head = document.querySelector("[data-reload-seconds]");
    var seconds = head ? parseInt(head.getAttribute("data-reload-seconds"), 10) : 0;
    if (seconds > 0) {
      // A new day: a new QR code for the phones.
      window.setTimeout(function () {
        window.location.reload();
      }, seconds * 1000);
    }
    tickClock();
    window.setInterval(tickClock, 10000);
  }

  function init(root) {
    if (root === document.body || root === document) {
      wireTools();
    }
    if (root === document.body || root === document || root.id === "board-live") {
      announceNew();
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
