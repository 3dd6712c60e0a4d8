// The pack graph (Cytoscape.js), shared by the chronicle page and the
// territory view: a world answer (/api/chronicles/NAME/world) drawn as packs
// with their alpha, betas, human members and allies tied to them, and the
// omegas and unaffiliated apart. Labels are drawn on the canvas, never
// parsed as HTML.
(function () {
  "use strict";
  var STYLE = [
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
  ];

  function elementsOf(world, options) {
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
    if (!options.packsOnly) world.unaffiliated.forEach(function (b) { kinds[b] = "unaffiliated"; });
    world.beings.forEach(function (b) {
      if (!(b.name in kinds)) return; // the dead are not drawn
      nodes.push({ data: { id: "being:" + b.name, label: b.name, standing: b.standing, health: b.health }, classes: kinds[b.name] });
    });
    return nodes.concat(edges);
  }

  // A graph in `container`; `draw(world)` redraws it. With `packsOnly`, the
  // unaffiliated (a recorded world's crowd) are left out.
  window.packlawPackGraph = function (container, options) {
    options = options || {};
    var graph = cytoscape({
      container: container,
      elements: [],
      userZoomingEnabled: true,
      boxSelectionEnabled: false,
      style: STYLE
    });
    function draw(world) {
      graph.batch(function () {
        graph.elements().remove();
        graph.add(elementsOf(world, options));
      });
      graph.layout({ name: "cose", animate: false, randomize: false, padding: 20, nodeRepulsion: function () { return 8000; } }).run();
      graph.fit(undefined, 20);
    }
    return { graph: graph, draw: draw };
  };
})();
