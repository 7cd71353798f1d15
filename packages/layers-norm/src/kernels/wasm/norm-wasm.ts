/**
 * The WebAssembly SIMD module of norm.wat (assembled into
 * norm-wasm.generated.ts by scripts/build-wasm.mjs) and its memory.
 *
 * The module only sees its own linear memory, so each kernel copies its
 * operands in (one `set` each), runs one export, and copies the results out
 * (`slice`, which allocates and copies in one pass). That is two memcpy-speed
 * passes against loops that, in plain TypeScript, run at 2–5 ns an element
 * (float32 loads and stores through typed arrays) where SIMD runs at well
 * under one. The memory is grown, never shrunk, so a steady training step
 * allocates no wasm memory.
 *
 * Compilation is synchronous (the module is a few kilobytes) and happens on
 * first use; a runtime without WebAssembly SIMD (or a CSP that forbids it)
 * gets `undefined`, and the kernels keep their TypeScript versions.
 */
import { WasmKernelModule } from '@strata/tensor/backend';
import { NORM_WASM_BASE64 } from './norm-wasm.generated.js';

/** What norm.wat exports (pointers are byte offsets into `memory`). */
export interface NormExports {
  readonly memory: WebAssembly.Memory;
  layerNormForward(x: number, y: number, rows: number, length: number, w: number, b: number, eps: number, mean: number, invstd: number): void;
  layerNormBackward(
    x: number, g: number, out: number, rows: number, length: number, w: number,
    mean: number, invstd: number, weightSums: number, biasSums: number, partialWeight: number, partialBias: number, needInput: number,
  ): void;
  channelMoments(x: number, batch: number, channels: number, spatial: number, firstSample: number, mean: number, m2: number): void;
  channelAffine(x: number, y: number, batch: number, channels: number, spatial: number, coefficients: number): void;
  channelGradientSums(x: number, g: number, batch: number, channels: number, spatial: number, coefficients: number, sumG: number, sumGX: number): void;
  channelBackwardInput(x: number, g: number, out: number, batch: number, channels: number, spatial: number, coefficients: number): void;
}

/** Bytes [0, 16) are the module's scratch; operands start here. */
const FIRST_BYTE = 16;

const norm = new WasmKernelModule<NormExports>(NORM_WASM_BASE64);

/** The module's exports, compiling it on first call; `undefined` where WebAssembly SIMD is unavailable. */
export function normWasm(): NormExports | undefined {
  return norm.exports();
}

/**
 * Lays out consecutive regions of wasm memory for one call: each `floats`
 * or `doubles` returns the byte offset of a 16-byte-aligned region, and
 * `reserve` grows the memory to hold them all.
 */
export class WasmLayout {
  private end = FIRST_BYTE;

  /** A region of `count` float32; its byte offset. */
  floats(count: number): number {
    return this.region(count * 4);
  }

  /** A region of `count` float64; its byte offset. */
  doubles(count: number): number {
    return this.region(count * 8);
  }

  private region(bytes: number): number {
    const start = this.end;
    this.end += Math.ceil(bytes / 16) * 16;
    return start;
  }

  /** Grows the memory to hold every region; false when that is too big (the caller declines). */
  reserve(): boolean {
    return norm.reserve(this.end);
  }
}

/** The memory as float32, valid after the last `reserve` (index = byte offset / 4). */
export function wasmFloats(): Float32Array {
  return norm.floats();
}

/** The memory as float64, valid after the last `reserve` (index = byte offset / 8). */
export function wasmDoubles(): Float64Array {
  return norm.doubles();
}
