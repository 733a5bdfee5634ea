import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context, FirehoseTransformationEvent } from 'aws-lambda';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, rawHandler } from '../../../services/transform/handler';
import { resetSettingsCache } from '../../../services/transform/settings';
import { rowsOfData } from '../../support/rows';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseForm } from '../../../shared/form';
import { signTwilioRequest } from '../../../shared/twilio-signature';
import { envelopeRecordBytes, metaWebhook, signedMetaRecordData } from '../../support/webhooks';

const ssm = mockClient(SSMClient);
const T = 1_763_000_000_000;
const env = { ...process.env };

const body = JSON.stringify(metaWebhook({ statuses: [{ id: 'wamid.OUT9', status: 'read', timestamp: 1_763_000_000, recipient: '5511988887777' }] }));

function firehoseEvent(data: string): FirehoseTransformationEvent {
  return { invocationId: 'i', deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/s', region: 'us-east-1', records: [{ recordId: 'r1', approximateArrivalTimestamp: T, data }] };
}

beforeEach(() => {
  ssm.reset();
  clearCaches();
  resetSettingsCache();
  process.env = { ...env, WA_TIMEZONE: 'Asia/Kolkata', WA_PII: 'hash', WA_APP_SECRET_PARAM: '/wa-analytics/test/meta-app-secret', WA_PII_KEY_PARAM: '/wa-analytics/test/pii-key' };
  ssm.on(GetParameterCommand, { Name: '/wa-analytics/test/meta-app-secret' }).resolves({ Parameter: { Value: 'secret-from-ssm' } });
  ssm.on(GetParameterCommand, { Name: '/wa-analytics/test/pii-key' }).resolves({ Parameter: { Value: 'pii-key-from-ssm' } });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  process.env = env;
  jest.restoreAllMocks();
});

describe('transform handler', () => {
  it('reads secrets from SSM with decryption and verifies with them', async () => {
    const result = await rawHandler(firehoseEvent(signedMetaRecordData(body, 'secret-from-ssm', T)));
    const [row] = rowsOfData(result.records[0]!.data!);
    expect(row).toMatchObject({ kind: 'status', status: 'read', event_date: '2025-11-13' });
    // HMAC-SHA256 of the number with the key fetched from SSM, not the number itself.
    expect(row!.wa_id).toMatch(/^[0-9a-f]{64}$/);
    const calls = ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input);
    expect(calls).toEqual(expect.arrayContaining([{ Name: '/wa-analytics/test/meta-app-secret', WithDecryption: true }]));
  });

  it('verifies Twilio records with the Auth Token from SSM and the URL the envelope carries', async () => {
    process.env.TWILIO_AUTH_TOKEN_PARAM = '/wa-analytics/test/twilio-auth-token';
    ssm.on(GetParameterCommand, { Name: '/wa-analytics/test/twilio-auth-token' }).resolves({ Parameter: { Value: 'twilio-token-from-ssm' } });
    const form = readFileSync(join(__dirname, '../../fixtures/twilio/status-read.form'));
    const url = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/webhooks/twilio';
    const record = (signature: string, withUrl: boolean) =>
      envelopeRecordBytes({ source: 'twilio', body: form, signature, receivedTs: T, ...(withUrl ? { url } : {}) }).toString('base64');
    const good = signTwilioRequest('twilio-token-from-ssm', url, parseForm(form)!);
    const ok = await rawHandler(firehoseEvent(record(good, true)));
    expect(rowsOfData(ok.records[0]!.data!)).toMatchObject([{ kind: 'status', source: 'twilio', status: 'read', event_ts: T }]);
    const forged = await rawHandler(firehoseEvent(record(signTwilioRequest('old-token', url, parseForm(form)!), true)));
    expect(rowsOfData(forged.records[0]!.data!)).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature' }]);
    const noUrl = await rawHandler(firehoseEvent(record(good, false)));
    expect(rowsOfData(noUrl.records[0]!.data!)).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature' }]);
  });

  it('quarantines Twilio records, and still transforms the other sources, when the Auth Token parameter does not exist', async () => {
    process.env.TWILIO_AUTH_TOKEN_PARAM = '/wa-analytics/test/twilio-auth-token';
    const notFound = Object.assign(new Error('Parameter /wa-analytics/test/twilio-auth-token not found.'), { name: 'ParameterNotFound' });
    ssm.on(GetParameterCommand, { Name: '/wa-analytics/test/twilio-auth-token' }).rejects(notFound);
    const form = readFileSync(join(__dirname, '../../fixtures/twilio/status-read.form'));
    const url = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/webhooks/twilio';
    const signed = signTwilioRequest('any-token', url, parseForm(form)!);
    const twilio = envelopeRecordBytes({ source: 'twilio', body: form, signature: signed, receivedTs: T, url }).toString('base64');
    const result = await rawHandler(firehoseEvent(twilio));
    const [row] = rowsOfData(result.records[0]!.data!);
    expect(row).toMatchObject({ kind: 'quarantine', reason: 'bad_signature', source: 'twilio' });
    const meta = await rawHandler(firehoseEvent(signedMetaRecordData(body, 'secret-from-ssm', T)));
    expect(rowsOfData(meta.records[0]!.data!)).toMatchObject([{ kind: 'status', status: 'read' }]);
  });

  it('fails the invocation when the Twilio Auth Token cannot be read for another reason than absence', async () => {
    process.env.TWILIO_AUTH_TOKEN_PARAM = '/wa-analytics/test/twilio-auth-token';
    ssm.on(GetParameterCommand, { Name: '/wa-analytics/test/twilio-auth-token' }).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(rawHandler(firehoseEvent(signedMetaRecordData(body, 'secret-from-ssm', T)))).rejects.toThrow();
  });

  it('quarantines bodies signed with another secret than the one in SSM', async () => {
    const result = await rawHandler(firehoseEvent(signedMetaRecordData(body, 'old-secret', T)));
    expect(rowsOfData(result.records[0]!.data!)).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature' }]);
  });

  it('fails the invocation (so Firehose retries) when a configured secret cannot be read', async () => {
    ssm.on(GetParameterCommand, { Name: '/wa-analytics/test/meta-app-secret' }).rejects(new Error('AccessDenied'));
    await expect(rawHandler(firehoseEvent(signedMetaRecordData(body, 'secret-from-ssm', T)))).rejects.toThrow();
  });

  it('rejects an invalid time zone in the environment with a clear configuration error', async () => {
    process.env.WA_TIMEZONE = 'Mars/Olympus';
    await expect(rawHandler(firehoseEvent(signedMetaRecordData(body, 'secret-from-ssm', T)))).rejects.toThrow('unknown time zone "Mars/Olympus"');
  });

  it('runs inside the Middy chain and emits one summary log line and EMF metrics per batch', async () => {
    const writes: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const logs: string[] = [];
    jest.spyOn(console, 'info').mockImplementation((...a: unknown[]) => void logs.push(a.map(String).join(' ')));
    jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.map(String).join(' ')));
    const context = { functionName: 'transform', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:transform', memoryLimitInMB: '512', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 60000 } as unknown as Context;
    const result = await handler(firehoseEvent(signedMetaRecordData(body, 'secret-from-ssm', T)), context);
    expect(result.records[0]!.result).toBe('Ok');
    const out = [...writes, ...logs].join('\n');
    expect(out).toContain('batch transformed');
    expect(out).toContain('RowsByKind');
  });
});
