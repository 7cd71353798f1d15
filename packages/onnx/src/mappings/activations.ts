import type {
  CELU, ELU, GELU, GLU, Hardtanh, LeakyReLU, LogSoftmax, PReLU, Softmax, Softmin, Softplus, Threshold,
} from '@strata/layers-misc';
import type { Module } from '@strata/module';
import type { OnnxMapping, OnnxMappingContext } from '../onnx-mapping.js';

// PyTorch's SELU constants (ONNX's defaults are the same numbers rounded differently).
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function unary(opType: string, attributes: (module: Module) => Record<string, number | { float: number }> = () => ({})): OnnxMapping {
  return (context) => context.graph.op(opType, [context.inputs[0]!], context.name('output'), attributes(context.module));
}

function clip(context: OnnxMappingContext, minimum: number, maximum: number): string {
  const { graph } = context;
  const low = graph.scalar(context.name('min'), minimum, context.floatType);
  const high = graph.scalar(context.name('max'), maximum, context.floatType);
  return graph.op('Clip', [context.inputs[0]!, low, high], context.name('output'));
}

/** `x · f(x)` for an ONNX unary `f`: SiLU (`Sigmoid`), Mish (`Tanh ∘ Softplus`). */
function gated(context: OnnxMappingContext, gate: (input: string) => string): string {
  return context.graph.op('Mul', [context.inputs[0]!, gate(context.inputs[0]!)], context.name('output'));
}

/** PyTorch's implicit softmax dimension for `dim: null`: 0 for 0-, 1- and 3-d inputs, else 1. */
function softmaxAxis(context: OnnxMappingContext<Softmax | LogSoftmax | Softmin>): number {
  const dim = context.module.dim;
  if (dim !== null) return dim;
  const rank = context.inputTensors[0]!.ndim;
  return rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
}

/** GELU in opset 17 (ONNX's `Gelu` comes with opset 20): erf form, or the tanh approximation. */
const geluMapping: OnnxMapping<GELU> = (context) => {
  const { graph } = context;
  const x = context.inputs[0]!;
  const scalar = (suffix: string, value: number): string => graph.scalar(context.name(suffix), value, context.floatType);
  const half = graph.op('Mul', [x, scalar('half', 0.5)], context.name('half_x'));
  let inner: string;
  if (context.module.approximate === 'tanh') {
    const cube = graph.op('Mul', [graph.op('Mul', [x, x], context.name('x2')), x], context.name('x3'));
    const sum = graph.op('Add', [x, graph.op('Mul', [cube, scalar('c', 0.044715)], context.name('cx3'))], context.name('poly'));
    inner = graph.op('Tanh', [graph.op('Mul', [sum, scalar('k', Math.sqrt(2 / Math.PI))], context.name('scaled'))], context.name('tanh'));
  } else {
    inner = graph.op('Erf', [graph.op('Mul', [x, scalar('rsqrt2', Math.SQRT1_2)], context.name('scaled'))], context.name('erf'));
  }
  const onePlus = graph.op('Add', [inner, scalar('one', 1)], context.name('one_plus'));
  return graph.op('Mul', [half, onePlus], context.name('output'));
};

/** Softplus with PyTorch's `beta` and `threshold`: x where β·x > threshold, else log(1 + exp(β·x)) / β. */
const softplusMapping: OnnxMapping<Softplus> = (context) => {
  const { graph } = context;
  const layer = context.module;
  const x = context.inputs[0]!;
  const beta = graph.scalar(context.name('beta'), layer.beta, context.floatType);
  const scaled = graph.op('Mul', [x, beta], context.name('beta_x'));
  const smooth = graph.op('Div', [graph.op('Softplus', [scaled], context.name('softplus')), beta], context.name('smooth'));
  const linear = graph.op('Greater', [scaled, graph.scalar(context.name('threshold'), layer.threshold, context.floatType)], context.name('linear'));
  return graph.op('Where', [linear, x, smooth], context.name('output'));
};

