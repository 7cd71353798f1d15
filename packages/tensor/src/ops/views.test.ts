import { describe, expect, it } from 'vitest';
import { arange, tensor, ShapeError } from '../index.js';

describe('views', () => {
  it('reshape, transpose and slice share storage and read the right elements', () => {
    const a = arange(24).reshape(2, 3, 4);
    expect(a.shape).toEqual([2, 3, 4]);
    const b = a.transpose(0, 2);
    expect(b.storage).toBe(a.storage);
    expect(b.shape).toEqual([4, 3, 2]);
    expect(b.contiguous().reshape(-1).tolist().slice(0, 4)).toEqual([0, 12, 4, 16]);
    expect(a.slice(2, 1, 4, 2).tolist()).toEqual([[[1, 3], [5, 7], [9, 11]], [[13, 15], [17, 19], [21, 23]]]);
    expect(() => b.view(24)).toThrow(ShapeError);
    expect(b.reshape(24).tolist()).toEqual(b.contiguous().view(24).tolist());
    expect(tensor([[1, 2], [3, 4]]).T.tolist()).toEqual([[1, 3], [2, 4]]);
  });
});
