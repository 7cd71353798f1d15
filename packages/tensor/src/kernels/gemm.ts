/**
 * The `cpu` backend's `gemm` and `gemmAccelerated` kernels (registered by
 * ops/matmul.ts): the reference every other backend's product is checked
 * against (float64 sums).
 */
import type { GemmOptions } from '../kernel-signatures.js';
import type { Tensor } from '../tensor.js';
import { finishGemm, layOutGemm } from './gemm-layout.js';
import { gemmStrided } from './matmul.js';

/** `activation(out + bias + a·b)` batch by batch on the TypeScript product. */
export function gemmKernel(a: Tensor, b: Tensor, options?: GemmOptions): Tensor {
  const layout = layOutGemm(a, b, options);
  const { m, n, k } = layout;
  for (let batch = 0; batch < layout.cOffsets.length; batch++) {
    gemmStrided(
      m, n, k,
      layout.a, layout.aOffsets[batch]!, layout.aRowStride, layout.aColStride,
      layout.b, layout.bOffsets[batch]!, layout.bRowStride, layout.bColStride,
      layout.c, layout.cOffsets[batch]!, layout.accumulate,
    );
  }
  return finishGemm(layout);
}

/** The reference has no faster path than plain loops. */
export function gemmAcceleratedKernel(): boolean {
  return false;
}
