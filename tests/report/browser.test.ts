import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateReport } from '../../report/generate';
import { buildReportLake, hostileText } from './lake';

/**
 * The "done when": the report generated from a real lake, opened in Debian's headless
 * Chromium, draws every chart, logs no console error, makes no request other than the file
 * itself, and leaves a screenshot for a reviewer at tests/out/report.png.
 */

const chromiumPath = '/usr/bin/chromium';
const screenshotPath = resolve(__dirname, '../out/report.png');
// Revenue in BRL (two conversions) and EUR charted; USD, the third currency, only in a table.
// The experiments section: the two experiments of tests/support/experiment-rows.ts, welcome-cta
// (evaluated last) with both metrics, button-order with CTR only.
const experimentChartIds = ['experiment-welcome-cta-ctr', 'experiment-welcome-cta-conversion-rate', 'experiment-button-order-ctr'];
// Built at 23:55 on 05-03 (UTC): the "today so far" panel first, then one CTR panel per campaign.
const ctrPanelIds = ['ctr-over-time-spring', 'ctr-over-time-unattributed', 'ctr-over-time-promo-b'];
const chartIds = ['today', ...ctrPanelIds, 'ctr-by-position', 'funnel', 'conversion-rate', 'revenue-brl', 'revenue-eur', 'time-to-convert', ...experimentChartIds, 'time-to-tap', 'daily-volume', 'quarantine'];

interface CanvasCheck {
  id: string;
  width: number;
  height: number;
  painted: number;
  seriesPixels: number;
  datasetLabels: string[];
}

/** The few browser globals the checks use, typed here because the project compiles without the DOM lib. */
interface ChartLike {
  data: { datasets: { label: string; borderColor: string; fill?: unknown }[] };
  scales: Record<string, { min: number; max: number }>;
  legend: { legendItems: { text: string }[] };
  chartArea: { left: number; top: number; right: number; bottom: number };
  currentDevicePixelRatio: number;
}
interface CanvasLike {
  id: string;
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface BoxLike {
  id: string;
  clientWidth: number;
  scrollWidth: number;
  getBoundingClientRect(): { left: number; right: number };
  closest(selector: string): BoxLike | null;
  querySelectorAll(selector: string): Iterable<BoxLike>;
  setAttribute(name: string, value: string): void;
}
interface PageGlobals {
  document: { documentElement: { getAttribute(name: string): string | null }; querySelectorAll(selector: string): Iterable<CanvasLike> & Iterable<BoxLike> };
  getComputedStyle(element: BoxLike): { paddingRight: string };
  Chart: { getChart(canvas: CanvasLike): ChartLike | undefined };
}

let dataDir: string;
let browser: Browser | undefined;
let page: Page;
const requests: string[] = [];
const consoleErrors: string[] = [];
let fileUrl: string;

beforeAll(async () => {
  // CI installs Debian's chromium; a missing browser is a failure to fix, never a skip.
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}: install Debian's chromium package (apt-get install chromium) to run the report browser test`);
  dataDir = await buildReportLake();
  const report = await generateReport({ dataDir, now: () => new Date('2024-05-03T23:55:00Z') });
  fileUrl = pathToFileURL(report.path).href;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  // 1400 px: a laptop screen, where the funnel table's right columns used to be cut off.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  // Anything but the page itself is recorded above and refused here, so it cannot leave the machine.
  await context.route('**/*', (route) => (route.request().url() === fileUrl ? route.continue() : route.abort()));
  await page.goto(fileUrl, { waitUntil: 'load' });
  await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).document.documentElement.getAttribute('data-charts-drawn') === String(n), chartIds.length, { timeout: 10_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/**
 * Pixel counts of each chart canvas: any paint (axes, legend, data), and paint in one of its
 * datasets' colours inside the plot area (and the strip above it a top point spills into) only,
 * since the legend swatches below carry those colours too.
 */
function checkCanvases(p: Page): Promise<CanvasCheck[]> {
  return p.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return [...g.document.querySelectorAll('canvas')].map((canvas) => {
      const chart = g.Chart.getChart(canvas);
      const colours = (chart?.data.datasets ?? []).map((d) => rgb(d.borderColor));
      const context = canvas.getContext('2d')!;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted += 1;
      let seriesPixels = 0;
      if (chart !== undefined) {
        const r = chart.currentDevicePixelRatio;
        const area = chart.chartArea;
        const x = Math.ceil(area.left * r);
        // A point on the axis's top (a CTR of 100 %) spills up to 8 px above it (the page's clip).
        const y = Math.max(0, Math.ceil((area.top - 8) * r));
        const plot = context.getImageData(x, y, Math.floor(area.right * r) - x, Math.floor(area.bottom * r) - y).data;
        for (let i = 0; i < plot.length; i += 4) {
          if (plot[i + 3]! > 200 && colours.some((c) => Math.abs(c[0]! - plot[i]!) + Math.abs(c[1]! - plot[i + 1]!) + Math.abs(c[2]! - plot[i + 2]!) < 30)) seriesPixels += 1;
        }
      }
      return { id: canvas.id, width: canvas.width, height: canvas.height, painted, seriesPixels, datasetLabels: (chart?.data.datasets ?? []).map((d) => d.label) };
    });
  });
}

