/* Queue pages of the service halls: htmx forms marked data-swap-errors show the server's
   answer to a refused action (400, 403, 409, 429) in place, like a success. */
(function () {
  "use strict";

  var SWAPPED = { 400: true, 403: true, 409: true, 429: true };

  function wire() {
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var detail = event.detail;
      var element = detail.requestConfig && detail.requestConfig.elt;
      var status = detail.xhr ? detail.xhr.status : 0;
      if (element && element.closest && element.closest("[data-swap-errors]") && SWAPPED[status]) {
        detail.shouldSwap = true;
        detail.isError = false;
      }
    });
  }

  if (document.body) {
    wire();
  } else {
    document.addEventListener("DOMContentLoaded", wire);
  }
})();
