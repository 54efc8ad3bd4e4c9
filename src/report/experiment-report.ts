import * as fs from 'node:fs';
import * as path from 'node:path';
import { JOURNAL_FORMAT } from '../experiment/events.js';
import { readJournal } from '../experiment/journal.js';
import { TRIAL_STATES } from '../experiment/trial.js';
import { loadReportAssets, type ReportAssets } from './assets.js';
import { CLIENT_SCRIPT } from './client.js';
import {
  type ExperimentReportData,
  type ExperimentReportDataOptions,
  experimentReportData,
  type ReportTrial,
} from './experiment-data.js';
import { escapeHtml, formatMs, formatNumber, renderPage } from './html.js';
import { median } from './statistics.js';

/** Options of `renderExperimentReport` and `renderBenchmarkReport`. */
export interface ReportOptions {
  /** The inlined libraries; default `loadReportAssets()` (read from the installed packages). */
  readonly assets?: ReportAssets;
  /** The time printed as "generated at"; default now. */
  readonly generatedAt?: Date;
}

/** Most rows a trial table prints; the rest are counted below it. */
const MAX_TABLE_ROWS = 500;

function cell(value: unknown): string {
  if (typeof value === 'number') return `<td class="num">${escapeHtml(formatNumber(value))}</td>`;
  return `<td>${escapeHtml(value === undefined ? '' : String(value))}</td>`;
}

function isoTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

function pointText(point: readonly number[], data: ExperimentReportData): string {
  return data.objectives.map((o, j) => `${o.name} = ${formatNumber(point[j]!)}`).join(', ');
}

function header(data: ExperimentReportData, generatedAt: Date): string {
  const states = TRIAL_STATES.filter((s) => data.counts[s] > 0 || s === 'completed' || s === 'failed')
    .map((s) => `<li class="${s}" data-state="${s}"><b>${data.counts[s]}</b>${s}</li>`)
    .join('');
  const objectives = data.objectives
    .map(
      (o) =>
        `<li><b>${escapeHtml(o.name)}</b>: ${o.minimize ? 'minimized' : 'maximized'}` +
        (o.threshold === undefined ? '' : `, threshold ${escapeHtml(formatNumber(o.threshold))}`) +
        '</li>',
    )
    .join('');
  const parameters = data.parameters
    .map((p) => `<li><b>${escapeHtml(p.name)}</b>: ${escapeHtml(p.description)}</li>`)
    .join('');
  const reference =
    data.reference === null
      ? '<span class="note">none yet: no feasible trial has completed</span>'
      : `${escapeHtml(pointText(data.reference.point, data))}<br><span class="note">${escapeHtml(data.reference.description)}</span>`;
  const constraints =
    data.outcomeConstraints.length === 0
      ? ''
      : `<dt>outcome constraints</dt><dd>${data.outcomeConstraints.map((c) => escapeHtml(c)).join('; ')}</dd>`;
  const torn =
    data.tornBytes > 0
      ? `<p class="note">The journal ends in an incomplete record (${data.tornBytes} bytes): the run crashed or is still writing. It is left out.</p>`
      : '';
  return `
<header data-section="header">
<h1>${escapeHtml(data.title)}</h1>
<p class="subtitle">journal <code>${escapeHtml(data.journal)}</code></p>
<ul class="states" data-counts>${states}<li><b>${data.trials.length}</b>trials in all</li>${
    data.infeasible > 0
      ? `<li class="failed" data-state="infeasible"><b>${data.infeasible}</b>completed but infeasible</li>`
      : ''
  }</ul>
${torn}
<div class="facts">
<dl>
<dt>created</dt><dd>${escapeHtml(isoTime(data.createdAt))}</dd>
<dt>last event</dt><dd>${escapeHtml(isoTime(data.lastEventAt))}</dd>
<dt>report</dt><dd>${escapeHtml(isoTime(generatedAt.getTime()))}</dd>
<dt>strategy</dt><dd>${escapeHtml(data.strategy)}</dd>
<dt>seed</dt><dd>${data.seed}</dd>
${constraints}
<dt>reference point</dt><dd data-reference>${reference}</dd>
<dt>hypervolume</dt><dd data-hypervolume>${data.hypervolume.length === 0 ? '0 (no completed trials)' : escapeHtml(formatNumber(data.hypervolumeNow))}${data.shortfall === null ? '' : ' <span class="note">(no feasible trial beats the reference point: see the hypervolume section)</span>'}</dd>
</dl>
<dl>
<dt>objectives</dt><dd><ul style="margin:0;padding-left:18px">${objectives}</ul></dd>
<dt>parameters</dt><dd><ul style="margin:0;padding-left:18px">${parameters}</ul></dd>
</dl>
</div>
</header>`;
}

