/* The delivery worker's page: scan the cylinders' QR labels with the phone's rear camera.
   Each label read is added to its list once, as the bare serial the server accepts (a label's
   payload is the public page's URL …/gas/q/c/<serial>/). The browser's BarcodeDetector reads the
   codes where it can; elsewhere jsQR (vendor/jsqr) is loaded on first use. Without a camera the
   Scan button says why, and typing works as before. Messages come translated in the form's
   data-msg-* attributes. */
(function () {
  "use strict";

  var CYLINDER_PATH = "/gas/q/c/";
  var CYLINDER_URN = "urn:jiceng:cylinder:";
  var SCAN_EVERY_MS = 150;
  var HIT_MS = 700;
  var MAX_WIDTH = 640;

  var form = document.querySelector("[data-delivery-form]");
  var overlay = document.querySelector("[data-scan-overlay]");
  if (!form || !overlay) {
    return;
  }
  var video = overlay.querySelector("[data-scan-video]");
  var view = overlay.querySelector("[data-scan-view]");
  var statusLine = overlay.querySelector("[data-scan-status]");
  var countLine = overlay.querySelector("[data-scan-count]");
  var doneButton = overlay.querySelector("[data-scan-done]");

  var decoderPromise = null; // resolves to function(video) -> Promise<string[]>
  var session = null; // {textarea, button, stream, timer, hitTimer, stopped}

  function message(name, values) {
    var text = form.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(String(values[key]));
    });
    return text;
  }

  /* What a label or a typed line names: the serial, so that a URL, a URN and a bare serial of
     the same cylinder are one line. "" when the payload is another kind of link (a site's). */
  function serialOf(text) {
    var value = String(text || "").trim();
    var at = value.indexOf(CYLINDER_PATH);
    if (at >= 0) {
      value = value.slice(at + CYLINDER_PATH.length).split("/")[0].split("?")[0].split("#")[0];
      try {
        value = decodeURIComponent(value);
      } catch (error) {
        return "";
      }
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      return "";
    }
    if (value.indexOf(CYLINDER_URN) === 0) {
      value = value.slice(CYLINDER_URN.length);
    }
    return value.length > 120 || /\s/.test(value) ? "" : value;
  }

  function linesOf(textarea) {
    return textarea.value.split(/\r?\n/).filter(function (line) {
      return line.trim() !== "";
    });
  }

  function showCount(textarea) {
    var count = linesOf(textarea).length;
    var total = textarea.getAttribute("data-expected");
    countLine.textContent = total
      ? message("count-of", { count: count, total: total })
      : message("count", { count: count });
  }

  function addCode(payload) {
    if (!session) {
      return;
    }
    var textarea = session.textarea;
    var serial = serialOf(payload);
    if (!serial) {
      statusLine.textContent = message("not-cylinder");
      return;
    }
    var known = linesOf(textarea).some(function (line) {
      return serialOf(line) === serial;
    });
    if (known) {
      statusLine.textContent = message("already", { code: serial });
      return;
    }
    var value = textarea.value;
    if (value !== "" && !/\n$/.test(value)) {
      value += "\n";
    }
    textarea.value = value + serial + "\n";
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    statusLine.textContent = message("added", { code: serial });
    showCount(textarea);
    view.classList.add("gas-scan-hit");
    window.clearTimeout(session.hitTimer);
    session.hitTimer = window.setTimeout(function () {
      view.classList.remove("gas-scan-hit");
    }, HIT_MS);
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function jsqrDecoder() {
    var ready = window.jsQR ? Promise.resolve() : loadScript(form.getAttribute("data-jsqr-src"));
    return ready.then(function () {
      if (typeof window.jsQR !== "function") {
        throw new Error("jsQR missing");
      }
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function (source) {
        var width = source.videoWidth;
        var height = source.videoHeight;
        if (!width || !height) {
          return Promise.resolve([]);
        }
        var scale = Math.min(1, MAX_WIDTH / width);
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(source, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height, {
          inversionAttempts: "dontInvert",
        });
        return Promise.resolve(found && found.data ? [found.data] : []);
      };
    });
  }

  function nativeDecoder() {
    if (!("BarcodeDetector" in window) || !window.BarcodeDetector.getSupportedFormats) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        if (formats.indexOf("qr_code") < 0) {
          return null;
        }
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (source) {
          return detector.detect(source).then(function (codes) {
            return codes.map(function (code) {
              return code.rawValue;
            });
          });
        };
      })
      .catch(function () {
        return null;
      });
  }

  function decoder() {
    if (!decoderPromise) {
      decoderPromise = nativeDecoder().then(function (native) {
        return native || jsqrDecoder();
      });
      decoderPromise.catch(function () {
        decoderPromise = null; // try again next time (the network may be back)
      });
    }
    return decoderPromise;
  }

  function note(button, text) {
    var field = button.getAttribute("data-scan-for");
    var node = form.querySelector('[data-scan-note="' + field + '"]');
    if (node) {
      node.textContent = text;
      node.hidden = !text;
    }
  }

  function cameraProblem(error) {
    var name = error && error.name;
    if (["NotAllowedError", "SecurityError", "PermissionDeniedError"].indexOf(name) >= 0) {
      return message("denied");
    }
    if (["NotFoundError", "OverconstrainedError", "DevicesNotFoundError"].indexOf(name) >= 0) {
      return message("not-found");
    }
    return message("failed");
  }

  function scanLoop(decode) {
    if (!session || session.stopped) {
      return;
    }
    var current = session;
    var pending = video.readyState >= 2 ? decode(video) : Promise.resolve([]);
    pending
      .then(function (codes) {
        codes.forEach(addCode);
      })
      .catch(function () {
        /* an unreadable frame: try the next one */
      })
      .then(function () {
        if (session === current && !current.stopped) {
          current.timer = window.setTimeout(function () {
            scanLoop(decode);
          }, SCAN_EVERY_MS);
        }
      });
  }

  function stop() {
    if (!session) {
      return;
    }
    var ended = session;
    session = null;
    ended.stopped = true;
    window.clearTimeout(ended.timer);
    window.clearTimeout(ended.hitTimer);
    if (ended.stream) {
      ended.stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    video.srcObject = null;
    view.classList.remove("gas-scan-hit");
    overlay.hidden = true;
    document.documentElement.classList.remove("gas-scanning");
    ended.button.focus();
  }

  function start(button) {
    var textarea = document.getElementById(button.getAttribute("data-scan-for"));
    note(button, "");
    if (!textarea || session) {
      return;
    }
    if (!window.isSecureContext) {
      note(button, message("insecure"));
      return;
    }
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      note(button, message("no-camera"));
      return;
    }
    var current = {
      textarea: textarea,
      button: button,
      stream: null,
      timer: 0,
      hitTimer: 0,
      stopped: false,
    };
    session = current;
    statusLine.textContent = message("starting");
    showCount(textarea);
    overlay.hidden = false;
    document.documentElement.classList.add("gas-scanning");
    doneButton.focus();
    var camera = navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } },
      audio: false,
    });
    Promise.all([
      camera.catch(function (error) {
        throw { camera: error };
      }),
      decoder().catch(function () {
        throw { decoder: true };
      }),
    ])
      .then(function (results) {
        var stream = results[0];
        if (current.stopped) {
          stream.getTracks().forEach(function (track) {
            track.stop();
          });
          return;
        }
        current.stream = stream;
        video.srcObject = stream;
        var playing = video.play();
        if (playing && playing.catch) {
          playing.catch(function () {});
        }
        statusLine.textContent = message("aim");
        scanLoop(results[1]);
      })
      .catch(function (problem) {
        camera.then(
          function (stream) {
            stream.getTracks().forEach(function (track) {
              track.stop();
            });
          },
          function () {}
        );
        if (current.stopped) {
          return;
        }
        stop();
        var cameraError = problem && problem.camera;
        note(button, problem && problem.decoder ? message("no-decoder") : cameraProblem(cameraError));
      });
  }

  form.querySelectorAll("[data-scan-for]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      start(button);
    });
  });
  doneButton.addEventListener("click", stop);
  overlay.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      stop();
    }
  });
  // Leaving the page or the app releases the camera.
  window.addEventListener("pagehide", stop);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    }
  });
})();
