import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '@strata/tensor';

import { type OpContext, defineOp } from './index.js';

describe('defineOp types', () => {
  it('types the op from forward: tensors, nullable tensors and options pass through', () => {
    const op = defineOp({
      name: 'typed',
      forward(ctx: OpContext<{ scale: number }>, x: Tensor, bias: Tensor | null, options: { scale: number }) {
        ctx.state.scale = options.scale;
        return bias === null ? x : x.add(bias);
      },
      backward(ctx, gradOutput) {
        expectTypeOf(ctx.state.scale).toEqualTypeOf<number>();
        expectTypeOf(gradOutput).toEqualTypeOf<Tensor>();
        return [gradOutput, gradOutput.sum(0)];
      },
    });
    expectTypeOf(op).parameters.toEqualTypeOf<[x: Tensor, bias: Tensor | null, options: { scale: number }]>();
    expectTypeOf(op).returns.toEqualTypeOf<Tensor>();
  });

  it('types tuple outputs and their gradients', () => {
    const op = defineOp({
      name: 'pair',
      forward: (_ctx, x: Tensor) => [x, x.mul(2)] as const,
      backward(_ctx, gradients) {
        expectTypeOf(gradients).toEqualTypeOf<readonly [Tensor, Tensor]>();
        return [gradients[0].add(gradients[1])];
      },
    });
    expectTypeOf(op).returns.toEqualTypeOf<readonly [Tensor, Tensor]>();
  });

  it('refuses a gradient for a non-tensor argument', () => {
    defineOp({
      name: 'options',
      forward: (_ctx, x: Tensor, _options: { scale: number }) => x,
      // @ts-expect-error: the options argument cannot get a gradient
      backward: (_ctx, gradOutput) => [gradOutput, gradOutput],
    });
  });

  it('refuses a forward that returns something other than tensors', () => {
    defineOp({
      name: 'wrong',
      // @ts-expect-error: forward must return a Tensor or a tuple of Tensors
      forward: (_ctx, x: Tensor) => x.item(),
      backward: () => [],
    });
  });
});
