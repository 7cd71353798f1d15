import { add, clamp, div, maximum, minimum, mul, pow, sub, tensor, where } from '@strata/tensor';

import { type GradcheckCase, type InputSpec, awayFromZero, broadcastPairs, mask, positive } from './support.js';

type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum';

const binaryOps: Record<BinaryName, { fn: GradcheckCase['fn']; other?: InputSpec['domain'] }> = {
  add: { fn: (a, b) => add(a!, b!, { alpha: 0.5 }) },
  sub: { fn: (a, b) => sub(a!, b!, { alpha: 2 }) },
  mul: { fn: (a, b) => mul(a!, b!) },
  div: { fn: (a, b) => div(a!, b!), other: awayFromZero },
  maximum: { fn: (a, b) => maximum(a!, b!) },
  minimum: { fn: (a, b) => minimum(a!, b!) },
};

function binaryCases(): GradcheckCase[] {
  const cases: GradcheckCase[] = [];
  for (const [op, { fn, other }] of Object.entries(binaryOps) as [BinaryName, (typeof binaryOps)[BinaryName]][]) {
    for (const [shapeA, shapeB] of broadcastPairs(op)) {
      cases.push({
        op,
        name: `${op} ${JSON.stringify(shapeA)} with ${JSON.stringify(shapeB)}`,
        inputs: [{ shape: shapeA }, { shape: shapeB, ...(other === undefined ? {} : { domain: other }) }],
        fn,
      });
    }
    cases.push({
      op,
      name: `${op} of non-contiguous leaves`,
      inputs: [{ shape: [3, 4], layout: 'transposed' }, { shape: [3, 4], layout: 'strided', ...(other === undefined ? {} : { domain: other }) }],
      fn,
    });
    cases.push({ op, name: `${op} with the same tensor twice`, inputs: [{ shape: [2, 2], domain: awayFromZero }], fn: (x) => fn(x!, x!) });
  }
  return cases;
}

/** Gradcheck cases of the broadcasting binary ops, `pow`, `where` and `clamp`. */
export const elementwiseCases: GradcheckCase[] = [
  ...binaryCases(),
  { op: 'add', name: 'add a number', inputs: [{ shape: [2, 3] }], fn: (x) => add(x!, 2.5) },
  { op: 'sub', name: 'number minus tensor', inputs: [{ shape: [2, 3] }], fn: (x) => sub(1, x!) },
  { op: 'mul', name: 'mul by a float32 constant', inputs: [{ shape: [2, 3] }], fn: (x) => mul(x!, tensor([1, 2, 3])) },
  { op: 'div', name: 'number divided by tensor', inputs: [{ shape: [3], domain: awayFromZero }], fn: (x) => div(2, x!) },
  { op: 'div', name: 'div with rounding (zero gradient)', inputs: [{ shape: [3], domain: { low: 0.1, high: 0.9 } }, { shape: [3], domain: { low: 2, high: 3 } }], fn: (a, b) => div(a!, b!, { roundingMode: 'floor' }).add(a!) },
  { op: 'pow', name: 'pow by a number', inputs: [{ shape: [2, 3] }], fn: (x) => pow(x!, 3) },
  { op: 'pow', name: 'pow by a fractional number', inputs: [{ shape: [2, 3], domain: positive }], fn: (x) => pow(x!, 1.5) },
  { op: 'pow', name: 'pow of tensors, broadcast', inputs: [{ shape: [2, 3], domain: positive }, { shape: [3] }], fn: (a, b) => pow(a!, b!) },
  { op: 'pow', name: 'number to a tensor power', inputs: [{ shape: [2, 2] }], fn: (x) => pow(2, x!) },
  { op: 'pow', name: 'pow with a zero exponent at a zero base', inputs: [{ shape: [2] }], fn: (x) => pow(x!.mul(0), 0).add(x!) },
  {
    op: 'maximum',
    name: 'maximum ties split the gradient',
    inputs: [tensor([1, 2, 3], { dtype: 'float64' }).requiresGrad_()],
    fn: (x) => maximum(x!, tensor([1, 5, 3], { dtype: 'float64' })),
  },
  {
    op: 'minimum',
    name: 'minimum ties split the gradient',
    inputs: [tensor([1, 2, 3], { dtype: 'float64' }).requiresGrad_()],
    fn: (x) => minimum(tensor([1, 0, 3], { dtype: 'float64' }), x!),
  },
  { op: 'where', name: 'where', inputs: [mask([true, false, true, false, false, true], [2, 3]), { shape: [2, 3] }, { shape: [3] }], fn: (c, a, b) => where(c!, a!, b!) },
  { op: 'where', name: 'where with a number', inputs: [mask([true, false, true]), { shape: [2, 3], layout: 'transposed' }], fn: (c, a) => where(c!, a!, 0.5) },
  { op: 'clamp', name: 'clamp between numbers', inputs: [{ shape: [3, 4], domain: { avoid: [-0.5, 0.5] } }], fn: (x) => clamp(x!, -0.5, 0.5) },
  { op: 'clamp', name: 'clamp min only', inputs: [{ shape: [6], domain: { avoid: [0] } }], fn: (x) => clamp(x!, { min: 0 }) },
  { op: 'clamp', name: 'clamp max only', inputs: [{ shape: [6], domain: { avoid: [0.3] } }], fn: (x) => clamp(x!, { max: 0.3 }) },
  {
    op: 'clamp',
    name: 'clamp with tensor bounds',
    inputs: [{ shape: [3, 4] }, { shape: [4], domain: { low: -1, high: -0.2 } }, { shape: [3, 1], domain: { low: 0.2, high: 1 } }],
    fn: (x, low, high) => clamp(x!, low!, high!),
    options: { eps: 1e-7 },
  },
  {
    op: 'clamp',
    name: 'clamp with crossed tensor bounds (max wins)',
    inputs: [{ shape: [5] }, { shape: [5], domain: { low: 0.5, high: 1 } }, { shape: [5], domain: { low: -1, high: 0.4 } }],
    fn: (x, low, high) => clamp(x!, low!, high!),
    options: { eps: 1e-7 },
  },
  { op: 'clamp', name: 'clamp with a tensor min and a number max', inputs: [{ shape: [2, 3] }, { shape: [3], domain: { low: -1, high: 0 } }], fn: (x, low) => clamp(x!, { min: low!, max: 1.5 }), options: { eps: 1e-7 } },
];
