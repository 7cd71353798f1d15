import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, type Tensor, mul_, setGradEnabled, tensor, zeros } from '@strata/tensor';

import { defineOp, enableGrad, grad, gradcheck, gradgradcheck, isGradEnabled, noGrad, sumToShape } from './index.js';

// Bad input for every public function of @strata/autograd (and the gradient
// methods of Tensor it implements): each case names the error class and the
// exact message.

function float64(values: number[], requiresGrad = true): Tensor {
  return tensor(values, { dtype: 'float64', requiresGrad });
}

const SECOND_BACKWARD =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
  'Saved intermediate values of the graph are freed when you call backward() or grad(). ' +
  'Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

describe('Tensor.backward', () => {
  it('checks the given gradient: shape, then dtype', () => {
    const x = float64([1, 2]);
    expect(() => x.mul(2).backward(float64([1, 1, 1], false))).toThrow(
      new ShapeError('backward: mismatch in shape: the gradient has a shape of [3] and output 0 has a shape of [2]'),
    );
    expect(() => x.mul(2).backward(tensor([1, 1], { dtype: 'int32' }))).toThrow(
      new DTypeError('backward: the gradient for output 0 must be floating point, got int32'),
    );
    expect(x.grad).toBeNull();
  });

  it('needs a gradient for a tensor of more than one element, and a tensor in the graph', () => {
    expect(() => float64([1, 2]).mul(2).backward()).toThrow(
      new Error('backward: grad can be implicitly created only for scalar outputs (got a tensor of shape [2]); pass the gradient of the output'),
    );
    expect(() => float64([1, 2], false).sum().backward()).toThrow(
      new Error('backward: element 0 of tensors does not require grad and does not have a gradFn'),
    );
  });

  it('refuses a second backward through freed saved tensors, and a saved tensor modified in place', () => {
    const x = float64([1, 2]);
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(new Error(`mul backward: ${SECOND_BACKWARD}`));

    const z = x.mul(2);
    const product = z.mul(z);
    noGrad(() => mul_(z, 2));
    expect(() => product.sum().backward()).toThrow(
      new Error(
        'mul backward: one of the variables needed for gradient computation has been modified by an inplace operation: ' +
          '[Float64Array [2]] is at version 1; expected version 0 instead. ' +
          'Hint: the operation that failed to compute its gradient is the one named first; make a clone() before the in-place change, or do it out of place.',
      ),
    );
  });

  it('checks the shape of a gradient a hook returns', () => {
    const x = float64([1, 2]);
    const y = x.mul(2);
    y.registerHook(() => zeros([3], { dtype: 'float64' }));
    expect(() => y.sum().backward()).toThrow(new ShapeError('hook: a hook returned a gradient of shape [3] for a gradient of shape [2]'));
  });
});

describe('grad', () => {
  it('names the bad input or output by position', () => {
    const x = float64([1]);
    expect(() => grad([x.mul(2)], [x], [float64([1], false), float64([1], false)])).toThrow(new Error('grad: got 2 gradOutputs for 1 outputs'));
    expect(() => grad(x.mul(2).sum(), [float64([1], false)])).toThrow(
      new Error('grad: one of the differentiated tensors (input 0) does not require grad'),
    );
    expect(() => grad(x.mul(2).sum(), [x, float64([1])])).toThrow(
      new Error(
        'grad: one of the differentiated tensors (input 1) appears to not have been used in the graph; set allowUnused: true if this is the desired behavior',
      ),
    );
    expect(() => grad(float64([1], false).sum(), [x])).toThrow(new Error('grad: element 0 of tensors does not require grad and does not have a gradFn'));
    expect(() => grad(x.mul(2), [x], float64([1, 2], false))).toThrow(
      new ShapeError('grad: mismatch in shape: the gradient has a shape of [2] and output 0 has a shape of [1]'),
    );
  });
});

describe('grad mode', () => {
  it('noGrad and enableGrad need a function, and leave the mode as it was', () => {
    expect(() => noGrad(3 as never)).toThrow(new TypeError('noGrad: expected a function to run, got number'));
    expect(() => enableGrad(null as never)).toThrow(new TypeError('enableGrad: expected a function to run, got null'));
    expect(isGradEnabled()).toBe(true);
    expect(() => setGradEnabled(1 as never)).toThrow(new TypeError('setGradEnabled: expected a boolean, got number'));
  });

  it('refuse an async function before running it, with the reason', () => {
    let ran = false;
    const asynchronous = async (): Promise<number> => {
      ran = true;
      await Promise.resolve();
      return 1;
    };
    expect(() => noGrad(asynchronous)).toThrow(
      new TypeError(
        'noGrad: expected a synchronous function, got an async function. The grad mode is not carried across an await, ' +
          'so the code after the first await would run with the wrong mode; call noGrad around the synchronous part ' +
          '(e.g. `const output = noGrad(() => model.forward(x))`) instead',
      ),
    );
    expect(() => enableGrad(asynchronous)).toThrow(/^enableGrad: expected a synchronous function, got an async function/);
    expect(ran).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });

  it('refuse a callback that returns a promise, and restore the mode', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => noGrad(() => Promise.resolve(x.mul(2)))).toThrow(
      /^noGrad: expected a synchronous function, the function returned a promise\. The grad mode is not carried across an await/,
    );
    expect(() => enableGrad(() => ({ then: () => undefined }))).toThrow(/^enableGrad: expected a synchronous function, the function returned a promise/);
    expect(isGradEnabled()).toBe(true);
    expect(noGrad(() => x.mul(2)).requiresGrad).toBe(false);
  });
});

