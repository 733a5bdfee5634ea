import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { envelopeRecord } from '../../../cli/ops/envelope';
import { runStageReplay } from '../../../cli/commands/replay/stage';
import { decodeRecordData } from '../../../shared/envelope';
import { InputError } from '../../../shared/errors';
import { processEnvelope } from '../../../shared/normalize';
import { createPseudonymizer } from '../../../shared/pii';
import { signMetaBody, verifyMetaSignature } from '../../../shared/signature';
import { metaWebhook } from '../../support/webhooks';
import { prodOutputs, recordingIo, stackAnswer } from './ops-fixtures';

const cfn = mockClient(CloudFormationClient);
const firehose = mockClient(FirehoseClient);
const dirs: string[] = [];
const secrets = { WA_APP_SECRET: 'app-secret', WASENDER_WEBHOOK_SECRET: 'wh-secret' };

const metaBody = JSON.stringify(metaWebhook({ taps: [{ id: 'wamid.IN1', from: '5511955550147', timestamp: 1_718_000_000, contextId: 'wamid.OUT1', kind: 'button_reply', buttonId: 'yes', title: 'Sí' }] }), null, 2);
const wasenderBody = JSON.stringify({ event: 'messages.upsert', timestamp: 1_718_000_500, data: { messages: [{ key: { id: '3EB0A', fromMe: false, remoteJid: '1@s.whatsapp.net' }, messageTimestamp: 1_718_000_500, message: { conversation: 'hi' } }] } });

function capture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wa-ops-replay-'));
  dirs.push(dir);
  const input = join(dir, 'capture');
  mkdirSync(input);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(input, name), text);
  return input;
}

const sentRecords = () => firehose.commandCalls(PutRecordBatchCommand).flatMap((c) => c.args[0].input.Records!.map((r) => Buffer.from(r.Data!)));

