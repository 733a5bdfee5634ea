import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { envelopeRecord } from '../../../cli/ops/envelope';
import { runRequeue } from '../../../cli/commands/requeue/run';
import { TWILIO_NO_URL } from '../../../cli/ops/requeue';
import { transformBatch } from '../../../services/transform/batch';
import { rawHandler } from '../../../services/transform/handler';
import { resetSettingsCache } from '../../../services/transform/settings';
import { InputError } from '../../../shared/errors';
import { createPseudonymizer } from '../../../shared/pii';
import { signMetaBody } from '../../../shared/signature';
import { rowsOfData } from '../../support/rows';
import { metaWebhook } from '../../support/webhooks';
import { recordingIo, stackAnswer } from './ops-fixtures';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const firehose = mockClient(FirehoseClient);
const ssm = mockClient(SSMClient);
const env = { ...process.env };
const BUCKET = 'wa-analytics-prod-data-123';
const KEY = 'raw/events/dt=2024-06-10/wa-analytics-prod-raw-1-2024-06-10-09-00-00-abc.gz';
const T = Date.parse('2024-06-10T09:00:00Z');

const tap = (n: number) =>
  Buffer.from(JSON.stringify(metaWebhook({ taps: [{ id: `wamid.IN${n}`, from: '5511955550147', timestamp: T / 1000, contextId: 'wamid.OUT1', kind: 'button_reply', buttonId: 'yes', title: 'Sí' }] })));

/** What the API wrote: a tap signed with the new secret, a forged one, and a tap that was fine. */
const originals = [
  envelopeRecord({ source: 'meta', body: tap(1), signature: signMetaBody(tap(1), 'new-secret'), requestId: 'req-1', receivedTs: T }),
  envelopeRecord({ source: 'meta', body: tap(2), signature: signMetaBody(tap(2), 'forger'), requestId: 'req-2', receivedTs: T + 1 }),
  envelopeRecord({ source: 'meta', body: tap(3), signature: signMetaBody(tap(3), 'old-secret'), requestId: 'req-3', receivedTs: T + 2 }),
];

const event = (records: Buffer[]): FirehoseTransformationEvent => ({
  invocationId: 'i',
  deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/wa-analytics-prod-raw',
  region: 'eu-west-1',
  records: records.map((d, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: T, data: d.toString('base64') })),
});

/** The raw object the stage wrote while its transform still had the old secret (sent twice: a sender retry). */
function rawObject(): Buffer {
  const { result } = transformBatch(event([...originals, originals[1]!]), { metaAppSecret: 'old-secret', wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) });
  return gzipSync(Buffer.concat(result.records.map((r) => Buffer.from(r.data!, 'base64'))));
}

const sent = () => firehose.commandCalls(PutRecordBatchCommand).flatMap((c) => c.args[0].input.Records!.map((r) => Buffer.from(r.Data!)));

beforeEach(() => {
  for (const m of [cfn, s3, firehose, ssm]) m.reset();
  cfn.on(DescribeStacksCommand).resolves(stackAnswer());
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3.on(ListObjectsV2Command, { Bucket: BUCKET, Prefix: 'raw/events/dt=2024-06-10/' }).resolves({ Contents: [{ Key: KEY }], IsTruncated: false });
  const body = rawObject();
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(body) } as never });
  firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => ({ FailedPutCount: 0, RequestResponses: input.Records!.map(() => ({ RecordId: 'id' })) }));
});

afterEach(() => {
  process.env = env;
});

