import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { reportLinkSignature } from '../../shared/report/link';
import { emptyAnswer, jsonError, startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';
import { rowsOfData } from '../support/rows';
import { envelopeRecordBytes, metaWebhook, signedMetaRecordData } from '../support/webhooks';
import { packagedStage, repoRoot, zipEntries, type Template } from './package';

/**
 * The packaged task Lambdas (what `sls package` zipped, as deployed) against a loopback AWS: each
 * handler runs in its own Node process with AWS_ENDPOINT_URL pointing at a server here that
 * answers Glue and Athena the way they answer under load. The error the handler throws must carry
 * a name the deployed state machine's Retry lists for that task (the Lambda runtime reports
 * `error.name` as the errorType Step Functions matches on), and a permanent failure must not.
 */

let prod: Template;
let prodDir: string;
let unzipped: string;
let aws: LoopbackAws;

beforeAll(async () => {
  ({ dir: prodDir, template: prod } = await packagedStage('prod'));
  unzipped = mkdtempSync(join(tmpdir(), 'wa-bundles-'));
  writeFileSync(join(unzipped, 'invoke.cjs'), invokeScript);
  for (const zip of ['registerRaw.zip', 'rebuildPartition.zip', 'evaluateExperiments.zip', 'publishReport.zip', 'transform.zip', 'reportLink.zip']) {
    for (const [name, data] of Object.entries(zipEntries(readFileSync(join(prodDir, zip))))) {
      mkdirSync(dirname(join(unzipped, name)), { recursive: true });
      writeFileSync(join(unzipped, name), data);
    }
  }
  aws = await startLoopbackAws();
}, 300_000);

beforeEach(() => {
  aws.seen.length = 0;
});

afterAll(async () => {
  await aws?.close();
  if (unzipped) rmSync(unzipped, { recursive: true, force: true });
});

interface Thrown {
  readonly name: string;
  readonly constructorName: string;
  readonly message: string;
}

// Runs in the child: the unzipped handler with a Lambda-shaped context; the outcome goes back over
// IPC because Powertools logs on stdout.
const invokeScript = `const { handler } = require(process.argv[2]);
const context = { functionName: 'f', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', memoryLimitInMB: '1024', awsRequestId: 'r-1', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: () => 60000 };
handler(JSON.parse(process.argv[3]), context).then(
  (output) => process.send({ output }, () => process.exit(0)),
  (error) => process.send({ thrown: { name: error.name, constructorName: error.constructor.name, message: error.message } }, () => process.exit(0)),
);`;

/** How a handler runs: where its external packages come from, and its function's own environment. */
interface InvokeOptions {
  /** NODE_PATH; default the repository's node_modules. */
  readonly nodePath?: string;
  /** Added to the environment (a function's own variables). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Invokes a packaged handler (`services/daily/tasks/<file>.js`) once; resolves with what it threw. */
async function invoke(bundle: string, event: unknown): Promise<Thrown> {
  const { message, code, stderr } = await invokeOnce(bundle, event);
  if (message?.thrown) return message.thrown;
  throw new Error(`handler did not throw (exit ${code}): ${JSON.stringify(message?.output)} ${stderr}`);
}

/** Invokes a packaged handler once; resolves with what it returned. */
async function invokeOk(bundle: string, event: unknown, options: InvokeOptions = {}): Promise<unknown> {
  const { message, code, stderr } = await invokeOnce(bundle, event, options);
  if (message !== undefined && 'output' in message) return message.output;
  throw new Error(`handler failed (exit ${code}): ${JSON.stringify(message?.thrown)} ${stderr}`);
}

function invokeOnce(bundle: string, event: unknown, options: InvokeOptions = {}): Promise<{ message?: { thrown?: Thrown; output?: unknown }; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = fork(join(unzipped, 'invoke.cjs'), [join(unzipped, bundle), JSON.stringify(event)], {
      cwd: unzipped,
      timeout: 30_000,
      silent: true,
      env: {
        PATH: process.env.PATH,
        // The SDK is external to the bundles (the Lambda runtime provides it): the repository's copy.
        NODE_PATH: options.nodePath ?? join(repoRoot, 'node_modules'),
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        // One request per call: on AWS the SDK tries 3 times, then throws the same error.
        AWS_MAX_ATTEMPTS: '1',
        // The task's own environment as packaged, with the stack's references given values.
        ...Object.fromEntries(Object.entries(prod.Resources.RegisterRawLambdaFunction!.Properties.Environment.Variables).filter(([, v]) => typeof v === 'string')),
        DATA_BUCKET: 'wa-analytics-prod-data',
        GLUE_DATABASE: 'whatsapp_analytics',
        ATHENA_WORKGROUP: 'wa-analytics-prod',
        REPORT_API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod',
        ...options.env,
      },
    });
    let message: { thrown?: Thrown; output?: unknown } | undefined;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m) => (message = m as typeof message));
    child.on('close', (code) => resolve({ ...(message === undefined ? {} : { message }), code, stderr }));
  });
}

