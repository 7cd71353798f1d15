import { type Tensor, manualSeed, randn } from '@strata/tensor';
import { kernelOf } from '@strata/tensor/backend';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { mergeHeadsWasmKernel, splitHeadsWasmKernel } from './heads-wasm.js';

// The wasm head moves against the TypeScript ones (the reference) on the
// workload's sizes and odd ones: heads of 32 floats (SIMD moves) and of 5
// (scalar tails), a key gradient that arrives as a transposed view, three
// parts merged at once, a part too spread out to copy in (declined).

const cpuSplit = kernelOf('splitHeads', 'cpu')!;
const cpuMerge = kernelOf('mergeHeads', 'cpu')!;

const values = (tensor: Tensor): number[] => [...tensor.toTypedArray()].map(Number);

describe('the WebAssembly head moves', () => {
  for (const [batch, length, parts, heads, headDim] of [[2, 128, 3, 8, 32], [3, 37, 3, 4, 5], [2, 9, 1, 3, 7], [1, 1, 2, 1, 1]] as const) {
    it(`split and merge [${batch}, ${length}, ${parts}·${heads}·${headDim}] exactly as the TypeScript kernels`, () => {
      manualSeed(batch * length + headDim);
      const x = randn([batch, length, parts * heads * headDim]);
      const got = splitHeadsWasmKernel(x, parts, heads);
      const want = cpuSplit(x, parts, heads);
      expect(got.map((part) => part.shape)).toEqual(want.map((part) => part.shape));
      got.forEach((part, index) => expect(values(part)).toEqual(values(want[index]!)));
      expect(values(mergeHeadsWasmKernel(got))).toEqual(values(x));
      // A gradient of kᵀ: [N, H, d, L] contiguous, seen as [N, H, L, d].
      const transposed = randn([batch, heads, headDim, length]).transpose(2, 3);
      expect(values(mergeHeadsWasmKernel([transposed]))).toEqual(values(cpuMerge([transposed])));
      const mixed = [transposed, ...want.slice(1)];
      expect(values(mergeHeadsWasmKernel(mixed))).toEqual(values(cpuMerge(mixed)));
    });
  }

  it('hands a part spread over more than twice its size, and float64, to the kernel below', () => {
    manualSeed(4);
    const spread = randn([2, 3, 5, 12]).narrow(3, 0, 4);
    expect(values(mergeHeadsWasmKernel([spread]))).toEqual(values(cpuMerge([spread])));
    const doubles = randn([2, 5, 12], { dtype: 'float64' });
    expect(splitHeadsWasmKernel(doubles, 3, 2).map(values)).toEqual(cpuSplit(doubles, 3, 2).map(values));
  });
});
