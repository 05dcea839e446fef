/* The map of a module's three-colour codes (gas user sites, e-bike buildings): communities
   shaded by their share of red and yellow, the red ones as points. No tiles: the project's own
   boundaries only.

   <div data-colour-map data-url="GeoJSON" data-labels="ID of a json_script">; the GeoJSON's
   features are communities (role "community") and red points (any other role); the labels are
   red, yellow, green, communities, redPoint and redPoints. */
(function () {
  "use strict";

  var FILL = { red: "#d64541", yellow: "#f2b01e", green: "#3c9d5d" };

  function labels(element) {
    var node = document.getElementById(element.dataset.labels || "");
    return node ? JSON.parse(node.textContent) : {};
  }

  function start() {
    var element = document.querySelector("[data-colour-map]");
    if (!element || !window.L) {
      return;
    }
    var L = window.L;
    var text = labels(element);
    var status = document.querySelector("[data-map-status]");
    var map = L.map(element, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
      minZoom: 8,
      maxZoom: 19,
      preferCanvas: true,
    });
    map.setView([30.63, 120.56], 10);
    fetch(element.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        var areas = data.features.filter(function (f) {
          return f.properties.role === "community" && f.geometry;
        });
        var points = data.features.filter(function (f) {
          return f.properties.role !== "community" && f.geometry;
        });
        var layer = L.geoJSON(areas, {
          style: function (feature) {
            return {
              color: "#ffffff",
              weight: 1,
              fillColor: FILL[feature.properties.colour] || "#cccccc",
              fillOpacity: 0.55,
            };
          },
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 8 });
          },
          onEachFeature: function (feature, shape) {
            var p = feature.properties;
            shape.bindTooltip(
              p.name + " · " + text.red + " " + p.red + " · " + text.yellow + " " + p.yellow +
                " · " + text.green + " " + p.green
            );
            shape.on("click", function () {
              window.location.href = p.url;
            });
          },
        }).addTo(map);
        points.forEach(function (feature) {
          var c = feature.geometry.coordinates;
          L.circleMarker([c[1], c[0]], {
            radius: 3,
            color: "#8e1b17",
            weight: 1,
            fillColor: FILL.red,
            fillOpacity: 0.9,
          })
            .bindTooltip(text.redPoint || "")
            .on("click", function () {
              window.location.href = feature.properties.url;
            })
            .addTo(map);
        });
        if (layer.getLayers().length) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        }
        element.dataset.ready = "1";
        if (status) {
          status.textContent =
            areas.length + " " + (text.communities || "") + " · " + points.length + " " + (text.redPoints || "");
        }
      })
      .catch(function () {
        element.dataset.ready = "error";
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
