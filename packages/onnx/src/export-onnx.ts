import { noGrad } from '@strata/autograd';
import type { Module } from '@strata/module';
import { Tensor, isFloatingPoint } from '@strata/tensor';
import { describeModule } from './module-types.js';
import { ONNX_OPSET, type OnnxDimension, type OnnxElementType, OnnxGraph, elementTypeOf } from './onnx-graph.js';
import { OnnxExportError, mappingContext } from './onnx-mapping.js';
import { onnxMappingOf, onnxMappedTypes } from './onnx-mappings.js';

/** Options of {@link exportOnnx}, after PyTorch's `torch.onnx.export`. */
export interface ExportOnnxOptions {
  /**
   * The ONNX opset to write; the exporter writes opset 17.
   * @defaultValue `17`
   */
  opset?: number;
  /**
   * The names of the graph inputs, one per example input.
   * @defaultValue `['input']` for one input, else `['input0', 'input1', ...]`
   */
  inputNames?: readonly string[];
  /**
   * The names of the graph outputs, one per tensor `forward` returns.
   * @defaultValue `['output']` for one output, else `['output0', 'output1', ...]`
   */
  outputNames?: readonly string[];
  /**
   * The dimensions of inputs and outputs whose size may change, by input or
   * output name: `{ input: { 0: 'batch' }, output: { 0: 'batch' } }`, or a
   * list of dimensions (`{ input: [0] }`, named `input_dim0`).
   * @defaultValue every dimension fixed to the example's size
   */
  dynamicAxes?: Readonly<Record<string, Readonly<Record<number, string>> | readonly number[]>>;
  /**
   * The graph's name in the file.
   * @defaultValue the model's class name
   */
  graphName?: string;
}

function tensorsOf(value: unknown): Tensor[] {
  if (value instanceof Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap((item) => tensorsOf(item));
  return [];
}

function defaultNames(prefix: string, count: number): string[] {
  return count === 1 ? [prefix] : Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

function resolveNames(kind: 'inputNames' | 'outputNames', given: readonly string[] | undefined, count: number): string[] {
  const names = given === undefined ? defaultNames(kind === 'inputNames' ? 'input' : 'output', count) : [...given];
  if (names.length !== count) {
    throw new RangeError(`exportOnnx: ${kind} has ${names.length} names for ${count} ${kind === 'inputNames' ? 'inputs' : 'outputs'}`);
  }
  if (new Set(names).size !== names.length) throw new RangeError(`exportOnnx: ${kind} repeats a name: [${names.join(', ')}]`);
  return names;
}

function dimensionsOf(name: string, shape: readonly number[], dynamicAxes: ExportOnnxOptions['dynamicAxes']): OnnxDimension[] {
  const dynamic = dynamicAxes?.[name];
  const dimensions: OnnxDimension[] = [...shape];
  if (dynamic === undefined) return dimensions;
  const entries: [number, string][] = Array.isArray(dynamic)
    ? (dynamic as readonly number[]).map((axis) => [axis, `${name}_dim${axis}`])
    : Object.entries(dynamic).map(([axis, label]) => [Number(axis), label as string]);
  for (const [axis, label] of entries) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
      throw new RangeError(`exportOnnx: dynamicAxes['${name}'] names dimension ${axis}, but '${name}' has ${shape.length} dimensions`);
    }
    dimensions[axis] = label;
  }
  return dimensions;
}

function floatTypeOf(model: Module, inputs: readonly Tensor[]): OnnxElementType {
  const parameter = model.parameters().find((candidate) => isFloatingPoint(candidate.dtype));
  const input = inputs.find((candidate) => isFloatingPoint(candidate.dtype));
  return elementTypeOf(parameter?.dtype ?? input?.dtype ?? 'float32');
}

/**
 * Exports a model to ONNX (opset 17) by tracing one call of its `forward`
 * in evaluation mode, like `torch.onnx.export`: the bytes of a standard
 * `.onnx` file that ONNX Runtime (`onnxruntime-node`, `onnxruntime-web`) and
 * every other ONNX engine runs.
 *
 * The trace sees modules, not tensor operations: each call of a layer that
 * has a mapping (every layer of `@strata/layers-conv`, `-norm`, `-misc`,
 * `-recurrent` and `-attention` listed in the README, and those added with
 * `registerOnnxMapping`) becomes
 * its ONNX nodes, with its parameters and buffers as initializers named by
 * their state-dict keys; containers and your own modules are traced through
 * as long as their `forward` only chains submodules. The model's training
 * mode is restored afterwards.
 *
 * @param model - the model; its `forward` is called once with `exampleInputs`.
 * @param exampleInputs - one tensor or a list of them, the arguments of `forward`.
 * @throws OnnxExportError naming the layer when a module has no mapping, a
 *   mapping cannot express an option, or a value is computed outside any module.
 * @throws RangeError for an unsupported opset or inconsistent names and dynamic axes.
 * @example
 * ```ts
 * const bytes = exportOnnx(model, randn([1, 1, 28, 28]), {
 *   inputNames: ['images'], outputNames: ['logits'],
 *   dynamicAxes: { images: { 0: 'batch' }, logits: { 0: 'batch' } },
 * });
 * writeFileSync('model.onnx', bytes);
 * ```
 */
