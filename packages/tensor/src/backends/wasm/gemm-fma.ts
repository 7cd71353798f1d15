/**
 * Fused multiply-adds in the gemm's micro-kernel, where the runtime has
 * WebAssembly relaxed SIMD (`f32x4.relaxed_madd`: Chrome 114+ and Node 22+;
 * Node 20 has it behind V8's `--experimental-wasm-relaxed-simd`).
 *
 * Without FMA the kernel is bound by issuing a multiply and an add per
 * lane step; with it, measured on the 2-core Xeon of `pnpm bench` in CPU
 * time on one thread: 1024³ 30–32 → 36–38 GFLOP/s, 4096×1024×256 29–30 →
 * 33–34. The module is assembled once, without relaxed SIMD (so it
 * compiles everywhere); here its eight multiply-adds are rewritten in place
 * to fused ones (same byte length, padded with `nop`s, so no size field
 * changes) when a probe module using `f32x4.relaxed_madd` validates.
 *
 * In Node 20 the probe first fails; V8's flag is then turned on with
 * `v8.setFlagsFromString` (a documented Node API; the flag only gates
 * validation of the proposal's instructions, which Node 22's V8 ships on by
 * default). `STRATA_WASM_FMA=0` keeps the separate multiply and add (and
 * the flags untouched). A fused multiply-add rounds once where the pair
 * rounds twice: products differ from the unfused ones in the last bits,
 * never between thread counts.
 */
import { nodeProcess } from '../../threads/num-threads.js';
import { GEMM_WASM_MULTIPLY_ADD_SITES, RELAXED_SIMD_PROBE_BASE64 } from './gemm-wasm.generated.js';
import { decodeBase64 } from './wasm-module.js';

/** `local.get`, `f32x4.relaxed_madd` (0xfd 0x105) and `nop`. */
const LOCAL_GET = 0x20;
const RELAXED_MADD = [0xfd, 0x85, 0x02] as const;
const NOP = 0x01;

interface NodeV8 {
  setFlagsFromString(flags: string): void;
}

/**
 * Whether this runtime compiles relaxed SIMD, turning V8's flag on in a
 * Node that has the proposal behind it; false with `STRATA_WASM_FMA=0`.
 */
export function relaxedSimdAvailable(): boolean {
  const node = nodeProcess();
  if (node?.env?.STRATA_WASM_FMA === '0') return false;
  const probe = decodeBase64(RELAXED_SIMD_PROBE_BASE64);
  if (WebAssembly.validate(probe)) return true;
  if (typeof node?.getBuiltinModule !== 'function') return false;
  try {
    (node.getBuiltinModule('node:v8') as NodeV8).setFlagsFromString('--experimental-wasm-relaxed-simd');
    return WebAssembly.validate(probe);
  } catch {
    return false;
  }
}

/**
 * Rewrites the module's multiply-adds `c + a·b` to `relaxed_madd(a, b, c)`,
 * in place: each `local.get c; local.get a; local.get b; f32x4.mul;
 * f32x4.add` (tooling/wasm/assemble.mjs's `multiplyAddSites` finds them when
 * the module is assembled). Call it only where {@link relaxedSimdAvailable}.
 */
export function fuseMultiplyAdds(bytes: Uint8Array): void {
  for (const site of GEMM_WASM_MULTIPLY_ADD_SITES) {
    const [c, a, b] = [bytes[site + 1]!, bytes[site + 3]!, bytes[site + 5]!];
    bytes.set([LOCAL_GET, a, LOCAL_GET, b, LOCAL_GET, c, ...RELAXED_MADD, NOP, NOP, NOP], site);
  }
}
