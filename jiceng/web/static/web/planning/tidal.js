/* The tidal plan page: one day's half hours as a chart (ECharts) — expected arrivals with their
 * uncertainty band, windows required and windows open — switched by the day buttons.
 *
 * Data comes from the json_script element named by data-tidal-chart, translated labels from
 * "planning-labels". No inline code (CSP).
 */
(function () {
  "use strict";

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function option(data, day, labels) {
    var base = day.lower;
    var spread = day.upper.map(function (v, i) {
      return Math.max(v - day.lower[i], 0);
    });
    return {
      animationDuration: 300,
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { fontSize: 12 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.periods, axisLabel: { color: "#5f6b7a" } },
      yAxis: [
        {
          type: "value",
          name: labels.arrivals || "",
          minInterval: 1,
          splitLine: { lineStyle: { color: "#e8ecf1" } },
        },
        { type: "value", name: labels.windows || "", minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        {
          name: "lower",
          type: "line",
          data: base,
          stack: "band",
          symbol: "none",
          lineStyle: { opacity: 0 },
          tooltip: { show: false },
          legendHoverLink: false,
        },
        {
          name: labels.band || "",
          type: "line",
          data: spread,
          stack: "band",
          symbol: "none",
          lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(59, 123, 192, 0.18)" },
          tooltip: { show: false },
        },
        {
          name: labels.forecast || "",
          type: "line",
          data: day.mean,
          symbolSize: 4,
          itemStyle: { color: "#1d4f91" },
        },
        {
          name: labels.required || "",
          type: "bar",
          yAxisIndex: 1,
          data: day.required,
          barMaxWidth: 14,
          itemStyle: { color: "#f0a500" },
        },
        {
          name: labels.open || "",
          type: "line",
          step: "middle",
          yAxisIndex: 1,
          data: day.open,
          symbol: "none",
          lineStyle: { width: 2 },
          itemStyle: { color: "#3b8f5a" },
        },
      ],
    };
  }

  function init() {
    var element = document.querySelector("[data-tidal-chart]");
    var data = element && readJson(element.dataset.tidalChart);
    if (!element || !data || !data.days.length || !window.echarts) {
      return;
    }
    var labels = readJson("planning-labels") || {};
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var legendNames = [labels.forecast, labels.band, labels.required, labels.open];
    function show(index) {
      var option_ = option(data, data.days[index], labels);
      option_.legend.data = legendNames;
      chart.setOption(option_, true);
      document.querySelectorAll(".planning-day").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.day === String(index)));
      });
      element.dataset.day = String(index);
    }
    document.querySelectorAll(".planning-day").forEach(function (button) {
      button.addEventListener("click", function () {
        show(parseInt(button.dataset.day, 10));
      });
    });
    show(0);
    new ResizeObserver(function () {
      chart.resize();
    }).observe(element);
    element.dataset.drawn = "1";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
