import type { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@strata/layers-recurrent';
import type { OnnxAttributeValue } from '../onnx-graph.js';
import type { OnnxMapping, OnnxMappingContext } from '../onnx-mapping.js';

/** The public surface the recurrent mappings read (`RNN`, `LSTM` and `GRU` share it through `RNNBase`). */
type RecurrentLayer = RNN | LSTM | GRU;
/** The cells, one step of the same ops. */
type RecurrentCell = RNNCell | LSTMCell | GRUCell;

/** What differs between ONNX's three recurrent ops. */
interface RecurrentOp {
  /** The ONNX op: `RNN`, `LSTM` or `GRU`. */
  readonly opType: 'RNN' | 'LSTM' | 'GRU';
  /** For each gate of ONNX's order, its index in PyTorch's stacked weights. */
  readonly gateOrder: readonly number[];
  /** Whether the op carries a cell state (initial_c, Y_c). */
  readonly cellState: boolean;
  /** The op's own attributes besides `direction` and `hidden_size`. */
  readonly attributes: (layer: RecurrentLayer | RecurrentCell, directions: number) => Record<string, OnnxAttributeValue>;
}

const RNN_OP: RecurrentOp = {
  opType: 'RNN',
  gateOrder: [0],
  cellState: false,
  attributes: (layer, directions) => {
    const activation = (layer as RNN | RNNCell).nonlinearity === 'relu' ? 'Relu' : 'Tanh';
    return { activations: { strings: new Array<string>(directions).fill(activation) } };
  },
};

// PyTorch stacks the LSTM gates (input, forget, cell, output); ONNX (input, output, forget, cell).
const LSTM_OP: RecurrentOp = { opType: 'LSTM', gateOrder: [0, 3, 1, 2], cellState: true, attributes: () => ({}) };

// PyTorch stacks the GRU gates (reset, update, new); ONNX (update, reset, hidden). PyTorch applies the
// reset gate after the recurrent product and its bias, which is ONNX's linear_before_reset = 1.
const GRU_OP: RecurrentOp = { opType: 'GRU', gateOrder: [1, 0, 2], cellState: false, attributes: () => ({ linear_before_reset: 1 }) };

/**
 * A stacked weight or bias of PyTorch's gate order, as ONNX's gate order:
 * the initializer (named by its state-dict key) split into its gates along
 * axis 0 and concatenated again in `gateOrder`.
 */
function reorderedGates(context: OnnxMappingContext<RecurrentLayer | RecurrentCell>, key: string, gateOrder: readonly number[]): string {
  const { graph } = context;
  const weight = context.weight(key, context.module.getParameter(key));
  if (gateOrder.length === 1) return weight;
  const gates = graph.node('Split', [weight], gateOrder.map((_, i) => context.name(`${key}_gate${i}`)), { axis: 0 });
  return graph.op('Concat', gateOrder.map((index) => gates[index]!), context.name(`${key}_onnx`), { axis: 0 });
}

/** ONNX's `[directions, ...]` weight of one layer: each direction's reordered weight with a leading axis, concatenated. */
function directionStack(context: OnnxMappingContext<RecurrentLayer | RecurrentCell>, perDirection: readonly string[], label: string): string {
  const { graph } = context;
  const axis = graph.int64s(context.name(`${label}_direction_axis`), [0]);
  const unsqueezed = perDirection.map((value) => graph.op('Unsqueeze', [value, axis], context.name(`${label}_direction`)));
  return unsqueezed.length === 1 ? unsqueezed[0]! : graph.op('Concat', unsqueezed, context.name(label), { axis: 0 });
}

/** The initial state of layer `layer` (its `directions` rows of `[D · numLayers, N, H]`), or `''` (zeros) when none was given. */
function layerState(context: OnnxMappingContext<RecurrentLayer>, state: string | null, layer: number, directions: number, label: string): string {
  if (state === null) return '';
  const { graph } = context;
  if (context.module.numLayers === 1) return state;
  return graph.op(
    'Slice',
    [state, graph.int64s(context.name(`${label}_start`), [layer * directions]), graph.int64s(context.name(`${label}_end`), [(layer + 1) * directions]),
      graph.int64s(context.name(`${label}_axis`), [0])],
    context.name(`${label}_l${layer}`),
  );
}

/**
 * `RNN`, `LSTM` and `GRU` as ONNX's ops of the same names (opset 17), one
 * node per layer (ONNX's ops hold one layer each, both directions with
 * `direction = 'bidirectional'`): PyTorch's gate order rewritten as ONNX's,
 * `bias_ih` and `bias_hh` concatenated into ONNX's `B`, the initial states
 * sliced per layer (left out, so zeros, when `forward` got none), and each
 * layer's `Y [L, D, N, H]` transposed and reshaped to PyTorch's
 * `[L, N, D · H]`. `batchFirst` and unbatched inputs are `Transpose` and
 * `Unsqueeze` around it; the final states of the layers are concatenated.
 */
function recurrentMapping(op: RecurrentOp): OnnxMapping<RecurrentLayer> {
  return (context) => {
    const layer = context.module;
    const { graph } = context;
    if (layer.projSize > 0) {
      context.fail('projSize has no ONNX mapping (the ONNX LSTM op has no projection of the hidden state between steps)');
    }
    const input = context.inputTensors[0]!;
    const batched = input.ndim === 3;
    const directions = layer.bidirectional ? 2 : 1;
    const hidden = layer.hiddenSize;
    const stateCount = op.cellState ? 2 : 1;
    const givenStates = context.inputs.slice(1, 1 + stateCount);
    const batchAxis = graph.int64s(context.name('batch_axis'), [1]);

    // To ONNX's layout: [L, N, features], states [D · numLayers, N, H].
    let sequence = context.inputs[0]!;
    if (!batched) sequence = graph.op('Unsqueeze', [sequence, batchAxis], context.name('batched_input'));
    else if (layer.batchFirst) sequence = graph.op('Transpose', [sequence], context.name('time_major_input'), { perm: [1, 0, 2] });
    const states = givenStates.map((state, i) =>
      batched ? state : graph.op('Unsqueeze', [state, batchAxis], context.name(i === 0 ? 'batched_h0' : 'batched_c0')),
    );

    const finalH: string[] = [];
    const finalC: string[] = [];
    for (let k = 0; k < layer.numLayers; k++) {
      const suffixes = directions === 2 ? [`l${k}`, `l${k}_reverse`] : [`l${k}`];
      const w = directionStack(context, suffixes.map((suffix) => reorderedGates(context, `weight_ih_${suffix}`, op.gateOrder)), `W_l${k}`);
      const r = directionStack(context, suffixes.map((suffix) => reorderedGates(context, `weight_hh_${suffix}`, op.gateOrder)), `R_l${k}`);
      const b = layer.bias
        ? directionStack(
          context,
          suffixes.map((suffix) =>
            graph.op('Concat', [reorderedGates(context, `bias_ih_${suffix}`, op.gateOrder), reorderedGates(context, `bias_hh_${suffix}`, op.gateOrder)],
              context.name(`B_${suffix}`), { axis: 0 }),
          ),
          `B_l${k}`,
        )
        : '';
      const inputs = [sequence, w, r, b, '', layerState(context, states[0] ?? null, k, directions, 'h0')];
      if (op.cellState) inputs.push(layerState(context, states[1] ?? null, k, directions, 'c0'));
      // Trailing optional inputs left out are dropped rather than written as ''.
      while (inputs[inputs.length - 1] === '') inputs.pop();
      const outputs = graph.node(
        op.opType, inputs, [context.name(`Y_l${k}`), context.name(`Y_h_l${k}`), ...(op.cellState ? [context.name(`Y_c_l${k}`)] : [])],
        { hidden_size: hidden, direction: directions === 2 ? 'bidirectional' : 'forward', ...op.attributes(layer, directions) },
      );
      // Y [L, D, N, H] -> [L, N, D, H] -> [L, N, D · H], the next layer's input.
      const perStep = graph.op('Transpose', [outputs[0]!], context.name(`Y_l${k}_steps`), { perm: [0, 2, 1, 3] });
      sequence = graph.op('Reshape', [perStep, graph.int64s(context.name(`Y_l${k}_shape`), [0, 0, -1])], context.name(`output_l${k}`));
      finalH.push(outputs[1]!);
      if (op.cellState) finalC.push(outputs[2]!);
    }

    const concatenated = (values: string[], label: string): string =>
      values.length === 1 ? values[0]! : graph.op('Concat', values, context.name(label), { axis: 0 });
    let output = sequence;
    if (!batched) output = graph.op('Squeeze', [output, batchAxis], context.name('output'));
    else if (layer.batchFirst) output = graph.op('Transpose', [output], context.name('output'), { perm: [1, 0, 2] });
    const finals = [concatenated(finalH, 'h_n'), ...(op.cellState ? [concatenated(finalC, 'c_n')] : [])].map((state) =>
      batched ? state : graph.op('Squeeze', [state, batchAxis], context.name('unbatched_state')),
    );
    return [output, ...finals];
  };
}

/**
 * `RNNCell`, `LSTMCell` and `GRUCell`: one step of the same ONNX ops, the
 * input `[N, in]` (or unbatched `[in]`) unsqueezed to a sequence of one,
 * the states `[N, H]` to one direction, and the final states squeezed back.
 */
function cellMapping(op: RecurrentOp): OnnxMapping<RecurrentCell> {
  return (context) => {
    const cell = context.module;
    const { graph } = context;
    const batched = context.inputTensors[0]!.ndim === 2;
    // [N, in] -> [1, N, in]; unbatched [in] -> [1, 1, in]. States [N, H] -> [1, N, H]; unbatched [H] -> [1, 1, H].
    const axes = graph.int64s(context.name('step_axes'), batched ? [0] : [0, 1]);
    const step = (value: string, label: string): string => graph.op('Unsqueeze', [value, axes], context.name(label));
    const w = directionStack(context, [reorderedGates(context, 'weight_ih', op.gateOrder)], 'W');
    const r = directionStack(context, [reorderedGates(context, 'weight_hh', op.gateOrder)], 'R');
    const b = cell.bias
      ? directionStack(
        context,
        [graph.op('Concat', [reorderedGates(context, 'bias_ih', op.gateOrder), reorderedGates(context, 'bias_hh', op.gateOrder)], context.name('B_cat'), { axis: 0 })],
        'B',
      )
      : '';
    const states = context.inputs.slice(1).map((state, i) => step(state, i === 0 ? 'h0' : 'c0'));
    const inputs = [step(context.inputs[0]!, 'x'), w, r, b, '', ...states];
    while (inputs[inputs.length - 1] === '') inputs.pop();
    const outputs = graph.node(
      op.opType, inputs, [context.name('Y'), context.name('Y_h'), ...(op.cellState ? [context.name('Y_c')] : [])],
      { hidden_size: cell.hiddenSize, direction: 'forward', ...op.attributes(cell, 1) },
    );
    return outputs.slice(1).map((state, i) => graph.op('Squeeze', [state, axes], context.name(i === 0 ? 'h' : 'c')));
  };
}

/** The recurrent layers and cells of `@strata/layers-recurrent`, by class name. */
export const recurrentModules: Record<string, OnnxMapping<never>> = {
  RNN: recurrentMapping(RNN_OP),
  LSTM: recurrentMapping(LSTM_OP),
  GRU: recurrentMapping(GRU_OP),
  RNNCell: cellMapping(RNN_OP),
  LSTMCell: cellMapping(LSTM_OP),
  GRUCell: cellMapping(GRU_OP),
};

