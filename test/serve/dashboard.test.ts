/**
 * The live dashboard of `mobo serve`, in Debian's Chromium (headless): the page loads and draws a
 * 20-parameter, 3-objective experiment (front, hypervolume, parameters, importance, slices, tables),
 * and a tell made by the test appears without reloading (waiting for the DOM to change). Also with
 * tokens (`/#token=...`). Screenshots go to test-artifacts/. Skipped where /usr/bin/chromium is absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../src/experiment/config.js';
import { loadReportAssets } from '../../src/report/assets.js';
import { dashboardRoutes } from '../../src/serve/dashboard.js';
import { TOKENS_FILE, TokenStore } from '../../src/serve/tokens.js';
import { type TestServer, testServer } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** 20 parameters (18 floats, a log-scaled rate, a choice), 3 objectives (one maximized). */
const detector: ExperimentConfig = {
  parameters: [
    ...Array.from({ length: 18 }, (_, j) => ({
      name: `x${j + 1}`,
      type: 'float' as const,
      bounds: [0, 1] as [number, number],
    })),
    { name: 'rate', type: 'float', bounds: [1, 1000], log: true },
    { name: 'gas', type: 'choice', values: ['argon', 'xenon', 'krypton'] },
  ],
  objectives: [
    { name: 'resolution', minimize: true },
    { name: 'cost', minimize: true },
    { name: 'efficiency', minimize: false },
  ],
  strategy: 'sobol',
  seed: 2,
};

/** A DTLZ2-like response: x1 and x2 place the point on the front, the rest move it away. */
function evaluate(p: Readonly<Record<string, unknown>>): Record<string, number> {
  const x = Array.from({ length: 18 }, (_, j) => p[`x${j + 1}`] as number);
  const g = x.slice(2).reduce((s, v) => s + (v - 0.5) ** 2, 0) * 0.5;
  const bonus = { argon: 0, xenon: 0.15, krypton: 0.3 }[p.gas as string]!;
  const r = 1 + g + bonus + 0.1 * Math.log10(p.rate as number);
  const a = (x[0]! * Math.PI) / 2;
  const b = (x[1]! * Math.PI) / 2;
  return {
    resolution: r * Math.cos(a) * Math.cos(b),
    cost: r * Math.cos(a) * Math.sin(b),
    efficiency: 2 - r * Math.sin(a),
  };
}

/** The parameters a 3-parameter experiment lacks, at mid-range, for `evaluate`. */
const fill: Record<string, unknown> = {
  ...Object.fromEntries(Array.from({ length: 18 }, (_, j) => [`x${j + 1}`, 0.5])),
  rate: 10,
  gas: 'argon',
};

