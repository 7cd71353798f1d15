/**
 * The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * two zero bytes, a data type code, the number of dimensions, one big-endian
 * uint32 per dimension, then the elements, big-endian, row-major.
 */

/** The element types IDX files hold, by their JavaScript names. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array of each {@link IdxDType}. */
export interface IdxDTypeArrayMap {
  /** IDX type code 0x08 (unsigned byte): the pixels and labels of MNIST and Fashion-MNIST. */
  uint8: Uint8Array;
  /** IDX type code 0x09 (signed byte). */
  int8: Int8Array;
  /** IDX type code 0x0B (short, 2 bytes big-endian). */
  int16: Int16Array;
  /** IDX type code 0x0C (int, 4 bytes big-endian). */
  int32: Int32Array;
  /** IDX type code 0x0D (float, 4 bytes big-endian). */
  float32: Float32Array;
  /** IDX type code 0x0E (double, 8 bytes big-endian). */
  float64: Float64Array;
}

/** A decoded IDX file: the element type, the dimensions and the elements in row-major order. */
export interface IdxArray<D extends IdxDType = IdxDType> {
  /** The element type, from the file's data type code. */
  readonly dtype: D;
  /** The size of each dimension, as the file lists them (`[60000, 28, 28]` for MNIST's training images). */
  readonly shape: readonly number[];
  /** The elements in row-major order, converted to the platform's byte order; `shape`'s product of them. */
  readonly data: IdxDTypeArrayMap[D];
}

/** Options of {@link readIdx}. */
export interface ReadIdxOptions {
  /**
   * A name for the bytes (a file path) that error messages quote.
   * @defaultValue none
   */
  name?: string;
}

interface DTypeInfo {
  code: number;
  dtype: IdxDType;
  size: number;
  idxName: string;
}

const DTYPE_INFO: readonly DTypeInfo[] = [
  { code: 0x08, dtype: 'uint8', size: 1, idxName: 'unsigned byte' },
  { code: 0x09, dtype: 'int8', size: 1, idxName: 'signed byte' },
  { code: 0x0b, dtype: 'int16', size: 2, idxName: 'short' },
  { code: 0x0c, dtype: 'int32', size: 4, idxName: 'int' },
  { code: 0x0d, dtype: 'float32', size: 4, idxName: 'float' },
  { code: 0x0e, dtype: 'float64', size: 8, idxName: 'double' },
];

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Whether the bytes start with gzip's magic number (`1f 8b`). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function asUint8Array(bytes: Uint8Array | ArrayBuffer, owner: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new TypeError(`${owner}: expected a Uint8Array or an ArrayBuffer`);
}

/**
 * Decodes an (uncompressed) IDX file. Rejects, with an Error that says what
 * is wrong, bytes that are not IDX (wrong magic, gzip not yet decompressed,
 * an unknown data type code) and files whose dimensions do not match the
 * data (truncated or with bytes left over).
 *
 * @example
 * ```ts
 * const labels = readIdx(bytes); // { dtype: 'uint8', shape: [10000], data: Uint8Array }
 * ```
 * @throws Error naming the problem and the expected and actual values.
 */
export function readIdx(bytes: Uint8Array | ArrayBuffer, options: ReadIdxOptions = {}): IdxArray {
  const input = asUint8Array(bytes, 'readIdx');
  const source = options.name === undefined ? '' : ` ${options.name}:`;
  const fail = (message: string): never => {
    throw new Error(`readIdx:${source} ${message}`);
  };
  if (isGzip(input)) fail('the bytes are gzip-compressed; decompress them first (await gunzip(bytes)), or read them with loadIdx or loadIdxFile');
  if (input.length < 4) fail(`expected a header of at least 4 bytes, got ${input.length} bytes`);
  if (input[0] !== 0 || input[1] !== 0) fail(`not an IDX file: the magic number must start with two zero bytes, got ${hex(input[0]!)} ${hex(input[1]!)}`);
  const info = DTYPE_INFO.find((candidate) => candidate.code === input[2]);
  if (info === undefined) {
    fail(`unknown data type code ${hex(input[2]!)}; expected one of ${DTYPE_INFO.map((candidate) => `${hex(candidate.code)} (${candidate.idxName})`).join(', ')}`);
  }
  const { dtype, size } = info!;
  const rank = input[3]!;
  const headerLength = 4 + 4 * rank;
  if (input.length < headerLength) fail(`truncated header: ${rank} dimensions need ${headerLength} header bytes, got ${input.length}`);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) shape.push(view.getUint32(4 + 4 * axis, false));
  const count = shape.reduce((product, dimension) => product * dimension, 1);
  const expectedBytes = count * size;
  const actualBytes = input.length - headerLength;
  const described = `shape [${shape.join(', ')}] of ${dtype} needs ${expectedBytes} data bytes`;
  if (actualBytes < expectedBytes) fail(`truncated: ${described}, got ${actualBytes}`);
  if (actualBytes > expectedBytes) fail(`the dimensions do not match the data: ${described}, got ${actualBytes}`);
  return { dtype, shape: Object.freeze(shape), data: decodeElements(view, headerLength, count, dtype) };
}

