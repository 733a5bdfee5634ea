import { readDailyConfig } from '../../../shared/config/daily';
import { ConfigError } from '../../../shared/errors';

const env = { DATA_BUCKET: 'wa-analytics-dev-lake', GLUE_DATABASE: 'whatsapp_analytics_dev', ATHENA_WORKGROUP: 'wa-analytics-dev', SLACK_WEBHOOK_PARAM: '/wa-analytics/dev/slack', WA_TIMEZONE: 'Asia/Kolkata',
  REPORT_API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev',
  REPORT_LINK_SECRET_PARAM: '/wa-analytics/dev/report-link-secret',
};

describe('readDailyConfig', () => {
  it('reads the daily environment into one object', () => {
    expect(readDailyConfig(env)).toEqual({
      bucket: 'wa-analytics-dev-lake',
      database: 'whatsapp_analytics_dev',
      workGroup: 'wa-analytics-dev',
      timeZone: 'Asia/Kolkata',
      slackWebhookParam: '/wa-analytics/dev/slack',
      attributionDays: 7,
      reportLink: { apiUrl: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev', secretParam: '/wa-analytics/dev/report-link-secret', days: 30 },
    });
  });

  it('reads the report links\' lifetime from REPORT_LINK_DAYS (30 when unset) and refuses one outside 1 to 366 days', () => {
    expect(readDailyConfig({ ...env, REPORT_LINK_DAYS: '7' }).reportLink.days).toBe(7);
    expect(readDailyConfig({ ...env, REPORT_LINK_DAYS: '' }).reportLink.days).toBe(30);
    expect(() => readDailyConfig({ ...env, REPORT_LINK_DAYS: '0' })).toThrow(new ConfigError('REPORT_LINK_DAYS must be a whole number of days from 1 to 366 (got "0")'));
    expect(() => readDailyConfig({ ...env, REPORT_LINK_DAYS: '30d' })).toThrow('REPORT_LINK_DAYS must be a whole number of days from 1 to 366 (got "30d")');
  });

  it('refuses a REPORT_API_URL that is not an http(s) URL', () => {
    expect(() => readDailyConfig({ ...env, REPORT_API_URL: 'abc123defg' })).toThrow('REPORT_API_URL must be a URL (got "abc123defg")');
    expect(() => readDailyConfig({ ...env, REPORT_API_URL: 'ftp://x/dev' })).toThrow('REPORT_API_URL must be an http(s) URL (got "ftp://x/dev")');
  });

  it('reads the stage attribution window from ATTRIBUTION_DAYS and refuses one that is not 0 to 90 whole days', () => {
    expect(readDailyConfig({ ...env, ATTRIBUTION_DAYS: '14' }).attributionDays).toBe(14);
    expect(readDailyConfig({ ...env, ATTRIBUTION_DAYS: '0' }).attributionDays).toBe(0);
    expect(() => readDailyConfig({ ...env, ATTRIBUTION_DAYS: '7d' })).toThrow(new ConfigError('ATTRIBUTION_DAYS must be a whole number of days (got "7d")'));
    expect(() => readDailyConfig({ ...env, ATTRIBUTION_DAYS: '91' })).toThrow('ATTRIBUTION_DAYS: attribution window must be a whole number of days from 0 to 90 (got 91)');
  });

  it('reports in UTC when WA_TIMEZONE is unset or empty', () => {
    const { WA_TIMEZONE: _omit, ...unset } = env;
    expect(readDailyConfig(unset).timeZone).toBe('UTC');
    expect(readDailyConfig({ ...env, WA_TIMEZONE: '' }).timeZone).toBe('UTC');
  });

  it.each(['DATA_BUCKET', 'GLUE_DATABASE', 'ATHENA_WORKGROUP', 'SLACK_WEBHOOK_PARAM', 'REPORT_API_URL', 'REPORT_LINK_SECRET_PARAM'] as const)('throws a ConfigError naming %s when it is missing or empty', (name) => {
    const { [name]: _omit, ...without } = env;
    expect(() => readDailyConfig(without)).toThrow(ConfigError);
    expect(() => readDailyConfig(without)).toThrow(`${name} is not set`);
    expect(() => readDailyConfig({ ...env, [name]: '' })).toThrow(`${name} is not set`);
  });

  it('refuses a time zone that is not an IANA name', () => {
    expect(() => readDailyConfig({ ...env, WA_TIMEZONE: 'Mars/Olympus' })).toThrow('unknown time zone "Mars/Olympus"');
  });
});
