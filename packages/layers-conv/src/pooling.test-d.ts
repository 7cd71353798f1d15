import type { Tensor } from '@strata/tensor';
import { describe, expectTypeOf, it } from 'vitest';
import {
  AdaptiveMaxPool2d,
  MaxPool2d,
  type MaxPoolOptions,
  MinPool1d,
  adaptiveMaxPool1d,
  maxPool2d,
  minPool3d,
} from './index.js';

declare const x: Tensor;
declare const flag: boolean;
declare const options: MaxPoolOptions;

describe('pooling result types follow returnIndices', () => {
  it('functional ops: a tensor, or [output, indices] when returnIndices is true', () => {
    expectTypeOf(maxPool2d(x, 2)).toEqualTypeOf<Tensor>();
    expectTypeOf(maxPool2d(x, 2, { stride: 1 })).toEqualTypeOf<Tensor>();
    expectTypeOf(maxPool2d(x, 2, { returnIndices: false })).toEqualTypeOf<Tensor>();
    expectTypeOf(maxPool2d(x, 2, { returnIndices: true })).toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf(minPool3d(x, 2, { padding: 1, returnIndices: true })).toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf(adaptiveMaxPool1d(x, 3, { returnIndices: true })).toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf(adaptiveMaxPool1d(x, 3)).toEqualTypeOf<Tensor>();
  });

  it('a flag or options known only at run time give the union', () => {
    expectTypeOf(maxPool2d(x, 2, { returnIndices: flag })).toEqualTypeOf<Tensor | [Tensor, Tensor]>();
    expectTypeOf(maxPool2d(x, 2, options)).toEqualTypeOf<Tensor | [Tensor, Tensor]>();
  });

  it('layers infer it from the constructor options', () => {
    expectTypeOf(new MaxPool2d(2).forward(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(new MaxPool2d(2, { stride: 1 }).forward(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(new MaxPool2d(2, { returnIndices: true }).forward(x)).toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf(new MinPool1d(2, { returnIndices: true }).forward(x)).toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf(new AdaptiveMaxPool2d(2, { returnIndices: true }).forward(x)).toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf(new AdaptiveMaxPool2d([2, null]).forward(x)).toEqualTypeOf<Tensor>();
  });
});
