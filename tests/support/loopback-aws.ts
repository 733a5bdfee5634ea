import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An AWS-shaped HTTP endpoint on 127.0.0.1 for the SDK's `endpoint` / AWS_ENDPOINT_URL: every
 * request is recorded, and the current `answer` replies the way a service does under load or
 * when it refuses (the SDK then raises the same errors it raises against AWS).
 */

/** One request as the server saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  /** `X-Amz-Target` of the JSON protocols (`AWSGlue.BatchCreatePartition`), else ''. */
  readonly target: string;
  readonly body: string;
}

export type Answer = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface LoopbackAws {
  readonly endpoint: string;
  readonly seen: SeenRequest[];
  answer: Answer;
  close(): Promise<void>;
}

/** Starts the endpoint; `answer` can be replaced between requests. */
export async function startLoopbackAws(answer: Answer = emptyAnswer(500)): Promise<LoopbackAws> {
  const seen: SeenRequest[] = [];
  const state = { answer };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', target: String(req.headers['x-amz-target'] ?? ''), body });
      state.answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    get answer() {
      return state.answer;
    },
    set answer(next: Answer) {
      state.answer = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An AWS JSON-protocol error (Glue, Athena, Step Functions, Firehose): status, type header and body. */
export function jsonError(status: number, type: string, message: string): Answer {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ __type: type, message }));
  };
}

/** A bare status with no body: S3's answer to a refused HEAD, a load balancer's 503. */
export function emptyAnswer(status: number): Answer {
  return (_req, res) => {
    res.writeHead(status);
    res.end();
  };
}

/** A 200 with a JSON body (a JSON-protocol success). */
export function jsonAnswer(value: unknown): Answer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(value));
  };
}

/** Fixed credentials and region for clients pointed at the loopback endpoint. */
export function loopbackClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  };
}

const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A query-protocol (CloudFormation) error: `<ErrorResponse><Error>…`. */
export function queryError(status: number, code: string, message: string): Answer {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`);
  };
}

/** CloudFormation's DescribeStacks answer for one stack with these outputs. */
export function describeStacksAnswer(stackName: string, outputs: Readonly<Record<string, string>>): Answer {
  const members = Object.entries(outputs)
    .map(([k, v]) => `<member><OutputKey>${xmlEscape(k)}</OutputKey><OutputValue>${xmlEscape(v)}</OutputValue></member>`)
    .join('');
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
        `<StackName>${xmlEscape(stackName)}</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2024-01-01T00:00:00Z</CreationTime>` +
        `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  };
}

/** Answers by service: CloudFormation's query calls by `Action=`, JSON calls by target, the rest (S3) by method. */
export function byCall(answers: Readonly<Record<string, Answer>>, otherwise: Answer = emptyAnswer(500)): Answer {
  return (req, res, body) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
    const key = target !== '' ? target.split('.').pop()! : (action ?? `${req.method} S3`);
    (answers[key] ?? otherwise)(req, res, body);
  };
}

/**
 * Points the process's AWS SDK clients at `endpoint` with fixed test credentials and no retries,
 * after removing every AWS_ variable the machine had; returns the function that restores them.
 */
export function useLoopbackAwsEnv(endpoint: string): () => void {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  });
  return () => {
    process.env = saved;
  };
}

/**
 * A loopback AWS for the whole test file, started before its tests with the environment pointed
 * at it (see useLoopbackAwsEnv), closed and the environment restored after them. Tests read it
 * through `current`.
 */
export function useLoopbackAws(): { readonly current: LoopbackAws } {
  let aws: LoopbackAws | undefined;
  let restoreEnv: () => void = () => undefined;
  beforeAll(async () => {
    aws = await startLoopbackAws();
    restoreEnv = useLoopbackAwsEnv(aws.endpoint);
  });
  afterAll(async () => {
    restoreEnv();
    await aws?.close();
  });
  return {
    get current(): LoopbackAws {
      if (aws === undefined) throw new Error('the loopback AWS is started in beforeAll: read it inside a test');
      return aws;
    },
  };
}
