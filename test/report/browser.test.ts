/**
 * Opens reports in Debian's Chromium (headless, network blocked) and checks what they draw.
 * Skipped, with a message, where /usr/bin/chromium is absent: `apt-get install -y chromium`.
 * Screenshots go to test-artifacts/ for a person to look at.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportAssets } from '../../src/report/assets.js';
import { renderBenchmarkReport } from '../../src/report/benchmark-report.js';
import { loadExperimentReportData, renderExperimentReport } from '../../src/report/experiment-report.js';
import {
  type BuiltExperiment,
  buildDtlz2Experiment,
  buildSingleObjectiveExperiment,
  syntheticBenchmarks,
  tempDir,
} from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

if (!HAVE_CHROMIUM) {
  console.warn(
    `test/report/browser.test.ts: skipped: ${CHROMIUM} is absent (install it with apt-get install -y chromium)`,
  );
}

/** An opened report and what went wrong while it loaded. */
interface Opened {
  readonly page: Page;
  /** Console errors and uncaught page errors. */
  readonly problems: string[];
  /** Requests for anything but the file itself (all aborted). */
  readonly requests: string[];
}

/** The number of points of an SVG path drawn with M and L commands only (a linear Plot line). */
function pathPoints(d: string | null): number {
  return d === null ? 0 : (d.match(/[ML]/g) ?? []).length;
}

