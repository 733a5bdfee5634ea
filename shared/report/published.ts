import { InputError } from '../errors';
import { isIsoDate } from '../time';

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
