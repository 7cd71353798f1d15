import { bmm, matmul, mm } from '@strata/tensor';

import type { GradcheckCase } from './support.js';

const shapePairs: [number[], number[]][] = [
  [[3], [3]],
  [[2, 3], [3]],
  [[3], [3, 4]],
  [[2, 3], [3, 4]],
  [[2, 2, 3], [3, 2]],
  [[3], [2, 3, 2]],
  [[2, 1, 2, 3], [3, 3, 2]],
];

/** Gradcheck cases of the matrix products: every rank combination, broadcasting batches, transposed leaves. */
export const matmulCases: GradcheckCase[] = [
  ...shapePairs.map(([a, b]): GradcheckCase => ({
    op: 'matmul',
    name: `matmul ${JSON.stringify(a)} × ${JSON.stringify(b)}`,
    inputs: [{ shape: a }, { shape: b }],
    fn: (x, y) => matmul(x!, y!),
  })),
  { op: 'matmul', name: 'mm of transposed leaves', inputs: [{ shape: [3, 4], layout: 'transposed' }, { shape: [4, 2], layout: 'transposed' }], fn: (x, y) => mm(x!, y!) },
  { op: 'matmul', name: 'bmm of strided leaves', inputs: [{ shape: [2, 2, 3], layout: 'strided' }, { shape: [2, 3, 2] }], fn: (x, y) => bmm(x!, y!) },
  { op: 'matmul', name: 'x · xᵀ', inputs: [{ shape: [3, 2] }], fn: (x) => mm(x!, x!.t()) },
];
