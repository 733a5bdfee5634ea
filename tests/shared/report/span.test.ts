import { detectorConfig } from '../../../shared/anomaly/config';
import { workflowReadSpan } from '../../../shared/daily/window';
import { InputError } from '../../../shared/errors';
import { publishedReportKey } from '../../../shared/report/published';
import { defaultReportDays, spanEnding, spanOfFlags, wholeLake } from '../../../shared/report/span';

describe('the span of dates a dashboard reads', () => {
  it('covers the 28 days ending on the date, both ends included', () => {
    expect(defaultReportDays).toBe(28);
    expect(spanEnding('2024-05-03')).toEqual({ from: '2024-04-06', to: '2024-05-03' });
    expect(spanEnding('2024-03-01', 1)).toEqual({ from: '2024-03-01', to: '2024-03-01' });
    // Across a leap day: 2024-02-29 is one of the 28.
    expect(spanEnding('2024-03-10')).toEqual({ from: '2024-02-12', to: '2024-03-10' });
    expect(() => spanEnding('2024-05-03', 0)).toThrow(InputError);
  });

  it('lies inside what a local daily run exposes, for any lookback and attribution window (the published page sees every partition it reads)', () => {
    for (const lookback of [0, 1, 3, 10]) {
      for (const attribution of [0, 7, 30]) {
        const read = workflowReadSpan('2024-05-03', lookback, detectorConfig.windowDays, attribution);
        const span = spanEnding('2024-05-03');
        expect(`${lookback}/${attribution}: ${read.from <= span.from && span.to <= read.to}`).toBe(`${lookback}/${attribution}: true`);
      }
    }
  });

  it('takes --from/--to as given, --from alone up to today, and the fallback when --from is absent', () => {
    const fallback = (to?: string) => spanEnding(to ?? '2024-05-10');
    expect(spanOfFlags({ from: '2024-05-01', to: '2024-05-02' }, '2024-05-10', fallback)).toEqual({ from: '2024-05-01', to: '2024-05-02' });
    expect(spanOfFlags({ from: '2024-05-01' }, '2024-05-10', fallback)).toEqual({ from: '2024-05-01', to: '2024-05-10' });
    expect(spanOfFlags({ to: '2024-05-02' }, '2024-05-10', fallback)).toEqual({ from: '2024-04-05', to: '2024-05-02' });
    expect(spanOfFlags({}, '2024-05-10', fallback)).toEqual({ from: '2024-04-13', to: '2024-05-10' });
    expect(spanOfFlags({ to: '2024-05-02' }, '2024-05-10', (to) => ({ from: wholeLake.from, to: to! }))).toEqual({ from: '2000-01-01', to: '2024-05-02' });
  });

  it('refuses a backwards span and a date that is not one, naming the flag', () => {
    const fallback = () => wholeLake;
    expect(() => spanOfFlags({ from: '2024-05-03', to: '2024-05-01' }, '2024-05-10', fallback)).toThrow(new InputError('--from 2024-05-03 is after --to 2024-05-01'));
    expect(() => spanOfFlags({ from: '2024-05-11' }, '2024-05-10', fallback)).toThrow(new InputError('--from 2024-05-11 is after today (2024-05-10)'));
    expect(() => spanOfFlags({ to: '05/01/2024' }, '2024-05-10', fallback)).toThrow(new InputError('--to must be a date YYYY-MM-DD (got "05/01/2024")'));
  });
});

describe('the key of a published dashboard', () => {
  it('is reports/dt=<date>/index.html, for a real date only', () => {
    expect(publishedReportKey('2024-05-03')).toBe('reports/dt=2024-05-03/index.html');
    expect(() => publishedReportKey('2024-02-30')).toThrow(InputError);
    expect(() => publishedReportKey('../x')).toThrow(InputError);
  });
});
