"""Writes the safetensors interop fixture of @strata/module with real PyTorch.

Run with Debian's PyTorch (`apt-get install python3-torch`):

    /usr/bin/python3 tooling/parity/safetensors_fixture.py

It writes, into packages/module/src/__fixtures__/:
- torch-state.safetensors: the state dict of a small PyTorch model after one
  training step, plus extra tensors of every dtype Strata reads;
- torch-state.json: the values PyTorch holds (dtype, shape, row-major values),
  the key order and the metadata;
- torch-writable.safetensors: the same without the dtypes Strata does not
  write (F16, BF16, U8, I16), which Strata's writer must reproduce byte for
  byte. The `safetensors`
Python package is not needed: the file is laid out by hand exactly as the
Rust crate writes it (tensors sorted by dtype, widest first, then by name;
compact JSON header padded with spaces to a multiple of 8 bytes; little-endian
row-major data).
"""

import json
import pathlib
import struct
import sys

import torch
from torch import nn

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / 'packages' / 'module' / 'src' / '__fixtures__'

# The Rust `Dtype` enum order, which the writer sorts by (descending).
DTYPE_ORDER = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']
DTYPE_NAMES = {
    torch.bool: 'BOOL',
    torch.uint8: 'U8',
    torch.int8: 'I8',
    torch.int16: 'I16',
    torch.float16: 'F16',
    torch.bfloat16: 'BF16',
    torch.int32: 'I32',
    torch.float32: 'F32',
    torch.float64: 'F64',
    torch.int64: 'I64',
}


def tensor_bytes(tensor):
    tensor = tensor.contiguous()
    if tensor.dtype == torch.bool:
        tensor = tensor.to(torch.uint8)
    if tensor.dtype in (torch.float16, torch.bfloat16):
        tensor = tensor.view(torch.int16)
    return tensor.numpy().tobytes()


def serialize(tensors, metadata):
    """The safetensors bytes of `tensors` (name -> torch tensor), as the Rust crate lays them out."""
    ordered = sorted(tensors.items(), key=lambda item: (-DTYPE_ORDER.index(DTYPE_NAMES[item[1].dtype]), item[0].encode('utf-8')))
    header = {}
    if metadata is not None:
        header['__metadata__'] = dict(sorted(metadata.items()))
    data = bytearray()
    for name, tensor in ordered:
        raw = tensor_bytes(tensor)
        header[name] = {'dtype': DTYPE_NAMES[tensor.dtype], 'shape': list(tensor.shape), 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    return struct.pack('<Q', len(text)) + text + bytes(data), [name for name, _ in ordered]


def model_state():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model.train()
    model(torch.randn(5, 3))  # updates running_mean, running_var and num_batches_tracked (int64)
    state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
    state['extra.double'] = torch.linspace(-1, 1, 5, dtype=torch.float64).reshape(5, 1) / 3
    state['extra.int32'] = torch.tensor([[-2147483648, -1, 0], [1, 7, 2147483647]], dtype=torch.int32)
    state['extra.int64'] = torch.tensor([-5, 0, 2147483647, -2147483648], dtype=torch.int64)
    state['extra.mask'] = torch.tensor([[True, False], [False, True], [True, True]])
    state['extra.scalar'] = torch.tensor(2.5)
    state['extra.empty'] = torch.zeros(0, 3)
    state['extra.half'] = torch.tensor([1.0, -2.5, 65504.0, 2.0 ** -24, 0.1], dtype=torch.float16)
    state['extra.bfloat'] = torch.tensor([1.0, -0.5, 3.0e38, 0.1], dtype=torch.bfloat16)
    state['extra.bytes'] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    state['extra.short'] = torch.tensor([-32768, 12, 32767], dtype=torch.int16)
    state['extra.permuted'] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()  # non-contiguous: written row-major
    return state


def main():
    if sys.byteorder != 'little':
        raise SystemExit('safetensors_fixture.py writes the data in native order and needs a little-endian machine')
    state = model_state()
    metadata = {'format': 'pt', 'source': 'tooling/parity/safetensors_fixture.py'}
    data, order = serialize(state, metadata)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / 'torch-state.safetensors').write_bytes(data)
    writable = {name: tensor for name, tensor in state.items() if DTYPE_NAMES[tensor.dtype] in ('F32', 'F64', 'I32', 'I64', 'BOOL')}
    (FIXTURES / 'torch-writable.safetensors').write_bytes(serialize(writable, metadata)[0])
    expected = {
        'torch': torch.__version__,
        'metadata': metadata,
        'order': order,
        'tensors': {
            name: {
                'dtype': DTYPE_NAMES[tensor.dtype],
                'shape': list(tensor.shape),
                # float16/bfloat16 values as PyTorch widens them to float32; bools as 0/1
                'values': tensor.float().flatten().tolist() if tensor.dtype in (torch.float16, torch.bfloat16)
                else tensor.to(torch.uint8 if tensor.dtype == torch.bool else tensor.dtype).flatten().tolist(),
            }
            for name, tensor in state.items()
        },
    }
    (FIXTURES / 'torch-state.json').write_text(json.dumps(expected, indent=1) + '\n')
    print(f'wrote {len(data)} bytes, {len(state)} tensors to {FIXTURES}')


if __name__ == '__main__':
    main()
