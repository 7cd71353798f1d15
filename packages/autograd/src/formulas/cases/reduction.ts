import * as ops from '@strata/tensor';

import type { GradcheckCase } from './support.js';

type DimReduction = 'sum' | 'mean' | 'prod' | 'logsumexp' | 'amax' | 'amin';

/** The dims each reduction is checked over: all, one (negative too), several, with and without keepdim. */
const dimVariants: { label: string; dim: ops.ReductionDim | undefined; keepdim: boolean }[] = [
  { label: 'all dims', dim: undefined, keepdim: false },
  { label: 'dim 1', dim: 1, keepdim: false },
  { label: 'dim -1 keepdim', dim: -1, keepdim: true },
  { label: 'dims [0, 2]', dim: [0, 2], keepdim: false },
  { label: 'dims [0, 2] keepdim', dim: [0, 2], keepdim: true },
];

function dimCases(op: DimReduction): GradcheckCase[] {
  const fn = ops[op] as (input: ops.Tensor, dim?: ops.ReductionDim, keepdim?: boolean) => ops.Tensor;
  return [
    ...dimVariants.map(({ label, dim, keepdim }): GradcheckCase => ({
      op,
      name: `${op} over ${label}`,
      inputs: [{ shape: [2, 3, 2], layout: 'transposed' }],
      fn: (x) => fn(x!, dim, keepdim),
    })),
    { op, name: `${op} of a 0-d tensor`, inputs: [{ shape: [] }], fn: (x) => fn(x!, 0) },
    { op, name: `${op} of a strided leaf`, inputs: [{ shape: [3, 3], layout: 'strided' }], fn: (x) => fn(x!, 0) },
  ];
}

/** Gradcheck cases of the reductions. */
export const reductionCases: GradcheckCase[] = [
  ...(['sum', 'mean', 'prod', 'logsumexp', 'amax', 'amin'] as const).flatMap(dimCases),
  {
    op: 'prod',
    name: 'prod with one zero',
    inputs: [ops.tensor([[1, 0, 2], [3, 4, 5]], { dtype: 'float64' }), { shape: [2, 3] }],
    fn: (zeros, x) => ops.prod(x!.mul(zeros!), 1),
  },
  {
    op: 'prod',
    name: 'prod with two zeros',
    inputs: [ops.tensor([0, 1.5, 0, 2], { dtype: 'float64' }).requiresGrad_()],
    fn: (x) => ops.prod(x!),
  },
  {
    op: 'prod',
    name: 'prod with one zero, all dims',
    inputs: [ops.tensor([[0.5, 0], [2, -1.5]], { dtype: 'float64' }).requiresGrad_()],
    fn: (x) => ops.prod(x!),
  },
  { op: 'max', name: 'max of all elements', inputs: [{ shape: [3, 4], layout: 'transposed' }], fn: (x) => ops.max(x!) },
  { op: 'min', name: 'min of all elements', inputs: [{ shape: [2, 3, 2] }], fn: (x) => ops.min(x!) },
  { op: 'maxWithIndices', name: 'max along a dim', inputs: [{ shape: [3, 4], layout: 'strided' }], fn: (x) => ops.max(x!, 1) },
  { op: 'maxWithIndices', name: 'maxWithIndices keepdim', inputs: [{ shape: [2, 3, 2] }], fn: (x) => ops.maxWithIndices(x!, 0, true).values },
  { op: 'maxWithIndices', name: 'maxWithIndices of a 0-d tensor', inputs: [{ shape: [] }], fn: (x) => ops.maxWithIndices(x!, 0).values },
  { op: 'minWithIndices', name: 'min along a dim', inputs: [{ shape: [3, 4], layout: 'transposed' }], fn: (x) => ops.min(x!, -1) },
  { op: 'minWithIndices', name: 'minWithIndices keepdim', inputs: [{ shape: [2, 3] }], fn: (x) => ops.minWithIndices(x!, 1, true).values },
  { op: 'var', name: 'var of all elements', inputs: [{ shape: [3, 4] }], fn: (x) => ops.variance(x!) },
  { op: 'var', name: 'var along dims, population', inputs: [{ shape: [2, 3, 4], layout: 'transposed' }], fn: (x) => ops.variance(x!, [0, 2], { correction: 0 }) },
  { op: 'var', name: 'var keepdim, correction 2', inputs: [{ shape: [3, 5] }], fn: (x) => ops.variance(x!, 1, { correction: 2, keepdim: true }) },
  { op: 'std', name: 'std of all elements', inputs: [{ shape: [3, 4], layout: 'strided' }], fn: (x) => ops.std(x!) },
  { op: 'std', name: 'std along a dim keepdim', inputs: [{ shape: [2, 3, 4] }], fn: (x) => ops.std(x!, 1, { keepdim: true }) },
  { op: 'std', name: 'std along dims, population', inputs: [{ shape: [2, 3, 4] }], fn: (x) => ops.std(x!, [0, 1], { correction: 0 }) },
  ...[1, 2, 3, 1.5, 0.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].flatMap((p): GradcheckCase[] => [
    { op: 'norm', name: `norm p=${p} of all elements`, inputs: [{ shape: [3, 4], layout: 'transposed', domain: { avoid: [0], margin: 0.1 } }], fn: (x) => ops.norm(x!, p) },
    { op: 'norm', name: `norm p=${p} along a dim`, inputs: [{ shape: [2, 3], domain: { avoid: [0], margin: 0.1 } }], fn: (x) => ops.norm(x!, p, 1) },
    { op: 'norm', name: `norm p=${p} along dims keepdim`, inputs: [{ shape: [2, 3, 2], domain: { avoid: [0], margin: 0.1 } }], fn: (x) => ops.norm(x!, p, [0, 2], true) },
  ]),
  { op: 'norm', name: 'norm p=0 (zero gradient)', inputs: [{ shape: [4], domain: { avoid: [0], margin: 0.1 } }], fn: (x) => ops.norm(x!, 0).add(x!) },
  { op: 'norm', name: "norm 'fro'", inputs: [{ shape: [2, 3] }], fn: (x) => ops.norm(x!, 'fro') },
];
