import type { ChatMessage } from '../ports/notifier';
import type { AnomalyRow } from '../schema/types';
import { terminalSafe } from '../text/terminal';
import { blockTextChars, contextBlock, dividerBlock, headerBlock, sectionBlock, slackData, slackEscape, slackEscapeWithin, slackLimits, slackLink } from './mrkdwn';

/**
 * The daily Slack digest and the failure alert, as pure functions: Block Kit blocks plus a plain
 * `text` fallback (what notifications and screen readers show). Anomalies come first because they
 * are the reason to read the message; the headline CTR and the quarantine count follow. Every
 * string goes through the builders of ./mrkdwn (escaped, data as inline code, within Slack's
 * limits), so nothing in the data can mention anyone, plant a link or make Slack refuse it.
 */

/** The `daily_ctr` columns the headline needs; any full row fits. */
export interface HeadlineInputRow {
  readonly campaign_id: string;
  readonly template_name: string | null;
  readonly messages_delivered: number;
  readonly clicked_messages: number;
  readonly clicks: number;
}

/** One campaign's numbers for the day. */
export interface CampaignHeadline {
  readonly campaign_id: string;
  readonly messages_delivered: number;
  readonly clicked_messages: number;
  readonly clicks: number;
  /** clicked_messages / messages_delivered, null when nothing was delivered. */
  readonly ctr: number | null;
}

/** A row of daily/digest-conversions.sql: the target date's conversions of one campaign in one currency. */
export interface ConversionInputRow {
  readonly campaign_id: string;
  /** Null for conversions without a value (sign-ups). */
  readonly currency: string | null;
  readonly conversions: number;
  readonly revenue: number | null;
}

/** One campaign's conversions of the day, and its revenue in each currency (largest first). */
export interface CampaignConversions {
  readonly campaign_id: string;
  readonly conversions: number;
  readonly revenue: readonly { readonly currency: string; readonly amount: number }[];
}

export interface DigestInput {
  readonly date: string;
  readonly anomalies: readonly AnomalyRow[];
  readonly headlines: readonly CampaignHeadline[];
  /** The day's conversions per campaign (campaignConversions); absent: the section is left out. */
  readonly conversions?: readonly CampaignConversions[];
  readonly quarantined: number;
  /** One line per experiment that reached a decision or a mismatch (experimentNews); absent or empty: no section. */
  readonly experiments?: readonly string[];
  /**
   * The dashboard of this date, when it has a URL Slack can open (the signed report link of SPEC
   * section 2 on AWS); what does not fit in the message then links to it.
   */
  readonly dashboardUrl?: string | null;
  /** The workflow could not publish this date's dashboard: the digest says so where the link would be. */
  readonly dashboardUnpublished?: boolean;
}

/** Anomaly sections in one digest (Slack allows 50 blocks); the rest are summarised in one line. */
export const maxAnomalyBlocks = 20 as const;

/**
 * Per-campaign totals of one cohort date. `messages_delivered` repeats on every button row of a
 * (campaign, template), so it is taken once per template; clicked messages add up over buttons
 * (a message tapped on two buttons counts twice, which is what the per-button CTRs add up to).
 */
export function campaignHeadlines(rows: readonly HeadlineInputRow[]): CampaignHeadline[] {
  const byCampaign = new Map<string, { delivered: Map<string, number>; clicked: number; clicks: number }>();
  for (const row of rows) {
    const entry = byCampaign.get(row.campaign_id) ?? { delivered: new Map<string, number>(), clicked: 0, clicks: 0 };
    const template = row.template_name ?? '';
    entry.delivered.set(template, Math.max(entry.delivered.get(template) ?? 0, Number(row.messages_delivered)));
    entry.clicked += Number(row.clicked_messages);
    entry.clicks += Number(row.clicks);
    byCampaign.set(row.campaign_id, entry);
  }
  return [...byCampaign.entries()]
    .map(([campaign_id, e]) => {
      const delivered = [...e.delivered.values()].reduce((a, b) => a + b, 0);
      return { campaign_id, messages_delivered: delivered, clicked_messages: e.clicked, clicks: e.clicks, ctr: delivered === 0 ? null : e.clicked / delivered };
    })
    .sort((a, b) => b.messages_delivered - a.messages_delivered || a.campaign_id.localeCompare(b.campaign_id));
}

