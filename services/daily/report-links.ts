import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import type { ReportLinkIssuerConfig } from '../../shared/config/report-link';
import { ConfigError } from '../../shared/errors';
import type { ReportLinks } from '../../shared/ports/report-links';
import { reportLinkExpiry, signReportLink } from '../../shared/report/link';

/**
 * Signed report links with the stage's secret, read from SSM (SecureString) when first needed
 * and cached by Powertools like the Slack webhook URL, so a rotated secret is used within 5 minutes.
 */
export class SsmReportLinks implements ReportLinks {
  constructor(
    private readonly config: ReportLinkIssuerConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async linkFor(date: string): Promise<string> {
    const secret = await getParameter(this.config.secretParam, { decrypt: true, maxAge: 300 });
    if (!secret) throw new ConfigError(`parameter ${this.config.secretParam} is empty or missing`);
    return signReportLink({ apiUrl: this.config.apiUrl, date, exp: reportLinkExpiry(this.now(), this.config.days), secret });
  }
}
