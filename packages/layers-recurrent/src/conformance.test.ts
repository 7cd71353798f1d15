import { kernelOf } from '@strata/tensor/backend';
import { type ArgumentDraw, type OperandSource, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of the recurrent cells' kernels for `@strata/tensor/testing`:
// the fused CPU backward loops against their defaults composed of forward
// ops, the forward loops against themselves on contiguous copies (every
// layout read right). The kernels compute a polynomial of the saved values,
// so any values check them, not only activations in their ranges.

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided', 'broadcast'] as const;

/** The batch and hidden size of one call, its dtype, and a tensor maker that cycles the layouts from `round`. */
function cellCall(source: OperandSource, round: number) {
  const [batch, hidden] = [source.integer(1, 5), source.integer(1, 6)];
  const dtype = FLOATS[round % 2]!;
  let next = round;
  const tensor = (columns: number) => source.tensor([batch, columns * hidden], dtype, layouts[next++ % layouts.length]!);
  const bias = (columns: number) => (round % 3 === 2 ? null : source.tensor([columns * hidden], dtype, layouts[round % 2]!));
  return { tensor, bias };
}

const extraCases: Record<string, ArgumentDraw> = {
  lstmCell: (source, round) => {
    const { tensor, bias } = cellCall(source, round);
    return [tensor(4), tensor(4), bias(4), tensor(1)];
  },
  lstmCellBackward: (source, round) => {
    const { tensor } = cellCall(source, round);
    return [tensor(1), tensor(1), tensor(4), tensor(1), tensor(1)];
  },
  gruCell: (source, round) => {
    const { tensor, bias } = cellCall(source, round);
    return [tensor(3), tensor(3), bias(3), tensor(1)];
  },
  gruCellBackward: (source, round) => {
    const { tensor } = cellCall(source, round);
    return [tensor(1), tensor(4), tensor(1)];
  },
  rnnCell: (source, round) => {
    const { tensor, bias } = cellCall(source, round);
    return [tensor(1), tensor(1), bias(1), round % 2 === 1];
  },
  rnnCellBackward: (source, round) => {
    const { tensor } = cellCall(source, round);
    return [tensor(1), tensor(1), round % 4 >= 2];
  },
};

describe('layers-recurrent kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases }).filter((check) => check.kernel in extraCases);
  it('checks all six, the backward ones against their composite defaults', () => {
    expect(cases.map((check) => check.kernel).sort()).toEqual(Object.keys(extraCases).sort());
    for (const kernel of ['lstmCellBackward', 'gruCellBackward', 'rnnCellBackward'] as const) {
      expect(kernelOf(kernel, 'composite')).not.toBeNull();
      expect(cases.find((check) => check.kernel === kernel)!.name).toContain('against the reference');
    }
  });
  for (const check of cases) it(check.name, () => check.run());
});
