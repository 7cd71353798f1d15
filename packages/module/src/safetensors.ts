import { Tensor, describeKind } from '@strata/tensor';
import {
  SAFETENSORS_DTYPES,
  SAFETENSORS_DTYPE_SIZES,
  type SafetensorsDType,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
  asBytes,
  parseHeader,
} from './safetensors-header.js';
import { quoteName } from './safetensors-json.js';
import { setEntry } from './values.js';

export type { SafetensorsDType, SafetensorsHeader, SafetensorsTensorInfo } from './safetensors-header.js';

/** Options of {@link saveSafetensors}. */
export interface SaveSafetensorsOptions {
  /**
   * Which int32 tensors to write as I64, the dtype PyTorch uses for integer
   * buffers (Strata keeps them as int32).
   * @defaultValue keys ending in `'num_batches_tracked'`
   */
  int64Keys?: (key: string) => boolean;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const textEncoder = new TextEncoder();

function defaultInt64Keys(key: string): boolean {
  return key.endsWith('num_batches_tracked');
}

/** Rust's `String` order: bytewise on UTF-8. */
function compareUtf8(a: string, b: string): number {
  const left = textEncoder.encode(a);
  const right = textEncoder.encode(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) if (left[i] !== right[i]) return left[i]! - right[i]!;
  return left.length - right.length;
}

/**
 * Serializes tensors (a state dict) in the safetensors format, byte for byte
 * as the Rust `safetensors` crate writes them: tensors ordered by dtype
 * (widest first) then name, compact JSON header padded with spaces to a
 * multiple of 8 bytes, little-endian row-major data. float32, float64 and
 * bool tensors are written as F32, F64 and BOOL; int32 tensors as I32, or
 * as I64 for the keys `options.int64Keys` picks.
 *
 * @example
 * ```ts
 * const bytes = saveSafetensors(model.stateDict(), { format: 'pt' });
 * model.loadStateDict(loadSafetensors(bytes));
 * ```
 * @throws TypeError when a value is not a Tensor or a metadata value is not a string.
 * @throws Error when a key is `__metadata__`.
 */
export function saveSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> | null = null,
  options: SaveSafetensorsOptions = {},
): Uint8Array {
  const int64Keys = options.int64Keys ?? defaultInt64Keys;
  const prepared: { name: string; tensor: Tensor; dtype: SafetensorsDType }[] = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    if (!(tensor instanceof Tensor)) throw new TypeError(`saveSafetensors: the value under '${name}' is not a Tensor (got ${describeKind(tensor)})`);
    if (name === '__metadata__') throw new Error("saveSafetensors: '__metadata__' is reserved for the metadata and cannot name a tensor");
    prepared.push({ name, tensor, dtype: fileDType(name, tensor, int64Keys) });
  }
  const order = (dtype: SafetensorsDType): number => SAFETENSORS_DTYPES.indexOf(dtype);
  prepared.sort((a, b) => order(b.dtype) - order(a.dtype) || compareUtf8(a.name, b.name));

  const parts: string[] = [];
  if (metadata !== null) {
    const metadataParts: string[] = [];
    for (const key of Object.keys(metadata).sort(compareUtf8)) {
      const value = metadata[key];
      if (typeof value !== 'string') {
        throw new TypeError(`saveSafetensors: metadata values must be strings, got ${describeKind(value)} under '${key}'`);
      }
      metadataParts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
    }
    parts.push(`"__metadata__":{${metadataParts.join(',')}}`);
  }
  let offset = 0;
  for (const { name, tensor, dtype } of prepared) {
    const end = offset + tensor.numel() * SAFETENSORS_DTYPE_SIZES[dtype];
    parts.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${tensor.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = textEncoder.encode(`{${parts.join(',')}}`);
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, headerLength % 0x1_0000_0000, true);
  view.setUint32(4, Math.floor(headerLength / 0x1_0000_0000), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const { tensor, dtype } of prepared) {
    writeData(bytes, view, position, tensor, dtype);
    position += tensor.numel() * SAFETENSORS_DTYPE_SIZES[dtype];
  }
  return bytes;
}

