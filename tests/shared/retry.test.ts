import { exponentialBackoff, linearBackoff, pollUntil, retry, sleep } from '../../shared/retry';

/** An injected sleep that records the waits and advances a virtual clock: nothing really waits. */
function virtualTime(start = 0) {
  const clock = { now: start, waits: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.now += ms;
    },
  };
}

/** A function that fails with the given errors in turn, then resolves with `value`. */
function failing<T>(errors: unknown[], value: T) {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(attempt);
    if (calls.length <= errors.length) throw errors[calls.length - 1];
    return value;
  };
  return { fn, calls };
}

describe('backoffs', () => {
  it('doubles an exponential wait up to its cap', () => {
    const b = exponentialBackoff({ baseMs: 100, maxMs: 500 });
    expect([1, 2, 3, 4, 5].map((n) => b(n, () => 0.5))).toEqual([100, 200, 400, 500, 500]);
  });

  it('draws full jitter below the capped wait and added jitter above it, in whole milliseconds', () => {
    const full = exponentialBackoff({ baseMs: 200, maxMs: 5000, jitter: 'full' });
    expect([1, 2, 3].map((n) => full(n, () => 0.5))).toEqual([100, 200, 400]);
    expect(full(10, () => 0.999)).toBe(4995);
    expect(full(1, () => 0)).toBe(0);
    const added = exponentialBackoff({ baseMs: 5, maxMs: 200, jitter: 'added' });
    expect([1, 2, 7].map((n) => added(n, () => 0.5))).toEqual([7, 15, 300]);
  });

  it('grows a linear wait by one step per retry', () => {
    expect([1, 2, 3].map((n) => linearBackoff(200)(n, Math.random))).toEqual([200, 400, 600]);
  });
});

describe('retry', () => {
  it('tries again after each backoff until the call succeeds, passing the attempt number', async () => {
    const t = virtualTime();
    const { fn, calls } = failing([new Error('a'), new Error('b')], 'done');
    await expect(retry(fn, { attempts: 5, backoff: exponentialBackoff({ baseMs: 10 }), sleep: t.sleep })).resolves.toBe('done');
    expect(calls).toEqual([1, 2, 3]);
    expect(t.clock.waits).toEqual([10, 20]);
  });

  it('rejects with the last failure, as thrown, once the attempts are used up, without a wait after the last', async () => {
    const t = virtualTime();
    const last = new Error('third');
    const { fn, calls } = failing([new Error('first'), new Error('second'), last], 'never');
    await expect(retry(fn, { attempts: 3, backoff: linearBackoff(7), sleep: t.sleep })).rejects.toBe(last);
    expect(calls).toEqual([1, 2, 3]);
    expect(t.clock.waits).toEqual([7, 14]);
  });

  it('stops at once on a failure the predicate does not call retryable', async () => {
    const t = virtualTime();
    const permanent = new RangeError('no');
    const { fn, calls } = failing([new Error('transient'), permanent], 'never');
    await expect(retry(fn, { attempts: 10, backoff: linearBackoff(1), retryable: (e) => !(e instanceof RangeError), sleep: t.sleep })).rejects.toBe(permanent);
    expect(calls).toEqual([1, 2]);
  });

  it('waits what the failure asks for instead of the backoff, capped by the longest wait', async () => {
    const t = virtualTime();
    const asking = (ms: number) => Object.assign(new Error('slow down'), { waitMs: ms });
    const { fn } = failing([asking(3000), new Error('plain'), asking(90_000)], 'ok');
    const options = { attempts: 4, backoff: exponentialBackoff({ baseMs: 100 }), delayFor: (e: unknown) => (e as { waitMs?: number }).waitMs, maxWaitMs: 30_000, sleep: t.sleep };
    await expect(retry(fn, options)).resolves.toBe('ok');
    expect(t.clock.waits).toEqual([3000, 200, 30_000]);
  });

  it('makes no attempt past the deadline and cuts the last wait short to end at it', async () => {
    const t = virtualTime(1_000);
    const { fn, calls } = failing(Array.from({ length: 10 }, () => new Error('locked')), 'never');
    const error = await retry(fn, { attempts: Infinity, backoff: linearBackoff(400), deadline: 2_000, sleep: t.sleep, now: t.now }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('locked');
    // Attempts at 1000, 1400 and 2000: the second wait (800 ms) is cut to the 600 ms left.
    expect(t.clock.waits).toEqual([400, 600]);
    expect(calls).toEqual([1, 2, 3]);
    expect(t.clock.now).toBe(2_000);
  });

  it('stops waiting when the signal is aborted, rejecting with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const calls: number[] = [];
    const run = retry(
      async (attempt) => {
        calls.push(attempt);
        if (attempt === 1) setImmediate(() => controller.abort(reason));
        throw new Error('busy');
      },
      // A real (cancellable) wait of a minute: the abort must end it long before.
      { attempts: 5, backoff: () => 60_000, signal: controller.signal },
    );
    await expect(run).rejects.toBe(reason);
    expect(calls).toEqual([1]);
  });

  it('does not call the function when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    const fn = jest.fn(async () => 'x');
    await expect(retry(fn, { attempts: 3, backoff: linearBackoff(1), signal: controller.signal })).rejects.toThrow('too late');
    expect(fn).not.toHaveBeenCalled();
  });

  it('draws jitter from the injected source', async () => {
    const t = virtualTime();
    const draws = [0.25, 0.75];
    const { fn } = failing([new Error('1'), new Error('2')], 'ok');
    await retry(fn, { attempts: 3, backoff: exponentialBackoff({ baseMs: 1000, jitter: 'full' }), sleep: t.sleep, random: () => draws.shift()! });
    expect(t.clock.waits).toEqual([250, 1500]);
  });
});

describe('pollUntil', () => {
  it('reads at the interval until the value is done and resolves with it', async () => {
    const t = virtualTime();
    const states = ['QUEUED', 'RUNNING', 'SUCCEEDED'];
    const value = await pollUntil(async () => states.shift()!, (s) => s === 'SUCCEEDED', { intervalMs: 500, sleep: t.sleep, now: t.now });
    expect(value).toBe('SUCCEEDED');
    expect(t.clock.waits).toEqual([500, 500]);
  });

  it('resolves with the last read when the deadline comes first, having read at the deadline itself', async () => {
    const t = virtualTime();
    const reads: number[] = [];
    const value = await pollUntil(
      async () => {
        reads.push(t.clock.now);
        return 'RUNNING';
      },
      (s) => s === 'SUCCEEDED',
      { intervalMs: 5_000, deadline: 12_000, sleep: t.sleep, now: t.now },
    );
    expect(value).toBe('RUNNING');
    expect(reads).toEqual([0, 5_000, 10_000, 12_000]);
  });

  it('ends with the error of a read that throws', async () => {
    const broken = new Error('AccessDenied');
    await expect(pollUntil(async () => Promise.reject(broken), () => true, { intervalMs: 1 })).rejects.toBe(broken);
  });
});

describe('sleep', () => {
  it('rejects when its signal is aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
