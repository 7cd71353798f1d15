import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, ones, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Sequential } from './containers.js';
import { Module } from './module.js';
import { Linear, ReLU } from './module-test-support.js';
import { loadSafetensorsFile, saveSafetensorsFile } from './node.js';
import { Parameter } from './parameter.js';
import { loadSafetensors, readSafetensorsMetadata, saveSafetensors } from './safetensors.js';

const fixtures = new URL('./__fixtures__/', import.meta.url);

/** torch-state.json, written with the safetensors file by tooling/parity/safetensors_fixture.py. */
interface Expected {
  metadata: Record<string, string>;
  order: string[];
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
}

const STRATA_DTYPE: Record<string, string> = {
  F32: 'float32', F64: 'float64', F16: 'float32', BF16: 'float32', I32: 'int32', I64: 'int32', I16: 'int32', U8: 'int32', BOOL: 'bool',
};

/** The running statistics of a BatchNorm1d, as PyTorch registers them. */
class BatchNorm1d extends Module {
  weight: Parameter;
  bias: Parameter;
  constructor(features: number) {
    super();
    this.weight = new Parameter(ones([features]));
    this.bias = new Parameter(zeros([features]));
    this.registerBuffer('running_mean', zeros([features]));
    this.registerBuffer('running_var', ones([features]));
    this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int32' }));
  }
  forward(input: Tensor): Tensor {
    return input;
  }
}

describe('safetensors written by PyTorch (fixture)', () => {
  const bytes = readFileSync(new URL('torch-state.safetensors', fixtures));
  const expected = JSON.parse(readFileSync(new URL('torch-state.json', fixtures), 'utf8')) as Expected;

  it('reads every tensor with the dtype, shape and values PyTorch holds', () => {
    const loaded = loadSafetensors(bytes);
    expect(Object.keys(loaded)).toEqual(expected.order);
    expect(readSafetensorsMetadata(bytes).metadata).toEqual(expected.metadata);
    for (const [name, reference] of Object.entries(expected.tensors)) {
      const value = loaded[name]!;
      expect(value.dtype, name).toBe(STRATA_DTYPE[reference.dtype]);
      expect(value.shape, name).toEqual(reference.shape);
      expect(Array.from(value.toTypedArray()), name).toEqual(reference.values);
      expect(readSafetensorsMetadata(bytes).tensors[name]!.dtype).toBe(reference.dtype);
    }
  });

  it('loads into the matching Strata module tree (int64 num_batches_tracked as int32)', () => {
    const model = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Linear(4, 2));
    const state = Object.fromEntries(Object.entries(loadSafetensors(bytes)).filter(([key]) => !key.startsWith('extra.')));
    expect(model.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(model.getBuffer('1.num_batches_tracked').tolist()).toBe(1);
    expect(Array.from(model.getParameter('3.weight').toTypedArray())).toEqual(expected.tensors['3.weight']!.values);
  });

  it('writes the same bytes as the reference writer for the dtypes Strata writes', () => {
    const reference = readFileSync(new URL('torch-writable.safetensors', fixtures));
    const header = readSafetensorsMetadata(reference);
    const written = saveSafetensors(loadSafetensors(reference), header.metadata, {
      int64Keys: (key) => header.tensors[key]!.dtype === 'I64',
    });
    expect(Buffer.from(written).equals(reference)).toBe(true);
  });
});

const PYTHON = '/usr/bin/python3';

/** Reads a safetensors file with PyTorch alone (json + torch.frombuffer) and prints what it holds. */
const TORCH_READER = `
import json, struct, sys, torch
data = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', data[:8])[0]
header = json.loads(data[8:8 + n].decode('utf-8'))
start = 8 + n
dtypes = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64, 'BOOL': torch.bool}
out = {'aligned': start % 8 == 0, 'metadata': header.pop('__metadata__', None), 'order': list(header), 'tensors': {}}
for name, info in header.items():
    begin, end = info['data_offsets']
    dtype = dtypes[info['dtype']]
    if end > begin:
        t = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=dtype).reshape(info['shape'])
    else:
        t = torch.empty(info['shape'], dtype=dtype)
    out['tensors'][name] = {'dtype': str(t.dtype), 'shape': list(t.shape), 'sum': float(t.double().sum()), 'values': t.flatten().tolist()}
print(json.dumps(out))
`;

function requireTorch(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `this test reads Strata's safetensors output with PyTorch at ${PYTHON}, which cannot import torch ` +
        `(${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); install it with \`apt-get install python3-torch\``,
    );
  }
}

describe('safetensors written by Strata, read by PyTorch', () => {
  it('gives PyTorch the same dtypes, shapes, values and sums', () => {
    requireTorch();
    const tensors: Record<string, Tensor> = {
      'layer.weight': tensor([[1, 2, 3], [4, 5, 6]]).div(8),
      'layer.transposed': tensor([[1, 2, 3], [4, 5, 6]]).t(),
      'layer.double': tensor([0.1, -0.25], { dtype: 'float64' }),
      'layer.index': tensor([-2147483648, -1, 2147483647], { dtype: 'int32' }),
      'bn.num_batches_tracked': tensor(12, { dtype: 'int32' }),
      'layer.mask': tensor([true, false, true]),
      'layer.scalar': tensor(-1.5),
      'layer.empty': zeros([0, 4]),
    };
    const directory = mkdtempSync(join(tmpdir(), 'strata-safetensors-'));
    try {
      const path = join(directory, 'strata.safetensors');
      saveSafetensorsFile(path, tensors, { format: 'pt' });
      const result = spawnSync(PYTHON, ['-c', TORCH_READER, path], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      const read = JSON.parse(result.stdout) as {
        aligned: boolean;
        metadata: Record<string, string>;
        order: string[];
        tensors: Record<string, { dtype: string; shape: number[]; sum: number; values: unknown[] }>;
      };
      expect(read.aligned).toBe(true);
      expect(read.metadata).toEqual({ format: 'pt' });
      expect(read.order).toEqual([
        'bn.num_batches_tracked', 'layer.double', 'layer.empty', 'layer.scalar', 'layer.transposed', 'layer.weight', 'layer.index', 'layer.mask',
      ]);
      const torchDType: Record<string, string> = { float32: 'torch.float32', float64: 'torch.float64', int32: 'torch.int32', bool: 'torch.bool' };
      for (const [name, original] of Object.entries(tensors)) {
        const seen = read.tensors[name]!;
        expect(seen.dtype, name).toBe(name === 'bn.num_batches_tracked' ? 'torch.int64' : torchDType[original.dtype]);
        expect(seen.shape, name).toEqual(original.shape);
        const flat = original.shape.length === 0 ? [original.tolist()] : original.reshape(-1).tolist();
        expect(seen.values, name).toEqual(flat);
        expect(seen.sum, name).toBe(Array.from(original.toTypedArray()).reduce((sum, value) => sum + value, 0));
      }
      expect(loadSafetensorsFile(path)['layer.weight']!.tolist()).toEqual(tensors['layer.weight']!.tolist());
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
