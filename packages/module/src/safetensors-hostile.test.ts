import { describe, expect, it } from 'vitest';
import { loadSafetensors, readSafetensorsMetadata } from './safetensors.js';
import { MAX_HEADER_DEPTH, quoteJson } from './safetensors-json.js';

/** A file from a header string (unpadded) and `data` zero bytes of data. */
function file(header: string, data = 0): Uint8Array {
  const json = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + json.length + data);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 8);
  return bytes;
}

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const entry = (shape: string, offsets = '[0,0]', dtype = '"F32"'): string => `{"dtype":${dtype},"shape":${shape},"data_offsets":${offsets}}`;

/** The message `loadSafetensors` throws for `bytes`; fails the test when it loads. */
function messageOf(bytes: Uint8Array): string {
  try {
    loadSafetensors(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error('expected loadSafetensors to throw');
}

describe('loadSafetensors: a header nested deeper than the limit', () => {
  const tooDeep = (where: string, position: number): string =>
    `loadSafetensors: the header nests arrays and objects deeper than the limit of 128 levels${where} (at character ${position}; a valid header nests 3)`;

  it('is refused before anything recursive runs, wherever the nesting is', () => {
    // 100,000 levels overflow JSON.stringify (and recursive JSON parsers); the scan stops at level 129.
    expect(messageOf(file(`{"a":${nested(100_000)}}`))).toBe(tooDeep(" under 'a'", 5 + 127));
    expect(messageOf(file(`{"__metadata__":{"k":${nested(100_000)}}}`))).toBe(tooDeep(" under '__metadata__'", 21 + 126));
    expect(messageOf(file(`{"a":${entry(nested(100_000))}}`))).toBe(tooDeep(" under 'a'", 28 + 126));
    expect(messageOf(file(`{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`))).toBe(tooDeep(" under 'a'", 5 + 127 * 5));
    expect(messageOf(file(`{${nested(1000)}}`))).toBe(tooDeep('', 128));
    expect(() => readSafetensorsMetadata(file(`{"a":${nested(100_000)}}`))).toThrow(/^readSafetensorsMetadata: the header nests/);
  });

  it('lets 128 levels through to the ordinary checks', () => {
    expect(MAX_HEADER_DEPTH).toBe(128);
    expect(messageOf(file(`{"a":${nested(127)}}`))).toBe(
      `loadSafetensors: tensor 'a' must be an object with dtype, shape and data_offsets, got ${'['.repeat(64)}… (an array of 1 element)`,
    );
    expect(messageOf(file(`{"a":${nested(128)}}`))).toMatch(/deeper than the limit of 128 levels under 'a'/);
    // Brackets inside strings do not count.
    expect(Object.keys(loadSafetensors(file(`{"__metadata__":{"k":"${'['.repeat(1000)}"},"[[[":${entry('[0]')}}`)))).toEqual(['[[[']);
  });
});

describe('loadSafetensors: quoted values are cut to a short prefix', () => {
  const zeros = `[${new Array<number>(5_000_000).fill(0).join(',')}]`;
  // The other cases use a shorter array: the cost of each is JSON.parse's, about 0.1 µs per character on this machine.
  const fewerZeros = `[${new Array<number>(100_000).fill(0).join(',')}]`;
  const prefix = `[${'0,'.repeat(31)}0…`;

  it('quotes a 5-million-element array in a short message', () => {
    expect(messageOf(file(`{"a":${zeros}}`))).toBe(
      `loadSafetensors: tensor 'a' must be an object with dtype, shape and data_offsets, got ${prefix} (an array of 5000000 elements)`,
    );
    expect(messageOf(file(`{"__metadata__":${fewerZeros}}`))).toBe(
      `loadSafetensors: __metadata__ must be an object of strings, got ${prefix} (an array of 100000 elements)`,
    );
    expect(messageOf(file(`{"a":${entry('[1]', fewerZeros)}}`))).toBe(
      `loadSafetensors: tensor 'a' has invalid data_offsets ${prefix} (an array of 100000 elements) (expected [begin, end], integers with 0 <= begin <= end <= 2^53 - 1)`,
    );
    expect(messageOf(file(`{"a":${entry(fewerZeros.replace(/0/g, '1'), '[0,1]')}}`))).toBe(
      `loadSafetensors: tensor 'a' of shape [${'1, '.repeat(16)}…] (100000 dimensions) and dtype F32 needs 4 bytes, but its data_offsets [0, 1] span 1`,
    );
  });

  it('cuts long names, strings and objects, and the engine message for invalid JSON', () => {
    const name = 'x'.repeat(1_000_000);
    expect(messageOf(file(`{"${name}":7}`))).toBe(
      `loadSafetensors: tensor '${'x'.repeat(64)}…' must be an object with dtype, shape and data_offsets, got 7`,
    );
    expect(messageOf(file(`{"__metadata__":{"${name}":1}}`))).toBe(`loadSafetensors: __metadata__ must map strings to strings, got 1 under '${'x'.repeat(64)}…'`);
    expect(messageOf(file(`{"a":${entry('[1]', '[0,4]', `"${name}"`)}}`, 4))).toMatch(
      new RegExp(`^loadSafetensors: tensor 'a' has unknown dtype "${'x'.repeat(63)}… \\(a string of 1000000 characters\\) \\(expected one of BOOL`),
    );
    expect(quoteJson({ [name]: 1 })).toBe(`{"${'x'.repeat(62)}…`);
    expect(quoteJson({ a: [1, 'b', null, true], c: {} })).toBe('{"a":[1,"b",null,true],"c":{}}');
    expect(messageOf(file(`{"a":${fewerZeros}`)).length).toBeLessThan(300);
  });
});

describe('loadSafetensors: keys that appear twice', () => {
  const twice = 'expected each key once: JSON.parse would silently keep the last';

  it('are refused in the header and inside a tensor entry or the metadata', () => {
    expect(messageOf(file(`{"a":${entry('[1]', '[0,4]')},"a":${entry('[0]', '[4,4]')}}`, 4))).toBe(
      `loadSafetensors: the header has tensor 'a' twice (${twice})`,
    );
    expect(messageOf(file(`{"__metadata__":{},"__metadata__":{}}`))).toBe(`loadSafetensors: the header has '__metadata__' twice (${twice})`);
    expect(messageOf(file('{"a":{"dtype":"F32","shape":[1],"shape":[1],"data_offsets":[0,4]}}', 4))).toBe(
      `loadSafetensors: tensor 'a' has the key 'shape' twice (${twice})`,
    );
    expect(messageOf(file('{"__metadata__":{"k":"1","k":"2"}}'))).toBe(`loadSafetensors: __metadata__ has the key 'k' twice (${twice})`);
    // Escapes spell the same key.
    expect(messageOf(file(`{"a":${entry('[0]')},"\\u0061":${entry('[0]')}}`))).toBe(`loadSafetensors: the header has tensor 'a' twice (${twice})`);
  });

  it('tells keys from strings that look like them, and reports invalid JSON first', () => {
    const header = `{"__metadata__":{"note":"\\"a\\":1, \\\\","a":"x"},"a":${entry('[0]')},"b":${entry('[0]')}}`;
    expect(Object.keys(loadSafetensors(file(header)))).toEqual(['a', 'b']);
    expect(messageOf(file('{"a":1,"a"}'))).toMatch(/^loadSafetensors: the header is not valid JSON \(/);
    // The same key in different entries is no duplicate.
    expect(readSafetensorsMetadata(file(`{"a":${entry('[0]')},"b":${entry('[0]')}}`)).tensors.b!.shape).toEqual([0]);
  });
});

describe('loadSafetensors: sizes and offsets', () => {
  const invalidShape = (shape: string, dimension: string): string =>
    `loadSafetensors: tensor 'a' has an invalid shape ${shape} (${dimension}; expected an array of integers in [0, 2^53 - 1])`;
  const invalidOffsets = (offsets: string): string =>
    `loadSafetensors: tensor 'a' has invalid data_offsets ${offsets} (expected [begin, end], integers with 0 <= begin <= end <= 2^53 - 1)`;

  it('refuses shape dimensions that are not safe non-negative integers', () => {
    expect(messageOf(file(`{"a":${entry('[1e300,0]')}}`))).toBe(invalidShape('[1e+300,0]', 'dimension 0 is 1e+300'));
    expect(messageOf(file(`{"a":${entry('[0,9007199254740992]')}}`))).toBe(invalidShape('[0,9007199254740992]', 'dimension 1 is 9007199254740992'));
    expect(messageOf(file(`{"a":${entry('[2,-3]')}}`))).toBe(invalidShape('[2,-3]', 'dimension 1 is -3'));
    expect(messageOf(file(`{"a":${entry('[1,"2"]')}}`))).toBe(invalidShape('[1,"2"]', 'dimension 1 is "2"'));
    expect(messageOf(file(`{"a":${entry('3')}}`))).toBe("loadSafetensors: tensor 'a' has an invalid shape 3 (expected an array of integers in [0, 2^53 - 1])");
  });

  it('refuses a shape whose element count overflows, even with a 0 after it', () => {
    expect(messageOf(file(`{"a":${entry('[1099511627776,1099511627776,0]')}}`))).toBe(
      "loadSafetensors: tensor 'a' has shape [1099511627776, 1099511627776, 0], whose element count exceeds 2^53 - 1",
    );
  });

  it('refuses data_offsets that are not two ordered safe integers', () => {
    expect(messageOf(file(`{"a":${entry('[0]', '[0.5,0.5]')}}`))).toBe(invalidOffsets('[0.5,0.5]'));
    expect(messageOf(file(`{"a":${entry('[0]', '["0",0]')}}`))).toBe(invalidOffsets('["0",0]'));
    expect(messageOf(file(`{"a":${entry('[0]', '[0,0,0]')}}`))).toBe(invalidOffsets('[0,0,0]'));
    expect(messageOf(file(`{"a":${entry('[0]', '[9007199254740992,9007199254740992]')}}`))).toBe(invalidOffsets('[9007199254740992,9007199254740992]'));
    expect(messageOf(file(`{"a":${entry('[0]', '{"0":0,"1":0}')}}`))).toBe(invalidOffsets('{"0":0,"1":0}'));
  });

  it('names a missing field', () => {
    expect(messageOf(file('{"a":{"dtype":"F32","data_offsets":[0,0]}}'))).toBe(
      "loadSafetensors: tensor 'a' has no shape (expected an object with dtype, shape and data_offsets)",
    );
    expect(messageOf(file('{"a":{}}'))).toBe("loadSafetensors: tensor 'a' has no dtype (expected an object with dtype, shape and data_offsets)");
  });

  it('reads JSON -0 as 0', () => {
    const header = readSafetensorsMetadata(file(`{"a":${entry('[-0]', '[-0,0]')}}`));
    expect(Object.is(header.tensors.a!.shape[0], 0)).toBe(true);
    expect(Object.is(header.tensors.a!.dataOffsets[0], 0)).toBe(true);
  });
});
