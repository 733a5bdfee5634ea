import { buildDigest, buildFailureAlert, campaignHeadlines } from '../../../shared/slack/digest';

const anomaly = { campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.05, expected: 0.2, lower: 0.15, upper: 0.25, score: 9.5, baseline_days: 28, incident_start: '2024-05-01' };

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

  it('says since when an incident that began on an earlier day is going on', () => {
    const ongoing = { ...anomaly, kind: 'zero', metric: 'clicks', observed: 0, expected: 40, lower: 25, upper: 55, incident_start: '2024-04-29' };
    const old = { ...anomaly, button_id: 'no', incident_start: null };
    const digest = buildDigest({ date: '2024-05-01', anomalies: [ongoing, anomaly, old], headlines: [], quarantined: 0 });
    expect(digest.text.split('\n').slice(1, 4)).toEqual([
      'ZERO clicks on spring / spring_v1 / yes: 0 vs 40 (expected 25–55), ongoing since 2024-04-29',
      'DROP ctr on spring / spring_v1 / yes: 5.0% vs 20.0% (expected 15.0%–25.0%)',
      'DROP ctr on spring / spring_v1 / no: 5.0% vs 20.0% (expected 15.0%–25.0%)',
    ]);
    expect(JSON.stringify(digest.blocks[1])).toContain('ongoing since 2024-04-29');
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
