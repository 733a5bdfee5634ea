import { ConfigError } from '../../../shared/errors';
import { publishedReportKey, reportRetentionDays } from '../../../shared/report/published';
import { reportLinkExpiry } from '../../../shared/report/link';

describe('how long a published report is kept', () => {
  it('keeps the page a day beyond the link: reportLinkDays + 1', () => {
    expect(reportRetentionDays(30)).toBe(31);
    expect(reportRetentionDays(1)).toBe(2);
    expect(reportRetentionDays(366)).toBe(367);
  });

  it('outlives every link to it: S3 expires at the first midnight UTC after creation + the days, the link at its post time + reportLinkDays', () => {
    // Written at 02:31 UTC, the digest's link signed at 02:40 the same night (a slow Slack retry included).
    const written = Date.UTC(2024, 4, 4, 2, 31);
    const linkExpires = reportLinkExpiry(Date.UTC(2024, 4, 4, 2, 40), 30) * 1000;
    const creationPlusDays = written + reportRetentionDays(30) * 86_400_000;
    const s3Expires = Math.ceil(creationPlusDays / 86_400_000) * 86_400_000;
    expect(new Date(linkExpires).toISOString()).toBe('2024-06-03T02:40:00.000Z');
    expect(new Date(s3Expires).toISOString()).toBe('2024-06-05T00:00:00.000Z');
    expect(s3Expires).toBeGreaterThan(linkExpires);
  });

  it('refuses a reportLinkDays the links refuse too', () => {
    expect(() => reportRetentionDays(0)).toThrow(ConfigError);
    expect(() => reportRetentionDays(367)).toThrow('reportLinkDays must be a whole number of days from 1 to 366 (got 367)');
    expect(() => reportRetentionDays(Number.NaN)).toThrow(ConfigError);
  });

  it('names the page by its date under reports/', () => {
    expect(publishedReportKey('2024-05-03')).toBe('reports/dt=2024-05-03/index.html');
  });
});