describe('defineOp', () => {
  const identityForward = (_ctx: unknown, x: Tensor): Tensor => x.mul(1);

  it('rejects definitions without a name or functions', () => {
    expect(() => defineOp({ name: '', forward: identityForward, backward: () => [] })).toThrow(
      new TypeError('defineOp: name must be a non-empty string'),
    );
    expect(() => defineOp({ name: 'op', forward: 1 as never, backward: () => [] })).toThrow(
      new TypeError("defineOp: 'op' needs forward and backward functions"),
    );
  });

  it('rejects a forward that returns something other than tensors, and non-tensors saved for backward', () => {
    const returnsNumber = defineOp({ name: 'returnsNumber', forward: () => 3 as unknown as Tensor, backward: () => [] });
    expect(() => returnsNumber()).toThrow(new TypeError('returnsNumber: forward must return a Tensor or a non-empty array of Tensors, got number'));
    const savesNumber = defineOp({
      name: 'savesNumber',
      forward: (ctx, x: Tensor) => {
        ctx.saveForBackward(3 as unknown as Tensor);
        return x.mul(1);
      },
      backward: () => [],
    });
    expect(() => savesNumber(float64([1]))).toThrow(new TypeError('savesNumber: saveForBackward takes tensors only; keep other values in ctx.state'));
  });

  it('rejects a backward that does not return one gradient of the right shape per input', () => {
    const tooMany = defineOp({ name: 'tooMany', forward: identityForward, backward: (_ctx, g) => [g, g] as never });
    expect(() => tooMany(float64([1])).sum().backward()).toThrow(new Error('tooMany backward: returned 2 gradients, but forward has 1 inputs'));
    const notTensor = defineOp({ name: 'notTensor', forward: identityForward, backward: () => [3] as never });
    expect(() => notTensor(float64([1])).sum().backward()).toThrow(
      new TypeError('notTensor backward: the gradient at position 0 must be a Tensor or null, got number'),
    );
    const wrongShape = defineOp({ name: 'wrongShape', forward: identityForward, backward: () => [zeros([3], { dtype: 'float64' })] });
    expect(() => wrongShape(float64([1])).sum().backward()).toThrow(
      new ShapeError('wrongShape backward: returned an invalid gradient at index 0: got shape [3] but expected shape [1]'),
    );
  });
});

describe('gradcheck and gradgradcheck', () => {
  const double = (x: Tensor): Tensor => x.mul(2);

  it('check the function, the inputs and the options before evaluating anything', () => {
    expect(() => gradcheck(3 as never, [float64([1])])).toThrow(new TypeError('gradcheck: expected fn to be a function, got number'));
    expect(() => gradcheck(double, [3 as unknown as Tensor])).toThrow(new TypeError('gradcheck: input 0 is not a Tensor'));
    expect(() => gradcheck(double, [tensor([1], { requiresGrad: true })])).toThrow(
      new DTypeError('gradcheck: input 0 requires grad but is float32; inputs that require grad must be float64 for a precise check'),
    );
    expect(() => gradcheck(double, [float64([1], false)])).toThrow(
      new Error('gradcheck: at least one input must be a float64 tensor that requires grad'),
    );
    expect(() => gradcheck(double, [float64([1])], { eps: 0 })).toThrow(new RangeError('gradcheck: eps must be a positive finite number, got 0'));
    expect(() => gradcheck(double, [float64([1])], { rtol: -1 })).toThrow(
      new RangeError('gradcheck: atol and rtol must be non-negative numbers, got atol=0.00001, rtol=-1'),
    );
  });

  it('check the outputs and the given output gradients', () => {
    expect(() => gradcheck((x) => x.float(), [float64([1])])).toThrow(
      new DTypeError('gradcheck: outputs must be float64 for a precise check, got float32'),
    );
    expect(() => gradcheck((_x: Tensor) => float64([1], false), [float64([1])])).toThrow(new Error('gradcheck: no output of the function requires grad'));
    expect(() => gradcheck(double, [float64([1])], { gradOutput: [float64([1], false), float64([1], false)] })).toThrow(
      new Error('gradcheck: got 2 gradOutput tensors for 1 outputs that require grad'),
    );
  });

  it('gradgradcheck checks like gradcheck, under its own name', () => {
    expect(() => gradgradcheck(double, [float64([1])], { eps: -1 })).toThrow(
      new RangeError('gradgradcheck: eps must be a positive finite number, got -1'),
    );
    expect(() => gradgradcheck(double, [float64([1], false)])).toThrow(
      new Error('gradgradcheck: at least one input must be a float64 tensor that requires grad'),
    );
  });
});

describe('sumToShape', () => {
  it('refuses a shape that does not broadcast to the gradient', () => {
    expect(() => sumToShape(zeros([2, 3]), [4])).toThrow(
      new ShapeError("sumToShape: a gradient of shape [2, 3] cannot be summed to shape [4] (the shape must broadcast to the gradient's)"),
    );
    expect(() => sumToShape(zeros([3]), [2, 3])).toThrow(
      new ShapeError("sumToShape: a gradient of shape [3] cannot be summed to shape [2, 3] (the shape must broadcast to the gradient's)"),
    );
  });
});
