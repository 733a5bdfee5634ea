/**
 * How long the data bucket keeps a published dashboard under reports/: the stage's
 * `reportLinkDays` plus the margin of shared/report/published.ts (reportRetentionDays), the one
 * home of that rule. A link cannot outlive its page, and a page outlives its last link by a day.
 */
const requireTs = require('./ts.cjs');

const { reportRetentionDays } = requireTs('../shared/report/published.ts');

module.exports = {
  /** resources/storage.yml: `${file(./resources/report-retention.cjs):expirationDays}`. */
  async expirationDays({ resolveVariable }) {
    return reportRetentionDays(Number(await resolveVariable('param:reportLinkDays')));
  },
};
