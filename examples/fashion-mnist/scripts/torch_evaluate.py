"""Evaluates a model saved by the demo (`--save`) with real PyTorch.

    /usr/bin/python3 examples/fashion-mnist/scripts/torch_evaluate.py MODEL.safetensors DATA_FOLDER

Builds the same CNN as torch.nn.Sequential, loads the safetensors file into it
with strict=True (the keys and shapes must be PyTorch's), and prints the test
accuracy over the folder's t10k files as JSON. The demo's test compares it
with the accuracy Strata measured. The `safetensors` Python package is not
needed: the format is a length, a JSON header and little-endian tensors.
"""

import gzip
import json
import struct
import sys

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}


def load_safetensors(path):
    with open(path, "rb") as stream:
        data = stream.read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + length])
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        raw = bytearray(data[8 + length + start : 8 + length + end])
        tensors[name] = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors


def read_idx(path):
    with gzip.open(path, "rb") as stream:
        data = stream.read()
    rank = data[3]
    shape = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank :]), dtype=torch.uint8).reshape(shape)


def main(model_path, folder):
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    model.load_state_dict(load_safetensors(model_path), strict=True)
    images = read_idx(f"{folder}/t10k-images-idx3-ubyte.gz").float().div(255).unsqueeze(1)
    labels = read_idx(f"{folder}/t10k-labels-idx1-ubyte.gz").long()
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(images[i : i + 1000]).argmax(1) for i in range(0, len(labels), 1000)])
    correct = int((predictions == labels).sum())
    print(json.dumps({"accuracy": correct / len(labels), "correct": correct, "count": len(labels)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
