import { adjustBenjaminiHochberg } from '../../../shared/anomaly/multiple-testing';

const adjust = (ps: number[]): number[] => adjustBenjaminiHochberg(ps.map(Math.log)).map(Math.exp);

describe('adjustBenjaminiHochberg', () => {
  it('scales each p-value by m / rank and keeps the adjusted values monotone', () => {
    // sorted: 0.005 (rank 1) → 0.02, 0.01 (2) → 0.02, 0.03 (3) → 0.04, 0.04 (4) → 0.04
    const adjusted = adjust([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((v, i) => expect(adjusted[i]).toBeCloseTo(v, 12));
  });

  it('caps at 1 and leaves a single test unchanged', () => {
    expect(adjust([0.6, 0.9])).toEqual([0.9, 0.9].map((v) => expect.closeTo(v, 12)));
    expect(adjust([0.003])[0]).toBeCloseTo(0.003, 12);
    expect(adjust([1, 1])).toEqual([1, 1]);
  });

  it('turns a p-value that passes alone into one that does not among many null tests', () => {
    const alone = adjust([0.004]);
    const crowded = adjust([0.004, ...Array.from({ length: 9 }, () => 0.5)]);
    expect(alone[0]).toBeLessThanOrEqual(0.01);
    expect(crowded[0]).toBeCloseTo(0.04, 12);
  });

  it('handles no tests', () => {
    expect(adjustBenjaminiHochberg([])).toEqual([]);
  });
});
