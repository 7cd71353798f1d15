/**
 * Optimizers for Strata, like `torch.optim`: `SGD`, `Adam`, `AdamW`,
 * `RMSprop`, `Adagrad`, `Adadelta`, `Adamax`, `NAdam`, `RAdam` on the
 * `Optimizer` base class; learning-rate schedulers on `LRScheduler`; and
 * gradient clipping (`clipGradNorm`, `clipGradValue`).
 *
 * @packageDocumentation
 */
export {
  Optimizer,
  type OptimizerSpec,
  type OptimizerStateDict,
  type OptimizerZeroGradOptions,
  type ParamGroupState,
  type ParamGroupStateValue,
} from './optimizer.js';
export {
  type OptimizerOptions,
  type ParamGroup,
  type ParamGroupInput,
  type ParamGroupOf,
  type ParamsInput,
} from './param-group.js';
export { type FloatArray, type OptimizerStateValue, SavedStateReader, floatData, fullLikeParameter } from './state.js';
export { SGD, type SGDOptions, type SGDState } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamState, type AdamWOptions } from './adam.js';
export { Adamax, type AdamaxOptions, type AdamaxState } from './adamax.js';
export { NAdam, type NAdamOptions, type NAdamState } from './nadam.js';
export { RAdam, type RAdamOptions, type RAdamState } from './radam.js';
export { RMSprop, type RMSpropOptions, type RMSpropState } from './rmsprop.js';
export { Adagrad, type AdagradOptions, type AdagradState } from './adagrad.js';
export { Adadelta, type AdadeltaOptions, type AdadeltaState } from './adadelta.js';
export { LRScheduler, type LRSchedulerOptions, type LRSchedulerStateDict } from './lr-scheduler.js';
export {
  ConstantLR,
  type ConstantLROptions,
  ExponentialLR,
  LinearLR,
  type LinearLROptions,
  MultiStepLR,
  type MultiStepLROptions,
  PolynomialLR,
  type PolynomialLROptions,
  StepLR,
  type StepLROptions,
} from './step-schedulers.js';
export { LambdaLR, type LRLambda, MultiplicativeLR } from './lambda-lr.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine-annealing-lr.js';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle-lr.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export { SequentialLR } from './sequential-lr.js';
export { type ClipGradNormOptions, clipGradNorm, clipGradValue } from './clip-grad.js';
// the update kernels' contract (their signatures extend KernelRegistry)
export type {
  AdadeltaUpdateScalars,
  AdagradUpdateScalars,
  AdamUpdateScalars,
  AdamaxUpdateScalars,
  NadamUpdateScalars,
  RadamUpdateScalars,
  RmspropUpdateScalars,
  SgdUpdateScalars,
} from './kernels/update-kernels.js';
