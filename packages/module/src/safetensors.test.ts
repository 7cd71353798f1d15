import { type Tensor, arange, manualSeed, randn, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { normal_ } from './init.js';
import { Net } from './module-test-support.js';
import { loadSafetensors, readSafetensorsMetadata, saveSafetensors } from './safetensors.js';

const decoder = new TextDecoder();

function headerText(bytes: Uint8Array): string {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return decoder.decode(bytes.subarray(8, 8 + length));
}

/** A file from a header string (unpadded) and a data section; `length` overrides the length prefix. */
function file(header: string, data: Uint8Array | number = 0, length?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const section = typeof data === 'number' ? new Uint8Array(data) : data;
  const bytes = new Uint8Array(8 + json.length + section.length);
  new DataView(bytes.buffer).setUint32(0, length ?? json.length, true);
  bytes.set(json, 8);
  bytes.set(section, 8 + json.length);
  return bytes;
}

const f32 = (name: string, shape: number[], begin: number, end: number): string =>
  `"${name}":{"dtype":"F32","shape":[${shape.join(',')}],"data_offsets":[${begin},${end}]}`;

describe('saveSafetensors: the bytes the Rust crate writes', () => {
  it('writes an unpadded header, little-endian float32 data', () => {
    // The safetensors crate's own serialization test: "attn.0", F32, shape [1, 2, 3], values 0..5.
    const bytes = saveSafetensors({ 'attn.0': arange(6).reshape(1, 2, 3) });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(headerText(bytes)).toBe(header);
    expect(Array.from(bytes.subarray(72))).toEqual(Array.from(new Uint8Array(Float32Array.from([0, 1, 2, 3, 4, 5]).buffer)));
  });

  it('pads the header with spaces to a multiple of 8 bytes', () => {
    // The crate's forced-alignment test: a 65-byte header becomes 72 bytes.
    const bytes = saveSafetensors({ attn0: arange(6).reshape(1, 1, 2, 3) });
    expect(bytes[0]).toBe(72);
    expect(headerText(bytes)).toBe(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}${' '.repeat(7)}`);
    expect(bytes.length).toBe(8 + 72 + 24);
    // The crate's empty-file tests, without and with metadata.
    expect(Array.from(saveSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMetadata = saveSafetensors({}, { framework: 'pt' });
    expect(withMetadata[0]).toBe(40);
    expect(headerText(withMetadata)).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  it('orders tensors by dtype (widest first) then name, with contiguous offsets', () => {
    const bytes = saveSafetensors({
      b: zeros([2]),
      mask: zeros([3], { dtype: 'bool' }),
      'bn.num_batches_tracked': tensor(4, { dtype: 'int32' }),
      a: zeros([1]),
      index: zeros([2], { dtype: 'int32' }),
      double: zeros([1], { dtype: 'float64' }),
    });
    expect(headerText(bytes).trimEnd()).toBe(
      '{"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},' +
        '"double":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},' +
        `${f32('a', [1], 16, 20)},${f32('b', [2], 20, 28)},` +
        '"index":{"dtype":"I32","shape":[2],"data_offsets":[28,36]},' +
        '"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[36,39]}}',
    );
  });

  it('sorts metadata keys and escapes names as JSON', () => {
    const bytes = saveSafetensors({ 'we"ird\n': zeros([1]) }, { zeta: '1', alpha: 'ü' });
    expect(headerText(bytes).trimEnd()).toBe(`{"__metadata__":{"alpha":"ü","zeta":"1"},${f32('we\\"ird\\n', [1], 0, 4)}}`);
    expect(Object.keys(loadSafetensors(bytes))).toEqual(['we"ird\n']);
  });

  it('rejects values that are not tensors, a tensor named __metadata__ and non-string metadata', () => {
    expect(() => saveSafetensors({ a: [1] as unknown as Tensor })).toThrow(new TypeError("saveSafetensors: the value under 'a' is not a Tensor (got an array)"));
    expect(() => saveSafetensors({ __metadata__: zeros([1]) })).toThrow(
      "saveSafetensors: '__metadata__' is reserved for the metadata and cannot name a tensor",
    );
    expect(() => saveSafetensors({}, { epoch: 3 as unknown as string })).toThrow(
      new TypeError("saveSafetensors: metadata values must be strings, got number under 'epoch'"),
    );
  });
});

describe('loadSafetensors round trips', () => {
  it('restores every dtype, shape and value, views and empty tensors included', () => {
    manualSeed(1);
    const tensors: Record<string, Tensor> = {
      weight: randn([3, 4]),
      transposed: randn([4, 2]).t(),
      double: randn([2, 2], { dtype: 'float64' }),
      counts: tensor([-2147483648, -1, 0, 2147483647], { dtype: 'int32' }),
      'bn.num_batches_tracked': tensor(-7, { dtype: 'int32' }),
      mask: tensor([true, false, true]),
      scalar: tensor(1.5),
      empty: zeros([0, 5]),
    };
    const loaded = loadSafetensors(saveSafetensors(tensors, { note: 'x' }));
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, original] of Object.entries(tensors)) {
      expect(loaded[name]!.dtype).toBe(original.dtype);
      expect(loaded[name]!.shape).toEqual(original.shape);
      expect(loaded[name]!.tolist()).toEqual(original.tolist());
      expect(loaded[name]!.storage).not.toBe(original.storage);
    }
    const header = readSafetensorsMetadata(saveSafetensors(tensors, { note: 'x' }));
    expect(header.metadata).toEqual({ note: 'x' });
    expect(header.tensors['bn.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], dataOffsets: [0, 8] });
    expect(header.tensors.counts!.dtype).toBe('I32');
    expect(readSafetensorsMetadata(saveSafetensors({})).metadata).toBeNull();
  });

  it('writes the int32 tensors int64Keys picks as I64, sign-extended', () => {
    const bytes = saveSafetensors({ positions: tensor([-3, 5], { dtype: 'int32' }) }, null, { int64Keys: (key) => key === 'positions' });
    expect(readSafetensorsMetadata(bytes).tensors.positions!.dtype).toBe('I64');
    const data = bytes.subarray(bytes.length - 16);
    expect(Array.from(data)).toEqual([253, 255, 255, 255, 255, 255, 255, 255, 5, 0, 0, 0, 0, 0, 0, 0]);
    expect(loadSafetensors(bytes).positions!.tolist()).toEqual([-3, 5]);
    const plain = saveSafetensors({ 'bn.num_batches_tracked': tensor(1, { dtype: 'int32' }) }, null, { int64Keys: () => false });
    expect(readSafetensorsMetadata(plain).tensors['bn.num_batches_tracked']!.dtype).toBe('I32');
  });

  it('round-trips a module state dict into another module', () => {
    manualSeed(2);
    const source = new Net();
    for (const parameter of source.parameters()) normal_(parameter);
    const target = new Net();
    target.loadStateDict(loadSafetensors(saveSafetensors(source.stateDict())));
    for (const [name, value] of Object.entries(source.stateDict())) expect(target.stateDict()[name]!.tolist()).toEqual(value.tolist());
  });

  it('reads from an ArrayBuffer and from a Uint8Array at an odd offset in a larger buffer', () => {
    const bytes = saveSafetensors({ a: tensor([1.25, -2]), d: tensor([3], { dtype: 'float64' }) });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const shifted = loadSafetensors(padded.subarray(3));
    expect(shifted.a!.tolist()).toEqual([1.25, -2]);
    expect(shifted.d!.tolist()).toEqual([3]);
    expect(loadSafetensors(bytes.slice().buffer).a!.tolist()).toEqual([1.25, -2]);
  });

  it('converts F16, BF16 and small integer dtypes', () => {
    const halves = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00]).buffer);
    const bfloats = new Uint8Array(new Uint16Array([0x3f80, 0xbf00]).buffer);
    const bytes = file(
      '{"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[10,14]},' +
        '"u":{"dtype":"U8","shape":[2],"data_offsets":[14,16]},"i":{"dtype":"I8","shape":[2],"data_offsets":[16,18]},' +
        '"s":{"dtype":"U16","shape":[1],"data_offsets":[18,20]}}',
      Uint8Array.from([...halves, ...bfloats, 255, 1, 255, 1, 0xff, 0xff]),
    );
    const loaded = loadSafetensors(bytes);
    expect(loaded.h!.dtype).toBe('float32');
    expect(loaded.h!.tolist()).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
    expect(loaded.b!.tolist()).toEqual([1, -0.5]);
    expect(loaded.u!.tolist()).toEqual([255, 1]);
    expect(loaded.i!.tolist()).toEqual([-1, 1]);
    expect(loaded.s!.tolist()).toEqual([65535]);
    expect(loaded.s!.dtype).toBe('int32');
  });

  it('refuses integers that do not fit int32, naming the tensor and the value', () => {
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigInt64(8, 2n ** 31n, true);
    expect(() => loadSafetensors(file('{"n":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', big))).toThrow(
      new RangeError("loadSafetensors: tensor 'n' (I64) holds 2147483648 at element 1, outside the int32 range Strata stores integers in"),
    );
    const unsigned = Uint8Array.from([0, 0, 0, 0x80]);
    expect(() => loadSafetensors(file('{"u":{"dtype":"U32","shape":[1],"data_offsets":[0,4]}}', unsigned))).toThrow(
      new RangeError("loadSafetensors: tensor 'u' (U32) holds 2147483648 at element 0, outside the int32 range Strata stores integers in"),
    );
  });
});

describe('loadSafetensors validation', () => {
  const cases: [string, Uint8Array, string][] = [
    ['a buffer shorter than the length prefix', new Uint8Array(5), 'the buffer holds 5 bytes, fewer than the 8-byte header length'],
    ['a header length past the end', file('{}', 0, 100), 'header length 100 runs past the end of the buffer (2 bytes follow the length)'],
    ['a header length over the limit', file('{}', 0, 100_000_001), 'header length 100000001 is larger than the 100000000-byte limit'],
    ['a header that is not UTF-8', Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff]), 'the header is not valid UTF-8'],
    ['a header that is not an object', file('[1, 2]'), 'the header must be a JSON object starting with \'{\', got "[1, 2]"'],
    ['a header that is not JSON', file('{"a": '), "the header is not valid JSON ("],
    ['metadata that is not strings', file('{"__metadata__":{"epoch":3}}'), "__metadata__ must map strings to strings, got 3 under 'epoch'"],
    ['metadata that is not an object', file('{"__metadata__":"x"}'), '__metadata__ must be an object of strings, got "x"'],
    ['a tensor entry that is not an object', file('{"a":7}'), "tensor 'a' must be an object with dtype, shape and data_offsets, got 7"],
    ['an unknown dtype', file('{"a":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}}', 4), "tensor 'a' has unknown dtype \"F7\" (expected one of BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)"],
    ['an FP8 dtype', file('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', 1), "tensor 'a' has dtype F8_E4M3, which Strata cannot read"],
    ['a negative size', file('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4), "tensor 'a' has an invalid shape [-1] (dimension 0 is -1; expected an array of integers in [0, 2^53 - 1])"],
    ['a fractional size', file('{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', 4), "tensor 'a' has an invalid shape [1.5]"],
    ['offsets in the wrong order', file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', 4), "tensor 'a' has invalid data_offsets [4,0] (expected [begin, end], integers with 0 <= begin <= end <= 2^53 - 1)"],
    ['one offset', file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4]}}', 4), "tensor 'a' has invalid data_offsets [4]"],
    ['a size that disagrees with the range', file(`{${f32('a', [2, 3], 0, 20)}}`, 20), "tensor 'a' of shape [2, 3] and dtype F32 needs 24 bytes, but its data_offsets [0, 20] span 20"],
    ['a range past the data section', file(`{${f32('a', [4], 0, 16)}}`, 8), "tensor 'a' has data_offsets [0, 16] past the end of the data section (8 bytes)"],
    ['overlapping ranges', file(`{${f32('a', [2], 0, 8)},${f32('b', [2], 4, 12)}}`, 12), "tensors 'a' and 'b' overlap (bytes [4, 8) of the data section belong to both)"],
    ['a gap at the start', file(`{${f32('a', [1], 4, 8)}}`, 8), 'bytes [0, 4) of the data section belong to no tensor (at the start of the data section)'],
    ['a gap between tensors', file(`{${f32('a', [1], 0, 4)},${f32('b', [1], 8, 12)}}`, 12), "bytes [4, 8) of the data section belong to no tensor (after tensor 'a')"],
    ['trailing bytes', file(`{${f32('a', [1], 0, 4)}}`, 6), 'bytes [4, 6) at the end of the data section belong to no tensor'],
    ['a zero-size tensor inside another', file(`{${f32('a', [2], 0, 8)},${f32('e', [0], 4, 4)}}`, 8), "tensors 'a' and 'e' overlap"],
  ];

  for (const [problem, bytes, message] of cases) {
    it(`names ${problem}`, () => {
      expect(() => loadSafetensors(bytes)).toThrow(`loadSafetensors: ${message}`);
      expect(() => readSafetensorsMetadata(bytes)).toThrow(`readSafetensorsMetadata: ${message}`);
    });
  }

  it('accepts zero-size tensors at a boundary and an unpadded, unsorted header', () => {
    const loaded = loadSafetensors(file(`{${f32('b', [1], 4, 8)},${f32('e', [0, 2], 4, 4)},${f32('a', [1], 0, 4)}}`, Uint8Array.from(new Uint8Array(Float32Array.from([1, 2]).buffer))));
    expect(Object.keys(loaded)).toEqual(['a', 'e', 'b']);
    expect(loaded.e!.shape).toEqual([0, 2]);
    expect(loaded.b!.tolist()).toEqual([2]);
  });

  it('keeps a tensor named __proto__ as an ordinary key', () => {
    const loaded = loadSafetensors(file(`{${f32('__proto__', [1], 0, 4)}}`, 4));
    expect(Object.getPrototypeOf(loaded)).toBe(Object.prototype);
    expect(Object.keys(loaded)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(loaded, '__proto__')!.value.shape).toEqual([1]);
  });

  it('rejects input that is not bytes', () => {
    expect(() => loadSafetensors('abc' as unknown as Uint8Array)).toThrow(
      new TypeError('loadSafetensors: expected the file\'s bytes as a Uint8Array or ArrayBuffer, got string'),
    );
  });
});
