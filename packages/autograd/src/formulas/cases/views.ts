import type { Tensor } from '@strata/tensor';

import type { GradcheckCase } from './support.js';

/** Gradcheck cases of the views and casts. */
export const viewCases: GradcheckCase[] = [
  { op: 'reshape', name: 'reshape', inputs: [{ shape: [2, 3] }], fn: (x) => x.reshape(3, 2) },
  { op: 'reshape', name: 'reshape of a transposed leaf (copies)', inputs: [{ shape: [3, 4], layout: 'transposed' }], fn: (x) => x.reshape(-1) },
  { op: 'reshape', name: 'view', inputs: [{ shape: [2, 3, 2] }], fn: (x) => x.view(6, 2) },
  { op: 'reshape', name: 'flatten', inputs: [{ shape: [2, 3, 2], layout: 'strided' }], fn: (x) => x.flatten(1) },
  { op: 'reshape', name: 'squeeze and unsqueeze', inputs: [{ shape: [2, 1, 3] }], fn: (x) => x.squeeze(1).unsqueeze(0) },
  { op: 'reshape', name: 'squeeze to 0-d and back', inputs: [{ shape: [1, 1] }], fn: (x) => x.squeeze().mul(x.squeeze()) },
  { op: 'permute', name: 'permute', inputs: [{ shape: [2, 3, 4] }], fn: (x) => x.permute(2, 0, 1) },
  { op: 'permute', name: 'transpose', inputs: [{ shape: [3, 4], layout: 'strided' }], fn: (x) => x.transpose(0, 1) },
  { op: 'permute', name: 't', inputs: [{ shape: [2, 3] }], fn: (x) => x.t() },
  { op: 'expand', name: 'expand size-1 dims', inputs: [{ shape: [3, 1] }], fn: (x) => x.expand(3, 4) },
  { op: 'expand', name: 'expand with new leading dims', inputs: [{ shape: [1, 2] }], fn: (x) => x.expand(2, 3, -1) },
  { op: 'expand', name: 'expand a 0-d tensor', inputs: [{ shape: [] }], fn: (x) => x.expand(2, 2) },
  { op: 'slice', name: 'slice with a step', inputs: [{ shape: [7, 2] }], fn: (x) => x.slice(0, 1, 6, 2) },
  { op: 'slice', name: 'slice with a step running off the end', inputs: [{ shape: [3, 8] }], fn: (x) => x.slice(1, 2, undefined, 3) },
  { op: 'slice', name: 'narrow of a transposed leaf', inputs: [{ shape: [4, 5], layout: 'transposed' }], fn: (x) => x.narrow(1, 1, 3) },
  { op: 'slice', name: 'empty slice', inputs: [{ shape: [3] }], fn: (x) => x.slice(0, 2, 2).sum().add(x) },
  { op: 'select', name: 'select', inputs: [{ shape: [3, 4] }], fn: (x) => x.select(1, 2) },
  { op: 'select', name: 'select with a negative index', inputs: [{ shape: [2, 3, 2] }], fn: (x) => x.select(0, -1) },
  { op: 'select', name: 'select from 1-d to 0-d', inputs: [{ shape: [4] }], fn: (x) => x.select(0, 1) },
  { op: 'clone', name: 'clone', inputs: [{ shape: [2, 3], layout: 'transposed' }], fn: (x) => x.clone() },
  { op: 'clone', name: 'contiguous', inputs: [{ shape: [3, 2], layout: 'strided' }], fn: (x) => x.contiguous() },
  {
    op: 'to',
    name: 'to float32 and back',
    inputs: [{ shape: [2, 3], domain: { low: 0.5, high: 1 } }],
    fn: (x: Tensor) => x.float().mul(x.float()).double(),
    // float32 rounding (1e-7 relative) needs a larger step.
    options: { eps: 1e-3, atol: 1e-3 },
  },
];
