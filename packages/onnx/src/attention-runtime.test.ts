/**
 * The attention layers, with their options, exported as composed ONNX ops
 * and run in ONNX Runtime: every output must equal Strata's
 * evaluation-mode forward pass within float32 tolerance.
 */
import '@strata/autograd';
import { MultiheadAttention, TransformerEncoderLayer } from '@strata/layers-attention';
import { Sequential } from '@strata/module';
import { manualSeed, randn, zeros } from '@strata/tensor';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AttentionCall, attentionCases, prepareAttentionCase } from './attention-test-support.js';
import { OnnxExportError, exportOnnx } from './index.js';
import { expectRuntimeMatch, largestDifference } from './runtime-test-support.js';

beforeEach(() => manualSeed(5));

afterAll(() => {
  console.log(`largest |Strata − ONNX Runtime| over the attention layers: ${largestDifference.value.toExponential(2)} (${largestDifference.where})`);
});

describe('attention layers run in ONNX Runtime as in Strata', () => {
  it.each(attentionCases.map((attentionCase) => [attentionCase.label, attentionCase] as const))('%s', async (label, attentionCase) => {
    const { model, inputs } = prepareAttentionCase(attentionCase);
    await expectRuntimeMatch(label, model, inputs);
  });

  it('a TransformerEncoderLayer in a Sequential, with a dynamic batch and sequence length', async () => {
    const model = new Sequential(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }));
    await expectRuntimeMatch('TransformerEncoderLayer, dynamic axes', model, [randn([5, 2, 8])], {
      exportOptions: { dynamicAxes: { input: { 0: 'steps', 1: 'batch' }, output: { 0: 'steps', 1: 'batch' } } },
      runInputs: [randn([9, 4, 8])],
    });
  });

  it('refuses a keyPaddingMask, naming the layer', () => {
    const padding = zeros([2, 5], { dtype: 'bool' });
    const exporting = (): Uint8Array => exportOnnx(new AttentionCall(new MultiheadAttention(8, 2), true, { keyPaddingMask: padding }), [randn([5, 2, 8])]);
    expect(exporting).toThrow(OnnxExportError);
    expect(exporting).toThrow(
      "exportOnnx: MultiheadAttention at 'layer': keyPaddingMask has no ONNX mapping (it differs per batch, and the exporter traces tensors passed as arguments only)",
    );
  });
});
