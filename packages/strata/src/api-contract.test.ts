/**
 * The public API contract (/work/shared/API.md), statement by statement, in
 * the order the page makes them, through the public entry points only (the
 * imports of the page's code blocks, and the `strata` umbrella).
 *
 * Expected numbers are exact arithmetic stated beside them, or PyTorch 1.13's
 * output for the call quoted beside them (`torch`, `nn`, `F` as usual).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DTypeError,
  ShapeError,
  Tensor,
  abs,
  add,
  argmax,
  arange,
  cat,
  chunk,
  clamp,
  div,
  eq,
  exp,
  expand,
  flatten,
  ge,
  gelu,
  gt,
  index,
  le,
  log,
  logSoftmax,
  lt,
  manualSeed,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  narrow,
  ne,
  neg,
  ones,
  permute,
  pow,
  randint,
  randn,
  relu,
  reshape,
  sigmoid,
  silu,
  softmax,
  split,
  sqrt,
  squeeze,
  stack,
  std,
  sub,
  sum,
  tanh,
  tensor,
  transpose,
  unsqueeze,
  var as variance,
  view,
  where,
  zeros,
} from '@strata/tensor';
import { noGrad } from '@strata/autograd';
import { Module, Parameter, Sequential, loadSafetensors, readSafetensorsMetadata, saveSafetensors } from '@strata/module';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  MinPool1d,
  MinPool2d,
  MinPool3d,
  conv2d,
  maxPool1d,
  maxPool2d,
  maxUnpool2d,
  minPool2d,
} from '@strata/layers-conv';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm, RMSNorm } from '@strata/layers-norm';
import { Dropout, Embedding, Flatten, Linear, ReLU, embedding } from '@strata/layers-misc';
import { CrossEntropyLoss } from '@strata/losses';
import * as strata from 'strata';

type Nested = number | boolean | Nested[];

function flat(values: Nested): number[] {
  if (!Array.isArray(values)) return [Number(values)];
  return values.flatMap(flat);
}

function shapeOf(values: Nested): number[] {
  return Array.isArray(values) ? [values.length, ...(values.length > 0 ? shapeOf(values[0]!) : [])] : [];
}

/** Shape equal, and every element within rtol 1e-4 / atol 1e-5 of `expected`. */
function expectClose(actual: Tensor, expected: Nested, atol = 1e-5, rtol = 1e-4): void {
  expect(actual.shape).toEqual(shapeOf(expected));
  const got = Array.from(actual.toTypedArray(), Number);
  const want = flat(expected);
  const bad = got.findIndex((value, i) => !(Math.abs(value - want[i]!) <= atol + rtol * Math.abs(want[i]!)));
  expect(bad, `element ${bad}: got ${got[bad]}, expected ${want[bad]}`).toBe(-1);
}

