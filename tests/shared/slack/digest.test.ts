import { buildDigest, buildFailureAlert, campaignHeadlines } from '../../../shared/slack/digest';

const anomaly = { campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.05, expected: 0.2, lower: 0.15, upper: 0.25, score: 9.5, baseline_days: 28 };

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
      'DROP ctr on spring / spring_v1 / yes: 5.0% vs 20.0% (expected 15.0%–25.0%)',
      'spring: CTR 10.0% (15/150 delivered, 17 clicks)',
      'unattributed: CTR n/a (0/0 delivered, 1 clicks)',
      'Quarantined rows: 3',
    ]);
    expect(digest.blocks.map((b) => b.type)).toEqual(['header', 'section', 'divider', 'section', 'context']);
    expect(JSON.stringify(digest.blocks[1])).toContain('DROP ctr on spring');
  });

  it('caps the anomaly blocks and summarises the rest, escaping mrkdwn control characters', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ ...anomaly, button_id: `b<${i}>` }));
    const digest = buildDigest({ date: '2024-05-01', anomalies: many, headlines: [], quarantined: 0 });
    expect(digest.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(digest.blocks)).toContain('… and 5 more');
    expect(JSON.stringify(digest.blocks)).toContain('b&lt;0&gt;');
    expect(digest.text).toContain('b<24>');
  });

  it('builds a failure alert with the error name and cause', () => {
    const alert = buildFailureAlert({ date: '2024-05-01', error: 'QueryError', cause: 'boom' });
    expect(alert.text).toBe('WhatsApp analytics daily workflow FAILED for 2024-05-01\nQueryError: boom');
    expect(alert.blocks).toHaveLength(2);
  });
});