describe('the report in headless Chromium', () => {
  it('draws every chart: each canvas has paint in its data colours, not only axes', async () => {
    const canvases = await checkCanvases(page);
    expect(canvases.map((c) => c.id)).toEqual(chartIds.map((id) => `chart-${id}`));
    for (const c of canvases) {
      expect({ id: c.id, sized: c.width > 300 && c.height > 200 }).toEqual({ id: c.id, sized: true });
      expect({ id: c.id, painted: c.painted > 2000 }).toEqual({ id: c.id, painted: true });
      expect({ id: c.id, series: c.seriesPixels > 10 }).toEqual({ id: c.id, series: true });
    }
    const ctr = canvases.find((c) => c.id === 'chart-ctr-over-time-spring')!;
    expect(ctr.datasetLabels).toContain('Anomaly day (alert raised)');
    expect(canvases.find((c) => c.id === 'chart-funnel')!.datasetLabels).toEqual(['Sent', 'Delivered', 'Read', 'Tapped', 'Converted']);
    expect(canvases.find((c) => c.id === 'chart-revenue-brl')!.datasetLabels).toEqual(['Revenue (BRL)']);
  });

  it('draws each experiment variant as a lift line in an interval band, the axis clipped as the model says, and tables the decision', async () => {
    const charts = await page.evaluate((ids) => {
      const g = globalThis as unknown as PageGlobals;
      const canvases = [...g.document.querySelectorAll('canvas')];
      return ids.map((id) => {
        const chart = g.Chart.getChart(canvases.find((c) => c.id === `chart-${id}`)!)!;
        return { id, fills: chart.data.datasets.map((d) => d.fill), y: [chart.scales.y!.min, chart.scales.y!.max], legend: chart.legend.legendItems.map((i) => i.text) };
      });
    }, experimentChartIds);
    expect(charts[0]).toEqual({
      id: 'experiment-welcome-cta-ctr',
      // The upper end shades down to the lower one (Chart.js "-1": the dataset before).
      fills: [undefined, false, '-1', false],
      y: [-20, 100],
      legend: ['short: lift', 'short: always-valid interval', 'No difference from control'],
    });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText (the text as rendered), not the DOM property
    const winner = await page.locator('#section-experiment-welcome-cta-ctr table').innerText();
    expect(winner).toContain('+40.0 % [+5.0 %, +82.0 %]');
    expect(winner).toContain('winner');
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText (the text as rendered), not the DOM property
    await expect(page.locator('#section-experiment-button-order-ctr').innerText()).resolves.toContain('Sample-ratio mismatch');
  });

  it('draws CTR per button over time as one panel per campaign, its own buttons and alerts, every panel on one y scale', async () => {
    const panels = await page.evaluate((ids) => {
      const g = globalThis as unknown as PageGlobals;
      const canvases = [...g.document.querySelectorAll('canvas')];
      return ids.map((id) => {
        const chart = g.Chart.getChart(canvases.find((c) => c.id === `chart-${id}`)!)!;
        return { id, y: [chart.scales.y!.min, chart.scales.y!.max], legend: chart.legend.legendItems.map((i) => i.text) };
      });
    }, ctrPanelIds);
    // The highest CTR drawn is 100 % (promo-b's one message, tapped): 0–100 on every panel. The
    // marker legend comes first (Chart.js lists datasets by drawing order; markers are on top).
    expect(panels).toEqual([
      { id: 'ctr-over-time-spring', y: [0, 100], legend: ['Anomaly day (alert raised)', 'spring_v1 · Later', 'spring_v1 · No', 'spring_v1 · Yes', 'spring_v2 · No thanks', 'spring_v2 · Yes!'] },
      { id: 'ctr-over-time-unattributed', y: [0, 100], legend: ['(no template) · Shop now', '(no template) · Yes'] },
      { id: 'ctr-over-time-promo-b', y: [0, 100], legend: ['(no template) · Tell us more'] },
    ]);
  });

  it("shows today's running numbers first, from the raw rows of the day the report was built on", async () => {
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText (the text as rendered), not the DOM property
    const text = await page.locator('#section-today').innerText();
    expect(text).toContain('Today so far: 2024-05-03');
    expect(text).toContain('as of 23:55');
    // M7 and M8 (spring_v2, sent 23:30): both delivered, both tapped "Yes!" (T9, T10).
    expect(text).toMatch(/spring\tspring_v2\tYes!\t2\t2\t2\t2\t100\.0 %\t0/);
  });

  it('fits every table inside its card at 1400 px: nothing cut off, nothing to scroll sideways', async () => {
    const overflows = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const out: { section: string; tableRight: number; cardInner: number; scroll: number; width: number }[] = [];
      for (const details of g.document.querySelectorAll('details')) details.setAttribute('open', '');
      for (const wrap of g.document.querySelectorAll('.table-wrap')) {
        const card = wrap.closest('section')!;
        const table = [...wrap.querySelectorAll('table')][0]!;
        const cardInner = card.getBoundingClientRect().right - Number.parseFloat(g.getComputedStyle(card).paddingRight);
        out.push({ section: card.id, tableRight: Math.round(table.getBoundingClientRect().right), cardInner: Math.round(cardInner), scroll: wrap.scrollWidth, width: wrap.clientWidth });
      }
      return out;
    });
    expect(overflows.length).toBeGreaterThan(15);
    expect(overflows.map((o) => o.section)).toContain('section-funnel');
    expect(overflows.filter((o) => o.tableRight > o.cardInner || o.scroll > o.width)).toEqual([]);
  });

  it('lists the revenue of the currency without a chart in its own table', async () => {
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText (the text as rendered), not the DOM property
    const text = await page.locator('#section-revenue-other table').innerText();
    expect(text).toContain('USD');
    expect(text).toContain('$30.00');
  });

  it('made no request other than the file itself and logged no console error', () => {
    expect(requests.filter((url) => url !== fileUrl)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('shows data text as text: a hostile campaign name stays inert in the alert table', async () => {
    expect(await page.locator('#injected').count()).toBe(0);
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText (the text as rendered), not the DOM property
    await expect(page.locator('#section-alerts table').innerText()).resolves.toContain(hostileText);
    expect(await page.locator('section .empty').count()).toBe(0);
  });

  it('saves a full-page screenshot for review', async () => {
    await mkdir(resolve(screenshotPath, '..'), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(existsSync(join(screenshotPath))).toBe(true);
  });
});
