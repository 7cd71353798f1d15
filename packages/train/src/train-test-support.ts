// Small stand-ins for the layer, loss and optimizer packages, so the loop's
// tests depend only on the packages below @strata/train. Not exported.
import { noGrad } from '@strata/autograd';
import { Module, Parameter } from '@strata/module';
import { Tensor, type Generator, defaultGenerator, logSoftmax, rand, randn, zeros } from '@strata/tensor';
import type { TrainOptimizer, TrainScheduler } from './callback.js';

/** A linear classifier whose input passes a random keep-mask in training mode, so its training draws from the default generator. */
export class NoisyLinear extends Module {
  weight: Parameter;
  bias: Parameter;

  constructor(inFeatures: number, outFeatures: number, readonly keep = 0.9) {
    super();
    this.weight = new Parameter(randn([outFeatures, inFeatures]).mul(0.1));
    this.bias = new Parameter(zeros([outFeatures]));
  }

  forward(input: Tensor): Tensor {
    const kept = this.training ? input.mul(rand(input.shape).lt(this.keep).to('float32')) : input;
    return kept.matmul(this.weight.t()).add(this.bias);
  }
}

/** Cross-entropy of logits `[N, C]` and class indices `[N]`, mean over the batch. */
export function crossEntropy(output: Tensor, target: Tensor): Tensor {
  return logSoftmax(output, 1).gather(1, target.unsqueeze(1)).neg().mean();
}

/** SGD with momentum, its state dict in PyTorch's layout (`state` by parameter index, `paramGroups`). */
export class MomentumSgd implements TrainOptimizer {
  readonly paramGroups: { lr: number; momentum: number; params: Parameter[] }[];
  private buffers = new Map<Parameter, Tensor>();
  steps = 0;

  constructor(params: Parameter[], lr = 0.1, momentum = 0.9) {
    this.paramGroups = [{ lr, momentum, params }];
  }

  zeroGrad(): void {
    for (const parameter of this.paramGroups[0]!.params) parameter.grad = null;
  }

  step(): void {
    this.steps++;
    const group = this.paramGroups[0]!;
    noGrad(() => {
      for (const parameter of group.params) {
        if (parameter.grad === null) continue;
        const previous = this.buffers.get(parameter);
        const buffer = previous === undefined ? parameter.grad.clone() : previous.mul(group.momentum).add(parameter.grad);
        this.buffers.set(parameter, buffer);
        parameter.sub_(buffer, { alpha: group.lr });
      }
    });
  }

  stateDict(): { state: Record<number, { momentumBuffer: Tensor }>; paramGroups: { lr: number; momentum: number; params: number[] }[] } {
    const group = this.paramGroups[0]!;
    const state: Record<number, { momentumBuffer: Tensor }> = {};
    group.params.forEach((parameter, index) => {
      const buffer = this.buffers.get(parameter);
      if (buffer !== undefined) state[index] = { momentumBuffer: buffer.clone() };
    });
    return { state, paramGroups: [{ lr: group.lr, momentum: group.momentum, params: group.params.map((_, index) => index) }] };
  }

  loadStateDict(saved: ReturnType<MomentumSgd['stateDict']>): void {
    const group = this.paramGroups[0]!;
    group.lr = saved.paramGroups[0]!.lr;
    group.momentum = saved.paramGroups[0]!.momentum;
    this.buffers.clear();
    for (const [index, entry] of Object.entries(saved.state)) this.buffers.set(group.params[Number(index)]!, entry.momentumBuffer.clone());
  }
}

/** Multiplies the learning rate by `gamma` at each step, like `ExponentialLR`. */
export class HalvingScheduler implements TrainScheduler {
  lastEpoch = 0;

  constructor(
    private readonly optimizer: MomentumSgd,
    private readonly gamma = 0.5,
  ) {}

  step(): void {
    this.lastEpoch++;
    for (const group of this.optimizer.paramGroups) group.lr *= this.gamma;
  }

  stateDict(): { lastEpoch: number } {
    return { lastEpoch: this.lastEpoch };
  }

  loadStateDict(state: { lastEpoch: number }): void {
    this.lastEpoch = state.lastEpoch;
  }
}

/**
 * Four Gaussian blobs in 2-d, one per class, centred at (±2, ±2): a task a
 * linear classifier learns to near-perfect accuracy.
 */
export function blobs(count: number, generator: Generator = defaultGenerator): { inputs: Tensor; targets: Tensor } {
  const inputs = new Float32Array(count * 2);
  const targets = new Int32Array(count);
  const centres = [
    [2, 2],
    [-2, 2],
    [-2, -2],
    [2, -2],
  ];
  for (let i = 0; i < count; i++) {
    const label = i % 4;
    targets[i] = label;
    inputs[2 * i] = centres[label]![0]! + 0.5 * generator.nextNormal();
    inputs[2 * i + 1] = centres[label]![1]! + 0.5 * generator.nextNormal();
  }
  return { inputs: Tensor.fromData(inputs, [count, 2]), targets: Tensor.fromData(targets, [count]) };
}

/** Collects what a stream-like writer receives. */
export function captureStream(isTTY: boolean): { stream: { write(text: string): boolean; isTTY: boolean }; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: {
      write: (text: string) => {
        chunks.push(text);
        return true;
      },
      isTTY,
    },
    text: () => chunks.join(''),
  };
}
