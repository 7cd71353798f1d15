import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GradientNode, Tensor, installGradientRecorder, mul, setGradEnabled, tensor, zeros } from '../index.js';
import { expectRejected } from './in-place-test-support.js';

// A stand-in for @strata/autograd: it logs what is recorded and gives each
// output a node, as the real recorder does. Installed for this whole file.

interface Recorded {
  name: string;
  inputs: readonly Tensor[];
  output: Tensor;
  node: GradientNode;
}

let log: Recorded[] = [];

beforeAll(() => {
  installGradientRecorder({
    record(name, inputs, output) {
      const node: GradientNode = { name };
      output.setGradientNode(node);
      log.push({ name, inputs, output, node });
    },
    rebase(tensor, source) {
      tensor.setGradientNode(source.gradFn);
    },
    observe() {},
    backward() {
      throw new Error('not in these tests');
    },
  });
});
beforeEach(() => {
  log = [];
});
afterEach(() => {
  setGradEnabled(true);
});

/** A non-leaf that requires grad: `leaf * 1`, with the log cleared after it. */
function nonLeaf(values: number[]): { leaf: Tensor; y: Tensor } {
  const leaf = tensor(values, { requiresGrad: true });
  const y = mul(leaf, 1);
  log = [];
  return { leaf, y };
}

describe('history rebase', () => {
  it('records the op on a clone and moves self onto the result node', () => {
    const { y } = nonLeaf([1, 2, 3]);
    const other = tensor([10, 20, 30]);
    const version = y.version;
    expect(y.add_(other, { alpha: 2 })).toBe(y);
    expect(log.map((entry) => entry.name)).toEqual(['clone', 'add']);
    const [cloneEntry, addEntry] = log as [Recorded, Recorded];
    expect(cloneEntry.inputs).toEqual([y]);
    expect(addEntry.inputs[0]).toBe(cloneEntry.output);
    expect(addEntry.inputs[1]).toBe(other);
    expect(y.gradFn).toBe(addEntry.node);
    expect(y.requiresGrad).toBe(true);
    expect(y.tolist()).toEqual([21, 42, 63]);
    expect(cloneEntry.output.tolist()).toEqual([1, 2, 3]);
    expect(y.version).toBe(version + 1);
  });

  it('reads the clone where an operand is self', () => {
    const { y } = nonLeaf([2, 3]);
    y.mul_(y);
    const [cloneEntry, mulEntry] = log as [Recorded, Recorded];
    expect(mulEntry.name).toBe('mul');
    expect(mulEntry.inputs).toEqual([cloneEntry.output, cloneEntry.output]);
    expect(y.tolist()).toEqual([4, 9]);
  });

  it('makes a plain tensor require grad when an operand does', () => {
    const buffer = zeros([2]);
    const x = tensor([1, 2], { requiresGrad: true });
    buffer.add_(x);
    expect(log.map((entry) => entry.name)).toEqual(['add']);
    expect(buffer.requiresGrad).toBe(true);
    expect(buffer.gradFn).toBe(log[0]!.node);
    expect(buffer.tolist()).toEqual([1, 2]);
  });

  it('records fills as a masked fill of the clone (zero gradient for the old values)', () => {
    const { y } = nonLeaf([1, 2]);
    y.fill_(3);
    expect(log.map((entry) => entry.name)).toEqual(['clone', 'maskedFill']);
    expect(y.gradFn).toBe(log[1]!.node);
    expect(y.tolist()).toEqual([3, 3]);

    const value = tensor(5, { requiresGrad: true });
    const buffer = zeros([2]);
    log = [];
    buffer.fill_(value);
    expect(log.map((entry) => [entry.name, entry.inputs.length])).toEqual([['maskedFill', 2]]);
    expect(log[0]!.inputs[1]).toBe(value);
    expect(buffer.tolist()).toEqual([5, 5]);

    const { y: random } = nonLeaf([0, 0, 0]);
    random.normal_();
    expect(log.map((entry) => entry.name)).toEqual(['clone', 'maskedFill']);
    expect(random.gradFn).toBe(log[1]!.node);
  });

  it('records copy_ as a where of the source over the clone, cast back to self dtype', () => {
    const buffer = zeros([2, 2]);
    const source = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    buffer.copy_(source);
    expect(log.map((entry) => entry.name)).toEqual(['where', 'to']);
    expect(log[0]!.inputs[1]).toBe(source);
    expect(buffer.gradFn).toBe(log[1]!.node);
    expect(buffer.dtype).toBe('float32');
    expect(buffer.tolist()).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it('records nothing for an integer self or without grad mode', () => {
    const ints = zeros([2], { dtype: 'int32' });
    ints.copy_(tensor([1.5, 2.5], { requiresGrad: true }));
    expect(log).toEqual([]);
    expect(ints.requiresGrad).toBe(false);
    expect(ints.tolist()).toEqual([1, 2]);

    const { y } = nonLeaf([1, 2]);
    const node = y.gradFn;
    setGradEnabled(false);
    y.add_(1);
    expect(log).toEqual([]);
    expect(y.gradFn).toBe(node);
    expect(y.tolist()).toEqual([2, 3]);
  });
});

describe('autograd rules', () => {
  const viewMessage =
    'add_: in-place operations on views of tensors that require grad are not supported in grad mode; use an out-of-place op, or run it inside noGrad()';

  it('refuses views in the graph, before writing', () => {
    const { leaf, y } = nonLeaf([1, 2, 3]);
    expectRejected(y, () => y.select(0, 1).add_(1), new Error(viewMessage));
    expectRejected(leaf, () => leaf.narrow(0, 0, 2).add_(1), new Error(viewMessage));
    const buffer = zeros([2, 2]);
    expectRejected(buffer, () => buffer.select(0, 0).add_(tensor([1, 2], { requiresGrad: true })), new Error(viewMessage));
  });

  it('allows views outside the graph, and detached tensors', () => {
    const buffer = zeros([2, 2]);
    buffer.select(0, 1).add_(tensor([1, 2]));
    expect(buffer.tolist()).toEqual([
      [0, 0],
      [1, 2],
    ]);
    const leaf = tensor([1, 2], { requiresGrad: true });
    leaf.detach().zero_();
    expect(leaf.tolist()).toEqual([0, 0]);
    expect(log).toEqual([]);
    setGradEnabled(false);
    leaf.narrow(0, 0, 1).add_(1);
    expect(leaf.tolist()).toEqual([1, 0]);
  });

  it('keeps the leaf rule', () => {
    const leaf = tensor([1, 2], { requiresGrad: true });
    expectRejected(leaf, () => leaf.sqrt_(), new Error('sqrt_: a leaf Variable that requires grad is being used in an in-place operation.'));
    expect(log).toEqual([]);
  });
});
