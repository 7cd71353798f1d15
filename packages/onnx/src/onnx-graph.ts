import type { DType, Tensor } from '@strata/tensor';
import onnxProto, { type onnx as OnnxProto } from 'onnx-proto';

// onnx-proto is the ONNX schema compiled by protobufjs (a CommonJS module
// whose one export is the `onnx` namespace).
const { onnx } = onnxProto;

/** The opset the exporter writes and the mappings target. */
export const ONNX_OPSET = 17;
/** The IR version of opset 17 (ONNX 1.12). */
const IR_VERSION = 8;

/** An attribute value of an ONNX node: a number is an `INT` when integral unless listed in `floats`. */
export type OnnxAttributeValue =
  | number | string | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] } | { readonly strings: readonly string[] };

/** The element types the exporter writes. */
export type OnnxElementType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

const ELEMENT_TYPES: Record<OnnxElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** The ONNX element type of a Strata dtype. */
export function elementTypeOf(dtype: DType): OnnxElementType {
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new TypeError(`exportOnnx: tensors of dtype ${String(dtype)} cannot be written to ONNX`);
}

/** A dimension of a graph input or output: a fixed size or a named dynamic one. */
export type OnnxDimension = number | string;

/**
 * Builds one ONNX graph: nodes in execution order, initializers (the
 * weights), constants, and the typed inputs and outputs. Mappings talk to it
 * through {@link OnnxGraph.node}, {@link OnnxGraph.initializer} and
 * {@link OnnxGraph.constant}; every name it hands out is unique.
 */
export class OnnxGraph {
  private readonly nodes: OnnxProto.INodeProto[] = [];
  private readonly initializers: OnnxProto.ITensorProto[] = [];
  private readonly inputs: OnnxProto.IValueInfoProto[] = [];
  private readonly outputs: OnnxProto.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private readonly initializerOf = new Map<Tensor, string>();

  /** A name not used yet, made from `base` (`conv.out`, `conv.out_1`, ...). */
  uniqueName(base: string): string {
    const clean = base === '' ? 'value' : base;
    let name = clean;
    for (let suffix = 1; this.usedNames.has(name); suffix++) name = `${clean}_${suffix}`;
    this.usedNames.add(name);
    return name;
  }

  /**
   * Appends a node `opType(inputs) -> outputs` and returns the names of its
   * outputs. `outputs` are base names made unique here; an empty string in
   * `inputs` is ONNX's "optional input left out".
   */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, OnnxAttributeValue> = {}): string[] {
    const outputNames = outputs.map((base) => this.uniqueName(base));
    this.nodes.push({
      opType,
      input: [...inputs],
      output: outputNames,
      name: this.uniqueName(`${opType}_${this.nodes.length}`),
      attribute: Object.entries(attributes).map(([name, value]) => attributeProto(name, value)),
    });
    return outputNames;
  }

  /** One-output {@link OnnxGraph.node}. */
  op(opType: string, inputs: readonly string[], output: string, attributes: Record<string, OnnxAttributeValue> = {}): string {
    return this.node(opType, inputs, [output], attributes)[0]!;
  }

  /**
   * A tensor of the model (a parameter or buffer) as an initializer named
   * `name` (its state-dict key); the same tensor is written once.
   */
  initializer(name: string, tensor: Tensor): string {
    const existing = this.initializerOf.get(tensor);
    if (existing !== undefined) return existing;
    const unique = this.uniqueName(name);
    this.initializers.push(tensorProto(unique, elementTypeOf(tensor.dtype), tensor.shape, tensor.toTypedArray()));
    this.initializerOf.set(tensor, unique);
    return unique;
  }

  /** A constant computed by a mapping (a reshaped weight, a shape, a scalar) as an initializer. */
  constant(name: string, type: OnnxElementType, shape: readonly number[], values: ArrayLike<number>): string {
    const unique = this.uniqueName(name);
    const data = type === 'int64' ? Array.from(values) : typedArrayOf(type, values);
    this.initializers.push(tensorProto(unique, type, shape, data));
    return unique;
  }

  /** A 0-d float constant of the graph's float type (a scale, a bound). */
  scalar(name: string, value: number, type: OnnxElementType = 'float32'): string {
    return this.constant(name, type, [], [value]);
  }

  /** A 1-d int64 constant (axes, shapes, pads, starts and ends of slices). */
  int64s(name: string, values: readonly number[]): string {
    return this.constant(name, 'int64', [values.length], values);
  }

  /** Declares a graph input. */
  addInput(name: string, type: OnnxElementType, shape: readonly OnnxDimension[]): void {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, type, shape));
  }

  /** Declares a graph output (an existing value). */
  addOutput(name: string, type: OnnxElementType, shape: readonly OnnxDimension[]): void {
    this.outputs.push(valueInfo(name, type, shape));
  }

  /** The serialized model: `ModelProto` bytes, ready for a `.onnx` file. */
  encode(graphName: string, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: '@strata/onnx',
      producerVersion: '0',
      docString,
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function typedArrayOf(type: OnnxElementType, values: ArrayLike<number>): Float32Array | Float64Array | Int32Array | Uint8Array {
  switch (type) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    default:
      return Uint8Array.from(values);
  }
}

function littleEndianBytes(values: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array): Uint8Array {
  // Typed arrays use the platform's byte order; ONNX raw data is little-endian (every platform Node ships on).
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
}

function tensorProto(
  name: string,
  type: OnnxElementType,
  shape: readonly number[],
  values: Float32Array | Float64Array | Int32Array | Uint8Array | readonly number[],
): OnnxProto.ITensorProto {
  const raw = Array.isArray(values)
    ? littleEndianBytes(BigInt64Array.from(values as readonly number[], (value) => BigInt(value)))
    : littleEndianBytes(values as Float32Array | Float64Array | Int32Array | Uint8Array);
  return { name, dataType: ELEMENT_TYPES[type], dims: [...shape], rawData: raw };
}

function valueInfo(name: string, type: OnnxElementType, shape: readonly OnnxDimension[]): OnnxProto.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPES[type],
        shape: { dim: shape.map((size) => (typeof size === 'number' ? { dimValue: size } : { dimParam: size })) },
      },
    },
  };
}

function attributeProto(name: string, value: OnnxAttributeValue): OnnxProto.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: types.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new RangeError(`exportOnnx: attribute ${name} must be an integer or { float }, got ${value}`);
    return { name, type: types.INT, i: value };
  }
  if ('float' in value) return { name, type: types.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: types.FLOATS, floats: [...value.floats] };
  if ('strings' in value) return { name, type: types.STRINGS, strings: value.strings.map((text) => new TextEncoder().encode(text)) };
  return { name, type: types.INTS, ints: [...value] };
}
