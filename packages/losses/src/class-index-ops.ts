/**
 * The differentiable class-index losses over their kernels: `nllLoss` and
 * the fused `crossEntropy` (log-softmax + NLL + weights + ignoreIndex +
 * label smoothing in one pass each way), registered by name so a faster
 * backend can replace the loops. Inputs here are already checked.
 *
 * Backward runs the registry's kernels (the fused loops, or their defaults
 * composed of forward ops); when the backward is itself recorded
 * (`createGraph`), it runs the composite defaults (`compositeKernel`), with
 * cross-entropy's log-sum-exp recomputed by recorded ops, so second
 * derivatives work too.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { type Tensor, compositeKernel, getKernel, isGradEnabled, registerKernel } from '@strata/tensor';
import {
  type ClassIndexLayout,
  type ClassIndexLossResult,
  type ClassIndexSettings,
  type CrossEntropyResult,
  crossEntropyBackwardKernel,
  crossEntropyKernel,
  nllLossBackwardKernel,
  nllLossKernel,
} from './kernels/class-index.js';
import { COMPOSITE_BACKEND, crossEntropyBackwardComposite, nllLossBackwardComposite } from './reference-backward.js';

declare module '@strata/tensor' {
  // The kernels of the class-index losses; see `kernels/class-index.ts` for the layout.
  interface KernelRegistry {
    /** input [batch, classes, inner], int32 target [batch, inner], weight [classes] or null → the loss and the total weight. */
    nllLoss: (input: Tensor, target: Tensor, weight: Tensor | null, layout: ClassIndexLayout, settings: ClassIndexSettings) => ClassIndexLossResult;
    /** The input's gradient of `nllLoss` from the output's. */
    nllLossBackward: (
      inputShape: readonly number[], target: Tensor, weight: Tensor | null, gradOutput: Tensor, totalWeight: number,
      layout: ClassIndexLayout, settings: ClassIndexSettings,
    ) => Tensor;
    /** Logits [batch, classes, inner] → the fused log-softmax + NLL loss, the total weight and each position's log-sum-exp. */
    crossEntropy: (input: Tensor, target: Tensor, weight: Tensor | null, layout: ClassIndexLayout, settings: ClassIndexSettings) => CrossEntropyResult;
    /** The logits' gradient of `crossEntropy` from the output's and the saved log-sum-exp. */
    crossEntropyBackward: (
      input: Tensor, target: Tensor, weight: Tensor | null, logSumExp: Tensor, gradOutput: Tensor, totalWeight: number,
      layout: ClassIndexLayout, settings: ClassIndexSettings,
    ) => Tensor;
  }
}

registerKernel('nllLoss', nllLossKernel);
registerKernel('crossEntropy', crossEntropyKernel);
// The defaults composed of forward ops, then the fused CPU loops over them.
registerKernel('nllLossBackward', nllLossBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('crossEntropyBackward', crossEntropyBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('nllLossBackward', nllLossBackwardKernel, { override: true });
registerKernel('crossEntropyBackward', crossEntropyBackwardKernel, { override: true });

/** What a class-index op gets besides its tensors: the kernel settings, the layout and the `'none'` output shape. */
export interface ClassIndexCall extends ClassIndexSettings {
  readonly layout: ClassIndexLayout;
  readonly outputShape: readonly number[];
}

interface ClassIndexState {
  call: ClassIndexCall;
  inputShape: readonly number[];
  totalWeight: number;
  hasWeight: boolean;
  logSumExp: Tensor;
}

function savedTargetAndWeight(ctx: OpContext<ClassIndexState>): { saved: readonly Tensor[]; target: Tensor; weight: Tensor | null } {
  const saved = ctx.savedTensors;
  const offset = saved.length - (ctx.state.hasWeight ? 2 : 1);
  return { saved, target: saved[offset]!, weight: ctx.state.hasWeight ? saved[offset + 1]! : null };
}

/** `nllLoss` over checked input [N, C, …] or [C], int32 target and weight. */
export const nllLossOp = defineOp({
  name: 'nllLoss',
  forward(ctx: OpContext<ClassIndexState>, input: Tensor, target: Tensor, weight: Tensor | null, call: ClassIndexCall) {
    const result = getKernel('nllLoss')(input, target, weight, call.layout, call);
    ctx.saveForBackward(...(weight === null ? [target] : [target, weight]));
    Object.assign(ctx.state, { call, inputShape: input.shape, totalWeight: result.totalWeight, hasWeight: weight !== null });
    return call.reduction === 'none' ? result.output.reshape(call.outputShape) : result.output;
  },
  backward(ctx, gradOutput) {
    if (!ctx.needsInputGrad[0]) return [null];
    const { call, inputShape, totalWeight } = ctx.state;
    const { target, weight } = savedTargetAndWeight(ctx);
    // createGraph (grad mode on in this backward): the composite default, whose ops are recorded; else the registry's kernel.
    const kernel = isGradEnabled() ? compositeKernel('nllLossBackward') : getKernel('nllLossBackward');
    return [kernel(inputShape, target, weight, gradOutput, totalWeight, call.layout, call)];
  },
});

/** `crossEntropy` with class indices over checked logits [N, C, …] or [C], int32 target and weight. */
export const crossEntropyOp = defineOp({
  name: 'crossEntropy',
  forward(ctx: OpContext<ClassIndexState>, input: Tensor, target: Tensor, weight: Tensor | null, call: ClassIndexCall) {
    const result = getKernel('crossEntropy')(input, target, weight, call.layout, call);
    ctx.saveForBackward(...(weight === null ? [input, target] : [input, target, weight]));
    Object.assign(ctx.state, { call, totalWeight: result.totalWeight, hasWeight: weight !== null, logSumExp: result.logSumExp });
    return call.reduction === 'none' ? result.output.reshape(call.outputShape) : result.output;
  },
  backward(ctx, gradOutput) {
    if (!ctx.needsInputGrad[0]) return [null];
    const { call, totalWeight, logSumExp } = ctx.state;
    const { saved, target, weight } = savedTargetAndWeight(ctx);
    const input = saved[0]!;
    if (isGradEnabled()) {
      // createGraph: the composite default, recorded, on the log-sum-exp recomputed with recorded ops.
      const { batch, classes, inner } = call.layout;
      const recordedLogSumExp = input.reshape([batch, classes, inner]).logsumexp(1);
      return [compositeKernel('crossEntropyBackward')(input, target, weight, recordedLogSumExp, gradOutput, totalWeight, call.layout, call)];
    }
    return [getKernel('crossEntropyBackward')(input, target, weight, logSumExp, gradOutput, totalWeight, call.layout, call)];
  },
});
