import { afterEach, describe, expect, it, vi } from 'vitest';
import { fuseMultiplyAdds, relaxedSimdAvailable } from './gemm-fma.js';
import { GEMM_WASM_BASE64, GEMM_WASM_MULTIPLY_ADD_SITES } from './gemm-wasm.generated.js';
import { decodeBase64 } from './wasm-module.js';

afterEach(() => vi.unstubAllEnvs());

describe('fused multiply-adds in the gemm kernel', () => {
  it('rewrites the eight multiply-adds, and nothing else, into a module that compiles with relaxed SIMD', () => {
    const original = decodeBase64(GEMM_WASM_BASE64);
    const fused = original.slice();
    fuseMultiplyAdds(fused);
    const changed = [...fused.keys()].filter((index) => fused[index] !== original[index]);
    expect(GEMM_WASM_MULTIPLY_ADD_SITES).toHaveLength(8);
    expect(changed.every((index) => GEMM_WASM_MULTIPLY_ADD_SITES.some((site) => index >= site && index < site + 12))).toBe(true);
    for (const site of GEMM_WASM_MULTIPLY_ADD_SITES) {
      // c + a·b → relaxed_madd(a, b, c), then three nops; the local.set of c after it unchanged.
      expect([...fused.subarray(site, site + 14)]).toEqual([
        0x20, original[site + 3], 0x20, original[site + 5], 0x20, original[site + 1], 0xfd, 0x85, 0x02, 0x01, 0x01, 0x01, 0x21, original[site + 1],
      ]);
    }
    expect(WebAssembly.validate(original)).toBe(true);
    // Node 20 (the CI's) has relaxed SIMD behind a flag that relaxedSimdAvailable turns on.
    expect(relaxedSimdAvailable()).toBe(true);
    expect(WebAssembly.validate(fused)).toBe(true);
  });

  it('is off with STRATA_WASM_FMA=0', () => {
    vi.stubEnv('STRATA_WASM_FMA', '0');
    expect(relaxedSimdAvailable()).toBe(false);
  });
});
