"""Each Strata op, called with Strata's positional arguments, as PyTorch computes it.

The fixture stores Strata's argument list as written in TypeScript
(``add(a, b, {alpha: 2})``, ``sum(x, [0, 2], true)``, ``var(x, 1, {correction: 0})``);
this table is the one place that translates it to the PyTorch call.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F


def option(options: dict[str, Any] | None, key: str, default: Any) -> Any:
    if options is None or options.get(key) is None:
        return default
    return options[key]


def dims_or_all(x: torch.Tensor, dim: int | list[int] | None) -> list[int]:
    if dim is None:
        return list(range(x.dim()))
    return [dim] if isinstance(dim, int) else list(dim)


def reduce_dims(fn, x: torch.Tensor, dim, keepdim: bool) -> torch.Tensor:
    """Applies a one-dim reduction over each dim of a list, as ops with only an int dim need."""
    dims = sorted((d % max(x.dim(), 1) for d in dims_or_all(x, dim)), reverse=True)
    if x.dim() == 0:
        return fn(x, 0, keepdim)
    result = x
    for d in dims:
        result = fn(result, d, True)
    if not keepdim:
        for d in dims:
            result = result.squeeze(d)
    return result


def clamp(x, low=None, high=None):
    if isinstance(low, dict):
        low, high = low.get("min"), low.get("max")
    return torch.clamp(x, min=low, max=high)


def index(x, spec):
    key = []
    for entry in spec:
        if entry is None:
            key.append(slice(None))
        elif isinstance(entry, list):
            start = entry[0] if len(entry) > 0 else None
            end = entry[1] if len(entry) > 1 else None
            step = entry[2] if len(entry) > 2 else None
            key.append(slice(start, end, step))
        else:
            key.append(entry)
    return x[tuple(key)]


def max_or_min(reduction):
    def run(x, dim=None, keepdim=False):
        if dim is None:
            return reduction(x)
        return reduction(x, dim, keepdim).values

    return run


def var_or_std(function):
    def run(x, dim=None, options=None):
        return function(x, dim, correction=option(options, "correction", 1), keepdim=option(options, "keepdim", False))

    return run


TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int64, "bool": torch.bool}


def squeeze(x, dim=None):
    """PyTorch 2's squeeze with a dim list (1.13 takes one dim)."""
    if dim is None:
        return torch.squeeze(x)
    for d in sorted((d % x.dim() for d in ([dim] if isinstance(dim, int) else dim)), reverse=True):
        x = torch.squeeze(x, d)
    return x


def in_place(method_name):
    """The in-place method applied to a clone, so the leaf input stays untouched."""

    def run(x, *args):
        target = x.clone()
        method = getattr(target, method_name)
        if method_name in ("add_", "sub_"):
            other, options = args[0], args[1] if len(args) > 1 else None
            return method(other, alpha=option(options, "alpha", 1))
        if method_name == "div_":
            other, options = args[0], args[1] if len(args) > 1 else None
            return method(other, rounding_mode=option(options, "roundingMode", None))
        if method_name in ("addcmul_", "addcdiv_"):
            options = args[2] if len(args) > 2 else None
            return method(args[0], args[1], value=option(options, "value", 1))
        if method_name == "clamp_":
            low, high = (args + (None, None))[:2]
            if isinstance(low, dict):
                low, high = low.get("min"), low.get("max")
            return method(min=low, max=high)
        if method_name == "masked_fill_":
            return method(args[0], args[1])
        return method(*args)

    return run


