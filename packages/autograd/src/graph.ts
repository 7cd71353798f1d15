import { type DType, type GradientNode, type Tensor, formatShape, isFloatingPoint } from '@strata/tensor';

/**
 * Where a gradient flows: output `index` of `node`. A node's `nextEdges`
 * hold one per input of the operation (`null` for an input that needs no
 * gradient), like PyTorch's `next_functions`.
 */
export interface Edge {
  /** The node that produced the input. */
  readonly node: BackwardNode;
  /** Which output of that node the input is. */
  readonly index: number;
}

let sequenceCounter = 0;

/** The output index of tensors produced as output 1, 2, ... of a multi-output node (0 is the default). */
const outputIndices = new WeakMap<Tensor, number>();

/** Which output of its `gradFn` a tensor is. */
export function outputIndexOf(tensor: Tensor): number {
  return outputIndices.get(tensor) ?? 0;
}

/**
 * A node of the backward graph. Nodes capture their input edges when the
 * operation is recorded: an in-place op later gives the tensor a new
 * `gradFn`, but a node recorded before still points at the old one.
 */
export abstract class BackwardNode implements GradientNode {
  /** The operation's name (`'mul'`, `'conv2d'`, ...), or `'accumulateGrad'` for a leaf. */
  readonly name: string;
  /** Creation order: later nodes depend on earlier ones, never the reverse. */
  readonly sequenceNumber: number;
  /** One edge per input of the operation, `null` where no gradient is needed. */
  readonly nextEdges: readonly (Edge | null)[];
  /** How many outputs the operation has (one gradient arrives per output). */
  readonly outputCount: number;
  /** The shape of each input at record time: each input's gradient must have it. */
  readonly inputShapes: readonly (readonly number[])[];
  /** The dtype of each input at record time: each input's gradient is cast to it. */
  readonly inputDTypes: readonly DType[];
  /**
   * The outputs that have hooks or retain their gradient, the only ones the
   * node needs to find again. Other outputs are not referenced at all: a
   * `WeakRef` per output would keep every step's tensors alive until the
   * current task ends (the spec's KeepDuringJob list), so a synchronous
   * training loop would never free anything.
   */
  private observedOutputs: (Tensor | null)[] | null = null;

  /**
   * Captures the input edges of `inputs` (an input that needs no gradient,
   * or is not floating point, gets `null`).
   */
  constructor(name: string, inputs: readonly Tensor[], outputCount: number) {
    this.name = name;
    this.sequenceNumber = sequenceCounter++;
    this.nextEdges = inputs.map((input) => (isFloatingPoint(input.dtype) ? edgeOf(input) : null));
    this.outputCount = outputCount;
    this.inputShapes = inputs.map((input) => input.shape);
    this.inputDTypes = inputs.map((input) => input.dtype);
  }

  /** The nodes this one sends gradients to (PyTorch's `next_functions`). */
  get nextFunctions(): readonly (GradientNode | null)[] {
    return this.nextEdges.map((edge) => edge?.node ?? null);
  }

  /** Makes `tensor` output `index` of this node: sets its `gradFn`. */
  attachOutput(tensor: Tensor, index: number): void {
    if (index === 0) outputIndices.delete(tensor);
    else outputIndices.set(tensor, index);
    tensor.setGradientNode(this);
    if (tensor.retainsGrad || tensor.gradientHooks.length > 0) this.observeOutput(tensor);
  }

  /**
   * Remembers `tensor`, one of this node's outputs, because a hook or
   * `retainGrad()` needs its gradient. The node holds it strongly (as PyTorch's
   * `grad_fn` holds a tensor's hooks): only for as long as the graph lives.
   */
  observeOutput(tensor: Tensor): void {
    if (tensor.gradFn !== this) return;
    this.observedOutputs ??= new Array<Tensor | null>(this.outputCount).fill(null);
    this.observedOutputs[outputIndexOf(tensor)] = tensor;
  }

  /**
   * Output `index`, if it has hooks or retains its gradient and is still
   * produced by this node (an in-place op moves a tensor onto a newer node).
   */
  output(index: number): Tensor | null {
    const tensor = this.observedOutputs?.[index] ?? null;
    return tensor !== null && tensor.gradFn === this && outputIndexOf(tensor) === index ? tensor : null;
  }

  /**
   * The gradients with respect to the inputs, one per `nextEdges` entry, from
   * one per output. `owned[i]` says the engine alone holds `gradOutputs[i]`,
   * so the node may write into it (see `GradientContext.gradOutputIsOwned`).
   */
  abstract apply(gradOutputs: readonly (Tensor | null)[], owned?: readonly boolean[]): readonly (Tensor | null | undefined)[];

  /** Frees what the node saved for backward (after a backward without `retainGraph`). */
  abstract release(): void;
}

/** The node at the end of a leaf that requires grad: it accumulates into `leaf.grad`. */
export class AccumulateGrad extends BackwardNode {
  /** The leaf whose `grad` this node accumulates into. */
  readonly variable: Tensor;

  constructor(variable: Tensor) {
    super('accumulateGrad', [], 1);
    this.variable = variable;
  }

  apply(): readonly (Tensor | null)[] {
    return [];
  }

  release(): void {}
}

const accumulators = new WeakMap<Tensor, AccumulateGrad>();

/** The one `AccumulateGrad` node of a leaf (created on first use), so all paths meet there. */
export function accumulatorOf(leaf: Tensor): AccumulateGrad {
  let node = accumulators.get(leaf);
  if (node === undefined) {
    node = new AccumulateGrad(leaf);
    accumulators.set(leaf, node);
  }
  return node;
}

/** The accumulator of a leaf if one was ever created (otherwise the leaf is in no graph). */
export function existingAccumulatorOf(leaf: Tensor): AccumulateGrad | undefined {
  return accumulators.get(leaf);
}

/** The edge a gradient for `tensor` flows along, or `null` when it needs none. */
export function edgeOf(tensor: Tensor): Edge | null {
  if (tensor.gradFn instanceof BackwardNode) return { node: tensor.gradFn, index: outputIndexOf(tensor) };
  if (tensor.gradFn === null && tensor.requiresGrad) return { node: accumulatorOf(tensor), index: 0 };
  return null;
}

/** The message PyTorch gives when a node's saved tensors were freed by an earlier backward. */
export const SECOND_BACKWARD_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
  'Saved intermediate values of the graph are freed when you call backward() or grad(). ' +
  'Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

/**
 * A tensor saved for backward together with its storage version at save
 * time, so backward can tell that an in-place op changed it since.
 */
export class SavedTensor {
  readonly tensor: Tensor;
  readonly version: number;

  constructor(tensor: Tensor) {
    this.tensor = tensor;
    this.version = tensor.storage.version;
  }

  /**
   * The saved tensor.
   * @throws Error when an in-place operation modified it after it was saved.
   */
  unpack(operation: string): Tensor {
    const current = this.tensor.storage.version;
    if (current !== this.version) {
      throw new Error(
        `${operation} backward: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `[${arrayName(this.tensor.dtype)} ${formatShape(this.tensor.shape)}] is at version ${current}; expected version ${this.version} instead. ` +
          'Hint: the operation that failed to compute its gradient is the one named first; make a clone() before the in-place change, or do it out of place.',
      );
    }
    return this.tensor;
  }
}

function arrayName(dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return 'Float32Array';
    case 'float64':
      return 'Float64Array';
    case 'int32':
      return 'Int32Array';
    case 'bool':
      return 'Uint8Array';
  }
}
