/**
 * What every WebAssembly kernel module of Strata needs around it (the
 * layer packages' norm, attention and SGD modules): decoding the committed
 * base64, compiling on first use (or never, where WebAssembly SIMD is
 * missing), growing the module's own memory, and typed views over it that
 * follow the memory when it grows.
 */

const PAGE_BYTES = 65536;
/** Stay within signed i32 addresses; bigger calls keep the TypeScript kernels. */
const MAX_BYTES = 2 ** 31 - PAGE_BYTES;

/** The bytes of a base64 string (the committed `*-wasm.generated.ts` modules). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/**
 * A WebAssembly module that exports its own memory, compiled from base64
 * the first time {@link WasmKernelModule.exports} is called.
 *
 * @example
 * ```ts
 * const norm = new WasmKernelModule<NormExports>(NORM_WASM_BASE64);
 * const module = norm.exports();
 * if (module !== undefined && norm.reserve(bytes)) norm.floats().set(values, offset / 4);
 * ```
 */
export class WasmKernelModule<E extends { readonly memory: WebAssembly.Memory }> {
  private loaded: E | undefined;
  private failed = false;
  private floatView = new Float32Array(0);
  private doubleView = new Float64Array(0);

  /** @param base64 the module's bytes, as base64 */
  constructor(private readonly base64: string) {}

  /** The module's exports, compiling it on first call; `undefined` where this runtime cannot compile it. */
  exports(): E | undefined {
    if (this.loaded !== undefined || this.failed) return this.loaded;
    try {
      this.loaded = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(this.base64)), {}).exports as unknown as E;
    } catch {
      this.failed = true;
    }
    return this.loaded;
  }

  /**
   * Grows the module's memory to at least `bytes` and refreshes the views;
   * false when the module is unavailable or the memory cannot grow that far
   * (the caller then declines the call).
   */
  reserve(bytes: number): boolean {
    const memory = this.exports()?.memory;
    if (memory === undefined || bytes > MAX_BYTES) return false;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) {
      try {
        memory.grow(Math.ceil(missing / PAGE_BYTES));
      } catch {
        return false;
      }
    }
    if (this.floatView.buffer !== memory.buffer) {
      this.floatView = new Float32Array(memory.buffer);
      this.doubleView = new Float64Array(memory.buffer);
    }
    return true;
  }

  /** The memory as float32, valid after the last {@link WasmKernelModule.reserve} (index = byte offset / 4). */
  floats(): Float32Array {
    return this.floatView;
  }

  /** The memory as float64, valid after the last {@link WasmKernelModule.reserve} (index = byte offset / 8). */
  doubles(): Float64Array {
    return this.doubleView;
  }
}
