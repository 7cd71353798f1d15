/**
 * The `wasm` backend: a WebAssembly SIMD `gemm` for float32 products,
 * registered through the kernel registry over the CPU reference, and split
 * over `getNumThreads()` threads where shared memory allows (task-pool.ts,
 * gemm-plan.ts); the thread count never changes a result.
 *
 * It imports only the backend contract (`../../backend.js`, published as
 * `@strata/tensor/backend`), never the CPU kernels: calls it declines
 * (float64, products too small to pay for the copies into wasm memory, a
 * memory it cannot grow) go to `kernelBelow('gemm', 'wasm')`, whatever
 * backend registered there. It lives inside `@strata/tensor` rather than in
 * a package of its own because it is on by default (the float32 product is
 * 5–10× the TypeScript one), its module is 2 KB, and one package keeps the
 * default install fast with nothing to wire up; being registered through the
 * contract, it could move out without any change above the registry.
 */
import {
  type GemmOptions,
  type Tensor,
  finishGemm,
  kernelBelow,
  layOutGemm,
  writeGemmBias,
  makeTensor,
  registerKernel,
  Storage,
} from '../../backend.js';
import { gemmWasm, gemmWasmBatched, wasmGemmAvailable, wasmGemmTakes } from './gemm-wasm.js';

/** The name this backend registers under (for `useBackend`, `backendOf`). */
export const WASM_BACKEND = 'wasm';

function wasmGemmKernel(a: Tensor, b: Tensor, options?: GemmOptions): Tensor {
  const rank = a.ndim;
  if (
    a.dtype !== 'float32' || b.dtype !== 'float32' || rank < 2 ||
    !wasmGemmTakes(a.shape[rank - 2]!, b.shape[b.ndim - 1]!, a.shape[rank - 1]!)
  ) {
    return kernelBelow('gemm', WASM_BACKEND)(a, b, options);
  }
  // Every product below either overwrites its C or starts it from the bias in wasm memory: no zero fill, no bias pass.
  const layout = layOutGemm(a, b, options, { deferBias: true, overwritesOutput: true });
  const { m, n, k, cOffsets } = layout;
  if (layout.accumulate) writeGemmBias(layout, 0);
  // cOffsets are consecutive (layOutGemm's dense output): the products go in groups, threads sharing them out.
  const computed = gemmWasmBatched(
    m, n, k,
    layout.a as Float32Array, layout.aOffsets, layout.aRowStride, layout.aColStride,
    layout.b as Float32Array, layout.bOffsets, layout.bRowStride, layout.bColStride,
    layout.c as Float32Array, cOffsets[0]!, layout.accumulate, layout.bias,
  );
  writeGemmBias(layout, computed);
  for (let batch = computed; batch < cOffsets.length; batch++) {
    const done = gemmWasm(
      m, n, k,
      layout.a as Float32Array, layout.aOffsets[batch]!, layout.aRowStride, layout.aColStride,
      layout.b as Float32Array, layout.bOffsets[batch]!, layout.bRowStride, layout.bColStride,
      layout.c as Float32Array, cOffsets[batch]!, layout.accumulate,
    );
    if (!done) {
      // Too big for wasm memory: this product on the kernel below, in place.
      kernelBelow('gemm', WASM_BACKEND)(
        makeTensor(new Storage(layout.a), [m, k], [layout.aRowStride, layout.aColStride], layout.aOffsets[batch]!),
        makeTensor(new Storage(layout.b), [k, n], [layout.bRowStride, layout.bColStride], layout.bOffsets[batch]!),
        { out: makeTensor(new Storage(layout.c), [m, n], [n, 1], cOffsets[batch]!), accumulate: layout.accumulate },
      );
    }
  }
  return finishGemm(layout);
}

/** Float32 products above the kernel's copy-cost threshold run faster here than in plain loops. */
function wasmGemmAcceleratedKernel(m: number, n: number, k: number, dtype: string): boolean {
  return dtype === 'float32' && wasmGemmTakes(m, n, k);
}

/**
 * Registers the `wasm` backend's kernels (`gemm`, `gemmAccelerated`) over
 * the ones registered before, if this runtime compiles WebAssembly SIMD;
 * else registers nothing. Called once by `@strata/tensor` itself.
 */
export function registerWasmBackend(): void {
  if (!wasmGemmAvailable()) return;
  registerKernel('gemm', wasmGemmKernel, { backend: WASM_BACKEND, override: true });
  registerKernel('gemmAccelerated', wasmGemmAcceleratedKernel, { backend: WASM_BACKEND, override: true });
}
