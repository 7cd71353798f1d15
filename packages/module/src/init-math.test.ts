import { describe, expect, it } from 'vitest';
import { erf, erfinv, normalCdf, orthonormalColumns } from './init-math.js';

describe('erf and erfinv', () => {
  it('erf matches Python math.erf on both sides of the series/continued-fraction switch', () => {
    // Python 3: [math.erf(x) for x in points]
    const points = [0.1, 0.5, 1, 2, 2.9, 3.1, 4, 5.5, -1.5];
    const reference = [
      0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999589021219005, 0.9999883513426328,
      0.9999999845827421, 0.9999999999999927, -0.9661051464753108,
    ];
    points.forEach((x, i) => expect(Math.abs(erf(x) - reference[i]!)).toBeLessThan(2e-15));
    expect(erf(0)).toBe(0);
    expect(erf(7)).toBe(1);
    expect(erf(Number.NaN)).toBeNaN();
    expect(normalCdf(0)).toBe(0.5);
  });

  it('erfinv matches torch.erfinv in float64', () => {
    // PyTorch 1.13: torch.erfinv(torch.tensor(points, dtype=torch.float64))
    const points = [0.0001, 0.3, 0.9, 0.999, 0.999999, -0.6];
    const reference = [8.862269277728947e-5, 0.2724627147267544, 1.1630871536766743, 2.3267537655135153, 3.458910737283175, -0.5951160814499948];
    // Near ±1 erf is flat, so double precision in y bounds the accuracy of x to about 1e-11.
    points.forEach((y, i) => expect(Math.abs(erfinv(y) - reference[i]!) / Math.abs(reference[i]!)).toBeLessThan(1e-11));
    expect(erfinv(1)).toBe(Number.POSITIVE_INFINITY);
    expect(erfinv(-1)).toBe(Number.NEGATIVE_INFINITY);
    expect(erfinv(1.5)).toBeNaN();
  });
});

describe('orthonormalColumns', () => {
  it('returns the Q of A = QR with a positive diagonal R', () => {
    // A = [[3, 1], [4, 2], [0, 2]]: q1 = a1/5 = [0.6, 0.8, 0]; a2 - (a2·q1) q1 = [1, 2, 2] - 2.2·q1 = [-0.32, 0.24, 2], norm √4.16.
    const q = orthonormalColumns(Float64Array.from([3, 1, 4, 2, 0, 2]), 3, 2);
    const norm = Math.sqrt(4.16);
    const expected = [0.6, -0.32 / norm, 0.8, 0.24 / norm, 0, 2 / norm];
    expected.forEach((value, i) => expect(q[i]).toBeCloseTo(value, 14));
  });
});
