/**
 * The dashboard page's script (plain JavaScript kept as text, run after the report's client, whose
 * `window.moboReport.draw` draws every figure). It lists the experiments, shows the one chosen
 * (`?experiment=NAME`, else the first), follows its event stream and redraws on each change: first
 * with the cached models (fast), then, when trials completed since their fit, with refitted ones.
 * The attribute `data-dashboard-ready` on <html> counts the redraws, for tests.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var hash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  var token = hash ? decodeURIComponent(hash[1]) : null;
  var headers = token ? { Authorization: 'Bearer ' + token } : {};
  var panel = document.querySelector('[data-experiment-panel]');
  var nav = document.querySelector('[data-experiments]');
  var live = document.querySelector('[data-live]');
  var errorBox = document.querySelector('[data-dashboard-error]');
  var params = new URLSearchParams(location.search);
  var current = params.get('experiment');
  var through = null;
  var draws = 0;
  var loading = false, again = false, timer = null, stream = null, refit = null;

  function api(path) {
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error((body && body.error && body.error.message) || ('HTTP ' + r.status));
        return body;
      });
    });
  }

  function showError(e) {
    errorBox.hidden = false;
    errorBox.textContent = 'The dashboard could not load: ' + (e && e.message ? e.message : String(e));
  }

  function listExperiments() {
    return api('/api/experiments').then(function (listing) {
      var names = listing.experiments.map(function (e) { return e.name; });
      if (current === null || names.indexOf(current) < 0) current = names.length > 0 ? names[0] : null;
      nav.replaceChildren();
      listing.experiments.forEach(function (e) {
        var a = document.createElement('a');
        a.href = '?experiment=' + encodeURIComponent(e.name) + location.hash;
        a.setAttribute('data-experiment', e.name);
        a.textContent = e.error ? e.name + ' (unavailable)' : e.name + ' (' + e.trials + ' trials, ' + e.counts.completed + ' completed, ' + e.counts.running + ' running, ' + e.counts.failed + ' failed)';
        if (e.name === current) a.className = 'current';
        nav.appendChild(a);
      });
      if (current === null) panel.innerHTML = '<p class="note" data-empty="experiments">No experiments yet: create one with POST /api/experiments (see /openapi.json).</p>';
      return current;
    });
  }

  function render(view) {
    var y = window.scrollY;
    panel.innerHTML = view.html;
    window.moboReport.draw(panel, view.data);
    addThroughControl(view.data);
    window.scrollTo(0, y);
    draws++;
    document.documentElement.setAttribute('data-dashboard-ready', String(draws));
    panel.setAttribute('data-trials', String(view.data.trials.length));
  }

  function addThroughControl(data) {
    var host = panel.querySelector('[data-slice-through]');
    if (!host || !data.models) return;
    var label = document.createElement('label');
    label.textContent = ' slice through trial ';
    var input = document.createElement('select');
    input.setAttribute('data-control', 'through');
    var ids = data.front.slice();
    if (ids.indexOf(data.models.through.trial) < 0) ids.unshift(data.models.through.trial);
    ids.forEach(function (id) {
      var o = document.createElement('option');
      o.value = String(id);
      o.textContent = id + (data.front.indexOf(id) >= 0 ? ' (Pareto-optimal)' : '');
      input.appendChild(o);
    });
    input.value = String(data.models.through.trial);
    input.onchange = function () { through = input.value; refresh(); };
    label.appendChild(input);
    host.appendChild(label);
  }

  function viewUrl(models) {
    return '/api/experiments/' + encodeURIComponent(current) + '/dashboard?models=' + models + (through !== null ? '&through=' + encodeURIComponent(through) : '');
  }

  // One load at a time; a change during a load schedules one more.
  function refresh() {
    if (current === null) return;
    if (loading) { again = true; return; }
    loading = true;
    api(viewUrl('cached'))
      .then(function (view) {
        render(view);
        if (!view.modelsStale) return;
        // The server refits at most every few seconds: ask again when it will.
        if (view.refitInMs > 0) {
          clearTimeout(refit);
          refit = setTimeout(refresh, view.refitInMs + 50);
          return;
        }
        return api(viewUrl('fresh')).then(function (fresh) {
          render(fresh);
          if (fresh.modelsStale && fresh.refitInMs > 0) {
            clearTimeout(refit);
            refit = setTimeout(refresh, fresh.refitInMs + 50);
          }
        });
      })
      .then(function () { errorBox.hidden = true; }, showError)
      .then(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(function () { refresh(); listExperiments().catch(showError); }, 150);
  }

  // Server-sent events read with fetch (EventSource cannot send the Authorization header).
  function follow() {
    if (current === null) return;
    var controller = new AbortController();
    stream = controller;
    fetch('/api/experiments/' + encodeURIComponent(current) + '/events', { headers: headers, signal: controller.signal })
      .then(function (response) {
        if (!response.ok || !response.body) throw new Error('events: HTTP ' + response.status);
        live.textContent = 'live';
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) throw new Error('the event stream ended');
            buffer += decoder.decode(chunk.value, { stream: true });
            var cut;
            while ((cut = buffer.indexOf('\n\n')) >= 0) {
              var block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              var type = /^event: ?(.*)$/m.exec(block);
              if (type && type[1] !== 'ready') changed();
            }
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        if (stream !== controller) return;
        live.textContent = 'reconnecting…';
        setTimeout(function () { follow(); refresh(); }, 1000);
      });
  }

  listExperiments()
    .then(function () { refresh(); follow(); })
    .catch(showError);
})();
`;
