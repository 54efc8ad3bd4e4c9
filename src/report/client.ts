/**
 * The script a report runs in the browser: reads the embedded JSON and draws each
 * `<figure data-plot="...">` with Observable Plot (globals `Plot` and `d3` from the inlined
 * bundles). Plain JavaScript kept as text, since the page has no module loader and no network.
 * Every mark carries a `className` (`<g class="mark-...">`) so tests can count its elements.
 * A figure that fails to draw shows the error in place and logs it, without stopping the others.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('mobo-report-data').textContent);
  var GREY = '#aeb5bf';
  var FRONT = '#d94801';
  var BAD = '#c0392b';
  var REF = '#1f4e9c';

  function hostOf(name) {
    return document.querySelector('figure[data-plot="' + name + '"] .plot-host');
  }

  function draw(name, render) {
    var host = hostOf(name);
    if (!host) return;
    try {
      render(host);
      host.closest('figure').setAttribute('data-drawn', 'true');
    } catch (error) {
      host.textContent = '';
      var p = document.createElement('p');
      p.className = 'error';
      p.textContent = 'This figure could not be drawn: ' + (error && error.message ? error.message : String(error));
      host.appendChild(p);
      console.error(error);
    }
  }

  function fmt(x) {
    if (typeof x !== 'number') return String(x);
    if (!isFinite(x)) return String(x);
    var a = Math.abs(x);
    if (a !== 0 && (a >= 1e6 || a < 1e-4)) return x.toExponential(3);
    return String(Number(x.toPrecision(6)));
  }

  function extent(values) {
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < values.length; i++) {
      if (values[i] < lo) lo = values[i];
      if (values[i] > hi) hi = values[i];
    }
    if (!(lo <= hi)) return [0, 1];
    if (lo === hi) { var pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 0.5; return [lo - pad, hi + pad]; }
    var margin = (hi - lo) * 0.04;
    return [lo - margin, hi + margin];
  }

  // --- the experiment report -------------------------------------------------------------------

  function experiment(data) {
    var objectives = data.objectives;
    var m = objectives.length;
    var names = objectives.map(function (o) { return o.name; });
    var byId = new Map(data.trials.map(function (t) { return [t.id, t]; }));
    var completed = data.trials.filter(function (t) { return t.values !== undefined; });
    var front = data.front.map(function (id) { return byId.get(id); });
    var infeasible = completed.filter(function (t) { return t.feasible === false; });
    var ref = data.reference ? data.reference.point : null;

    function sense(o) { return o.minimize ? 'minimized' : 'maximized'; }
    function label(o) { return o.name + ' (' + sense(o) + ')'; }
    function value(name) { return function (t) { return t.values[name]; }; }
    function title(t) {
      var lines = ['trial ' + t.id + (t.onFront ? ' (Pareto-optimal)' : '') + (t.feasible === false ? ' (infeasible)' : '')];
      names.forEach(function (n) { lines.push(n + ' = ' + fmt(t.values[n])); });
      Object.keys(t.params).forEach(function (k) { lines.push(k + ': ' + fmt(t.params[k])); });
      return lines.join('\n');
    }

    if (m === 1) {
      draw('front', function (host) {
        var o = objectives[0];
        var best = [];
        var current;
        completed.forEach(function (t, k) {
          var v = t.values[o.name];
          if (t.feasible && (current === undefined || (o.minimize ? v < current : v > current))) current = v;
          if (current !== undefined) best.push({ k: k + 1, v: current });
        });
        var values = completed.map(value(o.name));
        host.appendChild(Plot.plot({
          width: 760, height: 380, grid: true, marginLeft: 64, marginBottom: 44,
          x: { label: 'completed trials, in the order their values arrived', domain: [0.5, completed.length + 0.5], labelAnchor: 'center' },
          y: { label: label(o), domain: extent(values), labelAnchor: 'center' },
          marks: [
            Plot.dot(completed, { x: function (t, k) { return k + 1; }, y: value(o.name), fill: GREY, r: 3.5, title: title, className: 'mark-trials' }),
            Plot.line(best, { x: 'k', y: 'v', stroke: FRONT, curve: 'step-after', className: 'mark-best' }),
          ],
        }));
      });
    } else if (m === 2) {
      draw('front', function (host) {
        var a = names[0], b = names[1];
        var stairs = [];
        front.forEach(function (t, k) {
          if (k === 0 && ref) stairs.push({ x: t.values[a], y: ref[1] });
          stairs.push({ x: t.values[a], y: t.values[b] });
          var next = front[k + 1];
          if (next) stairs.push({ x: next.values[a], y: t.values[b] });
          else if (ref) stairs.push({ x: ref[0], y: t.values[b] });
        });
        var xs = completed.map(value(a)), ys = completed.map(value(b));
        if (ref) { xs.push(ref[0]); ys.push(ref[1]); }
        host.appendChild(Plot.plot({
          width: 760, height: 500, grid: true, marginLeft: 60, marginBottom: 44,
          x: { label: label(objectives[0]), domain: extent(xs), labelAnchor: 'center' },
          y: { label: label(objectives[1]), domain: extent(ys), labelAnchor: 'center' },
          marks: [
            Plot.line(stairs, { x: 'x', y: 'y', stroke: FRONT, strokeWidth: 1.5, strokeOpacity: 0.85, className: 'mark-staircase' }),
            Plot.dot(completed, { x: value(a), y: value(b), r: 3.5, fill: GREY, fillOpacity: 0.8, title: title, className: 'mark-trials' }),
            Plot.dot(infeasible, { x: value(a), y: value(b), r: 5, symbol: 'times', stroke: BAD, strokeWidth: 1.5, className: 'mark-infeasible' }),
            Plot.dot(front, { x: value(a), y: value(b), r: 5, fill: FRONT, stroke: 'white', strokeWidth: 1, title: title, className: 'mark-front' }),
            ref ? Plot.dot([ref], { x: function (p) { return p[0]; }, y: function (p) { return p[1]; }, symbol: 'plus', r: 7, stroke: REF, strokeWidth: 2, className: 'mark-reference' }) : null,
            ref ? Plot.text([ref], { x: function (p) { return p[0]; }, y: function (p) { return p[1]; }, text: function () { return 'reference point'; }, dx: -10, dy: -12, textAnchor: 'end', fill: REF, className: 'mark-reference-label' }) : null,
          ],
        }));
      });
    } else {
      draw('front', function (host) {
        var domains = names.map(function (n) { return extent(completed.map(value(n))); });
        var size = Math.max(150, Math.min(240, Math.floor(940 / m)));
        var grid = document.createElement('div');
        grid.className = 'matrix';
        grid.style.gridTemplateColumns = 'repeat(' + m + ', ' + size + 'px)';
        for (var i = 0; i < m; i++) {
          for (var j = 0; j < m; j++) {
            var cell = document.createElement('div');
            cell.setAttribute('data-panel', i + '-' + j);
            var common = { width: size, height: size, marginLeft: 44, marginBottom: 30, marginTop: 10, marginRight: 10, style: { fontSize: '10px' } };
            var plot;
            if (i === j) {
              plot = Plot.plot(Object.assign({}, common, {
                x: { domain: domains[j], label: null, ticks: 3 },
                y: { label: null, ticks: 3, insetTop: 22 },
                marks: [
                  Plot.rectY(completed, Plot.binX({ y: 'count' }, { x: value(names[j]), fill: GREY, thresholds: 12, domain: domains[j], className: 'mark-histogram' })),
                  Plot.frame({ stroke: '#ccc' }),
                  Plot.text([label(objectives[j])], { frameAnchor: 'top', dy: 4, fontSize: 12, fontWeight: 'bold', fill: '#1d2330', className: 'mark-name' }),
                ],
              }));
            } else {
              plot = Plot.plot(Object.assign({}, common, {
                x: { domain: domains[j], label: null, ticks: 3 },
                y: { domain: domains[i], label: null, ticks: 3 },
                marks: [
                  Plot.frame({ stroke: '#ccc' }),
                  Plot.dot(completed, { x: value(names[j]), y: value(names[i]), r: 2.5, fill: GREY, fillOpacity: 0.8, title: title, className: 'mark-trials' }),
                  Plot.dot(infeasible, { x: value(names[j]), y: value(names[i]), r: 3.5, symbol: 'times', stroke: BAD, className: 'mark-infeasible' }),
                  Plot.dot(front, { x: value(names[j]), y: value(names[i]), r: 3.5, fill: FRONT, stroke: 'white', strokeWidth: 0.5, title: title, className: 'mark-front' }),
                ],
              }));
            }
            cell.appendChild(plot);
            grid.appendChild(cell);
          }
        }
        host.appendChild(grid);
      });
      draw('parallel', function (host) {
        var bounds = names.map(function (n) {
          var vs = completed.map(value(n));
          return [Math.min.apply(null, vs), Math.max.apply(null, vs)];
        });
        // Each axis runs from its worst observed value (bottom) to its best (top).
        function level(o, j, v) {
          var lo = bounds[j][0], hi = bounds[j][1];
          if (!(hi > lo)) return 0.5;
          return o.minimize ? (hi - v) / (hi - lo) : (v - lo) / (hi - lo);
        }
        function rows(list) {
          var out = [];
          list.forEach(function (t) {
            objectives.forEach(function (o, j) { out.push({ id: t.id, objective: label(o), level: level(o, j, t.values[o.name]) }); });
          });
          return out;
        }
        var ends = [];
        objectives.forEach(function (o, j) {
          var best = o.minimize ? bounds[j][0] : bounds[j][1];
          var worst = o.minimize ? bounds[j][1] : bounds[j][0];
          ends.push({ objective: label(o), level: 1, text: fmt(best) });
          ends.push({ objective: label(o), level: 0, text: fmt(worst) });
        });
        var axes = objectives.map(label);
        host.appendChild(Plot.plot({
          width: Math.max(760, Math.min(960, 200 * m)), height: 380, marginTop: 28, marginBottom: 44, marginLeft: 60, marginRight: 60,
          x: { domain: axes, label: null, padding: 0.1, axis: 'bottom', tickSize: 0, tickPadding: 24 },
          y: { domain: [0, 1], axis: null },
          marks: [
            Plot.ruleX(axes, { stroke: '#888' }),
            Plot.line(rows(completed), { x: 'objective', y: 'level', z: 'id', stroke: GREY, strokeOpacity: 0.55, className: 'mark-trials' }),
            Plot.line(rows(front), { x: 'objective', y: 'level', z: 'id', stroke: FRONT, strokeWidth: 1.6, strokeOpacity: 0.9, className: 'mark-front' }),
            Plot.text(ends.filter(function (e) { return e.level === 1; }), { x: 'objective', y: 'level', text: 'text', dy: -10, fill: '#1d2330', className: 'mark-best' }),
            Plot.text(ends.filter(function (e) { return e.level === 0; }), { x: 'objective', y: 'level', text: 'text', dy: 10, fill: '#1d2330', className: 'mark-worst' }),
          ],
        }));
      });
    }

    draw('hypervolume', function (host) {
      var hv = data.hypervolume;
      var top = hv.length > 0 ? hv[hv.length - 1].hypervolume : 0;
      host.appendChild(Plot.plot({
        width: 760, height: 320, grid: true, marginLeft: 64, marginBottom: 44,
        x: { label: 'completed trials, in the order their values arrived', domain: [0, Math.max(1, hv.length) + 0.5], labelAnchor: 'center' },
        y: { label: 'hypervolume', domain: [0, top > 0 ? top * 1.05 : 1], labelAnchor: 'center' },
        marks: [
          Plot.ruleY([0]),
          Plot.line(hv, { x: 'completed', y: 'hypervolume', stroke: FRONT, strokeWidth: 1.8, className: 'mark-hypervolume' }),
          Plot.dot(hv, { x: 'completed', y: 'hypervolume', r: hv.length > 200 ? 1 : 2.2, fill: FRONT, title: function (d) { return 'after ' + d.completed + ' completed trials (last: trial ' + d.trial + '): ' + fmt(d.hypervolume); }, className: 'mark-hypervolume-points' }),
          Plot.dot(data.failures, { x: function (f) { return f.afterCompleted + 0.5; }, y: 0, symbol: 'times', r: 4, stroke: BAD, strokeWidth: 1.5, title: function (f) { return 'trial ' + f.trial + ' failed'; }, className: 'mark-failures' }),
        ],
      }));
    });

    draw('timings', function (host) {
      // Stacked by hand: one bar per ask centred on its number, phases bottom to top in legend order.
      var rows = [];
      data.timings.forEach(function (t) {
        var base = 0;
        data.timingPhases.forEach(function (phase) {
          var ms = t.phases[phase];
          if (ms === undefined) return;
          rows.push({ ask: t.ask, phase: phase, ms: ms, y1: base, y2: base + ms, generator: t.generator, trials: t.trials });
          base += ms;
        });
      });
      var asks = data.timings.map(function (t) { return t.ask; });
      var first = Math.min.apply(null, asks), last = Math.max.apply(null, asks);
      var pad = Math.max(0.6, (4 - (last - first)) / 2);
      var half = 0.4;
      host.appendChild(Plot.plot({
        width: 760, height: 300, marginLeft: 64, marginBottom: 44,
        x: { label: 'ask (generation number)', labelAnchor: 'center', domain: [first - pad, last + pad], ticks: asks.length <= 25 ? asks : undefined, tickFormat: function (v) { return Number.isInteger(v) ? String(v) : ''; } },
        y: { label: 'time (ms)', grid: true, nice: true, labelAnchor: 'center' },
        color: { domain: data.timingPhases, legend: true, scheme: 'tableau10' },
        marks: [
          Plot.rect(rows, { x1: function (d) { return d.ask - half; }, x2: function (d) { return d.ask + half; }, y1: 'y1', y2: 'y2', fill: 'phase', title: function (d) { return 'ask ' + d.ask + ' (' + d.generator + ', ' + d.trials + ' trials): ' + d.phase + ' ' + fmt(d.ms) + ' ms'; }, className: 'mark-timings' }),
          Plot.ruleY([0]),
        ],
      }));
    });
  }

  // --- the benchmark report --------------------------------------------------------------------

  function benchmark(data) {
    var methods = data.methods;
    function curves(id, panel, yLabel) {
      draw(id, function (host) {
        var own = [], refs = [];
        panel.series.forEach(function (s) {
          s.points.forEach(function (p) {
            (s.reference ? refs : own).push({ method: s.method, evaluations: p.evaluations, median: p.median, min: p.min, max: p.max });
          });
        });
        var all = own.concat(refs);
        var here = methods.filter(function (name) { return panel.series.some(function (s) { return s.method === name; }); });
        host.appendChild(Plot.plot({
          width: 760, height: 360, grid: true, marginLeft: 64, marginBottom: 44,
          x: { label: 'evaluations', labelAnchor: 'center' },
          y: { label: yLabel, labelAnchor: 'center' },
          // The same color for a method in every panel, a legend of this panel's methods only.
          color: { domain: here, range: here.map(function (name) { return d3.schemeTableau10[methods.indexOf(name) % 10]; }), legend: true },
          marks: [
            Plot.areaY(all, { x: 'evaluations', y1: 'min', y2: 'max', z: 'method', fill: 'method', fillOpacity: 0.15, className: 'mark-spread' }),
            Plot.line(own, { x: 'evaluations', y: 'median', z: 'method', stroke: 'method', strokeWidth: 2, className: 'mark-median' }),
            Plot.line(refs, { x: 'evaluations', y: 'median', z: 'method', stroke: 'method', strokeWidth: 2, strokeDasharray: '6 4', className: 'mark-reference' }),
          ],
        }));
      });
    }
    data.closure.forEach(function (panel, k) {
      curves('closure-' + k, panel, 'log10 hypervolume difference (lower is better)');
    });
    (data.highDimensional || []).forEach(function (panel, k) {
      curves('highdim-' + k, panel, 'hypervolume (higher is better)');
    });
    draw('overhead', function (host) {
      var rows = data.overhead.map(function (o) {
        return { method: o.method, series: 'm = ' + o.objectives, dimension: o.dimension, median: o.median, min: o.min, max: o.max };
      });
      var series = Array.from(new Set(data.overhead.map(function (o) { return o.objectives; }))).sort(function (a, b) { return a - b; })
        .map(function (m) { return 'm = ' + m; });
      var many = new Set(rows.map(function (r) { return r.method; })).size > 1;
      host.appendChild(Plot.plot({
        width: 760, height: 360, grid: true, marginLeft: 64, marginBottom: 44,
        x: { label: 'dimension d', labelAnchor: 'center' },
        y: { label: 'ask time (ms)', type: 'log', labelAnchor: 'center' },
        fx: many ? { label: null } : undefined,
        color: { domain: series, legend: true, scheme: 'tableau10' },
        marks: [
          Plot.ruleX(rows, { x: 'dimension', y1: 'min', y2: 'max', stroke: 'series', fx: many ? 'method' : undefined, strokeOpacity: 0.5, className: 'mark-spread' }),
          Plot.line(rows, { x: 'dimension', y: 'median', z: 'series', stroke: 'series', fx: many ? 'method' : undefined, marker: 'circle', className: 'mark-median' }),
        ],
      }));
    });
  }

  if (data.kind === 'experiment') experiment(data);
  else if (data.kind === 'benchmark') benchmark(data);
  document.documentElement.setAttribute('data-report-ready', 'true');
})();
`;
