import * as ops from '@strata/tensor';

import type { Domain, GradcheckCase } from './support.js';

/** Each elementwise activation, called with its options, and the kinks its inputs stay away from. */
const activations: { op: GradcheckCase['op']; label: string; fn: (x: ops.Tensor) => ops.Tensor; domain: Domain }[] = [
  { op: 'relu', label: 'relu', fn: (x) => ops.relu(x), domain: { avoid: [0] } },
  { op: 'relu6', label: 'relu6', fn: (x) => ops.relu6(x), domain: { low: -3, high: 8, avoid: [0, 6] } },
  { op: 'leakyRelu', label: 'leakyRelu(0.2)', fn: (x) => ops.leakyRelu(x, 0.2), domain: { avoid: [0] } },
  { op: 'elu', label: 'elu(1.5)', fn: (x) => ops.elu(x, 1.5), domain: { avoid: [0] } },
  { op: 'selu', label: 'selu', fn: (x) => ops.selu(x), domain: { avoid: [0] } },
  { op: 'celu', label: 'celu(0.7)', fn: (x) => ops.celu(x, 0.7), domain: { avoid: [0] } },
  { op: 'gelu', label: 'gelu', fn: (x) => ops.gelu(x), domain: {} },
  { op: 'gelu', label: "gelu 'tanh'", fn: (x) => ops.gelu(x, { approximate: 'tanh' }), domain: {} },
  { op: 'silu', label: 'silu', fn: (x) => ops.silu(x), domain: {} },
  { op: 'mish', label: 'mish', fn: (x) => ops.mish(x), domain: {} },
  { op: 'sigmoid', label: 'sigmoid', fn: (x) => ops.sigmoid(x), domain: {} },
  { op: 'logSigmoid', label: 'logSigmoid', fn: (x) => ops.logSigmoid(x), domain: { low: -5, high: 5 } },
  { op: 'tanh', label: 'tanh', fn: (x) => ops.tanh(x), domain: {} },
  { op: 'softplus', label: 'softplus', fn: (x) => ops.softplus(x), domain: {} },
  { op: 'softplus', label: 'softplus beta 2 threshold 1', fn: (x) => ops.softplus(x, { beta: 2, threshold: 1 }), domain: { avoid: [0.5] } },
  { op: 'softsign', label: 'softsign', fn: (x) => ops.softsign(x), domain: {} },
  { op: 'hardtanh', label: 'hardtanh', fn: (x) => ops.hardtanh(x), domain: { avoid: [-1, 1] } },
  { op: 'hardtanh', label: 'hardtanh(-0.5, 1.5)', fn: (x) => ops.hardtanh(x, -0.5, 1.5), domain: { avoid: [-0.5, 1.5] } },
  { op: 'hardswish', label: 'hardswish', fn: (x) => ops.hardswish(x), domain: { low: -5, high: 5, avoid: [-3, 3] } },
  { op: 'hardsigmoid', label: 'hardsigmoid', fn: (x) => ops.hardsigmoid(x), domain: { low: -5, high: 5, avoid: [-3, 3] } },
  { op: 'tanhshrink', label: 'tanhshrink', fn: (x) => ops.tanhshrink(x), domain: {} },
  { op: 'threshold', label: 'threshold(0.5, -1)', fn: (x) => ops.threshold(x, 0.5, -1), domain: { avoid: [0.5] } },
];

/** Gradcheck cases of the activations, the softmax family and glu. */
export const activationCases: GradcheckCase[] = [
  ...activations.flatMap(({ op, label, fn, domain }): GradcheckCase[] => [
    { op, name: `${label} [3, 4]`, inputs: [{ shape: [3, 4], domain }], fn: (x) => fn(x!) },
    { op, name: `${label} of a transposed leaf`, inputs: [{ shape: [2, 3], layout: 'transposed', domain }], fn: (x) => fn(x!) },
    { op, name: `${label} 0-d`, inputs: [{ shape: [], domain }], fn: (x) => fn(x!) },
  ]),
  { op: 'gelu', name: 'gelu at exactly 0', inputs: [ops.tensor([0, 1e-30, -1e-30, 2], { dtype: 'float64' }).requiresGrad_()], fn: (x) => ops.gelu(x!) },
  ...(['softmax', 'logSoftmax', 'softmin'] as const).flatMap((op): GradcheckCase[] => [
    { op, name: `${op} dim 1`, inputs: [{ shape: [3, 4] }], fn: (x) => ops[op](x!, 1) },
    { op, name: `${op} dim 0 of a transposed leaf`, inputs: [{ shape: [3, 4], layout: 'transposed' }], fn: (x) => ops[op](x!, 0) },
    { op, name: `${op} dim -1 of 3-d`, inputs: [{ shape: [2, 2, 3], layout: 'strided' }], fn: (x) => ops[op](x!, -1) },
    { op, name: `${op} of a 0-d tensor`, inputs: [{ shape: [] }], fn: (x) => ops[op](x!, 0).add(x!) },
  ]),
  { op: 'glu', name: 'glu last dim', inputs: [{ shape: [3, 4] }], fn: (x) => ops.glu(x!) },
  { op: 'glu', name: 'glu dim 0 of a transposed leaf', inputs: [{ shape: [4, 3], layout: 'transposed' }], fn: (x) => ops.glu(x!, 0) },
];
