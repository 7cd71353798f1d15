/**
 * Parity with PyTorch, from `__fixtures__/recurrent.json`, which
 * `tooling/parity/cases_recurrent.py` writes with real PyTorch: each layer
 * or cell built with PyTorch's parameters (loaded as a checkpoint), its
 * printout and state-dict keys, every output, and the gradients of the
 * input, of each initial state and of every parameter; PyTorch's errors
 * thrown, with the module left unchanged.
 */
import '@strata/autograd';
import type { Module } from '@strata/module';
import * as strata from '@strata/tensor';
import type { Tensor } from '@strata/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectTensorMatches } from '../../../tooling/parity/ts/compare.js';
import type { EncodedTensor } from '../../../tooling/parity/ts/fixtures.js';
import { STRATA_ERROR_NAMES, buildTensor, thrownBy } from '../../../tooling/parity/ts/harness.js';
import * as layers from './index.js';

/** One case of `recurrent.json`. */
interface RecurrentCase {
  name: string;
  layer: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  args: [number, number, Record<string, unknown>?];
  training: boolean;
  repr: string;
  stateDictKeys: string[];
  state: Record<string, EncodedTensor>;
  input: EncodedTensor;
  states: EncodedTensor[] | null;
  error?: string;
  outputs?: EncodedTensor[];
  upstream?: EncodedTensor[];
  grads?: { input: EncodedTensor; states: EncodedTensor[]; parameters: Record<string, EncodedTensor> };
}

interface RecurrentFixture {
  torch: string;
  tolerance: { float32: { rtol: number; atol: number } };
  cases: RecurrentCase[];
}

const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/recurrent.json', import.meta.url), 'utf8')) as RecurrentFixture;
const tolerance = fixture.tolerance.float32;
const build = (encoded: EncodedTensor, requiresGrad = false): Tensor => buildTensor(strata, encoded, requiresGrad) as unknown as Tensor;

/** The layer of a case, with PyTorch's parameters loaded as a checkpoint. */
function layerOf(testCase: RecurrentCase): Module {
  const Layer = layers[testCase.layer] as unknown as new (...args: unknown[]) => Module;
  const module = new Layer(...testCase.args);
  module.loadStateDict(Object.fromEntries(Object.entries(testCase.state).map(([key, value]) => [key, build(value)])));
  module.train(testCase.training);
  return module;
}

/** Calls `forward` the way each class takes its states, and lists every float output. */
function forwardOf(module: Module, testCase: RecurrentCase, input: Tensor, states: Tensor[] | null): Tensor[] {
  const pair = testCase.layer === 'LSTM' || testCase.layer === 'LSTMCell';
  const hx = states === null ? null : pair ? states : states[0];
  const result = (module as unknown as { forward(input: Tensor, hx: unknown): unknown }).forward(input, hx);
  return [result].flat(2) as Tensor[];
}

describe(`PyTorch ${fixture.torch} parity: recurrent layers and cells`, () => {
  it('covers every layer and cell', () => {
    expect(new Set(fixture.cases.map((testCase) => testCase.layer))).toEqual(new Set(['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell']));
  });

  for (const testCase of fixture.cases) {
    it(testCase.name, () => {
      const module = layerOf(testCase);
      expect(module.toString()).toBe(testCase.repr);
      expect(Object.keys(module.stateDict())).toEqual(testCase.stateDictKeys);
      const input = build(testCase.input, true);
      const states = testCase.states === null ? null : testCase.states.map((state) => build(state, true));
      if (testCase.error !== undefined) {
        const before = module.stateDict();
        const error = thrownBy(() => forwardOf(module, testCase, input, states));
        expect(error, `PyTorch raised: ${testCase.error}`).toBeInstanceOf(Error);
        expect(STRATA_ERROR_NAMES).toContain((error as Error).name);
        for (const [key, value] of Object.entries(module.stateDict())) {
          expect(value.tolist(), `${key} unchanged`).toEqual(before[key]!.tolist());
        }
        expect(module.parameters().every((parameter) => parameter.grad === null)).toBe(true);
        return;
      }
      const outputs = forwardOf(module, testCase, input, states);
      expect(outputs.length, 'outputs').toBe(testCase.outputs!.length);
      outputs.forEach((output, i) => expectTensorMatches(output, testCase.outputs![i]!, tolerance, `output ${i}`));
      const total = outputs.map((output, i) => output.mul(build(testCase.upstream![i]!)).sum()).reduce((a, b) => a.add(b));
      total.backward();
      const grads = testCase.grads!;
      expectTensorMatches(input.grad, grads.input, tolerance, 'gradient of the input');
      grads.states.forEach((expected, i) => expectTensorMatches(states![i]!.grad, expected, tolerance, `gradient of state ${i}`));
      for (const [key, expected] of Object.entries(grads.parameters)) {
        expectTensorMatches(module.getParameter(key).grad, expected, tolerance, `gradient of ${key}`);
      }
    });
  }
});