function fileDType(name: string, tensor: Tensor, int64Keys: (key: string) => boolean): SafetensorsDType {
  switch (tensor.dtype) {
    case 'float32':
      return 'F32';
    case 'float64':
      return 'F64';
    case 'bool':
      return 'BOOL';
    case 'int32':
      return int64Keys(name) ? 'I64' : 'I32';
  }
}

function writeData(bytes: Uint8Array, view: DataView, position: number, tensor: Tensor, dtype: SafetensorsDType): void {
  const values = tensor.contiguousData();
  const count = values.length;
  if (dtype === 'I64') {
    for (let i = 0; i < count; i++) {
      const value = values[i]!;
      view.setInt32(position + 8 * i, value, true);
      view.setInt32(position + 8 * i + 4, value < 0 ? -1 : 0, true);
    }
  } else if (dtype === 'BOOL') {
    for (let i = 0; i < count; i++) bytes[position + i] = values[i] !== 0 ? 1 : 0;
  } else if (LITTLE_ENDIAN) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), position);
  } else if (dtype === 'F64') {
    for (let i = 0; i < count; i++) view.setFloat64(position + 8 * i, values[i]!, true);
  } else if (dtype === 'F32') {
    for (let i = 0; i < count; i++) view.setFloat32(position + 4 * i, values[i]!, true);
  } else {
    for (let i = 0; i < count; i++) view.setInt32(position + 4 * i, values[i]!, true);
  }
}

/**
 * The header of a safetensors file (metadata and each tensor's dtype,
 * shape and byte range), validated as {@link loadSafetensors} does, without
 * reading the tensors.
 * @throws TypeError when `bytes` is not a Uint8Array or an ArrayBuffer.
 * @throws Error naming what is wrong with the file, as {@link loadSafetensors}
 * does (with `readSafetensorsMetadata:` in front).
 * @example
 * ```ts
 * readSafetensorsMetadata(bytes).tensors['0.weight']; // { dtype: 'F32', shape: [4, 3], dataOffsets: [begin, end] }
 * ```
 */
export function readSafetensorsMetadata(bytes: Uint8Array | ArrayBuffer): SafetensorsHeader {
  return parseHeader(asBytes(bytes, 'readSafetensorsMetadata'), 'readSafetensorsMetadata');
}