OPS: dict[str, Any] = {
    # ---- elementwise ----
    "add": lambda a, b, options=None: torch.add(a, b, alpha=option(options, "alpha", 1)),
    "sub": lambda a, b, options=None: torch.sub(a, b, alpha=option(options, "alpha", 1)),
    "mul": torch.mul,
    "div": lambda a, b, options=None: torch.div(a, b, rounding_mode=option(options, "roundingMode", None)),
    "pow": torch.pow,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    "neg": torch.neg,
    "exp": torch.exp,
    "log": torch.log,
    "log2": torch.log2,
    "log1p": torch.log1p,
    "expm1": torch.expm1,
    "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt,
    "abs": torch.abs,
    "sign": torch.sign,
    "reciprocal": torch.reciprocal,
    "square": torch.square,
    "sin": torch.sin,
    "cos": torch.cos,
    "floor": torch.floor,
    "ceil": torch.ceil,
    "round": torch.round,
    "trunc": torch.trunc,
    "clamp": clamp,
    "where": torch.where,
    # ---- comparisons ----
    "eq": torch.eq,
    "ne": torch.ne,
    "lt": torch.lt,
    "le": torch.le,
    "gt": torch.gt,
    "ge": torch.ge,
    "logicalNot": torch.logical_not,
    "logicalAnd": torch.logical_and,
    "logicalOr": torch.logical_or,
    "isnan": torch.isnan,
    "isfinite": torch.isfinite,
    "equal": torch.equal,
    "allclose": lambda a, b, options=None: torch.allclose(
        a, b, rtol=option(options, "rtol", 1e-5), atol=option(options, "atol", 1e-8)
    ),
    # ---- reductions ----
    "sum": lambda x, dim=None, keepdim=False: torch.sum(x) if dim is None else torch.sum(x, dim, keepdim=keepdim),
    "mean": lambda x, dim=None, keepdim=False: torch.mean(x) if dim is None else torch.mean(x, dim, keepdim=keepdim),
    "prod": lambda x, dim=None, keepdim=False: torch.prod(x)
    if dim is None and not keepdim
    else reduce_dims(lambda t, d, k: torch.prod(t, d, keepdim=k), x, dim, keepdim),
    "amax": lambda x, dim=None, keepdim=False: torch.amax(x, dims_or_all(x, dim), keepdim),
    "amin": lambda x, dim=None, keepdim=False: torch.amin(x, dims_or_all(x, dim), keepdim),
    "logsumexp": lambda x, dim=None, keepdim=False: torch.logsumexp(x, dims_or_all(x, dim), keepdim),
    "max": max_or_min(torch.max),
    "min": max_or_min(torch.min),
    "maxWithIndices": lambda x, dim, keepdim=False: dict(zip(("values", "indices"), torch.max(x, dim, keepdim))),
    "minWithIndices": lambda x, dim, keepdim=False: dict(zip(("values", "indices"), torch.min(x, dim, keepdim))),
    "argmax": lambda x, dim=None, keepdim=False: torch.argmax(x, dim, keepdim),
    "argmin": lambda x, dim=None, keepdim=False: torch.argmin(x, dim, keepdim),
    "var": var_or_std(torch.var),
    "std": var_or_std(torch.std),
    "all": lambda x, dim=None, keepdim=False: torch.all(x) if dim is None else torch.all(x, dim, keepdim),
    "any": lambda x, dim=None, keepdim=False: torch.any(x) if dim is None else torch.any(x, dim, keepdim),
    "norm": lambda x, p=2, dim=None, keepdim=False: torch.norm(x, p, dim, keepdim),
    # ---- activations ----
    "relu": F.relu,
    "relu6": F.relu6,
    "leakyRelu": lambda x, slope=0.01: F.leaky_relu(x, slope),
    "elu": lambda x, alpha=1.0: F.elu(x, alpha),
    "selu": F.selu,
    "celu": lambda x, alpha=1.0: F.celu(x, alpha),
    "gelu": lambda x, options=None: F.gelu(x, approximate=option(options, "approximate", "none")),
    "silu": F.silu,
    "mish": F.mish,
    "sigmoid": torch.sigmoid,
    "logSigmoid": F.logsigmoid,
    "tanh": torch.tanh,
    "softmax": lambda x, dim: F.softmax(x, dim),
    "logSoftmax": lambda x, dim: F.log_softmax(x, dim),
    "softmin": lambda x, dim: F.softmin(x, dim),
    "softplus": lambda x, options=None: F.softplus(
        x, beta=option(options, "beta", 1), threshold=option(options, "threshold", 20)
    ),
    "softsign": F.softsign,
    "hardtanh": lambda x, low=-1.0, high=1.0: F.hardtanh(x, low, high),
    "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid,
    "tanhshrink": F.tanhshrink,
    "threshold": lambda x, threshold, value: F.threshold(x, threshold, value),
    "glu": lambda x, dim=-1: F.glu(x, dim),
    # ---- matrix products ----
    "matmul": torch.matmul,
    "mm": torch.mm,
    "bmm": torch.bmm,
    # ---- joining ----
    "cat": lambda tensors, dim=0: torch.cat(tensors, dim),
    "stack": lambda tensors, dim=0: torch.stack(tensors, dim),
    "split": lambda x, size_or_sections, dim=0: list(torch.split(x, size_or_sections, dim)),
    "chunk": lambda x, chunks, dim=0: list(torch.chunk(x, chunks, dim)),
    # ---- indexing ----
    "gather": torch.gather,
    "scatterAdd": torch.scatter_add,
    "scatter": torch.scatter,
    "indexSelect": torch.index_select,
    "maskedFill": torch.masked_fill,
    "index": index,
    # ---- in-place ----
    **{
        name: in_place(method)
        for name, method in {
            "add_": "add_",
            "sub_": "sub_",
            "mul_": "mul_",
            "div_": "div_",
            "pow_": "pow_",
            "addcmul_": "addcmul_",
            "addcdiv_": "addcdiv_",
            "clamp_": "clamp_",
            "zero_": "zero_",
            "fill_": "fill_",
            "copy_": "copy_",
            "maskedFill_": "masked_fill_",
            "exp_": "exp_",
            "sqrt_": "sqrt_",
            "neg_": "neg_",
            "relu_": "relu_",
        }.items()
    },
    # ---- views and casts ----
    "reshape": lambda x, shape: x.reshape(shape),
    "view": lambda x, shape: x.view(shape),
    "flatten": lambda x, start_dim=0, end_dim=-1: torch.flatten(x, start_dim, end_dim),
    "permute": lambda x, dims: x.permute(dims),
    "transpose": torch.transpose,
    "t": torch.t,
    "squeeze": squeeze,
    "unsqueeze": torch.unsqueeze,
    "expand": lambda x, shape: x.expand(shape),
    "expandAs": lambda x, other: x.expand_as(other),
    "narrow": torch.narrow,
    "slice": lambda x, dim, start=0, end=None, step=1: x[(slice(None),) * (dim % x.dim()) + (slice(start, end, step),)],
    "select": torch.select,
    "contiguous": lambda x: x.contiguous(),
    "clone": torch.clone,
    "to": lambda x, dtype: x.to(TORCH_DTYPES[dtype]),
    "float": lambda x: x.float(),
    "double": lambda x: x.double(),
    "int": lambda x: x.long(),
    "bool": lambda x: x.bool(),
    # ---- printing ----
    "toString": repr,
}
