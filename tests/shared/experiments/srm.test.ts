import { InputError } from '../../../shared/errors';
import { parseDeclaredSplit, sampleRatioPValue } from '../../../shared/experiments/srm';

const counts = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));

function within(actual: number | null, expected: number, rel: number): void {
  if (actual === null || !(Math.abs(actual - expected) <= rel * Math.abs(expected))) throw new Error(`${actual} is not within ${rel} (relative) of ${expected}`);
}

describe('sampleRatioPValue', () => {
  // References: scipy 1.17.1 `stats.chisquare(observed, expected).pvalue`.
  it('tests against an equal split when none is declared: 2080/1920 → p 0.011412', () => {
    within(sampleRatioPValue(counts({ control: 2080, b: 1920 }), null), 0.01141203638600166, 1e-12);
    within(sampleRatioPValue(counts({ control: 5100, b: 4900, c: 5000 }), null), 0.1353352832366127, 1e-12);
  });

  it('tests against the declared split, whatever its scale: 6100/3900 against 60/40 → p 0.041227', () => {
    within(sampleRatioPValue(counts({ control: 6100, b: 3900 }), parseDeclaredSplit('{"control":60,"b":40}')), 0.041226833337163815, 1e-12);
    expect(sampleRatioPValue(counts({ control: 6000, b: 4000 }), parseDeclaredSplit({ control: 0.6, b: 0.4 }))).toBe(1);
  });

  it('counts a declared variant never seen as 0 exposures: 100/100/0 against thirds → p 1.92875e-22', () => {
    within(sampleRatioPValue(counts({ control: 100, b: 100 }), parseDeclaredSplit('{"control":1,"b":1,"c":1}')), 1.9287498479639183e-22, 1e-9);
    // A one-arm experiment declared as two can still be a mismatch.
    expect(sampleRatioPValue(counts({ control: 1000 }), parseDeclaredSplit('{"control":1,"b":1}'))).toBeLessThan(1e-100);
  });

  it('calls exposures of a variant the split gives no share a mismatch', () => {
    expect(sampleRatioPValue(counts({ control: 500, b: 500, rogue: 1 }), parseDeclaredSplit('{"control":1,"b":1}'))).toBe(0);
    // A zero share with zero exposures is no evidence either way.
    expect(sampleRatioPValue(counts({ control: 500, b: 500 }), parseDeclaredSplit('{"control":1,"b":1,"off":0}'))).toBe(1);
  });

  it('is undefined with fewer than two variants or nothing exposed', () => {
    expect(sampleRatioPValue(counts({ control: 1000 }), null)).toBeNull();
    expect(sampleRatioPValue(counts({ control: 0, b: 0 }), null)).toBeNull();
  });
});

describe('parseDeclaredSplit', () => {
  it('normalizes the shares', () => {
    expect([...parseDeclaredSplit('{"control":50,"b":30,"c":20}')]).toEqual([
      ['control', 0.5],
      ['b', 0.3],
      ['c', 0.2],
    ]);
  });

  it.each([
    ['not json', 'declared_split is not valid JSON'],
    ['[0.5,0.5]', 'declared_split must be a JSON object variant -> share'],
    ['{"control":-1,"b":2}', 'declared_split share of "control" must be a finite number ≥ 0'],
    ['{"control":"half"}', 'declared_split share of "control" must be a finite number ≥ 0'],
    ['{"control":0,"b":0}', 'declared_split must give some variant a positive share'],
    ['{}', 'declared_split must give some variant a positive share'],
    ['{"":1}', 'declared_split has an empty variant name'],
  ])('rejects %s', (text, message) => {
    expect(() => parseDeclaredSplit(text)).toThrow(InputError);
    expect(() => parseDeclaredSplit(text)).toThrow(message);
  });
});
