// The dashboard's charts (ECharts), drawn from each chart's JSON block: no inline script.
// Each block holds {drawing, categories, series}; the same numbers are in the table beside
// the chart, which screen readers and printouts use. Tooltips are drawn on the canvas
// (richText): ECharts' HTML tooltips carry inline styles, which the pages' CSP refuses.
(function () {
  "use strict";

  var COLOURS = ["#1f5fa8", "#d9822b", "#2e8540", "#a23b72", "#6b6b6b"];
  // Ratings from 非常不满意 to 非常满意: red to green.
  var RATING_COLOURS = ["#b3261e", "#e07b39", "#c9b037", "#7cad4f", "#2e8540"];

  function option(spec) {
    var horizontal = spec.drawing === "horizontal_bars";
    var stacked = spec.drawing === "stacked_bars";
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      inverse: horizontal,
      axisLabel: { interval: 0, hideOverlap: true },
    };
    var valueAxis = { type: "value", minInterval: 1 };
    return {
      animation: false,
      color: stacked ? RATING_COLOURS : COLOURS,
      textStyle: { fontFamily: "sans-serif" },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { show: spec.series.length > 1, top: 0 },
      grid: { left: 8, right: 16, top: spec.series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (series) {
        return {
          name: series.name,
          type: spec.drawing === "line" ? "line" : "bar",
          stack: stacked ? "all" : undefined,
          data: series.data,
        };
      }),
    };
  }

  function draw(container) {
    var block = document.getElementById(container.getAttribute("data-chart"));
    if (!block || typeof echarts === "undefined") {
      return;
    }
    var spec = JSON.parse(block.textContent);
    if (spec.drawing === "horizontal_bars") {
      // One band per department, tall enough for its three bars.
      container.style.height = Math.max(320, 40 * spec.categories.length + 60) + "px";
    }
    var chart = echarts.init(container, null, { renderer: "canvas" });
    chart.setOption(option(spec));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".chart[data-chart]").forEach(draw);
  });
})();
