import type { Module } from '@strata/module';
import { activationModules } from './mappings/activations.js';
import { attentionModules } from './mappings/attention.js';
import { convolutionMapping, convolutionTransposeMapping } from './mappings/convolution.js';
import { bilinearMapping, embeddingMapping, flattenMapping, identityModules, linearMapping, unflattenMapping } from './mappings/linear-and-shape.js';
import {
  batchNormMapping, groupNormMapping, instanceNormMapping, layerNormMapping, localResponseNormMapping, rmsNormMapping,
} from './mappings/normalization.js';
import { adaptivePoolMapping, avgPoolMapping, maxPoolMapping, minPoolMapping } from './mappings/pooling.js';
import { recurrentModules } from './mappings/recurrent.js';
import { lookupByClass } from './module-types.js';
import { type OnnxMapping, acceptingUnbatched } from './onnx-mapping.js';

/**
 * The built-in mappings, by the class name of the layer. The layer packages
 * are not imported: a module is recognized by its class name (see
 * `lookupByClass`) and read through its public fields, which the layer
 * packages' types describe. A new layer family adds its entries here or
 * through {@link registerOnnxMapping}.
 */
const builtinMappings: Record<string, OnnxMapping<never>> = {
  // @strata/layers-conv
  Conv1d: acceptingUnbatched(1, convolutionMapping(1)),
  Conv2d: acceptingUnbatched(2, convolutionMapping(2)),
  Conv3d: acceptingUnbatched(3, convolutionMapping(3)),
  ConvTranspose1d: acceptingUnbatched(1, convolutionTransposeMapping(1)),
  ConvTranspose2d: acceptingUnbatched(2, convolutionTransposeMapping(2)),
  ConvTranspose3d: acceptingUnbatched(3, convolutionTransposeMapping(3)),
  MaxPool1d: acceptingUnbatched(1, maxPoolMapping(1)),
  MaxPool2d: acceptingUnbatched(2, maxPoolMapping(2)),
  MaxPool3d: acceptingUnbatched(3, maxPoolMapping(3)),
  MinPool1d: acceptingUnbatched(1, minPoolMapping(1)),
  MinPool2d: acceptingUnbatched(2, minPoolMapping(2)),
  MinPool3d: acceptingUnbatched(3, minPoolMapping(3)),
  AvgPool1d: acceptingUnbatched(1, avgPoolMapping(1)),
  AvgPool2d: acceptingUnbatched(2, avgPoolMapping(2)),
  AvgPool3d: acceptingUnbatched(3, avgPoolMapping(3)),
  AdaptiveAvgPool1d: acceptingUnbatched(1, adaptivePoolMapping(1, 'average')),
  AdaptiveAvgPool2d: acceptingUnbatched(2, adaptivePoolMapping(2, 'average')),
  AdaptiveAvgPool3d: acceptingUnbatched(3, adaptivePoolMapping(3, 'average')),
  AdaptiveMaxPool1d: acceptingUnbatched(1, adaptivePoolMapping(1, 'max')),
  AdaptiveMaxPool2d: acceptingUnbatched(2, adaptivePoolMapping(2, 'max')),
  AdaptiveMaxPool3d: acceptingUnbatched(3, adaptivePoolMapping(3, 'max')),
  // @strata/layers-norm
  BatchNorm1d: batchNormMapping,
  BatchNorm2d: batchNormMapping,
  BatchNorm3d: batchNormMapping,
  InstanceNorm1d: acceptingUnbatched(1, instanceNormMapping),
  InstanceNorm2d: acceptingUnbatched(2, instanceNormMapping),
  InstanceNorm3d: acceptingUnbatched(3, instanceNormMapping),
  LayerNorm: layerNormMapping,
  GroupNorm: groupNormMapping,
  RMSNorm: rmsNormMapping,
  LocalResponseNorm: localResponseNormMapping,
  // @strata/layers-misc
  Linear: linearMapping,
  Bilinear: bilinearMapping,
  Flatten: flattenMapping,
  Unflatten: unflattenMapping,
  Embedding: embeddingMapping,
  ...identityModules,
  ...activationModules,
  // @strata/layers-recurrent
  ...recurrentModules,
  // @strata/layers-attention
  ...attentionModules,
};

const mappings = new Map<string, OnnxMapping<never>>(Object.entries(builtinMappings));

/**
 * Adds the ONNX mapping of a layer class, found by its class name: how a
 * layer package or an application exports a module the exporter does not
 * know (the mapping writes the module's nodes; see `OnnxMappingContext`).
 *
 * @param typeName - the class name (`constructor.name`) of the module.
 * @param mapping - writes the nodes of one call and returns its output names.
 * @param options - `override: true` to replace an existing mapping.
 * @throws Error when `typeName` already has a mapping and `override` is not set.
 * @example
 * ```ts
 * registerOnnxMapping('Swish', (context) =>
 *   context.graph.op('Mul', [context.inputs[0], context.graph.op('Sigmoid', [context.inputs[0]], context.name('gate'))], context.name('output')),
 * );
 * ```
 */
export function registerOnnxMapping<M extends Module>(typeName: string, mapping: OnnxMapping<M>, options: { override?: boolean } = {}): void {
  if (mappings.has(typeName) && options.override !== true) {
    throw new Error(`registerOnnxMapping: ${typeName} already has an ONNX mapping (pass { override: true } to replace it)`);
  }
  mappings.set(typeName, mapping as OnnxMapping<never>);
}

/** The class names that have an ONNX mapping, sorted. */
export function onnxMappedTypes(): string[] {
  return [...mappings.keys()].sort();
}

/** The mapping of a module and the class name it was found under, or `null` when the module has none. */
export function onnxMappingOf(module: Module): { typeName: string; mapping: OnnxMapping } | null {
  const found = lookupByClass(module, mappings);
  return found === null ? null : { typeName: found.typeName, mapping: found.entry as OnnxMapping };
}
