/* Charts of the KPI page (ECharts): tickets and items handled per period with the mean wait,
 * items handled by hour, and by item. Data and labels come from json_script elements
 * ("kpi-chart-data", "kpi-labels"); the tables on the page hold the same figures.
 */
(function () {
  "use strict";

  var BLUE = "#3b7bc0";
  var GREEN = "#3b8f5a";
  var ORANGE = "#f0a500";
  var RED = "#c8372d";

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  var AXIS = {
    axisLabel: { color: "#5f6b7a" },
    splitLine: { lineStyle: { color: "#e8ecf1" } },
  };

  function seriesOption(data, names) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.periods, axisLabel: { color: "#5f6b7a" } },
      yAxis: [
        Object.assign({ type: "value", minInterval: 1 }, AXIS),
        Object.assign({ type: "value", name: names.meanWait, position: "right" }, AXIS),
      ],
      series: [
        { type: "bar", name: names.tickets, data: data.tickets, itemStyle: { color: BLUE } },
        { type: "bar", name: names.handled, data: data.handled, itemStyle: { color: GREEN } },
        { type: "bar", name: names.tidal, data: data.tidal, itemStyle: { color: ORANGE } },
        {
          type: "line",
          name: names.meanWait,
          yAxisIndex: 1,
          data: data.meanWait,
          itemStyle: { color: RED },
          connectNulls: true,
        },
      ],
    };
  }

  function hoursOption(data, names) {
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.hours, axisLabel: { color: "#5f6b7a" } },
      yAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
      series: [{ type: "bar", name: names.handled, data: data.handled, itemStyle: { color: GREEN } }],
    };
  }

  function itemsOption(data, names) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: [
        Object.assign({ type: "value", minInterval: 1 }, AXIS),
        Object.assign({ type: "value", name: names.meanHandle, position: "top" }, AXIS),
      ],
      yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { color: "#1f2933" } },
      series: [
        { type: "bar", name: names.handled, data: data.handled, itemStyle: { color: GREEN } },
        {
          type: "scatter",
          name: names.meanHandle,
          xAxisIndex: 1,
          data: data.meanHandle,
          itemStyle: { color: RED },
        },
      ],
    };
  }

  function init() {
    var data = readJson("kpi-chart-data");
    var names = readJson("kpi-labels") || {};
    if (!data || !window.echarts) {
      return;
    }
    var builders = { series: seriesOption, hours: hoursOption, items: itemsOption };
    document.querySelectorAll("[data-kpi-chart]").forEach(function (element) {
      var key = element.dataset.kpiChart;
      var part = data[key];
      if (!part || !builders[key]) {
        return;
      }
      if (key === "items") {
        element.style.height = Math.max(220, part.names.length * 26 + 60) + "px";
      }
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(Object.assign({ animationDuration: 300 }, builders[key](part, names)));
      new ResizeObserver(function () {
        chart.resize();
      }).observe(element);
      element.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
