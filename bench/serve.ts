/**
 * `mobo serve` under load: `npx tsx bench/serve.ts [--trials N] [--clients K]` (defaults 1000 and
 * 20); prints a table and writes bench/results/serve.json.
 *
 * One server (`mobo serve` in a child process, on 127.0.0.1) and K clients in this process, each
 * repeating ask(1), tell until N trials are told in all. Reported: asks and tells per second held
 * (each count over the wall time of the whole run), p50 and p99 latency of an ask and of a tell
 * (request sent to answer read), the server's CPU time (user + system, from /proc), and the trials
 * lost or duplicated, counted in the journal read after the server stopped: a trial some client was
 * given that the journal does not hold completed is lost; a trial given to two clients, or completed
 * twice, is duplicated. Both must be 0.
 *
 * The strategy is Sobol, so that the figure is the service's and the journal's, not the model's:
 * a 'mobo' ask fits GPs and optimizes an acquisition (seconds; see bench/overhead.ts), which would
 * dominate any count per second. For scale, the same N asks and tells through an in-process
 * Optimizer (one caller, no HTTP) are timed too. Every event is fsynced before its answer, as in
 * any mobo journal, so the disk's fsync latency bounds both.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExperimentConfig } from '../src/experiment/config.js';
import { Optimizer } from '../src/experiment/optimizer.js';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const at = process.argv.indexOf(`--${name}`);
  const raw = arg !== undefined ? arg.split('=')[1] : at >= 0 ? process.argv[at + 1] : undefined;
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name}: expected an integer >= 1, got ${raw}`);
  return value;
}

const TRIALS = flag('trials', 1000);
const CLIENTS = flag('clients', 20);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

const config: ExperimentConfig = {
  parameters: Array.from({ length: 6 }, (_, i) => ({
    name: `x${i}`,
    type: 'float' as const,
    bounds: [0, 1] as [number, number],
  })),
  objectives: [
    { name: 'f1', minimize: true },
    { name: 'f2', minimize: true },
  ],
  strategy: 'sobol',
  seed: 1,
};

function values(params: Readonly<Record<string, unknown>>): { f1: number; f2: number } {
  const x0 = params.x0 as number;
  let g = 0;
  for (let i = 1; i < 6; i++) g += ((params[`x${i}`] as number) - 0.5) ** 2;
  return { f1: (1 + g) * Math.cos((x0 * Math.PI) / 2), f2: (1 + g) * Math.sin((x0 * Math.PI) / 2) };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** utime + stime of `pid` in seconds (Linux /proc), or NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

async function startServer(dir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', dir],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      text += chunk;
      const m = /mobo serve: (http:\/\/\S+)/.exec(text);
      if (m !== null) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`mobo serve exited with ${code}`)));
  });
  return { child, url, exited };
}

/** What the bench reads of an answer: the trials of an ask (other fields are only printed on error). */
interface Answer {
  trials?: { id: number; params: Record<string, number> }[];
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Answer }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