function legend(withInfeasible: boolean, withReference: boolean): string {
  return [
    '<div class="legend">',
    '<span><svg width="12" height="12"><circle cx="6" cy="6" r="4" fill="#aeb5bf"/></svg> completed trial</span>',
    '<span><svg width="12" height="12"><circle cx="6" cy="6" r="5" fill="#d94801"/></svg> Pareto-optimal</span>',
    withInfeasible
      ? '<span><svg width="12" height="12"><path d="M2,2L10,10M10,2L2,10" stroke="#c0392b" stroke-width="1.8"/></svg> infeasible (breaks an outcome constraint)</span>'
      : '',
    withReference
      ? '<span><svg width="14" height="14"><path d="M7,1V13M1,7H13" stroke="#1f4e9c" stroke-width="2"/></svg> reference point</span>'
      : '',
    '</div>',
  ].join('');
}

function frontSection(data: ExperimentReportData): string {
  const m = data.objectives.length;
  const completed = data.counts.completed;
  const failed = data.counts.failed;
  const failedNote =
    failed > 0
      ? ` ${failed} failed trial${failed === 1 ? '' : 's'} reported no objective values and cannot be placed here (see the hypervolume figure and the table of failed trials).`
      : '';
  if (completed === 0) {
    return `<h2>Pareto front</h2><p class="note" data-empty="front">No trial has completed yet: there is nothing to plot.${failedNote}</p>`;
  }
  if (m === 1) {
    return `<h2>Best value</h2>
<figure data-plot="front" data-objectives="1"><div class="plot-host"></div>
<figcaption>Each completed trial's ${escapeHtml(data.objectives[0]!.name)} in the order values arrived (grey), and the best feasible value so far (line).${failedNote}</figcaption></figure>`;
  }
  if (m === 2) {
    return `<h2>Pareto front</h2>
${legend(data.infeasible > 0, data.reference !== null)}
<figure data-plot="front" data-objectives="2"><div class="plot-host"></div>
<figcaption>All ${completed} completed trials (grey), the ${data.front.length} Pareto-optimal feasible trials (orange) and the
staircase that bounds the region they dominate, closed at the reference point (a trial worse than the reference point
in either objective adds nothing to the hypervolume). Axes are the objectives as you defined them
(${data.objectives.map((o) => `${escapeHtml(o.name)} ${o.minimize ? 'minimized' : 'maximized'}`).join(', ')}).${failedNote}</figcaption></figure>`;
  }
  return `<h2>Pareto front</h2>
${legend(data.infeasible > 0, false)}
<figure data-plot="front" data-objectives="${m}"><div class="plot-host"></div>
<figcaption>Scatter matrix of the ${m} objectives: each objective's histogram on the diagonal, named as you defined it; the
panel in row i and column j plots objective j across against objective i up. All ${completed} completed trials in grey, the ${data.front.length} Pareto-optimal feasible trials in orange.${failedNote}</figcaption></figure>
<figure data-plot="parallel"><div class="plot-host"></div>
<figcaption>Parallel coordinates: one line per completed trial, Pareto-optimal ones in orange. Each axis runs from the worst
observed value (bottom) to the best (top), whatever the objective's sense; the numbers are the observed extremes.</figcaption></figure>`;
}

function hypervolumeSection(data: ExperimentReportData): string {
  if (data.reference === null || data.hypervolume.length === 0) {
    return `<h2>Hypervolume</h2><p class="note" data-empty="hypervolume">No hypervolume yet: it needs a reference point and a feasible completed trial.</p>`;
  }
  const failures =
    data.failures.length > 0
      ? ` Red crosses on the axis mark the ${data.failures.length} failed trial${data.failures.length === 1 ? '' : 's'}, placed after the completions that preceded ${data.failures.length === 1 ? 'it' : 'them'}.`
      : '';
  return `<h2>Hypervolume</h2>${shortfallNote(data)}
<figure data-plot="hypervolume"><div class="plot-host"></div>
<figcaption>Hypervolume of the feasible completed trials after each completion, with respect to the reference point
${escapeHtml(pointText(data.reference.point, data))} (${escapeHtml(data.reference.description)}).${failures}</figcaption></figure>`;
}

