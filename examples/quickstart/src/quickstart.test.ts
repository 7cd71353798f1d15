import { describe, expect, it } from 'vitest';
import { runQuickstart } from './quickstart.js';

describe('quickstart', () => {
  it('learns the weight: the loss falls by 100x and the weight lands near the true one', () => {
    const { losses, weight } = runQuickstart(50, () => {});
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! / 100);
    const learned = Array.from(weight.toTypedArray());
    [2, -3, 0.5].forEach((expected, i) => expect(learned[i]!).toBeCloseTo(expected, 1));
  });
});
