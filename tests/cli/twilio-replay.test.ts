import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows, removeTempDirs, runCli, tempDir } from '../local/stack-helpers';

/*
 * A campaign sent through Twilio, end to end through the commands a user runs: the sends
 * registered with Twilio's MessageSid as the wamid, then Twilio's status callbacks (a capture of
 * one form per line) and its incoming-message webhooks (one .form file each: quick-reply taps on
 * the message they answer, `OriginalRepliedMessageSid`, a text reply, a tap posted twice), then
 * conversions, each replayed with `replay` (signed with TWILIO_AUTH_TOKEN over the URL the local
 * API records, and verified by the transform), then `daily`. `daily_ctr` must hold the numbers
 * counted by hand below from the traffic, not through our SQL.
 *
 * Twilio's forms carry no event time: their rows are dated when they are received, i.e. now. The
 * reporting time zone is picked so that now is around local noon, so the whole test sits in one
 * local day whatever the hour it runs at.
 */

const TOKEN = 'e2e-twilio-auth-token';
const BUSINESS = 'whatsapp:+14155238886';
const ACCOUNT = 'AC8f2b1c4d5e6f708192a3b4c5d6e7f809';

afterAll(removeTempDirs);

/** An IANA zone (whole hours) in which the current instant is between 11:30 and 12:30. */
function zoneAtNoon(now: number): string {
  const utcHour = new Date(now).getUTCHours() + new Date(now).getUTCMinutes() / 60;
  let offset = Math.round(12 - utcHour);
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  // Etc/GMT zones have POSIX signs: Etc/GMT-3 is three hours ahead of UTC.
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** The date of an instant in a whole-hour Etc zone, computed by hand. */
function localDate(now: number, zone: string): string {
  const m = /^Etc\/GMT([+-])(\d+)$/.exec(zone);
  const offsetHours = m === null ? 0 : (m[1] === '-' ? 1 : -1) * Number(m[2]);
  return new Date(now + offsetHours * 3_600_000).toISOString().slice(0, 10);
}

const sid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;
const user = (n: number) => `5511987650${String(n).padStart(3, '0')}`;
const form = (pairs: [string, string][]) => new URLSearchParams(pairs).toString();

/** A status callback as Twilio posts it for a WhatsApp message. */
function status(message: number, to: number, value: string, errorCode?: number): string {
  return form([
    ['ChannelPrefix', 'whatsapp'],
    ['ApiVersion', '2010-04-01'],
    ['MessageStatus', value],
    ['SmsSid', sid(message)],
    ['SmsStatus', value],
    ['To', `whatsapp:+${user(to)}`],
    ['From', BUSINESS],
    ['MessageSid', sid(message)],
    ['AccountSid', ACCOUNT],
    ...(errorCode === undefined ? [] : ([['ErrorCode', String(errorCode)]] as [string, string][])),
  ]);
}

/** An incoming-message webhook: a template quick-reply tap (MessageType button) or, without a button, a text. */
function inbound(inboundSid: string, from: number, repliedTo: number, button: { id: string; title: string } | null): string {
  return form([
    ['SmsMessageSid', inboundSid],
    ['NumMedia', '0'],
    ['ProfileName', 'Ana'],
    ['MessageType', button === null ? 'text' : 'button'],
    ['SmsSid', inboundSid],
    ['WaId', user(from)],
    ['SmsStatus', 'received'],
    ['Body', button === null ? 'Can I come earlier?' : button.title],
    ...(button === null ? [] : ([['ButtonText', button.title], ['ButtonPayload', button.id]] as [string, string][])),
    ['OriginalRepliedMessageSid', sid(repliedTo)],
    ['To', BUSINESS],
    ['MessageSid', inboundSid],
    ['AccountSid', ACCOUNT],
    ['From', `whatsapp:+${user(from)}`],
    ['ApiVersion', '2010-04-01'],
  ]);
}

const CONFIRM = { id: 'confirm', title: 'Confirm' };
const RESCHEDULE = { id: 'reschedule', title: 'Reschedule' };

describe('a Twilio campaign replayed and rolled up by the commands', () => {
  it('gives daily_ctr the numbers counted by hand from the traffic', async () => {
    const started = Date.now();
    const zone = zoneAtNoon(started);
    const today = localDate(started, zone);
    const env = { WA_PII: 'raw', WA_TIMEZONE: zone, TWILIO_AUTH_TOKEN: TOKEN };
    const dataDir = tempDir();
    const input = tempDir();

    // Six reminders, sent ten minutes ago through Twilio: registered with their MessageSid.
    const sentAt = new Date(started - 10 * 60_000).toISOString();
    const sends = [1, 2, 3, 4, 5, 6].map((n) => ({ wamid: sid(n), campaign_id: 'reminders', template_name: 'visit_reminder', wa_id: `+${user(n)}`, sent_at: sentAt, buttons: [CONFIRM, RESCHEDULE] }));
    writeFileSync(join(input, 'sends.json'), JSON.stringify(sends));
    // All sent; 1–5 delivered; 1–4 read; 6 undelivered. A queued callback is no fact.
    const statuses = [
      ...[1, 2, 3, 4, 5, 6].map((n) => status(n, n, 'sent')),
      ...[1, 2, 3, 4, 5].map((n) => status(n, n, 'delivered')),
      ...[1, 2, 3, 4].map((n) => status(n, n, 'read')),
      status(6, 6, 'undelivered', 63016),
      status(1, 1, 'queued'),
    ];
    writeFileSync(join(input, 'statuses.log'), `${statuses.join('\n')}\n`);

    const registered = await runCli(['replay', join(input, 'sends.json'), '--data-dir', dataDir], env, 60_000);
    expect([registered.code, registered.stdout]).toEqual([0, 'replay: posted 1; accepted 1; rejected 0\n']);
    const reported = await runCli(['replay', join(input, 'statuses.log'), '--data-dir', dataDir], env, 60_000);
    expect([reported.code, reported.stdout]).toEqual([0, `replay: posted ${statuses.length}; accepted ${statuses.length}; rejected 0\n`]);

    // Taps after the statuses (a later replay): user 1 confirms twice, 2 asks to reschedule (the
    // webhook posted twice), 3 confirms, 5 confirms a message it never read, 4 writes a text.
    const taps = join(input, 'taps');
    mkdirSync(taps);
    const tapBodies: Record<string, string> = {
      'a-u1-confirm.form': inbound('SM' + 'a1'.repeat(16), 1, 1, CONFIRM),
      'b-u1-confirm-again.form': inbound('SM' + 'a2'.repeat(16), 1, 1, CONFIRM),
      'c-u2-reschedule.form': inbound('SM' + 'b1'.repeat(16), 2, 2, RESCHEDULE),
      'd-u2-reschedule-retried.form': inbound('SM' + 'b1'.repeat(16), 2, 2, RESCHEDULE),
      'e-u3-confirm.form': inbound('SM' + 'c1'.repeat(16), 3, 3, CONFIRM),
      'f-u5-confirm.form': inbound('SM' + 'e1'.repeat(16), 5, 5, CONFIRM),
      'g-u4-text.form': inbound('SM' + 'd1'.repeat(16), 4, 4, null),
    };
    for (const [name, body] of Object.entries(tapBodies)) writeFileSync(join(taps, name), body);
    const tapped = await runCli(['replay', taps, '--data-dir', dataDir], env, 60_000);
    expect([tapped.code, tapped.stdout]).toEqual([0, 'replay: posted 7; accepted 7; rejected 0\n']);

    // Conversions after the taps: 1 buys and 3 signs up (each credited to their confirm tap), 6 buys untapped.
    const occurred = new Date(Date.now()).toISOString();
    const conversions = [
      { conversion_id: 'e2e-1', wa_id: `+${user(1)}`, name: 'purchase', occurred_at: occurred, value: 30, currency: 'BRL' },
      { conversion_id: 'e2e-2', wa_id: `+${user(3)}`, name: 'signup', occurred_at: occurred },
      { conversion_id: 'e2e-3', wa_id: `+${user(6)}`, name: 'purchase', occurred_at: occurred, value: 12, currency: 'BRL' },
    ];
    writeFileSync(join(input, 'conversions.json'), JSON.stringify(conversions));
    const converted = await runCli(['replay', join(input, 'conversions.json'), '--data-dir', dataDir], env, 60_000);
    expect([converted.code, converted.stdout]).toEqual([0, 'replay: posted 1; accepted 1; rejected 0\n']);

    // Every Twilio body verified: nothing quarantined; the queued callback made no row.
    const raw = await queryRows(dataDir, `SELECT kind, source, status, wamid, context_wamid, received_ts, event_ts FROM raw_events ORDER BY received_ts`);
    expect(raw.filter((r) => r.kind === 'quarantine')).toEqual([]);
    expect(raw.filter((r) => r.kind === 'status')).toHaveLength(statuses.length - 1);
    expect(raw.filter((r) => r.source === 'twilio').every((r) => r.event_ts === r.received_ts)).toBe(true);

    const run = await runCli(['daily', '--date', today, '--lookback', '3', '--data-dir', dataDir], env, 120_000);
    expect(run.stdout).toContain(`daily workflow succeeded for ${today}`);
    expect(run.code).toBe(0);

    const ctr = await queryRows(
      dataDir,
      'SELECT dt, campaign_id, template_name, button_id, button_title, button_position, messages_sent, messages_delivered, messages_read, clicks, clicked_messages, unique_users, ctr, read_ctr, median_seconds_to_click, conversions, converted_messages, conversion_rate FROM daily_ctr ORDER BY dt, campaign_id, button_id',
    );
    // Median seconds from the delivered callback's arrival to each tap's, from the receive times the lake recorded.
    const arrival = (kind: string, wamid: string, statusName: string | null = null) =>
      Number(raw.find((r) => r.kind === kind && (kind === 'click' ? r.wamid === wamid : r.wamid === wamid && r.status === statusName))!.received_ts);
    const confirmWaits = [
      ['SM' + 'a1'.repeat(16), 1],
      ['SM' + 'a2'.repeat(16), 1],
      ['SM' + 'c1'.repeat(16), 3],
      ['SM' + 'e1'.repeat(16), 5],
    ].map(([tap, message]) => (arrival('click', tap as string) - arrival('status', sid(message as number), 'delivered')) / 1000);
    const sorted = [...confirmWaits].sort((a, b) => a - b);
    const confirmMedian = (sorted[1]! + sorted[2]!) / 2;
    const rescheduleWait = (arrival('click', 'SM' + 'b1'.repeat(16)) - arrival('status', sid(2), 'delivered')) / 1000;

    const common = { dt: today, campaign_id: 'reminders', template_name: 'visit_reminder', messages_sent: 6, messages_delivered: 5, messages_read: 4 };
    expect(ctr).toEqual([
      {
        ...common,
        button_id: 'confirm',
        button_title: 'Confirm',
        button_position: 1,
        clicks: 4,
        clicked_messages: 3,
        unique_users: 3,
        ctr: 3 / 5,
        read_ctr: 3 / 4,
        median_seconds_to_click: expect.closeTo(confirmMedian, 6),
        conversions: 2,
        converted_messages: 2,
        conversion_rate: 2 / 3,
      },
      {
        ...common,
        button_id: 'reschedule',
        button_title: 'Reschedule',
        button_position: 2,
        clicks: 1,
        clicked_messages: 1,
        unique_users: 1,
        ctr: 1 / 5,
        read_ctr: 1 / 4,
        median_seconds_to_click: expect.closeTo(rescheduleWait, 6),
        conversions: 0,
        converted_messages: 0,
        conversion_rate: 0,
      },
    ]);
  }, 300_000);
});
