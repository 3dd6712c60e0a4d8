// The sweep page: each output against each varied parameter, the mean over
// the points' worlds with its 5-95% band (static/charts.js), from the
// sweep's own analysis at /api/sweeps/NAME.
(function () {
  "use strict";
  var root = document.getElementById("sweep");
  if (!root) return;
  window.packlawCharts = {};
  fetch("/api/sweeps/" + encodeURIComponent(root.dataset.name) + "?limit=1").then(function (r) {
    if (!r.ok) throw new Error("sweep " + r.status);
    return r.json();
  }).then(function (sweep) {
    var byKey = {};
    sweep.profiles.forEach(function (p) { byKey[p.parameter + "\u0000" + p.output] = p; });
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      var key = figure.dataset.parameter + "\u0000" + figure.dataset.output;
      var groups = (byKey[key] || { groups: [] }).groups;
      var data = [[], [], [], []];
      groups.forEach(function (g) {
        data[0].push(g.value);
        data[1].push(g.low);
        data[2].push(g.high);
        data[3].push(g.mean);
      });
      window.packlawCharts[key] = packlawBandChart(figure, data, figure.dataset.parameter, true);
    });
  }).catch(function (error) {
    document.querySelectorAll("figure.chart .plot").forEach(function (plot) {
      plot.textContent = "Could not load the sweep: " + error.message;
    });
  });
})();
