// The territory view of a recorded world: play, pause, step and scrub its
// days on a canvas, with a hover that names the beings in a cell and the
// recorded chronicle's pack graph (static/packgraph.js) beside it.
//
// Days come in pages that each match a chunk of the film
// (/api/runs/ID/worlds/K/frames), as typed columns, and are kept; the page
// being shown and the next ones are fetched ahead, so moving through the days
// only draws: each being a square of pixels written into one ImageData, in
// the film's colours and order (packlaw.report.film, passed by the page).
// Every text is set with textContent.
(function () {
  "use strict";
  var root = document.getElementById("territory");
  if (!root) return;
  var run = root.dataset.run, worldIndex = root.dataset.world;
  var days = Number(root.dataset.days);
  var chronicle = root.dataset.chronicle;
  var standings = root.dataset.standings.split(",");
  var standingColours = root.dataset.standingColours.split(",").map(rgba);
  var packColours = root.dataset.packColours.split(",").map(rgba);
  var BACKGROUND = rgba(root.dataset.background), INK = rgba(root.dataset.ink), FOLLOW = rgba(root.dataset.follow);
  var ALPHA = standings.indexOf("alpha");
  // The film's order: the last drawn on top (alphas over members over the rest).
  var RANK = root.dataset.drawOrder.split(",").map(function (s) { return standings.indexOf(s); });
  var api = "/api/runs/" + run + "/worlds/" + worldIndex;
  var base = "/runs/" + run + "/worlds/" + worldIndex;

  var canvas = document.getElementById("map");
  var ctx = canvas.getContext("2d");
  var slider = document.getElementById("day-slider");
  var number = document.getElementById("day-number");
  var playButton = document.getElementById("play");
  var speed = document.getElementById("speed");
  var where = document.getElementById("where");
  var followed = document.getElementById("followed");
  var find = document.getElementById("find");
  var hover = document.getElementById("hover");
  var dayJson = document.getElementById("day-json");

  var film = null; // the world's layout and beings, once
  var pages = {}; // first day -> page (or a promise of it)
  var state = { day: Number(root.dataset.day), playing: false, follow: -1, cell: 8, image: null };
  var stats = { drawn: 0, missing: 0 };
  window.packlawTerritory = { state: state, stats: stats, pages: pages };

  document.querySelectorAll(".swatch").forEach(function (s) { s.style.backgroundColor = s.dataset.colour; });

  function rgba(hex) { // a colour as one little-endian RGBA word of a Uint32Array
    var v = parseInt(hex.slice(1), 16);
    return (0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff)) >>> 0;
  }

  // ------------------------------------------------------------ pages of days

  var TYPES = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array };

  function decode(column) {
    var text = atob(column.data), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new TYPES[column.dtype](bytes.buffer);
  }

  function pageStart(day) { return 1 + Math.floor((day - 1) / film.page_days) * film.page_days; }

  function page(first) {
    var kept = pages[first];
    if (kept) return kept.then ? null : kept;
    pages[first] = fetch(api + "/frames?first=" + first + "&limit=" + film.page_days).then(function (r) {
      if (!r.ok) throw new Error("days from " + first + ": " + r.status);
      return r.json();
    }).then(function (answer) {
      var columns = {};
      Object.keys(answer.columns).forEach(function (name) { columns[name] = decode(answer.columns[name]); });
      pages[first] = { first: answer.first_day, days: answer.days, beings: answer.beings, columns: columns, lines: answer.lines };
      if (pageStart(state.day) === first) draw();
    }).catch(function (error) {
      delete pages[first];
      where.textContent = "Could not load the days: " + error.message;
    });
    return null;
  }

  function prefetch() { // the page shown and the two after it (wrapping round when playing)
    var first = pageStart(state.day);
    for (var k = 0; k < 3; k++) {
      var at = first + k * film.page_days;
      if (at > days) at -= pageStart(days) + film.page_days - 1; // from day 1 again
      page(at);
    }
  }

  // ------------------------------------------------------------------ drawing

  function layout() {
    // As wide as its column, and no taller than most of the window.
    var room = Math.max(200, Math.min(canvas.parentElement.clientWidth, window.innerHeight * 0.7));
    state.cell = Math.max(2, Math.min(24, Math.floor(room / film.width)));
    canvas.width = film.width * state.cell;
    canvas.height = film.height * state.cell;
    state.image = ctx.createImageData(canvas.width, canvas.height);
    state.pixels = new Uint32Array(state.image.data.buffer);
  }

  function square(pixels, stride, x0, y0, size, colour) {
    for (var y = y0; y < y0 + size; y++) pixels.fill(colour, y * stride + x0, y * stride + x0 + size);
  }

  function draw() {
    var p = pages[pageStart(state.day)];
    if (!p || p.then) { stats.missing++; prefetch(); return; }
    var i = state.day - p.first, n = p.beings, at = i * n;
    var c = p.columns, cell = state.cell, stride = canvas.width, pixels = state.pixels;
    var inset = cell >= 4 ? 1 : 0;
    pixels.fill(BACKGROUND);
    for (var r = 0; r < RANK.length; r++) {
      var s = RANK[r], fill = standingColours[s];
      for (var b = 0; b < n; b++) {
        var k = at + b;
        if (!c.alive[k] || c.standing[k] !== s) continue;
        var x0 = c.x[k] * cell, y0 = c.y[k] * cell, pack = c.pack[k];
        if (inset) square(pixels, stride, x0, y0, cell, pack >= 0 ? packColours[pack % packColours.length] : fill);
        square(pixels, stride, x0 + inset, y0 + inset, cell - 2 * inset, fill);
        if (film.hostile[b] && cell >= 6) {
          for (var d = 1; d < cell - 1; d++) {
            pixels[(y0 + d) * stride + x0 + d] = INK;
            pixels[(y0 + d) * stride + x0 + cell - 1 - d] = INK;
          }
        }
      }
    }
    var f = state.follow;
    if (f >= 0 && f < n && c.alive[at + f]) { // a ring round the followed being
      var fx = c.x[at + f] * cell, fy = c.y[at + f] * cell, size = cell + 4;
      for (var e = -2; e < size - 2; e++) {
        [[fx + e, fy - 2], [fx + e, fy + cell + 1], [fx - 2, fy + e], [fx + cell + 1, fy + e]].forEach(function (q) {
          if (q[0] >= 0 && q[0] < stride && q[1] >= 0 && q[1] < canvas.height) pixels[q[1] * stride + q[0]] = FOLLOW;
        });
      }
    }
    ctx.putImageData(state.image, 0, 0);
    stats.drawn++;
    root.dataset.drawnDay = String(state.day);
    where.textContent = summary(p, i);
    clearTimeout(settling);
    if (!state.playing) settling = setTimeout(function () { settle(p, i); }, 120);
  }
  var settling = null;

  function summary(p, i) {
    var counts = standings.map(function () { return 0; }), alive = 0, hostile = 0, at = i * p.beings;
    for (var b = 0; b < p.beings; b++) {
      if (!p.columns.alive[at + b]) continue;
      alive++;
      counts[p.columns.standing[at + b]]++;
      if (film.hostile[b]) hostile++;
    }
    return "Day " + state.day + ": " + alive + " alive: " +
      standings.map(function (s, j) { return s + " " + counts[j]; }).join(", ") + " (hostile " + hostile + ").";
  }

  // --------------------------------------------- what the day shows in words

  function describe(p, i, b) {
    var k = i * p.beings + b, c = p.columns;
    if (b >= p.beings || state.day < film.born[b]) return film.names[b] + " is not in the world yet";
    if (!c.alive[k]) return film.names[b] + " is dead";
    var pack = c.pack[k] >= 0 ? " of " + film.pack_names[c.pack[k]] : "";
    return film.names[b] + ": " + standings[c.standing[k]] + pack + ", health " +
      (c.health[k] / 1000).toFixed(2) + (film.hostile[b] ? ", hostile" : "") +
      ", at (" + c.x[k] + ", " + c.y[k] + ")";
  }

  var graphLine = -1, graphTicket = 0;
  function settle(p, i) { // what is redrawn only when the day stops moving
    if (state.follow >= 0) followed.textContent = "Day " + state.day + ". " + describe(p, i, state.follow) + ".";
    packsTable(p, i);
    slider.value = number.value = String(state.day);
    dayJson.href = api + "/days/" + state.day;
    history.replaceState(null, "", base + "?day=" + state.day);
    var line = p.lines[i];
    if (!packGraph || line === graphLine) return;
    var ticket = ++graphTicket;
    fetch("/api/chronicles/" + encodeURIComponent(chronicle) + "/world?line=" + line).then(function (r) {
      if (!r.ok) throw new Error("chronicle " + r.status);
      return r.json();
    }).then(function (world) {
      if (ticket !== graphTicket) return;
      graphLine = line;
      packGraph.draw(world);
      document.getElementById("graph-where").textContent = "After line " + line + " of " + chronicle + ", the last of day " + state.day + ".";
      root.dataset.graphLine = String(line);
    }).catch(function (error) {
      document.getElementById("graph-where").textContent = "Could not load the pack graph: " + error.message;
    });
  }

  function packsTable(p, i) {
    var at = i * p.beings, c = p.columns, rows = {};
    for (var b = 0; b < p.beings; b++) {
      var k = at + b;
      if (!c.alive[k] || c.pack[k] < 0) continue;
      var row = rows[c.pack[k]] || (rows[c.pack[k]] = { alpha: null, counts: standings.map(function () { return 0; }) });
      row.counts[c.standing[k]]++;
      if (c.standing[k] === ALPHA && row.alpha === null) row.alpha = film.names[b];
    }
    var body = document.querySelector("#packs tbody");
    body.replaceChildren();
    Object.keys(rows).map(Number).sort(function (a, b) { return a - b; }).forEach(function (index) {
      var tr = document.createElement("tr"), th = document.createElement("th");
      th.scope = "row";
      th.textContent = film.pack_names[index];
      tr.appendChild(th);
      var cells = [rows[index].alpha || "none"].concat(rows[index].counts);
      cells.forEach(function (value, j) {
        var td = document.createElement("td");
        td.textContent = String(value);
        if (j > 0) td.className = "num";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (!body.children.length) {
      var tr = document.createElement("tr"), td = document.createElement("td");
      td.colSpan = standings.length + 2;
      td.textContent = "No pack has a living member.";
      tr.appendChild(td);
      body.appendChild(tr);
    }
    document.getElementById("packs-day").textContent = String(state.day);
  }

  // ----------------------------------------------------------------- moving

  function moveTo(day) {
    day = Math.max(1, Math.min(days, Math.round(day)));
    if (isNaN(day)) return;
    state.day = day;
    if (state.playing) slider.value = String(day);
    prefetch();
    draw();
  }

  var last = 0;
  function tick(now) {
    if (!state.playing) return;
    var interval = 1000 / Number(speed.value);
    if (now - last >= interval) {
      last = now - ((now - last) % interval);
      var p = pages[pageStart(state.day === days ? 1 : state.day + 1)];
      if (p && !p.then) moveTo(state.day === days ? 1 : state.day + 1); // else wait for it
      else prefetch();
    }
    requestAnimationFrame(tick);
  }

  function play(on) {
    state.playing = on;
    playButton.textContent = on ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) { last = performance.now(); requestAnimationFrame(tick); } else draw();
  }

  playButton.addEventListener("click", function () { play(!state.playing); });
  document.getElementById("step").addEventListener("click", function () { play(false); moveTo(state.day + 1); });
  document.getElementById("step-back").addEventListener("click", function () { play(false); moveTo(state.day - 1); });
  slider.addEventListener("input", function () { moveTo(Number(slider.value)); });
  number.addEventListener("change", function () { moveTo(Number(number.value)); });
  document.getElementById("controls").addEventListener("submit", function (event) {
    event.preventDefault();
    play(false);
    moveTo(Number(number.value));
  });
  canvas.addEventListener("keydown", function (event) {
    var keys = { " ": null, ArrowRight: 1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
    if (event.key === " ") play(!state.playing);
    else if (event.key in keys) { play(false); moveTo(state.day + keys[event.key]); }
    else if (event.key === "Home") { play(false); moveTo(1); }
    else if (event.key === "End") { play(false); moveTo(days); }
    else return;
    event.preventDefault();
  });
  find.addEventListener("change", function () {
    state.follow = film.names.indexOf(find.value.trim());
    followed.textContent = find.value.trim() && state.follow < 0 ? "No being here is named " + find.value.trim() + "." : "";
    draw();
  });

  canvas.addEventListener("mousemove", function (event) {
    var p = pages[pageStart(state.day)];
    if (!p || p.then) return;
    var box = canvas.getBoundingClientRect();
    var x = Math.floor((event.clientX - box.left) * canvas.width / box.width / state.cell);
    var y = Math.floor((event.clientY - box.top) * canvas.height / box.height / state.cell);
    var i = state.day - p.first, at = i * p.beings, c = p.columns, found = [];
    for (var b = 0; b < p.beings && found.length < 6; b++) {
      var k = at + b;
      if (c.alive[k] && c.x[k] === x && c.y[k] === y) found.push(describe(p, i, b));
    }
    if (!found.length) { hover.hidden = true; return; }
    hover.replaceChildren();
    found.forEach(function (text) {
      var line = document.createElement("div");
      line.textContent = text;
      hover.appendChild(line);
    });
    hover.hidden = false;
    hover.style.left = (event.clientX - box.left + 14) + "px";
    hover.style.top = (event.clientY - box.top + 14) + "px";
  });
  canvas.addEventListener("mouseleave", function () { hover.hidden = true; });

  var graphBox = document.getElementById("graph");
  var packGraph = graphBox && chronicle ? packlawPackGraph(graphBox, { packsOnly: true }) : null;
  if (packGraph) window.packlawGraph = packGraph.graph;

  fetch(api).then(function (r) {
    if (!r.ok) throw new Error("world " + r.status);
    return r.json();
  }).then(function (answer) {
    film = answer;
    window.packlawTerritory.film = film;
    layout();
    window.addEventListener("resize", function () { layout(); draw(); });
    moveTo(state.day);
  }).catch(function (error) {
    where.textContent = "Could not load the world: " + error.message;
  });
})();
