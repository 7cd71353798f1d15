import { describe, expect, it } from 'vitest';
import { packageCopyKey, thisPackageCopy } from './package-copy.js';
import { Tensor, tensor } from './index.js';

/** A tensor as another copy of the package would make it: its own class, branded with that copy. */
function tensorOfAnotherCopy(copy: { version: string; format: string }): object {
  class OtherTensor {}
  Object.defineProperty(OtherTensor.prototype, packageCopyKey, { value: copy });
  return new OtherTensor();
}

describe('tensors of another copy of @strata/tensor', () => {
  it('are rejected with the cause (two copies, their versions and formats) and the fix', () => {
    const foreign = tensorOfAnotherCopy({ version: '0.1.0', format: 'CommonJS' });
    expect(() => foreign instanceof Tensor).toThrow(TypeError);
    expect(() => foreign instanceof Tensor).toThrow(
      `made by another copy of @strata/tensor (0.1.0, CommonJS) than the one reading it (${thisPackageCopy.version}, ${thisPackageCopy.format})`,
    );
    expect(() => foreign instanceof Tensor).toThrow(/all import or all require.*npm ls @strata\/tensor.*npm dedupe/);
  });

  it('leave instanceof unchanged for this copy, subclasses and other values', () => {
    class Subclass extends Tensor {}
    const own = tensor([1, 2]);
    expect(own instanceof Tensor).toBe(true);
    expect(own instanceof Subclass).toBe(false);
    expect(new Subclass(own.storage, [2]) instanceof Tensor).toBe(true);
    expect(new Subclass(own.storage, [2]) instanceof Subclass).toBe(true);
    for (const value of [null, undefined, 3, 'tensor', {}, [own], new Float32Array(2)]) expect(value instanceof Tensor).toBe(false);
  });
});
