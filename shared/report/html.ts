import { createHash } from 'node:crypto';
import { TemplateError } from '../errors';
import { loadReportAssets, type ReportAssets } from './assets';
import type { ReportModel } from './model';
import type { ChartSpec, TableSpec } from './spec';

/**
 * The dashboard page: one self-contained HTML string. Chart.js (UMD build), the page script and
 * the styles are inlined; the chart data travels as a JSON data block. A Content-Security-Policy
 * with `default-src 'none'` and script/style hashes makes "no network request" a property of the
 * page, not only of the code that made it, and stops any injected markup from running.
 */

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON that is safe inside a `<script>` element: no `<`, `>` or `&` (so no `</script>` or
 * `<!--`), and the two line separators JavaScript once treated as newlines escaped too.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Script text ready to inline: the source map comment is dropped (a browser with devtools open
 * would fetch the map), and text that would end the element early is refused.
 */
export function inlineScript(source: string, name: string): string {
  const text = source.replace(/^\/\/# sourceMappingURL=.*$/gm, '').trimEnd();
  if (/<\/script|<!--/i.test(text)) throw new TemplateError(`${name} cannot be inlined: it contains </script or <!--`);
  return text;
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function tableHtml(table: TableSpec, className = ''): string {
  const cls = (numeric: boolean) => (numeric ? ' class="num"' : '');
  const head = table.columns.map((c) => `<th scope="col"${cls(c.numeric)}>${escapeHtml(c.label)}</th>`).join('');
  const body = table.rows.map((row) => `<tr>${row.map((cell, i) => `<td${cls(table.columns[i]?.numeric ?? false)}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table${className === '' ? '' : ` class="${className}"`}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * A card in one grid column is about 630 px wide on a 1400-px screen: tables of more columns
 * than this take the whole width (the funnel, the experiments), so none is cut off or scrolls
 * sideways (checked by tests/report/browser.test.ts at 1400 px).
 */
const maxColumnsInHalfCard = 8;

/** Whether a chart's card spans both grid columns. */
export function isWide(chart: ChartSpec): boolean {
  return chart.wide === true || chart.table.columns.length > maxColumnsInHalfCard;
}

/** Tables up to this many rows are open under their chart; longer ones start folded. */
const openTableRows = 12;

function chartSection(chart: ChartSpec, wide: boolean): string {
  const id = escapeHtml(chart.id);
  const empty = chart.emptyMessage === null ? '' : `<p class="empty">${escapeHtml(chart.emptyMessage)}</p>`;
  const rows = chart.table.rows.length;
  const table =
    rows === 0
      ? `<p class="none">No rows.</p>`
      : `<details${rows <= openTableRows ? ' open' : ''}><summary>Table: ${rows} ${rows === 1 ? 'row' : 'rows'}</summary><div class="table-wrap">${tableHtml(chart.table)}</div></details>`;
  return `<section class="card${wide ? ' wide' : ''}" id="section-${id}">
<h2>${escapeHtml(chart.title)}</h2>
<p class="desc">${escapeHtml(chart.description)}</p>
<div class="chart-box"><canvas id="chart-${id}" role="img" aria-label="${escapeHtml(`${chart.title}: ${chart.yTitle} by ${chart.xTitle}`)}"></canvas>${empty}</div>
${table}
</section>`;
}

// A table without a chart has the whole width: nothing beside it to keep it narrow.
function tableSection(t: ReportModel['tables'][number]): string {
  return `<section class="card wide" id="section-${escapeHtml(t.id)}">
<h2>${escapeHtml(t.title)}</h2>
<p class="desc">${escapeHtml(t.description)}</p>
<div class="table-wrap">${tableHtml(t.table)}</div>
</section>`;
}

function alertsSection(model: ReportModel): string {
  const body = model.alertsEmptyMessage !== null ? `<p class="none">${escapeHtml(model.alertsEmptyMessage)}</p>` : `<div class="table-wrap">${tableHtml(model.alerts, 'alerts')}</div>`;
  return `<section class="card wide" id="section-alerts">
<h2>Alerts</h2>
<p class="desc">Series that broke from their own history, newest first. CTR values are percentages; the other metrics are message or tap counts.</p>
${body}
</section>`;
}

/** The page for a model. `assets` defaults to the files on disk (see loadReportAssets). */
export function renderReportHtml(model: ReportModel, assets: ReportAssets = loadReportAssets()): string {
  const chartJs = inlineScript(assets.chartJs, 'chart.umd.min.js');
  const script = inlineScript(assets.script, 'report.js');
  const css = assets.css;
  if (/<\/style/i.test(css)) throw new TemplateError('report.css cannot be inlined: it contains </style');
  // The client needs only what it draws; the tables are already HTML.
  const data = scriptSafeJson({ charts: model.charts.map(({ table: _table, ...chart }) => chart) });
  const csp = [`default-src 'none'`, `script-src ${cspHash(chartJs)} ${cspHash(script)}`, `style-src ${cspHash(css)}`, `img-src data:`, `base-uri 'none'`, `form-action 'none'`].join('; ');
  const summary = model.summary.map((s) => `<div><dt>${escapeHtml(s.label)}</dt><dd>${escapeHtml(s.value)}</dd></div>`).join('');
  const sections = model.charts.map((c) => chartSection(c, isWide(c)));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>${escapeHtml(model.title)}</h1>
<p class="meta">Generated ${escapeHtml(model.generatedAt)}.${model.span === undefined ? '' : ` Covers ${escapeHtml(model.span.from)} to ${escapeHtml(model.span.to)}.`} Dates are in the reporting time zone; a cohort is the day a message was sent.</p>
</header>
<dl class="summary">${summary}</dl>
<main>
${sections.join('\n')}
${model.tables.map(tableSection).join('\n')}
${alertsSection(model)}
</main>
<script type="application/json" id="report-data">${data}</script>
<script>${chartJs}</script>
<script>${script}</script>
</body>
</html>
`;
}
