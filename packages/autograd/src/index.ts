/**
 * Automatic differentiation for Strata. Importing this package installs the
 * gradient recorder into `@strata/tensor`, which turns on `backward()`.
 *
 * @packageDocumentation
 */
import './install.js';

export { isGradEnabled, setGradEnabled } from '@strata/tensor';
export { enableGrad, noGrad } from './grad-mode.js';
export { type GradOptions, grad } from './grad.js';
export {
  type InputGradient,
  type InputGradients,
  type OpContext,
  type OpDefinition,
  type OpOutput,
  type OutputGradients,
  defineOp,
} from './define-op.js';
export { type GradcheckOptions, gradcheck, gradgradcheck } from './gradcheck.js';
export type { GradientContext, GradientFormula, GradientFormulas, OperationName, RecordedOperation } from './formulas/types.js';
export { sumToShape } from './formulas/helpers.js';
