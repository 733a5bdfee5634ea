import { type RawRequest, writeRawRequests } from '../../support/raw-lake';
import { metaWebhook, type MetaStatusSpec, type MetaTapSpec } from '../../support/webhooks';

/**
 * A multi-day campaign as plain facts (sends, statuses, taps, each with its arrival time), the
 * webhook bodies they become, and the raw lake the transform writes from them. The oracle reads
 * the same facts; only the lake goes through the SQL.
 */

export interface SendFact {
  wamid: string;
  to: string;
  sentAt: number;
  campaign: string | null;
  template: string | null;
  buttons: { id: string; title: string }[] | null;
  arrivals: number[];
}
export interface StatusFact {
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: number;
  to: string;
  callback?: string;
  arrivals: number[];
}
export interface TapFact {
  id: string;
  from: string;
  at: number;
  context: string;
  kind: MetaTapSpec['kind'];
  button: string;
  title: string;
  arrivals: number[];
}

/** Epoch ms of a UTC date and time. */
export function at(date: string, time: string): number {
  return Date.parse(`${date}T${time}Z`);
}
const spring1 = [
  { id: 'yes', title: 'Yes' },
  { id: 'no', title: 'No' },
  { id: 'later', title: 'Later' },
];
const spring2 = [
  { id: 'yes', title: 'Yes!' },
  { id: 'no', title: 'No thanks' },
];
const springCb = JSON.stringify({ campaign_id: 'spring', template_name: 'spring_v1' });

export const sends: SendFact[] = [
  // Posted twice to the registry (a client retry).
  { wamid: 'wamid.M1', to: '15550000001', sentAt: at('2024-05-01', '09:00:00'), campaign: 'spring', template: 'spring_v1', buttons: spring1, arrivals: [at('2024-05-01', '09:00:01'), at('2024-05-01', '09:03:00')] },
  { wamid: 'wamid.M2', to: '15550000002', sentAt: at('2024-05-01', '09:00:00'), campaign: 'spring', template: 'spring_v1', buttons: spring1, arrivals: [at('2024-05-01', '09:00:01')] },
  { wamid: 'wamid.M3', to: '15550000003', sentAt: at('2024-05-01', '09:00:00'), campaign: 'spring', template: 'spring_v1', buttons: spring1, arrivals: [at('2024-05-01', '09:00:01')] },
  { wamid: 'wamid.M4', to: '15550000004', sentAt: at('2024-05-01', '09:00:00'), campaign: 'spring', template: 'spring_v1', buttons: spring1, arrivals: [at('2024-05-01', '09:00:01')] },
  { wamid: 'wamid.M7', to: '15550000007', sentAt: at('2024-05-03', '23:30:00'), campaign: 'spring', template: 'spring_v2', buttons: spring2, arrivals: [at('2024-05-03', '23:30:01')] },
  { wamid: 'wamid.M8', to: '15550000008', sentAt: at('2024-05-03', '23:30:00'), campaign: 'spring', template: 'spring_v2', buttons: spring2, arrivals: [at('2024-05-03', '23:30:01')] },
];

export const statuses: StatusFact[] = [
  { wamid: 'wamid.M1', status: 'sent', at: at('2024-05-01', '09:00:05'), to: '15550000001', callback: springCb, arrivals: [at('2024-05-01', '09:00:06')] },
  // Delivered twice by Meta (a webhook retry).
  { wamid: 'wamid.M1', status: 'delivered', at: at('2024-05-01', '09:01:00'), to: '15550000001', callback: springCb, arrivals: [at('2024-05-01', '09:01:01'), at('2024-05-01', '09:20:00')] },
  { wamid: 'wamid.M1', status: 'read', at: at('2024-05-01', '09:05:00'), to: '15550000001', callback: springCb, arrivals: [at('2024-05-01', '09:05:01')] },
  { wamid: 'wamid.M2', status: 'delivered', at: at('2024-05-01', '09:02:00'), to: '15550000002', arrivals: [at('2024-05-01', '09:02:01')] },
  // Read after the lookback: not counted for the 05-01 cohort.
  { wamid: 'wamid.M2', status: 'read', at: at('2024-05-04', '08:00:00'), to: '15550000002', arrivals: [at('2024-05-04', '08:00:01')] },
  // Callback data names another campaign: the registry wins.
  { wamid: 'wamid.M3', status: 'failed', at: at('2024-05-01', '09:00:10'), to: '15550000003', callback: 'other', arrivals: [at('2024-05-01', '09:00:11')] },
  { wamid: 'wamid.M4', status: 'delivered', at: at('2024-05-01', '10:00:00'), to: '15550000004', arrivals: [at('2024-05-01', '10:00:01')] },
  { wamid: 'wamid.M4', status: 'read', at: at('2024-05-01', '10:01:00'), to: '15550000004', arrivals: [at('2024-05-01', '10:01:01')] },
  // No registry entry: campaign from the bare callback string; read the next day.
  { wamid: 'wamid.M5', status: 'sent', at: at('2024-05-02', '08:00:00'), to: '15550000005', callback: 'promo-b', arrivals: [at('2024-05-02', '08:00:01')] },
  { wamid: 'wamid.M5', status: 'delivered', at: at('2024-05-02', '08:00:30'), to: '15550000005', callback: 'promo-b', arrivals: [at('2024-05-02', '08:00:31')] },
  { wamid: 'wamid.M5', status: 'read', at: at('2024-05-03', '07:00:00'), to: '15550000005', callback: 'promo-b', arrivals: [at('2024-05-03', '07:00:01')] },
  // No registry entry, no callback data: unattributed.
  { wamid: 'wamid.M6', status: 'delivered', at: at('2024-05-02', '11:00:00'), to: '15550000006', arrivals: [at('2024-05-02', '11:00:01')] },
  // Delivered after midnight, the day after the send.
  { wamid: 'wamid.M7', status: 'delivered', at: at('2024-05-04', '00:10:00'), to: '15550000007', arrivals: [at('2024-05-04', '00:10:01')] },
  // Only a read status (the delivered webhook was lost): read implies delivered.
  { wamid: 'wamid.M8', status: 'read', at: at('2024-05-03', '23:45:00'), to: '15550000008', arrivals: [at('2024-05-03', '23:45:01')] },
];