function decodeElements(view: DataView, offset: number, count: number, dtype: IdxDType): IdxArray['data'] {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int16': {
      const data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(offset + 2 * i, false);
      return data;
    }
    case 'int32': {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(offset + 4 * i, false);
      return data;
    }
    case 'float32': {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + 4 * i, false);
      return data;
    }
    case 'float64': {
      const data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(offset + 8 * i, false);
      return data;
    }
  }
}

/**
 * Encodes an array as an IDX file (the inverse of {@link readIdx}), e.g. to
 * write a subset of MNIST.
 *
 * @throws RangeError when the shape does not match the number of elements or has more than 255 dimensions.
 */
export function writeIdx(array: IdxArray): Uint8Array {
  const info = DTYPE_INFO.find((candidate) => candidate.dtype === array.dtype);
  if (info === undefined) throw new RangeError(`writeIdx: unknown dtype '${String(array.dtype)}'`);
  const count = array.shape.reduce((product, dimension) => product * dimension, 1);
  if (count !== array.data.length) {
    throw new RangeError(`writeIdx: shape [${array.shape.join(', ')}] has ${count} elements, the data ${array.data.length}`);
  }
  if (array.shape.length > 255) throw new RangeError(`writeIdx: at most 255 dimensions, got ${array.shape.length}`);
  const headerLength = 4 + 4 * array.shape.length;
  const bytes = new Uint8Array(headerLength + count * info.size);
  const view = new DataView(bytes.buffer);
  bytes[2] = info.code;
  bytes[3] = array.shape.length;
  array.shape.forEach((dimension, axis) => view.setUint32(4 + 4 * axis, dimension, false));
  const data = array.data;
  for (let i = 0; i < count; i++) {
    const position = headerLength + i * info.size;
    switch (array.dtype) {
      case 'uint8':
        view.setUint8(position, data[i]!);
        break;
      case 'int8':
        view.setInt8(position, data[i]!);
        break;
      case 'int16':
        view.setInt16(position, data[i]!, false);
        break;
      case 'int32':
        view.setInt32(position, data[i]!, false);
        break;
      case 'float32':
        view.setFloat32(position, data[i]!, false);
        break;
      case 'float64':
        view.setFloat64(position, data[i]!, false);
        break;
    }
  }
  return bytes;
}

/**
 * Decompresses gzip bytes with the web-standard `DecompressionStream`
 * (browsers, Deno, Bun, Node 18+).
 *
 * @throws Error when the runtime has no `DecompressionStream` or the bytes are not valid gzip.
 */
export async function gunzip(bytes: Uint8Array | ArrayBuffer): Promise<Uint8Array> {
  const input = asUint8Array(bytes, 'gunzip');
  if (typeof DecompressionStream !== 'function') throw new Error('gunzip: this runtime has no DecompressionStream; decompress the bytes yourself');
  const stream = new Blob([new Uint8Array(input)]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Decodes an IDX file that may be gzip-compressed (`.gz`, as MNIST is
 * distributed): decompresses it when it starts with gzip's magic number,
 * then reads it with {@link readIdx}.
 *
 * @example
 * ```ts
 * const response = await fetch('/data/t10k-labels-idx1-ubyte.gz');
 * const labels = await loadIdx(new Uint8Array(await response.arrayBuffer()));
 * ```
 * @throws Error as {@link readIdx} does, or when the gzip data is corrupt.
 */
export async function loadIdx(bytes: Uint8Array | ArrayBuffer, options: ReadIdxOptions = {}): Promise<IdxArray> {
  const input = asUint8Array(bytes, 'loadIdx');
  return readIdx(isGzip(input) ? await gunzip(input) : input, options);
}
