import { Tensor, describeKind, isFloatingPoint, isGradEnabled, setGradEnabled, zeros } from '@strata/tensor';

import { BackwardNode, SECOND_BACKWARD_MESSAGE, SavedTensor } from './graph.js';

/** What a custom op returns: one tensor, or a tuple of them. */
export type OpOutput = Tensor | readonly Tensor[];

/** The gradient(s) `backward` receives: one tensor per output of `forward`. */
export type OutputGradients<Output extends OpOutput> = Output extends Tensor
  ? Tensor
  : { readonly [I in keyof Output]: Tensor };

/** What `backward` may return for one input: a tensor input gets a gradient or `null`; any other input `null`. */
export type InputGradient<Input> = [Extract<Input, Tensor>] extends [never] ? null | undefined : Tensor | null | undefined;

/** What `backward` returns: one entry per argument of `forward` (trailing ones may be left out). */
export type InputGradients<Inputs extends readonly unknown[]> = { [I in keyof Inputs]?: InputGradient<Inputs[I]> };

/**
 * The context shared by a custom op's `forward` and `backward`, like the
 * `ctx` of `torch.autograd.Function`. One context exists per call of the op.
 */
export interface OpContext<State extends object = Record<string, unknown>> {
  /** The op's name (from `defineOp`). */
  readonly name: string;
  /**
   * Whether each argument of `forward` needs a gradient (a tensor that
   * requires grad while grad mode is on); `backward` may skip the others.
   */
  readonly needsInputGrad: readonly boolean[];
  /**
   * Anything else `backward` needs (sizes, options, scalars), typed by the
   * context's `State` parameter: annotate `forward`'s `ctx` as
   * `OpContext<{ ... }>`. Starts empty; `forward` fills it.
   */
  readonly state: State;
  /**
   * Saves tensors for `backward` (inputs, outputs or intermediates). Their
   * storage versions are recorded: `savedTensors` throws if an in-place op
   * changed one since.
   */
  saveForBackward(...tensors: Tensor[]): void;
  /**
   * The tensors given to `saveForBackward`, in order.
   * @throws Error when an in-place op modified one of them after it was saved,
   * or when a backward without `retainGraph` already freed them.
   */
  readonly savedTensors: readonly Tensor[];
  /** Declares outputs that carry no gradient (indices, masks): they will not require grad. */
  markNonDifferentiable(...outputs: Tensor[]): void;
}

/** The two halves of a custom differentiable op; see {@link defineOp}. */
export interface OpDefinition<Inputs extends readonly unknown[], Output extends OpOutput, State extends object> {
  /** The op's name, as its node's `gradFn.name` and in error messages (`'conv2d'`). */
  readonly name: string;
  /**
   * Computes the output(s) from the inputs with tensor ops or kernels. Runs
   * with grad mode off, so nothing inside is recorded.
   */
  forward(ctx: OpContext<State>, ...inputs: Inputs): Output;
  /**
   * The gradient of each input from the gradient of each output: an array
   * with one entry per argument of `forward` (`null` for an argument that
   * gets no gradient, such as an options object). Write it with tensor ops:
   * under `createGraph` it runs with grad mode on, which records it.
   */
  backward(ctx: OpContext<State>, gradOutput: OutputGradients<Output>): InputGradients<Inputs>;
}

class Context<State extends object> implements OpContext<State> {
  readonly name: string;
  readonly needsInputGrad: readonly boolean[];
  readonly state = {} as State;
  nonDifferentiable: Tensor[] = [];
  private saved: SavedTensor[] | null = [];

  constructor(name: string, needsInputGrad: readonly boolean[]) {
    this.name = name;
    this.needsInputGrad = needsInputGrad;
  }

  saveForBackward(...tensors: Tensor[]): void {
    for (const tensor of tensors) {
      if (!(tensor instanceof Tensor)) {
        throw new TypeError(`${this.name}: saveForBackward takes tensors only; keep other values in ctx.state`);
      }
    }
    this.saved = tensors.map((tensor) => new SavedTensor(tensor));
  }

  get savedTensors(): readonly Tensor[] {
    if (this.saved === null) throw new Error(`${this.name} backward: ${SECOND_BACKWARD_MESSAGE}`);
    return this.saved.map((saved) => saved.unpack(this.name));
  }

  markNonDifferentiable(...outputs: Tensor[]): void {
    this.nonDifferentiable.push(...outputs);
  }

