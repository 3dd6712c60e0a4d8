// The run page: each metric's daily mean with its 5-95% band (static/charts.js).
// Days are fetched a page at a time from /api/runs/ID/daily.
(function () {
  "use strict";
  var root = document.getElementById("run");
  if (!root) return;
  var run = root.dataset.run;
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

  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var metric = figure.dataset.metric;
    fetchAll(metric).then(function (data) {
      window.packlawCharts[metric] = packlawBandChart(figure, data, "day", false);
    }).catch(function (error) {
      figure.querySelector(".plot").textContent = "Could not load the figures: " + error.message;
    });
  });
})();
