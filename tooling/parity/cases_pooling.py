"""Pooling (@strata/layers-conv: max-pooling.ts, avg-pooling.ts, adaptive-pooling.ts,
unpooling.ts, lp-pooling.ts, fold.ts) and its layers.

One module builds several families, one fixture file each
(``packages/layers-conv/src/__fixtures__/pooling-<kind>.json``):

- ``pooling_max``: ``maxPoolNd(x, kernelSize, options)`` and ``minPoolNd`` (PyTorch has no
  min pooling: it is ``-max_pool(-x)``, indices included);
- ``pooling_avg``: ``avgPoolNd(x, kernelSize, options)`` (``avgPool1d`` with ``divisorOverride``
  runs as PyTorch's own ``avg_pool1d`` does, through ``avg_pool2d``);
- ``pooling_adaptive``: ``adaptiveAvgPoolNd(x, outputSize)``, ``adaptiveMaxPoolNd(x, outputSize, options)``;
- ``pooling_unpool``: ``maxUnpoolNd(x, indices, kernelSize, options)``, the indices coming
  from a PyTorch max pooling;
- ``pooling_lp``: ``lpPoolNd(x, normType, kernelSize, options)``;
- ``pooling_fold``: ``unfold(x, kernelSize, options)``, ``fold(x, outputSize, kernelSize, options)``;
- ``pooling_modules``: ``moduleRepr`` (``[class, ...constructor arguments]`` -> PyTorch's ``repr``)
  and ``moduleForward`` (``[class, [constructor arguments], input, ...forward arguments]``).

Options use Strata's names (``stride``, ``padding``, ``dilation``, ``ceilMode``,
``returnIndices``, ``countIncludePad``, ``divisorOverride``, ``outputSize``). ``raises`` cases
are inputs PyTorch rejects; Strata must reject them too (with its own message).

Inputs with many ties are integer-valued (first in the window wins, for max and min alike).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from fixture import Family

NAN = float("nan")
INF = float("inf")

FAMILIES = ["pooling_max", "pooling_avg", "pooling_adaptive", "pooling_unpool", "pooling_lp", "pooling_fold", "pooling_modules"]


def tup(value):
    return tuple(value) if isinstance(value, list) else value


def opt(options, key, default=None):
    options = options or {}
    value = options.get(key)
    return default if value is None else tup(value)


# ---- PyTorch calls, with Strata's positional arguments ----

MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
ADAPTIVE_AVG = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
ADAPTIVE_MAX = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}
MAX_UNPOOL = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}
LP_POOL = {1: F.lp_pool1d, 2: F.lp_pool2d}


def max_pool(rank, minimum=False):
    def run(x, kernel, options=None):
        result = MAX_POOL[rank](-x if minimum else x, tup(kernel), opt(options, "stride"), opt(options, "padding", 0),
                                opt(options, "dilation", 1), opt(options, "ceilMode", False), opt(options, "returnIndices", False))
        if isinstance(result, tuple):
            return (-result[0] if minimum else result[0], result[1])
        return -result if minimum else result

    return run


def avg_pool(rank):
    def run(x, kernel, options=None):
        stride = opt(options, "stride")
        padding = opt(options, "padding", 0)
        ceil_mode = opt(options, "ceilMode", False)
        count_include_pad = opt(options, "countIncludePad", True)
        divisor = opt(options, "divisorOverride")
        if rank == 1:
            # PyTorch's avg_pool1d is avg_pool2d over an unsqueezed row; only that path takes a divisor.
            single = lambda v: v[0] if isinstance(v, tuple) else v
            kernel, padding = single(tup(kernel)), single(padding)
            stride = kernel if stride is None else single(stride)
            return F.avg_pool2d(x.unsqueeze(-2), (1, kernel), (1, stride), (0, padding), ceil_mode, count_include_pad,
                                divisor).squeeze(-2)
        return AVG_POOL[rank](x, tup(kernel), stride, padding, ceil_mode, count_include_pad, divisor)

    return run


def adaptive_avg(rank):
    def run(x, size):
        size = tup(size)
        if rank == 1 and isinstance(size, tuple):
            size = size[0]
        if rank == 1 and size is None:
            size = x.shape[-1]
        return ADAPTIVE_AVG[rank](x, size)

    return run


def adaptive_max(rank):
    def run(x, size, options=None):
        size = tup(size)
        if rank == 1 and isinstance(size, tuple):
            size = size[0]
        return ADAPTIVE_MAX[rank](x, size, opt(options, "returnIndices", False))

    return run


def max_unpool(rank):
    def run(x, indices, kernel, options=None):
        return MAX_UNPOOL[rank](x, indices, tup(kernel), opt(options, "stride"), opt(options, "padding", 0), opt(options, "outputSize"))

    return run


def lp_pool(rank):
    def run(x, norm_type, kernel, options=None):
        kernel = tup(kernel)
        if rank == 1 and isinstance(kernel, tuple):
            kernel = kernel[0]  # PyTorch 1.13's lp_pool1d multiplies by kernel_size, so it needs an int
        return LP_POOL[rank](x, norm_type, kernel, opt(options, "stride"), opt(options, "ceilMode", False))

    return run


def unfold(x, kernel, options=None):
    return F.unfold(x, tup(kernel), opt(options, "dilation", 1), opt(options, "padding", 0), opt(options, "stride", 1))


def fold(x, output_size, kernel, options=None):
    return F.fold(x, tup(output_size), tup(kernel), opt(options, "dilation", 1), opt(options, "padding", 0), opt(options, "stride", 1))


# ---- layers ----

LAYER_KEYWORDS = {"stride": "stride", "padding": "padding", "dilation": "dilation", "ceilMode": "ceil_mode",
                  "returnIndices": "return_indices", "countIncludePad": "count_include_pad",
                  "divisorOverride": "divisor_override"}


def layer_from(name, args):
    *positional, options = args if args and isinstance(args[-1], dict) else [*args, {}]
    keywords = {LAYER_KEYWORDS[key]: tup(value) for key, value in options.items()}
    if name.startswith("MinPool"):
        return nn.Sequential()  # unused: min pooling layers are compared through their functional form
    return getattr(nn, name)(*[tup(value) for value in positional], **keywords)


def module_repr(name, *args):
    return repr(layer_from(name, list(args)))


def module_forward(name, args, x, *forward_args):
    if name.startswith("MinPool"):
        rank = int(name[-2])
        *positional, options = args if args and isinstance(args[-1], dict) else [*args, {}]
        return max_pool(rank, minimum=True)(x, positional[0], options)
    return layer_from(name, args)(x, *[tup(value) for value in forward_args])


# ---- inputs ----


def ties(f: Family, *shape: int, high: int = 3) -> torch.Tensor:
    """Integer values in [0, high): many ties in every window."""
    return f.randint(0, high, *shape).to(torch.float32)


def with_specials(f: Family, *shape: int) -> torch.Tensor:
    """Random values with NaNs (two in some windows) and -inf/+inf sprinkled in."""
    x = f.randn(*shape)
    flat = x.view(-1)
    for position, value in [(1, NAN), (3, NAN), (4, -INF), (7, INF), (10, NAN), (11, NAN), (13, -INF)]:
        if position < flat.numel():
            flat[position] = value
    return x


def build_max(f: Family) -> None:
    T = f.input
    shapes = {1: (2, 3, 9), 2: (2, 2, 7, 8), 3: (1, 2, 5, 6, 4)}
    for minimum in (False, True):
        prefix = "minPool" if minimum else "maxPool"
        for rank, shape in shapes.items():
            op = f"{prefix}{rank}d"
            run = max_pool(rank, minimum)
            ones = lambda value: [value] * rank
            f.case("even_kernel", op, [T(f.randn(*shape)), 2], run)
            f.case("odd_kernel_stride_1", op, [T(f.randn(*shape)), 3, {"stride": 1}], run)
            f.case("stride_2_padding_1", op, [T(f.randn(*shape)), 3, {"stride": 2, "padding": 1}], run)
            f.case("return_indices", op, [T(f.randn(*shape)), 3, {"stride": 2, "padding": 1, "returnIndices": True}], run)
            f.case("dilation_with_padding", op, [T(f.randn(*shape)), 3, {"stride": 1, "padding": 1, "dilation": 2, "returnIndices": True}], run)
            f.case("ceil_mode_partial_window", op, [T(f.randn(*shape)), 3, {"stride": 2, "ceilMode": True, "returnIndices": True}], run)
            f.case("ceil_mode_window_in_padding", op, [T(f.randn(*shape)), 2, {"stride": 2, "padding": 1, "ceilMode": True, "returnIndices": True}], run)
            f.case("ceil_mode_padding_dilation", op, [T(f.randn(*shape)), 2, {"stride": 3, "padding": 1, "dilation": 2, "ceilMode": True}], run)
            f.case("ties_overlapping", op, [T(ties(f, *shape)), 3, {"stride": 1, "padding": 1, "returnIndices": True}], run)
            f.case("ties_strided", op, [T(ties(f, *shape, high=2)), 2, {"returnIndices": True}], run)
            f.case("nan_and_infinities", op, [T(with_specials(f, *shape)), 2, {"stride": 1, "returnIndices": True}], run)
            f.case("unbatched", op, [T(f.randn(*shape[1:])), 2, {"stride": 1, "returnIndices": True}], run)
            f.case("transposed_input", op, [T(f.randn(*shape[:-2], shape[-1], shape[-2]), [["transpose", -1, -2]]), 2], run)
            f.case("float64", op, [T(f.randn(*shape, dtype=torch.float64)), 3, {"stride": 2, "padding": 1, "returnIndices": True}], run)
            f.case("empty_batch", op, [T(f.randn(0, *shape[1:])), 2], run)
            f.case("tuple_arguments", op, [T(f.randn(*shape)), ones(2), {"stride": ones(1), "padding": ones(1), "dilation": ones(1)}], run)
            if rank > 1:
                kernel = [2, 3, 2][:rank]
                stride = [1, 2, 3][:rank]
                padding = [1, 0, 1][:rank]
                f.case("asymmetric", op, [T(f.randn(*shape)), kernel, {"stride": stride, "padding": padding, "returnIndices": True}], run)
                f.case("asymmetric_dilation_ceil", op, [T(f.randn(*shape)), [3, 2, 2][:rank],
                                                        {"stride": [2, 1, 2][:rank], "padding": [1, 1, 0][:rank], "dilation": [1, 2, 1][:rank],
                                                         "ceilMode": True, "returnIndices": True}], run)
        # Windows of -∞ only (and, with a large dilation, windows that lie wholly in the padding).
        all_infinite = torch.full((1, 1, 6), INF if minimum else -INF)
        all_infinite[0, 0, 4] = 1.0
        f.case("infinite_windows", f"{prefix}1d", [T(all_infinite), 2, {"returnIndices": True}], max_pool(1, minimum))
        f.case("window_in_padding_only", f"{prefix}1d", [T(f.randn(1, 1, 2)), 2, {"padding": 1, "dilation": 3, "returnIndices": True}],
               max_pool(1, minimum), grad=False)
        f.case("default_stride_null", f"{prefix}2d", [T(f.randn(1, 2, 6, 6)), 3, {"stride": None}], max_pool(2, minimum))
        x = f.randn(1, 1, 8, 8)
        f.case("rejects_padding_over_half", f"{prefix}2d", [T(x), 3, {"padding": 2}], max_pool(2, minimum), raises=True)
        f.case("rejects_output_size_0", f"{prefix}2d", [T(x), 9], max_pool(2, minimum), raises=True)
        f.case("rejects_rank_2", f"{prefix}2d", [T(f.randn(8, 8)), 2], max_pool(2, minimum), raises=True)
        f.case("rejects_empty_channels", f"{prefix}2d", [T(torch.zeros(1, 0, 4, 4)), 2], max_pool(2, minimum), raises=True)
        f.case("rejects_dilated_padding_over_half_kernel", f"{prefix}2d", [T(x), 3, {"padding": 2, "dilation": 2}], max_pool(2, minimum), raises=True)
        f.case("rejects_output_size_0_1d", f"{prefix}1d", [T(f.randn(1, 1, 4)), 5, {"returnIndices": True}], max_pool(1, minimum), raises=True)
        f.case("rejects_output_size_0_3d", f"{prefix}3d", [T(f.randn(1, 1, 4, 4, 4)), 5], max_pool(3, minimum), raises=True)


def build_avg(f: Family) -> None:
    T = f.input
    shapes = {1: (2, 3, 9), 2: (2, 2, 7, 8), 3: (1, 2, 5, 6, 4)}
    for rank, shape in shapes.items():
        op = f"avgPool{rank}d"
        run = avg_pool(rank)
        f.case("even_kernel", op, [T(f.randn(*shape)), 2], run)
        f.case("odd_kernel_stride_1", op, [T(f.randn(*shape)), 3, {"stride": 1}], run)
        f.case("padding_count_include_pad", op, [T(f.randn(*shape)), 3, {"stride": 2, "padding": 1}], run)
        f.case("padding_count_exclude_pad", op, [T(f.randn(*shape)), 3, {"stride": 2, "padding": 1, "countIncludePad": False}], run)
        f.case("ceil_mode_include_pad", op, [T(f.randn(*shape)), 3, {"stride": 2, "padding": 1, "ceilMode": True}], run)
        f.case("ceil_mode_exclude_pad", op, [T(f.randn(*shape)), 3, {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}], run)
        f.case("ceil_mode_window_in_padding", op, [T(f.randn(*shape)), 2, {"stride": 2, "padding": 1, "ceilMode": True}], run)
        f.case("ceil_mode_no_padding", op, [T(f.randn(*shape)), 3, {"stride": 2, "ceilMode": True}], run)
        f.case("divisor_override", op, [T(f.randn(*shape)), 3, {"stride": 2, "padding": 1, "divisorOverride": 5}], run)
        f.case("divisor_override_ceil_exclude_pad", op, [T(f.randn(*shape)), 2, {"stride": 2, "padding": 1, "ceilMode": True,
                                                                                 "countIncludePad": False, "divisorOverride": 3}], run)
        f.case("negative_divisor_override", op, [T(f.randn(*shape)), 2, {"divisorOverride": -2}], run)
        f.case("unbatched", op, [T(f.randn(*shape[1:])), 3, {"stride": 1, "padding": 1}], run)
        f.case("transposed_input", op, [T(f.randn(*shape[:-2], shape[-1], shape[-2]), [["transpose", -1, -2]]), 2, {"stride": 1}], run)
        f.case("float64", op, [T(f.randn(*shape, dtype=torch.float64)), 3, {"stride": 2, "padding": 1, "countIncludePad": False}], run)
        f.case("int32", op, [T(f.randint(-20, 20, *shape)), 2, {"stride": 1}], run, grad=False)
        f.case("int32_padding_truncates", op, [T(f.randint(-20, 20, *shape)), 3, {"stride": 2, "padding": 1}], run, grad=False)
        f.case("empty_batch", op, [T(f.randn(0, *shape[1:])), 2], run)
        if rank > 1:
            f.case("asymmetric", op, [T(f.randn(*shape)), [2, 3, 2][:rank], {"stride": [1, 2, 3][:rank], "padding": [1, 0, 1][:rank]}], run)
            f.case("asymmetric_ceil_exclude_pad", op, [T(f.randn(*shape)), [3, 2, 3][:rank],
                                                       {"stride": [2, 3, 1][:rank], "padding": [1, 1, 0][:rank], "ceilMode": True,
                                                        "countIncludePad": False}], run)
    x = f.randn(1, 1, 8, 8)
    f.case("rejects_padding_over_half", "avgPool2d", [T(x), 3, {"padding": 2}], avg_pool(2), raises=True)
    f.case("rejects_output_size_0", "avgPool2d", [T(x), 9], avg_pool(2), raises=True)
    f.case("rejects_rank_1", "avgPool1d", [T(f.randn(8)), 2], avg_pool(1), raises=True)
    f.case("rejects_divisor_0", "avgPool2d", [T(x), 2, {"divisorOverride": 0}], avg_pool(2), raises=True)
    f.case("rejects_empty_channels", "avgPool3d", [T(torch.zeros(1, 0, 4, 4, 4)), 2], avg_pool(3), raises=True)
    f.case("rejects_output_size_0_3d", "avgPool3d", [T(f.randn(1, 1, 4, 4, 4)), 5], avg_pool(3), raises=True)


def build_adaptive(f: Family) -> None:
    T = f.input
    shapes = {1: (2, 3, 7), 2: (2, 2, 7, 9), 3: (1, 2, 5, 7, 4)}
    sizes = {1: ([3], [7], [10], [1]), 2: ([3, 4], [7, 9], [10, 5], [1, 1]), 3: ([2, 3, 3], [5, 7, 4], [7, 3, 6], [1, 1, 1])}
    for rank, shape in shapes.items():
        for kind, make in (("Avg", adaptive_avg), ("Max", adaptive_max)):
            op = f"adaptive{kind}Pool{rank}d"
            run = make(rank)
            not_dividing, same, larger, one = sizes[rank]
            f.case("not_dividing", op, [T(f.randn(*shape)), not_dividing], run)
            f.case("same_size", op, [T(f.randn(*shape)), same], run)
            f.case("larger_than_input", op, [T(f.randn(*shape)), larger], run)
            f.case("global", op, [T(f.randn(*shape)), 1], run)
            f.case("tuple_of_ones", op, [T(f.randn(*shape)), one], run)
            f.case("unbatched", op, [T(f.randn(*shape[1:])), not_dividing], run)
            f.case("transposed_input", op, [T(f.randn(*shape[:-2], shape[-1], shape[-2]), [["transpose", -1, -2]]), 2] if rank > 1
                   else [T(f.randn(3, 7, 2), [["transpose", -1, -2]]), 3], run)
            f.case("float64", op, [T(f.randn(*shape, dtype=torch.float64)), not_dividing], run)
            f.case("empty_batch", op, [T(f.randn(0, *shape[1:])), not_dividing], run)
            f.case("output_size_0", op, [T(f.randn(*shape)), 0], run, grad=False)
            if rank > 1:
                keep = [None] + not_dividing[1:]
                f.case("none_keeps_input_size", op, [T(f.randn(*shape)), keep], run)
            if kind == "Max":
                f.case("return_indices", op, [T(f.randn(*shape)), not_dividing, {"returnIndices": True}], run)
                f.case("ties", op, [T(ties(f, *shape)), not_dividing, {"returnIndices": True}], run)
                f.case("ties_overlapping_windows", op, [T(ties(f, *shape, high=2)), larger, {"returnIndices": True}], run)
                f.case("nan_and_infinities", op, [T(with_specials(f, *shape)), not_dividing, {"returnIndices": True}], run)
    for rank, shape in shapes.items():
        for kind, make in (("Avg", adaptive_avg), ("Max", adaptive_max)):
            op = f"adaptive{kind}Pool{rank}d"
            f.case("rejects_negative_size", op, [T(f.randn(*shape)), -1], make(rank), raises=True)
            f.case("rejects_too_few_dims", op, [T(f.randn(*shape[2:])), 2], make(rank), raises=True)
            f.case("rejects_empty_spatial", op, [T(torch.zeros(*shape[:-1], 0)), 2], make(rank), raises=True)


def pooled(rank, shape, kernel, stride=None, padding=0, generator=None, high=None):
    """A max pooling's output and indices, as inputs of max unpooling."""
    x = torch.randn(shape, generator=generator) if high is None else torch.randint(0, high, shape, generator=generator).float()
    return MAX_POOL[rank](x, kernel, stride, padding, return_indices=True)