describe.skipIf(!HAVE_CHROMIUM)(`reports in Chromium (${CHROMIUM}, network blocked)`, () => {
  const temp = tempDir('mobo-report-browser-');
  let context: BrowserContext;
  let m2: BuiltExperiment;
  let m3: BuiltExperiment;
  let m1: BuiltExperiment;
  const files = { m1: '', m2: '', m3: '', benchmark: '' };

  beforeAll(async () => {
    const assets = loadReportAssets();
    for (const [name, m, strategy] of [
      ['m2', 2, 'nsga2'],
      ['m3', 3, 'sobol'],
    ] as const) {
      const dir = path.join(temp.dir, name);
      fs.mkdirSync(dir);
      const built = await buildDtlz2Experiment(dir, m, strategy, 30);
      if (name === 'm2') m2 = built;
      else m3 = built;
      files[name] = path.join(dir, 'report.html');
      fs.writeFileSync(files[name], renderExperimentReport(loadExperimentReportData(dir), { assets }));
    }
    const single = path.join(temp.dir, 'm1');
    fs.mkdirSync(single);
    m1 = await buildSingleObjectiveExperiment(single);
    files.m1 = path.join(single, 'report.html');
    fs.writeFileSync(files.m1, renderExperimentReport(loadExperimentReportData(single), { assets }));
    files.benchmark = path.join(temp.dir, 'benchmark.html');
    fs.writeFileSync(files.benchmark, renderBenchmarkReport(syntheticBenchmarks(), { assets }));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    context = await chromium.launchPersistentContext(path.join(temp.dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await context?.close();
    temp.cleanup();
  });

  async function open(file: string): Promise<Opened> {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith('file:') && !requests.includes(url)) requests.push(url);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('html[data-report-ready="true"]', { timeout: 240_000 });
    return { page, problems, requests };
  }

  async function settle(opened: Opened, shot: string): Promise<void> {
    await opened.page.screenshot({ path: path.join(ARTIFACTS, shot), fullPage: true });
    expect(opened.problems).toEqual([]);
    expect(opened.requests).toEqual([]);
    expect(await opened.page.locator('.error').count()).toBe(0);
  }

  it('draws the two-objective report: every completed trial, the front, one hypervolume point per completion', async () => {
    const opened = await open(files.m2);
    const { page } = opened;
    const completed = m2.optimizer.trials('completed').length;
    const front = m2.optimizer.paretoFront().length;
    expect(completed).toBeGreaterThan(10);
    for (const name of ['front', 'hypervolume', 'timings']) {
      expect(await page.locator(`figure[data-plot="${name}"]`).getAttribute('data-drawn')).toBe('true');
    }
    const frontPlot = page.locator('figure[data-plot="front"]');
    expect(await frontPlot.locator('g.mark-trials circle').count()).toBe(completed);
    expect(await frontPlot.locator('g.mark-front circle').count()).toBe(front);
    // The staircase: each front point, the corners between them, and both ends at the reference point.
    expect(pathPoints(await frontPlot.locator('g.mark-staircase path').getAttribute('d'))).toBe(
      2 * front + 1,
    );
    expect(await frontPlot.locator('g.mark-reference').count()).toBe(1);
    const hv = page.locator('figure[data-plot="hypervolume"]');
    expect(await hv.locator('g.mark-hypervolume path').count()).toBe(1);
    expect(pathPoints(await hv.locator('g.mark-hypervolume path').getAttribute('d'))).toBe(completed);
    expect(await hv.locator('g.mark-hypervolume-points circle').count()).toBe(completed);
    expect(await hv.locator('g.mark-failures path').count()).toBe(m2.optimizer.trials('failed').length);
    // NSGA-II: two phases for each ask.
    expect(await page.locator('figure[data-plot="timings"] g.mark-timings rect').count()).toBe(
      2 * Math.ceil(30 / 4),
    );
    await settle(opened, 'report-m2.png');
  });

  it('draws the three-objective report: a scatter matrix and parallel coordinates', async () => {
    const opened = await open(files.m3);
    const { page } = opened;
    const completed = m3.optimizer.trials('completed').length;
    const front = m3.optimizer.paretoFront().length;
    const matrix = page.locator('figure[data-plot="front"]');
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const panel = matrix.locator(`[data-panel="${i}-${j}"]`);
        if (i === j) {
          expect(await panel.locator('g.mark-histogram rect').count()).toBeGreaterThan(0);
        } else {
          expect(await panel.locator('g.mark-trials circle').count()).toBe(completed);
          expect(await panel.locator('g.mark-front circle').count()).toBe(front);
        }
      }
    }
    const parallel = page.locator('figure[data-plot="parallel"]');
    expect(await parallel.getAttribute('data-drawn')).toBe('true');
    expect(await parallel.locator('g.mark-trials path').count()).toBe(completed);
    expect(await parallel.locator('g.mark-front path').count()).toBe(front);
    const hv = page.locator('figure[data-plot="hypervolume"] g.mark-hypervolume path');
    expect(pathPoints(await hv.getAttribute('d'))).toBe(completed);
    await settle(opened, 'report-m3.png');
  });

  it('draws the parameter and model views; the trial table sorts, filters and downloads its rows as CSV', async () => {
    const opened = await open(files.m3);
    const { page } = opened;
    const trials = m3.optimizer.trials();
    const completed = trials.filter((t) => t.state === 'completed');
    const front = m3.optimizer.paretoFront().length;
    const parameters = page.locator('figure[data-plot="parameters"]');
    expect(await parameters.getAttribute('data-drawn')).toBe('true');
    expect(await parameters.locator('g.mark-trials path').count()).toBe(completed.length);
    expect(await parameters.locator('g.mark-front path').count()).toBe(front);
    const legend = async () => (await parameters.textContent()) ?? '';
    expect(await legend()).toContain('f1 (min');
    await page.selectOption('[data-control="color-by"]', '2');
    expect(await legend()).toContain('f3 (max');
    // Importance: a dot per parameter and objective; slices: one panel per parameter, each a line.
    expect(await page.locator('figure[data-plot="importance"] g.mark-importance circle').count()).toBe(6 * 3);
    const slices = page.locator('figure[data-plot="slices"] [data-slice]');
    expect(await slices.count()).toBe(6);
    expect(await slices.locator('g.mark-slice-mean path').count()).toBe(6);
    await page.selectOption('[data-control="slice-objective"]', '1');
    expect(await page.locator('figure[data-plot="slices"]').textContent()).toContain('vertical axes: f2');

    const table = page.locator('table[data-table="trials"]');
    expect(await table.getAttribute('data-rows')).toBe(String(trials.length));
    // Sort by f1 (ascending, then descending): the first row is the smallest, then the largest f1.
    const f1 = completed.map((t) => ({ id: t.id, v: t.values!.f1! })).sort((a, b) => a.v - b.v);
    await table.locator('th[data-sort="o:f1"]').click();
    expect(await table.locator('tbody tr').first().getAttribute('data-trial')).toBe(String(f1[0]!.id));
    await table.locator('th[data-sort="o:f1"]').click();
    expect(await table.locator('tbody tr').first().getAttribute('data-trial')).toBe(String(f1.at(-1)!.id));
    // Filter by state, then by text.
    const failed = trials.filter((t) => t.state === 'failed');
    await page.selectOption('[data-control="trial-state"]', 'failed');
    expect(await table.getAttribute('data-rows')).toBe(String(failed.length));
    await page.selectOption('[data-control="trial-state"]', '');
    await page.fill('[data-control="trial-filter"]', 'exit 139');
    expect(await table.getAttribute('data-rows')).toBe(String(failed.length));
    const download = page.waitForEvent('download');
    await page.click('[data-control="trial-csv"]');
    const csv = fs.readFileSync((await (await download).path())!, 'utf8');
    const lines = csv.split('\r\n').filter((l) => l !== '');
    // One line per row shown, plus the header; rows without f1 come last, by id, whatever the direction.
    expect(lines).toHaveLength(failed.length + 1);
    expect(lines[0]).toMatch(/^trial,state,f1 \(min\),f2 \(min\),f3 \(max\),load,x1,/);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(failed.map((t) => t.id));
    await page.fill('[data-control="trial-filter"]', '');
    await settle(opened, 'report-m3-views.png');
  });

  it('draws a single-objective report: each value and the best so far', async () => {
    const opened = await open(files.m1);
    const completed = m1.optimizer.trials('completed').length;
    const front = opened.page.locator('figure[data-plot="front"]');
    expect(await front.locator('g.mark-trials circle').count()).toBe(completed);
    expect(await front.locator('g.mark-best path').count()).toBe(1);
    const hv = opened.page.locator('figure[data-plot="hypervolume"] g.mark-hypervolume path');
    expect(pathPoints(await hv.getAttribute('d'))).toBe(completed);
    await settle(opened, 'report-m1.png');
  });

  it('draws the benchmark report: a median line per method and problem, ask time against dimension', async () => {
    const opened = await open(files.benchmark);
    const { page } = opened;
    expect(await page.locator('figure[data-plot="closure-0"] g.mark-median path').count()).toBe(3);
    expect(await page.locator('figure[data-plot="closure-0"] g.mark-reference path').count()).toBe(1);
    expect(await page.locator('figure[data-plot="closure-0"] g.mark-spread path').count()).toBe(4);
    expect(await page.locator('figure[data-plot="closure-1"] g.mark-median path').count()).toBe(3);
    expect(await page.locator('figure[data-plot="overhead"] g.mark-median path').count()).toBe(2);
    expect(await page.locator('figure[data-plot="overhead"]').getAttribute('data-drawn')).toBe('true');
    await settle(opened, 'report-benchmark.png');
  });
});
