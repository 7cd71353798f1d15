/**
 * The base classes of the loss modules, like PyTorch's `_Loss` and
 * `_WeightedLoss`: they hold the checked reduction and, for the weighted
 * losses, the `weight` buffer (so `stateDict()` has PyTorch's `weight` key).
 */
import { Module } from '@strata/module';
import type { Tensor } from '@strata/tensor';
import type { KLDivReduction, Reduction } from './options.js';

/**
 * The base class of every loss module, like PyTorch's `_Loss`. A loss has
 * no parameters; it prints as PyTorch's do, with no options
 * (`CrossEntropyLoss()`), because PyTorch's losses define no `extra_repr`.
 */
export abstract class Loss extends Module {
  /**
   * How the per-element losses are combined: `'none'`, `'mean'` or `'sum'`
   * (each subclass narrows the type; only `KLDivLoss` also has `'batchmean'`).
   */
  readonly reduction: KLDivReduction;

  constructor(reduction: KLDivReduction) {
    super();
    this.reduction = reduction;
  }

  /** Computes the loss of `input` against `target` (the embedding losses take three tensors). */
  abstract override forward(...inputs: Tensor[]): Tensor;
}

/**
 * The base class of the losses with a `weight`, like PyTorch's
 * `_WeightedLoss`: the weight is a registered buffer (PyTorch's key `weight`,
 * left out of `stateDict()` when `null`), read at every `forward`, so a
 * loaded state dict takes effect.
 */
export abstract class WeightedLoss extends Loss {
  /** The class or element weights, or `null` (a buffer). */
  declare readonly weight: Tensor | null;
  declare readonly reduction: Reduction;

  constructor(weight: Tensor | null, reduction: Reduction) {
    super(reduction);
    this.registerBuffer('weight', weight);
  }
}