  /** Whether anything was saved (a node that saved nothing may run again). */
  get savesTensors(): boolean {
    return this.saved !== null && this.saved.length > 0;
  }

  /** Whether backward freed what this context held (it cannot run again). */
  get released(): boolean {
    return this.saved === null;
  }

  /**
   * Frees the saved tensors after a backward without `retainGraph`, and with
   * them `state`, which may hold tensors too (a node that saved nothing keeps
   * its state: it may run again, as in PyTorch).
   */
  release(): void {
    if (!this.savesTensors) return;
    this.saved = null;
    for (const key of Object.keys(this.state)) delete (this.state as Record<string, unknown>)[key];
  }
}

/** The backward node of one call of a custom op. */
class CustomOpNode<Inputs extends readonly unknown[], Output extends OpOutput, State extends object> extends BackwardNode {
  private readonly definition: OpDefinition<Inputs, Output, State>;
  private readonly context: Context<State>;
  /** The argument position of each tensor input (the node's edges follow the tensors only). */
  private readonly tensorPositions: readonly number[];
  private readonly argumentCount: number;
  private readonly outputShapes: readonly (readonly number[])[];
  private readonly outputDTypes: readonly Tensor['dtype'][];
  private readonly singleOutput: boolean;

  constructor(
    definition: OpDefinition<Inputs, Output, State>,
    context: Context<State>,
    inputs: readonly unknown[],
    outputs: readonly Tensor[],
    singleOutput: boolean,
  ) {
    const tensorPositions: number[] = [];
    inputs.forEach((input, position) => {
      if (input instanceof Tensor) tensorPositions.push(position);
    });
    super(
      definition.name,
      tensorPositions.map((position) => inputs[position] as Tensor),
      outputs.length,
    );
    this.definition = definition;
    this.context = context;
    this.tensorPositions = tensorPositions;
    this.argumentCount = inputs.length;
    this.outputShapes = outputs.map((output) => output.shape);
    this.outputDTypes = outputs.map((output) => output.dtype);
    this.singleOutput = singleOutput;
  }

  apply(gradOutputs: readonly (Tensor | null)[]): readonly (Tensor | null | undefined)[] {
    if (this.context.released) throw new Error(`${this.name} backward: ${SECOND_BACKWARD_MESSAGE}`);
    // Like PyTorch's materialized grads: an output nothing used gets zeros.
    const gradients = gradOutputs.map(
      (gradient, i) => gradient ?? zeros(this.outputShapes[i]!, { dtype: this.outputDTypes[i]! }),
    );
    const argument = (this.singleOutput ? gradients[0]! : gradients) as OutputGradients<Output>;
    const result = this.definition.backward(this.context, argument) as unknown;
    if (!Array.isArray(result)) {
      throw new TypeError(
        `${this.name} backward: expected an array with one gradient (or null) per input of forward, got ${describeKind(result)}`,
      );
    }
    if (result.length > this.argumentCount) {
      throw new Error(
        `${this.name} backward: returned ${result.length} gradients, but forward has ${this.argumentCount} inputs`,
      );
    }
    result.forEach((gradient: unknown, position) => {
      if (gradient === null || gradient === undefined) return;
      if (!(gradient instanceof Tensor)) {
        throw new TypeError(`${this.name} backward: the gradient at position ${position} must be a Tensor or null, got ${describeKind(gradient)}`);
      }
      if (!this.tensorPositions.includes(position)) {
        throw new Error(
          `${this.name} backward: returned a gradient different than null at position ${position}, but the corresponding forward input was not a Tensor`,
        );
      }
    });
    return this.tensorPositions.map((position) => (result[position] as Tensor | null | undefined) ?? null);
  }

  release(): void {
    this.context.release();
  }
}

