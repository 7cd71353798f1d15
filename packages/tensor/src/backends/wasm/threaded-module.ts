/**
 * Compiling a WebAssembly module written for threads: it imports
 * `env.memory` as a shared memory (how the generated base64 of gemm.wat and
 * layers-conv's conv.wat come), so that the calling thread's instance and a
 * `WasmTaskPool`'s workers all run on one memory. Where threads are
 * unavailable (no SharedArrayBuffer, or a page that is not cross-origin
 * isolated) or a runtime cannot share wasm memory, the same module, one flag
 * byte of its memory import switched to unshared, runs on the calling thread.
 */
import { threadingSupport } from '../../threads/num-threads.js';
import { decodeBase64 } from './wasm-module.js';

/** A compiled threaded module and its instance on the calling thread. */
export interface ThreadedInstance {
  /** The compiled module, which a pool's workers instantiate too. */
  module: WebAssembly.Module;
  /** The memory it was instantiated on: shared when {@link ThreadedInstance.shared}. */
  memory: WebAssembly.Memory;
  /** The calling thread's instance's exports. */
  exports: WebAssembly.Exports;
  /** Whether the memory is shared, so a pool may run the module's tasks. */
  shared: boolean;
}

function instantiate(
  base64: string, memoryFlagsOffset: number, maximumPages: number, shared: boolean, patch: ((bytes: Uint8Array) => void) | undefined,
): ThreadedInstance {
  const bytes = decodeBase64(base64);
  // The generated module imports a shared memory (limits flags 0x03); 0x01 makes it import an unshared one.
  if (!shared) bytes[memoryFlagsOffset] = 1;
  patch?.(bytes);
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: maximumPages, shared });
  return { module, memory, exports: new WebAssembly.Instance(module, { env: { memory } }).exports, shared };
}

/**
 * Compiles the base64 module on a new shared memory of at most
 * `maximumPages` where threads are available, else on an unshared one
 * (`memoryFlagsOffset` is the byte of its memory import's limits flags);
 * `patch` may rewrite the bytes first. Returns undefined where it compiles
 * neither way (no WebAssembly, no SIMD, a CSP that forbids wasm).
 */
export function instantiateThreaded(
  base64: string, memoryFlagsOffset: number, maximumPages: number, patch?: (bytes: Uint8Array) => void,
): ThreadedInstance | undefined {
  if (threadingSupport().available) {
    try {
      return instantiate(base64, memoryFlagsOffset, maximumPages, true, patch);
    } catch {
      // A runtime with SharedArrayBuffer but no shared wasm memory: one thread.
    }
  }
  try {
    return instantiate(base64, memoryFlagsOffset, maximumPages, false, patch);
  } catch {
    return undefined;
  }
}
