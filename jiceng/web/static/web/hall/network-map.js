/* Maps of the service network (Leaflet, no tiles: the project's own boundaries).
 *
 * A point's page: its region's boundary, the town's outline and the point itself, from the
 * json_script element named by data-point-map. The service-circle page: the villages coloured
 * covered or not covered and the service points, from the GeoJSON URL in data-coverage-map.
 * Translated labels come from the "network-labels" element.
 */
(function () {
  "use strict";

  var COVERED = "#3b8f5a";
  var UNCOVERED = "#c8372d";
  var NO_PLACE = "#e6eaef";
  var OFFERS = "#1d4f91";
  var OTHER = "#8a94a3";
  var FALLBACK_CENTRE = [30.63, 120.56];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function labels() {
    return readJson("network-labels") || {};
  }

  function newMap(element) {
    // A view from the start: circle markers and tooltips need one when they are added.
    return window.L.map(element, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
    }).setView(FALLBACK_CENTRE, 10);
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) {
      node.className = className;
    }
    return node;
  }

  function drawLegend(element, rows) {
    var legend = document.createElement("div");
    legend.className = "map-legend";
    rows.forEach(function (row) {
      var item = document.createElement("span");
      item.className = "map-legend-item";
      var swatch = document.createElement("span");
      swatch.className = "map-legend-swatch";
      swatch.style.background = row[0];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(row[1]));
      legend.appendChild(item);
    });
    element.insertAdjacentElement("afterend", legend);
  }

  // ---- A point's page ---------------------------------------------------------------------

  function initPointMap(element) {
    var data = readJson(element.dataset.pointMap);
    if (!data || !window.L || element.dataset.ready) {
      return;
    }
    element.dataset.ready = "1";
    var L = window.L;
    var map = newMap(element);
    var bounds = L.latLngBounds([]);
    if (data.town && data.town.type !== "Point") {
      var town = L.geoJSON(data.town, {
        interactive: false,
        style: { color: "#1d4f91", weight: 2, dashArray: "5 4", fill: false },
      }).addTo(map);
      bounds.extend(town.getBounds());
    }
    if (data.boundary && data.boundary.type !== "Point") {
      var own = L.geoJSON(data.boundary, {
        interactive: false,
        style: { color: "#3b7bc0", weight: 1.5, fillColor: "#dbe8f6", fillOpacity: 0.6 },
      }).addTo(map);
      bounds.extend(own.getBounds());
    }
    if (data.point) {
      bounds.extend(data.point);
    }
    // The view first: a permanent tooltip needs a map that has one.
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    } else {
      map.setView(FALLBACK_CENTRE, 10);
    }
    if (data.point) {
      var marker = L.circleMarker(data.point, {
        radius: 9,
        color: "#ffffff",
        weight: 2,
        fillColor: OFFERS,
        fillOpacity: 1,
      }).addTo(map);
      marker.bindTooltip(text("span", data.name), {
        permanent: true,
        direction: "right",
        offset: [10, 0],
      });
    }
    element.dataset.drawn = "1";
  }

  // ---- The service circle -----------------------------------------------------------------

  function villageTooltip(props, names) {
    var box = document.createElement("div");
    box.appendChild(text("strong", props.name));
    var lines = [
      props.town,
      props.population + " " + (names.people || ""),
      (props.covered ? names.covered : names.uncovered) +
        (props.minutes === null ? "" : " · " + props.minutes + " " + (names.minutes || "")),
      (names.nearest || "") + ": " + (props.nearest || names.none || ""),
    ];
    lines.forEach(function (line) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(line));
    });
    return box;
  }

  function drawCoverage(map, element, collection) {
    var L = window.L;
    var names = labels();
    var bounds = L.latLngBounds([]);
    var features = collection.features || [];
    var area = features.filter(function (f) {
      return f.properties.role === "area" && f.geometry && f.geometry.type !== "Point";
    });
    var villages = features.filter(function (f) {
      return f.properties.role === "village" && f.geometry;
    });
    var points = features.filter(function (f) {
      return f.properties.role === "point";
    });
    if (area.length) {
      var outline = L.geoJSON(area, {
        interactive: false,
        style: { color: "#1d4f91", weight: 2, dashArray: "5 4", fill: false },
      }).addTo(map);
      bounds.extend(outline.getBounds());
    }
    var covered = 0;
    var layer = L.geoJSON(villages, {
      style: function (feature) {
        return {
          color: "#ffffff",
          weight: 1,
          fillColor: feature.properties.covered ? COVERED : UNCOVERED,
          fillOpacity: 0.6,
        };
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 7,
          color: "#ffffff",
          weight: 1,
          fillColor: feature.properties.covered ? COVERED : UNCOVERED,
          fillOpacity: 0.85,
        });
      },
      onEachFeature: function (feature, featureLayer) {
        var props = feature.properties;
        if (props.covered) {
          covered += 1;
        }
        featureLayer.bindTooltip(villageTooltip(props, names), { sticky: true });
        featureLayer.on("add", function () {
          var path = featureLayer.getElement && featureLayer.getElement();
          if (path) {
            path.setAttribute("data-village", props.code);
            path.setAttribute("data-covered", props.covered ? "1" : "0");
          }
        });
      },
    }).addTo(map);
    if (villages.length) {
      bounds.extend(layer.getBounds());
    }
    points.forEach(function (feature) {
      var props = feature.properties;
      var c = feature.geometry.coordinates;
      var marker = L.circleMarker([c[1], c[0]], {
        radius: props.offers ? 5 : 3,
        color: "#ffffff",
        weight: 1,
        fillColor: props.offers ? OFFERS : OTHER,
        fillOpacity: 1,
      }).addTo(map);
      var tip = document.createElement("div");
      tip.appendChild(text("strong", props.name));
      tip.appendChild(document.createElement("br"));
      tip.appendChild(document.createTextNode(props.kind));
      marker.bindTooltip(tip);
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15 });
    } else {
      map.setView(FALLBACK_CENTRE, 10);
    }
    drawLegend(element, [
      [COVERED, names.covered || ""],
      [UNCOVERED, names.uncovered || ""],
      [OFFERS, names.offers || ""],
      [OTHER, names.other || ""],
    ]);
    element.dataset.villages = String(villages.length);
    element.dataset.covered = String(covered);
  }

  function initCoverageMap(element) {
    if (!window.L || element.dataset.ready) {
      return;
    }
    element.dataset.ready = "1";
    var map = newMap(element);
    fetch(element.dataset.coverageMap, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("map data: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        drawCoverage(map, element, collection);
        element.dataset.drawn = "1";
      })
      .catch(function (error) {
        element.dataset.error = String(error);
        element.insertAdjacentElement("afterend", text("p", labels().mapFailed || "", "field-error"));
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-point-map]").forEach(initPointMap);
    document.querySelectorAll("[data-coverage-map]").forEach(initCoverageMap);
  });
})();
