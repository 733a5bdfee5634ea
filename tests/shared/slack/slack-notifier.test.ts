import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsoleNotifier, notifierFor, retryAfterMs, SlackWebhookNotifier } from '../../../shared/adapters/slack';
import { NotifyError } from '../../../shared/errors';
import { buildDigest } from '../../../shared/slack/digest';

/** A real HTTP server on 127.0.0.1 that answers with a scripted list of responses. */
async function slackServer(script: { status: number; headers?: Record<string, string> }[]) {
  const received: { at: number; body: unknown }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ at: Date.now(), body: JSON.parse(data) });
      const next = script[Math.min(received.length - 1, script.length - 1)]!;
      res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
      res.end(next.status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const message = buildDigest({ date: '2024-05-01', anomalies: [], headlines: [], quarantined: 2 });

describe('Slack webhook notifier', () => {
  it('waits for Retry-After after a 429, then posts the same blocks and text once accepted', async () => {
    const slack = await slackServer([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    try {
      await new SlackWebhookNotifier(slack.url).post(message);
      expect(slack.received).toHaveLength(2);
      expect(slack.received[1]!.at - slack.received[0]!.at).toBeGreaterThanOrEqual(950);
      expect(slack.received[1]!.body).toEqual({ text: message.text, blocks: message.blocks });
    } finally {
      await slack.close();
    }
  });

  it('gives up with a NotifyError naming the status when Slack keeps answering 500', async () => {
    const slack = await slackServer([{ status: 500 }]);
    try {
      const error = await new SlackWebhookNotifier(slack.url, { maxAttempts: 3, backoffMs: 5 }).post(message).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotifyError);
      expect((error as Error).message).toMatch(/500.*after 3 attempts/);
      expect(slack.received).toHaveLength(3);
    } finally {
      await slack.close();
    }
  });

  it('does not retry a 400 (a bad payload will not get better)', async () => {
    const slack = await slackServer([{ status: 400 }]);
    try {
      await expect(new SlackWebhookNotifier(slack.url, { backoffMs: 1 }).post(message)).rejects.toThrow(/400/);
      expect(slack.received).toHaveLength(1);
    } finally {
      await slack.close();
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(null)).toBe(1000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });

  it('prints the text fallback when no webhook URL is set', async () => {
    const lines: string[] = [];
    const notifier = notifierFor(undefined, {}, (t) => lines.push(t));
    expect(notifier).toBeInstanceOf(ConsoleNotifier);
    await notifier.post(message);
    expect(lines.join('')).toContain('[slack] WhatsApp CTR digest 2024-05-01: no anomalies');
  });

  it('prints a digest as Slack would show it, with terminal control characters from the data escaped', async () => {
    const lines: string[] = [];
    const digest = buildDigest({ date: '2024-05-01', anomalies: [], headlines: [{ campaign_id: '<!here>\u001b[2J\u0007\b', messages_delivered: 1, clicked_messages: 0, clicks: 0, ctr: 0 }], quarantined: 0 });
    await new ConsoleNotifier((t) => lines.push(t)).post(digest);
    expect(lines.join('')).toBe(['[slack] WhatsApp CTR digest 2024-05-01: no anomalies', '[slack] `<!here>\\x1b[2J\\x07\\x08`: CTR 0.0% (0/1 delivered, 0 clicks)', '[slack] Quarantined rows: 0', ''].join('\n'));
  });
});
