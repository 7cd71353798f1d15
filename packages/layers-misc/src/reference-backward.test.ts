import { noGrad } from '@strata/autograd';
import { type Tensor, manualSeed, randn, tensor } from '@strata/tensor';
import { maxRelativeDifference, onCompositeDefault } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import { Embedding, EmbeddingBag } from './index.js';


const TOLERANCE = { float32: 1e-6, float64: 1e-12 } as const;
const DTYPES = ['float32', 'float64'] as const;

/** Repeated indices (for scaleGradByFreq) and the padding row 1 among them. */
const indices = (): Tensor => tensor([[0, 3, 1, 3, 5], [2, 1, 3, 3, 7]], { dtype: 'int32' });

/** Three SGD steps of `parameters` under `loss`: every loss, gradient and updated parameter. */
function train(parameters: readonly Tensor[], loss: () => Tensor): number[] {
  const record: number[] = [];
  for (let step = 0; step < 3; step++) {
    const value = loss();
    value.backward();
    record.push(value.item());
    noGrad(() => {
      for (const parameter of parameters) {
        record.push(...parameter.grad!.toTypedArray());
        parameter.sub_(parameter.grad!.mul(0.1));
        parameter.grad = null;
      }
    });
  }
  for (const parameter of parameters) record.push(...parameter.toTypedArray());
  return record;
}

describe('the default of the embedding gradient, composed of forward ops', () => {
  const options = [{}, { paddingIdx: 1 }, { scaleGradByFreq: true }, { paddingIdx: 3, scaleGradByFreq: true }];
  for (const option of options) {
    for (const dtype of DTYPES) {
      it(`trains an Embedding (${JSON.stringify(option)}, ${dtype}) to the same numbers without embeddingBackward`, () => {
        const run = (): number[] => {
          manualSeed(7);
          const layer = new Embedding(8, 4, option);
          if (dtype === 'float64') layer.double();
          const scale = randn([4], { dtype });
          return train(layer.parameters(), () => {
            const output = layer.forward(indices()).mul(scale);
            return output.mul(output.sin()).sum();
          });
        };
        const fused = run();
        expect(maxRelativeDifference(fused, onCompositeDefault(['embeddingBackward'], run))).toBeLessThanOrEqual(TOLERANCE[dtype]);
      });
    }
  }
});

describe('the defaults of the embedding bag gradients, composed of forward ops', () => {
  const input = (): Tensor => tensor([0, 3, 1, 3, 5, 2, 1, 3, 3, 7, 4], { dtype: 'int32' });
  // An empty bag (2, 2) and a bag of padding only (index 1 at 6 .. 7 with paddingIdx 1).
  const offsets = (): Tensor => tensor([0, 2, 2, 6, 7], { dtype: 'int32' });
  const options = [
    { mode: 'sum' as const }, { mode: 'mean' as const }, { mode: 'max' as const },
    { mode: 'sum' as const, paddingIdx: 1 }, { mode: 'mean' as const, paddingIdx: 1, scaleGradByFreq: true },
    { mode: 'sum' as const, scaleGradByFreq: true }, { mode: 'max' as const, paddingIdx: 3 },
  ];
  for (const option of options) {
    for (const dtype of DTYPES) {
      it(`trains an EmbeddingBag (${JSON.stringify(option)}, ${dtype}) to the same numbers without embeddingBagBackward`, () => {
        const run = (): number[] => {
          manualSeed(9);
          const layer = new EmbeddingBag(8, 3, option);
          if (dtype === 'float64') layer.double();
          return train(layer.parameters(), () => layer.forward(input(), offsets()).cos().sum());
        };
        const fused = run();
        expect(maxRelativeDifference(fused, onCompositeDefault(['embeddingBagBackward'], run))).toBeLessThanOrEqual(TOLERANCE[dtype]);
      });
    }
  }

  for (const paddingIdx of [null, 3]) {
    for (const dtype of DTYPES) {
      it(`trains per-sample weights and the table (paddingIdx ${paddingIdx}, ${dtype}) to the same numbers without either bag kernel`, () => {
        const run = (): number[] => {
          manualSeed(13);
          const layer = new EmbeddingBag(8, 3, { mode: 'sum', paddingIdx });
          if (dtype === 'float64') layer.double();
          const sampleWeights = randn([11], { dtype }).requiresGrad_();
          return train([...layer.parameters(), sampleWeights], () => layer.forward(input(), offsets(), sampleWeights).sin().sum());
        };
        const fused = run();
        const composite = onCompositeDefault(['embeddingBagBackward', 'embeddingBagSampleWeightsBackward'], run);
        expect(maxRelativeDifference(fused, composite)).toBeLessThanOrEqual(TOLERANCE[dtype]);
      });
    }
  }
});
