// The chronicle page: move through the chronicle, redraw the pack graph.
// The server has already drawn the page; this adds the slider, the line
// picker and the "view as" picker without reloading, and the pack graph
// (static/packgraph.js, Cytoscape.js). Every text is set with textContent or drawn on the
// canvas by Cytoscape, never parsed as HTML; the tables come from the
// server's own template (/chronicles/NAME/world), escaped there.
(function () {
  "use strict";
  var root = document.getElementById("chronicle");
  if (!root) return;
  var name = root.dataset.name;
  var state = { line: Number(root.dataset.line), as: root.dataset.as || "" };
  var slider = document.getElementById("line-slider");
  var number = document.getElementById("line-number");
  var viewAs = document.getElementById("view-as");
  var where = document.getElementById("where");
  var tables = document.getElementById("world-tables");
  var worldLink = document.getElementById("world-json");
  var base = "/chronicles/" + encodeURIComponent(name);
  var api = "/api/chronicles/" + encodeURIComponent(name);

  var packGraph = packlawPackGraph(document.getElementById("graph"));
  var graph = packGraph.graph;
  window.packlawGraph = graph;

  function draw(world) {
    packGraph.draw(world);
    where.textContent = "After line " + world.line + ", day " + world.day + (world.viewed_as ? ", as " + world.viewed_as + " may see it." : ".");
    root.dataset.drawnLine = String(world.line);
    root.dataset.drawnAs = world.viewed_as || "";
  }

  function markTimeline(line) {
    var items = document.querySelectorAll(".timeline li");
    items.forEach(function (li) {
      li.classList.toggle("future", Number(li.dataset.line) > line);
      li.classList.remove("current");
    });
    var current = null;
    items.forEach(function (li) { if (Number(li.dataset.line) <= line) current = li; });
    if (current) {
      current.classList.add("current");
      var list = current.parentElement;
      list.scrollTop = current.offsetTop - list.offsetTop - list.clientHeight / 2;
    }
  }

  function outsideTimeline(line) {
    var items = document.querySelectorAll(".timeline li");
    if (!items.length) return false;
    var first = Number(items[0].dataset.line), last = Number(items[items.length - 1].dataset.line);
    var earlier = document.querySelector("#timeline .earlier"), later = document.querySelector("#timeline .later");
    return (earlier && line < first) || (later && line > last);
  }

  function query() {
    var q = "?line=" + state.line;
    if (state.as) q += "&as=" + encodeURIComponent(state.as);
    return q;
  }

  var pending = 0;
  function show() {
    var ticket = ++pending;
    var q = query();
    Promise.all([
      fetch(api + "/world" + q).then(function (r) { if (!r.ok) throw new Error("world " + r.status); return r.json(); }),
      fetch(base + "/world" + q).then(function (r) { if (!r.ok) throw new Error("tables " + r.status); return r.text(); })
    ]).then(function (answers) {
      if (ticket !== pending) return; // a later move has been asked for
      if (outsideTimeline(state.line)) {
        location.assign(base + query()); // the server draws the timeline around the new line
        return;
      }
      draw(answers[0]);
      tables.innerHTML = answers[1]; // the server's escaped template
      markTimeline(state.line);
      worldLink.href = api + "/world" + q;
      history.replaceState(null, "", base + q);
    }).catch(function (error) {
      where.textContent = "Could not load the world: " + error.message;
    });
  }

  var timer = null;
  function moveTo(line) {
    line = Math.max(0, Math.min(Number(root.dataset.last), Math.round(line)));
    if (isNaN(line)) return;
    state.line = line;
    slider.value = String(line);
    number.value = String(line);
    clearTimeout(timer);
    timer = setTimeout(show, 60);
  }

  slider.addEventListener("input", function () { moveTo(Number(slider.value)); });
  number.addEventListener("change", function () { moveTo(Number(number.value)); });
  document.getElementById("controls").addEventListener("submit", function (event) {
    event.preventDefault();
    moveTo(Number(number.value));
  });
  // The view-as picker hides timeline lines too: that needs the server's page.
  viewAs.addEventListener("change", function () {
    state.as = viewAs.value;
    sessionStorage.setItem("packlaw-focus", "view-as"); // keyboard users keep their place
    location.assign(base + query());
  });
  if (sessionStorage.getItem("packlaw-focus") === "view-as") {
    sessionStorage.removeItem("packlaw-focus");
    viewAs.focus();
  }

  show();
})();
