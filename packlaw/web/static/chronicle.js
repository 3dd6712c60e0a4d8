// The chronicle page: move through the chronicle, redraw the pack graph.
// The server has already drawn the page; this adds the slider, the line
// picker and the "view as" picker without reloading, and the pack graph
// (Cytoscape.js). Every text is set with textContent or drawn on the
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

  var graph = cytoscape({
    container: document.getElementById("graph"),
    elements: [],
    userZoomingEnabled: true,
    boxSelectionEnabled: false,
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 12, "text-valign": "bottom", "text-margin-y": 4, color: "#222", width: 26, height: 26 } },
      { selector: "node.pack", style: { shape: "round-rectangle", width: 70, height: 34, "background-color": "#f3efe6", "border-width": 3, "border-color": "#6b4f1d", "border-style": "dashed", "text-valign": "center", "text-margin-y": 0, "text-wrap": "wrap", "font-weight": "bold" } },
      { selector: "node.pack.established", style: { "border-style": "solid" } },
      { selector: "node.alpha", style: { shape: "star", width: 38, height: 38, "background-color": "#b2182b" } },
      { selector: "node.beta", style: { shape: "ellipse", "background-color": "#ef8a62" } },
      { selector: "node.human", style: { shape: "round-rectangle", "background-color": "#2166ac" } },
      { selector: "node.ally", style: { shape: "diamond", "background-color": "#1b7837" } },
      { selector: "node.omega", style: { shape: "octagon", "background-color": "#777777" } },
      { selector: "node.unaffiliated", style: { shape: "ellipse", width: 16, height: 16, "background-color": "#cccccc" } },
      { selector: "edge", style: { width: 2, "line-color": "#888", "curve-style": "bezier" } },
      { selector: "edge.leads", style: { width: 4, "line-color": "#b2182b" } },
      { selector: "edge.member", style: { "line-color": "#555" } },
      { selector: "edge.ally", style: { "line-style": "dashed", "line-color": "#1b7837" } }
    ]
  });
  window.packlawGraph = graph;

  function elementsOf(world) {
    var nodes = [], edges = [], kinds = {};
    world.packs.forEach(function (p) {
      var label = p.name + "\n" + p.strength.toFixed(2);
      nodes.push({ data: { id: "pack:" + p.name, label: label }, classes: "pack" + (p.established ? " established" : "") });
      function tie(being, cls, edge) {
        kinds[being] = cls;
        edges.push({ data: { id: edge + ":" + being, source: "being:" + being, target: "pack:" + p.name }, classes: edge });
      }
      if (p.alpha) tie(p.alpha, "alpha", "leads");
      p.betas.forEach(function (b) { tie(b, "beta", "member"); });
      p.human_members.forEach(function (b) { tie(b, "human", "member"); });
      p.allies.forEach(function (b) { tie(b, "ally", "ally"); });
    });
    world.omegas.forEach(function (b) { kinds[b] = "omega"; });
    world.unaffiliated.forEach(function (b) { kinds[b] = "unaffiliated"; });
    world.beings.forEach(function (b) {
      if (!(b.name in kinds)) return; // the dead are not drawn
      nodes.push({ data: { id: "being:" + b.name, label: b.name, standing: b.standing, health: b.health }, classes: kinds[b.name] });
    });
    return nodes.concat(edges);
  }

  function draw(world) {
    graph.batch(function () {
      graph.elements().remove();
      graph.add(elementsOf(world));
    });
    graph.layout({ name: "cose", animate: false, randomize: false, padding: 20, nodeRepulsion: function () { return 8000; } }).run();
    graph.fit(undefined, 20);
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
