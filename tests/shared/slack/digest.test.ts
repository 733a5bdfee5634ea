import { buildDigest, buildFailureAlert, campaignConversions, campaignHeadlines, moneyText, type CampaignHeadline } from '../../../shared/slack/digest';
import { slackData, slackEscape, slackEscapeWithin, slackLink } from '../../../shared/slack/mrkdwn';
import { checkSlackMessage } from '../../support/slack-stand-in';

const anomaly = { campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.05, expected: 0.2, lower: 0.15, upper: 0.25, score: 9.5, baseline_days: 28, incident_start: '2024-05-01' };
const headline = (campaign_id: string, delivered = 100): CampaignHeadline => ({ campaign_id, messages_delivered: delivered, clicked_messages: 10, clicks: 12, ctr: 10 / delivered });
/** Every string of a message's blocks. */
const blockText = (blocks: readonly unknown[]) => JSON.stringify(blocks);

describe('Slack digest', () => {
  it('puts anomalies first, then the headline CTR per campaign, then the quarantine count', () => {
    const headlines = campaignHeadlines([
      { campaign_id: 'spring', template_name: 'v1', messages_delivered: 100, clicked_messages: 10, clicks: 12 },
      { campaign_id: 'spring', template_name: 'v1', messages_delivered: 100, clicked_messages: 5, clicks: 5 },
      { campaign_id: 'spring', template_name: 'v2', messages_delivered: 50, clicked_messages: 0, clicks: 0 },
      { campaign_id: 'unattributed', template_name: null, messages_delivered: 0, clicked_messages: 0, clicks: 1 },
    ]);
    expect(headlines).toEqual([
      { campaign_id: 'spring', messages_delivered: 150, clicked_messages: 15, clicks: 17, ctr: 0.1 },
      { campaign_id: 'unattributed', messages_delivered: 0, clicked_messages: 0, clicks: 1, ctr: null },
    ]);
    const digest = buildDigest({ date: '2024-05-01', anomalies: [anomaly], headlines, quarantined: 3 });
    expect(digest.text.split('\n')).toEqual([
      'WhatsApp CTR digest 2024-05-01: 1 anomaly',
      'DROP ctr on `spring` / `spring_v1` / `yes`: 5.0% vs 20.0% (expected 15.0%–25.0%)',
      '`spring`: CTR 10.0% (15/150 delivered, 17 clicks)',
      '`unattributed`: CTR n/a (0/0 delivered, 1 clicks)',
      'Quarantined rows: 3',
    ]);
    expect(digest.blocks.map((b) => b.type)).toEqual(['header', 'section', 'divider', 'section', 'context']);
    expect(blockText(digest.blocks)).toContain('DROP ctr on `spring`');
    expect(checkSlackMessage(digest)).toEqual([]);
  });

  it('adds the day\'s conversions per campaign after the headlines, revenue per currency never added across currencies', () => {
    const conversions = campaignConversions([
      { campaign_id: 'spring', currency: 'BRL', conversions: 3, revenue: 300.5 },
      { campaign_id: 'spring', currency: 'MXN', conversions: 1, revenue: 1249 },
      { campaign_id: 'spring', currency: null, conversions: 2, revenue: null },
      { campaign_id: 'unattributed', currency: 'BRL', conversions: 1, revenue: 20 },
      { campaign_id: 'loyalty', currency: null, conversions: 4, revenue: null },
    ]);
    expect(conversions).toEqual([
      { campaign_id: 'spring', conversions: 6, revenue: [{ currency: 'MXN', amount: 1249 }, { currency: 'BRL', amount: 300.5 }] },
      { campaign_id: 'loyalty', conversions: 4, revenue: [] },
      { campaign_id: 'unattributed', conversions: 1, revenue: [{ currency: 'BRL', amount: 20 }] },
    ]);
    const digest = buildDigest({ date: '2024-05-01', anomalies: [], headlines: [headline('spring')], conversions, quarantined: 0 });
    expect(digest.text.split('\n')).toEqual([
      'WhatsApp CTR digest 2024-05-01: no anomalies',
      '`spring`: CTR 10.0% (10/100 delivered, 12 clicks)',
      '`spring`: 6 conversions, revenue MXN 1,249.00 + BRL 300.50',
      '`loyalty`: 4 conversions, no revenue',
      '`unattributed`: 1 conversion, revenue BRL 20.00',
      'Quarantined rows: 0',
    ]);
    expect(digest.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(blockText([digest.blocks[2]])).toContain('*Conversions by campaign (2024-05-01, last-touch attribution)*');
    expect(checkSlackMessage(digest)).toEqual([]);
    // A day without conversions says so; a caller that reads none leaves the section out.
    expect(blockText(buildDigest({ date: '2024-05-01', anomalies: [], headlines: [], conversions: [], quarantined: 0 }).blocks)).toContain('No conversions on this day.');
    expect(blockText(buildDigest({ date: '2024-05-01', anomalies: [], headlines: [], quarantined: 0 }).blocks)).not.toContain('Conversions by campaign');
  });

  it('prints amounts in the currency\'s own minor units, and an unknown code as data', () => {
    expect(moneyText(1200, 'JPY')).toBe('JPY 1,200');
    expect(moneyText(12.345, 'BHD')).toBe('BHD 12.345');
    expect(moneyText(5, '<!here>')).toBe('`<!here>` 5.00');
  });

  it('escapes campaign names in the conversion lines and stays within Slack limits with 60 converting campaigns', () => {
    const rows = [
      { campaign_id: '<!channel> `x`', currency: 'BRL', conversions: 500, revenue: 1 },
      ...Array.from({ length: 60 }, (_, i) => ({ campaign_id: `campaign_${String(i).padStart(2, '0')}_${'y'.repeat(60)}`, currency: 'USD', conversions: 60 - i, revenue: 10 })),
    ];
    const headlines = Array.from({ length: 60 }, (_, i) => headline(`campaign_${String(i).padStart(2, '0')}_${'y'.repeat(60)}`));
    const digest = buildDigest({ date: '2024-05-01', anomalies: Array.from({ length: 40 }, () => ({ ...anomaly, campaign_id: 'z'.repeat(20_000) })), headlines, conversions: campaignConversions(rows), quarantined: 0 });
    expect(checkSlackMessage(digest)).toEqual([]);
    const section = JSON.stringify(digest.blocks.find((b) => JSON.stringify(b).includes('Conversions by campaign'))!);
    expect(section).toContain('`&lt;!channel&gt; ˋxˋ`: 500 conversions');
    expect(section).toMatch(/… and \d+ more campaigns \(query the daily_conversions table, dt = '2024-05-01'\)/);
    expect(digest.text.length).toBeLessThanOrEqual(4000);
    expect(digest.text).not.toMatch(/<!/);
  });

  it('says since when an incident that began on an earlier day is going on', () => {
    const ongoing = { ...anomaly, kind: 'zero', metric: 'clicks', observed: 0, expected: 40, lower: 25, upper: 55, incident_start: '2024-04-29' };
    const old = { ...anomaly, button_id: 'no', incident_start: null };
    const digest = buildDigest({ date: '2024-05-01', anomalies: [ongoing, anomaly, old], headlines: [], quarantined: 0 });
    expect(digest.text.split('\n').slice(1, 4)).toEqual([
      'ZERO clicks on `spring` / `spring_v1` / `yes`: 0 vs 40 (expected 25–55), ongoing since 2024-04-29',
      'DROP ctr on `spring` / `spring_v1` / `yes`: 5.0% vs 20.0% (expected 15.0%–25.0%)',
      'DROP ctr on `spring` / `spring_v1` / `no`: 5.0% vs 20.0% (expected 15.0%–25.0%)',
    ]);
    expect(JSON.stringify(digest.blocks[1])).toContain('ongoing since 2024-04-29');
  });

  it('caps the anomaly blocks and summarises the rest, with the table to query', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ ...anomaly, button_id: `b<${i}>` }));
    const digest = buildDigest({ date: '2024-05-01', anomalies: many, headlines: [], quarantined: 0 });
    expect(digest.blocks.filter((b) => JSON.stringify(b).includes(':rotating_light:'))).toHaveLength(20);
    expect(blockText(digest.blocks)).toContain("… and 5 more (query the anomalies table, dt = '2024-05-01')");
    expect(blockText(digest.blocks)).toContain('`b&lt;0&gt;`');
    expect(digest.text).toContain('`b&lt;24&gt;`');
    expect(checkSlackMessage(digest)).toEqual([]);
  });

  it('escapes what the data carries in every field, the fallback text included: no mention, no link', () => {
    const hostile = ['<!channel>', '<!here|here>', '<!everyone>', '<@U024BE7LH>', '<#C024BE7LR>', '<https://evil.example|click here>', 'a & b', '&lt;!channel&gt;', '@channel https://evil.example www.evil.example'];
    const digest = buildDigest({
      date: '2024-05-01',
      anomalies: hostile.map((h) => ({ ...anomaly, campaign_id: h, template_name: h, button_id: h })),
      headlines: hostile.map((h) => headline(h)),
      quarantined: 0,
    });
    expect(checkSlackMessage(digest)).toEqual([]);
    for (const text of [digest.text, blockText(digest.blocks)]) {
      expect(text).not.toMatch(/<[!@#h]/);
      // Escaped exactly once: what Slack shows is the data as it was.
      expect(text).toContain('`&lt;!channel&gt;`');
      expect(text).toContain('`&amp;lt;!channel&amp;gt;`');
      expect(text).toContain('`a &amp; b`');
    }
  });

  it('keeps data in inline code: backticks, line breaks and control characters cannot break out', () => {
    expect(slackData('a`b')).toBe('`aˋb`');
    expect(slackData('line1\nline2\x1b[31m')).toBe('`line1\\nline2\\x1b[31m`');
    expect(slackData(null)).toBe('(none)');
    expect(slackData('x'.repeat(500))).toBe(`\`${'x'.repeat(79)}…\``);
    const digest = buildDigest({ date: '2024-05-01', anomalies: [], headlines: [headline('```\n*bold* <!here>')], quarantined: 0 });
    expect(digest.text).toContain('`ˋˋˋ\\n*bold* &lt;!here&gt;`: CTR');
    expect(checkSlackMessage(digest)).toEqual([]);
  });

  it('stays within Slack limits with 60 campaigns and a 20,000-character campaign id, saying how many are left out', () => {
    const headlines = [headline('x'.repeat(20_000), 5000), ...Array.from({ length: 60 }, (_, i) => headline(`campaign_${String(i).padStart(2, '0')}_${'y'.repeat(60)}`))];
    const digest = buildDigest({ date: '2024-05-01', anomalies: Array.from({ length: 40 }, () => ({ ...anomaly, campaign_id: 'z'.repeat(20_000) })), headlines, quarantined: 0 });
    expect(checkSlackMessage(digest)).toEqual([]);
    const headlineSection = digest.blocks.find((b) => JSON.stringify(b).includes('Headline CTR'))!;
    const shown = (JSON.stringify(headlineSection).match(/campaign_\d\d/g) ?? []).length;
    expect(shown).toBeGreaterThan(10);
    expect(JSON.stringify(headlineSection)).toContain(`… and ${60 - shown} more campaigns (query the daily_ctr table, dt = '2024-05-01')`);
    expect(digest.text.length).toBeLessThanOrEqual(4000);
    expect(digest.text).toMatch(/… and \d+ more lines in the message\nQuarantined rows: 0$/);
  });

  it('links what does not fit to the dashboard when it has a URL', () => {
    const headlines = Array.from({ length: 60 }, (_, i) => headline(`campaign_${i}_${'y'.repeat(60)}`));
    const url = 'https://reports.example.com/reports/2024-05-01?exp=1&sig=a|b';
    const digest = buildDigest({ date: '2024-05-01', anomalies: [], headlines, quarantined: 0, dashboardUrl: url });
    expect(blockText(digest.blocks)).toMatch(/… and \d+ more campaigns: <https:\/\/reports\.example\.com\/reports\/2024-05-01\?exp=1&amp;sig=a%7Cb\|open the dashboard>/);
    expect(checkSlackMessage(digest, { allowedLinkPrefixes: ['https://reports.example.com/'] })).toEqual([]);
    expect(slackLink('javascript:alert(1)', 'x')).toBeNull();
  });

  it('links the dashboard of its date on a line of its own before the quarantine count, when it has a URL', () => {
    const url = 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/reports/2024-05-01?exp=1717200000&sig=i1qnLkVIS3Pu6Ng9Dn_8268xt-H-W1OqMdWaQvfHsEs';
    const digest = buildDigest({ date: '2024-05-01', anomalies: [], headlines: [headline('spring')], quarantined: 0, dashboardUrl: url });
    expect(digest.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(digest.blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', verbatim: true, text: `:bar_chart: Dashboard of 2024-05-01: <${url.replace('&', '&amp;')}|open the dashboard>` },
    });
    expect(checkSlackMessage(digest, { allowedLinkPrefixes: ['https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/reports/'] })).toEqual([]);
    // Without a URL (a local run), no such line.
    expect(buildDigest({ date: '2024-05-01', anomalies: [], headlines: [headline('spring')], quarantined: 0 }).blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
  });

  it('says on that line that the dashboard could not be published, and links nothing, when the workflow failed to publish it', () => {
    const digest = buildDigest({ date: '2024-05-01', anomalies: [], headlines: [headline('spring')], quarantined: 0, dashboardUnpublished: true });
    expect(digest.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(digest.blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', verbatim: true, text: ":warning: The dashboard of 2024-05-01 could not be published; the workflow's failure alert says why." },
    });
    expect(checkSlackMessage(digest)).toEqual([]);
  });

  it('cuts escaped text without splitting an entity or a surrogate pair', () => {
    expect(slackEscape('<a & b>')).toBe('&lt;a &amp; b&gt;');
    expect(slackEscapeWithin('<<<<', 9)).toBe('&lt;&lt;…');
    expect(slackEscapeWithin('🎉🎉🎉', 4)).toBe('🎉…');
  });

  it('builds a failure alert with the error name and cause, escaped', () => {
    const alert = buildFailureAlert({ date: '2024-05-01', error: 'QueryError', cause: 'boom' });
    expect(alert.text).toBe('WhatsApp analytics daily workflow FAILED for 2024-05-01\n```QueryError: boom```');
    expect(alert.blocks).toHaveLength(2);
    const hostile = buildFailureAlert({ date: '2024-05-01', error: 'QueryError', cause: `campaign <!channel> \`\`\` ${'x'.repeat(10_000)}\x07` });
    expect(checkSlackMessage(hostile)).toEqual([]);
    expect(hostile.text).toContain('campaign &lt;!channel&gt; ˋˋˋ');
  });
});