/** Why the hypervolume is 0: the best value of each objective against the reference point. */
function shortfallNote(data: ExperimentReportData): string {
  const short = data.shortfall;
  if (short === null) return '';
  const rows = data.objectives
    .map((o, j) => {
      const s = short.objectives[j]!;
      const verdict =
        s.gap < 0
          ? `beats it by ${formatNumber(-s.gap)}`
          : s.gap === 0
            ? 'equals it (must be strictly better)'
            : `${formatNumber(s.gap)} short`;
      const closest = short.closest.gaps[j]!;
      return `<tr><td>${escapeHtml(o.name)} (${o.minimize ? 'min' : 'max'})</td><td class="num">${escapeHtml(formatNumber(s.reference))}</td><td class="num">${escapeHtml(formatNumber(s.best))}</td><td>${escapeHtml(verdict)}</td><td>${closest >= 0 ? `${escapeHtml(formatNumber(closest))} short` : 'beats it'}</td></tr>`;
    })
    .join('');
  return `
<div data-shortfall>
<p><b>The hypervolume is 0 because no feasible trial beats the reference point in every objective</b> (a trial adds
volume only when it is strictly better than the reference point in all objectives at once). How far the trials are from it:</p>
<table data-table="shortfall"><thead><tr><th>objective</th><th class="num">reference</th><th class="num">best value</th><th>best value against the reference</th><th>closest trial (${short.closest.trial})</th></tr></thead><tbody>${rows}</tbody></table>
</div>`;
}

