import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPseudonymize } from '../../../cli/commands/pseudonymize/run';
import { readLocalConfig } from '../../../shared/config/local';
import { ConfigError, InputError } from '../../../shared/errors';
import { processEnvelope } from '../../../shared/normalize';
import { createPseudonymizer } from '../../../shared/pii';
import { metaWebhook } from '../../support/webhooks';
import { prodOutputs, recordingIo, stackAnswer } from './ops-fixtures';

const cfn = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);
const clients = { cfn: new CloudFormationClient({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }) };
const WAMID = 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMDM3QTc1MkUwNjBFQzE0NTFBAA==';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'wa-pseudonymize-'));
  cfn.reset();
  ssm.reset();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('wa-analytics pseudonymize', () => {
  it('prints what the stored rows hold for a phone number (any punctuation) and a wamid, with the data dir key', async () => {
    const config = readLocalConfig({}, { dataDir }); // creates the data dir's key, as start does
    const body = JSON.stringify(metaWebhook({ taps: [{ id: WAMID, from: '5511987654321', timestamp: 1_751_551_632, contextId: 'wamid.OUT', kind: 'button_reply', buttonId: 'yes', title: 'Yes' }] }));
    const envelope = { source: 'meta' as const, body: Buffer.from(body), signature: null, requestId: 'r', receivedTs: 1_751_551_700_000 };
    const [row] = processEnvelope(envelope, { metaAppSecret: null, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('hash', config.piiKey) }).rows;
    const io = recordingIo();
    const [user, wamid] = await runPseudonymize(['+55 (11) 98765-4321', WAMID], { dataDir }, io, {});
    expect(user).toBe(row!.wa_id);
    expect(wamid).toBe(row!.wamid);
    expect(row!.event_id).toBe(`meta:${wamid}`);
    expect(io.stdout).toEqual([`+55 (11) 98765-4321\t${user}`, `${WAMID}\t${wamid}`]);
  });

  it('refuses a data dir without a key instead of inventing one', async () => {
    await expect(runPseudonymize(['5511987654321'], { dataDir }, recordingIo(), {})).rejects.toThrow(ConfigError);
    expect(existsSync(join(dataDir, 'pii.key'))).toBe(false);
  });

  it('says so and prints values as stored when PII is raw', async () => {
    const io = recordingIo();
    expect(await runPseudonymize(['+1 555-123-4567'], { dataDir }, io, { WA_PII: 'raw' })).toEqual(['15551234567']);
    expect(io.stderr).toEqual([`note: ${dataDir} keeps PII raw (pii: raw): values are stored as they are`]);
  });

  it("reads a stage's key through the SSM parameter its transform reads", async () => {
    cfn.on(DescribeStacksCommand).resolves(stackAnswer([...prodOutputs, { OutputKey: 'PiiMode', OutputValue: 'hash' }, { OutputKey: 'PiiKeyParameterName', OutputValue: '/wa-analytics/prod/pii-key' }]));
    ssm.on(GetParameterCommand, { Name: '/wa-analytics/prod/pii-key', WithDecryption: true }).resolves({ Parameter: { Value: 'stage-key' } });
    const io = recordingIo();
    const [out] = await runPseudonymize(['5511987654321'], { stage: 'prod' }, io, {}, clients);
    expect(out).toBe(createHmac('sha256', 'stage-key').update('5511987654321').digest('hex'));
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('prints values as stored for a raw stage, without reading any key', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackAnswer([...prodOutputs, { OutputKey: 'PiiMode', OutputValue: 'raw' }]));
    const io = recordingIo();
    expect(await runPseudonymize(['5511987654321'], { stage: 'prod' }, io, {}, clients)).toEqual(['5511987654321']);
    expect(io.stderr).toEqual(['note: stage prod keeps PII raw (pii: raw): values are stored as they are']);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('names the missing output of an older stack, and refuses --stage with --data-dir', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackAnswer());
    await expect(runPseudonymize(['1'], { stage: 'prod' }, recordingIo(), {}, clients)).rejects.toThrow("stack wa-analytics-prod has no output PiiMode (the stage's PII mode); redeploy with sls deploy --stage prod");
    await expect(runPseudonymize(['1'], { stage: 'prod', dataDir }, recordingIo(), {}, clients)).rejects.toThrow(new InputError('give either --stage or --data-dir, not both'));
  });
});