/** Threshold: x where x > threshold, else value. */
const thresholdMapping: OnnxMapping<Threshold> = (context) => {
  const { graph } = context;
  const x = context.inputs[0]!;
  const above = graph.op('Greater', [x, graph.scalar(context.name('threshold'), context.module.threshold, context.floatType)], context.name('above'));
  return graph.op('Where', [above, x, graph.scalar(context.name('value'), context.module.value, context.floatType)], context.name('output'));
};

/** PReLU as ONNX `PRelu`, the slopes shaped `[C, 1, ...]` so that they broadcast over the channel dimension. */
const preluMapping: OnnxMapping<PReLU> = (context) => {
  const layer = context.module;
  const rank = context.inputTensors[0]!.ndim;
  let slope = context.weight('weight', layer.weight);
  if (layer.numSlopes > 1 && rank > 2) {
    const shape = context.graph.int64s(context.name('slope_shape'), [layer.numSlopes, ...new Array<number>(rank - 2).fill(1)]);
    slope = context.graph.op('Reshape', [slope, shape], context.name('slope'));
  }
  return context.graph.op('PRelu', [context.inputs[0]!, slope], context.name('output'));
};

/** GLU: the input split in halves a, b along `dim`, then a · sigmoid(b). */
const gluMapping: OnnxMapping<GLU> = (context) => {
  const { graph } = context;
  const [first, second] = graph.node('Split', [context.inputs[0]!], [context.name('a'), context.name('b')], { axis: context.module.dim });
  return graph.op('Mul', [first!, graph.op('Sigmoid', [second!], context.name('gate'))], context.name('output'));
};

/** The activation modules of `@strata/layers-misc` by class name. */
export const activationModules: Record<string, OnnxMapping<never>> = {
  ReLU: unary('Relu'),
  ReLU6: (context: OnnxMappingContext) => clip(context, 0, 6),
  LeakyReLU: unary('LeakyRelu', (layer) => ({ alpha: { float: (layer as LeakyReLU).negativeSlope } })),
  ELU: unary('Elu', (layer) => ({ alpha: { float: (layer as ELU).alpha } })),
  CELU: unary('Celu', (layer) => ({ alpha: { float: (layer as CELU).alpha } })),
  SELU: unary('Selu', () => ({ alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } })),
  Hardtanh: (context: OnnxMappingContext<Hardtanh>) => clip(context, context.module.minVal, context.module.maxVal),
  Threshold: thresholdMapping,
  GELU: geluMapping,
  SiLU: (context: OnnxMappingContext) => gated(context, (x) => context.graph.op('Sigmoid', [x], context.name('sigmoid'))),
  Mish: (context: OnnxMappingContext) =>
    gated(context, (x) => context.graph.op('Tanh', [context.graph.op('Softplus', [x], context.name('softplus'))], context.name('tanh'))),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Softplus: softplusMapping,
  Softsign: unary('Softsign'),
  Hardswish: unary('HardSwish'),
  Hardsigmoid: unary('HardSigmoid', () => ({ alpha: { float: 1 / 6 }, beta: { float: 0.5 } })),
  Tanhshrink: (context: OnnxMappingContext) =>
    context.graph.op('Sub', [context.inputs[0]!, context.graph.op('Tanh', [context.inputs[0]!], context.name('tanh'))], context.name('output')),
  Softmax: (context: OnnxMappingContext<Softmax>) => context.graph.op('Softmax', [context.inputs[0]!], context.name('output'), { axis: softmaxAxis(context) }),
  LogSoftmax: (context: OnnxMappingContext<LogSoftmax>) =>
    context.graph.op('LogSoftmax', [context.inputs[0]!], context.name('output'), { axis: softmaxAxis(context) }),
  Softmin: (context: OnnxMappingContext<Softmin>) =>
    context.graph.op('Softmax', [context.graph.op('Neg', [context.inputs[0]!], context.name('negated'))], context.name('output'), { axis: softmaxAxis(context) }),
  GLU: gluMapping,
  PReLU: preluMapping,
};