export const taps: TapFact[] = [
  // Delivered twice: counted once.
  { id: 'wamid.T1', from: '15550000001', at: at('2024-05-01', '09:10:00'), context: 'wamid.M1', kind: 'button_reply', button: 'yes', title: 'Yes', arrivals: [at('2024-05-01', '09:10:01'), at('2024-05-01', '09:40:00')] },
  // A late tap, arriving a day after it happened (the user was offline).
  { id: 'wamid.T2', from: '15550000002', at: at('2024-05-03', '12:00:00'), context: 'wamid.M2', kind: 'quick_reply', button: 'no', title: 'No', arrivals: [at('2024-05-04', '12:00:00')] },
  { id: 'wamid.T3', from: '15550000004', at: at('2024-05-01', '10:03:00'), context: 'wamid.M4', kind: 'list_reply', button: 'yes', title: 'Yes', arrivals: [at('2024-05-01', '10:03:01')] },
  { id: 'wamid.T4', from: '15550000004', at: at('2024-05-01', '10:04:00'), context: 'wamid.M4', kind: 'button_reply', button: 'no', title: 'No', arrivals: [at('2024-05-01', '10:04:01')] },
  { id: 'wamid.T5', from: '15550000005', at: at('2024-05-02', '08:05:00'), context: 'wamid.M5', kind: 'nfm_reply', button: 'flow_b', title: 'Tell us more', arrivals: [at('2024-05-02', '08:05:01')] },
  { id: 'wamid.T6', from: '15550000006', at: at('2024-05-02', '11:30:00'), context: 'wamid.M6', kind: 'button_reply', button: 'x1', title: 'Shop now', arrivals: [at('2024-05-02', '11:30:01')] },
  // The outbound message is unknown: cohort = the tap's own date, unattributed.
  { id: 'wamid.T7', from: '15550000009', at: at('2024-05-02', '13:00:00'), context: 'wamid.UNKNOWN', kind: 'button_reply', button: 'yes', title: 'Yes', arrivals: [at('2024-05-02', '13:00:01')] },
  // Three days after the 05-01 send: beyond a lookback of 2, counted nowhere.
  { id: 'wamid.T8', from: '15550000001', at: at('2024-05-04', '10:00:00'), context: 'wamid.M1', kind: 'button_reply', button: 'yes', title: 'Yes', arrivals: [at('2024-05-04', '10:00:01')] },
  { id: 'wamid.T9', from: '15550000007', at: at('2024-05-04', '00:20:00'), context: 'wamid.M7', kind: 'quick_reply', button: 'yes', title: 'Yes!', arrivals: [at('2024-05-04', '00:20:01')] },
  { id: 'wamid.T10', from: '15550000008', at: at('2024-05-03', '23:50:00'), context: 'wamid.M8', kind: 'button_reply', button: 'yes', title: 'Yes!', arrivals: [at('2024-05-04', '00:05:00')] },
];

function requests(): RawRequest[] {
  const out: RawRequest[] = [];
  for (const s of sends) {
    const body = JSON.stringify({ wamid: s.wamid, campaign_id: s.campaign, template_name: s.template, wa_id: `+${s.to}`, sent_at: new Date(s.sentAt).toISOString(), buttons: s.buttons });
    for (const t of s.arrivals) out.push({ source: 'registry', body, receivedTs: t });
  }
  for (const s of statuses) {
    const spec: MetaStatusSpec = { id: s.wamid, status: s.status, timestamp: s.at / 1000, recipient: s.to, callback: s.callback };
    const body = JSON.stringify(metaWebhook({ statuses: [spec] }));
    for (const t of s.arrivals) out.push({ source: 'meta', body, receivedTs: t });
  }
  for (const t of taps) {
    const spec: MetaTapSpec = { id: t.id, from: t.from, timestamp: t.at / 1000, contextId: t.context, kind: t.kind, buttonId: t.button, title: t.title };
    const body = JSON.stringify(metaWebhook({ taps: [spec] }));
    for (const a of t.arrivals) out.push({ source: 'meta', body, receivedTs: a });
  }
  // Not WhatsApp at all: a quarantine row, which curated events must leave out.
  out.push({ source: 'meta', body: '{"broken json', receivedTs: at('2024-05-02', '12:00:00') });
  return out.sort((a, b) => a.receivedTs - b.receivedTs);
}

/** Writes the scenario's raw lake (see writeRawRequests); returns the arrival dates written. */
export function writeRawLake(lakeRoot: string): Promise<string[]> {
  return writeRawRequests(lakeRoot, requests());
}