describe.skipIf(!HAVE_CHROMIUM)(`the dashboard of mobo serve in Chromium (${CHROMIUM})`, () => {
  let server: TestServer;
  let browser: Browser;
  const assets = loadReportAssets();
  /** Running trials the tests tell later. */
  let running: { id: number; params: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    server = await testServer({ extraRoutes: dashboardRoutes({ assets }) });
    expect(
      (await server.call('POST', '/api/experiments', { name: 'detector', config: detector })).status,
    ).toBe(201);
    const asked = (await server.call('POST', '/api/experiments/detector/trials', { n: 40 })).body.trials as {
      id: number;
      params: Record<string, unknown>;
    }[];
    for (const t of asked.slice(0, 37)) {
      const r =
        t.id % 13 === 5
          ? await server.call('POST', `/api/experiments/detector/trials/${t.id}/fail`, {
              reason: 'simulation crashed: segfault in geant4 (exit 139)',
            })
          : await server.call('POST', `/api/experiments/detector/trials/${t.id}/tell`, {
              values: evaluate(t.params),
            });
      expect(r.status).toBe(200);
    }
    running = asked.slice(37);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  async function open(url: string): Promise<{ page: Page; problems: string[]; foreign: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) foreign.push(r.url());
    });
    await page.goto(url);
    // The first draw uses the cached models (none yet); the next one has the fitted models.
    await page.waitForSelector('figure[data-plot="slices"][data-drawn="true"]', { timeout: 60_000 });
    return { page, problems, foreign };
  }

  it('loads and draws every view of a 20-parameter, 3-objective experiment', async () => {
    const { page, problems, foreign } = await open(`${server.url}/?experiment=detector`);
    const completed = 37 - 3; // ids 5, 18 and 31 failed
    expect(await page.locator('nav [data-experiment="detector"]').textContent()).toContain('40 trials');
    for (const name of ['front', 'parallel', 'hypervolume', 'parameters', 'importance', 'slices']) {
      expect(await page.locator(`figure[data-plot="${name}"]`).getAttribute('data-drawn')).toBe('true');
    }
    const matrix = page.locator('figure[data-plot="front"] [data-panel="0-1"]');
    expect(await matrix.locator('g.mark-trials circle').count()).toBe(completed);
    expect(await page.locator('figure[data-plot="parameters"] g.mark-trials path').count()).toBe(completed);
    expect(await page.locator('figure[data-plot="importance"] g.mark-importance circle').count()).toBe(
      20 * 3,
    );
    expect(await page.locator('figure[data-plot="slices"] [data-slice]').count()).toBe(20);
    expect(await page.locator('table[data-table="trials"]').getAttribute('data-rows')).toBe('40');
    expect(await page.locator('table[data-table="running"] tbody tr').count()).toBe(3);
    expect(await page.locator('table[data-table="failed"] tbody tr').count()).toBe(3);
    // Slice through another front trial: the panel redraws around it.
    const select = page.locator('[data-control="through"]');
    const options = await select
      .locator('option')
      .evaluateAll((os) => os.map((o) => o.getAttribute('value') ?? ''));
    expect(options.length).toBeGreaterThan(1);
    const other = options.find((v) => v !== (options[0] ?? ''))!;
    await select.selectOption(other);
    await page
      .locator('[data-slice-through] b', { hasText: new RegExp(`^${other}$`) })
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-20x3.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('shows a tell made by the test without a reload (server-sent events)', async () => {
    const { page, problems } = await open(`${server.url}/`);
    const trial = running[0]!;
    const row = page.locator(`table[data-table="trials"] tr[data-trial="${trial.id}"]`);
    expect(await row.getAttribute('class')).toBe('running');
    const draws = Number(await page.locator('html').getAttribute('data-dashboard-ready'));
    const told = Date.now();
    const r = await server.call('POST', `/api/experiments/detector/trials/${trial.id}/tell`, {
      values: evaluate(trial.params),
    });
    expect(r.status).toBe(200);
    await page.waitForSelector(`table[data-table="trials"] tr.completed[data-trial="${trial.id}"]`, {
      timeout: 30_000,
    });
    const shownAfterMs = Date.now() - told;
    expect(Number(await page.locator('html').getAttribute('data-dashboard-ready'))).toBeGreaterThan(draws);
    expect(await page.locator('table[data-table="running"] tbody tr').count()).toBe(2);
    // For the record (not a test of speed): how long the tell took to appear.
    console.log(`dashboard: trial ${trial.id} told, shown as completed after ${shownAfterMs} ms`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-after-tell.png'), fullPage: false });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('serves the static report of the same experiment with the same views', async () => {
    const r = await fetch(`${server.url}/api/experiments/detector/report`);
    expect(r.status).toBe(200);
    const file = path.join(server.dir, 'detector', 'report.html');
    fs.writeFileSync(file, await r.text());
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`file://${file}`);
    await page.waitForSelector('html[data-report-ready="true"]', { timeout: 30_000 });
    for (const name of ['front', 'hypervolume', 'parameters', 'importance', 'slices']) {
      expect(await page.locator(`figure[data-plot="${name}"]`).getAttribute('data-drawn')).toBe('true');
    }
    expect(await page.locator('figure[data-plot="slices"] [data-slice]').count()).toBe(20);
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-20x3.png'), fullPage: true });
    await page.close();
  });

  it('works with tokens: the page sends the read token of its #token= fragment', async () => {
    const dir = fs.mkdtempSync(path.join(server.dir, 'secured-'));
    const read = TokenStore.load(path.join(dir, TOKENS_FILE)).create('read');
    const secured = await testServer({ dir, extraRoutes: dashboardRoutes({ assets }) });
    try {
      // An experiment made through the folder's own service (the API would need a write token).
      await secured.service.create('small', {
        ...detector,
        parameters: detector.parameters.slice(0, 3),
      });
      const asked = await secured.service.ask('small', 3);
      for (const t of asked) await secured.service.tell('small', t.id, evaluate({ ...fill, ...t.params }));
      expect((await secured.call('GET', '/api/experiments/small/dashboard')).status).toBe(401);
      const page = await browser.newPage();
      await page.goto(`${secured.url}/#token=${read}`);
      await page.waitForSelector('figure[data-plot="slices"][data-drawn="true"]', { timeout: 60_000 });
      expect(await page.locator('table[data-table="trials"]').getAttribute('data-rows')).toBe('3');
      await page.close();
    } finally {
      await secured.close();
    }
  });

  it('refuses a slice through a trial that does not exist, naming the parameter', async () => {
    const r = await server.call('GET', '/api/experiments/detector/dashboard?through=999');
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].path).toBe('through');
  });
});