def build_unpool(f: Family) -> None:
    T = f.input
    shapes = {1: (2, 3, 8), 2: (2, 2, 6, 8), 3: (1, 2, 4, 6, 4)}
    for rank, shape in shapes.items():
        op = f"maxUnpool{rank}d"
        run = max_unpool(rank)
        values, indices = pooled(rank, shape, 2, generator=f.generator)
        f.case("default_size", op, [T(values), T(indices), 2], run)
        f.case("output_size_spatial", op, [T(values), T(indices), 2, {"outputSize": list(shape[2:])}], run)
        f.case("output_size_full_shape", op, [T(values), T(indices), 2, {"outputSize": list(shape)}], run)
        odd = (*shape[:2], *[size | 1 for size in shape[2:]])  # the default size of an odd input is the input's
        values, indices = pooled(rank, odd, 3, 2, 1, generator=f.generator)
        f.case("stride_padding", op, [T(values), T(indices), 3, {"stride": 2, "padding": 1}], run)
        values, indices = pooled(rank, shape, 3, 2, 1, generator=f.generator)
        f.case("stride_padding_output_size", op, [T(values), T(indices), 3, {"stride": 2, "padding": 1, "outputSize": list(shape[2:])}], run)
        values, indices = pooled(rank, shape, 2, 1, generator=f.generator, high=2)
        f.case("duplicate_indices", op, [T(values), T(indices), 2, {"stride": 1}], run)
        values, indices = pooled(rank, shape[1:], 2, generator=f.generator)
        f.case("unbatched", op, [T(values), T(indices), 2], run)
        values, indices = pooled(rank, shape, 2, generator=f.generator)
        f.case("float64", op, [T(values.double()), T(indices), 2], run)
        f.case("rejects_output_size_too_large", op, [T(values), T(indices), 2, {"outputSize": [s + 2 for s in shape[2:]]}], run, raises=True)
        f.case("rejects_output_size_too_small", op, [T(values), T(indices), 2, {"outputSize": [s - 2 for s in shape[2:]]}], run, raises=True)
        f.case("rejects_output_size_length", op, [T(values), T(indices), 2, {"outputSize": [4] * (rank + 1)}], run, raises=True)
        f.case("rejects_index_out_of_range", op, [T(values), T(indices + 1000), 2], run, raises=True)
        f.case("rejects_negative_index", op, [T(values), T(indices - 1000), 2], run, raises=True)
        f.case("rejects_indices_shape", op, [T(values), T(indices.narrow(-1, 0, 1)), 2], run, raises=True)


