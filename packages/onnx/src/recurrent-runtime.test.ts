/**
 * The recurrent layers, with their options, exported and run in ONNX
 * Runtime: every output (the sequence and the final states) must equal
 * Strata's evaluation-mode forward pass within float32 tolerance.
 */
import '@strata/autograd';
import { GRU, LSTM } from '@strata/layers-recurrent';
import { Sequential } from '@strata/module';
import { manualSeed, randn } from '@strata/tensor';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { OnnxExportError, exportOnnx } from './index.js';
import { cellCases, prepareCellCase, prepareRecurrentCase, recurrentCases } from './recurrent-test-support.js';
import { expectRuntimeMatch, largestDifference } from './runtime-test-support.js';

beforeEach(() => manualSeed(3));

afterAll(() => {
  console.log(`largest |Strata − ONNX Runtime| over the recurrent layers: ${largestDifference.value.toExponential(2)} (${largestDifference.where})`);
});

describe('recurrent layers run in ONNX Runtime as in Strata', () => {
  it.each(recurrentCases.map((recurrentCase) => [recurrentCase.label, recurrentCase] as const))('%s', async (label, recurrentCase) => {
    const { model, inputs } = prepareRecurrentCase(recurrentCase);
    await expectRuntimeMatch(label, model, inputs);
  });

  it.each(cellCases)('%s', async (...cellCase) => {
    const { model, inputs } = prepareCellCase(cellCase);
    await expectRuntimeMatch(cellCase[0], model, inputs);
  });

  it('inside a Sequential, with a dynamic batch and sequence length', async () => {
    const model = new Sequential(new GRU(4, 6, { batchFirst: true, numLayers: 2 }));
    await expectRuntimeMatch('GRU in a Sequential, dynamic axes', model, [randn([2, 5, 4])], {
      exportOptions: {
        dynamicAxes: { input: { 0: 'batch', 1: 'steps' }, output0: { 0: 'batch', 1: 'steps' }, output1: { 1: 'batch' } },
      },
      runInputs: [randn([7, 9, 4])],
    });
  });

  it('refuses an LSTM with projSize, naming it', () => {
    const model = new Sequential(new LSTM(4, 6, { projSize: 3 }));
    const exporting = (): Uint8Array => exportOnnx(model, randn([5, 2, 4]));
    expect(exporting).toThrow(OnnxExportError);
    expect(exporting).toThrow(
      "exportOnnx: LSTM at '0': projSize has no ONNX mapping (the ONNX LSTM op has no projection of the hidden state between steps)",
    );
  });
});
