import { errorMessage, NotifyError } from '../errors';
import { exponentialBackoff, retry, type Sleep } from '../retry';
import type { ChatMessage, Notifier } from '../ports/notifier';
import { slackUnescape } from '../slack/mrkdwn';
import { terminalSafe } from '../text/terminal';

/**
 * Slack incoming webhook notifier (global fetch). A 429 is retried after its `Retry-After`
 * seconds (capped), a 5xx after a short backoff; anything else that is not 2xx is a NotifyError.
 */

export interface SlackOptions {
  /** Attempts in total, the first included. */
  readonly maxAttempts?: number;
  /** Upper bound on one wait, in ms, whatever Retry-After says (a Lambda has a deadline). */
  readonly maxWaitMs?: number;
  /** Wait before retrying a 5xx or network error, in ms (doubled each time). */
  readonly backoffMs?: number;
  readonly sleep?: Sleep;
}

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date); 1 s when absent. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number {
  if (header === null || header.trim() === '') return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - now);
}

/** A failed post that may succeed later: a 429 (with the wait Slack asked for), a 5xx, no answer. */
class SlackUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class SlackWebhookNotifier implements Notifier {
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly backoffMs: number;
  private readonly sleep: Sleep | undefined;

  constructor(private readonly url: string, options: SlackOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.backoffMs = options.backoffMs ?? 500;
    this.sleep = options.sleep;
  }

  async post(message: ChatMessage): Promise<void> {
    const body = JSON.stringify({ text: message.text, blocks: message.blocks });
    try {
      await retry(() => this.postOnce(body), {
        attempts: this.maxAttempts,
        backoff: exponentialBackoff({ baseMs: this.backoffMs }),
        retryable: (error) => error instanceof SlackUnavailable,
        delayFor: (error) => (error as SlackUnavailable).retryAfterMs,
        maxWaitMs: this.maxWaitMs,
        sleep: this.sleep,
      });
    } catch (error) {
      if (error instanceof SlackUnavailable) throw new NotifyError(`${error.message} (after ${this.maxAttempts} attempts)`);
      throw error;
    }
  }

  private async postOnce(body: string): Promise<void> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      text = await response.text();
    } catch (error) {
      throw new SlackUnavailable(`cannot reach Slack: ${errorMessage(error)}`);
    }
    if (response.ok) return;
    const answered = `Slack answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (response.status === 429) throw new SlackUnavailable(answered, retryAfterMs(response.headers.get('retry-after')));
    if (response.status >= 500) throw new SlackUnavailable(answered);
    // 4xx other than 429 (bad payload, revoked webhook) will not get better by retrying.
    throw new NotifyError(answered);
  }
}

/**
 * Prints messages instead of posting them (locally, when SLACK_WEBHOOK_URL is unset): the text
 * as Slack would show it, with terminal control characters from the data shown escaped.
 */
export class ConsoleNotifier implements Notifier {
  constructor(private readonly out: (text: string) => void = (text) => process.stdout.write(text)) {}

  async post(message: ChatMessage): Promise<void> {
    const shown = terminalSafe(slackUnescape(message.text), { keepNewlines: true });
    this.out(`[slack] ${shown.replace(/\n/g, '\n[slack] ')}\n`);
  }
}

/** The Slack notifier when a URL is set, the console otherwise. */
export function notifierFor(url: string | undefined, options: SlackOptions = {}, out?: (text: string) => void): Notifier {
  return url && url.trim() !== '' ? new SlackWebhookNotifier(url.trim(), options) : new ConsoleNotifier(out);
}