async function served() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-bench-serve-'));
  const server = await startServer(dir);
  try {
    const created = await post(`${server.url}/api/experiments`, { name: 'bench', config });
    if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
    const base = `${server.url}/api/experiments/bench`;
    const askMs: number[] = [];
    const tellMs: number[] = [];
    const given: number[][] = [];
    let next = 0;
    const cpu0 = cpuSeconds(server.child.pid!);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const mine: number[] = [];
        while (next < TRIALS) {
          next++;
          const a = performance.now();
          const asked = await post(`${base}/trials`, { n: 1 });
          const b = performance.now();
          if (asked.status !== 201) throw new Error(`ask: ${JSON.stringify(asked.body)}`);
          const trial = asked.body.trials![0]!;
          mine.push(trial.id);
          const told = await post(`${base}/trials/${trial.id}/tell`, { values: values(trial.params) });
          const c = performance.now();
          if (told.status !== 200) throw new Error(`tell: ${JSON.stringify(told.body)}`);
          askMs.push(b - a);
          tellMs.push(c - b);
        }
        given.push(mine);
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(server.child.pid!) - cpu0;
    server.child.kill('SIGTERM');
    if ((await server.exited) !== 0) throw new Error('mobo serve did not stop cleanly');

    const records = fs
      .readFileSync(path.join(dir, 'bench', 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { type: string; id?: number });
    const completed = records.filter((r) => r.type === 'complete').map((r) => r.id!);
    const completedSet = new Set(completed);
    const all = given.flat();
    const lost = all.filter((id) => !completedSet.has(id)).length;
    const duplicated = all.length - new Set(all).size + (completed.length - completedSet.size);
    askMs.sort((x, y) => x - y);
    tellMs.sort((x, y) => x - y);
    return {
      trials: all.length,
      wallSeconds: wall,
      asksPerSecond: all.length / wall,
      tellsPerSecond: completed.length / wall,
      askMs: { p50: quantile(askMs, 0.5), p99: quantile(askMs, 0.99) },
      tellMs: { p50: quantile(tellMs, 0.5), p99: quantile(tellMs, 0.99) },
      serverCpuSeconds: cpu,
      lost,
      duplicated,
      journalCompleted: completed.length,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The same asks and tells through an Optimizer in this process (one caller, no HTTP). */
async function inProcess() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobo-bench-serve-direct-'));
  try {
    const opt = await Optimizer.create({ ...config, journal: path.join(dir, 'journal.jsonl') });
    const askMs: number[] = [];
    const tellMs: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < TRIALS; i++) {
      const a = performance.now();
      const [trial] = await opt.ask(1);
      const b = performance.now();
      await opt.tell(trial!.id, values(trial!.params));
      askMs.push(b - a);
      tellMs.push(performance.now() - b);
    }
    const wall = (performance.now() - t0) / 1000;
    await opt.close();
    askMs.sort((x, y) => x - y);
    tellMs.sort((x, y) => x - y);
    return {
      wallSeconds: wall,
      asksPerSecond: TRIALS / wall,
      tellsPerSecond: TRIALS / wall,
      askMs: { p50: quantile(askMs, 0.5), p99: quantile(askMs, 0.99) },
      tellMs: { p50: quantile(tellMs, 0.5), p99: quantile(tellMs, 0.99) },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const http = await served();
const direct = await inProcess();

const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const rows = [
  ['', 'asks/s', 'tells/s', 'ask p50 ms', 'ask p99 ms', 'tell p50 ms', 'tell p99 ms', 'lost', 'duplicated'],
  [
    `mobo serve, ${CLIENTS} clients`,
    f(http.asksPerSecond),
    f(http.tellsPerSecond),
    f(http.askMs.p50),
    f(http.askMs.p99),
    f(http.tellMs.p50),
    f(http.tellMs.p99),
    String(http.lost),
    String(http.duplicated),
  ],
  [
    'Optimizer in-process, 1 caller',
    f(direct.asksPerSecond),
    f(direct.tellsPerSecond),
    f(direct.askMs.p50),
    f(direct.askMs.p99),
    f(direct.tellMs.p50),
    f(direct.tellMs.p99),
    '-',
    '-',
  ],
];
const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
console.log(
  `mobo serve: ${TRIALS} trials (ask 1, tell) from ${CLIENTS} clients; Sobol strategy, d = 6, m = 2; ${os.cpus().length} CPUs`,
);
for (const r of rows)
  console.log(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '));
console.log(
  `server CPU time ${f(http.serverCpuSeconds, 2)} s over ${f(http.wallSeconds, 2)} s wall; ` +
    `the journal holds ${http.journalCompleted} completed trials`,
);

const out = path.join(here, 'results', 'serve.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  `${JSON.stringify(
    {
      command: `npx tsx bench/serve.ts --trials ${TRIALS} --clients ${CLIENTS}`,
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg(),
      strategy: 'sobol',
      trials: TRIALS,
      clients: CLIENTS,
      serve: http,
      inProcess: direct,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${path.relative(root, out)}`);
if (http.lost !== 0 || http.duplicated !== 0) process.exitCode = 1;
