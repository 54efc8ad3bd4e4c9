/**
 * `mobo report DIR`: one self-contained HTML page about the experiment journaled in DIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReportAssets } from '../report/assets.js';
import type { ExperimentReportData } from '../report/experiment-data.js';
import { loadExperimentReportData, renderExperimentReport } from '../report/experiment-report.js';
import type { CommandIo } from './hv.js';

export interface ReportCommandOptions {
  /** Where the page goes; default `report.html` beside the journal. */
  out?: string;
  /** The page's title; default the experiment folder's name (or the journal's). */
  title?: string;
  /** The inlined libraries (tests pass them to save reading them again). */
  assets?: ReportAssets;
}

/** Writes `text` to `file` through a temporary file and a rename, so no reader sees half a page. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, text, 'utf8');
    fs.renameSync(temporary, file);
  } catch (e) {
    fs.rmSync(temporary, { force: true });
    throw e;
  }
}

function summary(data: ExperimentReportData): string {
  const c = data.counts;
  const parts = [`${c.completed} completed`, `${c.failed} failed`];
  const inFlight = c.running + c.candidate + c.stale;
  if (inFlight > 0) parts.push(`${inFlight} in flight`);
  if (c.abandoned > 0) parts.push(`${c.abandoned} abandoned`);
  return `${data.trials.length} trials (${parts.join(', ')}), ${data.front.length} on the Pareto front`;
}

/**
 * Runs `mobo report`: `target` is an output folder holding one journal (`*.jsonl`) or a journal
 * file. Reads it without locking (a running experiment may keep writing), writes the page and
 * prints its path. Returns the exit code: 0 written, 2 no readable journal, 1 the page could not
 * be written.
 */
export function reportCommand(target: string, options: ReportCommandOptions, io: CommandIo): number {
  let data: ExperimentReportData;
  try {
    data = loadExperimentReportData(target, options.title);
  } catch (error) {
    io.stderr(`mobo report: ${(error as Error).message}\n`);
    return 2;
  }
  const out = options.out ?? path.join(path.dirname(data.journal), 'report.html');
  try {
    const html = renderExperimentReport(data, options.assets === undefined ? {} : { assets: options.assets });
    writeAtomically(out, html);
  } catch (error) {
    io.stderr(`mobo report: cannot write ${out}: ${(error as Error).message}\n`);
    return 1;
  }
  io.stdout(`mobo report: wrote ${out}: ${summary(data)}\n`);
  return 0;
}