def build_lp(f: Family) -> None:
    T = f.input
    shapes = {1: (2, 3, 9), 2: (2, 2, 7, 8)}
    positive = lambda *shape: f.uniform(*shape, low=0.5, high=1.5)
    for rank, shape in shapes.items():
        op = f"lpPool{rank}d"
        run = lp_pool(rank)
        f.case("p2", op, [T(f.randn(*shape)), 2, 2], run)
        f.case("p1_signed_sum", op, [T(f.randn(*shape)), 1, 3, {"stride": 1}], run)
        f.case("p3_positive", op, [T(positive(*shape)), 3, 3, {"stride": 2}], run)
        f.case("p1_5_positive", op, [T(positive(*shape)), 1.5, 2], run)
        f.case("p20_near_max", op, [T(positive(*shape)), 20, 2, {"stride": 1}], run)
        f.case("p_infinity", op, [T(positive(*shape)), INF, 2], run, grad=False)
        f.case("p3_negative_windows_nan", op, [T(f.randn(*shape)), 3, 2], run, grad=False)
        f.case("ceil_mode", op, [T(f.randn(*shape)), 2, 3, {"stride": 2, "ceilMode": True}], run)
        f.case("unbatched", op, [T(f.randn(*shape[1:])), 2, 2], run)
        f.case("float64", op, [T(f.randn(*shape, dtype=torch.float64)), 2, 3, {"stride": 1}], run)
        f.case("kernel_tuple", op, [T(f.randn(*shape)), 2, [2] * rank, {"stride": [1] * rank}], run)
        if rank == 2:
            f.case("asymmetric", op, [T(f.randn(*shape)), 2, [3, 2], {"stride": [2, 1]}], run)
    f.case("rejects_output_size_0", "lpPool2d", [T(f.randn(1, 1, 4, 4)), 2, 5], lp_pool(2), raises=True)
    f.case("rejects_rank_1", "lpPool1d", [T(f.randn(4)), 2, 2], lp_pool(1), raises=True)


