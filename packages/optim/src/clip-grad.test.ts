import { type Tensor, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue } from './clip-grad.js';

function withGrad(grad: Tensor | null): Tensor {
  const parameter = tensor(new Float32Array(grad?.numel() ?? 1), { shape: grad?.shape ?? [1], requiresGrad: true });
  parameter.grad = grad;
  return parameter;
}

describe('clipGradNorm', () => {
  it('returns the total norm and scales by maxNorm / (norm + 1e-6) in float32, as PyTorch', () => {
    const p = withGrad(tensor([3, 4]));
    const norm = clipGradNorm([p], 1);
    expect(norm.shape).toEqual([]);
    expect(norm.dtype).toBe('float32');
    expect(norm.item()).toBe(5);
    const coefficient = Math.fround(1 / Math.fround(5 + Math.fround(1e-6)));
    expect(p.grad!.tolist()).toEqual([Math.fround(3 * coefficient), Math.fround(4 * coefficient)]);
  });

  it('accepts a single tensor and leaves gradients below maxNorm alone', () => {
    const grad = tensor([3, 4]);
    const p = withGrad(grad);
    expect(clipGradNorm(p, 10).item()).toBe(5);
    expect(grad.tolist()).toEqual([3, 4]);
  });

  it('gives a float32 zero without gradients, and a float64 norm for float64 gradients', () => {
    const none = clipGradNorm([withGrad(null)], 1);
    expect([none.dtype, none.item()]).toEqual(['float32', 0]);
    expect(clipGradNorm([withGrad(tensor([0.5], { dtype: 'float64' }))], 1).dtype).toBe('float64');
  });

  it('scales a non-contiguous gradient through its strides', () => {
    const grad = tensor([
      [0, 6],
      [8, 0],
    ]).t();
    const p = withGrad(grad);
    expect(clipGradNorm([p], 5, 1).item()).toBe(14);
    const coefficient = Math.fround(Math.fround(1 / Math.fround(14 + Math.fround(1e-6))) * 5);
    expect(p.grad!.tolist()).toEqual([
      [0, Math.fround(8 * coefficient)],
      [Math.fround(6 * coefficient), 0],
    ]);
  });

  it('bumps the version of a gradient it scales', () => {
    const grad = tensor([30, 40]);
    const version = grad.version;
    clipGradNorm([withGrad(grad)], 1);
    expect(grad.version).toBe(version + 1);
  });

  it('with errorIfNonfinite, throws on a NaN or infinite norm and changes nothing', () => {
    const grads = [tensor([1, Number.NaN]), tensor([2, 3])];
    const params = grads.map(withGrad);
    expect(() => clipGradNorm(params, 1, 2, { errorIfNonfinite: true })).toThrow(
      new RangeError(
        'clipGradNorm: the total norm of order 2 for gradients from parameters is non-finite (NaN), so it cannot be clipped; to scale the gradients by it anyway, set errorIfNonfinite: false',
      ),
    );
    expect(grads[1]!.tolist()).toEqual([2, 3]);
    expect(() => clipGradNorm([withGrad(tensor([Number.POSITIVE_INFINITY]))], 1, Number.POSITIVE_INFINITY, { errorIfNonfinite: true })).toThrow(RangeError);
  });

  it('rejects a bad maxNorm, normType or parameter', () => {
    const params = [withGrad(tensor([1]))];
    expect(() => clipGradNorm(params, -1)).toThrow(new RangeError('clipGradNorm: expected maxNorm >= 0, got -1'));
    expect(() => clipGradNorm(params, Number.NaN)).toThrow(RangeError);
    expect(() => clipGradNorm(params, '1' as never)).toThrow(new TypeError('clipGradNorm: expected maxNorm to be a number, got \'1\''));
    expect(() => clipGradNorm(params, 1, 0)).toThrow(new RangeError('clipGradNorm: expected normType > 0 (or Infinity), got 0'));
    expect(() => clipGradNorm(params, 1, -2)).toThrow(RangeError);
    expect(() => clipGradNorm([params[0]!, 5 as never], 1)).toThrow(new TypeError('clipGradNorm: parameter 1 is number, not a Tensor'));
    expect(() => clipGradNorm(7 as never, 1)).toThrow(new TypeError('clipGradNorm: expected parameters to be a Tensor or an iterable of Tensors, got number'));
  });
});

describe('clipGradValue', () => {
  it('clamps each gradient to [-clipValue, clipValue] in place', () => {
    const grad = tensor([-2, -0.25, 0.5, 3]);
    clipGradValue([withGrad(grad), withGrad(null)], 0.5);
    expect(grad.tolist()).toEqual([-0.5, -0.25, 0.5, 0.5]);
  });

  it('clamps a non-contiguous gradient', () => {
    const grad = tensor([
      [1, -3],
      [0.25, 2],
    ]).t();
    clipGradValue(withGrad(grad), 1);
    expect(grad.tolist()).toEqual([
      [1, 0.25],
      [-1, 1],
    ]);
  });

  it('rejects a negative or non-number clipValue', () => {
    const params = [withGrad(tensor([1]))];
    expect(() => clipGradValue(params, -1)).toThrow(new RangeError('clipGradValue: expected clipValue >= 0, got -1'));
    expect(() => clipGradValue(params, null as never)).toThrow(new TypeError('clipGradValue: expected clipValue to be a number, got null'));
    expect(() => clipGradValue([3 as never], 1)).toThrow(TypeError);
  });
});
