import { ctrSourceSpan, curatedSourceSpan, eventDateWindow, rawPartitionsToRegister, workflowReadSpan } from '../../../shared/daily/window';

describe('the daily workflow window', () => {
  it('reads every partition a run needs inside workflowReadSpan, and nothing the span leaves out', () => {
    const target = '2024-05-10';
    const span = workflowReadSpan(target, 3, 28);
    expect(span).toEqual({ from: '2024-04-11', to: '2024-05-14' });
    const raw = rawPartitionsToRegister(target, 3);
    const events = eventDateWindow(target, 3).flatMap((c) => [ctrSourceSpan(c, 3).from, ctrSourceSpan(c, 3).to]);
    const curated = eventDateWindow(target, 3).flatMap((d) => [curatedSourceSpan(d, 3).from, curatedSourceSpan(d, 3).to]);
    for (const dt of [...raw, ...events, ...curated, '2024-04-12' /* target − 28: detector baseline */]) {
      expect(dt >= span.from && dt <= span.to).toBe(true);
    }
  });

  it('widens with a long lookback when the curated history needs more than the baseline', () => {
    expect(workflowReadSpan('2024-05-10', 20, 28)).toEqual({ from: '2024-03-29', to: '2024-05-31' });
  });
});
