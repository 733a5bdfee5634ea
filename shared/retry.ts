import { setTimeout as wait } from 'node:timers/promises';

/**
 * The project's one retry loop: attempts, a backoff with jitter, a delay the failure itself may
 * ask for (Slack's Retry-After), a predicate for what is worth another attempt, a deadline and an
 * abort signal. Polling (`pollUntil`) is the same loop with "not finished yet" as the failure.
 *
 * Hand-written rather than a library, after checking p-retry, cockatiel, exponential-backoff and
 * @lifeomic/attempt: none lets the caller inject the sleep, which is what keeps the tests fast and
 * exact (they assert the waits, or run on a virtual clock that the sleep advances); p-retry and
 * exponential-backoff take no delay from the failure (p-retry's `retryDelay` only reports one),
 * and p-retry jitters as 1–2× rather than AWS's "full jitter" and stops on any TypeError; the
 * current p-retry and cockatiel are ESM only and need Node 22, and this project runs CommonJS on
 * Node 20.
 * What is retryable stays with the caller: AWS failures are classified in
 * shared/adapters/aws/errors.ts, by the SDK's own classification.
 */

/** Waits `ms`; rejects when `signal` is aborted first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The wait before retry `retry` (1 before the second attempt), given a uniform source in [0, 1). */
type Backoff = (retry: number, random: () => number) => number;

/** setTimeout as a promise, cancelled by the signal. */
export const sleep: Sleep = (ms, signal) => wait(ms, undefined, { signal });

interface ExponentialBackoffOptions {
  /** The wait before the first retry, before jitter. */
  readonly baseMs: number;
  /** Growth per retry (default 2). */
  readonly factor?: number;
  /** Cap on the wait before jitter (default none). */
  readonly maxMs?: number;
  /**
   * `none` waits exactly base·factor^(n−1) (capped); `full` a uniform time below it (AWS's "full
   * jitter", which spreads contending clients best); `added` it plus a uniform time below it.
   */
  readonly jitter?: 'none' | 'full' | 'added';
}

/** Exponential backoff, whole milliseconds. */
export function exponentialBackoff(options: ExponentialBackoffOptions): Backoff {
  const { baseMs, factor = 2, maxMs = Infinity, jitter = 'none' } = options;
  return (retry, random) => {
    const cap = Math.min(maxMs, baseMs * factor ** (retry - 1));
    if (jitter === 'full') return Math.floor(random() * cap);
    if (jitter === 'added') return Math.floor(cap + random() * cap);
    return cap;
  };
}

/** A wait that grows by `stepMs` each retry (Firehose's own wait between transform invocations). */
export function linearBackoff(stepMs: number): Backoff {
  return (retry) => stepMs * retry;
}

interface RetryOptions {
  /** Attempts in total, the first included; Infinity to go on until the deadline or the signal. */
  readonly attempts: number;
  readonly backoff: Backoff;
  /** Whether a failure is worth another attempt (default: every failure). */
  readonly retryable?: (error: unknown) => boolean;
  /** A wait the failure asks for itself (a 429's Retry-After), in place of the backoff's. */
  readonly delayFor?: (error: unknown) => number | undefined;
  /** Upper bound on any one wait, one the failure asked for included. */
  readonly maxWaitMs?: number;
  /** No attempt starts after this instant (on `now`); the last wait is cut short to end at it. */
  readonly deadline?: number;
  /** Aborting stops the waiting: the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly sleep?: Sleep;
  /** Uniform source in [0, 1) for the jitter (default Math.random). */
  readonly random?: () => number;
  /** The clock the deadline is on (default Date.now). */
  readonly now?: () => number;
}

/**
 * Calls `fn` (with the attempt number, from 1) until it resolves, a failure is not retryable, the
 * attempts are used up, the deadline has passed or the signal is aborted; then rejects with the
 * last failure as `fn` threw it (or the signal's reason), so the caller decides what it means.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal, now = Date.now, random = Math.random } = options;
  const pause = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !(options.retryable?.(error) ?? true)) throw error;
      let ms = options.delayFor?.(error) ?? options.backoff(attempt, random);
      ms = Math.min(ms, options.maxWaitMs ?? Infinity);
      if (options.deadline !== undefined) {
        const left = options.deadline - now();
        if (left <= 0) throw error;
        ms = Math.min(ms, left);
      }
      signal?.throwIfAborted();
      if (ms > 0) {
        try {
          await pause(ms, signal);
        } catch (cause) {
          if (signal?.aborted) throw signal.reason;
          throw cause;
        }
      }
    }
  }
}

// What pollUntil throws to itself while the thing polled is not finished.
class NotYet<T> extends Error {
  constructor(readonly value: T) {
    super('not finished yet');
  }
}

interface PollOptions {
  /** Wait between two reads. */
  readonly intervalMs: number;
  /** Stop reading at this instant (on `now`); none: until `done`. */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

/**
 * Reads until `done` holds of what was read or the deadline has come; resolves with the last
 * read either way (the caller tells a finished one from a timed-out one with `done`). A read that
 * throws ends the polling with its error.
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, options: PollOptions): Promise<T> {
  try {
    return await retry(
      async () => {
        const value = await read();
        if (!done(value)) throw new NotYet(value);
        return value;
      },
      { ...options, attempts: Infinity, backoff: () => options.intervalMs, retryable: (error) => error instanceof NotYet },
    );
  } catch (error) {
    if (error instanceof NotYet) return error.value as T;
    throw error;
  }
}
