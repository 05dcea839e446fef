/* The youth pipeline's charts (ECharts): people in each stage, stages by town or village,
 * average days in each stage, conversions to full member by year. Data and labels come from
 * the page's "youth-chart-data" element (jiceng/youth/figures.py `chart_data`). */
(function () {
  "use strict";

  var COLOURS = ["#8a94a3", "#6aa6d8", "#1d4f91", "#e0a100", "#d9772b", "#c8372d"];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function options(kind, data) {
    var grid = { left: 8, right: 16, top: 28, bottom: 8, containLabel: true };
    if (kind === "funnel") {
      return {
        color: COLOURS,
        grid: { left: 28, right: 16, top: 28, bottom: 8, containLabel: true },
        tooltip: {},
        xAxis: { type: "category", data: data.funnel.map(function (f) { return f.label; }),
                 axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", colorBy: "data", label: { show: true, position: "top" },
                   data: data.funnel.map(function (f) { return f.value; }) }],
      };
    }
    if (kind === "areas") {
      return {
        color: COLOURS,
        grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { type: "scroll", top: 0 },
        xAxis: { type: "category", data: data.areas, axisLabel: { interval: 0, rotate: 40 } },
        yAxis: { type: "value", minInterval: 1 },
        series: data.series.map(function (s) {
          return { name: s.label, type: "bar", stack: "people", data: s.values };
        }),
      };
    }
    if (kind === "durations") {
      return {
        color: ["#1d4f91"],
        grid: grid,
        tooltip: {},
        xAxis: { type: "category", data: data.durations.map(function (d) { return d.label; }),
                 axisLabel: { interval: 0, rotate: 20 } },
        yAxis: { type: "value", name: "d" },
        series: [{ type: "bar", label: { show: true, position: "top" },
                   data: data.durations.map(function (d) { return d.days; }) }],
      };
    }
    return {
      color: ["#2e8b57"],
      grid: grid,
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.conversions.map(function (c) { return String(c.year); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", label: { show: true }, data: data.conversions.map(function (c) { return c.value; }) }],
    };
  }

  function init() {
    var data = readJson("youth-chart-data");
    if (!data || !window.echarts) {
      return;
    }
    document.querySelectorAll("[data-youth-chart]").forEach(function (element) {
      if (element.dataset.drawn) {
        return;
      }
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(options(element.dataset.youthChart, data));
      new ResizeObserver(function () {
        chart.resize();
      }).observe(element);
      element.dataset.drawn = "1";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
