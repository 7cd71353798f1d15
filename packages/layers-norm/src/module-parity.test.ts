/**
 * Parity of the layers with PyTorch over several steps: every case of
 * `__fixtures__/norm-modules.json` (written by
 * `tooling/parity/cases_norm_modules.py` with PyTorch 1.13) builds the layer
 * with the case's options, checks its printout and state-dict keys against
 * PyTorch's, loads PyTorch's initial state, then runs each step in its mode:
 * the output, the gradients of input, weight and bias, and the whole state
 * dict afterwards (running statistics, `num_batches_tracked`) must match
 * (rtol 1e-4, atol 1e-5; integers exactly).
 */
import '@strata/autograd';
import { readFileSync } from 'node:fs';
import { type Module, Parameter } from '@strata/module';
import { Tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { expectTensorMatches } from '../../../tooling/parity/ts/compare.js';
import type { EncodedTensor } from '../../../tooling/parity/ts/fixtures.js';
import { typedArrayOf } from '../../../tooling/parity/ts/harness.js';
import * as layers from './index.js';

interface ModuleStep {
  training: boolean;
  input: EncodedTensor;
  upstream: EncodedTensor;
  output: EncodedTensor;
  grads: Record<string, EncodedTensor>;
  state: [string, EncodedTensor][];
}

interface ModuleCase {
  name: string;
  module: string;
  args: unknown[];
  options: Record<string, unknown>;
  repr: string;
  stateDictKeys: string[];
  initialState: [string, EncodedTensor][];
  steps: ModuleStep[];
}

interface ModuleFixture {
  torch: string;
  tolerance: { float32: { rtol: number; atol: number } };
  cases: ModuleCase[];
}

const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/norm-modules.json', import.meta.url), 'utf8')) as ModuleFixture;
const tolerance = fixture.tolerance.float32;

type LayerClass = new (...args: unknown[]) => Module & { weight?: Tensor | null; bias?: Tensor | null };

function build(testCase: ModuleCase): Module & { weight?: Tensor | null; bias?: Tensor | null } {
  const layer = (layers as unknown as Record<string, LayerClass>)[testCase.module];
  if (layer === undefined) throw new Error(`@strata/layers-norm exports no ${testCase.module}`);
  return new layer(...testCase.args, testCase.options);
}

/**
 * Gives a layer float64 parameters and buffers (the layers are created in
 * float32, and @strata/module has no `Module.to(dtype)` yet).
 */
function toFloat64(module: Module): void {
  const fields = module as unknown as Record<string, Tensor>;
  for (const [name, parameter] of module.namedParameters()) fields[name] = new Parameter(parameter.to('float64'), parameter.requiresGrad);
  for (const [name, buffer] of module.namedBuffers()) if (buffer.dtype === 'float32') fields[name] = buffer.to('float64');
}

function fromFixture(encoded: EncodedTensor, requiresGrad = false): Tensor {
  const result = Tensor.fromData(typedArrayOf(encoded), encoded.shape);
  result.requiresGrad = requiresGrad;
  return result;
}

describe(`PyTorch ${fixture.torch} parity: normalization layers over several steps`, () => {
  it('covers every layer', () => {
    const modules = new Set(fixture.cases.map((testCase) => testCase.module));
    expect([...modules].sort()).toEqual([
      'BatchNorm1d',
      'BatchNorm2d',
      'BatchNorm3d',
      'GroupNorm',
      'InstanceNorm1d',
      'InstanceNorm2d',
      'InstanceNorm3d',
      'LayerNorm',
      'LocalResponseNorm',
      'RMSNorm',
    ]);
  });

  for (const testCase of fixture.cases) {
    it(testCase.name, () => {
      const module = build(testCase);
      expect(String(module), 'printout').toBe(testCase.repr);
      expect(Object.keys(module.stateDict()), 'state dict keys').toEqual(testCase.stateDictKeys);
      if (testCase.initialState.some(([, value]) => value.dtype === 'float64')) toFloat64(module);
      module.loadStateDict(Object.fromEntries(testCase.initialState.map(([key, value]) => [key, fromFixture(value)])));
      testCase.steps.forEach((step, index) => {
        const label = `${testCase.name}, step ${index} (${step.training ? 'training' : 'evaluation'})`;
        module.train(step.training);
        const input = fromFixture(step.input, true);
        const output = module.forward(input) as Tensor;
        expectTensorMatches(output, step.output, tolerance, `${label}: output`);
        output.backward(fromFixture(step.upstream));
        for (const [name, expected] of Object.entries(step.grads)) {
          const actual = name === 'input' ? input.grad : module.getParameter(name).grad;
          expectTensorMatches(actual, expected, tolerance, `${label}: gradient of ${name}`);
        }
        const state = module.stateDict();
        for (const [key, expected] of step.state) expectTensorMatches(state[key]!, expected, tolerance, `${label}: ${key}`);
        module.zeroGrad();
      });
    });
  }
});
