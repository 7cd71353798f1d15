import * as ops from '@strata/tensor';

import type { OperationName } from '../types.js';
import { type Domain, type GradcheckCase, awayFromZero, positive } from './support.js';

type UnaryName = 'neg' | 'abs' | 'square' | 'exp' | 'log' | 'log2' | 'log1p' | 'expm1' | 'sqrt' | 'rsqrt' | 'reciprocal' | 'sin' | 'cos' | 'sign' | 'floor' | 'ceil' | 'round' | 'trunc';

/** Each unary op with the values it is smooth on. */
const unaryOps: Record<UnaryName, Domain> = {
  neg: {},
  abs: awayFromZero,
  square: {},
  exp: {},
  log: positive,
  log2: positive,
  log1p: { low: -0.8, high: 2 },
  expm1: {},
  sqrt: positive,
  rsqrt: positive,
  reciprocal: awayFromZero,
  sin: {},
  cos: {},
  // Piecewise constant: away from the jumps (integers, half-integers for round, 0 for sign).
  sign: awayFromZero,
  floor: { avoid: [-2, -1, 0, 1, 2] },
  ceil: { avoid: [-2, -1, 0, 1, 2] },
  round: { avoid: [-1.5, -0.5, 0.5, 1.5] },
  trunc: { avoid: [-2, -1, 0, 1, 2] },
};

/** Gradcheck cases of the one-input math ops, on a contiguous, a transposed and a 0-d input. */
export const unaryCases: GradcheckCase[] = (Object.entries(unaryOps) as [UnaryName, Domain][]).flatMap(([op, domain]) => {
  const fn = ops[op] as (input: ops.Tensor) => ops.Tensor;
  // Zero-gradient ops: add the input so that the output requires grad through another path too.
  const withInput = ['sign', 'floor', 'ceil', 'round', 'trunc'].includes(op);
  const apply = (x: ops.Tensor): ops.Tensor => (withInput ? fn(x).add(x.mul(0.5)) : fn(x));
  return [
    { op: op as OperationName, name: `${op} [2, 3]`, inputs: [{ shape: [2, 3], domain }], fn: (x) => apply(x!) },
    { op: op as OperationName, name: `${op} of a transposed leaf`, inputs: [{ shape: [3, 2], layout: 'transposed', domain }], fn: (x) => apply(x!) },
    { op: op as OperationName, name: `${op} 0-d`, inputs: [{ shape: [], domain }], fn: (x) => apply(x!) },
  ];
});