/** Runs `fn`, which must throw; returns the error for further checks. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

/** A copy of every parameter and buffer of `module`, to compare after a throw. */
function snapshot(module: Module): Record<string, number[]> {
  return Object.fromEntries(Object.entries(module.stateDict()).map(([key, value]) => [key, Array.from(value.toTypedArray(), Number)]));
}

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — Tensors', () => {
  it('builds tensors from nested arrays, typed arrays with a shape, dtypes and scalars', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(a).toBeInstanceOf(Tensor);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 2]);

    const b = tensor(new Float32Array(24), { shape: [2, 3, 4] });
    expect(b.shape).toEqual([2, 3, 4]);
    expect(b.dtype).toBe('float32');

    const i = tensor([0, 2, 1], { dtype: 'int32' });
    expect(i.dtype).toBe('int32');
    expect(i.toTypedArray()).toEqual(new Int32Array([0, 2, 1]));

    const j = tensor(new Int32Array(6), { shape: [2, 3] });
    expect(j.dtype).toBe('int32');
    expect(j.shape).toEqual([2, 3]);
    expect(tensor(new Float64Array(2), { shape: [2] }).dtype).toBe('float64');
    expect(tensor(new Uint8Array([1, 0]), { shape: [2] }).dtype).toBe('bool');

    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
  });

  it('randn takes requiresGrad', () => {
    const x = randn([8, 3, 32, 32], { requiresGrad: true });
    expect(x.shape).toEqual([8, 3, 32, 32]);
    expect(x.requiresGrad).toBe(true);
    expect(x.dtype).toBe('float32');
  });

  it('shape, dtype, toTypedArray (a copy), tolist, item', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expectTypeOf(a.shape).toEqualTypeOf<readonly number[]>();
    expect(a.shape).toEqual([2, 2]);
    expect(['float32', 'int32', 'bool']).toContain(a.dtype);

    const data = a.toTypedArray();
    expect(data).toBeInstanceOf(Float32Array);
    expect(Array.from(data)).toEqual([1, 2, 3, 4]);
    data[0] = 100;
    expect(a.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(a.t().toTypedArray()).toEqual(new Float32Array([1, 3, 2, 4])); // row-major copy of a view
    expect(tensor([1, 2], { dtype: 'int32' }).toTypedArray()).toBeInstanceOf(Int32Array);
    expect(tensor([true, false]).toTypedArray()).toBeInstanceOf(Uint8Array);

    expect(tensor([[7]]).item()).toBe(7);
    expect(() => a.item()).toThrow(Error);
  });

  it('shape ops: reshape view flatten permute transpose squeeze unsqueeze expand cat stack split chunk narrow, slices', () => {
    const x = arange(24).float().reshape([2, 3, 4]);
    expect(reshape(x, [4, 6]).shape).toEqual([4, 6]);
    expect(x.reshape([6, -1]).shape).toEqual([6, 4]);
    expect(view(x, [3, 8]).shape).toEqual([3, 8]);
    expect(x.view([24]).tolist()).toEqual(Array.from({ length: 24 }, (_, k) => k));
    expect(flatten(x).shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(permute(x, [2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(x.permute([2, 0, 1]).select(0, 1).tolist()).toEqual([[1, 5, 9], [13, 17, 21]]);
    expect(transpose(x, 0, 2).shape).toEqual([4, 3, 2]);
    expect((x.transpose(1, 2).tolist() as number[][][])[0]![0]).toEqual([0, 4, 8]);
    const u = unsqueeze(x, 1);
    expect(u.shape).toEqual([2, 1, 3, 4]);
    expect(squeeze(u).shape).toEqual([2, 3, 4]);
    expect(x.unsqueeze(-1).squeeze(-1).shape).toEqual([2, 3, 4]);
    expect(expand(tensor([[1], [2]]), [2, 3]).tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(tensor([[1], [2]]).expand([-1, 2]).tolist()).toEqual([[1, 1], [2, 2]]);
    expect(cat([x, x], 1).shape).toEqual([2, 6, 4]);
    expect(stack([x, x]).shape).toEqual([2, 2, 3, 4]);
    expect(split(x, 2, 2).map((part) => part.shape)).toEqual([[2, 3, 2], [2, 3, 2]]);
    expect(x.split([1, 3], 2).map((part) => part.shape)).toEqual([[2, 3, 1], [2, 3, 3]]);
    expect(chunk(x, 3, 1).map((part) => part.shape)).toEqual([[2, 1, 4], [2, 1, 4], [2, 1, 4]]);
    expect(x.chunk(2).length).toBe(2);
    expect((narrow(x, 2, 1, 2).tolist() as number[][][])[0]![0]).toEqual([1, 2]);
    expect(x.narrow(0, 1, 1).shape).toEqual([1, 3, 4]);
    // x[1, :, 0:4:2] in Python
    expect(index(x, [1, null, [0, 4, 2]]).tolist()).toEqual([[12, 14], [16, 18], [20, 22]]);
    expect(x.index([null, -1]).tolist()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
    expect((x.slice(2, 1, 4, 2).tolist() as number[][][])[1]![2]).toEqual([21, 23]);
  });

  it('views copy nothing: a view shares its base storage', () => {
    const x = zeros([2, 3]);
    const v = x.view([6]);
    v.fill_(1);
    expect(x.tolist()).toEqual([[1, 1, 1], [1, 1, 1]]);
  });

  it('math with broadcasting, both forms', () => {
    const a = tensor([[1], [2], [3]]); // [3, 1]
    const b = tensor([10, 20]); // [2]
    // exact arithmetic on small integers
    expect(add(a, b).tolist()).toEqual([[11, 21], [12, 22], [13, 23]]);
    expect(a.add(b).tolist()).toEqual(add(a, b).tolist());
    expect(sub(a, b).tolist()).toEqual([[-9, -19], [-8, -18], [-7, -17]]);
    expect(a.sub(b).tolist()).toEqual(sub(a, b).tolist());
    expect(mul(a, b).tolist()).toEqual([[10, 20], [20, 40], [30, 60]]);
    expect(a.mul(b).tolist()).toEqual(mul(a, b).tolist());
    expect(div(b, tensor([[2], [4]])).tolist()).toEqual([[5, 10], [2.5, 5]]);
    expect(b.div(tensor([[2], [4]])).tolist()).toEqual([[5, 10], [2.5, 5]]);
    expect(pow(a, 2).tolist()).toEqual([[1], [4], [9]]);
    expect(a.pow(b.sub(18)).tolist()).toEqual([[1, 1], [1 / 256, 4], [1 / 6561, 9]].map((row) => row.map(Math.fround)));
    expect(neg(a).tolist()).toEqual([[-1], [-2], [-3]]);
    expect(a.neg().tolist()).toEqual([[-1], [-2], [-3]]);
    expectClose(exp(b.sub(19)), [Math.exp(-9), Math.exp(1)]);
    expectClose(b.sub(19).exp(), [Math.exp(-9), Math.exp(1)]);
    expectClose(log(b), [Math.log(10), Math.log(20)]);
    expectClose(b.log(), [Math.log(10), Math.log(20)]);
    expect(sqrt(tensor([4, 9])).tolist()).toEqual([2, 3]);
    expect(tensor([4, 9]).sqrt().tolist()).toEqual([2, 3]);
    expect(abs(tensor([-1.5, 2])).tolist()).toEqual([1.5, 2]);
    expect(tensor([-1.5, 2]).abs().tolist()).toEqual([1.5, 2]);
    expect(clamp(tensor([-2, 0.5, 3]), { min: 0, max: 1 }).tolist()).toEqual([0, 0.5, 1]);
    expect(tensor([-2, 0.5, 3]).clamp(0, 1).tolist()).toEqual([0, 0.5, 1]);
    expect(maximum(a, tensor([2, 2])).tolist()).toEqual([[2, 2], [2, 2], [3, 3]]);
    expect(a.maximum(tensor([2, 2])).tolist()).toEqual([[2, 2], [2, 2], [3, 3]]);
    expect(minimum(a, tensor([2])).tolist()).toEqual([[1], [2], [2]]);
    expect(a.minimum(tensor([2])).tolist()).toEqual([[1], [2], [2]]);
    expect(where(gt(a, 1), a, b).tolist()).toEqual([[10, 20], [2, 2], [3, 3]]);
    expect(a.where(a.gt(1), b).tolist()).toEqual([[10, 20], [2, 2], [3, 3]]); // torch's x.where(condition, y)
  });

  it('comparisons give bool tensors, both forms', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([3, 2, 1]);
    expect(eq(a, b).dtype).toBe('bool');
    expect(eq(a, b).tolist()).toEqual([false, true, false]);
    expect(a.ne(b).tolist()).toEqual(ne(a, b).tolist());
    expect(lt(a, b).tolist()).toEqual([true, false, false]);
    expect(a.le(b).tolist()).toEqual(le(a, b).tolist());
    expect(a.gt(b).tolist()).toEqual([false, false, true]);
    expect(ge(a, 2).tolist()).toEqual([false, true, true]);
  });

  it('reductions with dim and keepdim, both forms', () => {
    const m = tensor([[1, 2, 4], [3, 5, 9]]);
    expect(sum(m).item()).toBe(24);
    expect(m.sum(1).tolist()).toEqual([7, 17]);
    expect(sum(m, 0, true).tolist()).toEqual([[4, 7, 13]]);
    expect(mean(m, 1).tolist()).toEqual([7 / 3, 17 / 3].map(Math.fround));
    expect(m.mean([0, 1]).item()).toBe(4);
    expect(max(m).item()).toBe(9);
    expect(m.max(0).tolist()).toEqual([3, 5, 9]);
    expect(min(m, 1, true).tolist()).toEqual([[1], [3]]);
    expect(m.min().item()).toBe(1);
    const arg = argmax(m, 1);
    expect(arg.dtype).toBe('int32');
    expect(arg.tolist()).toEqual([2, 2]);
    expect(m.argmax(0, true).tolist()).toEqual([[1, 1, 1]]);
    // m.var(1), m.std(0, keepdim=True), m.var()
    expectClose(variance(m, 1), [2.3333332538604736, 9.333333015441895]);
    expectClose(m.std(0, { keepdim: true }), [[1.4142135381698608, 2.1213202476501465, 3.535533905029297]]);
    expectClose(std(m), Math.sqrt(8));
    expectClose(m.var(), 8);
  });

  it('matmul (batched, broadcasting), both forms', () => {
    const a = arange(12).float().reshape([2, 2, 3]);
    const b = tensor([[1, 0], [0, 1], [1, 1]]);
    // exact: row · column on small integers
    expect(matmul(a, b).tolist()).toEqual([[[2, 3], [8, 9]], [[14, 15], [20, 21]]]);
    expect(a.matmul(b).tolist()).toEqual(matmul(a, b).tolist());
    expect(matmul(randn([5, 1, 4, 3]), randn([2, 3, 6])).shape).toEqual([5, 2, 4, 6]);
  });

  it('activations, both forms', () => {
    const x = tensor([-2, -0.5, 0, 1.5]);
    // torch.relu / torch.sigmoid / torch.tanh / F.gelu / F.silu / torch.softmax(x, 0) / torch.log_softmax(x, 0)
    expect(relu(x).tolist()).toEqual([0, 0, 0, 1.5]);
    expect(x.relu().tolist()).toEqual([0, 0, 0, 1.5]);
    const sigmoidReference = [0.11920291930437088, 0.3775406777858734, 0.5, 0.8175744414329529];
    expectClose(sigmoid(x), sigmoidReference);
    expectClose(x.sigmoid(), sigmoidReference);
    const tanhReference = [-0.9640275835990906, -0.46211716532707214, 0, 0.9051482677459717];
    expectClose(tanh(x), tanhReference);
    expectClose(x.tanh(), tanhReference);
    const geluReference = [-0.045500099658966064, -0.1542687863111496, 0, 1.3997890949249268];
    expectClose(gelu(x), geluReference);
    expectClose(x.gelu(), geluReference);
    const siluReference = [-0.23840583860874176, -0.1887703388929367, 0, 1.226361632347107];
    expectClose(silu(x), siluReference);
    expectClose(x.silu(), siluReference);
    const softmaxReference = [0.021745655685663223, 0.09745726734399796, 0.1606798768043518, 0.7201172113418579];
    expectClose(softmax(x, 0), softmaxReference);
    expectClose(x.softmax(-1), softmaxReference);
    const logSoftmaxReference = [-3.828341245651245, -2.328341245651245, -1.8283412456512451, -0.3283412754535675];
    expectClose(logSoftmax(x, 0), logSoftmaxReference);
    expectClose(x.logSoftmax(0), logSoftmaxReference);
  });

  it('integer tensors are int32 (PyTorch int64 indices and counters)', () => {
    expect(randint(0, 10, [3]).dtype).toBe('int32');
    expect(tensor([1, 2], { dtype: 'int32' }).add(2).dtype).toBe('int32');
    expect(argmax(randn([3, 4]), 1).dtype).toBe('int32');
    expect(randn([3, 4]).maxWithIndices(1).indices.dtype).toBe('int32');
    const [, indices] = new MaxPool2d(2, { returnIndices: true }).forward(randn([1, 1, 4, 4]));
    expect(indices.dtype).toBe('int32');
    expect(new BatchNorm2d(3).stateDict()['num_batches_tracked']!.dtype).toBe('int32');
  });

  it('safetensors written for PyTorch store int32 counters as I64', () => {
    const net = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
    net.forward(randn([2, 1, 5, 5]));
    const bytes = saveSafetensors(net.stateDict());
    const header = readSafetensorsMetadata(bytes);
    expect(header.tensors['1.num_batches_tracked']!.dtype).toBe('I64');
    expect(header.tensors['0.weight']!.dtype).toBe('F32');
    const loaded = loadSafetensors(bytes);
    expect(loaded['1.num_batches_tracked']!.dtype).toBe('int32');
    expect(loaded['1.num_batches_tracked']!.item()).toBe(1);
    expect(() => net.loadStateDict(loaded, { strict: true })).not.toThrow();
  });

  it('is synchronous: ops and forward return tensors, not promises', () => {
    const y = add(tensor([1]), tensor([2]));
    expect(y).toBeInstanceOf(Tensor);
    expect(y.tolist()).toEqual([3]);
    expect(new Linear(2, 3).forward(randn([4, 2]))).toBeInstanceOf(Tensor);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — Gradients', () => {
  it('requiresGrad is settable, and requiresGrad_() also works', () => {
    const x = randn([3]);
    expect(x.requiresGrad).toBe(false);
    x.requiresGrad = true;
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad = false;
    const returned = x.requiresGrad_();
    expect(returned).toBe(x);
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad_(false);
    expect(x.requiresGrad).toBe(false);
  });

  it('y.backward(gradOutput) fills x.grad (Tensor | null)', () => {
    const model = new Linear(3, 2, { bias: false });
    noGrad(() => model.weight.copy_(tensor([[1, 2, 3], [4, 5, 6]])));
    const x = tensor([[1, 1, 1]], { requiresGrad: true });
    expectTypeOf(x.grad).toEqualTypeOf<Tensor | null>();
    expect(x.grad).toBeNull();
    const y = model.forward(x);
    y.backward(tensor([[1, 10]]));
    // dy/dx = gradOutput @ W = [1 + 40, 2 + 50, 3 + 60]; dW = gradOutputᵀ @ x
    expect(x.grad!.tolist()).toEqual([[41, 52, 63]]);
    expect(model.weight.grad!.tolist()).toEqual([[1, 1, 1], [10, 10, 10]]);
  });

  it('loss.backward() for a one-element tensor; a non-scalar needs gradOutput', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const loss = mul(x, x).sum();
    loss.backward();
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
    const x2 = tensor([1, 2], { requiresGrad: true });
    expect(() => mul(x2, 2).backward()).toThrow(Error);
  });

  it('only leaves get .grad (a non-leaf keeps null, as in PyTorch)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = mul(x, 3);
    y.sum().backward();
    expect(y.grad).toBeNull();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it('grads accumulate like PyTorch', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    mul(x, 2).sum().backward();
    mul(x, x).sum().backward();
    expect(x.grad!.tolist()).toEqual([2 + 2, 2 + 4, 2 + 6]);
  });

  it('detach gives a tensor off the graph sharing the data', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = mul(x, 3);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.tolist()).toEqual([3, 6]);
    expect(x.detach().storage).toBe(x.storage);
  });

  it('noGrad records no graph inside', () => {
    const model = new Linear(3, 2);
    const x = randn([4, 3], { requiresGrad: true });
    const inside = noGrad(() => model.forward(x));
    expect(inside.requiresGrad).toBe(false);
    expect(inside.gradFn).toBeNull();
    const outside = model.forward(x);
    expect(outside.requiresGrad).toBe(true);
  });

  it('zeroGrad sets grads to null; a parameter with requiresGrad = false keeps grad null', () => {
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
    const frozen = model.parameters()[0]!;
    frozen.requiresGrad = false;
    model.forward(randn([5, 3])).sum().backward();
    expect(frozen.grad).toBeNull();
    for (const parameter of model.parameters().slice(1)) expect(parameter.grad).toBeInstanceOf(Tensor);
    model.zeroGrad();
    for (const parameter of model.parameters()) expect(parameter.grad).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — Modules', () => {
  const buildNet = (): Sequential =>
    new Sequential(
      new Conv2d(1, 32, 3, { padding: 1 }), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Dropout(0.25), new Linear(32 * 14 * 14, 10),
    );

  it('runs the page\'s CNN on [N, 1, 28, 28] to [N, 10]', () => {
    const net = buildNet();
    const x = randn([3, 1, 28, 28], { requiresGrad: true });
    const out = net.forward(x);
    expect(out).toBeInstanceOf(Tensor);
    expect(out.shape).toEqual([3, 10]);
    out.backward(ones([3, 10]));
    expect(x.grad!.shape).toEqual([3, 1, 28, 28]);
    expect(net.parameters().every((parameter) => parameter.grad !== null)).toBe(true);
  });

  it('train(), eval(), training', () => {
    const net = buildNet();
    expect(net.training).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.training).toBe(false);
    expect(net.modules().every((module) => !module.training)).toBe(true);
    expect(net.train()).toBe(net);
    expect(net.modules().every((module) => module.training)).toBe(true);
    net.eval();
    const x = randn([2, 1, 28, 28]);
    expect(net.forward(x).tolist()).toEqual(net.forward(x).tolist()); // eval: no dropout, running stats
  });

  it('parameters() is a Parameter[]; namedParameters() has PyTorch dotted names', () => {
    const net = buildNet();
    const parameters = net.parameters();
    expectTypeOf(parameters).toEqualTypeOf<Parameter[]>();
    expectTypeOf(net.namedParameters()).toEqualTypeOf<[string, Parameter][]>();
    expect(Array.isArray(parameters)).toBe(true);
    expect(parameters.every((parameter) => parameter instanceof Parameter && parameter instanceof Tensor)).toBe(true);
    const named = net.namedParameters();
    expect(Array.isArray(named)).toBe(true);
    // [n for n, _ in net.named_parameters()] in PyTorch
    expect(named.map(([name]) => name)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '6.weight', '6.bias']);
    expect(named.map(([, parameter]) => parameter.shape)).toEqual([[32, 1, 3, 3], [32], [32], [32], [10, 6272], [10]]);
    expect(named.map(([, parameter]) => parameter)).toEqual(parameters);
  });

  it('stateDict() is a plain object with PyTorch key names, parameters and buffers', () => {
    const net = buildNet();
    const state = net.stateDict();
    expectTypeOf(state).toEqualTypeOf<Record<string, Tensor>>();
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
    // list(net.state_dict().keys()) in PyTorch
    expect(Object.keys(state)).toEqual([
      '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '6.weight', '6.bias',
    ]);
    expect(Object.values(state).every((value) => value instanceof Tensor)).toBe(true);
  });

  it('loadStateDict(sd, { strict: true }) copies values; strict rejects missing or unexpected keys', () => {
    const source = buildNet();
    source.forward(randn([2, 1, 28, 28])); // moves the running statistics
    const target = buildNet();
    target.loadStateDict(source.stateDict(), { strict: true });
    for (const [key, value] of Object.entries(source.stateDict())) {
      expect(target.stateDict()[key]!.tolist(), key).toEqual(value.tolist());
    }
    const partial = { ...source.stateDict() };
    delete partial['6.bias'];
    const before = snapshot(target);
    expect(() => target.loadStateDict(partial, { strict: true })).toThrow(Error);
    expect(snapshot(target)).toEqual(before);
    expect(() => target.loadStateDict({ ...source.stateDict(), extra: zeros([1]) }, { strict: true })).toThrow(Error);
    expect(target.loadStateDict(partial, { strict: false }).missingKeys).toEqual(['6.bias']);
  });

  it('a PyTorch state dict loads under its own key names and computes what PyTorch computes', () => {
    // torch.manual_seed(0); the page's layers at a smaller size, one training batch, then eval
    // (BatchNorm affine set to [1.5, 0.5] / [0.1, -0.2]); values rounded to 7 decimals, as loaded back into PyTorch
    const pytorch: Record<string, [number[], number[]]> = {
      '0.weight': [[2, 1, 3, 3], [
        -0.0024956, 0.1788145, -0.2743484, -0.245313, -0.1283848, 0.0893858, -0.0066044, 0.2642965, -0.0295813,
        0.0882042, -0.1007377, -0.0655218, -0.3184495, -0.2207607, -0.1374077, 0.0123479, 0.1317784, 0.2000076,
      ]],
      '0.bias': [[2], [-0.2259804, -0.1451543]],
      '1.weight': [[2], [1.5, 0.5]],
      '1.bias': [[2], [0.1, -0.2]],
      '1.running_mean': [[2], [-0.0296411, -0.0635156]],
      '1.running_var': [[2], [1.0323675, 0.9764872]],
      '1.num_batches_tracked': [[], [1]],
      '6.weight': [[3, 8], [
        0.1284166, 0.2935865, -0.0727613, 0.2645682, -0.0569869, 0.0374109, 0.3201342, -0.327981,
        -0.2225753, -0.0895074, -0.1378151, 0.3054704, -0.2291661, -0.1627522, -0.2470067, -0.3311243,
        -0.2063834, 0.3039138, 0.157762, 0.1713576, 0.0185939, -0.181261, 0.0598158, -0.3301109,
      ]],
      '6.bias': [[3], [-0.2554657, -0.1822674, 0.2230702]],
    };
    const state: Record<string, Tensor> = {};
    for (const [key, [shape, values]] of Object.entries(pytorch)) {
      state[key] = key.endsWith('num_batches_tracked')
        ? tensor(new Int32Array(values), { shape })
        : tensor(new Float32Array(values), { shape });
    }
    const net = new Sequential(
      new Conv2d(1, 2, 3, { padding: 1 }), new BatchNorm2d(2), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Dropout(0.25), new Linear(2 * 2 * 2, 3),
    );
    expect(Object.keys(net.stateDict())).toEqual(Object.keys(pytorch));
    const result = net.loadStateDict(state, { strict: true });
    expect(result.missingKeys).toEqual([]);
    expect(result.unexpectedKeys).toEqual([]);
    net.eval();
    const x = tensor([[[[0.5, -1, 2, 0], [1.5, 0.25, -0.5, 1], [-2, 0.75, 1.25, -0.25], [0, 1, -1.5, 2.5]]]]);
    expectClose(net.forward(x), [[0.13513216376304626, -0.2847168445587158, 0.7935190200805664]]);
  });

  it('zeroGrad() after backward', () => {
    const net = buildNet();
    net.forward(randn([2, 1, 28, 28])).sum().backward();
    expect(net.parameters().some((parameter) => parameter.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((parameter) => parameter.grad === null)).toBe(true);
  });

  it('Parameter extends Tensor', () => {
    const parameter = new Parameter(zeros([2]));
    expect(parameter).toBeInstanceOf(Tensor);
    expect(parameter.requiresGrad).toBe(true);
    expect(Object.getPrototypeOf(Parameter.prototype)).toBe(Tensor.prototype);
  });

  it('forward takes unbatched inputs as PyTorch does (Conv2d on [C, H, W])', () => {
    const conv = new Conv2d(2, 4, 3, { padding: 1 });
    const x = randn([2, 5, 6]);
    const unbatched = conv.forward(x);
    expect(unbatched.shape).toEqual([4, 5, 6]);
    expectClose(unbatched, conv.forward(x.unsqueeze(0)).squeeze(0).tolist() as Nested);
    expect(new Conv1d(2, 3, 2).forward(randn([2, 7])).shape).toEqual([3, 6]);
    expect(new Conv3d(1, 2, 2).forward(randn([1, 3, 3, 3])).shape).toEqual([2, 2, 2, 2]);
    expect(new MaxPool2d(2).forward(randn([3, 4, 4])).shape).toEqual([3, 2, 2]);
    expect(new Linear(3, 2).forward(randn([3])).shape).toEqual([2]);
    expect(new ConvTranspose2d(2, 3, 2).forward(randn([2, 3, 3])).shape).toEqual([3, 4, 4]);
  });

  it('null is PyTorch\'s None, as is an omitted key', () => {
    const x = arange(25).float().reshape([1, 1, 5, 5]);
    expect(new MaxPool2d(2, { stride: null }).forward(x).tolist()).toEqual(new MaxPool2d(2).forward(x).tolist());
    expect(new AvgPool2d(2, { stride: null, divisorOverride: null }).forward(x).tolist()).toEqual(new AvgPool2d(2).forward(x).tolist());
    const table = new Embedding(4, 2, { paddingIdx: null, maxNorm: null });
    expect(table.forward(tensor([0, 3], { dtype: 'int32' })).shape).toEqual([2, 2]);
    const up = new ConvTranspose2d(1, 1, 3, { stride: 2 });
    expect(up.forward(randn([1, 1, 4, 4]), null).shape).toEqual([1, 1, 9, 9]);
    expect(new BatchNorm2d(2, { momentum: null }).momentum).toBeNull();
    // nn.AdaptiveAvgPool2d((None, 2)): None keeps the input's size
    expect(new AdaptiveAvgPool2d([null, 2]).forward(randn([1, 1, 5, 6])).shape).toEqual([1, 1, 5, 2]);
    expect(new RMSNorm(4, { eps: null }).forward(randn([2, 4])).shape).toEqual([2, 4]);
  });

  it('pooling indices: int32, the flat index within each (N, C) plane, first of the window wins ties', () => {
    // p below; F.max_pool2d(p, 2, stride=2, padding=1, return_indices=True)
    const plane0 = [[1, 1, 2, 2, 0], [1, 1, 2, 2, 0], [3, 0, 0, 3, 3], [0, 0, 0, 3, 3], [5, 5, 5, 5, 5]];
    const plane1 = [[0, 0, 0, 0, 0], [7, 1, 1, 7, 2], [1, 1, 1, 1, 2], [4, 4, 4, 4, 4], [9, 8, 9, 8, 9]];
    const half = tensor([[plane0, plane1]]);
    const p = cat([half, neg(half)], 0); // [2, 2, 5, 5]
    const [output, indices] = new MaxPool2d(2, { stride: 2, padding: 1, returnIndices: true }).forward(p);
    expect(indices.dtype).toBe('int32');
    expect(output.tolist()).toEqual([
      [[[1, 2, 2], [3, 2, 3], [5, 5, 5]], [[0, 0, 0], [7, 1, 7], [9, 9, 9]]],
      [[[-1, -1, -0], [-1, -0, -0], [-0, -0, -3]], [[-0, -0, -0], [-1, -1, -1], [-4, -4, -4]]],
    ]);
    expect(indices.tolist()).toEqual([
      [[[0, 2, 3], [10, 7, 13], [20, 21, 23]], [[0, 1, 3], [5, 6, 8], [20, 22, 24]]],
      [[[0, 1, 4], [5, 11, 9], [15, 16, 18]], [[0, 1, 3], [10, 6, 13], [15, 16, 18]]],
    ]);
    // F.max_pool2d(p, 3, stride=2, ceil_mode=True, return_indices=True)
    const [, ceilIndices] = maxPool2d(p, 3, { stride: 2, ceilMode: true, returnIndices: true });
    expect(ceilIndices.tolist()).toEqual([
      [[[10, 13], [20, 22]], [[5, 8], [20, 22]]],
      [[[11, 4], [11, 12]], [[0, 2], [10, 12]]],
    ]);
    // ties in min pooling: the first element of the window too
    const [, minIndices] = new MinPool2d(2, { returnIndices: true }).forward(ones([1, 1, 4, 4]));
    expect(minIndices.tolist()).toEqual([[[[0, 2], [8, 10]]]]);
    const [, maxIndices] = new MaxPool1d(3, { returnIndices: true }).forward(tensor([[[2, 2, 2, 1, 1, 1]]]));
    expect(maxIndices.tolist()).toEqual([[[0, 3]]]);
    // F.max_pool1d(x1, 2, stride=1, return_indices=True)
    const x1 = tensor([[[1, 3, 3, 2], [5, 4, 4, 6]], [[0, 0, 1, 1], [2, 2, 2, 2]]]);
    expect(maxPool1d(x1, 2, { stride: 1, returnIndices: true })[1].tolist()).toEqual([[[1, 1, 2], [0, 1, 3]], [[0, 2, 2], [0, 1, 2]]]);
    // x3 = -arange(32.).reshape(1, 2, 2, 2, 4); x3[0, 1, 1, 1, 3] = 5; F.max_pool3d(x3, 2, return_indices=True)
    const x3 = neg(arange(32).float()).reshape([1, 2, 2, 2, 4]);
    noGrad(() => x3.index([0, 1, 1, 1, 3]).fill_(5));
    expect(new MaxPool3d(2, { returnIndices: true }).forward(x3)[1].tolist()).toEqual([[[[[0, 2]]], [[[0, 15]]]]]);
  });

  it('ConvTransposeNd.forward takes outputSize as the spatial sizes or the full shape', () => {
    const down = new Conv2d(16, 16, 3, { stride: 2, padding: 1 });
    const up = new ConvTranspose2d(16, 16, 3, { stride: 2, padding: 1 });
    const x = randn([1, 16, 12, 12]);
    const h = down.forward(x);
    expect(h.shape).toEqual([1, 16, 6, 6]);
    expect(up.forward(h).shape).toEqual([1, 16, 11, 11]);
    const spatial = up.forward(h, [12, 12]);
    const full = up.forward(h, x.shape);
    expect(spatial.shape).toEqual([1, 16, 12, 12]);
    expect(full.tolist()).toEqual(spatial.tolist());
    expect(() => up.forward(h, [14, 14])).toThrow(Error); // beyond what outputPadding < stride can reach
    expect(new ConvTranspose1d(2, 2, 3, { stride: 2 }).forward(randn([1, 2, 4]), [10]).shape).toEqual([1, 2, 10]);
    // unbatched: the full shape is [C, H, W]
    const unbatched = up.forward(h.squeeze(0), [16, 12, 12]);
    expect(unbatched.shape).toEqual([16, 12, 12]);
    expectClose(unbatched, spatial.squeeze(0).tolist() as Nested);
  });

  it('LayerNorm has the bias option of PyTorch 2.1+', () => {
    const withBias = new LayerNorm(4);
    expect(Object.keys(withBias.stateDict())).toEqual(['weight', 'bias']);
    const noBias = new LayerNorm(4, { bias: false });
    expect(noBias.bias).toBeNull();
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
    const x = tensor([[1, 2, 3, 4]]);
    noGrad(() => noBias.weight!.fill_(2));
    // (x - 2.5) / sqrt(1.25 + 1e-5) * 2
    expectClose(noBias.forward(x), [[-3, -1, 1, 3].map((v) => v / Math.sqrt(1.25 + 1e-5))]);
  });

  it('Dropout masks come from manualSeed: the same seed the same masks, two calls different ones', () => {
    const layer = new Dropout(0.5);
    const x = ones([64]);
    manualSeed(7);
    const first = layer.forward(x).tolist() as number[];
    const second = layer.forward(x).tolist() as number[];
    manualSeed(7);
    expect(layer.forward(x).tolist()).toEqual(first);
    expect(layer.forward(x).tolist()).toEqual(second);
    expect(second).not.toEqual(first);
    expect(new Set([...first, ...second])).toEqual(new Set([0, 2])); // kept elements scaled by 1 / (1 - p)
    layer.eval();
    expect(layer.forward(x).tolist()).toEqual(x.tolist());
  });
});

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — constructor signatures', () => {
  it('Linear(inFeatures, outFeatures, { bias })', () => {
    const layer = new Linear(3, 5, { bias: true });
    expect(layer.weight.shape).toEqual([5, 3]);
    expect(layer.bias!.shape).toEqual([5]);
    expect(new Linear(3, 5, { bias: false }).bias).toBeNull();
  });

  it('ConvNd(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, bias, paddingMode })', () => {
    const conv = new Conv2d(4, 6, 3, { stride: 2, padding: 1, dilation: 1, groups: 2, bias: false, paddingMode: 'zeros' });
    expect(conv.weight.shape).toEqual([6, 2, 3, 3]);
    expect(conv.bias).toBeNull();
    expect(conv.forward(randn([1, 4, 9, 9])).shape).toEqual([1, 6, 5, 5]);
    expect(new Conv1d(2, 2, 3, { dilation: 2 }).forward(randn([1, 2, 10])).shape).toEqual([1, 2, 6]);
    expect(new Conv3d(1, 1, [1, 2, 3], { padding: [0, 1, 1] }).forward(randn([1, 1, 3, 3, 3])).shape).toEqual([1, 1, 3, 4, 3]);

    const input = arange(16).float().reshape([1, 1, 4, 4]);
    const withWeight = (layer: Conv2d): Conv2d => {
      noGrad(() => layer.weight.copy_(arange(9).float().reshape([1, 1, 3, 3])));
      return layer;
    };
    // nn.Conv2d(1, 1, 3, padding=1, padding_mode=mode, bias=False) with weight arange(9), on arange(16).reshape(1, 1, 4, 4)
    const byMode = {
      zeros: [[73, 121, 154, 103], [171, 258, 294, 186], [279, 402, 438, 270], [139, 187, 202, 113]],
      reflect: [[120, 138, 174, 180], [240, 258, 294, 300], [384, 402, 438, 444], [360, 378, 414, 420]],
      replicate: [[99, 126, 162, 183], [231, 258, 294, 315], [375, 402, 438, 459], [435, 462, 498, 519]],
      circular: [[162, 162, 198, 174], [258, 258, 294, 270], [402, 402, 438, 414], [210, 210, 246, 222]],
    } as const;
    for (const [paddingMode, expected] of Object.entries(byMode)) {
      const layer = withWeight(new Conv2d(1, 1, 3, { padding: 1, bias: false, paddingMode: paddingMode as keyof typeof byMode }));
      expectClose(layer.forward(input), [[expected as unknown as Nested[]]]);
    }
    // padding=(1, 0); padding='same' with dilation=2; padding='valid'; stride=2
    const tuple = withWeight(new Conv2d(1, 1, 3, { padding: [1, 0], bias: false }));
    expectClose(tuple.forward(input), [[[[121, 154], [258, 294], [402, 438], [187, 202]]]]);
    const same = withWeight(new Conv2d(1, 1, 3, { padding: 'same', dilation: 2, bias: false }));
    expectClose(same.forward(input), [[[[146, 170, 126, 146], [242, 266, 206, 226], [86, 98, 66, 74], [134, 146, 98, 106]]]]);
    const valid = withWeight(new Conv2d(1, 1, 3, { padding: 'valid', bias: false }));
    expectClose(valid.forward(input), [[[[258, 294], [402, 438]]]]);
    const strided = withWeight(new Conv2d(1, 1, 3, { stride: 2, padding: 1, bias: false }));
    expectClose(strided.forward(input), [[[[73, 154], [279, 438]]]]);
  });

  it('ConvTransposeNd(inChannels, outChannels, kernelSize, { stride, padding, outputPadding, groups, bias, dilation })', () => {
    const up = new ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false, dilation: 1 });
    expect(up.weight.shape).toEqual([4, 3, 3, 3]); // [inChannels, outChannels / groups, ...kernel]
    expect(up.bias).toBeNull();
    // (5 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1 = 10
    expect(up.forward(randn([1, 4, 5, 5])).shape).toEqual([1, 6, 10, 10]);
    // (4 - 1) * 1 + 2 * (2 - 1) + 1 = 6
    expect(new ConvTranspose1d(1, 1, 2, { dilation: 2 }).forward(randn([1, 1, 4])).shape).toEqual([1, 1, 6]);
    expect(new ConvTranspose3d(1, 2, 2).forward(randn([1, 1, 2, 2, 2])).shape).toEqual([1, 2, 3, 3, 3]);
  });

  it('MaxPoolNd and MinPoolNd (kernelSize, { stride, padding, dilation, returnIndices, ceilMode })', () => {
    const x = randn([2, 3, 9, 9]);
    const options = { stride: 2, padding: 1, dilation: 2, returnIndices: true, ceilMode: true } as const;
    const result = new MaxPool2d(3, options).forward(x);
    expectTypeOf(result).toEqualTypeOf<[Tensor, Tensor]>();
    expect(Array.isArray(result)).toBe(true);
    const [output, indices] = result;
    // floor or ceil of (9 + 2 - 2 * 2 - 1) / 2 + 1 = 4
    expect(output.shape).toEqual([2, 3, 4, 4]);
    expect(indices.shape).toEqual([2, 3, 4, 4]);
    const [minOutput, minIndices] = new MinPool2d(3, options).forward(x);
    expect(minOutput.shape).toEqual([2, 3, 4, 4]);
    expect(minIndices.dtype).toBe('int32');
    expect(new MaxPool2d(3, { ...options, returnIndices: false }).forward(x)).toBeInstanceOf(Tensor);
    expect(new MaxPool1d(2).forward(randn([1, 2, 5])).shape).toEqual([1, 2, 2]);
    expect(new MaxPool3d(2, { ceilMode: true }).forward(randn([1, 1, 3, 3, 3])).shape).toEqual([1, 1, 2, 2, 2]);
    expect(new MinPool1d(2, { stride: 1 }).forward(randn([1, 2, 5])).shape).toEqual([1, 2, 4]);
    expect(new MinPool3d(2).forward(randn([1, 1, 4, 4, 4])).shape).toEqual([1, 1, 2, 2, 2]);
  });

  it('AvgPoolNd(kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride })', () => {
    const a = arange(25).float().reshape([1, 1, 5, 5]);
    // F.avg_pool2d(arange(25.).reshape(1, 1, 5, 5), 2, stride=2, padding=1[, count_include_pad=False])
    expectClose(new AvgPool2d(2, { stride: 2, padding: 1, countIncludePad: false }).forward(a), [[[[0, 1.5, 3.5], [7.5, 9, 11], [17.5, 19, 21]]]]);
    expectClose(new AvgPool2d(2, { stride: 2, padding: 1 }).forward(a), [[[[0, 0.75, 1.75], [3.75, 9, 11], [8.75, 19, 21]]]]);
    // ceil_mode=True; divisor_override=3
    expectClose(new AvgPool2d(2, { stride: 2, ceilMode: true }).forward(a), [[[[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]]]]);
    expectClose(new AvgPool2d(2, { stride: 2, divisorOverride: 3 }).forward(a), [[[[4, 6.666666507720947], [17.33333396911621, 20]]]]);
  });

  it('BatchNormNd(numFeatures, { eps, momentum, affine, trackRunningStats }); momentum null = cumulative average', () => {
    const b1 = tensor([[[[1, 2], [3, 4]], [[0, 0], [0, 4]]], [[[5, 6], [7, 8]], [[2, 2], [2, 2]]]]);
    const b2 = sub(mul(b1, 2), 1);
    const cumulative = new BatchNorm2d(2, { eps: 1e-5, momentum: null, affine: true, trackRunningStats: true });
    expect(cumulative.namedBuffers().map(([name]) => name)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    cumulative.forward(b1);
    cumulative.forward(b2);
    // nn.BatchNorm2d(2, momentum=None), two batches
    const state = cumulative.stateDict();
    expectClose(state['running_mean']!, [6.25, 1.75]);
    expectClose(state['running_var']!, [15, 5]);
    expect(state['num_batches_tracked']!.item()).toBe(2);
    const exponential = new BatchNorm2d(2);
    exponential.forward(b1);
    exponential.forward(b2);
    // nn.BatchNorm2d(2), momentum=0.1
    expectClose(exponential.stateDict()['running_mean']!, [1.2050000429153442, 0.33500000834465027]);
    expectClose(exponential.stateDict()['running_var']!, [3.75, 1.7899999618530273]);

    const plain = new BatchNorm1d(3, { affine: false, trackRunningStats: false });
    expect(plain.parameters()).toEqual([]);
    expect(Object.keys(plain.stateDict())).toEqual([]);
    expect(plain.forward(randn([4, 3])).shape).toEqual([4, 3]);
    expect(Object.keys(new BatchNorm3d(2).stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    // eps: (x - mean) / sqrt(var + eps) with a huge eps damps the output
    const damped = new BatchNorm1d(1, { eps: 99 }).forward(tensor([[-1], [1]]));
    expectClose(damped, [[-0.1], [0.1]]);
  });

  it('LayerNorm(normalizedShape, { eps, elementwiseAffine, bias })', () => {
    const layer = new LayerNorm([2, 3], { eps: 1e-5, elementwiseAffine: true, bias: true });
    expect(layer.weight!.shape).toEqual([2, 3]);
    expect(layer.bias!.shape).toEqual([2, 3]);
    const bare = new LayerNorm(2, { elementwiseAffine: false, eps: 3 });
    expect(bare.parameters()).toEqual([]);
    // (x - 0) / sqrt(1 + 3)
    expectClose(bare.forward(tensor([-1, 1])), [-0.5, 0.5]);
  });

  it('Dropout(p = 0.5, { inplace })', () => {
    expect(new Dropout().p).toBe(0.5);
    const x = ones([1000]);
    const kept = new Dropout(0.2).forward(x);
    const fraction = kept.ne(0).float().mean().item();
    expect(fraction).toBeGreaterThan(0.7);
    expect(fraction).toBeLessThan(0.9);
    expect(x.tolist()).toEqual(ones([1000]).tolist()); // not in place
    const target = ones([100]);
    const result = new Dropout(0.5, { inplace: true }).forward(target);
    expect(result.storage).toBe(target.storage);
    expect(target.eq(0).any().item()).toBe(1);
  });

  it('Embedding(numEmbeddings, embeddingDim, { paddingIdx, maxNorm, normType, scaleGradByFreq })', () => {
    const weights = tensor([[3, 4], [1, 0], [0, 6], [2, 2]]);
    const padded = new Embedding(4, 2, { paddingIdx: 1 });
    expect(padded.weight.shape).toEqual([4, 2]);
    expect(padded.weight.select(0, 1).tolist()).toEqual([0, 0]); // PyTorch zeroes the padding row

    // nn.Embedding.from_pretrained(W, max_norm=2.0)(tensor([0, 2, 0])), and its weight afterwards
    const renormed = Embedding.fromPretrained(weights.clone(), { maxNorm: 2 });
    expectClose(renormed.forward(tensor([0, 2, 0], { dtype: 'int32' })), [[1.2, 1.6], [0, 1.9999998807907104], [1.2, 1.6]]);
    expectClose(renormed.weight, [[1.2, 1.6], [1, 0], [0, 1.9999998807907104], [2, 2]]);
    // max_norm=5.0, norm_type=1.0, on indices [0, 3]
    const l1 = Embedding.fromPretrained(weights.clone(), { maxNorm: 5, normType: 1 });
    l1.forward(tensor([0, 3], { dtype: 'int32' }));
    expectClose(l1.weight, [[2.142857074737549, 2.857142925262451], [1, 0], [0, 6], [2, 2]]);
    // freeze=False, scale_grad_by_freq=True, padding_idx=1; e(tensor([0, 0, 2, 1])).sum().backward()
    const scaled = Embedding.fromPretrained(weights.clone(), { freeze: false, scaleGradByFreq: true, paddingIdx: 1 });
    scaled.forward(tensor([0, 0, 2, 1], { dtype: 'int32' })).sum().backward();
    expect(scaled.weight.grad!.tolist()).toEqual([[1, 1], [0, 0], [1, 1], [0, 0]]);
  });

  it('Embedding.fromPretrained(weight, { freeze, ... })', () => {
    const weights = tensor([[1, 2], [3, 4]]);
    const frozen = Embedding.fromPretrained(weights);
    expect(frozen.weight).toBeInstanceOf(Parameter);
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(frozen.weight.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(Embedding.fromPretrained(weights, { freeze: true }).weight.requiresGrad).toBe(false);
    expect(Embedding.fromPretrained(weights, { freeze: false }).weight.requiresGrad).toBe(true);
    expect(frozen.forward(tensor([1, 0, 1], { dtype: 'int32' })).tolist()).toEqual([[3, 4], [1, 2], [3, 4]]);
  });

  it('the options object takes exactly the listed keys: an unknown or snake_case key throws in the constructor', () => {
    const unknown: [() => unknown, string][] = [
      [() => new Linear(2, 3, { in_features: 2 } as never), "Linear: unknown option 'in_features' (expected bias)"],
      [() => new Conv2d(1, 1, 3, { padding_mode: 'reflect' } as never),
        "Conv2d: unknown option 'padding_mode' (expected stride, padding, dilation, groups, bias, paddingMode)"],
      [() => new ConvTranspose2d(1, 1, 3, { output_padding: 1 } as never),
        "ConvTranspose2d: unknown option 'output_padding' (expected stride, padding, outputPadding, groups, bias, dilation, paddingMode)"],
      [() => new MaxPool2d(2, { return_indices: true } as never),
        "MaxPool2d: unknown option 'return_indices' (expected stride, padding, dilation, returnIndices, ceilMode)"],
      [() => new MinPool1d(2, { ceil_mode: true } as never),
        "MinPool1d: unknown option 'ceil_mode' (expected stride, padding, dilation, returnIndices, ceilMode)"],
      [() => new AvgPool2d(2, { count_include_pad: false } as never),
        "AvgPool2d: unknown option 'count_include_pad' (expected stride, padding, ceilMode, countIncludePad, divisorOverride)"],
      [() => new BatchNorm2d(2, { track_running_stats: false } as never),
        "BatchNorm2d: unknown option 'track_running_stats' (expected eps, momentum, affine, trackRunningStats)"],
      [() => new LayerNorm(2, { elementwise_affine: false } as never), "LayerNorm: unknown option 'elementwise_affine' (expected eps, elementwiseAffine, bias)"],
      [() => new Dropout(0.5, { in_place: true } as never), "Dropout: unknown option 'in_place' (expected inplace)"],
      [() => new Embedding(3, 2, { padding_idx: 0 } as never),
        "Embedding: unknown option 'padding_idx' (expected paddingIdx, maxNorm, normType, scaleGradByFreq)"],
      [() => Embedding.fromPretrained(randn([3, 2]), { max_norm: 1 } as never),
        "Embedding: unknown option 'max_norm' (expected paddingIdx, maxNorm, normType, scaleGradByFreq)"],
    ];
    for (const [construct, message] of unknown) {
      const error = thrown(construct);
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(message);
    }
    expect(thrown(() => new Dropout(0.5, true as never))).toBeInstanceOf(TypeError);
  });

  it('MinPoolNd equals -maxPool(-x), indices included', () => {
    manualSeed(3);
    for (const x of [randn([2, 3, 7, 6]), randint(-2, 3, [2, 3, 7, 6]).float()]) {
      const options = { stride: 2, padding: 1, dilation: 1, ceilMode: true, returnIndices: true } as const;
      const [minOutput, minIndices] = minPool2d(x, 3, options);
      const [maxOutput, maxIndices] = maxPool2d(neg(x), 3, options);
      expect(minOutput.tolist()).toEqual(neg(maxOutput).tolist());
      expect(minIndices.tolist()).toEqual(maxIndices.tolist());
      const [layerOutput, layerIndices] = new MinPool2d(3, options).forward(x);
      expect(layerOutput.tolist()).toEqual(minOutput.tolist());
      expect(layerIndices.tolist()).toEqual(minIndices.tolist());
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — Errors', () => {
  it('the three example messages, verbatim, with their classes', () => {
    const conv = thrown(() => new Conv2d(3, 16, 3).forward(randn([8, 4, 32, 32])));
    expect(conv).toBeInstanceOf(ShapeError);
    expect(conv.message).toBe('Conv2d: expected input with 3 channels (shape [N, 3, H, W]), got shape [8, 4, 32, 32]');

    const product = thrown(() => matmul(randn([4, 3]), randn([5, 2])));
    expect(product).toBeInstanceOf(ShapeError);
    expect(product.message).toBe('matmul: shapes [4, 3] and [5, 2] cannot be multiplied (3 != 5)');

    const lookup = thrown(() => new Embedding(10000, 8).forward(tensor([3, 10000], { dtype: 'int32' })));
    expect(lookup).toBeInstanceOf(RangeError);
    expect(lookup.message).toBe('Embedding: index 10000 is out of range for 10000 embeddings');
  });

  it('ShapeError and DTypeError are Error subclasses exported by @strata/tensor; RangeError is built in', () => {
    expect(new ShapeError('x')).toBeInstanceOf(Error);
    expect(new DTypeError('x')).toBeInstanceOf(Error);
    expect(new ShapeError('x').name).toBe('ShapeError');
    expect(new DTypeError('x').name).toBe('DTypeError');
    expect(strata.ShapeError).toBe(ShapeError);
    expect(strata.DTypeError).toBe(DTypeError);
    expect(thrown(() => add(randn([2, 3]), randn([4])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new Embedding(4, 2).forward(tensor([0.5])))).toBeInstanceOf(DTypeError);
    expect(thrown(() => conv2d(randn([1, 1, 3, 3]).int(), randn([1, 1, 2, 2])))).toBeInstanceOf(DTypeError);
    expect(thrown(() => randn([2, 3]).select(1, 3))).toBeInstanceOf(RangeError);
    expect(thrown(() => randn([2, 3]).gather(1, tensor([[0, 3]], { dtype: 'int32' })))).toBeInstanceOf(RangeError);
  });

  it('invalid options throw in the constructor, naming the class', () => {
    const cases: [() => unknown, string][] = [
      [() => new Conv2d(3, 16, 0), 'Conv2d'],
      [() => new Conv2d(3, 16, 3, { groups: 2 }), 'Conv2d'],
      [() => new Conv2d(3, 16, 3, { paddingMode: 'mirror' as 'zeros' }), 'Conv2d'],
      [() => new Conv2d(3, 16, 3, { padding: 'same', stride: 2 }), 'Conv2d'],
      [() => new ConvTranspose2d(3, 16, 3, { stride: 2, outputPadding: 2 }), 'ConvTranspose2d'],
      [() => new MaxPool2d(2, { padding: 2 }), 'MaxPool2d'],
      [() => new MinPool2d(0), 'MinPool2d'],
      [() => new AvgPool2d(2, { divisorOverride: 0 }), 'AvgPool2d'],
      [() => new BatchNorm2d(-1), 'BatchNorm2d'],
      [() => new BatchNorm2d(3, { eps: -1 }), 'BatchNorm2d'],
      [() => new LayerNorm([2, -1]), 'LayerNorm'],
      [() => new Dropout(1.5), 'Dropout'],
      [() => new Linear(0.5, 3), 'Linear'],
      [() => new Embedding(10, 3, { paddingIdx: 10 }), 'Embedding'],
    ];
    for (const [construct, name] of cases) {
      const error = thrown(construct);
      expect(error.message.startsWith(`${name}: `), error.message).toBe(true);
    }
  });

  it('invalid inputs throw in forward; a module names its class, a functional op names the op', () => {
    const layer = new Conv2d(3, 4, 3);
    const weight = randn([4, 3, 3, 3]);
    const bad = randn([1, 2, 8, 8]);
    expect(thrown(() => layer.forward(bad)).message).toMatch(/^Conv2d: /);
    expect(thrown(() => conv2d(bad, weight)).message).toMatch(/^conv2d: /);
    expect(thrown(() => new Embedding(5, 2).forward(tensor([5], { dtype: 'int32' }))).message).toMatch(/^Embedding: /);
    expect(thrown(() => embedding(tensor([5], { dtype: 'int32' }), randn([5, 2]))).message).toMatch(/^embedding: /);
    expect(thrown(() => new MaxPool2d(2).forward(randn([2, 2]))).message).toMatch(/^MaxPool2d: /);
    expect(thrown(() => maxPool2d(randn([2, 2]), 2)).message).toMatch(/^maxPool2d: /);
    expect(thrown(() => new Linear(3, 2).forward(randn([4, 5]))).message).toMatch(/^Linear: /);
    expect(thrown(() => new LayerNorm(3).forward(randn([4, 5]))).message).toMatch(/^LayerNorm: /);
  });

  it('no op silently produces a wrong shape or reads out of bounds: it throws, naming the op and the bad value', () => {
    const int32 = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });
    const cases: [() => unknown, new (message: string) => Error, string, string][] = [
      [() => tensor(new Float32Array(5), { shape: [2, 3] }), ShapeError, 'tensor', '5'],
      [() => randn([6]).reshape([4, 2]), ShapeError, 'reshape', '[4, 2]'],
      [() => randn([2, 3]).t().view([6]), ShapeError, 'view', '[6]'],
      [() => randn([2, 3]).expand([4, 3]), ShapeError, 'expand', '[4, 3]'],
      [() => zeros([3]).add_(randn([2, 3])), ShapeError, 'add_', '[2, 3]'],
      [() => narrow(randn([3]), 0, 2, 2), RangeError, 'narrow', '3'],
      [() => randn([3, 2]).indexSelect(0, int32([3])), RangeError, 'indexSelect', '3'],
      [() => randn([3]).gather(0, int32([-1])), RangeError, 'gather', '-1'],
      [() => zeros([3]).scatterAdd(0, int32([5]), tensor([1])), RangeError, 'scatterAdd', '5'],
      [() => maxUnpool2d(tensor([[[[1]]]]), int32([100]).reshape([1, 1, 1, 1]), 2), RangeError, 'maxUnpool2d', '100'],
      [() => conv2d(randn([1, 1, 2, 2]), randn([1, 1, 3, 3])), ShapeError, 'conv2d', '[3, 3]'],
      [() => new MaxPool2d(2).forward(randn([1, 1, 1, 1])), ShapeError, 'MaxPool2d', '[1, 1]'],
      [() => new Embedding(3, 2).forward(int32([-1])), RangeError, 'Embedding', '-1'],
      [() => new CrossEntropyLoss().forward(randn([2, 3]), int32([0, 3])), RangeError, 'CrossEntropyLoss', '3'],
      [() => new LayerNorm([3, 4]).forward(randn([2, 4, 3])), ShapeError, 'LayerNorm', '[2, 4, 3]'],
      [() => mul(randn([3], { requiresGrad: true }), 2).backward(randn([4])), ShapeError, 'backward', '[4]'],
    ];
    for (const [run, errorClass, name, value] of cases) {
      const error = thrown(run);
      expect(error, error.message).toBeInstanceOf(errorClass);
      expect(error.message.startsWith(`${name}: `), error.message).toBe(true);
      expect(error.message, name).toContain(value);
    }
  });

  it('validation comes before mutation: BatchNorm2d running statistics survive a throwing forward', () => {
    const norm = new BatchNorm2d(3);
    norm.forward(randn([4, 3, 2, 2]));
    const before = snapshot(norm);
    expect(thrown(() => norm.forward(randn([4, 5, 2, 2])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => norm.forward(randn([1, 3, 1, 1])))).toBeInstanceOf(Error); // one value per channel in training
    expect(thrown(() => norm.forward(randn([4, 3, 2, 2]).int()))).toBeInstanceOf(DTypeError);
    expect(snapshot(norm)).toEqual(before);
  });

  it('validation comes before mutation: Embedding maxNorm renormalizes nothing when an index is out of range', () => {
    const weights = tensor([[3, 4], [1, 0], [0, 6], [2, 2]]);
    const table = Embedding.fromPretrained(weights.clone(), { maxNorm: 1 });
    const error = thrown(() => table.forward(tensor([0, 2, 4], { dtype: 'int32' })));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('Embedding: index 4 is out of range for 4 embeddings');
    expect(table.weight.tolist()).toEqual(weights.tolist());
    expect(thrown(() => table.forward(tensor([0, -1], { dtype: 'int32' })))).toBeInstanceOf(RangeError);
    expect(table.weight.tolist()).toEqual(weights.tolist());
  });

  it('validation comes before mutation: parameters and in-place targets survive a throw', () => {
    const layer = new Conv2d(3, 4, 3);
    const before = snapshot(layer);
    thrown(() => layer.forward(randn([1, 2, 8, 8])));
    expect(snapshot(layer)).toEqual(before);
    const target = tensor([1, 2, 3]);
    thrown(() => target.add_(tensor([1, 2])));
    expect(target.tolist()).toEqual([1, 2, 3]);
    const dropped = ones([4]);
    thrown(() => new Dropout(0.5, { inplace: true }).forward(tensor([1, 2], { dtype: 'int32' })));
    expect(dropped.tolist()).toEqual([1, 1, 1, 1]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — packages and the dependency rule (ARCHITECTURE.md)', () => {
  const packagesDirectory = fileURLToPath(new URL('../..', import.meta.url));
  interface Manifest {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  }
  const manifests = new Map<string, Manifest>();
  for (const folder of readdirSync(packagesDirectory)) {
    try {
      manifests.set(folder, JSON.parse(readFileSync(join(packagesDirectory, folder, 'package.json'), 'utf8')) as Manifest);
    } catch {
      // not a package folder
    }
  }
  // tensor ← autograd ← module ← layers-conv | layers-norm | layers-misc | losses; module ← optim ← train
  const arrows: Record<string, string[]> = {
    tensor: [],
    autograd: ['tensor'],
    module: ['autograd'],
    'layers-conv': ['module'],
    'layers-norm': ['module'],
    'layers-misc': ['module'],
    losses: ['module'],
    optim: ['module'],
    train: ['optim'],
  };
  const below = (name: string): Set<string> => {
    const reachable = new Set<string>();
    const pending = [...(arrows[name] ?? [])];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (reachable.has(next)) continue;
      reachable.add(next);
      pending.push(...(arrows[next] ?? []));
    }
    return reachable;
  };
  const layerPackages = ['layers-conv', 'layers-norm', 'layers-misc', 'losses'];
  const workspaceDependencies = (manifest: Manifest, kinds: (keyof Manifest)[]): string[] =>
    kinds.flatMap((kind) => Object.keys((manifest[kind] as Record<string, string> | undefined) ?? {})).filter((name) => name.startsWith('@strata/'));

  it('every package of the table exists under its npm name', () => {
    for (const folder of Object.keys(arrows)) expect(manifests.get(folder)?.name).toBe(`@strata/${folder}`);
    expect(manifests.get('strata')?.name).toBe('strata');
  });

  it('@strata/layers-conv does not pull in @strata/layers-norm; no layer package depends on another', () => {
    const conv = manifests.get('layers-conv')!;
    const runtime: (keyof Manifest)[] = ['dependencies', 'peerDependencies', 'optionalDependencies'];
    expect(workspaceDependencies(conv, runtime)).not.toContain('@strata/layers-norm');
    // and nothing it pulls in does either (the closure of its runtime dependencies)
    const closure = new Set<string>();
    const pending = workspaceDependencies(conv, runtime);
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (closure.has(next)) continue;
      closure.add(next);
      pending.push(...workspaceDependencies(manifests.get(next.slice('@strata/'.length))!, runtime));
    }
    expect([...closure].sort()).toEqual(['@strata/autograd', '@strata/module', '@strata/tensor']);
    for (const layer of layerPackages) {
      const dependencies = workspaceDependencies(manifests.get(layer)!, [...runtime, 'devDependencies']);
      for (const other of layerPackages) expect(dependencies, layer).not.toContain(`@strata/${other}`);
    }
  });

  it('every @strata dependency follows the arrows (nothing upward or sideways)', () => {
    for (const [folder, manifest] of manifests) {
      if (folder === 'strata') continue;
      const allowed = below(folder);
      const dependencies = workspaceDependencies(manifest, ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']);
      for (const dependency of dependencies) expect(allowed.has(dependency.slice('@strata/'.length)), `${folder} -> ${dependency}`).toBe(true);
    }
    const umbrella = workspaceDependencies(manifests.get('strata')!, ['dependencies']).sort();
    expect(umbrella).toEqual(Object.keys(arrows).map((folder) => `@strata/${folder}`).sort());
  });

  it('every run-time import of a package\'s source is a declared dependency that follows the arrows', () => {
    const importPattern = /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'(@strata\/[a-z-]+)[^']*'/gm;
    for (const [folder, manifest] of manifests) {
      const sourceDirectory = join(packagesDirectory, folder, 'src');
      const files = readdirSync(sourceDirectory, { recursive: true, encoding: 'utf8' }).filter(
        (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.test-d.ts') && !file.includes('test-support'),
      );
      const declared = new Set(workspaceDependencies(manifest, ['dependencies', 'peerDependencies']));
      for (const file of files) {
        const source = readFileSync(join(sourceDirectory, file), 'utf8');
        for (const match of source.matchAll(importPattern)) {
          const target = match[3]!;
          const typeOnly = match[2] !== undefined;
          if (target === manifest.name) continue;
          if (folder !== 'strata') expect(below(folder).has(target.slice('@strata/'.length)), `${folder}/src/${file} imports ${target}`).toBe(true);
          if (!typeOnly) expect(declared.has(target), `${folder}/src/${file} imports ${target} at run time`).toBe(true);
        }
      }
    }
  });
});
