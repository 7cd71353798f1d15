import { type TypedArray, allocate } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { dimLayout } from './reduction-layout.js';

/*
 * Kernels that normalize along one dim: softmax, logSoftmax, softmin, and
 * glu (which halves it). The input is read as [outer, size, inner] around
 * the dim; inner === 1 (the last dim) walks contiguous rows, inner > 1 sweeps
 * whole rows into `inner` lanes.
 */

type Normalization = 'softmax' | 'logSoftmax' | 'softmin';

/**
 * exp(x - max) / Σ exp(x - max) along a dim (or its log, or of -x),
 * with the maximum subtracted so exp never overflows. A NaN, or a row whose
 * maximum is ±∞, gives NaN in the row, as in PyTorch.
 */
function normalize(input: Tensor, dim: number, mode: Normalization): Tensor {
  const { data, outer, size, inner } = dimLayout(input, dim);
  const target = allocate(input.dtype, data.length);
  const sign = mode === 'softmin' ? -1 : 1;
  if (inner === 1) {
    normalizeRows(data, target, outer, size, sign, mode === 'logSoftmax');
  } else {
    normalizeLanes(data, target, outer, size, inner, sign, mode === 'logSoftmax');
  }
  return Tensor.fromData(target, input.shape);
}

function normalizeRows(
  data: TypedArray,
  target: TypedArray,
  outer: number,
  size: number,
  sign: number,
  logarithm: boolean,
): void {
  const exponentials = new Float64Array(size);
  for (let o = 0; o < outer; o++) {
    const start = o * size;
    let maximum = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < size; j++) {
      const value = sign * data[start + j]!;
      if (value > maximum || value !== value) maximum = value;
    }
    let total = 0;
    for (let j = 0; j < size; j++) {
      const e = Math.exp(sign * data[start + j]! - maximum);
      exponentials[j] = e;
      total += e;
    }
    if (logarithm) {
      const logTotal = Math.log(total);
      for (let j = 0; j < size; j++) target[start + j] = sign * data[start + j]! - maximum - logTotal;
    } else {
      // One division per row, as PyTorch's kernel does.
      const scale = 1 / total;
      for (let j = 0; j < size; j++) target[start + j] = exponentials[j]! * scale;
    }
  }
}

function normalizeLanes(
  data: TypedArray,
  target: TypedArray,
  outer: number,
  size: number,
  inner: number,
  sign: number,
  logarithm: boolean,
): void {
  const maxima = new Float64Array(inner);
  const totals = new Float64Array(inner);
  const exponentials = new Float64Array(size * inner);
  for (let o = 0; o < outer; o++) {
    const block = o * size * inner;
    maxima.fill(Number.NEGATIVE_INFINITY);
    for (let j = 0, p = block; j < size; j++, p += inner) {
      for (let i = 0; i < inner; i++) {
        const value = sign * data[p + i]!;
        if (value > maxima[i]! || value !== value) maxima[i] = value;
      }
    }
    totals.fill(0);
    for (let j = 0, p = block, q = 0; j < size; j++, p += inner, q += inner) {
      for (let i = 0; i < inner; i++) {
        const e = Math.exp(sign * data[p + i]! - maxima[i]!);
        exponentials[q + i] = e;
        totals[i]! += e;
      }
    }
    if (logarithm) {
      for (let i = 0; i < inner; i++) totals[i] = Math.log(totals[i]!);
      for (let j = 0, p = block; j < size; j++, p += inner) {
        for (let i = 0; i < inner; i++) target[p + i] = sign * data[p + i]! - maxima[i]! - totals[i]!;
      }
    } else {
      for (let i = 0; i < inner; i++) totals[i] = 1 / totals[i]!;
      for (let j = 0, p = block, q = 0; j < size; j++, p += inner, q += inner) {
        for (let i = 0; i < inner; i++) target[p + i] = exponentials[q + i]! * totals[i]!;
      }
    }
  }
}

/** exp(x) / Σ exp(x) along `dim` (in range), max-shifted. */
export function softmaxKernel(input: Tensor, dim: number): Tensor {
  return normalize(input, dim, 'softmax');
}

/** x - log Σ exp(x) along `dim` (in range), max-shifted. */
export function logSoftmaxKernel(input: Tensor, dim: number): Tensor {
  return normalize(input, dim, 'logSoftmax');
}

/** softmax(-x) along `dim` (in range). */
export function softminKernel(input: Tensor, dim: number): Tensor {
  return normalize(input, dim, 'softmin');
}

/**
 * The gated linear unit: with a and b the first and second halves of `dim`
 * (whose size must be even), a · sigmoid(b).
 */
export function gluKernel(input: Tensor, dim: number): Tensor {
  const { data, outer, size, inner } = dimLayout(input, dim);
  const half = size / 2;
  const shape = [...input.shape];
  shape[dim] = half;
  const target = allocate(input.dtype, outer * half * inner);
  const span = half * inner;
  for (let o = 0; o < outer; o++) {
    const from = o * size * inner;
    const to = o * span;
    for (let k = 0; k < span; k++) {
      const gate = data[from + span + k]!;
      // The stable sigmoid, as in sigmoidKernel.
      let sigmoid: number;
      if (gate >= 0) {
        sigmoid = 1 / (1 + Math.exp(-gate));
      } else {
        const e = Math.exp(gate);
        sigmoid = e / (1 + e);
      }
      target[to + k] = data[from + k]! * sigmoid;
    }
  }
  return Tensor.fromData(target, shape);
}
