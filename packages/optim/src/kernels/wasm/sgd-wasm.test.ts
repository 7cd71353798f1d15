import { readFileSync } from 'node:fs';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import { getKernel, kernelOf } from '@strata/tensor/backend';
import { describe, expect, it } from 'vitest';
import { generateSgdModule, generatedPath } from '../../../scripts/build-wasm.mjs';
import '../../index.js';
import type { SgdUpdateScalars } from '../update-kernels.js';
import { sgdUpdateWasmKernel, sgdWasm } from './sgd-wasm.js';

// The wasm momentum update against the TypeScript kernel (the reference) on
// sizes the conformance suite's small draws do not reach: several chunks
// streamed through wasm memory, a SIMD body with a scalar tail. It computes
// in float64 as the TypeScript loop does, so the results must be identical,
// bit for bit, not merely close.

const cpuSgdUpdate = kernelOf('sgdUpdate', 'cpu')!;

const steady: SgdUpdateScalars = { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, initialize: false };

/** The index of the first element whose bits differ (−1: none), of two arrays of one type and length. */
function firstDifference(got: Float32Array[], want: Float32Array[]): number {
  expect(got.map((array) => array.length)).toEqual(want.map((array) => array.length));
  for (let k = 0; k < got.length; k++) {
    const a = new Uint8Array(got[k]!.buffer, got[k]!.byteOffset, got[k]!.byteLength);
    const b = new Uint8Array(want[k]!.buffer, want[k]!.byteOffset, want[k]!.byteLength);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return Math.floor(i / got[k]!.BYTES_PER_ELEMENT);
  }
  return -1;
}

/** Runs `kernel` on copies of the parameter and buffer; their values after the update. */
function update(kernel: typeof cpuSgdUpdate, param: Tensor, grad: Tensor, buffer: Tensor | null, s: SgdUpdateScalars): Float32Array[] {
  const p = param.clone();
  const b = buffer?.clone() ?? null;
  kernel(p, grad, b, s);
  return [p.toTypedArray() as Float32Array, ...(b === null ? [] : [b.toTypedArray() as Float32Array])];
}

describe('the wasm sgdUpdate kernel', () => {
  it('is generated from sgd.wat: the committed module matches scripts/build-wasm.mjs', async () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(await generateSgdModule());
  });

  it('compiles here (Node has WebAssembly SIMD) and is the registered sgdUpdate', () => {
    expect(sgdWasm()).toBeDefined();
    expect(getKernel('sgdUpdate')).toBe(sgdUpdateWasmKernel);
  });

  it('gives the bits of the TypeScript loop over several chunks and a tail, with dampening and maximize', () => {
    manualSeed(5);
    const count = 3 * 16384 + 7;
    const param = randn([count]);
    const grad = randn([count]).mul(10);
    const buffer = randn([count]).mul(0.3);
    for (const s of [steady, { ...steady, dampening: 0.1, lr: 0.37 }, { ...steady, maximize: true, momentum: 0.5 }]) {
      expect(firstDifference(update(sgdUpdateWasmKernel, param, grad, buffer, s), update(cpuSgdUpdate, param, grad, buffer, s))).toBe(-1);
    }
  });

  it('updates a contiguous view at an offset in place, and bumps the versions it writes', () => {
    manualSeed(6);
    const storage = randn([2, 40]);
    const param = storage.select(0, 1);
    const buffer = randn([40]);
    const grad = randn([40]);
    const [wantParam, wantBuffer] = update(cpuSgdUpdate, param, grad, buffer, steady);
    const versions = [param.storage.version, buffer.storage.version];
    sgdUpdateWasmKernel(param, grad, buffer, steady);
    expect(param.toTypedArray()).toEqual(wantParam);
    expect(buffer.toTypedArray()).toEqual(wantBuffer);
    expect([param.storage.version, buffer.storage.version]).toEqual([versions[0]! + 1, versions[1]! + 1]);
  });

  it('hands every other case to the kernel below (first step, Nesterov, weight decay, float64, strided, no momentum)', () => {
    manualSeed(7);
    const param = randn([6, 5]);
    const grad = randn([6, 5]);
    const buffer = randn([6, 5]);
    const cases: [Tensor, Tensor, Tensor | null, SgdUpdateScalars][] = [
      [param, grad, buffer, { ...steady, initialize: true }],
      [param, grad, buffer, { ...steady, nesterov: true }],
      [param, grad, buffer, { ...steady, weightDecay: 0.01 }],
      [param.to('float64'), grad.to('float64'), buffer.to('float64'), steady],
      [param, grad.t().contiguous().t(), buffer, steady],
      [param, grad, null, { ...steady, momentum: 0 }],
    ];
    for (const [p, g, b, s] of cases) expect(firstDifference(update(sgdUpdateWasmKernel, p, g, b, s), update(cpuSgdUpdate, p, g, b, s))).toBe(-1);
  });
});
