/* The e-bike figures as charts: the county's (or town's) months as lines, the towns as bars.
   Data from the page itself (json_script "ebike-figures"); nothing fetched. */
(function () {
  "use strict";

  function start() {
    var node = document.getElementById("ebike-figures");
    if (!node || !window.echarts) {
      return;
    }
    var data = JSON.parse(node.textContent);
    document.querySelectorAll("[data-ebike-chart]").forEach(function (element) {
      var byMonth = element.dataset.ebikeChart === "month";
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 40, right: 12, top: 16, bottom: 56, containLabel: true },
        xAxis: { type: "category", data: byMonth ? data.months : data.towns, axisLabel: { interval: 0, rotate: byMonth ? 0 : 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: data.series.map(function (s) {
          return { name: s.name, type: byMonth ? "line" : "bar", data: byMonth ? s.byMonth : s.byTown };
        }),
      });
      window.addEventListener("resize", function () {
        chart.resize();
      });
      element.dataset.ready = "1";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