/**
 * Per-campaign conversions of the day from daily/digest-conversions.sql rows, most conversions
 * first; revenue stays per currency (amounts in different currencies are never added).
 */
export function campaignConversions(rows: readonly ConversionInputRow[]): CampaignConversions[] {
  const byCampaign = new Map<string, { conversions: number; revenue: Map<string, number> }>();
  for (const row of rows) {
    const entry = byCampaign.get(row.campaign_id) ?? { conversions: 0, revenue: new Map<string, number>() };
    entry.conversions += Number(row.conversions);
    if (row.currency !== null && row.revenue !== null) entry.revenue.set(row.currency, (entry.revenue.get(row.currency) ?? 0) + Number(row.revenue));
    byCampaign.set(row.campaign_id, entry);
  }
  return [...byCampaign.entries()]
    .map(([campaign_id, e]) => ({
      campaign_id,
      conversions: e.conversions,
      revenue: [...e.revenue.entries()].map(([currency, amount]) => ({ currency, amount })).sort((a, b) => b.amount - a.amount || (a.currency < b.currency ? -1 : 1)),
    }))
    .sort((a, b) => b.conversions - a.conversions || a.campaign_id.localeCompare(b.campaign_id));
}

/**
 * An amount with its ISO 4217 code, in the currency's minor units ("BRL 1,234.50", "JPY 1,200").
 * A code the runtime does not know (the transform lets none through) is shown as data instead.
 */
export function moneyText(amount: number, currency: string): string {
  try {
    const formatted = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'code' }).format(amount);
    // ICU separates code and number with a no-break space; a plain one reads the same everywhere.
    return formatted.replace(/\u00a0/g, ' ');
  } catch {
    return `${slackData(currency)} ${amount.toFixed(2)}`;
  }
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

function metricValue(metric: string, value: number | null): string {
  if (value === null) return 'n/a';
  return metric === 'ctr' ? percent(value) : String(Math.round(value * 10) / 10);
}

/**
 * One anomaly of the digest's date as one line: series, metric, observed against the expected
 * range, and "ongoing since D" when the incident began on an earlier day D.
 */
export function anomalyLine(a: AnomalyRow, date: string): string {
  const series = [a.campaign_id, a.template_name, a.button_id].filter((p) => p !== null && p !== '').map((p) => slackData(p)).join(' / ');
  const range = a.lower === null || a.upper === null ? '' : ` (expected ${metricValue(a.metric, a.lower)}–${metricValue(a.metric, a.upper)})`;
  const ongoing = a.incident_start !== null && a.incident_start !== undefined && a.incident_start < date ? `, ongoing since ${a.incident_start}` : '';
  // kind and metric are the detector's own words; the series names came from the data.
  return `${a.kind.toUpperCase()} ${a.metric} on ${series}: ${metricValue(a.metric, a.observed)} vs ${metricValue(a.metric, a.expected)}${range}${ongoing}`;
}

function headlineLine(h: CampaignHeadline): string {
  return `${slackData(h.campaign_id)}: CTR ${percent(h.ctr)} (${h.clicked_messages}/${h.messages_delivered} delivered, ${h.clicks} clicks)`;
}

function conversionLine(c: CampaignConversions): string {
  const revenue = c.revenue.length === 0 ? 'no revenue' : `revenue ${c.revenue.map((r) => moneyText(r.amount, r.currency)).join(' + ')}`;
  return `${slackData(c.campaign_id)}: ${c.conversions} ${c.conversions === 1 ? 'conversion' : 'conversions'}, ${revenue}`;
}

// Room kept for the lines that say what was left out (and a dashboard link), for headlines and
// for conversions.
const OVERFLOW_RESERVE = 400;
const HEADLINE_RESERVE = 1500;
const CONVERSION_RESERVE = 1500;
const EXPERIMENT_RESERVE = 1500;

