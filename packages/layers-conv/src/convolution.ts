/**
 * The differentiable core shared by `conv.ts` and `conv-transpose.ts`: the
 * convolution kernels registered by name, and the ops declared over them
 * with `defineOp`. The two directions are each other's gradient — the
 * convolution's input gradient is the transposed convolution and the other
 * way round — so each backward is written with the other op (and the
 * weight-gradient op), which also makes the gradients differentiable.
 *
 * Inputs here are already checked and batched ([N, C, ...spatial]).
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import { convolutionBackwardWeightKernel, convolutionKernel, convolutionTransposeKernel } from './kernels/convolution.js';
import { convolutionBackwardBiasKernel } from './kernels/convolution-bias.js';
import type { ConvolutionGeometry } from './kernels/geometry.js';
import { type PaddingSpec, padBackwardKernel, padKernel } from './kernels/padding.js';
import { WASM_BACKEND, convolutionWasmKernel, wasmConvolutionAvailable } from './kernels/wasm/conv-wasm.js';
import { COMPOSITE_BACKEND, convolutionPadBackwardComposite } from './reference-backward.js';

declare module '@strata/tensor' {
  // The convolution kernels. The ops of every rank and both directions
  // (`conv1d` … `convTranspose3d`) share them, as PyTorch's ops share
  // `aten::convolution`; a backend overrides these names to speed them all up.
  interface KernelRegistry {
    /** input [N, C, ...in], weight [O, C/groups, ...kernel], bias [O] or null → [N, O, ...out]. */
    convolution: (input: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry) => Tensor;
    /** The transposed convolution of `geometry`: [N, O, ...out] with weight [O, C/groups, ...kernel], bias [C] or null → [N, C, ...in]. */
    convolutionTranspose: (input: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry) => Tensor;
    /** The weight gradient: input [N, C, ...in], gradOutput [N, O, ...out] → [O, C/groups, ...kernel]. */
    convolutionBackwardWeight: (input: Tensor, gradOutput: Tensor, geometry: ConvolutionGeometry) => Tensor;
    /** The bias gradient: gradOutput [N, O, ...] summed over all but dim 1 → [O]. */
    convolutionBackwardBias: (gradOutput: Tensor) => Tensor;
    /** Reflect, replicate or circular padding of the trailing spatial dims of [N, C, ...]. */
    convolutionPad: (input: Tensor, padding: PaddingSpec) => Tensor;
    /** The adjoint of `convolutionPad`: padded gradient → the input's gradient. */
    convolutionPadBackward: (gradOutput: Tensor, padding: PaddingSpec) => Tensor;
  }
}

