import type { DailyCtrRow } from '../../../shared/schema/types';
import type { SendFact, StatusFact, TapFact } from './scenario';

/**
 * daily_ctr computed straight from the scenario's facts by the contract (SPEC section 3), in
 * plain TypeScript and without the SQL: the independent oracle of the daily-ctr test.
 */

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const plusDays = (date: string, n: number) => dayOf(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

interface Message {
  cohort: string;
  campaign: string;
  template: string | null;
  buttons: { id: string; title: string }[];
}

/** The CTR columns of a daily_ctr row (conversions have their own oracle in conversions.test.ts). */
export type OracleRow = Omit<DailyCtrRow, 'conversions' | 'converted_messages' | 'conversion_rate'> & { dt: string };

/** daily_ctr rows of every cohort, sorted by dt, campaign, template, button. */
export function oracleDailyCtr(sends: SendFact[], statuses: StatusFact[], taps: TapFact[], lookbackDays: number): OracleRow[] {
  const earliest = <T extends { at: number }>(xs: T[]) => [...xs].sort((a, b) => a.at - b.at)[0];
  const messages = new Map<string, Message>();
  for (const wamid of new Set([...sends.map((s) => s.wamid), ...statuses.map((s) => s.wamid)])) {
    const send = sends.find((s) => s.wamid === wamid);
    const sts = statuses.filter((s) => s.wamid === wamid);
    const cb = sts.filter((s) => s.callback !== undefined).sort((a, b) => a.at - b.at)[0]?.callback;
    let cbCampaign: string | null = null;
    let cbTemplate: string | null = null;
    if (cb !== undefined) {
      if (cb.startsWith('{')) {
        const o = JSON.parse(cb) as { campaign_id?: string; template_name?: string };
        cbCampaign = o.campaign_id ?? null;
        cbTemplate = o.template_name ?? null;
      } else cbCampaign = cb;
    }
    messages.set(wamid, {
      cohort: send ? dayOf(send.sentAt) : dayOf(earliest(sts)!.at),
      campaign: send?.campaign ?? cbCampaign ?? 'unattributed',
      template: send?.template ?? cbTemplate,
      buttons: send?.buttons ?? [],
    });
  }
  const counted = (date: string, cohort: string) => date <= plusDays(cohort, lookbackDays);
  const deliveredAt = (wamid: string, cohort: string) =>
    statuses.filter((s) => s.wamid === wamid && (s.status === 'delivered' || s.status === 'read') && counted(dayOf(s.at), cohort)).map((s) => s.at).sort((a, b) => a - b)[0];
  const wasRead = (wamid: string, cohort: string) => statuses.some((s) => s.wamid === wamid && s.status === 'read' && counted(dayOf(s.at), cohort));

  interface Group {
    dt: string;
    campaign: string;
    template: string | null;
    wamids: Set<string>;
    buttons: Map<string, { title: string | null; position: number | null; taps: TapFact[] }>;
  }
  const groups = new Map<string, Group>();
  const groupOf = (dt: string, campaign: string, template: string | null) => {
    const key = JSON.stringify([dt, campaign, template]);
    let g = groups.get(key);
    if (!g) {
      g = { dt, campaign, template, wamids: new Set(), buttons: new Map() };
      groups.set(key, g);
    }
    return g;
  };
  for (const [wamid, m] of messages) {
    const g = groupOf(m.cohort, m.campaign, m.template);
    g.wamids.add(wamid);
    m.buttons.forEach((b, i) => {
      if (!g.buttons.has(b.id)) g.buttons.set(b.id, { title: b.title, position: i + 1, taps: [] });
    });
  }
  for (const t of taps) {
    const m = messages.get(t.context);
    const cohort = m ? m.cohort : dayOf(t.at);
    if (!counted(dayOf(t.at), cohort)) continue;
    const g = groupOf(cohort, m ? m.campaign : 'unattributed', m ? m.template : null);
    let b = g.buttons.get(t.button);
    if (!b) {
      b = { title: t.title, position: null, taps: [] };
      g.buttons.set(t.button, b);
    }
    b.taps.push(t);
  }

  const rows: OracleRow[] = [];
  for (const g of groups.values()) {
    const sent = g.wamids.size;
    const delivered = [...g.wamids].filter((w) => deliveredAt(w, g.dt) !== undefined).length;
    const read = [...g.wamids].filter((w) => wasRead(w, g.dt)).length;
    for (const [buttonId, b] of g.buttons) {
      const clickedMessages = new Set(b.taps.map((t) => t.context)).size;
      const seconds = b.taps.flatMap((t) => {
        const d = messages.has(t.context) ? deliveredAt(t.context, g.dt) : undefined;
        return d === undefined ? [] : [(t.at - d) / 1000];
      });
      rows.push({
        dt: g.dt,
        campaign_id: g.campaign,
        template_name: g.template,
        button_id: buttonId,
        button_title: b.title,
        button_position: b.position,
        messages_sent: sent,
        messages_delivered: delivered,
        messages_read: read,
        clicks: new Set(b.taps.map((t) => t.id)).size,
        clicked_messages: clickedMessages,
        unique_users: new Set(b.taps.map((t) => t.from)).size,
        ctr: delivered === 0 ? null : clickedMessages / delivered,
        read_ctr: read === 0 ? null : clickedMessages / read,
        median_seconds_to_click: median(seconds),
      });
    }
  }
  const key = (r: OracleRow) => JSON.stringify([r.dt, r.campaign_id, r.template_name ?? '', r.button_id]);
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
