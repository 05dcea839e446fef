/* The home dashboard: a bar chart (ECharts) and a map of the sub-regions (Leaflet, no tiles).
 *
 * Everything this script needs comes from the page: data from json_script elements, URLs from
 * data attributes, translated labels from the "dashboard-labels" element. It runs on the first
 * load and again whenever htmx swaps in a new panel, and it disposes charts and maps that htmx
 * removes.
 */
(function () {
  "use strict";

  // Sequential blues, light to dark, for counts on the map.
  var PALETTE = ["#dbe8f6", "#a9c8ea", "#6fa3d8", "#3b7bc0", "#1d4f91"];
  var EMPTY = "#e6eaef";
  var BAR = "#3b7bc0";

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function labels() {
    return readJson("dashboard-labels") || {};
  }

  function withMeasure(url, measure) {
    var target = new URL(url, window.location.href);
    if (measure) {
      target.searchParams.set("measure", measure);
    }
    return target.pathname + target.search;
  }

  // ---- Chart ------------------------------------------------------------------------------

  function initChart(element) {
    var data = readJson(element.dataset.chart);
    if (!data || !window.echarts || element.dataset.ready) {
      return;
    }
    // Largest first; the table below keeps the order of the codes.
    var order = data.values
      .map(function (value, index) {
        return index;
      })
      .sort(function (a, b) {
        return data.values[b] - data.values[a] || a - b;
      });
    data = {
      seriesName: data.seriesName,
      names: order.map(function (i) {
        return data.names[i];
      }),
      values: order.map(function (i) {
        return data.values[i];
      }),
      urls: order.map(function (i) {
        return data.urls[i];
      }),
    };
    element.dataset.ready = "1";
    // At least as tall as the stylesheet asks (next to the map), taller for many bars.
    var minimum = parseFloat(window.getComputedStyle(element).minHeight) || 180;
    element.style.height = Math.max(minimum, data.names.length * 30 + 40) + "px";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animationDuration: 300,
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: {
        type: "value",
        minInterval: 1,
        axisLabel: { color: "#5f6b7a" },
        splitLine: { lineStyle: { color: "#e8ecf1" } },
      },
      yAxis: {
        type: "category",
        data: data.names,
        inverse: true,
        axisTick: { show: false },
        axisLine: { lineStyle: { color: "#c4ccd6" } },
        axisLabel: { color: "#1f2933", fontSize: 12 },
      },
      series: [
        {
          type: "bar",
          name: data.seriesName,
          data: data.values,
          barMaxWidth: 20,
          itemStyle: { color: BAR, borderRadius: [0, 3, 3, 0] },
          emphasis: { itemStyle: { color: "#1d4f91" } },
          label: { show: true, position: "right", color: "#1f2933", fontSize: 12 },
          cursor: "pointer",
        },
      ],
    });
    chart.on("click", function (params) {
      var url = data.urls[params.dataIndex];
      if (url) {
        window.location.assign(url);
      }
    });
    var observer = new ResizeObserver(function () {
      chart.resize();
    });
    observer.observe(element);
    element._dashboardDispose = function () {
      observer.disconnect();
      chart.dispose();
    };
  }

  // ---- Map --------------------------------------------------------------------------------

  function colourScale(max) {
    // Five equal classes from 1 to max; zero has its own colour.
    return function (value) {
      if (!value || max <= 0) {
        return EMPTY;
      }
      var index = Math.ceil((value / max) * PALETTE.length) - 1;
      return PALETTE[Math.min(PALETTE.length - 1, Math.max(0, index))];
    };
  }

  function legendRows(max, noData) {
    if (max <= 0) {
      return [[EMPTY, noData]];
    }
    var rows = [[EMPTY, "0"]];
    var step = max / PALETTE.length;
    var low = 1;
    for (var i = 0; i < PALETTE.length; i += 1) {
      var high = i === PALETTE.length - 1 ? max : Math.floor(step * (i + 1));
      if (high >= low) {
        rows.push([PALETTE[i], low === high ? String(low) : low + "–" + high]);
        low = high + 1;
      }
    }
    return rows;
  }

  function drawLegend(element, title, rows) {
    // Below the map rather than on it: on a phone a legend on the map hides the regions.
    var legend = document.createElement("div");
    legend.className = "map-legend";
    var heading = document.createElement("span");
    heading.className = "map-legend-title";
    heading.textContent = title;
    legend.appendChild(heading);
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
    return legend;
  }

  function tooltipContent(name, value) {
    var box = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = name;
    box.appendChild(strong);
    box.appendChild(document.createTextNode(" " + value));
    return box;
  }

  function labelFits(map, featureLayer, name, pointCount) {
    if (featureLayer.getRadius) {
      return pointCount <= 15;
    }
    var bounds = featureLayer.getBounds();
    var nw = map.latLngToContainerPoint(bounds.getNorthWest());
    var se = map.latLngToContainerPoint(bounds.getSouthEast());
    return se.x - nw.x >= name.length * 13 + 8 && se.y - nw.y >= 22;
  }

  function placeLabels(map, layer, measure, pointCount) {
    // A region's name sits on it where it fits; elsewhere it shows when the pointer is over it.
    layer.eachLayer(function (featureLayer) {
      var props = featureLayer.feature.properties;
      var isPoint = Boolean(featureLayer.getRadius);
      featureLayer.unbindTooltip();
      if (labelFits(map, featureLayer, props.name, pointCount)) {
        var label = document.createElement("span");
        label.textContent = props.name;
        featureLayer.bindTooltip(label, {
          permanent: true,
          direction: isPoint ? "right" : "center",
          offset: isPoint ? [14, 0] : [0, 0],
          className: "region-label",
          interactive: false,
        });
      } else {
        featureLayer.bindTooltip(tooltipContent(props.name, props[measure] || 0), {
          sticky: true,
        });
      }
    });
  }

  function drawMap(map, element, collection) {
    var L = window.L;
    var text = labels();
    var measure = element.dataset.measure;
    var features = collection.features || [];
    var own = features.filter(function (f) {
      return f.properties.role === "region";
    })[0];
    var children = features.filter(function (f) {
      return f.properties.role === "child" && f.geometry;
    });
    var pointCount = children.filter(function (f) {
      return f.geometry.type === "Point";
    }).length;
    var max = children.reduce(function (m, f) {
      return Math.max(m, f.properties[measure] || 0);
    }, 0);
    var colour = colourScale(max);
    var bounds = L.latLngBounds([]);

    if (own && own.geometry && own.geometry.type !== "Point") {
      var outline = L.geoJSON(own, {
        interactive: false,
        style: { color: "#1d4f91", weight: 2, dashArray: "5 4", fill: false },
      }).addTo(map);
      bounds.extend(outline.getBounds());
    }

    var layer = L.geoJSON(children, {
      style: function (feature) {
        return {
          color: "#ffffff",
          weight: 1.5,
          fillColor: colour(feature.properties[measure]),
          fillOpacity: 0.9,
        };
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 15,
          color: "#ffffff",
          weight: 2,
          fillColor: colour(feature.properties[measure]),
          fillOpacity: 0.95,
        });
      },
      onEachFeature: function (feature, featureLayer) {
        var props = feature.properties;
        var restingWeight = feature.geometry.type === "Point" ? 2 : 1.5;
        featureLayer.on("mouseover", function () {
          featureLayer.setStyle({ weight: 3, color: "#f0a500" });
          featureLayer.bringToFront();
        });
        featureLayer.on("mouseout", function () {
          featureLayer.setStyle({ weight: restingWeight, color: "#ffffff" });
        });
        featureLayer.on("click", function () {
          window.location.assign(withMeasure(props.url, measure));
        });
        featureLayer.on("add", function () {
          var path = featureLayer.getElement && featureLayer.getElement();
          if (path) {
            path.setAttribute("aria-label", props.name + ": " + (props[measure] || 0));
            path.setAttribute("data-region", props.code);
          }
        });
      },
    }).addTo(map);
    if (children.length) {
      bounds.extend(layer.getBounds());
    }

    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    } else if (own && own.geometry && own.geometry.type === "Point") {
      var c = own.geometry.coordinates;
      map.setView([c[1], c[0]], 12);
    } else {
      map.setView([30.63, 120.56], 10);
    }
    placeLabels(map, layer, measure, pointCount);
    map.on("zoomend", function () {
      placeLabels(map, layer, measure, pointCount);
    });
    return drawLegend(
      element,
      element.dataset.measureLabel || text.legend || "",
      legendRows(max, text.noData || "")
    );
  }

  function initMap(element) {
    if (!window.L || element.dataset.ready) {
      return;
    }
    element.dataset.ready = "1";
    var map = window.L.map(element, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
    });
    var disposed = false;
    var legend = null;
    element._dashboardDispose = function () {
      disposed = true;
      map.remove();
      if (legend) {
        legend.remove();
      }
    };
    fetch(element.dataset.geojson, {
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
        if (!disposed) {
          legend = drawMap(map, element, collection);
          element.dataset.drawn = "1";
        }
      })
      .catch(function (error) {
        element.dataset.error = String(error);
      });
  }

  // ---- Wiring -----------------------------------------------------------------------------

  function initWithin(root) {
    root.querySelectorAll("[data-chart]").forEach(initChart);
    root.querySelectorAll("[data-geojson]").forEach(initMap);
  }

  if (window.htmx) {
    window.htmx.onLoad(initWithin);
    document.body.addEventListener("htmx:beforeCleanupElement", function (event) {
      var element = event.target;
      if (element && element._dashboardDispose) {
        element._dashboardDispose();
        element._dashboardDispose = null;
      }
    });
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      initWithin(document);
    });
  }
})();