registerKernel('convolution', convolutionKernel);
// The WebAssembly SIMD forward for float32, where this runtime compiles it.
if (wasmConvolutionAvailable()) registerKernel('convolution', convolutionWasmKernel, { backend: WASM_BACKEND, override: true });
registerKernel('convolutionTranspose', convolutionTransposeKernel);
registerKernel('convolutionBackwardWeight', convolutionBackwardWeightKernel);
registerKernel('convolutionBackwardBias', convolutionBackwardBiasKernel);
registerKernel('convolutionPad', padKernel);
// The default composed of forward ops, then the fused CPU loop over it.
registerKernel('convolutionPadBackward', convolutionPadBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('convolutionPadBackward', padBackwardKernel, { override: true });

/** A core op: batched input, weight, bias or null, and the geometry. */
export type ConvolutionOp = (input: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry) => Tensor;

interface GeometryState {
  geometry: ConvolutionGeometry;
}

function convolutionOp(name: string): ConvolutionOp {
  return defineOp({
    name,
    forward(ctx: OpContext<GeometryState>, input: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry) {
      ctx.saveForBackward(input, weight);
      ctx.state.geometry = geometry;
      return getKernel('convolution')(input, weight, bias, geometry);
    },
    backward(ctx, gradOutput) {
      const [input, weight] = ctx.savedTensors as [Tensor, Tensor];
      const geometry = ctx.state.geometry;
      return [
        ctx.needsInputGrad[0] ? transposeOf(geometry)(gradOutput, weight, null, geometry) : null,
        ctx.needsInputGrad[1] ? convolutionBackwardWeight(input, gradOutput, geometry) : null,
        ctx.needsInputGrad[2] ? convolutionBackwardBias(gradOutput) : null,
      ];
    },
  });
}

function convolutionTransposeOp(name: string): ConvolutionOp {
  return defineOp({
    name,
    forward(ctx: OpContext<GeometryState>, input: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry) {
      ctx.saveForBackward(input, weight);
      ctx.state.geometry = geometry;
      return getKernel('convolutionTranspose')(input, weight, bias, geometry);
    },
    backward(ctx, gradOutput) {
      const [input, weight] = ctx.savedTensors as [Tensor, Tensor];
      const geometry = ctx.state.geometry;
      // The transposed convolution's output is the convolution's input, and its input the convolution's output.
      return [
        ctx.needsInputGrad[0] ? convolutionOf(geometry)(gradOutput, weight, null, geometry) : null,
        ctx.needsInputGrad[1] ? convolutionBackwardWeight(gradOutput, input, geometry) : null,
        ctx.needsInputGrad[2] ? convolutionBackwardBias(gradOutput) : null,
      ];
    },
  });
}

/** The weight gradient as an op; bilinear, so its own gradients are the two convolutions. */
const convolutionBackwardWeight = defineOp({
  name: 'convolutionBackwardWeight',
  forward(ctx: OpContext<GeometryState>, input: Tensor, gradOutput: Tensor, geometry: ConvolutionGeometry) {
    ctx.saveForBackward(input, gradOutput);
    ctx.state.geometry = geometry;
    return getKernel('convolutionBackwardWeight')(input, gradOutput, geometry);
  },
  backward(ctx, gradWeight) {
    const [input, gradOutput] = ctx.savedTensors as [Tensor, Tensor];
    const geometry = ctx.state.geometry;
    return [
      ctx.needsInputGrad[0] ? transposeOf(geometry)(gradOutput, gradWeight, null, geometry) : null,
      ctx.needsInputGrad[1] ? convolutionOf(geometry)(input, gradWeight, null, geometry) : null,
    ];
  },
});

/** The bias gradient as an op; its gradient spreads each channel's value over the plane. */
const convolutionBackwardBias = defineOp({
  name: 'convolutionBackwardBias',
  forward(ctx: OpContext<{ shape: readonly number[] }>, gradOutput: Tensor) {
    ctx.state.shape = gradOutput.shape;
    return getKernel('convolutionBackwardBias')(gradOutput);
  },
  backward(ctx, gradBias) {
    const shape = ctx.state.shape;
    const broadcast = shape.map((size, d) => (d === 1 ? size : 1));
    return [gradBias.reshape(broadcast).expand(shape).contiguous()];
  },
});

/** Reflect, replicate or circular padding as an op (for `paddingMode`); the gradient folds the padding back. */
export const convolutionPad: (input: Tensor, padding: PaddingSpec) => Tensor = defineOp({
  name: 'convolutionPad',
  forward(ctx: OpContext<{ padding: PaddingSpec }>, input: Tensor, padding: PaddingSpec) {
    ctx.state.padding = padding;
    return getKernel('convolutionPad')(input, padding);
  },
  backward(ctx, gradOutput) {
    return [convolutionPadBackward(gradOutput, ctx.state.padding), null];
  },
});

const convolutionPadBackward: (gradOutput: Tensor, padding: PaddingSpec) => Tensor = defineOp({
  name: 'convolutionPadBackward',
  forward(ctx: OpContext<{ padding: PaddingSpec }>, gradOutput: Tensor, padding: PaddingSpec) {
    ctx.state.padding = padding;
    return getKernel('convolutionPadBackward')(gradOutput, padding);
  },
  backward(ctx, gradGradInput) {
    return [convolutionPad(gradGradInput, ctx.state.padding), null];
  },
});

const convolutionOps: readonly ConvolutionOp[] = [convolutionOp('conv1d'), convolutionOp('conv2d'), convolutionOp('conv3d')];
const transposeOps: readonly ConvolutionOp[] = [
  convolutionTransposeOp('convTranspose1d'),
  convolutionTransposeOp('convTranspose2d'),
  convolutionTransposeOp('convTranspose3d'),
];

/** The convolution op of the geometry's rank (`conv2d` for 2 spatial dimensions). */
export function convolutionOf(geometry: ConvolutionGeometry): ConvolutionOp {
  return convolutionOps[geometry.kernelSize.length - 1]!;
}

/** The transposed convolution op of the geometry's rank (`convTranspose2d` for 2). */
export function transposeOf(geometry: ConvolutionGeometry): ConvolutionOp {
  return transposeOps[geometry.kernelSize.length - 1]!;
}