/**
 * Declares a differentiable operation from a forward and a backward
 * function, like subclassing `torch.autograd.Function`. This is how layer
 * packages add convolution, pooling and normalization, and how any package
 * adds an op of its own.
 *
 * `forward(ctx, ...inputs)` computes the result with tensor ops or kernels,
 * with grad mode off (nothing inside is recorded). Any argument may be a
 * non-tensor (an options object, a number): it is passed through and gets no
 * gradient. `ctx.saveForBackward(...)` keeps tensors for backward (checked
 * against later in-place changes), `ctx.state` keeps anything else, typed by
 * annotating `ctx` as `OpContext<{ ... }>`.
 *
 * `backward(ctx, gradOutput)` returns one gradient per argument of forward
 * (`null` where none flows; trailing `null`s may be left out), each with its
 * input's shape. It is written with tensor ops, so `createGraph` records it
 * and higher derivatives work when its ops are differentiable.
 *
 * The result is a typed function with forward's arguments. Called while
 * grad mode is on with an input that requires grad, it records one node
 * (its `gradFn.name` is `name`); otherwise it just computes forward.
 *
 * @throws TypeError when `name` is empty or `forward`/`backward` are not
 * functions. The returned function throws a TypeError when `forward` returns
 * something other than a Tensor or a non-empty array of Tensors; backward
 * through it throws when `backward` returns anything but one gradient (a
 * Tensor of its input's shape, or `null`) per argument of `forward`.
 *
 * @example
 * ```ts
 * import { defineOp, gradcheck, type OpContext } from '@strata/autograd';
 * import { type Tensor, randn } from '@strata/tensor';
 *
 * // y = x * scale + bias, with bias optional
 * const scaleShift = defineOp({
 *   name: 'scaleShift',
 *   forward(ctx: OpContext<{ scale: number }>, x: Tensor, bias: Tensor | null, options: { scale: number }) {
 *     ctx.state.scale = options.scale;
 *     const scaled = x.mul(options.scale);
 *     return bias === null ? scaled : scaled.add(bias);
 *   },
 *   backward(ctx, gradOutput) {
 *     const gradX = ctx.needsInputGrad[0] ? gradOutput.mul(ctx.state.scale) : null;
 *     const gradBias = ctx.needsInputGrad[1] ? gradOutput.sum(0) : null;
 *     return [gradX, gradBias];
 *   },
 * });
 *
 * const x = randn([4, 3], { dtype: 'float64', requiresGrad: true });
 * const bias = randn([3], { dtype: 'float64', requiresGrad: true });
 * const y = scaleShift(x, bias, { scale: 2 }); // y.gradFn.name === 'scaleShift'
 * gradcheck((a, b) => scaleShift(a, b, { scale: 2 }), [x, bias]); // true
 * ```
 */
export function defineOp<Inputs extends readonly unknown[], Output extends OpOutput, State extends object = Record<string, unknown>>(
  definition: OpDefinition<Inputs, Output, State>,
): (...inputs: Inputs) => Output {
  if (typeof definition.name !== 'string' || definition.name.length === 0) {
    throw new TypeError('defineOp: name must be a non-empty string');
  }
  if (typeof definition.forward !== 'function' || typeof definition.backward !== 'function') {
    throw new TypeError(`defineOp: '${definition.name}' needs forward and backward functions`);
  }
  const op = (...inputs: Inputs): Output => {
    const recording = isGradEnabled() && inputs.some((input) => input instanceof Tensor && input.requiresGrad);
    const context = new Context<State>(
      definition.name,
      inputs.map((input) => recording && input instanceof Tensor && input.requiresGrad),
    );
    const previous = setGradEnabled(false);
    let result: Output;
    try {
      result = definition.forward(context, ...inputs);
    } finally {
      setGradEnabled(previous);
    }
    const singleOutput = result instanceof Tensor;
    const outputs = checkOutputs(definition.name, result, singleOutput);
    if (!recording) return result;
    // An output that is an input passed through gets its own tensor object, so
    // the input keeps its own gradFn.
    const distinct = outputs.map((output) => (inputs.includes(output) ? output.detach() : output));
    const node = new CustomOpNode(definition, context, inputs, distinct, singleOutput);
    distinct.forEach((output, index) => {
      if (isFloatingPoint(output.dtype) && !context.nonDifferentiable.includes(outputs[index]!)) {
        node.attachOutput(output, index);
      }
    });
    // The marks were needed only to attach the outputs; holding them would keep the outputs alive with the graph.
    context.nonDifferentiable = [];
    return (singleOutput ? distinct[0]! : distinct) as unknown as Output;
  };
  Object.defineProperty(op, 'name', { value: definition.name });
  return op;
}

function checkOutputs(name: string, result: unknown, singleOutput: boolean): readonly Tensor[] {
  if (singleOutput) return [result as Tensor];
  if (!Array.isArray(result) || result.length === 0 || !result.every((output) => output instanceof Tensor)) {
    throw new TypeError(`${name}: forward must return a Tensor or a non-empty array of Tensors, got ${describeKind(result)}`);
  }
  return result as readonly Tensor[];
}

