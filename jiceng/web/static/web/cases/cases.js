/* The case pages: maps without tiles (Leaflet), the trend chart (ECharts), the location of a
 * report, the inbox's ticks and colour badges, and htmx answers that carry a refusal.
 *
 * Everything this script needs comes from the page: data from json_script elements, URLs from
 * data attributes, translated labels from the "cases-labels" element. It runs on the first load
 * and again whenever htmx swaps something in, and it disposes what htmx removes.
 */
(function () {
  "use strict";

  var COLOURS = { red: "#c8372d", yellow: "#e0a100", green: "#2e8b57", none: "#8a94a3" };
  var WORST_FIRST = ["red", "yellow", "green", "none"];
  var FALLBACK_CENTRE = [30.63, 120.56];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function labels() {
    return readJson("cases-labels") || {};
  }

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          throw new Error(url + ": HTTP " + response.status);
        }
        return response.json();
      }
    );
  }

  function onDispose(element, dispose) {
    element._casesDispose = dispose;
  }

  // ---- Maps: the project's own boundaries, no tiles -----------------------------------------

  function newMap(element) {
    // Without tiles nothing sets the zoom range, which clustering needs.
    return window.L.map(element, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
      minZoom: 8,
      maxZoom: 19,
    });
  }

  function drawBoundaries(map, collection) {
    // The region itself as a dashed outline, its sub-regions as light shapes with their names.
    var L = window.L;
    var features = (collection && collection.features) || [];
    var shapes = features.filter(function (f) {
      return f.geometry && f.geometry.type !== "Point";
    });
    if (!shapes.length) {
      return null;
    }
    return L.geoJSON(shapes, {
      interactive: false,
      style: function (feature) {
        var own = feature.properties && feature.properties.role === "region";
        return own
          ? { color: "#1d4f91", weight: 2, dashArray: "5 4", fill: false }
          : { color: "#7c93b5", weight: 1, fillColor: "#dfe7f2", fillOpacity: 0.55 };
      },
      onEachFeature: function (feature, layer) {
        if (feature.properties && feature.properties.role !== "region" && feature.properties.name) {
          var name = document.createElement("span");
          name.textContent = feature.properties.name;
          layer.bindTooltip(name, {
            permanent: true,
            direction: "center",
            className: "region-label",
          });
        }
      },
    }).addTo(map);
  }

  function pointIcon(colour) {
    var dot = document.createElement("span");
    dot.className = "case-pin-dot";
    return window.L.divIcon({
      html: dot,
      className: "case-pin case-pin-" + colour,
      iconSize: [18, 18],
      iconAnchor: [9, 9],
    });
  }

  // The small map of one case: its point and its region's boundary.
  function initCaseMap(element) {
    var data = readJson(element.dataset.caseMap);
    if (!window.L || !data || element.dataset.ready) {
      return;
    }
    element.dataset.ready = "1";
    var L = window.L;
    var map = newMap(element);
    onDispose(element, function () {
      map.remove();
    });
    var bounds = L.latLngBounds([]);
    if (data.boundary) {
      var outline = L.geoJSON(data.boundary, {
        interactive: false,
        style: { color: "#1d4f91", weight: 2, fillColor: "#dfe7f2", fillOpacity: 0.45 },
      }).addTo(map);
      bounds.extend(outline.getBounds());
    }
    if (data.point) {
      L.marker(data.point, { icon: pointIcon(data.colour || "none"), keyboard: false }).addTo(map);
      bounds.extend(data.point);
    }
    if (data.point && !data.boundary) {
      map.setView(data.point, 16);
    } else if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    } else {
      map.setView(data.centre || FALLBACK_CENTRE, 14);
    }
    element.dataset.drawn = "1";
  }

  // ---- The report form: the browser's location, or a point tapped on the map ----------------

  function round6(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function initReportMap(element) {
    if (!window.L || element.dataset.ready) {
      return;
    }
    element.dataset.ready = "1";
    var L = window.L;
    var text = labels();
    var form = element.closest("form");
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var status = form.querySelector("[data-location-status]");
    var locate = form.querySelector("[data-locate]");
    var map = newMap(element);
    var marker = null;
    onDispose(element, function () {
      map.remove();
    });

    function place(latitude, longitude, message) {
      lat.value = round6(latitude);
      lon.value = round6(longitude);
      var where = [latitude, longitude];
      if (marker) {
        marker.setLatLng(where);
      } else {
        marker = L.marker(where, { icon: pointIcon("picked"), keyboard: false }).addTo(map);
      }
      if (message && status) {
        status.textContent = message;
      }
      element.dataset.picked = "1";
    }

    var centre = element.dataset.centre ? element.dataset.centre.split(",").map(Number) : null;
    map.setView(centre || FALLBACK_CENTRE, centre ? 14 : 11);
    if (lat.value && lon.value) {
      place(Number(lat.value), Number(lon.value), null);
      map.setView([Number(lat.value), Number(lon.value)], 16);
    }
    if (element.dataset.regionsUrl) {
      getJson(element.dataset.regionsUrl)
        .then(function (collection) {
          var layer = drawBoundaries(map, collection);
          if (layer && !marker) {
            map.fitBounds(layer.getBounds(), { padding: [12, 12], maxZoom: 16, animate: false });
          }
          element.dataset.drawn = "1";
        })
        .catch(function (error) {
          element.dataset.error = String(error);
        });
    }
    map.on("click", function (event) {
      place(
        event.latlng.lat,
        event.latlng.lng,
        fill(text.picked, { lat: round6(event.latlng.lat), lon: round6(event.latlng.lng) })
      );
    });
    if (locate) {
      locate.addEventListener("click", function () {
        if (!navigator.geolocation) {
          status.textContent = text.noGeolocation || "";
          return;
        }
        status.textContent = text.locating || "";
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var c = position.coords;
            place(
              c.latitude,
              c.longitude,
              fill(text.located, {
                lat: round6(c.latitude),
                lon: round6(c.longitude),
                accuracy: Math.round(c.accuracy || 0),
              })
            );
            map.setView([c.latitude, c.longitude], 16);
          },
          function () {
            status.textContent = text.locationFailed || "";
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
  }

  function initSubmitOnce(button) {
    // One tap, one case: the second tap of an impatient finger does nothing (and the form's
    // idempotency key makes a resent form return the first case anyway).
    if (button.dataset.ready) {
      return;
    }
    button.dataset.ready = "1";
    button.form.addEventListener("submit", function () {
      window.setTimeout(function () {
        button.disabled = true;
      }, 0);
    });
  }

  // ---- The map of open cases, clustered, coloured by the worst deadline inside ---------------

  function worstColour(markers) {
    var worst = WORST_FIRST.length - 1;
    markers.forEach(function (m) {
      var index = WORST_FIRST.indexOf(m.options.colour);
      if (index >= 0 && index < worst) {
        worst = index;
      }
    });
    return WORST_FIRST[worst];
  }

  function initCasesMap(element) {
    if (!window.L || !window.L.markerClusterGroup || element.dataset.ready) {
      return;
    }
    element.dataset.ready = "1";
    var L = window.L;
    var text = labels();
    var filters = document.querySelector("[data-map-filters]");
    var status = document.querySelector("[data-map-status]");
    var map = newMap(element);
    var features = [];
    var boundaryLayer = null;
    var fitted = false;
    var cluster = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      disableClusteringAtZoom: 17,
      iconCreateFunction: function (group) {
        var count = document.createElement("span");
        count.textContent = group.getChildCount();
        return L.divIcon({
          html: count,
          className: "case-cluster case-cluster-" + worstColour(group.getAllChildMarkers()),
          iconSize: L.point(40, 40),
        });
      },
    });
    map.addLayer(cluster);
    map.setView(FALLBACK_CENTRE, 11);
    onDispose(element, function () {
      map.remove();
    });

    function shownColours() {
      var boxes = filters ? filters.querySelectorAll("input[name=colour]") : [];
      var shown = {};
      Array.prototype.forEach.call(boxes, function (box) {
        shown[box.value] = box.checked;
      });
      return shown;
    }

    function redraw() {
      var shown = shownColours();
      cluster.clearLayers();
      var markers = [];
      features.forEach(function (feature) {
        var p = feature.properties;
        if (shown[p.colour] === false) {
          return;
        }
        var c = feature.geometry.coordinates;
        var marker = L.marker([c[1], c[0]], {
          icon: pointIcon(p.colour),
          colour: p.colour,
          title: p.number + " · " + p.category,
        });
        marker.on("click", function () {
          window.location.assign(p.url);
        });
        markers.push(marker);
      });
      cluster.addLayers(markers);
      if (status) {
        status.textContent =
          fill(text.shown, { n: markers.length }) +
          (features.length >= 5000 ? " " + fill(text.limited, { n: features.length }) : "");
      }
      element.dataset.markers = String(markers.length);
      if (!fitted) {
        fitted = true;
        var bounds = markers.length
          ? cluster.getBounds()
          : boundaryLayer && boundaryLayer.getBounds();
        if (bounds && bounds.isValid()) {
          map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17, animate: false });
        }
      }
    }

    function load() {
      var url = new URL(element.dataset.casesUrl, window.location.href);
      var category = filters && filters.querySelector("select[name=category]");
      if (category && category.value) {
        url.searchParams.set("category", category.value);
      }
      element.dataset.drawn = "";
      return getJson(url.pathname + url.search)
        .then(function (collection) {
          features = collection.features || [];
          redraw();
          element.dataset.drawn = "1";
        })
        .catch(function (error) {
          element.dataset.error = String(error);
          if (status) {
            status.textContent = text.mapFailed || "";
          }
        });
    }

    var boundaries = element.dataset.regionsUrl
      ? getJson(element.dataset.regionsUrl)
          .then(function (collection) {
            boundaryLayer = drawBoundaries(map, collection);
            if (boundaryLayer) {
              boundaryLayer.bringToBack();
            }
          })
          .catch(function () {
            return null;
          })
      : Promise.resolve();
    boundaries.then(load);
    if (filters) {
      filters.addEventListener("submit", function (event) {
        event.preventDefault();
      });
      filters.addEventListener("change", function (event) {
        if (event.target.name === "category") {
          load();
        } else {
          redraw();
        }
      });
    }
  }

  // ---- The trend chart of the scorecards -----------------------------------------------------

  function initTrendChart(element) {
    if (!window.echarts || element.dataset.ready) {
      return;
    }
    element.dataset.ready = "1";
    var text = labels();
    var dark = element.dataset.theme === "dark";
    var ink = dark ? "#e6ebf2" : "#1f2933";
    var grid = dark ? "#34404f" : "#e8ecf1";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var observer = new ResizeObserver(function () {
      chart.resize();
    });
    observer.observe(element);
    onDispose(element, function () {
      observer.disconnect();
      chart.dispose();
    });
    getJson(element.dataset.trendUrl)
      .then(function (data) {
        chart.setOption({
          animationDuration: 300,
          textStyle: { color: ink },
          legend: { top: 0, textStyle: { color: ink, fontSize: dark ? 18 : 12 } },
          tooltip: { trigger: "axis" },
          grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
          xAxis: {
            type: "category",
            data: data.months,
            axisLabel: { color: ink, fontSize: dark ? 16 : 12 },
            axisLine: { lineStyle: { color: grid } },
          },
          yAxis: [
            {
              type: "value",
              name: text.cases || "",
              minInterval: 1,
              axisLabel: { color: ink, fontSize: dark ? 16 : 12 },
              splitLine: { lineStyle: { color: grid } },
            },
            {
              type: "value",
              min: 0,
              max: 100,
              axisLabel: { color: ink, formatter: "{value}%", fontSize: dark ? 16 : 12 },
              splitLine: { show: false },
            },
          ],
          series: [
            {
              name: text.received,
              type: "bar",
              data: data.received,
              itemStyle: { color: "#6fa3d8" },
            },
            { name: text.closed, type: "bar", data: data.closed, itemStyle: { color: "#2e8b57" } },
            {
              name: text.onTimeRate,
              type: "line",
              yAxisIndex: 1,
              connectNulls: true,
              data: data.onTimeRate.map(function (rate) {
                return rate === null ? null : Math.round(rate * 1000) / 10;
              }),
              itemStyle: { color: "#e0a100" },
              lineStyle: { width: 3 },
            },
          ],
        });
        element.dataset.drawn = "1";
      })
      .catch(function (error) {
        element.dataset.error = String(error);
      });
  }

  // ---- The inbox: tick all, and colour badges that set the colour filter ---------------------

  function initSelectAll(box) {
    if (box.dataset.ready) {
      return;
    }
    box.dataset.ready = "1";
    var form = box.form;
    box.addEventListener("change", function () {
      form.querySelectorAll("input[type=checkbox][name=" + box.dataset.selectAll + "]").forEach(
        function (other) {
          other.checked = box.checked;
        }
      );
    });
  }

  function initColourBadge(link) {
    var filters = document.getElementById("inbox-filters");
    var select = filters && filters.querySelector("select[name=colour]");
    if (!select || !window.htmx || link.dataset.ready) {
      return;
    }
    link.dataset.ready = "1";
    link.addEventListener("click", function (event) {
      // Through the filter form, so that the form and the list stay in step.
      event.preventDefault();
      select.value = link.dataset.colour || "";
      window.htmx.trigger(filters, "change");
    });
  }

  // ---- htmx: answers that refuse (400, 409, 413) replace the case; others get a notice -------

  function showProblem(target, message) {
    // Above the part of the page the request was for (the case, the list), else the page.
    var near = target && target.closest ? target : null;
    var box =
      (near && (near.closest("#case-body") || near.closest("#inbox-results"))) ||
      document.querySelector("main .page");
    if (!box || !message) {
      return;
    }
    var old = box.querySelector("[data-client-problem]");
    if (old) {
      old.remove();
    }
    var alert = document.createElement("p");
    alert.className = "alert alert-error";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-client-problem", "");
    alert.textContent = message;
    var head = box.querySelector(".case-head");
    if (head) {
      head.insertAdjacentElement("afterend", alert);
    } else {
      box.insertAdjacentElement("afterbegin", alert);
    }
  }

  function wireHtmx() {
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var detail = event.detail;
      var element = detail.requestConfig && detail.requestConfig.elt;
      var status = detail.xhr ? detail.xhr.status : 0;
      if (
        element &&
        element.closest &&
        element.closest("[data-swap-errors]") &&
        (status === 400 || status === 409 || status === 413)
      ) {
        detail.shouldSwap = true;
        detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      var status = event.detail.xhr ? event.detail.xhr.status : 0;
      var text = labels();
      showProblem(event.detail.elt, status === 403 ? text.noPermission : text.requestFailed);
    });
    document.body.addEventListener("htmx:sendError", function (event) {
      showProblem(event.detail.elt, labels().requestFailed);
    });
    document.body.addEventListener("htmx:beforeCleanupElement", function (event) {
      var element = event.target;
      if (element && element._casesDispose) {
        element._casesDispose();
        element._casesDispose = null;
      }
    });
  }

  // ---- Wiring -----------------------------------------------------------------------------

  function initWithin(root) {
    root.querySelectorAll("[data-case-map]").forEach(initCaseMap);
    root.querySelectorAll("[data-report-map]").forEach(initReportMap);
    root.querySelectorAll("[data-cases-map]").forEach(initCasesMap);
    root.querySelectorAll("[data-trend-url]").forEach(initTrendChart);
    root.querySelectorAll("[data-select-all]").forEach(initSelectAll);
    root.querySelectorAll(".colour-badge[data-colour]").forEach(initColourBadge);
    root.querySelectorAll("[data-submit-once]").forEach(initSubmitOnce);
  }

  if (window.htmx) {
    wireHtmx();
    window.htmx.onLoad(initWithin);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      initWithin(document);
    });
  }
})();
