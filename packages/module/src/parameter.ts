import { describeKind, DTypeError, isFloatingPoint, Tensor } from '@strata/tensor';

/**
 * A tensor that is a module's parameter, like `torch.nn.Parameter`: assigned
 * to a module's field (or passed to `registerParameter`), it is found by
 * `parameters()`, `namedParameters()` and `stateDict()`.
 *
 * The parameter shares `data`'s storage (no copy) and is a leaf of the
 * graph: it never carries `data`'s `gradFn`.
 *
 * @example
 * ```ts
 * const weight = new Parameter(randn([4, 3]));   // requiresGrad: true
 * const counts = new Parameter(zeros([4], { dtype: 'int32' }), false);
 * ```
 */
export class Parameter extends Tensor {
  /**
   * @param data - the tensor whose storage, shape and strides the parameter takes.
   * @param requiresGrad - whether gradients are recorded for it.
   * @throws TypeError when `data` is not a Tensor.
   * @throws DTypeError when `requiresGrad` is true and `data` is not floating point.
   */
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) {
      throw new TypeError(`Parameter: expected a Tensor, got ${describeKind(data)}`);
    }
    if (requiresGrad && !isFloatingPoint(data.dtype)) {
      throw new DTypeError(
        `Parameter: only tensors of floating point dtype can require gradients, got ${data.dtype} (pass requiresGrad = false for a ${data.dtype} parameter)`,
      );
    }
    super(data.storage, data.shape, data.strides, data.offset, data.base);
    this.requiresGrad = requiresGrad;
  }

  /** PyTorch's printout: `Parameter containing:` above the tensor's own. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
