"""Core of the PyTorch parity fixture generator.

A family (``Family``) collects cases. A case names a Strata op, gives its
arguments in Strata's positional convention (tensor inputs as ``Input``
objects, plain numbers, lists, option dicts), runs the equivalent PyTorch call
(the translation lives once per op in ``torch_ops.py``), and records:

- the inputs: each a base array (dtype, shape, row-major data) plus a list of
  view ops that turn it into the (possibly non-contiguous) tensor the op gets;
- the forward result (tensor, list of tensors, record of tensors, boolean or
  string), with PyTorch's int64 mapped to int32;
- for differentiable cases, a seeded random upstream gradient per float output
  and the gradient of every float input *base* (so the gradient flows through
  the view ops too), or ``None`` where PyTorch reports the input unused.

Every float case is also run in float64; a case whose float32 result differs
from the float64 one by more than the tests' tolerance is ill-conditioned
(Strata could round differently and still be right), and generation fails so
the case gets better inputs.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any, Callable

import torch

RTOL = 1e-4
ATOL = 1e-5

DTYPE_NAMES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int64: "int32",
    torch.int32: "int32",
    torch.bool: "bool",
}


class Input:
    """A tensor argument: a base tensor plus view ops applied to it."""

    def __init__(self, base: torch.Tensor, views: list[list[Any]] | None = None):
        self.base = base
        self.views = views or []


def apply_view(tensor: torch.Tensor, view: list[Any]) -> torch.Tensor:
    """Applies one view op, spelled as the TypeScript harness spells it."""
    name, *args = view
    if name == "transpose":
        return tensor.transpose(args[0], args[1])
    if name == "permute":
        return tensor.permute(*args[0])
    if name == "slice":
        dim, start, end, step = args
        index = [slice(None)] * tensor.dim()
        index[dim] = slice(start, end, step)
        return tensor[tuple(index)]
    if name == "select":
        return tensor.select(args[0], args[1])
    if name == "narrow":
        return tensor.narrow(args[0], args[1], args[2])
    if name == "expand":
        return tensor.expand(*args[0])
    if name == "unsqueeze":
        return tensor.unsqueeze(args[0])
    if name == "squeeze":
        return tensor.squeeze(args[0])
    if name == "view":
        return tensor.view(*args[0])
    if name == "t":
        return tensor.t()
    raise ValueError(f"unknown view op {name}")


def encode_number(value: float | int | bool) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value


def encode_tensor(tensor: torch.Tensor) -> dict[str, Any]:
    tensor = tensor.detach()
    if tensor.dtype not in DTYPE_NAMES:
        raise TypeError(f"unsupported dtype {tensor.dtype}")
    if tensor.dtype in (torch.int64, torch.int32) and tensor.numel() > 0:
        if tensor.max().item() > 2**31 - 1 or tensor.min().item() < -(2**31):
            raise OverflowError("integer value outside int32")
    flat = tensor.contiguous().reshape(-1).tolist()
    return {
        "dtype": DTYPE_NAMES[tensor.dtype],
        "shape": list(tensor.shape),
        "data": [encode_number(v) for v in flat],
    }


def encode_arg(value: Any, index_of: Callable[[Input], int]) -> Any:
    """Strata's positional argument as JSON: inputs become {"$input": i}."""
    if isinstance(value, Input):
        return {"$input": index_of(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$number": encode_number(value)}
    if isinstance(value, (list, tuple)):
        return [encode_arg(v, index_of) for v in value]
    if isinstance(value, dict):
        return {k: encode_arg(v, index_of) for k, v in value.items()}
    return value


def materialize(value: Any, tensors: dict[int, torch.Tensor]) -> Any:
    """The argument with each Input replaced by its (viewed) torch tensor."""
    if isinstance(value, Input):
        return tensors[id(value)]
    if isinstance(value, (list, tuple)):
        return [materialize(v, tensors) for v in value]
    if isinstance(value, dict):
        return {k: materialize(v, tensors) for k, v in value.items()}
    return value


def flatten_outputs(result: Any) -> tuple[dict[str, Any], list[torch.Tensor]]:
    """Encodes a forward result; also returns its float tensors (in order) for gradients."""
    if isinstance(result, bool):
        return {"kind": "boolean", "value": result}, []
    if isinstance(result, str):
        return {"kind": "string", "value": result}, []
    if isinstance(result, torch.Tensor):
        return {"kind": "tensor", "value": encode_tensor(result)}, [result] if result.is_floating_point() else []
    if isinstance(result, dict):
        fields = {}
        floats = []
        for key, tensor in result.items():
            fields[key] = encode_tensor(tensor)
            if tensor.is_floating_point():
                floats.append(tensor)
        return {"kind": "record", "value": fields}, floats
    if isinstance(result, (list, tuple)):
        items = [encode_tensor(t) for t in result]
        return {"kind": "list", "value": items}, [t for t in result if t.is_floating_point()]
    raise TypeError(f"unsupported result {type(result)}")


def close(actual: torch.Tensor, reference: torch.Tensor) -> bool:
    actual = actual.double()
    reference = reference.double()
    nan_a, nan_r = actual.isnan(), reference.isnan()
    if not torch.equal(nan_a, nan_r):
        return False
    a, r = actual[~nan_a], reference[~nan_r]
    inf = r.isinf()
    if not torch.equal(a[inf], r[inf]):
        return False
    # Half the test tolerance: the float32 answer must sit well inside it.
    return bool(((a[~inf] - r[~inf]).abs() <= (ATOL + RTOL * r[~inf].abs()) / 2).all())


class Family:
    """The cases of one fixture file, generated with one seeded generator."""

    def __init__(self, name: str, seed: int = 0):
        self.name = name
        self.generator = torch.Generator().manual_seed(seed)
        self.cases: list[dict[str, Any]] = []
        self.names: set[str] = set()

    # ---- seeded inputs ----
    def randn(self, *shape: int, scale: float = 1.0, dtype=torch.float32) -> torch.Tensor:
        return (torch.randn(shape, generator=self.generator, dtype=torch.float64) * scale).to(dtype)

    def uniform(self, *shape: int, low: float, high: float, dtype=torch.float32) -> torch.Tensor:
        sample = torch.rand(shape, generator=self.generator, dtype=torch.float64)
        return (low + (high - low) * sample).to(dtype)

    def randint(self, low: int, high: int, *shape: int) -> torch.Tensor:
        return torch.randint(low, high, shape, generator=self.generator, dtype=torch.int64)

    def randbool(self, *shape: int) -> torch.Tensor:
        return torch.rand(shape, generator=self.generator) < 0.5

    def input(self, base: torch.Tensor | list, views: list[list[Any]] | None = None, dtype=None) -> Input:
        if not isinstance(base, torch.Tensor):
            base = torch.tensor(base, dtype=dtype if dtype is not None else torch.float32)
        return Input(base, views)

    # ---- cases ----
    def case(
        self,
        name: str,
        op: str,
        args: list[Any],
        torch_fn: Callable[..., Any] | None = None,
        *,
        grad: bool = True,
        in_place: bool = False,
        check_conditioning: bool = True,
        raises: bool = False,
    ) -> None:
        """Records one case. ``torch_fn`` (default: ``torch_ops.OPS[op]``) gets ``args`` with inputs materialized."""
        if torch_fn is None:
            from torch_ops import OPS

            torch_fn = OPS[op]
        full_name = f"{op}/{name}"
        if full_name in self.names:
            raise ValueError(f"duplicate case {full_name}")
        self.names.add(full_name)

        inputs: list[Input] = []

        def index_of(inp: Input) -> int:
            for i, known in enumerate(inputs):
                if known is inp:
                    return i
            inputs.append(inp)
            return len(inputs) - 1

        encoded_args = encode_arg(args, index_of)
        record: dict[str, Any] = {"name": full_name, "op": op}
        if in_place:
            record["inPlace"] = True
        record["inputs"] = [dict(encode_tensor(i.base), views=i.views) for i in inputs]
        record["args"] = encoded_args

        if raises:
            try:
                self._run(inputs, args, torch_fn, False, None, None)
            except (RuntimeError, TypeError, ValueError, IndexError) as error:
                record["expected"] = {"kind": "error", "value": str(error).split("\n")[0]}
                self.cases.append(record)
                return
            raise ValueError(f"{full_name}: PyTorch did not raise")
        output, grads, upstream = self._run(inputs, args, torch_fn, grad, None, None)
        record["expected"] = output
        if grad and upstream:
            record["upstream"] = [encode_tensor(u) for u in upstream]
            record["grads"] = [None if g is None else encode_tensor(g) for g in grads]
        elif grad:
            raise ValueError(f"{full_name}: no float output to differentiate")

        has_float64 = any(i.base.dtype == torch.float64 for i in inputs)
        if check_conditioning and not has_float64 and any(i.base.is_floating_point() for i in inputs):
            self._check_conditioning(full_name, inputs, args, torch_fn, grad, output, grads, upstream)
        self.cases.append(record)

    def _run(self, inputs, args, torch_fn, grad, float_dtype, upstream_override):
        bases = []
        tensors: dict[int, torch.Tensor] = {}
        for inp in inputs:
            base = inp.base.clone()
            if base.is_floating_point():
                if float_dtype is not None:
                    base = base.to(float_dtype)
                if grad:
                    base.requires_grad_(True)
            bases.append(base)
            viewed = base
            for view in inp.views:
                viewed = apply_view(viewed, view)
            tensors[id(inp)] = viewed
        result = torch_fn(*materialize(args, tensors))
        output, float_outputs = flatten_outputs(result)
        grads: list[torch.Tensor | None] = []
        upstream: list[torch.Tensor] = []
        if grad and float_outputs:
            if upstream_override is not None:
                upstream = [u.to(o.dtype) for u, o in zip(upstream_override, float_outputs)]
            else:
                upstream = [self.randn(*o.shape, dtype=o.dtype) for o in float_outputs]
            float_bases = [b for b in bases if b.is_floating_point()]
            computed = torch.autograd.grad(float_outputs, float_bases, upstream, allow_unused=True)
            computed_iter = iter(computed)
            grads = [next(computed_iter) if b.is_floating_point() else None for b in bases]
        return output, grads, upstream

    def _check_conditioning(self, name, inputs, args, torch_fn, grad, output, grads, upstream):
        output64, grads64, _ = self._run(inputs, args, torch_fn, grad, torch.float64, upstream)
        pairs = []
        if output["kind"] == "tensor":
            pairs.append(("forward", output["value"], output64["value"]))
        elif output["kind"] == "list":
            pairs += [("forward", a, b) for a, b in zip(output["value"], output64["value"])]
        elif output["kind"] == "record":
            pairs += [("forward", output["value"][k], output64["value"][k]) for k in output["value"]]
        for g32, g64 in zip(grads, grads64):
            if g32 is not None and g64 is not None:
                pairs.append(("grad", encode_tensor(g32), encode_tensor(g64)))
        for what, a, b in pairs:
            if a["dtype"] not in ("float32", "float64"):
                if a["data"] != b["data"]:
                    raise ValueError(f"{name}: {what} differs between float32 and float64 inputs")
                continue
            ta = torch.tensor([decode_number(v) for v in a["data"]], dtype=torch.float64)
            tb = torch.tensor([decode_number(v) for v in b["data"]], dtype=torch.float64)
            if not close(ta, tb):
                raise ValueError(f"{name}: ill-conditioned {what}: float32 {a['data']} vs float64 {b['data']}")

    def to_json(self) -> str:
        return fixture_json(self.name, "tooling/parity/generate.py", self.cases)


def fixture_json(family: str, generator: str, cases: list[dict[str, Any]]) -> str:
    """A family's fixture file: the header (family, generator, torch version, tolerance), then one case a line."""
    header = {
        "family": family,
        "generator": generator,
        "torch": torch.__version__,
        "tolerance": {"float32": {"rtol": RTOL, "atol": ATOL}},
    }
    lines = [json.dumps(header, allow_nan=False)[:-1] + ', "cases": [']
    for i, case in enumerate(cases):
        suffix = "," if i < len(cases) - 1 else ""
        lines.append(json.dumps(case, allow_nan=False, separators=(",", ":")) + suffix)
    lines.append("]}")
    return "\n".join(lines) + "\n"


def decode_number(value: Any) -> float:
    if value == "NaN":
        return math.nan
    if value == "Infinity":
        return math.inf
    if value == "-Infinity":
        return -math.inf
    return float(value)


def stable_seed(text: str) -> int:
    return zlib.crc32(text.encode())
