// The run page: each metric's daily mean with its 5-95% band (uPlot).
// Days are fetched a page at a time from /api/runs/ID/daily. Drag to zoom,
// double-click to zoom out, hover (or arrows on a focused chart) to read.
(function () {
  "use strict";
  var root = document.getElementById("run");
  if (!root) return;
  var run = root.dataset.run;
  var BAND = "rgba(33, 102, 172, 0.22)";
  var LINE = "rgb(33, 102, 172)";
  window.packlawCharts = {};

  function fetchAll(metric) {
    var columns = [[], [], [], []]; // day, p5, p95, mean
    function page(after) {
      var url = "/api/runs/" + run + "/daily?metric=" + encodeURIComponent(metric) + "&after=" + after;
      return fetch(url).then(function (r) {
        if (!r.ok) throw new Error(metric + ": " + r.status);
        return r.json();
      }).then(function (answer) {
        answer.rows.forEach(function (row) {
          columns[0].push(row.day);
          columns[1].push(row.p5);
          columns[2].push(row.p95);
          columns[3].push(row.mean);
        });
        return answer.next_after === null ? columns : page(answer.next_after);
      });
    }
    return page(0);
  }

  function width(figure) {
    return Math.max(260, figure.querySelector(".plot").clientWidth);
  }

  function chart(figure) {
    var metric = figure.dataset.metric;
    fetchAll(metric).then(function (data) {
      var plot = new uPlot({
        width: width(figure),
        height: 220,
        scales: { x: { time: false } },
        axes: [{ label: "day" }, {}],
        series: [
          { label: "day" },
          { label: "5%", stroke: BAND, width: 1 },
          { label: "95%", stroke: BAND, width: 1 },
          { label: "mean", stroke: LINE, width: 2 }
        ],
        bands: [{ series: [2, 1], fill: BAND }],
        cursor: { drag: { x: true, y: false } }
      }, data, figure.querySelector(".plot"));
      window.packlawCharts[metric] = plot;
      figure.dataset.drawn = "true";
      keyboard(figure, plot, data[0].length);
    }).catch(function (error) {
      figure.querySelector(".plot").textContent = "Could not load the figures: " + error.message;
    });
  }

  function keyboard(figure, plot, n) {
    var index = 0;
    figure.addEventListener("keydown", function (event) {
      var xs = plot.data[0];
      if (!n) return;
      var min = plot.scales.x.min, max = plot.scales.x.max, span = max - min;
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        index = Math.max(0, Math.min(n - 1, index + (event.key === "ArrowRight" ? 1 : -1)));
        plot.setCursor({ left: plot.valToPos(xs[index], "x"), top: plot.valToPos(plot.data[3][index] || 0, "y") });
      } else if (event.key === "+" || event.key === "=") {
        plot.setScale("x", { min: min + span / 4, max: max - span / 4 });
      } else if (event.key === "-" || event.key === "_") {
        plot.setScale("x", { min: Math.max(xs[0], min - span / 2), max: Math.min(xs[n - 1], max + span / 2) });
      } else if (event.key === "0" || event.key === "Escape") {
        plot.setScale("x", { min: xs[0], max: xs[n - 1] });
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  document.querySelectorAll("figure.chart").forEach(chart);
  window.addEventListener("resize", function () {
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      var plot = window.packlawCharts[figure.dataset.metric];
      if (plot) plot.setSize({ width: width(figure), height: 220 });
    });
  });
})();
