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
  // Where figures are looked up: the document for a report, the experiment's panel on the dashboard.
  var root = document;
  // Choices a reader made (colour, objective, sort, filter), kept when the dashboard redraws.
  var ui = { colorBy: 0, sliceObjective: 0, sortKey: 'id', sortDescending: false, filter: '', state: '' };
  var GREY = '#aeb5bf';
  var FRONT = '#d94801';
  var BAD = '#c0392b';
  var REF = '#1f4e9c';

  function hostOf(name) {
    return root.querySelector('figure[data-plot="' + name + '"] .plot-host');
  }

  function draw(name, render) {
    var host = hostOf(name);
    if (!host) return;
    host.textContent = '';
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

  // --- parameters, model views and the trial table (report and dashboard) ----------------------

  function control(name) { return root.querySelector('[data-control="' + name + '"]'); }

  /** Position of a parameter value on its axis, 0..1: the unit-cube encoding, choices evenly spaced. */
  function position(spec, v) {
    if (spec.type === 'float' || spec.type === 'int') {
      var lo = spec.bounds[0], hi = spec.bounds[1];
      if (!(hi > lo)) return 0.5;
      if (spec.log) return (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
      return (v - lo) / (hi - lo);
    }
    if (spec.type === 'choice') {
      var k = spec.values.indexOf(v);
      return spec.values.length > 1 ? k / (spec.values.length - 1) : 0.5;
    }
    return 0.5;
  }

  function axisEnds(spec) {
    if (spec.type === 'float' || spec.type === 'int') return [fmt(spec.bounds[0]), fmt(spec.bounds[1])];
    if (spec.type === 'choice') return [String(spec.values[0]), String(spec.values[spec.values.length - 1])];
    return ['', ''];
  }

  function parameterViews(data) {
    var objectives = data.objectives;
    var completed = data.trials.filter(function (t) { return t.values !== undefined; });
    var specs = data.parameters.filter(function (p) { return p.spec.type !== 'fixed'; });

    var colorBy = control('color-by');
    if (colorBy) {
      colorBy.value = String(Math.min(ui.colorBy, objectives.length - 1));
      colorBy.onchange = function () { ui.colorBy = Number(colorBy.value); drawParameters(); };
    }
    function drawParameters() {
      draw('parameters', function (host) {
        var o = objectives[Math.min(ui.colorBy, objectives.length - 1)];
        // Worst first, so that the best lines are drawn on top; the front last of all.
        var sorted = completed.slice().sort(function (a, b) {
          var d = a.values[o.name] - b.values[o.name];
          return o.minimize ? -d : d;
        });
        function rows(list) {
          var out = [];
          list.forEach(function (t) {
            specs.forEach(function (p) {
              out.push({ id: t.id, parameter: p.name, level: position(p.spec, t.params[p.name]), value: t.values[o.name] });
            });
          });
          return out;
        }
        var axes = specs.map(function (p) { return p.name; });
        var ends = [];
        specs.forEach(function (p) {
          var e = axisEnds(p.spec);
          ends.push({ parameter: p.name, level: 0, text: e[0] });
          ends.push({ parameter: p.name, level: 1, text: e[1] });
        });
        var values = completed.map(function (t) { return t.values[o.name]; });
        var width = Math.max(760, Math.min(1600, 64 * axes.length));
        host.appendChild(Plot.plot({
          width: width, height: 400, marginTop: 24, marginBottom: 56, marginLeft: 40, marginRight: 40,
          x: { domain: axes, label: null, padding: 0.2, axis: 'bottom', tickSize: 0, tickPadding: 22, tickRotate: axes.length > 12 ? -30 : 0 },
          y: { domain: [0, 1], axis: null },
          color: { type: 'linear', scheme: 'viridis', reverse: o.minimize, domain: extent(values), legend: true, label: o.name + (o.minimize ? ' (min, brighter is lower)' : ' (max, brighter is higher)') },
          marks: [
            Plot.ruleX(axes, { stroke: '#888' }),
            Plot.line(rows(sorted), { x: 'parameter', y: 'level', z: 'id', stroke: 'value', strokeOpacity: 0.6, strokeWidth: 1, className: 'mark-trials' }),
            Plot.line(rows(sorted.filter(function (t) { return t.onFront; })), { x: 'parameter', y: 'level', z: 'id', stroke: 'value', strokeWidth: 2.4, className: 'mark-front' }),
            Plot.text(ends.filter(function (e) { return e.level === 1; }), { x: 'parameter', y: 'level', text: 'text', dy: -10, fontSize: 9, fill: '#1d2330', className: 'mark-axis-top' }),
            Plot.text(ends.filter(function (e) { return e.level === 0; }), { x: 'parameter', y: 'level', text: 'text', dy: 10, fontSize: 9, fill: '#1d2330', className: 'mark-axis-bottom' }),
          ],
        }));
      });
    }
    drawParameters();

    var views = data.models;
    if (!views) return;
    draw('importance', function (host) {
      var rows = [];
      var means = [];
      views.importance.forEach(function (p) {
        var mean = 0;
        p.importance.forEach(function (v, j) { rows.push({ parameter: p.parameter, objective: views.objectives[j], importance: v }); mean += v; });
        means.push({ parameter: p.parameter, importance: mean / p.importance.length });
      });
      var order = views.importance.map(function (p) { return p.parameter; });
      host.appendChild(Plot.plot({
        width: 760, height: 40 + 20 * order.length, marginLeft: 120, marginBottom: 36,
        x: { label: 'importance (share of the inverse lengthscales)', labelAnchor: 'center', grid: true, domain: [0, Math.max.apply(null, rows.map(function (r) { return r.importance; })) * 1.05] },
        y: { domain: order, label: null },
        color: { domain: views.objectives, scheme: 'tableau10', legend: true },
        marks: [
          Plot.barX(means, { y: 'parameter', x: 'importance', fill: '#d9dee5', className: 'mark-importance-mean' }),
          Plot.dot(rows, { y: 'parameter', x: 'importance', fill: 'objective', r: 4, title: function (r) { return r.parameter + ' for ' + r.objective + ': ' + (100 * r.importance).toFixed(1) + '%'; }, className: 'mark-importance' }),
        ],
      }));
    });

    var sliceObjective = control('slice-objective');
    if (sliceObjective) {
      sliceObjective.value = String(Math.min(ui.sliceObjective, objectives.length - 1));
      sliceObjective.onchange = function () { ui.sliceObjective = Number(sliceObjective.value); drawSlices(); };
    }
    function drawSlices() {
      draw('slices', function (host) {
        var j = Math.min(ui.sliceObjective, objectives.length - 1);
        var o = objectives[j];
        var rank = new Map(views.importance.map(function (p, k) { return [p.parameter, k]; }));
        var slices = views.slices.slice().sort(function (a, b) { return rank.get(a.parameter) - rank.get(b.parameter); });
        var lows = [], highs = [];
        slices.forEach(function (s) { s.points.forEach(function (p) { lows.push(p.mean[j] - 2 * p.sd[j]); highs.push(p.mean[j] + 2 * p.sd[j]); }); });
        var y = extent(lows.concat(highs));
        var share = new Map(views.importance.map(function (p) { return [p.parameter, p.importance[j]]; }));
        var grid = document.createElement('div');
        grid.className = 'matrix';
        grid.style.gridTemplateColumns = 'repeat(auto-fill, minmax(230px, 1fr))';
        slices.forEach(function (s) {
          var cell = document.createElement('div');
          cell.setAttribute('data-slice', s.parameter);
          var points = s.points.map(function (p) { return { value: p.value, mean: p.mean[j], lo: p.mean[j] - 2 * p.sd[j], hi: p.mean[j] + 2 * p.sd[j], feasible: p.feasible }; });
          var common = { width: 230, height: 170, marginLeft: 46, marginBottom: 30, marginTop: 22, marginRight: 10, style: { fontSize: '10px' }, y: { domain: y, label: null, ticks: 4, grid: true } };
          var name = s.parameter + ' (' + (100 * share.get(s.parameter)).toFixed(0) + '%)';
          var plot;
          if (s.kind === 'categorical') {
            plot = Plot.plot(Object.assign({}, common, {
              x: { domain: points.map(function (p) { return String(p.value); }), label: null, type: 'point', padding: 0.5 },
              marks: [
                Plot.ruleX(points, { x: function (p) { return String(p.value); }, y1: 'lo', y2: 'hi', stroke: FRONT, strokeOpacity: 0.35, strokeWidth: 8, className: 'mark-slice-band' }),
                Plot.dot(points, { x: function (p) { return String(p.value); }, y: 'mean', fill: FRONT, r: 3.5, className: 'mark-slice-mean' }),
                Plot.ruleX([String(s.at)], { stroke: REF, strokeDasharray: '3 3', className: 'mark-slice-at' }),
                Plot.text([name], { frameAnchor: 'top-left', dy: -16, fontWeight: 'bold', fontSize: 11, fill: '#1d2330' }),
              ],
            }));
          } else {
            plot = Plot.plot(Object.assign({}, common, {
              x: { type: s.log ? 'log' : 'linear', label: null, ticks: 4 },
              marks: [
                Plot.areaY(points, { x: 'value', y1: 'lo', y2: 'hi', fill: FRONT, fillOpacity: 0.18, className: 'mark-slice-band' }),
                Plot.line(points, { x: 'value', y: 'mean', stroke: FRONT, strokeWidth: 1.6, className: 'mark-slice-mean' }),
                Plot.ruleX([s.at], { stroke: REF, strokeDasharray: '3 3', className: 'mark-slice-at' }),
                Plot.text([name], { frameAnchor: 'top-left', dy: -16, fontWeight: 'bold', fontSize: 11, fill: '#1d2330' }),
              ],
            }));
          }
          cell.appendChild(plot);
          grid.appendChild(cell);
        });
        var label = document.createElement('p');
        label.className = 'note';
        label.textContent = 'vertical axes: ' + o.name + ' (' + (o.minimize ? 'minimized' : 'maximized') + '), model mean ± 2 sd';
        host.appendChild(label);
        host.appendChild(grid);
      });
    }
    drawSlices();
  }

  function isoTime(ms) { return ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''); }

  /** The trial table's columns: key, heading, value of a trial, numeric or not. */
  function trialColumns(data) {
    var cols = [
      { key: 'id', head: 'trial', get: function (t) { return t.id; }, num: true },
      { key: 'state', head: 'state', get: function (t) { return t.state + (t.feasible === false ? ' (infeasible)' : '') + (t.onFront ? ' (front)' : ''); } },
    ];
    data.objectives.forEach(function (o) { cols.push({ key: 'o:' + o.name, head: o.name + (o.minimize ? ' (min)' : ' (max)'), get: function (t) { return t.values ? t.values[o.name] : undefined; }, num: true }); });
    data.otherMetrics.forEach(function (n) { cols.push({ key: 'm:' + n, head: n, get: function (t) { return t.values ? t.values[n] : undefined; }, num: true }); });
    data.parameters.forEach(function (p) {
      var numeric = p.spec.type === 'float' || p.spec.type === 'int';
      cols.push({ key: 'p:' + p.name, head: p.name, get: function (t) { return t.params[p.name]; }, num: numeric });
    });
    cols.push({ key: 'generator', head: 'generator', get: function (t) { return t.generator; } });
    cols.push({ key: 'asked', head: 'asked (UTC)', get: function (t) { return isoTime(t.createdAt); } });
    cols.push({ key: 'started', head: 'started (UTC)', get: function (t) { return isoTime(t.startedAt); } });
    cols.push({ key: 'finished', head: 'finished (UTC)', get: function (t) { return isoTime(t.endedAt); } });
    cols.push({ key: 'reason', head: 'reason', get: function (t) { return t.reason; } });
    return cols;
  }

  function csvField(v) {
    if (v === undefined || v === null) return '';
    var text = String(v);
    return /[",\r\n]|^\s|\s$/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  var MAX_ROWS = 1000;

  function trialTable(data) {
    var table = root.querySelector('table[data-table="trials"]');
    if (!table) return;
    var cols = trialColumns(data);
    var filter = control('trial-filter');
    var state = control('trial-state');
    var csv = control('trial-csv');
    var count = root.querySelector('[data-trial-count]');
    if (filter) filter.value = ui.filter;
    if (state) state.value = ui.state;

    function rows() {
      var needle = ui.filter.trim().toLowerCase();
      var list = data.trials.filter(function (t) {
        if (ui.state && t.state !== ui.state) return false;
        if (!needle) return true;
        return cols.some(function (c) { var v = c.get(t); return v !== undefined && String(v).toLowerCase().indexOf(needle) >= 0; });
      });
      var col = cols.find(function (c) { return c.key === ui.sortKey; }) || cols[0];
      list.sort(function (a, b) {
        var x = col.get(a), y = col.get(b);
        // Missing values last whichever the direction.
        if (x === undefined || x === '') return y === undefined || y === '' ? a.id - b.id : 1;
        if (y === undefined || y === '') return -1;
        var d = col.num ? x - y : String(x).localeCompare(String(y));
        if (d === 0) d = a.id - b.id;
        return ui.sortDescending ? -d : d;
      });
      return list;
    }

    function render() {
      var list = rows();
      var head = document.createElement('tr');
      cols.forEach(function (c) {
        var th = document.createElement('th');
        th.textContent = c.head + (ui.sortKey === c.key ? (ui.sortDescending ? ' \u25BC' : ' \u25B2') : '');
        th.setAttribute('data-sort', c.key);
        if (c.num) th.className = 'num';
        th.style.cursor = 'pointer';
        th.onclick = function () {
          if (ui.sortKey === c.key) ui.sortDescending = !ui.sortDescending;
          else { ui.sortKey = c.key; ui.sortDescending = false; }
          render();
        };
        head.appendChild(th);
      });
      table.tHead.replaceChildren(head);
      var body = document.createDocumentFragment();
      list.slice(0, MAX_ROWS).forEach(function (t) {
        var tr = document.createElement('tr');
        tr.setAttribute('data-trial', String(t.id));
        tr.className = t.state;
        cols.forEach(function (c) {
          var td = document.createElement('td');
          var v = c.get(t);
          td.textContent = v === undefined ? '' : typeof v === 'number' ? fmt(v) : String(v);
          if (c.num) td.className = 'num';
          if (c.key === 'reason') td.className = 'reason';
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      table.tBodies[0].replaceChildren(body);
      if (count) count.textContent = list.length + ' of ' + data.trials.length + ' trials' + (list.length > MAX_ROWS ? ' (the first ' + MAX_ROWS + ' shown; the CSV has all)' : '');
      table.setAttribute('data-rows', String(list.length));
    }

    if (filter) filter.oninput = function () { ui.filter = filter.value; render(); };
    if (state) state.onchange = function () { ui.state = state.value; render(); };
    if (csv) csv.onclick = function () {
      var lines = [cols.map(function (c) { return csvField(c.head); }).join(',')];
      rows().forEach(function (t) {
        // Full precision in the file, not the table's 6 digits.
        lines.push(cols.map(function (c) { return csvField(c.get(t)); }).join(','));
      });
      var blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' });
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = (data.title || 'trials').replace(/[^A-Za-z0-9._-]+/g, '_') + '-trials.csv';
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    };
    render();
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

  function drawAll(data) {
    if (data.kind === 'experiment') {
      experiment(data);
      parameterViews(data);
      trialTable(data);
    } else if (data.kind === 'benchmark') benchmark(data);
  }

  // The dashboard draws an experiment's panel (its HTML from the same renderer) with the same code.
  window.moboReport = {
    draw: function (container, data) {
      // The panel's controls redraw later within the same container.
      root = container;
      drawAll(data);
    },
  };

  var embedded = document.getElementById('mobo-report-data');
  if (embedded) {
    drawAll(JSON.parse(embedded.textContent));
    document.documentElement.setAttribute('data-report-ready', 'true');
  }
})();
`;
