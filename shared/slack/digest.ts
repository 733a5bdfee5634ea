import type { AnomalyRow } from '../schema/types';
import type { ChatMessage } from '../ports/notifier';

/**
 * The daily Slack digest and the failure alert, as pure functions: Block Kit blocks plus a plain
 * `text` fallback (what notifications and screen readers show). Anomalies come first because they
 * are the reason to read the message; the headline CTR and the quarantine count follow.
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

export interface DigestInput {
  readonly date: string;
  readonly anomalies: readonly AnomalyRow[];
  readonly headlines: readonly CampaignHeadline[];
  readonly quarantined: number;
}

/** Slack allows 50 blocks per message; the rest of the anomalies are summarised in one line. */
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

function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

function metricValue(metric: string, value: number | null): string {
  if (value === null) return 'n/a';
  return metric === 'ctr' ? percent(value) : String(Math.round(value * 10) / 10);
}

// Slack mrkdwn treats & < > as control characters.
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One anomaly of the digest's date as one line: series, metric, observed against the expected
 * range, and "ongoing since D" when the incident began on an earlier day D.
 */
export function anomalyLine(a: AnomalyRow, date: string): string {
  const series = [a.campaign_id, a.template_name, a.button_id].filter((p) => p !== null && p !== '').join(' / ');
  const range = a.lower === null || a.upper === null ? '' : ` (expected ${metricValue(a.metric, a.lower)}–${metricValue(a.metric, a.upper)})`;
  const ongoing = a.incident_start !== null && a.incident_start !== undefined && a.incident_start < date ? `, ongoing since ${a.incident_start}` : '';
  return `${a.kind.toUpperCase()} ${a.metric} on ${series}: ${metricValue(a.metric, a.observed)} vs ${metricValue(a.metric, a.expected)}${range}${ongoing}`;
}

function headlineLine(h: CampaignHeadline): string {
  return `${h.campaign_id}: CTR ${percent(h.ctr)} (${h.clicked_messages}/${h.messages_delivered} delivered, ${h.clicks} clicks)`;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** The digest of one target date. */
export function buildDigest(input: DigestInput): ChatMessage {
  const n = input.anomalies.length;
  const title = `WhatsApp CTR digest ${input.date}: ${n === 0 ? 'no anomalies' : `${n} ${n === 1 ? 'anomaly' : 'anomalies'}`}`;
  const shown = input.anomalies.slice(0, maxAnomalyBlocks);
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: title } }];
  for (const a of shown) blocks.push(section(`:rotating_light: ${escape(anomalyLine(a, input.date))}`));
  if (n > shown.length) blocks.push(section(`… and ${n - shown.length} more (query the anomalies table, dt = '${input.date}')`));
  if (n > 0) blocks.push({ type: 'divider' });
  const headlineText = input.headlines.length === 0 ? 'No messages in this cohort.' : input.headlines.map(headlineLine).join('\n');
  blocks.push(section(`*Headline CTR by campaign (cohort ${input.date})*\n${escape(headlineText)}`));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Quarantined rows: ${input.quarantined}` }] });
  const text = [title, ...input.anomalies.map((a) => anomalyLine(a, input.date)), ...input.headlines.map(headlineLine), `Quarantined rows: ${input.quarantined}`].join('\n');
  return { text, blocks };
}

/** The alert posted when a workflow step fails for good. */
export function buildFailureAlert(input: { readonly date?: string; readonly error: string; readonly cause: string }): ChatMessage {
  const title = `WhatsApp analytics daily workflow FAILED${input.date ? ` for ${input.date}` : ''}`;
  const detail = `${input.error}: ${input.cause}`.slice(0, 2900);
  return {
    text: `${title}\n${detail}`,
    blocks: [{ type: 'header', text: { type: 'plain_text', text: title } }, section(`\`\`\`${escape(detail)}\`\`\``)],
  };
}
