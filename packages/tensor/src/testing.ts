/**
 * The backend conformance suite (`@strata/tensor/testing`): any backend
 * runs it on itself to show that every kernel it registers matches the CPU
 * reference on random shapes, strides and dtypes, and a table of which
 * kernels each backend registers.
 *
 * @packageDocumentation
 */
export { type ConformanceCase, type ConformanceOptions, conformanceCases, coveredKernels } from './testing/suite.js';
export type { ArgumentDraw } from './testing/cases.js';
export { DEFAULT_TOLERANCES, type Tolerance, assertMatches } from './testing/compare.js';
export { OPERAND_LAYOUTS, type OperandLayout, OperandSource } from './testing/operands.js';
export { type KernelCoverageRow, kernelCoverage, kernelCoverageTable } from './testing/coverage.js';
export { maxRelativeDifference, onCompositeDefault, withoutKernel } from './testing/without-kernel.js';