/** Where the rest is: the dashboard when there is a link to it, else the table to query. */
function elsewhere(input: DigestInput, table: string): { text: string; link: string } {
  const built = input.dashboardUrl ? slackLink(input.dashboardUrl, 'open the dashboard') : null;
  // A link too long for the room kept for it is left out rather than cut (a cut link is broken).
  const link = built !== null && built.length <= OVERFLOW_RESERVE - 100 ? built : null;
  return link === null ? { text: ` (query the ${table} table, dt = '${input.date}')`, link: '' } : { text: ': ', link };
}

/**
 * The dashboard's own line: the signed link of the date when there is one that fits its room, or
 * the news that the dashboard could not be published (the failure alert that follows says why).
 */
function dashboardBlock(input: DigestInput): Record<string, unknown> | null {
  if (input.dashboardUnpublished) return sectionBlock(`:warning: The dashboard of ${input.date} could not be published; the workflow's failure alert says why.`);
  const link = input.dashboardUrl ? slackLink(input.dashboardUrl, 'open the dashboard') : null;
  return link !== null && link.length <= OVERFLOW_RESERVE - 100 ? sectionBlock(`:bar_chart: Dashboard of ${input.date}: `, link) : null;
}

/** Lines that fit `maxChars` once escaped and joined by newlines, and how many did not. */
function fitLines(lines: readonly string[], maxChars: number): { shown: string[]; left: number } {
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    const cost = slackEscape(line).length + (shown.length > 0 ? 1 : 0);
    if (used + cost > maxChars) break;
    shown.push(line);
    used += cost;
  }
  return { shown, left: lines.length - shown.length };
}

/**
 * The digest of one target date, inside Slack's limits (see slackLimits): at most
 * `maxAnomalyBlocks` anomaly sections and one headline section, cut by whole lines with "… and
 * N more" pointing at the dashboard (when it has a link) or the table to query; every string
 * from the data shown as inline code and escaped (see slackData and slackEscape).
 */