/** Every state of a definition, Map and Parallel branches included. */
function allStates(states: Record<string, any>): [string, any][] {
  return Object.entries(states).flatMap(([name, state]): [string, any][] => [
    [name, state],
    ...(state.ItemProcessor ?? state.Iterator ? allStates((state.ItemProcessor ?? state.Iterator).States) : []),
    ...(state.Branches ?? []).flatMap((b: any) => allStates(b.States)),
  ]);
}

/** The Task states the deployed definition runs on a function (by its logical id), with their Retry names. */
function retriedNames(functionLogicalId: string): Map<string, string[]> {
  const sm = prod.Resources.DailyStateMachine!.Properties;
  const placeholder = Object.entries(sm.DefinitionSubstitutions as Record<string, any>).find(([, v]) => v['Fn::GetAtt'][0] === functionLogicalId)![0];
  const definition = JSON.parse(sm.DefinitionString);
  const tasks = allStates(definition.States).filter(([, s]) => s.Type === 'Task' && s.Resource === `\${${placeholder}}`);
  return new Map(tasks.map(([name, s]) => [name, (s.Retry ?? []).flatMap((r: any) => r.ErrorEquals)]));
}

const registerRawEvent = { date: '2024-05-03', lookbackDays: 2, days: ['2024-05-01', '2024-05-02', '2024-05-03'] };
const rebuildEvent = { table: 'events', dt: '2024-05-02', lookbackDays: 2 };

