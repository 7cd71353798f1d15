/**
 * Every mapped layer, with its options, exported and run in ONNX Runtime:
 * the outputs must equal Strata's evaluation-mode forward pass within
 * float32 tolerance. The largest difference is printed at the end.
 */
import '@strata/autograd';
import { manualSeed } from '@strata/tensor';
import { afterAll, beforeEach, describe, it } from 'vitest';
import { layerCases, prepareCase } from './layer-test-support.js';
import { expectRuntimeMatch, largestDifference } from './runtime-test-support.js';

beforeEach(() => manualSeed(7));

afterAll(() => {
  console.log(`largest |Strata − ONNX Runtime| over the layers: ${largestDifference.value.toExponential(2)} (${largestDifference.where})`);
});

describe.each(Object.entries(layerCases))('%s layers run in ONNX Runtime as in Strata', (_family, cases) => {
  it.each(cases)('%s', async (...layerCase) => {
    const { model, inputs } = prepareCase(layerCase);
    await expectRuntimeMatch(layerCase[0], model, inputs);
  });
});
