import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tfjs } from '../workload.js';

/** The TensorFlow.js backends the harness compares against. */
export type TfjsBackendName = 'cpu' | 'wasm';

/** TensorFlow.js, loaded and with the backends asked for initialized. */
export interface TfjsPeer {
  readonly tf: Tfjs;
  /** The version of `@tensorflow/tfjs-core`. */
  readonly version: string;
  /** One line per backend saying how it runs (SIMD, threads). */
  readonly descriptions: Record<TfjsBackendName, string>;
  /** Makes `backend` the active one; workloads then create their tensors on it. */
  use(backend: TfjsBackendName): Promise<void>;
}

/**
 * Loads `@tensorflow/tfjs-core` with the `cpu` and `wasm` backends, the wasm
 * backend reading its `.wasm` binaries from the installed npm package (so
 * nothing is downloaded) and pinned to one thread, as PEERS.md measured it.
 */
export async function loadTfjs(backends: readonly TfjsBackendName[]): Promise<TfjsPeer> {
  const tf = await import('@tensorflow/tfjs-core');
  // The fwd_bwd workloads need TF.js's gradients, which only this side-effect module registers. Its ESM
  // files import without extensions, which Node cannot load, so tsup bundles it (tsup.config.ts); its
  // registrations land in TF.js's global registry, shared with the core loaded above.
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  // Production mode skips TF.js's debug checks and its "install tfjs-node" banner.
  tf.enableProdMode();
  const descriptions: Record<TfjsBackendName, string> = { cpu: 'not loaded', wasm: 'not loaded' };
  if (backends.includes('cpu') || backends.includes('wasm')) {
    // Loaded for wasm too: wasm borrows cpu's kernels where it has none (borrow.ts).
    await import('@tensorflow/tfjs-backend-cpu');
    if (backends.includes('cpu')) descriptions.cpu = 'pure JavaScript';
  }
  if (backends.includes('wasm')) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmBinaryFolder());
    wasm.setThreadsCount(1);
    // Node has no threaded wasm build anyway; saying so keeps the single-threaded SIMD binary chosen.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await activate(tf, 'wasm');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    descriptions.wasm = `XNNPACK, ${simd ? 'SIMD' : 'no SIMD'}, ${wasm.getThreadsCount()} thread${wasm.getThreadsCount() === 1 ? '' : 's'}`;
  }
  return {
    tf,
    version: tf.version_core,
    descriptions,
    use: (backend) => activate(tf, backend),
  };
}

async function activate(tf: Tfjs, backend: TfjsBackendName): Promise<void> {
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`bench: TensorFlow.js backend '${backend}' failed to initialize (active: ${tf.getBackend()})`);
  }
}

/** The `dist/` folder of the installed `@tensorflow/tfjs-backend-wasm`, as a file URL ending in `/`. */
function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return `${pathToFileURL(join(dirname(manifest), 'dist')).href}/`;
}
