/* Charts of the power pages (ECharts): a day's load against the tariff's periods (lines over 96
 * quarter hours, the periods as shaded bands) and the summer's peak load by day against the
 * maximum temperature. Data comes from json_script elements named by the chart's data attribute;
 * charts are drawn again when htmx swaps a plan in (the recomputed plan).
 */
(function () {
  "use strict";

  var LINE_COLOURS = ["#c42828", "#1e5aaa", "#3b8f5a", "#f0a500"];
  var BAND_COLOURS = {
    sharp: "rgba(232, 90, 70, 0.22)",
    peak: "rgba(240, 165, 0, 0.20)",
    flat: "rgba(160, 160, 160, 0.10)",
    valley: "rgba(59, 123, 192, 0.14)",
    deep_valley: "rgba(59, 123, 192, 0.26)",
  };

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function dayOption(data) {
    var bands = data.bands.map(function (band) {
      return [
        { xAxis: data.labels[band.start], name: band.label, itemStyle: { color: BAND_COLOURS[band.kind] || "rgba(0,0,0,0.05)" } },
        { xAxis: data.labels[Math.min(band.end, data.labels.length - 1)] },
      ];
    });
    var series = data.series.map(function (line, index) {
      return {
        type: "line",
        name: line.name,
        data: line.values,
        showSymbol: false,
        step: "start",
        lineStyle: { width: 2, type: index === 1 ? "dashed" : "solid" },
        itemStyle: { color: LINE_COLOURS[index % LINE_COLOURS.length] },
        markArea: index === 0 ? { silent: true, label: { color: "#5f6b7a", fontSize: 10 }, data: bands } : undefined,
      };
    });
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 12, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, boundaryGap: false, axisLabel: { interval: 7, color: "#5f6b7a" } },
      yAxis: { type: "value", name: "kW", splitLine: { lineStyle: { color: "#e8ecf1" } } },
      series: series,
    };
  }

  function summerOption(data) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.days, axisLabel: { color: "#5f6b7a" } },
      yAxis: [
        { type: "value", name: "MW", splitLine: { lineStyle: { color: "#e8ecf1" } } },
        { type: "value", name: "°C", position: "right", min: 20, splitLine: { show: false } },
      ],
      series: [
        {
          type: "bar",
          name: data.labels.peak,
          data: data.peak.map(function (value, index) {
            return { value: value, itemStyle: { color: data.heat[index] ? "#c42828" : "#3b7bc0" } };
          }),
        },
        { type: "line", name: data.labels.temperature, yAxisIndex: 1, data: data.temperature, itemStyle: { color: "#f0a500" }, connectNulls: true },
      ],
    };
  }

  function draw(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-power-chart]").forEach(function (element) {
      var data = readJson(element.getAttribute("data-power-chart"));
      if (!data) return;
      var chart = echarts.getInstanceByDom(element) || echarts.init(element);
      chart.setOption(dayOption(data), true);
      element.setAttribute("data-drawn", "true");
    });
    root.querySelectorAll("[data-summer-chart]").forEach(function (element) {
      var data = readJson(element.getAttribute("data-summer-chart"));
      if (!data) return;
      var chart = echarts.getInstanceByDom(element) || echarts.init(element);
      chart.setOption(summerOption(data), true);
      element.setAttribute("data-drawn", "true");
    });
  }

  function resizeAll() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-drawn]").forEach(function (element) {
      var chart = echarts.getInstanceByDom(element);
      if (chart) chart.resize();
    });
  }

  // A plan that cannot be made comes back as 400 with its reason: show it in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr.status === 400 && detail.target && detail.target.id === "plan-result") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target.ownerDocument || document); });
  window.addEventListener("resize", resizeAll);
})();