def build_fold(f: Family) -> None:
    T = f.input
    f.case("kernel_2", "unfold", [T(f.randn(2, 3, 4, 5)), 2], unfold)
    f.case("asymmetric", "unfold", [T(f.randn(2, 3, 5, 6)), [2, 3], {"dilation": [1, 2], "padding": [1, 0], "stride": [2, 1]}], unfold)
    f.case("padding_over_kernel", "unfold", [T(f.randn(1, 2, 3, 3)), 2, {"padding": 2}], unfold)
    f.case("stride_past_input", "unfold", [T(f.randn(1, 2, 1, 1)), 3, {"padding": 1, "stride": 5}], unfold)
    f.case("non_overlapping", "unfold", [T(f.randn(2, 2, 6, 4)), 2, {"stride": 2}], unfold)
    f.case("unbatched", "unfold", [T(f.randn(3, 4, 5)), [3, 2], {"padding": 1}], unfold)
    f.case("transposed_input", "unfold", [T(f.randn(1, 2, 5, 4), [["transpose", -1, -2]]), 2], unfold)
    f.case("float64", "unfold", [T(f.randn(1, 2, 4, 4, dtype=torch.float64)), 3, {"padding": 1}], unfold)
    f.case("kernel_2", "fold", [T(f.randn(2, 12, 12)), [4, 5], 2], fold)
    f.case("asymmetric", "fold", [T(f.randn(2, 18, 6)), [5, 6], [2, 3], {"dilation": [1, 2], "padding": [1, 0], "stride": [2, 1]}], fold)
    f.case("non_overlapping", "fold", [T(f.randn(2, 8, 6)), [6, 4], 2, {"stride": 2}], fold)
    f.case("padding", "fold", [T(f.randn(1, 12, 30)), [4, 5], 2, {"padding": 1}], fold)
    f.case("unbatched", "fold", [T(f.randn(12, 9)), 4, [2, 2], {"dilation": 1, "stride": [1, 1]}], fold)
    f.case("float64", "fold", [T(f.randn(1, 9, 16, dtype=torch.float64)), [4, 4], 3, {"padding": 1}], fold)
    f.case("rejects_no_blocks", "unfold", [T(f.randn(1, 1, 4, 4)), 5], unfold, raises=True)
    f.case("rejects_rank_2", "unfold", [T(f.randn(4, 4)), 2], unfold, raises=True)
    f.case("rejects_channels_not_divisible", "fold", [T(f.randn(2, 12, 12)), [4, 5], 5], fold, raises=True)
    f.case("rejects_block_count", "fold", [T(f.randn(2, 12, 12)), [4, 6], 2], fold, raises=True)
    f.case("rejects_rank_4", "fold", [T(f.randn(2, 12, 3, 4)), [4, 5], 2], fold, raises=True)


