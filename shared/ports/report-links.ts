/**
 * Issues the link a reader opens a date's published dashboard with: on AWS the signed link
 * `GET <ApiUrl>/reports/{date}?exp=…&sig=…` (shared/report/link.ts), valid for the stage's
 * `reportLinkDays` from the moment it is issued. A local run has none (its dashboard is a file).
 */
export interface ReportLinks {
  /** The link of `date`, issued now. */
  linkFor(date: string): Promise<string>;
}
