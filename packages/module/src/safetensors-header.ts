/**
 * The safetensors header: its dtypes, and reading and validating it from a
 * file's bytes without ever reading outside them.
 *
 * Layout: 8 bytes of little-endian u64 `N`, then `N` bytes of UTF-8 JSON
 * (`{"__metadata__": {...}, "name": {"dtype", "shape", "data_offsets"}, ...}`,
 * padded with spaces), then the data section, which the tensors' byte ranges
 * must tile exactly.
 */

import { formatShape } from '@strata/tensor';
import { engineMessage, quoteJson, quoteName, scanHeaderJson } from './safetensors-json.js';

/** The dtypes of the safetensors format, in the order of the Rust `Dtype` enum (writers sort by it). */
export const SAFETENSORS_DTYPES = [
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
] as const;

/** A dtype name of the safetensors format. */
export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_SIZES: Readonly<Record<SafetensorsDType, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The safetensors dtypes Strata reads (the FP8 formats are not among them). */
export const READABLE_DTYPES: ReadonlySet<SafetensorsDType> = new Set<SafetensorsDType>([
  'BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
]);

/** The Rust implementation's limit on the header size. */
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor's entry in a safetensors header. */
export interface SafetensorsTensorInfo {
  /** The element type, as the file names it (`'F32'`, `'I64'`, ...). */
  dtype: SafetensorsDType;
  /** The shape. */
  shape: number[];
  /** The tensor's byte range `[begin, end)` within the data section. */
  dataOffsets: [number, number];
}

/** What a safetensors header holds. */
export interface SafetensorsHeader {
  /** The free-form `__metadata__` strings, or `null` when the file has none. */
  metadata: Record<string, string> | null;
  /** Each tensor's entry, in the order of their data (index-like names such as `'0'` first, as in any object). */
  tensors: Record<string, SafetensorsTensorInfo>;
  /** Where the data section starts in the file: 8 plus the header length. */
  dataStart: number;
}

/** Views `bytes` (a Uint8Array, ArrayBuffer or any typed array) as a Uint8Array. */
export function asBytes(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, op: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError(`${op}: expected the file's bytes as a Uint8Array or ArrayBuffer, got ${bytes === null ? 'null' : typeof bytes}`);
}

/**
 * Parses and validates the header of a safetensors file held in `bytes`.
 * Every message starts with `op` and quotes names and values cut to a short
 * prefix, so a hostile header cannot make a huge message.
 * @throws Error naming the problem: a buffer too short for the length
 * prefix, a header length over 100,000,000 bytes or past the buffer's end,
 * a header that is not a UTF-8 JSON object, nests arrays and objects more
 * than 128 levels deep (`MAX_HEADER_DEPTH`) or repeats a key (in the header or in one
 * entry), an entry with an unknown dtype, a bad shape (not an array of
 * integers in [0, 2^53 - 1], or more elements than that) or bad offsets
 * (not two such integers in order), a shape whose size disagrees with its
 * byte range, byte ranges outside the data section, overlapping, or leaving
 * bytes of it uncovered.
 */