function timingsSection(data: ExperimentReportData): string {
  if (data.timings.length === 0) {
    const who =
      data.untimedGenerators.length > 0
        ? ` (the generators here, ${data.untimedGenerators.map((g) => escapeHtml(g)).join(', ')}, report none)`
        : '';
    return `<h2>Ask timings</h2><p class="note" data-empty="timings">The journal records no ask timings${who}, so there is nothing to plot.</p>`;
  }
  const rows = data.timingPhases
    .map((phase) => {
      const values = data.timings.map((t) => t.phases[phase]).filter((v): v is number => v !== undefined);
      const total = values.reduce((a, b) => a + b, 0);
      return `<tr><td>${escapeHtml(phase)}</td><td class="num">${values.length}</td><td class="num">${escapeHtml(formatMs(median(values)))}</td><td class="num">${escapeHtml(formatMs(Math.max(...values)))}</td><td class="num">${escapeHtml(formatMs(total))}</td></tr>`;
    })
    .join('');
  const total = data.timings.reduce((a, t) => a + t.totalMs, 0);
  const untimed =
    data.untimedGenerators.length > 0
      ? ` Generations by ${data.untimedGenerators.map((g) => escapeHtml(g)).join(', ')} report no timings and are left out.`
      : '';
  return `<h2>Ask timings</h2>
<figure data-plot="timings"><div class="plot-host"></div>
<figcaption>Time each generation spent in each phase, as the generators report it in their metadata (one bar per ask,
stacked by phase). ${data.timings.length} asks, ${escapeHtml(formatMs(total))} in all.${untimed}</figcaption></figure>
<table data-table="timings"><thead><tr><th>phase</th><th class="num">asks</th><th class="num">median</th><th class="num">max</th><th class="num">total</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function trialRows(trials: readonly ReportTrial[], columns: (t: ReportTrial) => string): string {
  const shown = trials.slice(0, MAX_TABLE_ROWS).map(columns).join('\n');
  return trials.length > MAX_TABLE_ROWS
    ? `${shown}\n<tr><td colspan="100" class="note">… and ${trials.length - MAX_TABLE_ROWS} more</td></tr>`
    : shown;
}

function frontTable(data: ExperimentReportData): string {
  const byId = new Map(data.trials.map((t) => [t.id, t]));
  const trials = data.front.map((id) => byId.get(id)!);
  if (trials.length === 0) {
    return `<h2>Pareto-optimal trials</h2><p class="note" data-empty="front-table">No feasible trial has completed yet.</p>`;
  }
  const objectiveHeads = data.objectives
    .map((o) => `<th class="num">${escapeHtml(o.name)} ${o.minimize ? '(min)' : '(max)'}</th>`)
    .join('');
  const metricHeads = data.otherMetrics.map((n) => `<th class="num">${escapeHtml(n)}</th>`).join('');
  const paramHeads = data.parameters.map((p) => `<th>${escapeHtml(p.name)}</th>`).join('');
  const body = trialRows(
    trials,
    (t) =>
      `<tr data-trial="${t.id}"><td class="num">${t.id}</td>${data.objectives.map((o) => cell(t.values?.[o.name])).join('')}${data.otherMetrics
        .map((n) => cell(t.values?.[n]))
        .join(
          '',
        )}${data.parameters.map((p) => cell(t.params[p.name])).join('')}<td>${escapeHtml(t.generator)}</td></tr>`,
  );
  return `<h2>Pareto-optimal trials</h2>
<p>${trials.length} feasible trial${trials.length === 1 ? '' : 's'} that no other dominates, best ${escapeHtml(data.objectives[0]!.name)} first; objective values as you defined them.</p>
<div class="table-wrap"><table data-table="front"><thead><tr><th class="num">trial</th>${objectiveHeads}${metricHeads}${paramHeads}<th>generator</th></tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

function failedTable(data: ExperimentReportData): string {
  const failed = data.trials.filter((t) => t.state === 'failed');
  if (failed.length === 0) return '';
  const paramHeads = data.parameters.map((p) => `<th>${escapeHtml(p.name)}</th>`).join('');
  const body = trialRows(
    failed,
    (t) =>
      `<tr data-trial="${t.id}"><td class="num">${t.id}</td><td class="reason">${escapeHtml(t.reason ?? '')}</td>${data.parameters
        .map((p) => cell(t.params[p.name]))
        .join('')}</tr>`,
  );
  return `<h2>Failed trials</h2>
<div class="table-wrap"><table data-table="failed"><thead><tr><th class="num">trial</th><th>reason</th>${paramHeads}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

function objectiveOptions(data: ExperimentReportData): string {
  return data.objectives
    .map((o, j) => `<option value="${j}">${escapeHtml(o.name)} (${o.minimize ? 'min' : 'max'})</option>`)
    .join('');
}

function parametersSection(data: ExperimentReportData): string {
  const shown = data.parameters.filter((p) => p.spec.type !== 'fixed');
  if (data.counts.completed === 0 || shown.length === 0) {
    return `<h2>Parameters</h2><p class="note" data-empty="parameters">No trial has completed yet: there is nothing to plot.</p>`;
  }
  return `<h2>Parameters</h2>
<p class="controls"><label>colour by <select data-control="color-by">${objectiveOptions(data)}</select></label></p>
<figure data-plot="parameters"><div class="plot-host"></div>
<figcaption>Parallel coordinates of the ${shown.length} parameters: one line per completed trial, coloured by the chosen
objective (brighter is better), the Pareto-optimal trials drawn thicker and last. Each axis spans the parameter's range
(its bounds, on a log axis where the parameter is log-scaled; choices evenly spaced), labelled with its ends.</figcaption></figure>`;
}

function modelSection(data: ExperimentReportData): string {
  const views = data.models;
  if (views === null) {
    return `<h2>What the model says</h2><p class="note" data-empty="models">No model views: ${escapeHtml(data.modelsNote)}.</p>`;
  }
  const through = Object.entries(views.through.params)
    .map(([k, v]) => `${escapeHtml(k)} = ${escapeHtml(typeof v === 'number' ? formatNumber(v) : String(v))}`)
    .join(', ');
  return `<h2>What the model says</h2>
<p class="note" data-models-note>${escapeHtml(data.modelsNote)}</p>
<figure data-plot="importance"><div class="plot-host"></div>
<figcaption>Parameter importance: for each objective, the inverse of the model's lengthscale for the parameter over the sum
across parameters (each objective's add up to 1; a long lengthscale means the objective hardly changes along the parameter).
Bars show the mean over the objectives, dots each objective. It is what the fitted model believes: with few trials,
or where the prior dominates, the ranking is uncertain.</figcaption></figure>
<p class="controls"><label>objective <select data-control="slice-objective">${objectiveOptions(data)}</select></label>
<span data-slice-through>through trial <b>${views.through.trial}</b> (${escapeHtml(views.through.why)})</span></p>
<figure data-plot="slices"><div class="plot-host"></div>
<figcaption>One-dimensional slices of the model: the posterior mean (line) and mean ± 2 standard deviations (band) of the
chosen objective as one parameter moves across its range and the others stay at trial ${views.through.trial}'s values
(${through}); the vertical rule marks the trial's own value. Panels share the vertical axis and are ordered by importance.
A flat slice means the model sees no effect of that parameter here; a wide band, that it does not know.</figcaption></figure>`;
}

function trialsSection(data: ExperimentReportData): string {
  if (data.trials.length === 0) return '';
  const states = TRIAL_STATES.filter((s) => data.counts[s] > 0)
    .map((s) => `<option value="${s}">${s} (${data.counts[s]})</option>`)
    .join('');
  return `<h2>All trials</h2>
<p class="controls"><label>filter <input type="search" data-control="trial-filter" placeholder="text in any column, e.g. xenon or 12"></label>
<label>state <select data-control="trial-state"><option value="">any</option>${states}</select></label>
<button type="button" data-control="trial-csv">download CSV</button>
<span class="note" data-trial-count></span></p>
<div class="table-wrap"><table data-table="trials"><thead></thead><tbody></tbody></table></div>
<p class="note">Click a column heading to sort by it (again to reverse). The CSV holds the rows shown, all of them, with full precision.</p>`;
}

function runningTable(data: ExperimentReportData): string {
  const running = data.trials.filter(
    (t) => t.state === 'running' || t.state === 'stale' || t.state === 'candidate',
  );
  if (running.length === 0) return '';
  const paramHeads = data.parameters.map((p) => `<th>${escapeHtml(p.name)}</th>`).join('');
  const body = trialRows(
    running,
    (t) =>
      `<tr data-trial="${t.id}"><td class="num">${t.id}</td><td>${t.state}</td><td>${escapeHtml(isoTime(t.startedAt ?? t.createdAt))}</td>${data.parameters
        .map((p) => cell(t.params[p.name]))
        .join('')}</tr>`,
  );
  return `<h2>Running trials</h2>
<div class="table-wrap"><table data-table="running"><thead><tr><th class="num">trial</th><th>state</th><th>since</th>${paramHeads}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

/**
 * The body of an experiment's page without the footer (the report and the dashboard both show it;
 * the client script draws its figures from the same data).
 */
export function renderExperimentBody(data: ExperimentReportData, generatedAt: Date): string {
  return [
    header(data, generatedAt),
    frontSection(data),
    hypervolumeSection(data),
    parametersSection(data),
    modelSection(data),
    runningTable(data),
    failedTable(data),
    trialsSection(data),
    frontTable(data),
    timingsSection(data),
  ].join('\n');
}

/** The page of an experiment (see `experimentReportData`): one self-contained HTML document. */
export function renderExperimentReport(data: ExperimentReportData, options: ReportOptions = {}): string {
  const generatedAt = options.generatedAt ?? new Date();
  const body = [
    renderExperimentBody(data, generatedAt),
    `<footer>Made by mobo report on ${escapeHtml(isoTime(generatedAt.getTime()))}. This file is self-contained: it needs no network.</footer>`,
  ].join('\n');
  return renderPage({
    title: `${data.title}: mobo report`,
    body,
    data,
    client: CLIENT_SCRIPT,
    assets: options.assets ?? loadReportAssets(),
  });
}

/** Names `mobo run` and the examples give the journal, most likely first. */
const JOURNAL_NAMES = ['journal.jsonl', 'experiment.jsonl'];

/** Whether `file` starts with a mobo journal header (its first line, read up to 64 kB). */
function startsWithJournalHeader(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(65_536);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, n);
    const end = text.indexOf('\n');
    const first = JSON.parse(end < 0 ? text : text.slice(0, end)) as { type?: unknown; format?: unknown };
    return first.type === 'header' && first.format === JOURNAL_FORMAT;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The journal of an experiment: `target` itself when it is a file; in a folder (an output folder
 * of `mobo run` holds `journal.jsonl`, and older ones a sidecar `runner.jsonl` too), `journal.jsonl` or
 * `experiment.jsonl`, else the one `*.jsonl` file that starts with a mobo journal header. Throws
 * an Error saying what was found otherwise.
 */
export function findJournal(target: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new Error(`${target}: no such file or folder`);
  }
  if (!stat.isDirectory()) return target;
  const files = fs
    .readdirSync(target, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => e.name)
    .sort();
  const named = JOURNAL_NAMES.find((name) => files.includes(name));
  if (named !== undefined) return path.join(target, named);
  const journals = files.filter((name) => startsWithJournalHeader(path.join(target, name)));
  if (journals.length === 1) return path.join(target, journals[0]!);
  if (journals.length === 0) {
    const others =
      files.length === 0 ? '' : ` (${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} not one)`;
    throw new Error(`${target}: no experiment journal in this folder${others}`);
  }
  throw new Error(
    `${target}: ${journals.length} experiment journals (${journals.join(', ')}); name the one to report on`,
  );
}

/**
 * Reads the journal of `target` (a journal file, or a folder holding one) without locking or
 * changing it, also while a run is writing it, and returns the report's data. The title is the
 * folder's name for a folder, else the journal's name without `.jsonl`.
 */
export function loadExperimentReportData(
  target: string,
  title?: string,
  options: ExperimentReportDataOptions = {},
): ExperimentReportData {
  const journal = findJournal(target);
  const isFolder = journal !== target;
  const name =
    title ??
    (isFolder ? path.basename(path.resolve(target)) : path.basename(journal).replace(/\.jsonl$/, ''));
  return experimentReportData(readJournal(journal), journal, name, options);
}
