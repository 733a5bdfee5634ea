import { createHash } from 'node:crypto';
import { TemplateError } from '../../../shared/errors';
import { loadReportAssets } from '../../../shared/report/assets';
import { escapeHtml, inlineScript, renderReportHtml, scriptSafeJson } from '../../../shared/report/html';
import { buildReportModel } from '../../../shared/report/model';
import type { ReportData } from '../../../shared/report/queries';

const hostile = '</script><script>alert(1)</script><!-- & "quoted" \u2028';

const data: ReportData = {
  ctrOverTime: [
    { dt: '2024-05-01', campaign_id: 'spring', template_name: 'v1', button_id: 'b1', button_title: hostile, messages_delivered: 10, clicked_messages: 4, clicks: 5, ctr: 0.4 },
  ],
  ctrByPosition: [{ button_position: 1, messages_delivered: 10, clicked_messages: 4, clicks: 5, ctr: 0.4 }],
  funnel: [{ campaign_id: hostile, messages_sent: 10, messages_delivered: 10, messages_read: 8, messages_tapped: 4, messages_converted: 2, conversions: 2 }],
  conversionByButton: [{ campaign_id: hostile, template_name: 'v1', button_id: 'b1', button_title: hostile, clicked_messages: 4, converted_messages: 2, conversions: 2, conversion_rate: 0.5 }],
  revenueByButton: ['BRL', 'MXN', 'USD'].map((currency) => ({ campaign_id: hostile, template_name: 'v1', button_id: 'b1', button_title: hostile, currency, conversions: 2, revenue: 99.5 })),
  timeToConvert: [{ campaign_id: hostile, template_name: 'v1', button_id: 'b1', button_title: hostile, conversions: 2, typical_seconds: 600 }],
  timeToTap: [{ lower_seconds: 60, taps: 5 }],
  dailyVolume: [{ day: '2024-05-01', messages_sent: 10, messages_delivered: 10, taps: 5 }],
  quarantine: [{ arrival_date: '2024-05-01', reason: 'bad_signature', quarantined_rows: 1 }],
  alerts: [],
  experiments: ['control', hostile].map((variant) => ({
    dt: '2024-05-01',
    experiment_id: hostile,
    variant,
    metric: 'ctr',
    exposures: 100,
    successes: 10,
    rate: 0.1,
    control_variant: 'control',
    control_rate: 0.1,
    lift: variant === 'control' ? null : 0,
    lift_lower: variant === 'control' ? null : -0.5,
    lift_upper: variant === 'control' ? null : 1,
    p_value: variant === 'control' ? null : 1,
    decision: 'inconclusive',
    srm_p_value: 1,
    days_running: 1,
  })),
};

const assets = loadReportAssets();
const page = renderReportHtml(buildReportModel(data, { generatedAt: '2024-05-02T06:00:00.000Z', title: `Report ${hostile}` }), assets);

/** The text content of every `<script …>…</script>` element, with its attributes. */
function scripts(html: string): { attrs: string; body: string }[] {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1]!, body: m[2]! }));
}

describe('report page escaping', () => {
  it('keeps data out of markup: a title holding </script> neither ends a script nor adds elements', () => {
    // Three script elements exactly: the data block, Chart.js, the page script.
    expect(scripts(page).map((s) => s.attrs.trim())).toEqual(['type="application/json" id="report-data"', '', '']);
    expect(page.match(/<script/g)).toHaveLength(3);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &quot;quoted&quot;');
  });

  it('renders the revenue of uncharted currencies as a table section, its cells escaped', () => {
    const section = /<section class="card[^"]*" id="section-revenue-other">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(section).toContain('<td>USD</td>');
    expect(section).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
    expect(section).not.toContain('<script');
  });

  it('renders an experiment named with markup as text: title, table cells and the chart data', () => {
    const sections = [...page.matchAll(/<section class="card[^"]*" id="section-(experiment-[a-z0-9-]+)">([\s\S]*?)<\/section>/g)];
    expect(sections.map((m) => m[1])).toEqual(['experiment-script-script-alert-1-script-quoted-ctr']);
    const body = sections[0]![2]!;
    expect(body).toContain('<h2>Experiment &lt;/script&gt;&lt;script&gt;alert(1)');
    expect(body).toContain('<td>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &quot;quoted&quot; \u2028</td>');
    expect(body).not.toContain('<script');
    const json = JSON.parse(scripts(page)[0]!.body) as { charts: { id: string; datasets: { label: string }[] }[] };
    expect(json.charts.find((c) => c.id === sections[0]![1])!.datasets[0]!.label).toBe(`${hostile}: lift`);
  });

  it('carries the exact text to the charts through the JSON data block', () => {
    const block = scripts(page)[0]!.body;
    expect(block).not.toMatch(/[<>&\u2028]/);
    const json = JSON.parse(block) as { charts: { id: string; labels: string[]; datasets: { label: string }[] }[] };
    expect(json.charts.find((c) => c.id === 'funnel')!.labels).toEqual([hostile]);
    expect(json.charts.find((c) => c.id === 'ctr-over-time-spring')!.datasets[0]!.label).toBe(`v1 · ${hostile}`);
  });

  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes script-breaking characters and line separators in JSON', () => {
    expect(scriptSafeJson({ a: '</script>&\u2028\u2029' })).toBe('{"a":"\\u003c/script\\u003e\\u0026\\u2028\\u2029"}');
  });

  it('refuses to inline a script that would close its element early', () => {
    expect(() => inlineScript('var a = "</SCRIPT>";', 'x.js')).toThrow(TemplateError);
    expect(() => inlineScript('var a = 1; <!-- b', 'x.js')).toThrow(TemplateError);
  });
});

describe('report page is self-contained', () => {
  it('inlines Chart.js and the page script without the source map reference', () => {
    expect(page).toContain('Chart.js v4');
    expect(page).not.toContain('sourceMappingURL');
    expect(page).not.toMatch(/<script[^>]*\ssrc=|<link\b|<img\b|<iframe\b|@import|\burl\(/i);
  });

  it('mentions http(s) addresses only inside the libraries\' license comments', () => {
    // Blank out `/*! … */` license headers (kept as the MIT licence asks); nothing else may hold a URL.
    const withoutLicenses = page.replace(/\/\*![\s\S]*?\*\//g, '');
    expect(withoutLicenses).not.toMatch(/https?:\/\//i);
    expect(page).toMatch(/\/\*![\s\S]*https:\/\/www\.chartjs\.org[\s\S]*?\*\//);
  });

  it('declares a Content-Security-Policy that allows no fetches and only the two inline scripts', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    const [, chartJs, own] = scripts(page);
    expect(csp).toContain(`script-src ${hash(chartJs!.body)} ${hash(own!.body)};`);
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    expect(csp).toContain(`style-src ${hash(css)};`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('puts one canvas per chart and a table under each chart', () => {
    for (const id of ['ctr-over-time-spring', 'ctr-by-position', 'funnel', 'time-to-tap', 'daily-volume', 'quarantine']) {
      const section = new RegExp(`<section class="card[^"]*" id="section-${id}">([\\s\\S]*?)</section>`).exec(page);
      expect(section).not.toBeNull();
      expect(section![1]).toContain(`<canvas id="chart-${id}"`);
      expect(section![1]).toContain('<table>');
    }
    expect(page).toContain('No alerts');
  });
});
