import { ConfigError, InputError } from '../errors';
import { isIsoDate } from '../time';
import { maxReportLinkDays } from './link';

/**
 * Where the workflow publishes each day's dashboard: `reports/dt=<date>/index.html` in the data
 * bucket (in the lake folder on one machine, same key). The one home of the key: the
 * PublishReport step writes it and the signed-link Lambda presigns it.
 */

/** The prefix of every published report (the link Lambda's role may read only under it). */
export const reportsPrefix = 'reports/';

/** The media type the page is stored and served with. */
export const reportContentType = 'text/html; charset=utf-8';

/** The object key of the dashboard published for `date`; InputError unless `date` is a YYYY-MM-DD date. */
export function publishedReportKey(date: string): string {
  if (!isIsoDate(date)) throw new InputError(`a published report is named by a date YYYY-MM-DD (got ${JSON.stringify(date)})`);
  return `${reportsPrefix}dt=${date}/index.html`;
}

/**
 * Days a published page is kept beyond the link to it. The digest signs its link minutes after the
 * page is written (PublishReport runs just before PostDigest), and S3 expires an object at the
 * first midnight UTC after creation + the rule's days, so one more day keeps the page for every
 * moment its link is valid; a re-run rewrites the page and restarts its clock.
 */
export const reportRetentionMarginDays = 1;

/** The lifecycle rule's days for `reports/` (resources/storage.yml): the stage's `reportLinkDays` + the margin. */
export function reportRetentionDays(linkDays: number): number {
  if (!Number.isInteger(linkDays) || linkDays < 1 || linkDays > maxReportLinkDays) throw new ConfigError(`reportLinkDays must be a whole number of days from 1 to ${maxReportLinkDays} (got ${linkDays})`);
  return linkDays + reportRetentionMarginDays;
}
