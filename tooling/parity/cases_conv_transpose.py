"""Transposed convolution (@strata/layers-conv, conv-transpose.ts): convTranspose1d/2d/3d and their layers.

Each case is ``convTransposeNd(input, weight, bias, options)`` with Strata's
option names (``stride``, ``padding``, ``outputPadding``, ``groups``,
``dilation`` and ``outputSize``). PyTorch computes it with
``F.conv_transpose{N}d``; with ``outputSize``, the output padding comes from
the ``nn.ConvTranspose{N}d`` layer's own ``_output_padding``, as its
``forward(input, output_size)`` does. Forward and the gradients of input,
weight and bias are recorded.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cases_conv import add_layer_cases
from fixture import Family

FUNCTIONAL = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
LAYERS = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}


def as_tuple(value, rank: int):
    return tuple(value) if isinstance(value, list) else (value,) * rank


def torch_conv_transpose(rank: int):
    def run(x, w, b=None, options=None):
        options = options or {}
        stride = as_tuple(options.get("stride", 1), rank)
        padding = as_tuple(options.get("padding", 0), rank)
        dilation = as_tuple(options.get("dilation", 1), rank)
        groups = options.get("groups", 1)
        output_padding = as_tuple(options.get("outputPadding", 0), rank)
        if options.get("outputSize") is not None:
            layer = LAYERS[rank](w.shape[0], w.shape[1] * groups, tuple(w.shape[2:]), stride=stride, padding=padding,
                                 output_padding=output_padding, groups=groups, bias=False, dilation=dilation)
            output_padding = layer._output_padding(x, options["outputSize"], list(stride), list(padding),
                                                   list(w.shape[2:]), rank, list(dilation))
        return FUNCTIONAL[rank](x, w, b, stride, padding, output_padding, groups, dilation)

    return run


def build() -> Family:
    f = Family("conv_transpose", seed=43)
    T = f.input
    r = f.randn

    def convt(rank: int, name: str, x_shape, w_shape, bias: bool = True, options=None, views=None, **flags):
        x = T(r(*x_shape), views)
        w = T(r(*w_shape, scale=0.5))
        groups = (options or {}).get("groups", 1)
        b = T(r(w_shape[1] * groups)) if bias else None
        args = [x, w, b] if options is None else [x, w, b, options]
        f.case(name, f"convTranspose{rank}d", args, torch_conv_transpose(rank), **flags)

    # ---- convTranspose1d ----
    convt(1, "basic", (2, 3, 6), (3, 4, 3))
    convt(1, "no_bias", (2, 3, 6), (3, 4, 3), bias=False)
    convt(1, "stride_2_padding_1", (2, 3, 6), (3, 2, 4), options={"stride": 2, "padding": 1})
    convt(1, "output_padding", (2, 2, 5), (2, 3, 3), options={"stride": 3, "padding": 1, "outputPadding": 2})
    convt(1, "output_padding_with_dilation", (2, 2, 5), (2, 3, 3), options={"dilation": 3, "outputPadding": 2})
    convt(1, "dilation_padding", (2, 2, 6), (2, 3, 3), options={"dilation": 2, "padding": 2, "stride": 2})
    convt(1, "groups_no_bias", (2, 4, 5), (4, 3, 3), bias=False, options={"groups": 2, "stride": 2})
    convt(1, "depthwise", (2, 3, 6), (3, 1, 3), options={"groups": 3, "padding": 1})
    convt(1, "depthwise_multiplier_2", (2, 3, 6), (3, 2, 3), options={"groups": 3, "stride": 2})
    convt(1, "unbatched", (3, 6), (3, 2, 3), options={"stride": 2})
    convt(1, "output_size_spatial", (2, 3, 5), (3, 2, 3), options={"stride": 3, "padding": 1, "outputSize": [15]})
    convt(1, "output_size_full_shape", (2, 3, 5), (3, 2, 3), options={"stride": 3, "outputSize": [2, 2, 17]})
    convt(1, "output_size_unbatched_full_shape", (3, 5), (3, 2, 3), options={"stride": 2, "outputSize": [2, 12]})
    convt(1, "pointwise", (2, 4, 6), (4, 3, 1))
    convt(1, "pointwise_stride_2", (2, 4, 6), (4, 3, 1), options={"stride": 2})
    convt(1, "chunked_batch", (6, 3, 5), (3, 2, 3), options={"stride": 2})

    # ---- convTranspose2d ----
    convt(2, "basic", (2, 3, 4, 5), (3, 4, 3, 3))
    convt(2, "no_bias", (2, 3, 4, 5), (3, 4, 3, 3), bias=False)
    convt(2, "kernel_4_stride_2_padding_1", (2, 3, 4, 4), (3, 2, 4, 4), options={"stride": 2, "padding": 1})
    convt(2, "odd_kernel_stride_2_padding_1", (2, 3, 4, 3), (3, 2, 3, 3), options={"stride": 2, "padding": 1})
    convt(2, "output_padding", (2, 2, 4, 3), (2, 3, 3, 3), options={"stride": 2, "padding": 1, "outputPadding": 1})
    convt(2, "output_padding_with_dilation", (2, 2, 4, 3), (2, 3, 3, 2),
          options={"dilation": [2, 3], "outputPadding": [1, 2]})
    convt(2, "asymmetric_stride_padding_output_padding", (2, 2, 4, 3), (2, 3, 3, 4),
          options={"stride": [2, 3], "padding": [1, 0], "outputPadding": [1, 2]})
    convt(2, "dilation_padding", (2, 2, 4, 4), (2, 3, 3, 3), options={"dilation": 2, "padding": 2})
    convt(2, "groups_2_no_bias", (2, 4, 4, 3), (4, 3, 3, 3), bias=False, options={"groups": 2, "stride": 2})
    convt(2, "groups_3_bias", (2, 6, 3, 3), (6, 1, 2, 2), options={"groups": 3, "stride": 2})
    convt(2, "depthwise", (2, 4, 4, 4), (4, 1, 3, 3), options={"groups": 4, "padding": 1})
    convt(2, "depthwise_multiplier_2_no_bias", (2, 2, 4, 3), (2, 2, 3, 3), bias=False, options={"groups": 2, "stride": 2})
    convt(2, "depthwise_multiplier_4", (2, 2, 3, 3), (2, 4, 3, 3), options={"groups": 2})
    convt(2, "unbatched", (3, 4, 4), (3, 2, 3, 3), options={"stride": 2, "padding": 1})
    convt(2, "output_size_spatial", (2, 3, 4, 4), (3, 2, 3, 3), options={"stride": 2, "padding": 1, "outputSize": [8, 8]})
    convt(2, "output_size_full_shape", (2, 3, 4, 4), (3, 2, 3, 3), options={"stride": 2, "padding": 1, "outputSize": [2, 2, 8, 7]})
    convt(2, "output_size_with_dilation", (2, 2, 3, 3), (2, 2, 3, 3),
          options={"stride": 3, "dilation": 2, "outputSize": [13, 12]})
    convt(2, "output_size_unbatched", (3, 4, 4), (3, 2, 3, 3), options={"stride": 2, "outputSize": [10, 9]})
    convt(2, "pointwise", (2, 4, 3, 5), (4, 3, 1, 1))
    convt(2, "pointwise_groups", (2, 4, 3, 5), (4, 1, 1, 1), options={"groups": 2})
    convt(2, "chunked_batch_small_input", (5, 2, 3, 3), (2, 3, 3, 3), options={"stride": 2})
    convt(2, "permuted_input_view", (2, 4, 5, 3), (3, 2, 3, 3), views=[["permute", [0, 3, 1, 2]]])
    f.case("float64", "convTranspose2d", [T(r(2, 3, 4, 4, dtype=torch.float64)), T(r(3, 2, 3, 3, dtype=torch.float64)),
                                          T(r(2, dtype=torch.float64)), {"stride": 2}], torch_conv_transpose(2))

    # ---- convTranspose3d ----
    convt(3, "basic", (2, 2, 3, 3, 3), (2, 3, 3, 3, 3))
    convt(3, "stride_padding_output_padding", (1, 2, 3, 4, 3), (2, 2, 3, 2, 3),
          options={"stride": [2, 2, 3], "padding": [1, 0, 1], "outputPadding": [1, 1, 2]})
    convt(3, "dilation_output_padding", (1, 2, 3, 3, 3), (2, 2, 2, 3, 2),
          options={"dilation": [2, 1, 3], "outputPadding": [1, 0, 2]})
    convt(3, "groups_no_bias", (2, 4, 3, 3, 2), (4, 1, 3, 3, 3), bias=False, options={"groups": 2, "padding": 1})
    convt(3, "depthwise", (1, 3, 3, 4, 3), (3, 1, 3, 3, 3), options={"groups": 3, "stride": 2, "padding": 1})
    convt(3, "unbatched", (2, 3, 3, 3), (2, 2, 3, 3, 3), options={"stride": 2})
    convt(3, "output_size", (1, 2, 3, 3, 3), (2, 2, 3, 3, 3), options={"stride": 2, "padding": 1, "outputSize": [6, 5, 6]})
    convt(3, "pointwise", (2, 3, 2, 3, 2), (3, 2, 1, 1, 1))

    # ---- PyTorch rejects these too (Strata's own messages are pinned in conv-transpose.test.ts) ----
    run2 = torch_conv_transpose(2)
    f.case("channels_mismatch_raises", "convTranspose2d", [T(r(1, 4, 3, 3)), T(r(3, 2, 3, 3))], run2, raises=True)
    f.case("output_padding_too_large_raises", "convTranspose2d",
           [T(r(1, 3, 3, 3)), T(r(3, 2, 3, 3)), None, {"stride": 2, "outputPadding": 2}], run2, raises=True)
    f.case("output_size_out_of_range_raises", "convTranspose2d",
           [T(r(1, 3, 4, 4)), T(r(3, 2, 3, 3)), None, {"stride": 2, "outputSize": [11, 9]}], run2, raises=True)
    f.case("output_size_length_raises", "convTranspose2d",
           [T(r(1, 3, 4, 4)), T(r(3, 2, 3, 3)), None, {"stride": 2, "outputSize": [9, 9, 9]}], run2, raises=True)
    f.case("output_not_positive_raises", "convTranspose1d",
           [T(r(1, 3, 1)), T(r(3, 2, 1)), None, {"padding": 1}], torch_conv_transpose(1), raises=True)

    add_layer_cases(f, [
        ("convtranspose1d_defaults", ["ConvTranspose1d", 16, 33, 3]),
        ("convtranspose1d_all_options", ["ConvTranspose1d", 4, 6, 5, {"stride": 3, "padding": 2, "outputPadding": 1,
                                                                      "dilation": 2, "groups": 2, "bias": False}]),
        ("convtranspose2d_stride_padding", ["ConvTranspose2d", 16, 33, [3, 5], {"stride": [2, 1], "padding": [4, 2]}]),
        ("convtranspose2d_output_padding", ["ConvTranspose2d", 32, 16, 4, {"stride": 2, "padding": 1, "outputPadding": 1}]),
        ("convtranspose3d_groups", ["ConvTranspose3d", 4, 8, 3, {"groups": 4, "dilation": [1, 2, 1]}]),
    ])
    return f
