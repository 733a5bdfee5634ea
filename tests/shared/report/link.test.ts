import { ConfigError } from '../../../shared/errors';
import { reportLinkExpiry, reportLinkSignature, signReportLink, verifyReportLink } from '../../../shared/report/link';
import { publishedReportKey } from '../../../shared/report/published';

// The module object the signer calls into (a namespace import would be a copy under the transform).
const nodeCrypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');

const secret = 'report-link-secret-for-tests-0123456789';
// 2024-06-01T00:00:00Z
const exp = 1_717_200_000;
// printf '2024-05-01\n1717200000' | openssl dgst -sha256 -hmac "$secret" -binary | base64 | tr '+/' '-_' | tr -d '='
const opensslSig = 'i1qnLkVIS3Pu6Ng9Dn_8268xt-H-W1OqMdWaQvfHsEs';
const before = exp - 1;

/** The query of a signed link, as the route receives it. */
function presented(url: string): { date: string; exp: string | null; sig: string | null } {
  const u = new URL(url);
  return { date: u.pathname.split('/').pop()!, exp: u.searchParams.get('exp'), sig: u.searchParams.get('sig') };
}

describe('signing a report link', () => {
  it('signs HMAC-SHA256 of "<date>\\n<exp>" with the secret, as base64url without padding (openssl agrees)', () => {
    expect(reportLinkSignature(secret, '2024-05-01', exp)).toBe(opensslSig);
  });

  it('builds <ApiUrl>/reports/<date>?exp=<epoch seconds>&sig=<sig>, with or without a trailing slash on the API URL', () => {
    const expected = `https://abc123.execute-api.us-east-1.amazonaws.com/prod/reports/2024-05-01?exp=${exp}&sig=${opensslSig}`;
    expect(signReportLink({ apiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod', date: '2024-05-01', exp, secret })).toBe(expected);
    expect(signReportLink({ apiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/', date: '2024-05-01', exp, secret })).toBe(expected);
  });

  it('expires reportLinkDays after issue, in epoch seconds', () => {
    expect(reportLinkExpiry(Date.parse('2024-05-02T02:30:00.999Z'), 30)).toBe(Date.parse('2024-06-01T02:30:00Z') / 1000);
    expect(() => reportLinkExpiry(0, 0)).toThrow(ConfigError);
    expect(() => reportLinkExpiry(0, 367)).toThrow('report link lifetime must be a whole number of days from 1 to 366 (got 367)');
  });

  it('refuses a short secret, a bad date or a bad expiry rather than sign them', () => {
    expect(() => reportLinkSignature('short', '2024-05-01', exp)).toThrow('the report link secret must have at least 32 characters (got 5)');
    expect(() => reportLinkSignature(secret, '2024-02-30', exp)).toThrow(ConfigError);
    expect(() => reportLinkSignature(secret, '2024-05-01', 1.5)).toThrow(ConfigError);
    expect(() => signReportLink({ apiUrl: 'ftp://x/', date: '2024-05-01', exp, secret })).toThrow('the report API URL must be http(s) (got "ftp://x/")');
  });

  it('publishes the dashboard of a date at reports/dt=<date>/index.html', () => {
    expect(publishedReportKey('2024-05-01')).toBe('reports/dt=2024-05-01/index.html');
  });
});

describe('checking a report link', () => {
  const link = signReportLink({ apiUrl: 'https://api.example.com/prod', date: '2024-05-01', exp, secret });

  it('accepts the link it signed until its expiry', () => {
    expect(verifyReportLink(presented(link), secret, before)).toEqual({ ok: true, date: '2024-05-01', exp });
  });

  it('refuses it from its expiry second on', () => {
    expect(verifyReportLink(presented(link), secret, exp)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyReportLink(presented(link), secret, exp + 86_400)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a link signed with another secret (a rotated secret revokes every link)', () => {
    const other = signReportLink({ apiUrl: 'https://api.example.com/prod', date: '2024-05-01', exp, secret: `${secret}-rotated` });
    expect(verifyReportLink(presented(other), secret, before)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses the signature of one date presented for another date', () => {
    expect(verifyReportLink({ ...presented(link), date: '2024-05-02' }, secret, before)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a link whose expiry was pushed later', () => {
    expect(verifyReportLink({ ...presented(link), exp: String(exp + 86_400) }, secret, before)).toEqual({ ok: false, reason: 'forged' });
    // A leading zero spells the same number but is not the link that was signed.
    expect(verifyReportLink({ ...presented(link), exp: `0${exp}` }, secret, before)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a flipped signature bit, first or last byte', () => {
    const sig = Buffer.from(opensslSig, 'base64url');
    for (const i of [0, 31]) {
      const flipped = Buffer.from(sig);
      flipped[i] = flipped[i]! ^ 0x01;
      expect(verifyReportLink({ ...presented(link), sig: flipped.toString('base64url') }, secret, before)).toEqual({ ok: false, reason: 'forged' });
    }
  });

  test.each([
    ['no signature', { sig: null }],
    ['an empty signature', { sig: '' }],
    ['a hex signature', { sig: 'ab'.repeat(32) }],
    ['a padded signature', { sig: `${opensslSig}=` }],
    ['a signature one character short', { sig: opensslSig.slice(1) }],
    // Same 32 bytes, other spelling: the last character's unused bits set.
    ['a non-canonical last character', { sig: `${opensslSig.slice(0, 42)}F` }],
    ['no expiry', { exp: null }],
    ['an expiry that is not digits', { exp: '1717200000.5' }],
    ['a negative expiry', { exp: '-1' }],
    ['a date that does not exist', { date: '2024-02-30' }],
    ['a date in another form', { date: '20240501' }],
    ['a path traversal as the date', { date: '..%2F..%2Fraw' }],
    ['a date that is not a string', { date: ['2024-05-01'] }],
  ])('refuses %s as malformed', (_what, change) => {
    expect(verifyReportLink({ ...presented(link), ...change }, secret, before)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('compares the 32 signature bytes in constant time (timingSafeEqual), never as strings', () => {
    const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
    try {
      const firstWrong = Buffer.from(opensslSig, 'base64url');
      firstWrong[0] = firstWrong[0]! ^ 0x80;
      expect(verifyReportLink({ ...presented(link), sig: firstWrong.toString('base64url') }, secret, before)).toEqual({ ok: false, reason: 'forged' });
      expect(verifyReportLink(presented(link), secret, before).ok).toBe(true);
      expect(spy).toHaveBeenCalledTimes(2);
      for (const [given, expected] of spy.mock.calls as [Buffer, Buffer][]) {
        expect([given.length, expected.length]).toEqual([32, 32]);
        expect(expected.toString('base64url')).toBe(opensslSig);
      }
      expect((spy.mock.calls[0]![0] as Buffer).equals(firstWrong)).toBe(true);
      // A malformed link never reaches the comparison.
      verifyReportLink({ ...presented(link), sig: 'x' }, secret, before);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});