beforeEach(() => {
  cfn.reset();
  firehose.reset();
  cfn.on(DescribeStacksCommand).resolves(stackAnswer());
  firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => ({ FailedPutCount: 0, RequestResponses: input.Records!.map(() => ({ RecordId: 'id' })) }));
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('replay --stage', () => {
  it("sends each recorded body, signed and wrapped as the API would, into the stage's stream", async () => {
    const input = capture({ 'a-meta.json': metaBody, 'b-wasender.json': wasenderBody });
    const io = recordingIo();
    const result = await runStageReplay(input, { stage: 'prod', region: 'eu-west-1', asOfEventTime: true }, io, secrets);
    expect(result.code).toBe(0);
    expect(firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input.DeliveryStreamName)).toEqual(['wa-analytics-prod-raw']);
    const [meta, wasender] = sentRecords().map((d) => decodeRecordData(d.toString('base64')));
    // Byte-for-byte the template's output for the same facts (request ids are random per body).
    expect(sentRecords()[0]!.equals(envelopeRecord({ source: 'meta', body: Buffer.from(metaBody), signature: signMetaBody(Buffer.from(metaBody), 'app-secret'), requestId: meta!.requestId!, receivedTs: 1_718_000_000_000 }))).toBe(true);
    expect(wasender).toEqual({ source: 'wasender', body: Buffer.from(wasenderBody), signature: 'wh-secret', requestId: expect.stringMatching(/^replay-/), receivedTs: 1_718_000_500_000 });
    expect(io.stdout).toEqual(['replay into wa-analytics-prod-raw: sent 2; failed 0']);
    expect(io.stderr).toEqual([]);
  });

  it('sends posted conversions through the /conversions template, unsigned, stamped with their latest occurred_at', async () => {
    const batch = JSON.stringify([
      { conversion_id: 'ord-1', wa_id: '15551230001', name: 'purchase', occurred_at: '2024-06-10T08:00:00+02:00', value: 12, currency: 'EUR' },
      { conversion_id: 'ord-2', wa_id: '15551230002', name: 'purchase', occurred_at: '2024-06-10T07:30:00Z' },
    ]);
    const input = capture({ 'a-conversions.json': batch });
    const result = await runStageReplay(input, { stage: 'prod', region: 'eu-west-1', asOfEventTime: true }, recordingIo(), secrets);
    expect(result.code).toBe(0);
    const [record] = sentRecords();
    const decoded = decodeRecordData(record!.toString('base64'));
    // 07:30 UTC is later than 08:00 at +02:00 (06:00 UTC).
    expect(decoded).toEqual({ source: 'conversions', body: Buffer.from(batch), signature: null, requestId: expect.stringMatching(/^replay-/), receivedTs: Date.parse('2024-06-10T07:30:00Z') });
    expect(record!.equals(envelopeRecord({ source: 'conversions', body: Buffer.from(batch), signature: null, requestId: decoded.requestId!, receivedTs: decoded.receivedTs }))).toBe(true);
  });

  it("sends Twilio forms to the stage's Twilio routes: the URL each was called at from the stack, signed over it with TWILIO_AUTH_TOKEN", async () => {
    const base = 'https://hooks.example.com/wa';
    cfn.on(DescribeStacksCommand).resolves(
      stackAnswer([...prodOutputs, { OutputKey: 'TwilioWebhookUrl', OutputValue: `${base}/webhooks/twilio` }, { OutputKey: 'TwilioStatusUrl', OutputValue: `${base}/webhooks/twilio/status` }]),
    );
    const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/twilio', name), 'utf8');
    const input = capture({ 'a-tap.form': fixture('inbound-quick-reply.form'), 'b-read.form': fixture('status-read.form') });
    const result = await runStageReplay(input, { stage: 'prod', region: 'eu-west-1' }, recordingIo(), { ...secrets, TWILIO_AUTH_TOKEN: 'twilio-token' });
    expect(result.code).toBe(0);
    const [tap, read] = sentRecords().map((d) => decodeRecordData(d.toString('base64')));
    expect([tap!.url, read!.url]).toEqual([`${base}/webhooks/twilio`, `${base}/webhooks/twilio/status`]);
    // The transform, with the account's token, verifies both.
    const settings = { metaAppSecret: null, wasenderSecret: null, twilioAuthToken: 'twilio-token', timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) };
    expect([processEnvelope(tap!, settings).rows[0]!.kind, processEnvelope(read!, settings).rows[0]!.kind]).toEqual(['click', 'status']);
    expect(processEnvelope(tap!, { ...settings, twilioAuthToken: 'other' }).quarantined).toBe('bad_signature');
  });

  it('says which output a stack without the Twilio URLs lacks when a Twilio body comes', async () => {
    const input = capture({ 'a-read.form': readFileSync(join(__dirname, '../../fixtures/twilio/status-read.form'), 'utf8') });
    await expect(runStageReplay(input, { stage: 'prod', region: 'eu-west-1' }, recordingIo(), secrets)).rejects.toThrow(/has no output TwilioStatusUrl \(the URL Twilio signs for status callbacks\)/);
  });

  it('stops at an unreadable body after sending the ones before it, and says how many were sent', async () => {
    const input = capture({ 'a-meta.json': metaBody, 'b-broken.json': '{"object": ' });
    const error = await runStageReplay(input, { stage: 'prod', region: 'eu-west-1' }, recordingIo(), secrets).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^b-broken\.json is not JSON \(.*\); 1 record was already sent to the stream$/);
    expect(sentRecords()).toHaveLength(1);
  });

  it('sends a 900 KiB body in one record, whose signature still verifies', async () => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(900 * 1024) });
    const result = await runStageReplay(capture({ 'big.json': body }), { stage: 'prod', region: 'eu-west-1' }, recordingIo(), secrets);
    expect(result.code).toBe(0);
    const [record] = sentRecords().map((d) => decodeRecordData(d.toString('base64')));
    expect(record!.body.equals(Buffer.from(body))).toBe(true);
    expect(verifyMetaSignature(record!.body, record!.signature, 'app-secret')).toBe('ok');
  });

  it('exits 1 and names the record when a body is too large for one Firehose record', async () => {
    const big = JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(1_100_000) });
    const io = recordingIo();
    const result = await runStageReplay(capture({ 'big.json': big }), { stage: 'prod', region: 'eu-west-1' }, io, secrets);
    expect(result.code).toBe(1);
    expect(sentRecords()).toHaveLength(0);
    expect(io.stdout).toEqual(['replay into wa-analytics-prod-raw: sent 0; failed 0; over the 1,000 KiB record limit, not sent 1 (big.json)']);
  });

  it('refuses --data-dir with --stage, and says when bodies go out unsigned', async () => {
    await expect(runStageReplay('x', { stage: 'prod', dataDir: '/tmp/x' }, recordingIo(), secrets)).rejects.toThrow('--data-dir and --stage exclude each other');
    const io = recordingIo();
    await runStageReplay(capture({ 'a.json': metaBody }), { stage: 'prod', region: 'eu-west-1' }, io, {});
    expect(io.stderr[0]).toBe('wa-analytics: WA_APP_SECRET is not set: Meta bodies are sent unsigned (the stage quarantines them if it checks signatures)');
  });
});
