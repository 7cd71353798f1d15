/**
 * The public API contract (/work/shared/API.md), section "Tensors":
 * statement by statement, in the order the page makes them, through the
 * public entry points only (the imports of the page's code blocks, and the
 * `@strata/nn` umbrella).
 *
 * Expected numbers are exact arithmetic stated beside them, or PyTorch 1.13's
 * output for the call quoted beside them (`torch`, `nn`, `F` as usual).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
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
import { Sequential, loadSafetensors, readSafetensorsMetadata, saveSafetensors } from '@strata/module';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { BatchNorm2d } from '@strata/layers-norm';
import { Linear } from '@strata/layers-misc';
import { expectClose } from './api-contract-support.js';

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
