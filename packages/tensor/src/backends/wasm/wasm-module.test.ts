import { describe, expect, it } from 'vitest';
import { WasmKernelModule, decodeBase64 } from './wasm-module.js';

/** The smallest module with an exported memory of one page: `(module (memory (export "memory") 1))`. */
const MEMORY_ONLY = 'AGFzbQEAAAAFAwEAAQcKAQZtZW1vcnkCAA==';

describe('WasmKernelModule', () => {
  it('compiles once, grows its memory on reserve and keeps the views on the grown buffer', () => {
    const wasm = new WasmKernelModule<{ readonly memory: WebAssembly.Memory }>(MEMORY_ONLY);
    const exports = wasm.exports()!;
    expect(wasm.exports()).toBe(exports);
    expect(wasm.reserve(100)).toBe(true);
    expect(wasm.floats().length).toBe(65536 / 4);
    wasm.floats()[3] = 1.5;
    expect(wasm.reserve(3 * 65536 + 1)).toBe(true);
    expect(exports.memory.buffer.byteLength).toBe(4 * 65536);
    expect(wasm.floats().length).toBe(65536);
    expect(wasm.doubles().length).toBe(65536 / 2);
    expect(wasm.floats()[3]).toBe(1.5);
  });

  it('declines what i32 addresses cannot reach, and everything when the module does not compile', () => {
    const wasm = new WasmKernelModule<{ readonly memory: WebAssembly.Memory }>(MEMORY_ONLY);
    expect(wasm.reserve(2 ** 31)).toBe(false);
    const broken = new WasmKernelModule<{ readonly memory: WebAssembly.Memory }>(btoa('not wasm'));
    expect(broken.exports()).toBeUndefined();
    expect(broken.reserve(16)).toBe(false);
  });

  it('decodes base64 to the bytes', () => {
    expect([...decodeBase64(btoa('\u0000\u0061\u00ff'))]).toEqual([0, 0x61, 0xff]);
  });
});