export function buildDigest(input: DigestInput): ChatMessage {
  const n = input.anomalies.length;
  const title = `WhatsApp CTR digest ${input.date}: ${n === 0 ? 'no anomalies' : `${n} ${n === 1 ? 'anomaly' : 'anomalies'}`}`;
  const blocks: Record<string, unknown>[] = [headerBlock(title)];
  const quarantine = contextBlock(`Quarantined rows: ${input.quarantined}`);
  const conversions = input.conversions;
  const conversionReserve = conversions === undefined ? 0 : CONVERSION_RESERVE + OVERFLOW_RESERVE;
  const experimentLines = input.experiments ?? [];
  const experimentReserve = experimentLines.length === 0 ? 0 : EXPERIMENT_RESERVE + OVERFLOW_RESERVE;
  const dashboard = dashboardBlock(input);
  let room = slackLimits.blocksTotalChars - blockTextChars([blocks[0]!, quarantine, ...(dashboard ? [dashboard] : [])]) - 2 * OVERFLOW_RESERVE - HEADLINE_RESERVE - conversionReserve - experimentReserve;

  const anomalyLines = input.anomalies.map((a) => anomalyLine(a, input.date));
  let shownAnomalies = 0;
  for (const line of anomalyLines.slice(0, maxAnomalyBlocks)) {
    const block = sectionBlock(`:rotating_light: ${line}`);
    const cost = blockTextChars([block]);
    if (cost > room) break;
    blocks.push(block);
    room -= cost;
    shownAnomalies++;
  }
  if (n > shownAnomalies) {
    const more = elsewhere(input, 'anomalies');
    blocks.push(sectionBlock(`… and ${n - shownAnomalies} more${more.text}`, more.link));
  }
  if (n > 0) blocks.push(dividerBlock);

  const heading = `*Headline CTR by campaign (cohort ${input.date})*`;
  const headlineLines = input.headlines.map(headlineLine);
  const sectionRoom = Math.min(slackLimits.sectionChars, room + HEADLINE_RESERVE) - heading.length - 1 - OVERFLOW_RESERVE;
  const fit = fitLines(headlineLines, sectionRoom);
  const body = input.headlines.length === 0 ? ['No messages in this cohort.'] : fit.shown;
  let suffix = '';
  if (fit.left > 0) {
    const more = elsewhere(input, 'daily_ctr');
    body.push(`… and ${fit.left} more ${fit.left === 1 ? 'campaign' : 'campaigns'}${more.text}`);
    suffix = more.link;
  }
  const headlineBlock = sectionBlock([heading, ...body].join('\n'), suffix);
  blocks.push(headlineBlock);
  room = Math.max(0, room + HEADLINE_RESERVE - blockTextChars([headlineBlock]));

  const conversionLines = (conversions ?? []).map(conversionLine);
  if (conversions !== undefined) {
    const convHeading = `*Conversions by campaign (${input.date}, last-touch attribution)*`;
    const convRoom = Math.min(slackLimits.sectionChars, room + CONVERSION_RESERVE) - convHeading.length - 1 - OVERFLOW_RESERVE;
    const convFit = fitLines(conversionLines, convRoom);
    const convBody = conversions.length === 0 ? ['No conversions on this day.'] : convFit.shown;
    let convSuffix = '';
    if (convFit.left > 0) {
      const more = elsewhere(input, 'daily_conversions');
      convBody.push(`… and ${convFit.left} more ${convFit.left === 1 ? 'campaign' : 'campaigns'}${more.text}`);
      convSuffix = more.link;
    }
    const convBlock = sectionBlock([convHeading, ...convBody].join('\n'), convSuffix);
    blocks.push(convBlock);
    room = Math.max(0, room + CONVERSION_RESERVE - blockTextChars([convBlock]));
  }
  if (experimentLines.length > 0) {
    const expHeading = `*Experiments (evaluated ${input.date}, always-valid)*`;
    const expRoom = Math.min(slackLimits.sectionChars, room + EXPERIMENT_RESERVE) - expHeading.length - 1 - OVERFLOW_RESERVE;
    const expFit = fitLines(experimentLines, expRoom);
    const expBody = expFit.shown;
    let expSuffix = '';
    if (expFit.left > 0) {
      const more = elsewhere(input, 'experiments');
      expBody.push(`… and ${expFit.left} more ${expFit.left === 1 ? 'experiment' : 'experiments'}${more.text}`);
      expSuffix = more.link;
    }
    blocks.push(sectionBlock([expHeading, ...expBody].join('\n'), expSuffix));
  }
  if (dashboard) blocks.push(dashboard);
  blocks.push(quarantine);

  // The notification text: the same lines, whole, as many as fit.
  const lines = [title, ...anomalyLines, ...headlineLines, ...conversionLines, ...experimentLines];
  const footer = `Quarantined rows: ${input.quarantined}`;
  const textFit = fitLines(lines, slackLimits.textChars - footer.length - 1 - 60);
  const textLines = textFit.left > 0 ? [...textFit.shown, `… and ${textFit.left} more lines in the message`] : textFit.shown;
  return { text: slackEscape([...textLines, footer].join('\n')), blocks };
}

/** The alert posted when a workflow step fails for good. */
export function buildFailureAlert(input: { readonly date?: string; readonly error: string; readonly cause: string }): ChatMessage {
  const title = `WhatsApp analytics daily workflow FAILED${input.date ? ` for ${input.date}` : ''}`;
  // An error message can quote data: no control characters, and no backtick to end the code block.
  const detail = terminalSafe(`${input.error}: ${input.cause}`, { keepNewlines: true }).replace(/`/g, 'ˋ');
  return {
    text: `${slackEscape(title)}\n\`\`\`${slackEscapeWithin(detail, slackLimits.textChars - title.length - 8)}\`\`\``,
    blocks: [headerBlock(title), { type: 'section', text: { type: 'mrkdwn', verbatim: true, text: `\`\`\`${slackEscapeWithin(detail, slackLimits.sectionChars - 6)}\`\`\`` } }],
  };
}
