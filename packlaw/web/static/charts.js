// A mean with its 5-95% band, drawn by uPlot: the run page's daily curves and
// the sweep page's outputs against a parameter. Drag to zoom, double-click
// to zoom out, hover (or arrows on the focused figure) to read the values,
// + and - zoom, 0 resets.
(function () {
  "use strict";
  var BAND = "rgba(33, 102, 172, 0.22)";
  var LINE = "rgb(33, 102, 172)";

  function width(figure) {
    return Math.max(260, figure.querySelector(".plot").clientWidth);
  }

  // data: [xs, 5%, 95%, mean]; xLabel names the x axis; `points` marks each value.
  window.packlawBandChart = function (figure, data, xLabel, points) {
    var plot = new uPlot({
      width: width(figure),
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label: xLabel }, {}],
      series: [
        { label: xLabel },
        { label: "5%", stroke: BAND, width: 1 },
        { label: "95%", stroke: BAND, width: 1 },
        { label: "mean", stroke: LINE, width: 2, points: { show: !!points } }
      ],
      bands: [{ series: [2, 1], fill: BAND }],
      cursor: { drag: { x: true, y: false } }
    }, data, figure.querySelector(".plot"));
    figure.dataset.drawn = "true";
    keyboard(figure, plot, data[0].length);
    window.addEventListener("resize", function () { plot.setSize({ width: width(figure), height: 220 }); });
    return plot;
  };

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
})();
