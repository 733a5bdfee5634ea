import { cohortDateWindow, cohortSpans, curatedSourceSpan, eventDateWindow, rawPartitionsToRegister, sameDayPartitions, workflowReadSpan } from '../../../shared/daily/window';

describe('the daily workflow window', () => {
  it('reads every partition a run needs inside workflowReadSpan, and nothing the span leaves out', () => {
    const target = '2024-05-10';
    const span = workflowReadSpan(target, 3, 28, 7);
    // Oldest cohort 04-30 reads from 04-30 − (2·3 + 7 + 3) = 04-14; the baseline reaches 04-11;
    // the newest cohort's conversions run to 05-10 + 3 + 7 + 1.
    expect(span).toEqual({ from: '2024-04-11', to: '2024-05-21' });
    const raw = rawPartitionsToRegister(target, 3);
    const cohorts = cohortDateWindow(target, 3, 7).flatMap((c) => [cohortSpans(c, 3, 7).read.from, cohortSpans(c, 3, 7).read.to]);
    const curated = eventDateWindow(target, 3).flatMap((d) => [curatedSourceSpan(d, 3).from, curatedSourceSpan(d, 3).to]);
    for (const dt of [...raw, ...cohorts, ...curated, '2024-04-12' /* target − 28: detector baseline */]) {
      expect(dt >= span.from && dt <= span.to).toBe(true);
    }
  });

  it("registers today's and tomorrow's arrival partitions too, once each, in order", () => {
    // The scheduled run (target yesterday) already reaches them: nothing is added twice.
    expect(rawPartitionsToRegister('2024-05-09', 3, '2024-05-10')).toEqual(rawPartitionsToRegister('2024-05-09', 3));
    // A backfill of an old date, or lookback 0: the two same-day partitions join the window's.
    expect(rawPartitionsToRegister('2024-05-01', 1, '2024-05-10')).toEqual(['2024-04-29', '2024-04-30', '2024-05-01', '2024-05-02', '2024-05-03', '2024-05-10', '2024-05-11']);
    expect(rawPartitionsToRegister('2024-05-09', 0, '2024-05-10')).toEqual(['2024-05-08', '2024-05-09', '2024-05-10', '2024-05-11']);
    expect(sameDayPartitions('2024-12-31')).toEqual(['2024-12-31', '2025-01-01']);
  });

  it('rebuilds cohorts as far back as a conversion on the target date can credit a tap', () => {
    expect(cohortDateWindow('2024-05-10', 3, 7)).toEqual(['2024-04-30', '2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04', '2024-05-05', '2024-05-06', '2024-05-07', '2024-05-08', '2024-05-09', '2024-05-10']);
    expect(cohortDateWindow('2024-05-10', 3, 0)).toEqual(eventDateWindow('2024-05-10', 3));
  });

  it('counts statuses and taps over the lookback only, and reads conversions and rival taps around it', () => {
    expect(cohortSpans('2024-05-10', 3, 7)).toEqual({
      counted: { from: '2024-05-06', to: '2024-05-13' },
      conversions: { from: '2024-05-06', to: '2024-05-21' },
      read: { from: '2024-04-24', to: '2024-05-21' },
    });
  });

  it('keeps the span it always had without attribution', () => {
    expect(workflowReadSpan('2024-05-10', 3, 28, 0)).toEqual({ from: '2024-04-11', to: '2024-05-14' });
  });

  it('widens with a long lookback when the curated history needs more than the baseline', () => {
    expect(workflowReadSpan('2024-05-10', 20, 28, 7)).toEqual({ from: '2024-02-23', to: '2024-06-07' });
  });

  it('refuses an attribution window that is not whole days from 0 to 90', () => {
    expect(() => cohortDateWindow('2024-05-10', 3, 91)).toThrow('attribution window must be a whole number of days from 0 to 90 (got 91)');
    expect(() => cohortSpans('2024-05-10', 3, 1.5)).toThrow('attribution window');
  });
});
