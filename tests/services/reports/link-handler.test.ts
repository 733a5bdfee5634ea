import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createReportLinkHandler, type ReportLinkDeps } from '../../../services/reports/link-handler';
import type { LinkRefusal } from '../../../shared/report/link';
import { signReportLink } from '../../../shared/report/link';

// What API Gateway's Lambda proxy integration hands the function for a Slack reader's click.
const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/apigw/report-link-get.json'), 'utf8')) as APIGatewayProxyEvent;
const secret = 'report-link-secret-for-tests-0123456789';
const exp = 1_717_200_000;

/** The proxy event of a GET on this link (path parameter and query as API Gateway splits them). */
function eventFor(url: string): APIGatewayProxyEvent {
  const u = new URL(url);
  const date = u.pathname.split('/').pop()!;
  const multi: Record<string, string[]> = {};
  for (const [k, v] of u.searchParams) (multi[k] ??= []).push(v);
  const single = Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]!]));
  const none = Object.keys(multi).length === 0;
  return {
    ...fixture,
    path: `/reports/${date}`,
    pathParameters: { date },
    queryStringParameters: none ? null : single,
    multiValueQueryStringParameters: none ? null : multi,
  };
}

function harness(nowMs = (exp - 3600) * 1000, inBucket: readonly string[] = ['reports/dt=2024-05-01/index.html']) {
  const presigned: { key: string; seconds: number }[] = [];
  const refusals: { reason: LinkRefusal; date: string | null }[] = [];
  const looked: string[] = [];
  const unpublished: string[] = [];
  const deps: ReportLinkDeps = {
    secret: async () => secret,
    published: async (key) => (looked.push(key), inBucket.includes(key)),
    presign: async (key, seconds) => {
      presigned.push({ key, seconds });
      return `https://lake.s3.us-east-1.amazonaws.com/${key}?X-Amz-Expires=${seconds}&X-Amz-Signature=abc`;
    },
    urlSeconds: 300,
    now: () => nowMs,
    onRefused: (reason, date) => refusals.push({ reason, date }),
    onNotPublished: (date) => unpublished.push(date),
  };
  return { handle: createReportLinkHandler(deps), presigned, refusals, looked, unpublished };
}

const link = (date = '2024-05-01', e = exp) => signReportLink({ apiUrl: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod', date, exp: e, secret });
const forbidden = { statusCode: 403, headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }, body: '' };

describe('GET /reports/{date}', () => {
  it('answers the fixture (a valid link as API Gateway delivers it) with 302 to a presigned URL of that date', async () => {
    const { handle, presigned } = harness();
    const res = await handle(fixture);
    expect(res).toEqual({
      statusCode: 302,
      headers: {
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
        Location: 'https://lake.s3.us-east-1.amazonaws.com/reports/dt=2024-05-01/index.html?X-Amz-Expires=300&X-Amz-Signature=abc',
      },
      body: '',
    });
    expect(presigned).toEqual([{ key: 'reports/dt=2024-05-01/index.html', seconds: 300 }]);
  });

  it('answers a valid link to a date never published with 404 and an empty body, presigning nothing', async () => {
    const { handle, presigned, refusals, looked, unpublished } = harness(undefined, []);
    expect(await handle(eventFor(link()))).toEqual({ statusCode: 404, headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }, body: '' });
    expect(looked).toEqual(['reports/dt=2024-05-01/index.html']);
    expect(presigned).toEqual([]);
    expect(refusals).toEqual([]);
    expect(unpublished).toEqual(['2024-05-01']);
  });

  it('refuses an expired link with 403 and nothing else, without looking in the bucket', async () => {
    const { handle, presigned, refusals, looked } = harness(exp * 1000);
    expect(await handle(eventFor(link()))).toEqual(forbidden);
    expect(presigned).toEqual([]);
    expect(looked).toEqual([]);
    expect(refusals).toEqual([{ reason: 'expired', date: '2024-05-01' }]);
  });

  it('refuses a forged link to a date never published with 403, not 404: a stranger learns nothing of which dates exist', async () => {
    const { handle, looked } = harness(undefined, []);
    const forged = signReportLink({ apiUrl: 'https://x.example/prod', date: '2024-05-01', exp, secret: 'a-guess-at-the-secret-of-this-stage!!' });
    expect(await handle(eventFor(forged))).toEqual(forbidden);
    expect(looked).toEqual([]);
  });

  it('refuses a forged signature (signed with another secret) with 403', async () => {
    const { handle, presigned, refusals } = harness();
    const forged = signReportLink({ apiUrl: 'https://x.example/prod', date: '2024-05-01', exp, secret: 'a-guess-at-the-secret-of-this-stage!!' });
    expect(await handle(eventFor(forged))).toEqual(forbidden);
    expect(presigned).toEqual([]);
    expect(refusals).toEqual([{ reason: 'forged', date: '2024-05-01' }]);
  });

  it("refuses one date's link presented for another date", async () => {
    const { handle, presigned } = harness();
    const other = link().replace('/reports/2024-05-01?', '/reports/2024-04-30?');
    expect(await handle(eventFor(other))).toEqual(forbidden);
    expect(presigned).toEqual([]);
  });

  it('refuses a link whose expiry was tampered with', async () => {
    const { handle, presigned, refusals } = harness();
    const longer = link().replace(`exp=${exp}`, `exp=${exp + 30 * 86_400}`);
    expect(await handle(eventFor(longer))).toEqual(forbidden);
    expect(presigned).toEqual([]);
    expect(refusals).toEqual([{ reason: 'forged', date: '2024-05-01' }]);
  });

  test.each([
    ['no query string', (u: string) => u.split('?')[0]!],
    ['no signature', (u: string) => u.replace(/&sig=.*$/, '')],
    ['a repeated signature', (u: string) => `${u}&sig=${new URL(u).searchParams.get('sig')}`],
    ['a repeated expiry', (u: string) => `${u}&exp=${exp}`],
    ['a date that is not one', (u: string) => u.replace('/reports/2024-05-01?', '/reports/latest?')],
  ])('refuses a malformed link (%s) with 403, logging no date', async (_what, change) => {
    const { handle, presigned, refusals } = harness();
    expect(await handle(eventFor(change(link())))).toEqual(forbidden);
    expect(presigned).toEqual([]);
    expect(refusals).toEqual([{ reason: 'malformed', date: null }]);
  });

  it('refuses an event without path parameters (no route match) with 403', async () => {
    const { handle } = harness();
    expect(await handle({ ...fixture, pathParameters: null })).toEqual(forbidden);
  });
});
