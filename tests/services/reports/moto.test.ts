import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportLinkExpiry, signReportLink } from '../../../shared/report/link';
import { motoMissing, startMoto, type MotoServer } from '../../support/moto';

/**
 * The deployed entry of `GET /reports/{date}` (services/reports/handler.ts, with its Middy chain)
 * against a moto_server on 127.0.0.1: the secret is an SSM SecureString there, the report an
 * object under reports/, and the 302's Location is fetched over HTTP like a browser would; a date
 * with no object there gets 404.
 */

const missing = motoMissing();
if (missing !== null) console.warn(`${missing}: the report link test against moto is skipped`);
const describeWithMoto = missing === null ? describe : describe.skip;

const bucket = 'wa-analytics-prod-data-123456789012-us-east-1';
const secretParam = '/wa-analytics/prod/report-link-secret';
const secret = 'moto-report-link-secret-0123456789abcdef';
const html = '<!doctype html><html><head><meta charset="utf-8"><title>wa-analytics 2024-05-01</title></head><body><h1>CTR per button</h1></body></html>';
const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/apigw/report-link-get.json'), 'utf8')) as APIGatewayProxyEvent;
const context = {
  functionName: 'wa-analytics-prod-reportLink',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:wa-analytics-prod-reportLink',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/wa-analytics-prod-reportLink',
  logStreamName: 's',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

describeWithMoto('the report link Lambda against moto_server', () => {
  let moto: MotoServer;
  let handler: Handler;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      DATA_BUCKET: bucket,
      REPORT_LINK_SECRET_PARAM: secretParam,
      REPORT_URL_SECONDS: '120',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'reports/dt=2024-05-01/index.html', Body: html, ContentType: 'text/html; charset=utf-8' }));
    await new SSMClient({}).send(new PutParameterCommand({ Name: secretParam, Type: 'SecureString', Value: secret }));
    jest.isolateModules(() => {
      ({ handler } = require('../../../services/reports/handler') as { handler: Handler });
    });
  }, 60_000);

  afterAll(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await moto?.stop();
  });

  const eventFor = (url: string): APIGatewayProxyEvent => {
    const u = new URL(url);
    const query = Object.fromEntries(u.searchParams);
    return {
      ...fixture,
      pathParameters: { date: u.pathname.split('/').pop()! },
      queryStringParameters: query,
      multiValueQueryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    };
  };

  it('redirects a signed link to a presigned URL that serves the published HTML', async () => {
    const link = signReportLink({ apiUrl: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod', date: '2024-05-01', exp: reportLinkExpiry(Date.now(), 30), secret });
    const res = await handler(eventFor(link), context);
    expect(res.statusCode).toBe(302);
    expect(res.body).toBe('');
    const location = new URL(String(res.headers?.Location));
    expect(location.origin).toBe(moto.endpoint);
    expect(decodeURIComponent(location.pathname)).toBe(`/${bucket}/reports/dt=2024-05-01/index.html`);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('120');
    expect(location.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    const page = await fetch(location, { redirect: 'error' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe(html);
  });

  it('answers a valid link to a date never published with 404 and an empty body', async () => {
    const link = signReportLink({ apiUrl: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod', date: '2024-04-30', exp: reportLinkExpiry(Date.now(), 30), secret });
    const res = await handler(eventFor(link), context);
    expect(res).toEqual({ statusCode: 404, headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }, body: '' });
  });

  it('refuses a link signed with another secret with 403 and an empty body', async () => {
    const forged = signReportLink({ apiUrl: 'https://x.example/prod', date: '2024-05-01', exp: reportLinkExpiry(Date.now(), 30), secret: 'not-the-secret-of-this-stage-0123456789' });
    const res = await handler(eventFor(forged), context);
    expect(res).toEqual({ statusCode: 403, headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }, body: '' });
  });
});
