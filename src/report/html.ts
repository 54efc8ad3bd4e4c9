import type { ReportAssets } from './assets.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON safe inside `<script type="application/json">`: every `<` is written `\u003c`, so no
 * `</script>` or `<!--` in a user's names can end or change the element, and U+2028/U+2029 are
 * escaped too. `JSON.parse` of the element's text gives the value back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * JavaScript source safe inside a `<script>` element. `<\/` and `<\!` mean the same as `</` and
 * `<!` in JavaScript strings, templates and regular expressions, where these sequences occur.
 */
export function scriptText(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** A number for a table cell: up to 6 significant digits, no trailing zeros; exponents when far from 1. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(4).replace(/\.?0+e/, 'e');
  if (Number.isInteger(x)) return String(x);
  return String(Number.parseFloat(x.toPrecision(6)));
}

/** A duration in ms for text: '850 ms', '12.3 s', '4.2 min'. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${ms.toPrecision(2)} ms`;
  if (ms < 1000) return `${Number.parseFloat(ms.toPrecision(3))} ms`;
  if (ms < 120_000) return `${Number.parseFloat((ms / 1000).toPrecision(3))} s`;
  return `${Number.parseFloat((ms / 60_000).toPrecision(3))} min`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5f6b7a; --line: #d9dee5; --accent: #d94801; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: #fff; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.subtitle { color: var(--muted); margin: 0 0 16px; word-break: break-all; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px 28px; }
.facts dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.states { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; padding: 0; list-style: none; }
.states li { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
.states li b { font-size: 16px; margin-right: 4px; }
.states li.failed b { color: #c0392b; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; font-size: 13px; margin: 4px 0; }
.legend svg { vertical-align: -1px; }
figure { margin: 12px 0 20px; }
figure .plot-host { overflow-x: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; max-width: 860px; }
.matrix { display: grid; gap: 4px; }
.matrix > div { min-width: 0; }
.note { color: var(--muted); font-style: italic; }
.error { color: #c0392b; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f6f7f9; position: sticky; top: 0; }
.table-wrap { overflow-x: auto; max-height: 520px; overflow-y: auto; border: 1px solid var(--line); }
.table-wrap table { margin: 0; }
td.reason { white-space: normal; max-width: 640px; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; margin: 8px 0; font-size: 13px; }
.controls select, .controls input, .controls button { font: inherit; padding: 2px 6px; }
table[data-table="trials"] th[data-sort]:hover { background: #e8ebef; }
tr.failed td { color: #c0392b; }
nav[data-experiments] a { border: 1px solid var(--line); border-radius: 6px; padding: 3px 10px; text-decoration: none; color: var(--fg); }
nav[data-experiments] a.current { border-color: var(--accent); font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

/** What `renderPage` assembles. */
export interface PageParts {
  /** The document title (plain text). */
  readonly title: string;
  /** The body's HTML, already escaped. */
  readonly body: string;
  /** The data the client script draws from, embedded as JSON. */
  readonly data: unknown;
  /** The client script (plain JavaScript that reads the data and draws the figures). */
  readonly client: string;
  readonly assets: ReportAssets;
}

/** Id of the `<script type="application/json">` element holding a report's data. */
export const DATA_ELEMENT_ID = 'mobo-report-data';

/**
 * One self-contained HTML document: styles, d3, Observable Plot, the data and the client script
 * all inline, so it opens from a file with no network. A strict content security policy makes
 * that a rule rather than a hope: the page may load nothing from anywhere.
 */
export function renderPage(parts: PageParts): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<main>${parts.body}</main>`,
    `<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(parts.data)}</script>`,
    `<script>${scriptText(parts.assets.d3)}</script>`,
    `<script>${scriptText(parts.assets.plot)}</script>`,
    `<script>${scriptText(parts.client)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
