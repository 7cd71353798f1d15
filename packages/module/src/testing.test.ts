import { tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Linear } from './module-test-support.js';
import { withoutGrad } from './tensor-write.js';
import { type SgdTraceOptions, sgdTrace } from './testing.js';
import '@strata/autograd';

function linear(): Linear {
  const layer = new Linear(3, 2);
  withoutGrad(() => {
    layer.weight.copy_(tensor([[0.5, -1, 2], [1.5, 0.25, -0.5]]));
    layer.bias!.copy_(tensor([0.1, -0.2]));
  });
  return layer;
}

describe('sgdTrace', () => {
  const input = tensor([[1, 2, 3], [-1, 0.5, 2]]);
  const options: SgdTraceOptions = {
    forward: (layer, x) => (layer as Linear).forward(x),
    loss: (output) => output.square().sum(),
    learningRate: 0.01,
  };

  it('records per step the output, the input gradient and each parameter gradient, then the final parameters', () => {
    const trace = sgdTrace(linear(), input, options);
    // Per step: output 4, input gradient 6, weight gradient 6, bias gradient 2; then weight 6 and bias 2.
    expect(trace).toHaveLength(3 * (4 + 6 + 6 + 2) + 8);
    // The first output is the untrained layer's.
    expect(trace.slice(0, 4)).toEqual([...linear().forward(input).toTypedArray()]);
  });

  it('moves each parameter by -learningRate times the gradients it recorded', () => {
    const trace = sgdTrace(linear(), input, { ...options, steps: 2 });
    const start = [0.5, -1, 2, 1.5, 0.25, -0.5, 0.1, -0.2];
    const perStep = 4 + 6 + 8;
    const final = trace.slice(2 * perStep);
    for (let index = 0; index < 8; index++) {
      const gradients = [0, 1].map((step) => trace[step * perStep + 10 + index]!);
      expect(final[index]).toBeCloseTo(start[index]! - 0.01 * (gradients[0]! + gradients[1]!), 5);
    }
  });

  it('refuses a parameter the loss does not reach', () => {
    const withoutBias: SgdTraceOptions = { ...options, forward: (layer, x) => x.matmul((layer as Linear).weight.t()) };
    expect(() => sgdTrace(linear(), input, withoutBias)).toThrow('sgdTrace: parameter 1 got no gradient');
  });
});
