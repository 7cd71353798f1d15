import { activationFormulas } from './activation.js';
import { castFormulas } from './cast.js';
import { elementwiseFormulas } from './elementwise.js';
import { indexingFormulas } from './indexing.js';
import { joinFormulas } from './join.js';
import { matmulFormulas } from './matmul.js';
import { reductionFormulas } from './reduction.js';
import type { GradientFormulas } from './types.js';
import { unaryFormulas } from './unary.js';
import { viewFormulas } from './views.js';

/**
 * The derivative of every operation `@strata/tensor` records, by name. Typed
 * as a mapped type over `OperationAttributes`, so an op added there without
 * a formula here fails the build.
 */
export const formulas: GradientFormulas = {
  ...viewFormulas,
  ...castFormulas,
  ...elementwiseFormulas,
  ...unaryFormulas,
  ...reductionFormulas,
  ...activationFormulas,
  ...matmulFormulas,
  ...joinFormulas,
  ...indexingFormulas,
};
