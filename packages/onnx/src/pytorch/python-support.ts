/**
 * The Python the generated file carries besides the model: safetensors
 * read and write with the standard library and torch only (Debian has no
 * `python3-safetensors`; the format is a length, a JSON header and
 * little-endian tensors), and the min pooling PyTorch lacks.
 */

/** `load_file` and `save_file` with the `safetensors.torch` signatures. */
export const SAFETENSORS_FUNCTIONS = `_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "BOOL": torch.bool}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


def load_file(path):
    """Reads a safetensors file into a dict of tensors, like safetensors.torch.load_file."""
    with open(path, "rb") as stream:
        data = stream.read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + length])
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        raw = bytearray(data[8 + length + start : 8 + length + end])
        dtype = _DTYPES[info["dtype"]]
        tensors[name] = (torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)).reshape(info["shape"])
    return tensors


def save_file(tensors, path):
    """Writes a dict of tensors as a safetensors file, like safetensors.torch.save_file."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        raw = tensor.reshape(-1).numpy().tobytes() if tensor.numel() > 0 else b""
        header[name] = {"dtype": _NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))
`;

/** The min pooling classes, defined only when the model uses them. */
export function minPoolClass(rank: number): string {
  return `class StrataMinPool${rank}d(nn.MaxPool${rank}d):
    """Strata's MinPool${rank}d: the minimum of each window, -max_pool(-x) (indices included)."""

    def forward(self, input):
        result = super().forward(-input)
        return (-result[0], result[1]) if self.return_indices else -result
`;
}
