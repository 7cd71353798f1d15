import type { Module } from '@strata/module';
import type { Tensor } from '@strata/tensor';
import { describeModule } from './module-types.js';
import type { OnnxElementType, OnnxGraph } from './onnx-graph.js';

/** Thrown when a model cannot be exported: the message names the layer and why. */
export class OnnxExportError extends Error {
  /** The error's name in stack traces: `'OnnxExportError'`. */
  override name = 'OnnxExportError';
}

/**
 * What a mapping sees of one traced call of a module's `forward`: the
 * module, where it sits in the model, the arguments and result of the call
 * (real tensors, so shapes are known), and the graph to write nodes into.
 */
export interface OnnxMappingContext<M extends Module = Module> {
  /** The graph being built. */
  readonly graph: OnnxGraph;
  /** The module whose call is mapped. */
  readonly module: M;
  /** The class name the mapping was found under (`Conv2d`). */
  readonly typeName: string;
  /** The module's dotted path in the model (`'features.0'`, `''` for the model itself). */
  readonly path: string;
  /** The arguments `forward` was called with. */
  readonly args: readonly unknown[];
  /** The tensor arguments, in order. */
  readonly inputTensors: readonly Tensor[];
  /** The graph value names of {@link OnnxMappingContext.inputTensors}. */
  readonly inputs: readonly string[];
  /** The tensors `forward` returned, flattened in order (a tensor, or the tensors of an array result). */
  readonly outputTensors: readonly Tensor[];
  /** The element type of the first input (what constants the mapping makes should be). */
  readonly floatType: OnnxElementType;
  /** A base name for a value of this module: `features.0.suffix`. */
  name(suffix: string): string;
  /** The initializer of the module's parameter or buffer `tensor`, named by its state-dict key `path.key`. */
  weight(key: string, tensor: Tensor): string;
  /** Throws an {@link OnnxExportError} that names the module: `exportOnnx: Conv2d at 'features.0': message`. */
  fail(message: string): never;
}

/**
 * Writes the ONNX nodes of one call of a module and returns the graph value
 * names of its outputs, one per tensor of
 * {@link OnnxMappingContext.outputTensors}.
 */
export type OnnxMapping<M extends Module = Module> = (context: OnnxMappingContext<M>) => string | readonly string[];

/** Makes the context a mapping sees. */
export function mappingContext(
  graph: OnnxGraph,
  module: Module,
  typeName: string,
  path: string,
  args: readonly unknown[],
  inputTensors: readonly Tensor[],
  inputs: readonly string[],
  outputTensors: readonly Tensor[],
  floatType: OnnxElementType,
): OnnxMappingContext {
  const prefix = path === '' ? typeName.toLowerCase() : path;
  return {
    graph, module, typeName, path, args, inputTensors, inputs, outputTensors, floatType,
    name: (suffix) => `${prefix}.${suffix}`,
    weight: (key, tensor) => graph.initializer(path === '' ? key : `${path}.${key}`, tensor),
    fail: (message) => {
      throw new OnnxExportError(`exportOnnx: ${describeModule(typeName, path)}: ${message}`);
    },
  };
}

/** The number of spatial dimensions of a batched `[N, C, ...spatial]` input, after checking it is batched. */
export function spatialRank(context: OnnxMappingContext, rank: number): number {
  const input = context.inputTensors[0]!;
  if (input.ndim !== rank + 2) {
    context.fail(`ONNX needs a batched input [N, C, ...] of ${rank + 2} dimensions, got shape [${input.shape.join(', ')}]`);
  }
  return rank;
}

/**
 * Wraps the mapping of a layer that takes `[N, C, ...spatial]` so that it
 * also takes the unbatched `[C, ...spatial]` PyTorch accepts: an
 * `Unsqueeze` before, a `Squeeze` of each output after.
 */
export function acceptingUnbatched<M extends Module>(rank: number, mapping: OnnxMapping<M>): OnnxMapping<M> {
  return (context) => {
    const input = context.inputTensors[0]!;
    if (input.ndim !== rank + 1) return mapping(context);
    const { graph } = context;
    const axes = graph.int64s(context.name('batch_axis'), [0]);
    const batched = graph.op('Unsqueeze', [context.inputs[0]!, axes], context.name('batched'));
    const result = mapping({
      ...context,
      inputTensors: [input.unsqueeze(0), ...context.inputTensors.slice(1)],
      inputs: [batched, ...context.inputs.slice(1)],
      outputTensors: context.outputTensors.map((tensor) => tensor.unsqueeze(0)),
    });
    return (typeof result === 'string' ? [result] : result).map((name) => graph.op('Squeeze', [name, axes], context.name('unbatched')));
  };
}
