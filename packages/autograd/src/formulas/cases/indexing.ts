import { cat, chunk, gather, indexSelect, maskedFill, scatter, scatterAdd, split, stack, tensor } from '@strata/tensor';

import { type GradcheckCase, indices, mask } from './support.js';

/** Gradcheck cases of joining and indexing. */
export const indexingCases: GradcheckCase[] = [
  { op: 'cat', name: 'cat along dim 0', inputs: [{ shape: [2, 3] }, { shape: [1, 3], layout: 'strided' }], fn: (a, b) => cat([a!, b!]) },
  { op: 'cat', name: 'cat along dim 1 of three', inputs: [{ shape: [2, 1] }, { shape: [2, 3], layout: 'transposed' }, { shape: [2, 2] }], fn: (a, b, c) => cat([a!, b!, c!], 1) },
  { op: 'cat', name: 'cat with a constant', inputs: [{ shape: [2, 2] }], fn: (a) => cat([tensor([[1, 2]], { dtype: 'float64' }), a!], 0) },
  { op: 'cat', name: 'cat with an empty piece', inputs: [{ shape: [0, 2] }, { shape: [2, 2] }], fn: (a, b) => cat([a!, b!]) },
  { op: 'cat', name: 'stack', inputs: [{ shape: [2, 3] }, { shape: [2, 3], layout: 'transposed' }], fn: (a, b) => stack([a!, b!], 1) },
  { op: 'slice', name: 'split', inputs: [{ shape: [5, 2] }], fn: (x) => split(x!, 2) },
  { op: 'slice', name: 'chunk', inputs: [{ shape: [2, 6] }], fn: (x) => chunk(x!, 3, 1) },
  { op: 'gather', name: 'gather dim 1', inputs: [{ shape: [3, 4] }], fn: (x) => gather(x!, 1, indices([0, 0, 3, 1, 2, 1], [3, 2])) },
  { op: 'gather', name: 'gather dim 0 of a transposed leaf, repeated indices', inputs: [{ shape: [3, 2], layout: 'transposed' }], fn: (x) => gather(x!, 0, indices([2, 2, 0, 1], [2, 2])) },
  {
    op: 'scatter',
    name: 'scatter a tensor (index smaller than source)',
    inputs: [{ shape: [3, 4] }, { shape: [2, 3] }],
    fn: (x, source) => scatter(x!, 1, indices([3, 0, 1, 2], [2, 2]), source!),
  },
  { op: 'scatter', name: 'scatter a number', inputs: [{ shape: [3, 3], layout: 'strided' }], fn: (x) => scatter(x!, 0, indices([2, 0, 1], [1, 3]), 0.5) },
  {
    op: 'scatterAdd',
    name: 'scatterAdd with repeated indices',
    inputs: [{ shape: [3, 2] }, { shape: [3, 2] }],
    fn: (x, source) => scatterAdd(x!, 0, indices([0, 1, 0, 1, 2, 1], [3, 2]), source!),
  },
  { op: 'scatterAdd', name: 'scatterAdd from a larger source', inputs: [{ shape: [4] }, { shape: [5], layout: 'strided' }], fn: (x, source) => scatterAdd(x!, 0, indices([3, 3]), source!) },
  { op: 'indexSelect', name: 'indexSelect dim 0 with repeats', inputs: [{ shape: [3, 2] }], fn: (x) => indexSelect(x!, 0, indices([2, 0, 2])) },
  { op: 'indexSelect', name: 'indexSelect dim 1 of a transposed leaf', inputs: [{ shape: [2, 4], layout: 'transposed' }], fn: (x) => indexSelect(x!, 1, indices([3, 1])) },
  { op: 'indexSelect', name: 'indexSelect with a 0-d index', inputs: [{ shape: [3, 2] }], fn: (x) => indexSelect(x!, 1, tensor(1, { dtype: 'int32' })) },
  { op: 'maskedFill', name: 'maskedFill with a number', inputs: [{ shape: [2, 3] }], fn: (x) => maskedFill(x!, mask([true, false, false, true, true, false], [2, 3]), 7) },
  { op: 'maskedFill', name: 'maskedFill broadcasting the input', inputs: [{ shape: [3] }], fn: (x) => maskedFill(x!, mask([true, false, false, false, true, false], [2, 3]), -1) },
  { op: 'maskedFill', name: 'maskedFill with a 0-d tensor value', inputs: [{ shape: [2, 2], layout: 'transposed' }, { shape: [] }], fn: (x, value) => maskedFill(x!, mask([false, true]), value!) },
];
