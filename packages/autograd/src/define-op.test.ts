import { describe, expect, it } from 'vitest';
import { type Tensor, isGradEnabled, maxWithIndices, randn, scatter, tensor, zeros } from '@strata/tensor';

import { type OpContext, defineOp, grad, gradcheck, gradgradcheck, noGrad } from './index.js';

/** y = x · scale + bias, with an optional bias and an options object. */
const scaleShift = defineOp({
  name: 'scaleShift',
  forward(ctx: OpContext<{ scale: number }>, x: Tensor, bias: Tensor | null, options: { scale: number }) {
    ctx.state.scale = options.scale;
    const scaled = x.mul(options.scale);
    return bias === null ? scaled : scaled.add(bias);
  },
  backward(ctx, gradOutput) {
    const gradX = ctx.needsInputGrad[0] ? gradOutput.mul(ctx.state.scale) : null;
    const gradBias = ctx.needsInputGrad[1] ? gradOutput.sum(0) : null;
    return [gradX, gradBias];
  },
});

/** x³ with a backward written in tensor ops (so it can be differentiated again). */
const cube = defineOp({
  name: 'cube',
  forward(ctx, x: Tensor) {
    ctx.saveForBackward(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, gradOutput) {
    const [x] = ctx.savedTensors;
    return [gradOutput.mul(x!.mul(x!).mul(3))];
  },
});

/** The maximum along a dim and its (non-differentiable) indices. */
const maxAlong = defineOp({
  name: 'maxAlong',
  forward(ctx: OpContext<{ dim: number; shape: readonly number[]; indices: Tensor }>, x: Tensor, dim: number) {
    const { values, indices } = maxWithIndices(x, dim, true);
    ctx.markNonDifferentiable(indices);
    Object.assign(ctx.state, { dim, shape: x.shape, indices });
    return [values, indices] as const;
  },
  backward(ctx, [gradValues]) {
    const { dim, shape, indices } = ctx.state;
    return [scatter(zeros(shape, { dtype: gradValues.dtype }), dim, indices, gradValues)];
  },
});

function float64(values: number[], requiresGrad = true): Tensor {
  return tensor(values, { dtype: 'float64', requiresGrad });
}

describe('defineOp', () => {
  it('computes forward and records one node named after the op', () => {
    const x = float64([1, 2, 3]);
    const y = scaleShift(x, float64([10, 20, 30], false), { scale: 2 });
    expect(y.tolist()).toEqual([12, 24, 36]);
    expect(y.gradFn!.name).toBe('scaleShift');
    expect(scaleShift.name).toBe('scaleShift');
  });

  it('passes gradients to tensor inputs only (and null to non-tensor ones)', () => {
    const x = float64([1, 2, 3]);
    const bias = float64([0.5, 0.5, 0.5]);
    scaleShift(x.reshape(1, 3), bias, { scale: 3 }).sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3, 3]);
    expect(bias.grad!.tolist()).toEqual([1, 1, 1]);
  });

  it('passes gradcheck, and gradgradcheck when backward is written with ops', () => {
    const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
    const bias = randn([4], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((a, b) => scaleShift(a, b, { scale: -1.5 }), [x, bias])).toBe(true);
    expect(gradcheck((a) => cube(a), [x])).toBe(true);
    expect(gradgradcheck((a) => cube(a), [x])).toBe(true);
  });

  it('gives second derivatives with createGraph', () => {
    const x = float64([1, 2]);
    const [first] = grad(cube(x).sum(), x, null, { createGraph: true });
    expect(first!.tolist()).toEqual([3, 12]);
    const [second] = grad(first!.sum(), x);
    expect(second!.tolist()).toEqual([6, 12]);
  });

  it('runs forward with grad mode off and tells backward which inputs need gradients', () => {
    const seen: { gradMode: boolean; needs: readonly boolean[] }[] = [];
    const probe = defineOp({
      name: 'probe',
      forward(ctx, a: Tensor, b: Tensor, label: string) {
        seen.push({ gradMode: isGradEnabled(), needs: ctx.needsInputGrad });
        expect(label).toBe('label');
        return a.add(b);
      },
      backward(ctx, gradOutput) {
        return [ctx.needsInputGrad[0] ? gradOutput : null, ctx.needsInputGrad[1] ? gradOutput : null];
      },
    });
    const a = float64([1]);
    const out = probe(a, float64([2], false), 'label');
    expect(seen[0]).toEqual({ gradMode: false, needs: [true, false, false] });
    expect(isGradEnabled()).toBe(true);
    out.backward();
    expect(a.grad!.tolist()).toEqual([1]);
  });

  it('records nothing when no input requires grad or grad mode is off', () => {
    const x = float64([1, 2]);
    expect(cube(float64([1], false)).gradFn).toBeNull();
    const y = noGrad(() => cube(x));
    expect(y.requiresGrad).toBe(false);
    expect(y.tolist()).toEqual([1, 8]);
  });

  it('handles several outputs: non-differentiable ones do not require grad, unused ones get zeros', () => {
    const [values, indices] = maxAlong(float64([1, 5, 2, 4, 3, 0]).reshape(2, 3), 1);
    expect(values.tolist()).toEqual([[5], [4]]);
    expect(indices.requiresGrad).toBe(false);
    expect(indices.dtype).toBe('int32');
    const leaf = float64([1, 5, 2, 4, 3, 0]);
    const [leafValues] = maxAlong(leaf.reshape(2, 3), 1);
    leafValues.mul(tensor([[2], [3]], { dtype: 'float64' })).sum().backward();
    expect(leaf.grad!.tolist()).toEqual([0, 2, 0, 3, 0, 0]);
  });

  it('hands backward zeros for a differentiable output that was not used', () => {
    const received: number[][] = [];
    const halves = defineOp({
      name: 'halves',
      forward: (_ctx, x: Tensor) => [x.narrow(0, 0, 2).clone(), x.narrow(0, 2, 2).clone()] as const,
      backward(_ctx, [gradFirst, gradSecond]) {
        received.push(gradSecond.tolist() as number[]);
        return [gradFirst.cat([gradSecond])];
      },
    });
    const x = float64([1, 2, 3, 4]);
    const [first] = halves(x);
    first.mul(3).sum().backward();
    expect(received).toEqual([[0, 0]]);
    expect(x.grad!.tolist()).toEqual([3, 3, 0, 0]);
  });

  it('checks saved tensors against in-place changes and frees them after backward', () => {
    const x = float64([1, 2]);
    const h = x.mul(1);
    const y = cube(h);
    h.storage.version += 1; // what an in-place op on h does
    expect(() => y.sum().backward()).toThrow(
      'cube backward: one of the variables needed for gradient computation has been modified by an inplace operation: [Float64Array [2]] is at version 1; expected version 0 instead.',
    );
    const z = cube(x).sum();
    z.backward();
    expect(() => z.backward()).toThrow(/cube backward: Trying to backward through the graph a second time/);
  });

  it('gives an output that is an input its own tensor, leaving the input alone', () => {
    const identity = defineOp({
      name: 'identity',
      forward: (_ctx, x: Tensor) => x,
      backward: (_ctx, gradOutput) => [gradOutput.mul(2)],
    });
    const x = float64([1, 2]);
    const y = identity(x);
    expect(y).not.toBe(x);
    expect(x.isLeaf).toBe(true);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it('rejects a backward that does not return one gradient per input', () => {
    const notArray = defineOp({
      name: 'notArray',
      forward: (_ctx, x: Tensor) => x.mul(2),
      backward: (_ctx, gradOutput) => gradOutput as never,
    });
    expect(() => notArray(float64([1])).sum().backward()).toThrow(
      'notArray backward: expected an array with one gradient (or null) per input of forward, got Tensor',
    );
    const toOptions = defineOp({
      name: 'toOptions',
      forward: (_ctx, x: Tensor, _scale: number) => x.mul(2),
      backward: (_ctx, gradOutput) => [gradOutput, gradOutput as never],
    });
    expect(() => toOptions(float64([1]), 2).sum().backward()).toThrow(
      'toOptions backward: returned a gradient different than null at position 1, but the corresponding forward input was not a Tensor',
    );
    const wrongShape = defineOp({
      name: 'wrongShape',
      forward: (_ctx, x: Tensor) => x.sum(),
      backward: (_ctx, gradOutput) => [gradOutput],
    });
    expect(() => wrongShape(float64([1, 2])).backward()).toThrow(
      'wrongShape backward: returned an invalid gradient at index 0: got shape [] but expected shape [2]',
    );
  });

  it('rejects definitions without a name or functions, and forward results that are not tensors', () => {
    expect(() => defineOp({ name: '', forward: (_ctx, x: Tensor) => x, backward: () => [] })).toThrow(
      'defineOp: name must be a non-empty string',
    );
    const bad = defineOp({ name: 'bad', forward: () => [] as unknown as Tensor[], backward: () => [] });
    expect(() => bad()).toThrow('bad: forward must return a Tensor or a non-empty array of Tensors, got an array');
  });
});