def build_modules(f: Family) -> None:
    T = f.input
    reprs = [
        ["MaxPool1d", 3], ["MaxPool2d", 2], ["MaxPool2d", [2, 3], {"stride": [1, 2], "padding": 1, "dilation": 2, "returnIndices": True, "ceilMode": True}],
        ["MaxPool3d", 2, {"stride": 1}], ["AvgPool1d", 3], ["AvgPool1d", 4, {"stride": 2, "padding": 1}], ["AvgPool2d", 2],
        ["AvgPool2d", 3, {"stride": 1, "padding": 1, "ceilMode": True, "countIncludePad": False, "divisorOverride": 2}],
        ["AvgPool3d", [1, 2, 3], {"divisorOverride": 3}], ["AdaptiveAvgPool1d", 3], ["AdaptiveAvgPool2d", [None, 3]],
        ["AdaptiveAvgPool2d", 3], ["AdaptiveAvgPool3d", [2, None, 4]], ["AdaptiveMaxPool1d", 5],
        ["AdaptiveMaxPool2d", [2, 3], {"returnIndices": True}], ["AdaptiveMaxPool3d", 2], ["MaxUnpool1d", 2],
        ["MaxUnpool2d", [2, 3], {"stride": 1, "padding": 1}], ["MaxUnpool3d", 2], ["LPPool1d", 2, 3], ["LPPool2d", 2.5, [2, 3], {"stride": 1, "ceilMode": True}],
        ["Fold", [4, 5], 2], ["Fold", 4, [2, 3], {"dilation": 2, "padding": [1, 0], "stride": [1, 2]}], ["Unfold", 2, {"padding": 1}],
        ["Unfold", [2, 3], {"dilation": [1, 2], "stride": 2}],
    ]
    for args in reprs:
        name = args[0] + "(" + ", ".join(str(a) for a in args[1:]) + ")"
        f.case(name.replace(" ", ""), "moduleRepr", args, module_repr, grad=False)
    forwards = [
        ("MaxPool2d", [3, {"stride": 2, "padding": 1}], f.randn(2, 3, 7, 7)),
        ("MaxPool1d", [2, {"returnIndices": True}], f.randn(3, 8)),
        ("MinPool2d", [2, {"stride": 1, "returnIndices": True}], ties(f, 1, 2, 4, 5)),
        ("MaxPool3d", [2, {"ceilMode": True}], f.randn(1, 2, 5, 5, 5)),
        ("AvgPool2d", [3, {"stride": 2, "padding": 1, "countIncludePad": False}], f.randn(2, 3, 7, 7)),
        ("AvgPool1d", [3, {"stride": 2}], f.randn(2, 3, 9)),
        ("AvgPool3d", [2, {"divisorOverride": 3}], f.randn(1, 2, 4, 4, 4)),
        ("AdaptiveAvgPool2d", [[None, 3]], f.randn(2, 3, 5, 7)),
        ("AdaptiveMaxPool1d", [3, {"returnIndices": True}], f.randn(2, 7)),
        ("LPPool2d", [2, 2], f.randn(1, 2, 6, 6)),
        ("LPPool1d", [1, 3, {"stride": 2}], f.randn(2, 3, 9)),
        ("Unfold", [[2, 3], {"padding": 1}], f.randn(2, 3, 4, 5)),
        ("Fold", [[4, 5], 2], f.randn(2, 12, 12)),
    ]
    for name, args, x in forwards:
        f.case(name, "moduleForward", [name, args, T(x)], module_forward)
    values, indices = pooled(2, (1, 2, 5, 5), 2, generator=f.generator)
    f.case("MaxUnpool2d", "moduleForward", ["MaxUnpool2d", [2], T(values), T(indices), [5, 5]], module_forward)


BUILDERS = {
    "pooling_max": build_max,
    "pooling_avg": build_avg,
    "pooling_adaptive": build_adaptive,
    "pooling_unpool": build_unpool,
    "pooling_lp": build_lp,
    "pooling_fold": build_fold,
    "pooling_modules": build_modules,
}


def build(family: str) -> Family:
    f = Family(family)
    BUILDERS[family](f)
    return f
