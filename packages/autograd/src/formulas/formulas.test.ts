import { describe, expect, it } from 'vitest';
import { Tensor } from '@strata/tensor';

import { gradcheck, gradgradcheck } from '../index.js';
import { activationCases } from './cases/activation.js';
import { elementwiseCases } from './cases/elementwise.js';
import { indexingCases } from './cases/indexing.js';
import { matmulCases } from './cases/matmul.js';
import { reductionCases } from './cases/reduction.js';
import { type GradcheckCase, generatorFor, randomLeaf, recordedNames } from './cases/support.js';
import { unaryCases } from './cases/unary.js';
import { viewCases } from './cases/views.js';
import { formulas } from './index.js';

const families: [string, GradcheckCase[]][] = [
  ['views and casts', viewCases],
  ['elementwise', elementwiseCases],
  ['unary', unaryCases],
  ['reductions', reductionCases],
  ['activations', activationCases],
  ['matrix products', matmulCases],
  ['joining and indexing', indexingCases],
];

function build(testCase: GradcheckCase): Tensor[] {
  const generator = generatorFor(testCase.name);
  return testCase.inputs.map((spec) => (spec instanceof Tensor ? spec : randomLeaf(generator, spec)));
}

function outputsOf(result: Tensor | readonly Tensor[]): readonly Tensor[] {
  return result instanceof Tensor ? [result] : result;
}

for (const [family, cases] of families) {
  describe(`gradcheck: ${family}`, () => {
    for (const testCase of cases) {
      it(testCase.name, () => {
        const inputs = build(testCase);
        const names = recordedNames(outputsOf(testCase.fn(...inputs)));
        expect([...names], `the graph records '${testCase.op}'`).toContain(testCase.op);
        expect(gradcheck(testCase.fn, inputs, testCase.options)).toBe(true);
      });
    }
  });
}

/** Second derivatives: formulas are written with recorded ops, so their own gradients must be right too. */
const secondOrder = new Set<string>([
  'mul', 'div', 'pow', 'exp', 'log', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'square', 'log1p', 'expm1', 'log2',
  'sum', 'mean', 'logsumexp', 'var', 'std', 'norm', 'prod',
  'sigmoid', 'tanh', 'softmax', 'logSoftmax', 'softmin', 'gelu', 'silu', 'mish', 'softplus', 'elu', 'selu', 'celu',
  'logSigmoid', 'softsign', 'tanhshrink', 'glu', 'matmul',
  'reshape', 'permute', 'expand', 'slice', 'select', 'cat', 'gather', 'scatterAdd', 'indexSelect', 'maskedFill', 'where', 'clamp',
  'maximum', 'minimum', 'relu', 'leakyRelu', 'hardswish',
]);

describe('gradgradcheck', () => {
  for (const [, cases] of families) {
    for (const testCase of cases) {
      // Ties, zeros and exact kinks are points where the first derivative itself jumps.
      const atKink = ['zero', 'ties', 'exactly', 'float32'].some((word) => testCase.name.includes(word));
      if (!secondOrder.has(testCase.op) || atKink) continue;
      it(testCase.name, () => {
        expect(gradgradcheck(testCase.fn, build(testCase), testCase.options)).toBe(true);
      });
    }
  }
});

describe('formula coverage', () => {
  it('has a gradcheck case for every op that has a formula', () => {
    const covered = new Set(families.flatMap(([, cases]) => cases.map((testCase) => testCase.op)));
    const missing = Object.keys(formulas).filter((op) => !covered.has(op as GradcheckCase['op']));
    expect(missing).toEqual([]);
  });
});
