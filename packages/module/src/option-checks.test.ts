import { describe, expect, it } from 'vitest';
import { checkOptionNames, describeOption } from './option-checks.js';

describe('describeOption', () => {
  it('quotes strings, lists arrays element by element, writes numbers and null as they are, names other values by typeof', () => {
    expect(describeOption([3, 0])).toBe('[3, 0]');
    expect(describeOption('full')).toBe("'full'");
    expect(describeOption(2.5)).toBe('2.5');
    expect(describeOption(null)).toBe('null');
    expect(describeOption(undefined)).toBe('undefined');
    expect(describeOption({ a: 1 })).toBe('object');
  });
});

describe('checkOptionNames', () => {
  const known = ['paddingIdx', 'maxNorm'];

  it('accepts known names', () => {
    expect(() => checkOptionNames('Embedding', { paddingIdx: 0 }, known)).not.toThrow();
  });

  it('names the unknown options and the known ones', () => {
    expect(() => checkOptionNames('Embedding', { padding_idx: 0, max_norm: 1 }, known)).toThrow(
      new RangeError("Embedding: unknown option 'padding_idx', 'max_norm' (expected paddingIdx, maxNorm)"),
    );
  });

  it('rejects something that is not an options object', () => {
    expect(() => checkOptionNames('Embedding', 3 as unknown as object, known)).toThrow(
      new TypeError('Embedding: expected an options object, got number'),
    );
  });
});