export function exportOnnx(model: Module, exampleInputs: Tensor | readonly Tensor[], options: ExportOnnxOptions = {}): Uint8Array {
  if (options.opset !== undefined && options.opset !== ONNX_OPSET) {
    throw new RangeError(`exportOnnx: opset ${options.opset} is not supported; the exporter writes opset ${ONNX_OPSET}`);
  }
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : [...exampleInputs];
  if (inputs.some((input) => !(input instanceof Tensor))) throw new TypeError('exportOnnx: exampleInputs must be a Tensor or a list of Tensors');
  const inputNames = resolveNames('inputNames', options.inputNames, inputs.length);
  const graph = new OnnxGraph();
  const valueNames = new Map<Tensor, string>();
  inputs.forEach((input, i) => {
    graph.addInput(inputNames[i]!, elementTypeOf(input.dtype), dimensionsOf(inputNames[i]!, input.shape, options.dynamicAxes));
    valueNames.set(input, inputNames[i]!);
  });

  const output = traceForward(model, inputs, graph, valueNames, floatTypeOf(model, inputs));
  const outputs = tensorsOf(output);
  const outputNames = resolveNames('outputNames', options.outputNames, outputs.length);
  for (const name of Object.keys(options.dynamicAxes ?? {})) {
    if (!inputNames.includes(name) && !outputNames.includes(name)) {
      throw new RangeError(`exportOnnx: dynamicAxes names '${name}', which is neither an input nor an output name`);
    }
  }
  outputs.forEach((tensor, i) => {
    const name = outputNames[i]!;
    const value = valueNames.get(tensor)!;
    graph.node('Identity', [value], [name]);
    graph.addOutput(name, elementTypeOf(tensor.dtype), dimensionsOf(name, tensor.shape, options.dynamicAxes));
  });
  return graph.encode(options.graphName ?? model.getName(), `${model.getName()} exported by @strata/onnx`);
}

/** Runs `model.forward(...inputs)` once in evaluation mode with every module's `forward` recording into `graph`. */
function traceForward(
  model: Module, inputs: readonly Tensor[], graph: OnnxGraph, valueNames: Map<Tensor, string>, floatType: OnnxElementType,
): unknown {
  const modes = model.modules().map((module) => [module, module.training] as const);
  const restores: (() => void)[] = [];
  const composites: string[] = [];
  let insideMapped = 0;

  const nameOf = (tensor: Tensor, consumer: string): string => {
    const name = valueNames.get(tensor);
    if (name !== undefined) return name;
    const where = composites.length > 0 ? ` (by a tensor operation in the forward of ${composites[composites.length - 1]})` : '';
    throw new OnnxExportError(
      `exportOnnx: ${consumer} gets an input computed outside any module${where}; the exporter traces modules, ` +
        'so wrap that computation in a module (and register its ONNX mapping with registerOnnxMapping)',
    );
  };

  const traced = (module: Module, path: string, original: (...args: unknown[]) => unknown) =>
    function tracedForward(...args: unknown[]): unknown {
      if (insideMapped > 0) return original.apply(module, args);
      const found = onnxMappingOf(module);
      if (found === null) return traceComposite(module, path, original, args);
      const description = describeModule(found.typeName, path);
      const inputTensors = tensorsOf(args);
      const inputs = inputTensors.map((tensor) => nameOf(tensor, description));
      insideMapped++;
      let output: unknown;
      try {
        output = original.apply(module, args);
      } finally {
        insideMapped--;
      }
      const outputTensors = tensorsOf(output);
      const context = mappingContext(graph, module, found.typeName, path, args, inputTensors, inputs, outputTensors, floatType);
      const written = found.mapping(context);
      const names = typeof written === 'string' ? [written] : written;
      if (names.length !== outputTensors.length) {
        context.fail(`its mapping returned ${names.length} values for ${outputTensors.length} outputs`);
      }
      outputTensors.forEach((tensor, i) => valueNames.set(tensor, names[i]!));
      return output;
    };

  const traceComposite = (module: Module, path: string, original: (...args: unknown[]) => unknown, args: unknown[]): unknown => {
    const description = describeModule(module.getName(), path);
    if (module.children().length === 0) {
      throw new OnnxExportError(
        `exportOnnx: no ONNX mapping for ${description}; layers with a mapping: ${onnxMappedTypes().join(', ')} ` +
          '(registerOnnxMapping adds one)',
      );
    }
    composites.push(description);
    try {
      const output = original.apply(module, args);
      for (const tensor of tensorsOf(output)) {
        if (!valueNames.has(tensor)) {
          throw new OnnxExportError(
            `exportOnnx: ${description} computes its output with tensor operations outside its submodules, which the exporter ` +
              'cannot trace; wrap them in a module with an ONNX mapping (registerOnnxMapping)',
          );
        }
      }
      return output;
    } finally {
      composites.pop();
    }
  };

  try {
    for (const [path, module] of model.namedModules()) {
      const own = Object.getOwnPropertyDescriptor(module, 'forward');
      const original = module.forward as (...args: unknown[]) => unknown;
      Object.defineProperty(module, 'forward', { value: traced(module, path, original), configurable: true, writable: true, enumerable: false });
      restores.push(() => {
        if (own === undefined) delete (module as { forward?: unknown }).forward;
        else Object.defineProperty(module, 'forward', own);
      });
    }
    model.eval();
    return noGrad(() => model.forward(...inputs));
  } finally {
    for (const restore of restores) restore();
    for (const [module, training] of modes) module.training = training;
  }
}
