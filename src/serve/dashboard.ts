/**
 * The live dashboard of `mobo serve`: a page at `/` and one read-only route per experiment,
 * `GET /api/experiments/:name/dashboard`, which returns the experiment's report body (HTML, from the
 * report's own renderer) and its data; the page draws it with the report's client script (the same
 * figures, one implementation) and redraws on each change the experiment's event stream announces.
 *
 * The models behind the importance and slice views take seconds to fit for hundreds of trials, on
 * the server's thread, so they are cached per experiment: `?models=cached` (what the page asks
 * first, so a tell shows within a moment) answers with the last fit, marked stale when trials have
 * completed since; `?models=fresh` refits when stale, then answers, but refits at most every 10 s (or
 * 5 fit durations), so that an open dashboard never takes much of the server's time from asks and
 * tells; `refitInMs` in the answer says when the next refit may run. `?through=ID` picks the trial
 * the slices go through.
 *
 * The page needs no network beyond its server: d3 and Observable Plot are inlined as in the report.
 * With tokens, open it as `/#token=TOKEN`: the page sends the token on each request (the event
 * stream is read with fetch, which can send headers, rather than EventSource, which cannot).
 */
import * as path from 'node:path';
import type { Hono } from 'hono';
import { readJournal } from '../experiment/journal.js';
import { loadReportAssets, type ReportAssets } from '../report/assets.js';
import { CLIENT_SCRIPT } from '../report/client.js';
import { experimentReportData, modelsFor } from '../report/experiment-data.js';
import { renderExperimentBody } from '../report/experiment-report.js';
import { renderPage } from '../report/html.js';
import { fitObjectiveModels, type ObjectiveModels } from '../report/model-views.js';
import { DASHBOARD_SCRIPT } from './dashboard-client.js';
import { invalidRequest } from './errors.js';
import { type ExperimentService, JOURNAL_FILE } from './service.js';

/** Options of `dashboardRoutes`. */
export interface DashboardOptions {
  /** The inlined libraries; default read once from the installed packages. */
  readonly assets?: ReportAssets;
  /** Most completed trials the models are fitted on (the latest); default 300. */
  readonly maxModelTrials?: number;
}

/** A fit, the number of completed trials it saw, and when it ended (ms since the epoch). */
interface CachedFit {
  readonly completed: number;
  readonly fitted: ObjectiveModels | undefined;
  readonly at: number;
}

/**
 * Least time between two refits of an experiment's models: the fit runs on the server's thread, so
 * while trials keep completing it refits at most every 10 s, or 5 times the last fit's duration
 * (the server then spends at most a sixth of its time fitting for an open dashboard).
 */
function refitInterval(last: CachedFit): number {
  return Math.max(10_000, 5 * (last.fitted?.fitMs ?? 0));
}

const PAGE_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'";

function dashboardPage(assets: ReportAssets): string {
  const body = `
<header class="dashboard-head"><h1>mobo serve</h1>
<p class="subtitle">Live: the page redraws when an experiment changes (server-sent events). <span data-live class="note">connecting…</span></p>
<nav data-experiments class="controls"></nav></header>
<p class="error" data-dashboard-error hidden></p>
<section data-experiment-panel><p class="note">Loading the experiments…</p></section>`;
  return renderPage({
    title: 'mobo serve: dashboard',
    body,
    data: { kind: 'dashboard' },
    client: `${CLIENT_SCRIPT}\n${DASHBOARD_SCRIPT}`,
    assets,
  }).replace(
    /<meta http-equiv="Content-Security-Policy" content="[^"]*">/,
    `<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">`,
  );
}

/**
 * Mounts the dashboard on `app` (pass it as `AppOptions.extraRoutes`): `GET /` and
 * `GET /api/experiments/:name/dashboard` (behind the API's auth, read scope).
 */
export function dashboardRoutes(
  options: DashboardOptions = {},
): (app: Hono, service: ExperimentService) => void {
  return (app, service) => {
    let page: string | undefined;
    const fits = new Map<string, CachedFit>();
    app.get('/', (c) => {
      page ??= dashboardPage(options.assets ?? loadReportAssets());
      c.header('Content-Security-Policy', PAGE_CSP);
      c.header('Cache-Control', 'no-store');
      return c.html(page);
    });
    app.get('/api/experiments/:name/dashboard', async (c) => {
      const name = c.req.param('name');
      const opt = await service.optimizer(name);
      const throughRaw = c.req.query('through');
      let through: number | undefined;
      if (throughRaw !== undefined && throughRaw !== '') {
        through = Number(throughRaw);
        if (!/^\d{1,15}$/.test(throughRaw) || opt.trials().every((t) => t.id !== through)) {
          throw invalidRequest([
            {
              path: 'through',
              message: `expected the id of a trial of "${name}", got ${JSON.stringify(throughRaw)}`,
            },
          ]);
        }
      }
      const mode = c.req.query('models') ?? 'fresh';
      if (mode !== 'fresh' && mode !== 'cached') {
        throw invalidRequest([
          { path: 'models', message: `expected fresh or cached, got ${JSON.stringify(mode)}` },
        ]);
      }
      const journal = path.join(service.folderOf(name), JOURNAL_FILE);
      const data = experimentReportData(readJournal(journal), journal, name, { models: false });
      const trials = opt.trials();
      const completed = data.counts.completed;
      let cached = fits.get(name);
      const stale = cached === undefined || cached.completed !== completed;
      const wait = cached === undefined ? 0 : Math.max(0, cached.at + refitInterval(cached) - Date.now());
      if (stale && mode === 'fresh' && wait === 0) {
        const fitOptions = { maxTrials: options.maxModelTrials ?? 300 };
        const fitted = fitObjectiveModels(opt.space, opt.outcomes, trials, fitOptions);
        cached = { completed, fitted, at: Date.now() };
        fits.set(name, cached);
      }
      const fitted = cached?.fitted;
      const views =
        fitted === undefined
          ? {
              models: null,
              modelsNote:
                cached === undefined ? 'fitting the models…' : 'the models need at least 2 completed trials',
            }
          : modelsFor(opt.space, opt.outcomes, trials, through === undefined ? {} : { through }, fitted);
      const modelsStale = cached === undefined || cached.completed !== completed;
      const full = {
        ...data,
        models: views.models,
        modelsNote:
          modelsStale && fitted !== undefined
            ? `${views.modelsNote} ${completed - (cached?.completed ?? 0)} more trials have completed since: refitting…`
            : views.modelsNote,
      };
      // When the models are stale: how long until a fresh request refits them (0: now).
      const refitInMs =
        !modelsStale || cached === undefined
          ? 0
          : Math.max(0, cached.at + refitInterval(cached) - Date.now());
      return c.json({ html: renderExperimentBody(full, new Date()), data: full, modelsStale, refitInMs });
    });
  };
}