export function parseHeader(bytes: Uint8Array, op: string): SafetensorsHeader {
  if (bytes.length < 8) {
    throw new Error(`${op}: the buffer holds ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const prefix = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const headerLength = prefix.getUint32(0, true) + prefix.getUint32(4, true) * 0x1_0000_0000;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new Error(`${op}: header length ${headerLength} is larger than the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (headerLength > bytes.length - 8) {
    throw new Error(`${op}: header length ${headerLength} runs past the end of the buffer (${bytes.length - 8} bytes follow the length)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new Error(`${op}: the header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) {
    throw new Error(`${op}: the header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 16))}`);
  }
  // The scan bounds the depth before anything recursive sees the text; its duplicate is reported once the text is known to be JSON.
  const duplicate = scanHeaderJson(text, op);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${op}: the header is not valid JSON (${engineMessage(error)})`);
  }
  if (duplicate !== null) throw new Error(duplicate);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${op}: the header must be a JSON object`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: [string, SafetensorsTensorInfo][] = [];
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') metadata = parseMetadata(value, op);
    else entries.push([name, parseTensorInfo(name, value, dataLength, op)]);
  }
  checkTiling(entries, dataLength, op);
  const tensors: Record<string, SafetensorsTensorInfo> = {};
  for (const [name, info] of entries) {
    Object.defineProperty(tensors, name, { value: info, writable: true, enumerable: true, configurable: true });
  }
  return { metadata, tensors, dataStart };
}

function parseMetadata(value: unknown, op: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${op}: __metadata__ must be an object of strings, got ${quoteJson(value)}`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, text] of Object.entries(value as Record<string, unknown>)) {
    if (typeof text !== 'string') {
      throw new Error(`${op}: __metadata__ must map strings to strings, got ${quoteJson(text)} under ${quoteName(key)}`);
    }
    Object.defineProperty(metadata, key, { value: text, writable: true, enumerable: true, configurable: true });
  }
  return metadata;
}

/** A size or byte offset: an integer in [0, 2^53 - 1] (what the Rust crate's `usize` holds, as far as a JS number is exact). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A shape for a message: PyTorch's `[2, 3]`, cut after 16 dimensions. */
function shapeText(shape: readonly number[]): string {
  if (shape.length <= 16) return formatShape(shape);
  return `${formatShape(shape.slice(0, 16)).slice(0, -1)}, …] (${shape.length} dimensions)`;
}

function parseTensorInfo(name: string, value: unknown, dataLength: number, op: string): SafetensorsTensorInfo {
  const tensor = `tensor ${quoteName(name)}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${op}: ${tensor} must be an object with dtype, shape and data_offsets, got ${quoteJson(value)}`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  for (const [key, field] of [['dtype', dtype], ['shape', shape], ['data_offsets', offsets]] as const) {
    if (field === undefined) throw new Error(`${op}: ${tensor} has no ${key} (expected an object with dtype, shape and data_offsets)`);
  }
  if (typeof dtype !== 'string' || !(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
    throw new Error(`${op}: ${tensor} has unknown dtype ${quoteJson(dtype)} (expected one of ${SAFETENSORS_DTYPES.join(', ')})`);
  }
  const knownDType = dtype as SafetensorsDType;
  if (!READABLE_DTYPES.has(knownDType)) {
    throw new Error(`${op}: ${tensor} has dtype ${dtype}, which Strata cannot read`);
  }
  const badDimension = Array.isArray(shape) ? (shape as unknown[]).findIndex((size) => !isCount(size)) : -1;
  if (!Array.isArray(shape) || badDimension >= 0) {
    const which = badDimension >= 0 ? `dimension ${badDimension} is ${quoteJson((shape as unknown[])[badDimension])}; ` : '';
    throw new Error(`${op}: ${tensor} has an invalid shape ${quoteJson(shape)} (${which}expected an array of integers in [0, 2^53 - 1])`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw new Error(`${op}: ${tensor} has invalid data_offsets ${quoteJson(offsets)} (expected [begin, end], integers with 0 <= begin <= end <= 2^53 - 1)`);
  }
  // `+ 0` turns JSON's -0 into 0.
  const sizes = (shape as number[]).map((size) => size + 0);
  const begin = (offsets[0] as number) + 0;
  const end = (offsets[1] as number) + 0;
  // Multiplied in order and checked at each step, as the Rust crate does, so a huge dimension before a 0 is still refused.
  let elements = 1;
  for (const size of sizes) {
    elements *= size;
    if (!Number.isSafeInteger(elements)) {
      throw new Error(`${op}: ${tensor} has shape ${shapeText(sizes)}, whose element count exceeds 2^53 - 1`);
    }
  }
  const needed = elements * SAFETENSORS_DTYPE_SIZES[knownDType];
  if (needed !== end - begin) {
    throw new Error(
      `${op}: ${tensor} of shape ${shapeText(sizes)} and dtype ${dtype} needs ${needed} bytes, but its data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  if (end > dataLength) {
    throw new Error(`${op}: ${tensor} has data_offsets [${begin}, ${end}] past the end of the data section (${dataLength} bytes)`);
  }
  return { dtype: knownDType, shape: sizes, dataOffsets: [begin, end] };
}

/** The byte ranges must cover the data section exactly once: no gaps, no overlaps. */
function checkTiling(entries: [string, SafetensorsTensorInfo][], dataLength: number, op: string): void {
  entries.sort(([, left], [, right]) => left.dataOffsets[0] - right.dataOffsets[0] || left.dataOffsets[1] - right.dataOffsets[1]);
  let covered = 0;
  let previous: string | null = null;
  for (const [name, info] of entries) {
    const [begin, end] = info.dataOffsets;
    if (begin < covered) {
      throw new Error(`${op}: tensors ${quoteName(previous!)} and ${quoteName(name)} overlap (bytes [${begin}, ${Math.min(end, covered)}) of the data section belong to both)`);
    }
    if (begin > covered) {
      const after = previous === null ? 'at the start of the data section' : `after tensor ${quoteName(previous)}`;
      throw new Error(`${op}: bytes [${covered}, ${begin}) of the data section belong to no tensor (${after})`);
    }
    covered = end;
    previous = name;
  }
  if (covered !== dataLength) {
    throw new Error(`${op}: bytes [${covered}, ${dataLength}) at the end of the data section belong to no tensor`);
  }
}