describe('requeue --stage', () => {
  it('sends the quarantined records back byte-for-byte; the fixed one becomes a click, the forged one is quarantined again', async () => {
    const io = recordingIo(true);
    const outcome = await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-11', reason: 'bad_signature' }, io);
    expect(outcome).toMatchObject({ code: 0, found: 2 });
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Prefix: 'raw/events/dt=2024-06-10/' },
      { Bucket: BUCKET, Prefix: 'raw/events/dt=2024-06-11/' },
    ]);
    expect(io.questions).toEqual(['send 2 quarantined records (bad_signature) of 2024-06-10..2024-06-11 back into wa-analytics-prod-raw (stage prod)?']);
    expect(io.stderr).toEqual(['wa-analytics: 1 repeated deliveries of the same body counted once']);
    expect(firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input.DeliveryStreamName)).toEqual(['wa-analytics-prod-raw']);
    expect(sent()).toEqual([originals[0], originals[1]]);

    // The deployed handler, now with the fixed secret in SSM, verifies them again.
    clearCaches();
    resetSettingsCache();
    process.env = { ...env, WA_TIMEZONE: 'UTC', WA_PII: 'raw', WA_APP_SECRET_PARAM: '/wa-analytics/prod/meta-app-secret' };
    ssm.on(GetParameterCommand, { Name: '/wa-analytics/prod/meta-app-secret' }).resolves({ Parameter: { Value: 'new-secret' } });
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const result = await rawHandler(event(sent()));
    jest.restoreAllMocks();
    const [fixed, forged] = result.records.map((r) => rowsOfData(r.data!));
    expect(fixed).toMatchObject([{ kind: 'click', wamid: 'wamid.IN1', request_id: 'req-1', received_ts: T }]);
    expect(forged).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature', request_id: 'req-2', received_ts: T + 1, raw_body: tap(2).toString('base64') }]);
    expect(io.stdout.at(-1)).toBe('requeue into wa-analytics-prod-raw: sent 2; failed 0; the transform verifies them again (still bad ones return to quarantine)');
  });

  it('requeues a body that is not UTF-8 byte for byte, so its signature verifies again', async () => {
    // A sender that wrote Latin-1: 0xE9 is "é" there and not UTF-8. The API kept the bytes.
    const latin1 = Buffer.concat([Buffer.from('{"object":"whatsapp_business_account","entry":[],"note":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const original = envelopeRecord({ source: 'meta', body: latin1, signature: signMetaBody(latin1, 'new-secret'), requestId: 'req-l1', receivedTs: T });
    const settings = (secret: string) => ({ metaAppSecret: secret, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) });
    const stored = transformBatch(event([original]), settings('old-secret')).result.records[0]!.data!;
    expect(rowsOfData(stored)).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature', raw_body: latin1.toString('base64') }]);
    const object = gzipSync(Buffer.from(stored, 'base64'));
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(object) } as never });

    const outcome = await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-10', reason: 'bad_signature', yes: true }, recordingIo(true));
    expect(outcome).toMatchObject({ code: 0, found: 1 });
    expect(sent()).toEqual([original]);
    // With the right secret the signature verifies; the body then fails only as JSON (not UTF-8).
    const [again] = transformBatch(event(sent()), settings('new-secret')).result.records.map((r) => rowsOfData(r.data!));
    expect(again).toMatchObject([{ kind: 'quarantine', reason: 'malformed_json', raw_body: latin1.toString('base64') }]);
  });

  it('puts a quarantined conversion item back through the conversions route, alone, with its original request id and receive time', async () => {
    const posted = Buffer.from(
      JSON.stringify([
        { conversion_id: 'ord-1', wa_id: '15551230001', name: 'purchase', occurred_at: '2024-06-10T08:00:00Z', value: 12, currency: 'EUR' },
        { conversion_id: 'ord-2', wa_id: '15551230002', name: 'purchase', occurred_at: '2024-06-10T08:05:00Z', value: 5, currency: 'EURO' },
      ]),
    );
    const original = envelopeRecord({ source: 'conversions', body: posted, signature: null, requestId: 'req-c1', receivedTs: T });
    const settings = { metaAppSecret: null, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) };
    const stored = transformBatch(event([original]), settings).result.records[0]!.data!;
    const storedRows = rowsOfData(stored);
    expect(storedRows.map((r) => [r.kind, r.reason])).toEqual([
      ['conversion', null],
      ['quarantine', 'conversion_unknown_currency'],
    ]);
    const object = gzipSync(Buffer.from(stored, 'base64'));
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(object) } as never });

    const outcome = await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-10', reason: 'conversion_unknown_currency', yes: true }, recordingIo(true));
    expect(outcome).toMatchObject({ code: 0, found: 1 });
    const item = Buffer.from(storedRows[1]!.raw_body!, 'base64');
    // The item alone, as the /conversions template wraps it, with the original request id and receive time.
    expect(sent()).toEqual([envelopeRecord({ source: 'conversions', body: item, signature: null, requestId: 'req-c1', receivedTs: T })]);
    expect(JSON.parse(item.toString('utf8'))).toEqual({ conversion_id: 'ord-2', wa_id: '15551230002', name: 'purchase', occurred_at: '2024-06-10T08:05:00Z', value: 5, currency: 'EURO' });
    // Judged again by the transform: the same item gives the same quarantine row (it dedupes), the good one is not resent.
    const [again] = transformBatch(event(sent()), settings).result.records.map((r) => rowsOfData(r.data!));
    expect(again).toEqual([storedRows[1]]);
  });

  it('requeues a Twilio body quarantined under a rotated token with the URL Twilio signed, so it verifies and lands', async () => {
    const form = readFileSync(join(__dirname, '../../fixtures/twilio/inbound-quick-reply.form'));
    const url = 'https://hooks.example.com/webhooks/twilio';
    // X-Twilio-Signature by Twilio's published algorithm (node:crypto): URL + parameters sorted by name.
    const pairs = [...new URLSearchParams(form.toString('latin1'))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const signature = createHmac('sha1', 'new-token').update(url + pairs.map(([n, v]) => n + v).join(''), 'utf8').digest('base64');
    const original = envelopeRecord({ source: 'twilio', body: form, signature, requestId: 'req-t1', receivedTs: T, url });
    const settings = (token: string) => ({ metaAppSecret: null, wasenderSecret: null, twilioAuthToken: token, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) });
    const stored = transformBatch(event([original]), settings('old-token')).result.records[0]!.data!;
    expect(rowsOfData(stored)).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature', request_url: url, signature }]);
    const object = gzipSync(Buffer.from(stored, 'base64'));
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(object) } as never });

    const outcome = await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-10', yes: true }, recordingIo(true));
    expect(outcome).toMatchObject({ code: 0, found: 1 });
    // The record the API wrote, byte for byte: body, signature and the URL it was called at.
    expect(sent()).toEqual([original]);
    const [again] = transformBatch(event(sent()), settings('new-token')).result.records.map((r) => rowsOfData(r.data!));
    expect(again).toMatchObject([{ kind: 'click', interaction: 'quick_reply', button_id: 'confirm_yes', request_id: 'req-t1', received_ts: T }]);
  });

  it('does not send a Twilio quarantine row without request_url, saying why, and exits 1', async () => {
    const form = readFileSync(join(__dirname, '../../fixtures/twilio/status-read.form'));
    // A row written before quarantine rows kept the URL: the same row without its request_url.
    const settings = { metaAppSecret: null, wasenderSecret: null, twilioAuthToken: 'token', timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) };
    const stored = transformBatch(event([envelopeRecord({ source: 'twilio', body: form, signature: 'forged', requestId: 'req-t2', receivedTs: T, url: 'https://hooks.example.com/webhooks/twilio/status' })]), settings).result.records[0]!.data!;
    const [row] = rowsOfData(stored);
    const { request_url: _dropped, ...old } = row!;
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(gzipSync(`${JSON.stringify(old)}\n`)) } as never });
    const io = recordingIo(true);
    const outcome = await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-10', yes: true }, io);
    expect(outcome).toMatchObject({ code: 1, found: 0 });
    expect(io.stderr).toEqual([`wa-analytics: not sendable: ${KEY}:1: ${TWILIO_NO_URL}`]);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it('lists what would be sent with --dry-run and sends nothing', async () => {
    const io = recordingIo(true);
    const outcome = await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-10', dryRun: true }, io);
    expect(outcome).toMatchObject({ code: 0, found: 2 });
    expect(io.stdout).toEqual([
      expect.stringMatching(/^2024-06-10\tbad_signature\tmeta\treq-1\t2024-06-10T09:00:00.000Z\t\d+ bytes\tquarantine:meta:[0-9a-f]{40}$/),
      expect.stringMatching(/^2024-06-10\tbad_signature\tmeta\treq-2\t/),
      'requeue (dry run): would send 2 quarantined records of 2024-06-10..2024-06-10 into wa-analytics-prod-raw; nothing sent',
    ]);
    expect(io.questions).toEqual([]);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it('sends nothing and exits 1 when the operator does not confirm; --yes does not ask', async () => {
    const no = recordingIo(false);
    expect((await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-10' }, no)).code).toBe(1);
    expect(no.stdout).toEqual(['requeue: cancelled; nothing sent']);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    const yes = recordingIo(false);
    await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-10', yes: true }, yes);
    expect(yes.questions).toEqual([]);
    expect(sent()).toHaveLength(2);
  });

  it('refuses a backwards date range, a non-date and an unknown reason before any AWS call', async () => {
    await expect(runRequeue({ stage: 'prod', from: '2024-06-11', to: '2024-06-10' }, recordingIo())).rejects.toThrow(new InputError('--from 2024-06-11 is after --to 2024-06-10'));
    await expect(runRequeue({ stage: 'prod', from: '2024-06-31', to: '2024-07-01' }, recordingIo())).rejects.toThrow('--from must be a date YYYY-MM-DD (got "2024-06-31")');
    await expect(runRequeue({ stage: 'prod', from: '2024-06-01', to: '2024-06-02', reason: 'nope' }, recordingIo())).rejects.toThrow(/^--reason must be one of bad_signature, /);
    await expect(runRequeue({ stage: 'prod', from: '2024-06-01', to: '9999-12-31' }, recordingIo())).rejects.toThrow(/^--to 9999-12-31 is outside 2000-01-01 … /);
    expect(cfn.calls()).toHaveLength(0);
  });
});
