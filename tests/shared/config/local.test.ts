import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readLocalConfig, resolveDataDir } from '../../../shared/config/local';
import { ConfigError } from '../../../shared/errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wa-analytics-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveDataDir', () => {
  it('prefers --data-dir, then WA_DATA_DIR, then ./.wa-analytics, as absolute paths', () => {
    expect(resolveDataDir({ WA_DATA_DIR: '/from/env' }, { dataDir: '/from/flag' })).toBe(resolve('/from/flag'));
    expect(resolveDataDir({ WA_DATA_DIR: '/from/env' }, {})).toBe(resolve('/from/env'));
    expect(resolveDataDir({ WA_DATA_DIR: '' }, {})).toBe(resolve('.wa-analytics'));
    expect(resolveDataDir({}, { dataDir: 'rel' })).toBe(resolve('rel'));
  });
});

describe('readLocalConfig', () => {
  it('returns the defaults of SPEC section 4 with a generated key', () => {
    const config = readLocalConfig({ WA_DATA_DIR: dir });
    expect(config).toEqual({
      dataDir: dir,
      appSecret: null,
      verifyToken: null,
      wasenderSecret: null,
      twilioAuthToken: null,
      registryToken: null,
      pii: 'hash',
      piiKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      timeZone: 'UTC',
      slackWebhookUrl: null,
      attributionDays: 7,
      dailyTime: null,
      publicUrl: null,
    });
  });

  it('reads every variable', () => {
    const config = readLocalConfig({
      WA_DATA_DIR: dir,
      WA_APP_SECRET: 'app-secret',
      WA_VERIFY_TOKEN: 'verify',
      WASENDER_WEBHOOK_SECRET: 'ws',
      TWILIO_AUTH_TOKEN: 'tw',
      WA_REGISTRY_TOKEN: 'reg',
      WA_PII: 'raw',
      WA_PII_KEY: 'configured-key',
      WA_TIMEZONE: 'America/Sao_Paulo',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXX',
      WA_DAILY_TIME: '03:15',
      WA_ATTRIBUTION_DAYS: '10',
      WA_PUBLIC_URL: 'https://abc123.tunnel.example/',
    });
    expect(config).toEqual({
      dataDir: dir,
      appSecret: 'app-secret',
      verifyToken: 'verify',
      wasenderSecret: 'ws',
      twilioAuthToken: 'tw',
      registryToken: 'reg',
      pii: 'raw',
      piiKey: 'configured-key',
      timeZone: 'America/Sao_Paulo',
      slackWebhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX',
      attributionDays: 10,
      dailyTime: '03:15',
      publicUrl: 'https://abc123.tunnel.example',
    });
  });

  it('takes --public-url over WA_PUBLIC_URL, and refuses one that is not a base URL, naming where it came from', () => {
    expect(readLocalConfig({ WA_DATA_DIR: dir, WA_PUBLIC_URL: 'https://env.example' }, { publicUrl: 'https://flag.example/wa' }).publicUrl).toBe('https://flag.example/wa');
    expect(() => readLocalConfig({ WA_DATA_DIR: dir }, { publicUrl: 'https://flag.example/?x=1' })).toThrow(/^--public-url must be an http\(s\) base URL/);
    expect(() => readLocalConfig({ WA_DATA_DIR: dir, WA_PUBLIC_URL: 'tunnel.example' })).toThrow(/^WA_PUBLIC_URL must be an http\(s\) base URL/);
  });

  it('generates the PII key once into the data dir with mode 0600 and reuses it', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const first = readLocalConfig({}, { dataDir });
    const second = readLocalConfig({}, { dataDir });
    expect(second.piiKey).toBe(first.piiKey);
    expect((await readFile(join(dataDir, 'pii.key'), 'utf8')).trim()).toBe(first.piiKey);
    if (process.platform !== 'win32') expect((await stat(join(dataDir, 'pii.key'))).mode & 0o777).toBe(0o600);
  });

  it('does not write a key file when WA_PII_KEY is set', async () => {
    readLocalConfig({ WA_DATA_DIR: dir, WA_PII_KEY: 'k' });
    await expect(stat(join(dir, 'pii.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    [{ WA_PII: 'maybe' }, 'WA_PII must be one of hash, raw (got "maybe")'],
    [{ WA_TIMEZONE: 'Mars/Olympus' }, 'unknown time zone "Mars/Olympus" (expected an IANA name such as Europe/Paris)'],
    [{ SLACK_WEBHOOK_URL: 'not a url' }, 'SLACK_WEBHOOK_URL is not a URL'],
    [{ SLACK_WEBHOOK_URL: 'ftp://example.com/hook' }, 'SLACK_WEBHOOK_URL must be an http(s) URL'],
  ])('rejects %j with a ConfigError', (env, message) => {
    let thrown: unknown;
    try {
      readLocalConfig({ WA_DATA_DIR: dir, ...env });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toBe(message);
  });

  it('rejects an empty key file with a ConfigError', async () => {
    await writeFile(join(dir, 'pii.key'), '\n');
    expect(() => readLocalConfig({ WA_DATA_DIR: dir })).toThrow(ConfigError);
  });
});
