/**
 * Parity with PyTorch, from `__fixtures__/attention.json`, which
 * `tooling/parity/cases_attention.py` writes with real PyTorch: each module
 * built with PyTorch's parameters (loaded as a checkpoint), its printout and
 * state-dict keys, every output with the case's masks and options, and the
 * gradients of every input and every parameter; scaledDotProductAttention
 * against a reference composed from torch ops; PyTorch's errors thrown, with
 * the module left unchanged.
 */
import '@strata/autograd';
import { LayerNorm } from '@strata/layers-norm';
import type { Module } from '@strata/module';
import * as strata from '@strata/tensor';
import type { Tensor } from '@strata/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectTensorMatches } from '../../../tooling/parity/ts/compare.js';
import type { EncodedTensor } from '../../../tooling/parity/ts/fixtures.js';
import { STRATA_ERROR_NAMES, buildTensor, thrownBy } from '../../../tooling/parity/ts/harness.js';
import * as layers from './index.js';
import type { TransformerLayerOptions } from './index.js';

type LayerName =
  | 'sdpa' | 'MultiheadAttention' | 'TransformerEncoderLayer' | 'TransformerDecoderLayer'
  | 'TransformerEncoder' | 'TransformerDecoder' | 'Transformer';

/** The constructor arguments of a stack: its layer's, the count, and whether it has a final norm. */
interface StackSpec {
  layer: 'TransformerEncoderLayer' | 'TransformerDecoderLayer';
  args: [number, number, TransformerLayerOptions?];
  numLayers: number;
  norm: boolean;
}

/** One case of `attention.json`. */
interface AttentionCase {
  name: string;
  layer: LayerName;
  args: unknown[];
  training: boolean;
  selfAttention: boolean;
  constructError?: string;
  repr?: string | null;
  stateDictKeys?: string[];
  state?: Record<string, EncodedTensor>;
  inputs?: EncodedTensor[];
  forward?: Record<string, EncodedTensor | boolean | number>;
  error?: string;
  outputs?: (EncodedTensor | null)[];
  upstream?: (EncodedTensor | null)[];
  grads?: { inputs: EncodedTensor[]; parameters: Record<string, EncodedTensor> };
}

interface AttentionFixture {
  torch: string;
  tolerance: { float32: { rtol: number; atol: number } };
  cases: AttentionCase[];
}

const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/attention.json', import.meta.url), 'utf8')) as AttentionFixture;
const tolerance = fixture.tolerance.float32;
const build = (encoded: EncodedTensor, requiresGrad = false): Tensor => buildTensor(strata, encoded, requiresGrad) as unknown as Tensor;

/** The module of a case, as its constructor arguments say (without loading the state). */
function construct(testCase: AttentionCase): Module {
  const { layer, args } = testCase;
  if (layer === 'TransformerEncoder' || layer === 'TransformerDecoder') {
    const spec = args[0] as StackSpec;
    const Inner = layers[spec.layer] as unknown as new (...a: unknown[]) => Module;
    const norm = spec.norm ? new LayerNorm(spec.args[0], { eps: spec.args[2]?.layerNormEps ?? 1e-5 }) : null;
    const Stack = layers[layer] as unknown as new (...a: unknown[]) => Module;
    return new Stack(new Inner(...spec.args), spec.numLayers, { norm });
  }
  const Layer = layers[layer as Exclude<LayerName, 'sdpa'>] as unknown as new (...a: unknown[]) => Module;
  return new Layer(...args);
}

/** The module of a case, with PyTorch's parameters loaded as a checkpoint. */
function moduleOf(testCase: AttentionCase): Module {
  const module = construct(testCase);
  module.loadStateDict(Object.fromEntries(Object.entries(testCase.state!).map(([key, value]) => [key, build(value)])));
  module.train(testCase.training);
  return module;
}

/** The forward options of a case, tensors built. */
function forwardOptions(testCase: AttentionCase): Record<string, unknown> {
  return Object.fromEntries(Object.entries(testCase.forward ?? {}).map(([key, value]) => [key, typeof value === 'object' ? build(value) : value]));
}

/** Calls the case's forward and lists its outputs (null for weights not asked for). */
function run(module: Module | null, testCase: AttentionCase, inputs: Tensor[]): (Tensor | null)[] {
  const options = forwardOptions(testCase);
  if (testCase.layer === 'sdpa') return [layers.scaledDotProductAttention(inputs[0]!, inputs[1]!, inputs[2]!, options)];
  const callable = module as unknown as { forward(...args: unknown[]): Tensor | [Tensor, Tensor | null] };
  if (testCase.layer === 'MultiheadAttention') {
    const [q, k, v] = testCase.selfAttention ? [inputs[0], inputs[0], inputs[0]] : inputs;
    return callable.forward(q, k, v, options) as [Tensor, Tensor | null];
  }
  return [callable.forward(...inputs, options) as Tensor];
}

describe(`PyTorch ${fixture.torch} parity: attention and the Transformer`, () => {
  it('covers every layer and the functional form', () => {
    expect(new Set(fixture.cases.map((testCase) => testCase.layer))).toEqual(
      new Set(['sdpa', 'MultiheadAttention', 'TransformerEncoderLayer', 'TransformerDecoderLayer', 'TransformerEncoder', 'TransformerDecoder', 'Transformer']),
    );
  });

  for (const testCase of fixture.cases) {
    it(testCase.name, () => {
      if (testCase.constructError !== undefined) {
        const error = thrownBy(() => construct(testCase));
        expect(error, `PyTorch raised: ${testCase.constructError}`).toBeInstanceOf(Error);
        expect(STRATA_ERROR_NAMES).toContain((error as Error).name);
        return;
      }
      const module = testCase.layer === 'sdpa' ? null : moduleOf(testCase);
      if (module !== null) {
        if (testCase.repr !== null) expect(module.toString()).toBe(testCase.repr);
        expect(Object.keys(module.stateDict())).toEqual(testCase.stateDictKeys);
      }
      const inputs = testCase.inputs!.map((input) => build(input, true));
      if (testCase.error !== undefined) {
        const before = module!.stateDict();
        const error = thrownBy(() => run(module, testCase, inputs));
        expect(error, `PyTorch raised: ${testCase.error}`).toBeInstanceOf(Error);
        expect(STRATA_ERROR_NAMES).toContain((error as Error).name);
        for (const [key, value] of Object.entries(module!.stateDict())) {
          expect(value.tolist(), `${key} unchanged`).toEqual(before[key]!.tolist());
        }
        expect(module!.parameters().every((parameter) => parameter.grad === null)).toBe(true);
        return;
      }
      const outputs = run(module, testCase, inputs);
      expect(outputs.length, 'outputs').toBe(testCase.outputs!.length);
      outputs.forEach((output, i) => {
        const expected = testCase.outputs![i]!;
        if (expected === null) expect(output, `output ${i}`).toBeNull();
        else expectTensorMatches(output, expected, tolerance, `output ${i}`);
      });
      const terms = outputs.flatMap((output, i) => (output === null ? [] : [output.mul(build(testCase.upstream![i]!)).sum()]));
      terms.reduce((a, b) => a.add(b)).backward();
      const grads = testCase.grads!;
      grads.inputs.forEach((expected, i) => expectTensorMatches(inputs[i]!.grad, expected, tolerance, `gradient of input ${i}`));
      for (const [key, expected] of Object.entries(grads.parameters)) {
        expectTensorMatches(module!.getParameter(key).grad, expected, tolerance, `gradient of ${key}`);
      }
    });
  }
});
