/* The service-circle plan page: a map (Leaflet, no tiles: the project's own boundaries) of the
 * villages — covered today, brought in by the proposed points, still not covered — with the
 * points that offer the item and the proposed new points, numbered as in the table.
 *
 * The GeoJSON comes from the URL in data-circle-map, translated labels from "planning-labels".
 */
(function () {
  "use strict";

  var COLOURS = { covered: "#3b8f5a", gained: "#3b7bc0", uncovered: "#c8372d" };
  var EXISTING = "#1d4f91";
  var PROPOSED = "#f0a500";
  var FALLBACK_CENTRE = [30.63, 120.56];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function tooltip(lines) {
    var box = document.createElement("div");
    lines.forEach(function (line, index) {
      if (index) {
        box.appendChild(document.createElement("br"));
      }
      box.appendChild(index ? document.createTextNode(line) : text("strong", line));
    });
    return box;
  }

  function legend(element, labels) {
    var box = document.createElement("div");
    box.className = "map-legend";
    [
      [COLOURS.covered, labels.covered],
      [COLOURS.gained, labels.gained],
      [COLOURS.uncovered, labels.uncovered],
      [EXISTING, labels.existing],
      [PROPOSED, labels.proposed],
    ].forEach(function (row) {
      var item = document.createElement("span");
      item.className = "map-legend-item";
      var swatch = document.createElement("span");
      swatch.className = "map-legend-swatch";
      swatch.style.background = row[0];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(row[1] || ""));
      box.appendChild(item);
    });
    element.insertAdjacentElement("afterend", box);
  }

  function draw(map, element, collection, labels) {
    var L = window.L;
    var features = collection.features || [];
    var bounds = L.latLngBounds([]);
    var villages = features.filter(function (f) {
      return f.properties.role === "village" && f.geometry;
    });
    var layer = L.geoJSON(villages, {
      style: function (feature) {
        return {
          color: "#ffffff",
          weight: 1,
          fillColor: COLOURS[feature.properties.status],
          fillOpacity: 0.6,
        };
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 7,
          color: "#ffffff",
          weight: 1,
          fillColor: COLOURS[feature.properties.status],
          fillOpacity: 0.85,
        });
      },
      onEachFeature: function (feature, featureLayer) {
        var props = feature.properties;
        featureLayer.bindTooltip(
          tooltip([props.name, props.population + " " + (labels.residents || ""), labels[props.status] || ""]),
          { sticky: true }
        );
        featureLayer.on("add", function () {
          var path = featureLayer.getElement && featureLayer.getElement();
          if (path) {
            path.setAttribute("data-village", props.code);
            path.setAttribute("data-status", props.status);
          }
        });
      },
    }).addTo(map);
    if (villages.length) {
      bounds.extend(layer.getBounds());
    }
    features.forEach(function (feature) {
      if (feature.properties.role !== "village") {
        var c = feature.geometry.coordinates;
        bounds.extend([c[1], c[0]]);
      }
    });
    // The view first: permanent labels need it.
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15 });
    } else {
      map.setView(FALLBACK_CENTRE, 10);
    }
    features.forEach(function (feature) {
      var props = feature.properties;
      if (props.role !== "existing" && props.role !== "proposed") {
        return;
      }
      var c = feature.geometry.coordinates;
      var proposed = props.role === "proposed";
      var marker = L.circleMarker([c[1], c[0]], {
        radius: proposed ? 9 : 4,
        color: proposed ? "#1f2933" : "#ffffff",
        weight: proposed ? 2 : 1,
        fillColor: proposed ? PROPOSED : EXISTING,
        fillOpacity: 1,
      }).addTo(map);
      var lines = [proposed ? props.rank + ". " + props.name : props.name, props.kind];
      if (proposed) {
        lines.push(props.population + " " + (labels.residents || ""));
        marker.bindTooltip(text("span", String(props.rank)), {
          permanent: true,
          direction: "center",
          className: "planning-rank",
        });
        marker.on("mouseover", function () {
          marker.openTooltip();
        });
      } else {
        marker.bindTooltip(tooltip(lines));
      }
      var path = marker.getElement && marker.getElement();
      if (path) {
        path.setAttribute("data-role", props.role);
      }
    });
    legend(element, labels);
  }

  function init() {
    var element = document.querySelector("[data-circle-map]");
    if (!element || !window.L) {
      return;
    }
    var labels = readJson("planning-labels") || {};
    var status = document.querySelector("[data-map-status]");
    var map = window.L.map(element, { attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25 });
    fetch(element.dataset.circleMap, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        draw(map, element, collection, labels);
        element.dataset.drawn = "1";
      })
      .catch(function (error) {
        element.dataset.error = String(error);
        if (status) {
          status.textContent = labels.mapFailed || "";
        }
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
