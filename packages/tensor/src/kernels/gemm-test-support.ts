/**
 * Operands for the matrix-product tests (matmul.test.ts and
 * wasm/gemm-wasm.test.ts): seeded values in every memory layout `gemm`
 * must accept, behind junk leading elements so offsets are exercised too.
 */

/** How one operand is laid out in its buffer. */
export type Layout = 'rowMajor' | 'columnMajor' | 'spaced' | 'reversed' | 'broadcastRows' | 'scattered';

/** A strided rows×columns matrix: element [i][p] is `data[offset + i*rowStride + p*columnStride]`. */
export interface Operand<Data extends Float32Array | Float64Array = Float32Array | Float64Array> {
  data: Data;
  offset: number;
  rowStride: number;
  columnStride: number;
}

/** Deterministic generator so every failure reproduces (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A rows×columns matrix with values in [-1, 1) stored in `layout` behind a
 * few junk leading elements. 'scattered' rows lie far apart in a big buffer
 * (the wasm driver gathers them instead of copying the whole span).
 */
export function makeOperand<Data extends Float32Array | Float64Array>(
  rows: number, columns: number, layout: Layout, ArrayType: new (length: number) => Data, random: () => number,
): Operand<Data> {
  const lead = 3;
  const spread = layout === 'scattered' ? 12 : 2;
  const size = lead + Math.max(1, rows * columns * spread);
  const data = new ArrayType(size);
  for (let index = 0; index < size; index++) data[index] = random() * 2 - 1;
  switch (layout) {
    case 'rowMajor':
      return { data, offset: lead, rowStride: columns, columnStride: 1 };
    case 'columnMajor':
      return { data, offset: lead, rowStride: 1, columnStride: rows };
    case 'spaced':
      return { data, offset: lead, rowStride: 2 * columns, columnStride: 2 };
    case 'reversed':
      // Negative strides: element [0][0] is the last one of the block.
      return { data, offset: lead + rows * columns - 1, rowStride: -columns, columnStride: -1 };
    case 'broadcastRows':
      // Every row is the same row, as an expanded view has it.
      return { data, offset: lead, rowStride: 0, columnStride: 1 };
    case 'scattered':
      return { data, offset: lead, rowStride: 12 * columns, columnStride: 1 };
  }
}