describe('the packaged daily task Lambdas against a loopback AWS', () => {
  it('registerRaw: Glue throttling is a ThrottlingError, which RegisterRawPartitions retries', async () => {
    aws.answer = jsonError(400, 'ThrottlingException', 'Rate exceeded');
    const thrown = await invoke('services/daily/tasks/register-raw.js', registerRawEvent);
    expect(aws.seen.map((r) => r.target)).toEqual(['AWSGlue.BatchCreatePartition']);
    expect(JSON.parse(aws.seen[0]!.body)).toMatchObject({ DatabaseName: 'whatsapp_analytics', TableName: 'raw_events' });
    expect(thrown).toEqual({ name: 'ThrottlingError', constructorName: 'ThrottlingError', message: 'Glue BatchCreatePartition raw_events: ThrottlingException: Rate exceeded' });
    const states = retriedNames('RegisterRawLambdaFunction');
    expect([...states.keys()]).toEqual(['RegisterRawPartitions']);
    for (const names of states.values()) expect(names).toContain(thrown.name);
  });

  it('rebuildPartition: an Athena 500 and a bare 503 are TransientErrors, which both rebuild states retry', async () => {
    const states = retriedNames('RebuildPartitionLambdaFunction');
    expect([...states.keys()].sort()).toEqual(['RebuildCuratedPartition', 'RebuildDailyConversionsPartition', 'RebuildDailyCtrPartition', 'RebuildDailyExperimentsPartition']);
    for (const [how, reply] of [
      ['500 InternalServerException', jsonError(500, 'InternalServerException', 'We encountered an internal error. Please try again.')],
      ['503 without a body', emptyAnswer(503)],
    ] as const) {
      aws.answer = reply;
      aws.seen.length = 0;
      const thrown = await invoke('services/daily/tasks/rebuild-partition.js', rebuildEvent);
      expect(`${how}: ${aws.seen.map((r) => r.target).join()}`).toBe(`${how}: AmazonAthena.StartQueryExecution`);
      expect(`${how}: ${thrown.name} ${thrown.constructorName}`).toBe(`${how}: TransientError TransientError`);
      expect(thrown.message).toMatch(/^Athena StartQueryExecution: /);
      for (const names of states.values()) expect(names).toContain(thrown.name);
    }
  });

  it('rebuildPartition: Athena throttling (TooManyRequestsException) is a ThrottlingError', async () => {
    aws.answer = jsonError(400, 'TooManyRequestsException', 'Rate exceeded');
    const thrown = await invoke('services/daily/tasks/rebuild-partition.js', rebuildEvent);
    expect(thrown.name).toBe('ThrottlingError');
    for (const names of retriedNames('RebuildPartitionLambdaFunction').values()) expect(names).toContain(thrown.name);
  });

  it('evaluateExperiments: Athena throttling while reading the history is a ThrottlingError, which EvaluateExperiments retries', async () => {
    aws.answer = jsonError(400, 'TooManyRequestsException', 'Rate exceeded');
    const thrown = await invoke('services/daily/tasks/evaluate-experiments.js', { date: '2024-05-03', lookbackDays: 2 });
    expect(aws.seen.map((r) => r.target)).toEqual(['AmazonAthena.StartQueryExecution']);
    expect(JSON.parse(aws.seen[0]!.body).QueryString).toContain('daily_experiments');
    expect(thrown.name).toBe('ThrottlingError');
    const states = retriedNames('EvaluateExperimentsLambdaFunction');
    expect([...states.keys()]).toEqual(['EvaluateExperiments']);
    for (const names of states.values()) expect(names).toContain(thrown.name);
  });

  it('publishReport: renders the page from Athena with the SQL and page assets compiled in, and puts it under reports/ as HTML', async () => {
    const puts: { url: string; contentType: string; body: string }[] = [];
    let started = 0;
    aws.answer = (req, res, body) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const reply = (value: unknown) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(value));
      };
      if (target === 'AmazonAthena.StartQueryExecution') reply({ QueryExecutionId: `q${++started}` });
      else if (target === 'AmazonAthena.GetQueryExecution') reply({ QueryExecution: { StatementType: 'DML', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 1000 } } });
      else if (target === 'AmazonAthena.GetQueryResults') reply({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
      else {
        puts.push({ url: `${req.method} ${req.url}`, contentType: String(req.headers['content-type']), body });
        res.writeHead(200, { etag: '"e1"' });
        res.end();
      }
    };
    const output = await invokeOk('services/daily/tasks/publish-report.js', { date: '2024-05-03', lookbackDays: 2 });
    const queries = aws.seen.filter((r) => r.target === 'AmazonAthena.StartQueryExecution').map((r) => JSON.parse(r.body) as { QueryString: string; WorkGroup: string });
    expect(queries).toHaveLength(11);
    for (const q of queries) expect(q).toMatchObject({ WorkGroup: 'wa-analytics-prod', QueryString: expect.stringContaining("dt BETWEEN '2024-04-06' AND '2024-05-03'") });
    expect(puts.map((p) => [p.url, p.contentType])).toEqual([['PUT /wa-analytics-prod-data/reports/dt%3D2024-05-03/index.html?x-id=PutObject', 'text/html; charset=utf-8']]);
    const page = puts[0]!.body;
    expect(page.startsWith('<!doctype html>')).toBe(true);
    // Chart.js's UMD build and the page script made it into the bundle, and so into the page.
    expect(page).toContain(readFileSync(join(repoRoot, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'), 'utf8').replace(/\/\/# sourceMappingURL=.*\s*$/, '').trimEnd().slice(-200));
    expect(output).toEqual({ key: 'reports/dt=2024-05-03/index.html', from: '2024-04-06', to: '2024-05-03', bytes: Buffer.byteLength(page), scannedBytes: 11_000 });
  });

  it('publishReport: Athena throttling is a ThrottlingError, which PublishReport retries', async () => {
    aws.answer = jsonError(400, 'TooManyRequestsException', 'Rate exceeded');
    const thrown = await invoke('services/daily/tasks/publish-report.js', { date: '2024-05-03', lookbackDays: 2 });
    expect(aws.seen.map((r) => r.target)).toEqual(['AmazonAthena.StartQueryExecution']);
    expect(thrown.name).toBe('ThrottlingError');
    const states = retriedNames('PublishReportLambdaFunction');
    expect([...states.keys()]).toEqual(['PublishReport']);
    for (const names of states.values()) expect(names).toContain(thrown.name);
  });

  it('a permanent failure keeps its own name, which no Retry lists: the Catch sends it to the alert at once', async () => {
    aws.answer = jsonError(400, 'InvalidRequestException', 'line 1:8: mismatched input');
    const thrown = await invoke('services/daily/tasks/rebuild-partition.js', rebuildEvent);
    expect(thrown).toMatchObject({ name: 'AwsError', constructorName: 'AwsError' });
    for (const names of retriedNames('RebuildPartitionLambdaFunction').values()) expect(names).not.toContain(thrown.name);
  });
});

describe('the packaged report-link function', () => {
  const bundle = 'services/reports/handler.js';
  const bucket = 'wa-analytics-prod-data';
  const secret = 'bundle-report-link-secret-0123456789abcdef';
  const fixture = JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'apigw', 'report-link-get.json'), 'utf8'));

  /**
   * A runtime that ships the SDK clients and nothing else of the SDK: a NODE_PATH holding only
   * `@aws-sdk/client-*` (links to the repository's copies, whose own dependencies resolve beside them).
   */
  function clientsOnly(): string {
    const root = join(unzipped, 'clients-only', 'node_modules');
    mkdirSync(join(root, '@aws-sdk'), { recursive: true });
    for (const name of readdirSync(join(repoRoot, 'node_modules', '@aws-sdk')).filter((n) => n.startsWith('client-'))) {
      symlinkSync(join(repoRoot, 'node_modules', '@aws-sdk', name), join(root, '@aws-sdk', name), 'dir');
    }
    return root;
  }
  let runtime: string;
  beforeAll(() => {
    runtime = clientsOnly();
  });

  /** The function's own environment as packaged (its bucket a name here). */
  const functionEnv = () => ({
    ...Object.fromEntries(Object.entries(prod.Resources.ReportLinkLambdaFunction!.Properties.Environment.Variables).filter(([, v]) => typeof v === 'string')),
    DATA_BUCKET: bucket,
  }) as Record<string, string>;

  /** The loopback as SSM (the secret) and S3 (a listing with or without the date's key). */
  function stage(published: boolean): void {
    aws.answer = (req, res) => {
      if (String(req.headers['x-amz-target']) === 'AmazonSSM.GetParameter') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Parameter: { Name: '/wa-analytics/prod/report-link-secret', Type: 'SecureString', Value: secret, Version: 1 } }));
        return;
      }
      const key = new URL(String(req.url), 'http://x').searchParams.get('prefix');
      const contents = published ? `<Contents><Key>${key}</Key><Size>301234</Size><StorageClass>STANDARD</StorageClass></Contents>` : '';
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${key}</Prefix><KeyCount>${published ? 1 : 0}</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`);
    };
  }

  /** API Gateway's event for a link to 2024-05-01 signed with the stage's secret, valid a day. */
  function signedEvent() {
    const exp = String(Math.floor(Date.now() / 1000) + 86_400);
    const sig = reportLinkSignature(secret, '2024-05-01', Number(exp));
    return { ...fixture, queryStringParameters: { exp, sig }, multiValueQueryStringParameters: { exp: [exp], sig: [sig] } };
  }

  it('carries the S3 presigner inside its bundle and needs only the SDK clients from the runtime', () => {
    const code = readFileSync(join(unzipped, bundle), 'utf8');
    // Calls, not the "[require(…);]" an SDK error message quotes.
    const required = [...new Set([...code.matchAll(/(?<!\[)require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]!))].sort();
    expect(required).toEqual(['@aws-sdk/client-s3', '@aws-sdk/client-ssm']);
    // The presigner's own code is in the bundle (its function, kept by name).
    expect(code).toContain('"getSignedUrl"');
    const from = dirname(runtime);
    expect(() => require.resolve('@aws-sdk/s3-request-presigner', { paths: [from] })).toThrow(/Cannot (find|resolve) module/);
    expect(require.resolve('@aws-sdk/client-s3', { paths: [from] })).toContain('client-s3');
  });

  it('answers a signed link with 302 to a presigned GET of that date, on a runtime with only the SDK clients', async () => {
    stage(true);
    const output = (await invokeOk(bundle, signedEvent(), { nodePath: runtime, env: functionEnv() })) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(aws.seen.map((r) => r.target || `${r.method} ${r.url.split('?')[0]}`)).toEqual(['AmazonSSM.GetParameter', `GET /${bucket}/`]);
    expect(new URL(aws.seen[1]!.url, 'http://x').searchParams.get('prefix')).toBe('reports/dt=2024-05-01/index.html');
    expect([output.statusCode, output.body]).toEqual([302, '']);
    const location = new URL(output.headers.Location!);
    expect(location.origin).toBe(aws.endpoint);
    expect(decodeURIComponent(location.pathname)).toBe(`/${bucket}/reports/dt=2024-05-01/index.html`);
    expect(location.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a signed link to a date never published with 404 and an empty body', async () => {
    stage(false);
    const output = await invokeOk(bundle, signedEvent(), { nodePath: runtime, env: functionEnv() });
    expect(output).toEqual({ statusCode: 404, headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }, body: '' });
  });
});

describe('the packaged transform', () => {
  it('keeps the names of its classes (errors in its logs and metrics read as written)', () => {
    const code = readFileSync(join(unzipped, 'services/transform/handler.js'), 'utf8');
    // esbuild's keepNames sets each class's name from a string literal, which minifying cannot rename.
    expect(['WaError', 'ConfigError', 'EnvelopeError'].filter((name) => !code.includes(`"${name}"`))).toEqual([]);
  });

  it('quarantines Twilio records and transforms the others when the stage has no Twilio Auth Token parameter', async () => {
    const env = Object.fromEntries(Object.entries(prod.Resources.TransformLambdaFunction!.Properties.Environment.Variables).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const twilioParam = env.TWILIO_AUTH_TOKEN_PARAM!;
    // The loopback as SSM: every parameter exists but the Twilio token's (SSM's own 400 for that).
    aws.answer = (_req, res, body) => {
      const { Name } = JSON.parse(body) as { Name: string };
      if (Name === twilioParam) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ParameterNotFound', message: `Parameter ${Name} not found.` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Parameter: { Name, Type: 'SecureString', Value: `value-of-${Name}`, Version: 1 } }));
    };
    const T = 1_763_000_000_000;
    const meta = JSON.stringify(metaWebhook({ statuses: [{ id: 'wamid.OUT9', status: 'read', timestamp: 1_763_000_000, recipient: '5511988887777' }] }));
    const form = readFileSync(join(repoRoot, 'tests/fixtures/twilio/status-read.form'));
    const url = 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/webhooks/twilio/status';
    const records = [
      envelopeRecordBytes({ source: 'twilio', body: form, signature: 'c2lnbmF0dXJl', receivedTs: T, url }),
      Buffer.from(signedMetaRecordData(meta, `value-of-${env.WA_APP_SECRET_PARAM}`, T), 'base64'),
    ].map((data, i) => ({ recordId: `r${i}`, approximateArrivalTimestamp: T, data: data.toString('base64') }));
    const event = { invocationId: 'i', deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/s', region: 'us-east-1', records };
    const output = (await invokeOk('services/transform/handler.js', event, { env })) as { records: Array<{ result: string; data: string }> };
    expect(output.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    expect(rowsOfData(output.records[0]!.data).map((r) => [r.kind, r.reason, r.source])).toEqual([['quarantine', 'bad_signature', 'twilio']]);
    expect(rowsOfData(output.records[1]!.data).map((r) => [r.kind, r.status])).toEqual([['status', 'read']]);
  });
});