/**
 * Reads the tensors of a safetensors file, in the order of their data
 * (index-like names such as `'0'` first, as in any object). F32
 * and F64 become float32 and float64; F16 and BF16 become float32; the
 * integer dtypes become int32 (PyTorch's int64 buffers included); BOOL
 * becomes bool. The file is validated before anything is read (see
 * {@link readSafetensorsMetadata}), and treated as untrusted: the header's
 * nesting depth is checked before `JSON.parse` sees it, and messages quote
 * names and values cut to 64 characters, so a hostile file gets a short
 * error as fast as its header parses.
 *
 * Every error's message starts with `loadSafetensors:`.
 * @throws TypeError when `bytes` is not a Uint8Array or an ArrayBuffer.
 * @throws Error naming what is wrong with the file, the key and what was
 * expected: a buffer shorter than the 8-byte length prefix; a header longer
 * than 100,000,000 bytes (the Rust crate's limit) or than the buffer; a
 * header that is not UTF-8, not JSON or not an object; arrays and objects
 * nested more than 128 levels deep (the limit of `serde_json`, which the
 * Rust crate parses with; a valid header nests 3); a key twice in the
 * header, in `__metadata__` or in one tensor entry; metadata that is not
 * strings; an entry without `dtype`, `shape` or `data_offsets`; an unknown
 * dtype or an FP8 one; shape dimensions that are not integers in
 * [0, 2^53 - 1], or whose product passes 2^53 - 1; `data_offsets` that are
 * not two such integers in order; a byte range that does not match the
 * shape and dtype; byte ranges past the data section, overlapping, or
 * leaving bytes of it to no tensor.
 * @throws RangeError when an I64, U32 or U64 value does not fit in int32.
 * @example
 * ```ts
 * const response = await fetch('/model.safetensors');
 * model.loadStateDict(loadSafetensors(await response.arrayBuffer()));
 * ```
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const data = asBytes(bytes, 'loadSafetensors');
  const header = parseHeader(data, 'loadSafetensors');
  const result: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(header.tensors)) {
    setEntry(result, name, readTensor(data, header.dataStart, name, info));
  }
  return result;
}

function readTensor(bytes: Uint8Array, dataStart: number, name: string, info: SafetensorsTensorInfo): Tensor {
  const begin = dataStart + info.dataOffsets[0];
  const count = (info.dataOffsets[1] - info.dataOffsets[0]) / SAFETENSORS_DTYPE_SIZES[info.dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, info.dataOffsets[1] - info.dataOffsets[0]);
  // `slice` copies into a fresh, aligned buffer that the tensor then owns.
  const copy = (): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset + begin, bytes.byteOffset + begin + view.byteLength) as ArrayBuffer;
  switch (info.dtype) {
    case 'F32': {
      if (LITTLE_ENDIAN) return Tensor.fromData(new Float32Array(copy()), info.shape);
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(4 * i, true);
      return Tensor.fromData(values, info.shape);
    }
    case 'F64': {
      if (LITTLE_ENDIAN) return Tensor.fromData(new Float64Array(copy()), info.shape);
      const values = new Float64Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat64(8 * i, true);
      return Tensor.fromData(values, info.shape);
    }
    case 'I32': {
      if (LITTLE_ENDIAN) return Tensor.fromData(new Int32Array(copy()), info.shape);
      const values = new Int32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getInt32(4 * i, true);
      return Tensor.fromData(values, info.shape);
    }
    case 'F16':
    case 'BF16': {
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const bits = view.getUint16(2 * i, true);
        values[i] = info.dtype === 'F16' ? halfToNumber(bits) : bfloat16ToNumber(bits);
      }
      return Tensor.fromData(values, info.shape);
    }
    case 'BOOL': {
      const values = new Uint8Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getUint8(i) !== 0 ? 1 : 0;
      return Tensor.fromData(values, info.shape);
    }
    default:
      return Tensor.fromData(readIntegers(view, count, name, info.dtype), info.shape);
  }
}

function readIntegers(view: DataView, count: number, name: string, dtype: SafetensorsDType): Int32Array {
  const values = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let value: number;
    switch (dtype) {
      case 'U8':
        value = view.getUint8(i);
        break;
      case 'I8':
        value = view.getInt8(i);
        break;
      case 'I16':
        value = view.getInt16(2 * i, true);
        break;
      case 'U16':
        value = view.getUint16(2 * i, true);
        break;
      case 'U32':
        value = view.getUint32(4 * i, true);
        break;
      default: {
        // I64 and U64: the value fits in int32 exactly when the high word is the low word's sign extension.
        const low = view.getInt32(8 * i, true);
        const high = view.getInt32(8 * i + 4, true);
        if (high !== low >> 31) {
          const exact = dtype === 'I64' ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true);
          throw new RangeError(`loadSafetensors: tensor ${quoteName(name)} (${dtype}) holds ${exact} at element ${i}, outside the int32 range Strata stores integers in`);
        }
        value = low;
      }
    }
    if (value > 0x7fff_ffff) {
      throw new RangeError(`loadSafetensors: tensor ${quoteName(name)} (${dtype}) holds ${value} at element ${i}, outside the int32 range Strata stores integers in`);
    }
    values[i] = value;
  }
  return values;
}

/** An IEEE 754 half-precision value's number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A bfloat16 value's number: the high half of a float32. */
function bfloat16ToNumber(bits: number): number {
  bfloat16Scratch.setUint32(0, bits << 16);
  return bfloat16Scratch.getFloat32(0);
}

const bfloat16Scratch = new DataView(new ArrayBuffer(4));
