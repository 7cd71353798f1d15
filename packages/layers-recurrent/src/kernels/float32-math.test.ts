import { describe, expect, it } from 'vitest';
import { expForFloat32, tanhForFloat32 } from './float32-math.js';

/** Points spread over ±10^−6 … ±10^3, both signs, from a fixed linear congruential sequence. */
function samplePoints(count: number): number[] {
  const points: number[] = [];
  let state = 12345;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const magnitude = 10 ** ((state / 2 ** 31) * 9 - 6);
    points.push(i % 2 === 0 ? magnitude : -magnitude);
  }
  return points;
}

const relative = (value: number, reference: number): number => (reference === 0 ? Math.abs(value) : Math.abs(value - reference) / Math.abs(reference));

describe('expForFloat32 and tanhForFloat32 against Math.exp and Math.tanh', () => {
  const points = [...samplePoints(20000), 0.125, -0.125, 0.1249999, 88.7, -87.3, 700, -700];

  it('exp is within 1e-10 relative wherever the result is a normal double', () => {
    let worst = 0;
    for (const x of points) if (Math.abs(x) <= 700) worst = Math.max(worst, relative(expForFloat32(x), Math.exp(x)));
    expect(worst).toBeLessThan(1e-10);
  });

  it('tanh is within 5e-10 relative everywhere', () => {
    let worst = 0;
    for (const x of points) worst = Math.max(worst, relative(tanhForFloat32(x), Math.tanh(x)));
    expect(worst).toBeLessThan(5e-10);
  });

  it('keeps the special values: NaN, ±0, ±Infinity and overflowing arguments', () => {
    expect(expForFloat32(Number.NaN)).toBeNaN();
    expect(tanhForFloat32(Number.NaN)).toBeNaN();
    expect(Object.is(tanhForFloat32(-0), -0)).toBe(true);
    expect(expForFloat32(0)).toBe(1);
    expect(Math.fround(expForFloat32(Infinity))).toBe(Infinity);
    expect(Math.fround(expForFloat32(-Infinity))).toBe(0);
    expect(tanhForFloat32(Infinity)).toBe(1);
    expect(tanhForFloat32(-Infinity)).toBe(-1);
    expect(tanhForFloat32(1e6)).toBe(1);
    expect(1 / (1 + expForFloat32(-1e6))).toBe(1);
    expect(Math.fround(1 / (1 + expForFloat32(1e6)))).toBe(0);
  });
});
