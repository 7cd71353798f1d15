"""Convolution (@strata/layers-conv, conv.ts): conv1d/2d/3d and the Conv1d/2d/3d layers.

Each functional case is ``convNd(input, weight, bias, options)`` with Strata's
option names (``stride``, ``padding``, ``dilation``, ``groups`` and the Strata
addition ``paddingMode``); PyTorch computes it with ``F.convNd``, or for a
padding mode other than zeros with the ``nn.ConvNd`` layer's own path
(``F.pad`` with ``_reversed_padding_repeated_twice``, then the convolution).
Forward and the gradients of input, weight and bias are recorded.

``moduleRepr`` / ``moduleStateDict`` cases build a layer from Strata's
constructor arguments (``[class, inChannels, outChannels, kernelSize,
options]``) and record PyTorch's ``repr`` and the state dict's keys and shapes.
"""

from __future__ import annotations

import json

import torch
import torch.nn.functional as F
from torch import nn

from fixture import Family

FUNCTIONAL = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
LAYERS = {"Conv1d": nn.Conv1d, "Conv2d": nn.Conv2d, "Conv3d": nn.Conv3d,
          "ConvTranspose1d": nn.ConvTranspose1d, "ConvTranspose2d": nn.ConvTranspose2d,
          "ConvTranspose3d": nn.ConvTranspose3d}
KEYWORDS = {"stride": "stride", "padding": "padding", "dilation": "dilation", "groups": "groups", "bias": "bias",
            "paddingMode": "padding_mode", "outputPadding": "output_padding"}


def torch_conv(rank: int):
    def run(x, w, b=None, options=None):
        options = dict(options or {})
        mode = options.pop("paddingMode", "zeros")
        stride = options.get("stride", 1)
        padding = options.get("padding", 0)
        dilation = options.get("dilation", 1)
        groups = options.get("groups", 1)
        if mode == "zeros":
            return FUNCTIONAL[rank](x, w, b, stride, padding, dilation, groups)
        channels = x.shape[-rank - 1]
        layer = LAYERS[f"Conv{rank}d"](channels, w.shape[0], tuple(w.shape[2:]), stride=stride, padding=padding,
                                       dilation=dilation, groups=groups, bias=b is not None, padding_mode=mode)
        return layer._conv_forward(x, w, b)

    return run


def layer_from(args):
    name, in_channels, out_channels, kernel_size, *rest = args
    options = rest[0] if rest else {}
    keywords = {KEYWORDS[key]: (tuple(value) if isinstance(value, list) else value) for key, value in options.items()}
    kernel = tuple(kernel_size) if isinstance(kernel_size, list) else kernel_size
    return LAYERS[name](in_channels, out_channels, kernel, **keywords)


def module_repr(*args):
    return repr(layer_from(args))


def module_state_dict(*args):
    state = layer_from(args).state_dict()
    return json.dumps([[key, list(value.shape)] for key, value in state.items()], separators=(",", ":"))


def add_layer_cases(f: Family, layers: list[tuple[str, list]]) -> None:
    for name, args in layers:
        f.case(name, "moduleRepr", args, module_repr, grad=False)
        f.case(name, "moduleStateDict", args, module_state_dict, grad=False)


def build() -> Family:
    f = Family("conv", seed=41)
    T = f.input
    r = f.randn

    def conv(rank: int, name: str, x_shape, w_shape, bias: bool = True, options=None, views=None, **flags):
        x = T(r(*x_shape), views)
        w = T(r(*w_shape, scale=0.5))
        b = T(r(w_shape[0])) if bias else None
        args = [x, w, b] if options is None else [x, w, b, options]
        f.case(name, f"conv{rank}d", args, torch_conv(rank), **flags)

    # ---- conv1d ----
    conv(1, "basic", (2, 3, 9), (4, 3, 3))
    conv(1, "no_bias", (2, 3, 9), (4, 3, 3), bias=False)
    conv(1, "padding_stride", (2, 3, 11), (5, 3, 4), options={"stride": 2, "padding": 2})
    conv(1, "dilation_padding", (2, 2, 12), (3, 2, 3), options={"dilation": 3, "padding": 2})
    conv(1, "stride_larger_than_kernel", (2, 2, 13), (3, 2, 2), options={"stride": 3})
    conv(1, "groups_no_bias", (2, 4, 8), (6, 2, 3), bias=False, options={"groups": 2, "padding": 1})
    conv(1, "depthwise", (2, 3, 10), (3, 1, 5), options={"groups": 3, "padding": 2})
    conv(1, "depthwise_multiplier_2", (2, 3, 10), (6, 1, 3), options={"groups": 3, "stride": 2})
    conv(1, "depthwise_multiplier_4", (2, 2, 10), (8, 1, 3), options={"groups": 2, "padding": 1})
    conv(1, "same_odd", (2, 3, 9), (2, 3, 5), options={"padding": "same"})
    conv(1, "same_even", (2, 3, 9), (2, 3, 4), options={"padding": "same"})
    conv(1, "same_even_dilated", (2, 3, 11), (2, 3, 4), options={"padding": "same", "dilation": 3})
    conv(1, "valid", (2, 3, 9), (2, 3, 4), options={"padding": "valid"})
    for mode in ("reflect", "replicate", "circular"):
        conv(1, f"{mode}_padding_2", (2, 3, 7), (4, 3, 3), options={"padding": 2, "paddingMode": mode})
        conv(1, f"{mode}_same_even", (2, 2, 6), (3, 2, 4), options={"padding": "same", "paddingMode": mode})
        conv(1, f"{mode}_stride_dilation", (2, 2, 9), (3, 2, 3),
             options={"padding": 3, "stride": 2, "dilation": 2, "paddingMode": mode})
    conv(1, "unbatched", (3, 9), (4, 3, 3), options={"padding": 1})
    conv(1, "unbatched_reflect", (3, 9), (4, 3, 3), options={"padding": 1, "paddingMode": "reflect"})
    conv(1, "pointwise", (3, 4, 7), (5, 4, 1))
    conv(1, "pointwise_groups", (2, 4, 7), (6, 2, 1), options={"groups": 2})
    conv(1, "chunked_batch", (7, 3, 10), (4, 3, 3), options={"stride": 2})
    conv(1, "kernel_fills_padded_input", (2, 3, 3), (2, 3, 5), options={"padding": 1})
    conv(1, "transposed_input_view", (2, 9, 3), (4, 3, 3), views=[["transpose", 1, 2]])
    f.case("float64", "conv1d", [T(r(2, 3, 9, dtype=torch.float64)), T(r(4, 3, 3, dtype=torch.float64)),
                                 T(r(4, dtype=torch.float64)), {"padding": 1}], torch_conv(1))

    # ---- conv2d ----
    conv(2, "basic", (2, 3, 6, 5), (4, 3, 3, 3))
    conv(2, "no_bias", (2, 3, 6, 5), (4, 3, 3, 3), bias=False)
    conv(2, "odd_kernel_5_padding_2", (2, 2, 7, 6), (3, 2, 5, 5), options={"padding": 2})
    conv(2, "even_kernel_2", (2, 3, 5, 6), (4, 3, 2, 2))
    conv(2, "even_kernel_4_padding_1", (2, 2, 7, 6), (3, 2, 4, 4), options={"padding": 1})
    conv(2, "asymmetric_kernel_stride_padding", (2, 2, 9, 8), (3, 2, 3, 5),
         options={"stride": [2, 1], "padding": [1, 2]})
    conv(2, "asymmetric_stride_1_3", (2, 2, 7, 11), (3, 2, 3, 3), options={"stride": [1, 3], "padding": [2, 0]})
    conv(2, "dilation_2_padding_2", (2, 2, 8, 8), (3, 2, 3, 3), options={"dilation": 2, "padding": 2})
    conv(2, "dilation_asymmetric", (2, 2, 9, 10), (3, 2, 3, 2),
         options={"dilation": [2, 3], "padding": [1, 2], "stride": [1, 2]})
    conv(2, "groups_2_no_bias", (2, 4, 6, 5), (6, 2, 3, 3), bias=False, options={"groups": 2, "padding": 1})
    conv(2, "groups_3_bias_stride_2", (2, 6, 7, 7), (9, 2, 3, 3), options={"groups": 3, "stride": 2})
    conv(2, "depthwise", (2, 4, 6, 6), (4, 1, 3, 3), options={"groups": 4, "padding": 1})
    conv(2, "depthwise_no_bias_stride", (2, 3, 7, 8), (3, 1, 3, 2), bias=False, options={"groups": 3, "stride": [2, 1]})
    conv(2, "depthwise_multiplier_2", (2, 3, 6, 6), (6, 1, 3, 3), options={"groups": 3, "dilation": 2, "padding": 2})
    conv(2, "depthwise_multiplier_4", (2, 2, 6, 5), (8, 1, 3, 3), options={"groups": 2, "padding": 1})
    conv(2, "same_odd", (2, 2, 6, 5), (3, 2, 3, 5), options={"padding": "same"})
    conv(2, "same_even", (2, 2, 6, 5), (3, 2, 4, 2), options={"padding": "same"})
    conv(2, "same_even_dilated", (2, 2, 9, 8), (3, 2, 2, 4), options={"padding": "same", "dilation": [3, 1]})
    conv(2, "same_depthwise_even", (2, 3, 6, 6), (3, 1, 4, 4), options={"padding": "same", "groups": 3})
    conv(2, "valid", (2, 2, 6, 5), (3, 2, 3, 3), options={"padding": "valid"})
    for mode in ("reflect", "replicate", "circular"):
        conv(2, f"{mode}_padding_1", (2, 2, 5, 6), (3, 2, 3, 3), options={"padding": 1, "paddingMode": mode})
        conv(2, f"{mode}_asymmetric_padding", (2, 2, 5, 6), (3, 2, 3, 3),
             options={"padding": [2, 1], "stride": [1, 2], "paddingMode": mode})
        conv(2, f"{mode}_same_even_dilated", (2, 2, 6, 7), (3, 2, 2, 4),
             options={"padding": "same", "dilation": [2, 1], "paddingMode": mode})
        conv(2, f"{mode}_groups_no_bias", (2, 4, 5, 5), (4, 2, 3, 3), bias=False,
             options={"padding": 2, "groups": 2, "paddingMode": mode})
    conv(2, "circular_padding_equals_size", (1, 2, 3, 4), (2, 2, 3, 3), options={"padding": [3, 2], "paddingMode": "circular"})
    conv(2, "unbatched", (3, 6, 5), (4, 3, 3, 3), options={"padding": 1})
    # PyTorch 1.13's circular F.pad rejects unbatched input (later versions batch it): run it batched, as they do.
    f.case("unbatched_circular_same", "conv2d",
           [T(r(2, 5, 5)), T(r(3, 2, 4, 4, scale=0.5)), T(r(3)), {"padding": "same", "paddingMode": "circular"}],
           lambda x, w, b, options: torch_conv(2)(x.unsqueeze(0), w, b, options).squeeze(0))
    conv(2, "pointwise", (2, 4, 5, 6), (3, 4, 1, 1))
    conv(2, "pointwise_groups_no_bias", (2, 4, 5, 3), (6, 2, 1, 1), bias=False, options={"groups": 2})
    conv(2, "pointwise_stride_2", (2, 4, 5, 6), (3, 4, 1, 1), options={"stride": 2})
    conv(2, "pointwise_padding_1", (2, 4, 3, 3), (3, 4, 1, 1), options={"padding": 1})
    conv(2, "chunked_batch_small_output", (5, 2, 6, 6), (3, 2, 3, 3), options={"stride": 2})
    conv(2, "chunked_batch_last_chunk_of_one", (4, 2, 22, 22), (3, 2, 3, 3))
    conv(2, "kernel_fills_padded_input", (2, 2, 3, 4), (3, 2, 5, 4), options={"padding": [1, 0]})
    conv(2, "permuted_input_view", (2, 5, 6, 3), (4, 3, 3, 3), views=[["permute", [0, 3, 1, 2]]])
    f.case("float64", "conv2d", [T(r(2, 3, 5, 5, dtype=torch.float64)), T(r(4, 3, 3, 3, dtype=torch.float64)),
                                 T(r(4, dtype=torch.float64)), {"padding": 1}], torch_conv(2))

    # ---- conv3d ----
    conv(3, "basic", (2, 2, 4, 5, 4), (3, 2, 3, 3, 3))
    conv(3, "no_bias_padding", (2, 2, 4, 4, 4), (3, 2, 3, 3, 3), bias=False, options={"padding": 1})
    conv(3, "even_kernel_asymmetric_stride", (2, 2, 5, 6, 7), (3, 2, 2, 3, 4),
         options={"stride": [1, 2, 3], "padding": [1, 0, 2]})
    conv(3, "dilation_padding", (1, 2, 6, 6, 6), (2, 2, 3, 3, 3), options={"dilation": [2, 1, 2], "padding": [2, 1, 1]})
    conv(3, "groups_no_bias", (2, 4, 4, 4, 3), (4, 2, 3, 3, 3), bias=False, options={"groups": 2, "padding": 1})
    conv(3, "depthwise", (2, 3, 4, 5, 4), (3, 1, 3, 3, 3), options={"groups": 3, "padding": 1})
    conv(3, "depthwise_multiplier_2", (1, 2, 4, 4, 5), (4, 1, 2, 3, 3), options={"groups": 2, "stride": [1, 1, 2]})
    conv(3, "same_even", (1, 2, 4, 5, 4), (2, 2, 2, 3, 4), options={"padding": "same"})
    for mode in ("reflect", "replicate", "circular"):
        conv(3, f"{mode}_padding_1", (1, 2, 4, 4, 3), (2, 2, 3, 3, 3), options={"padding": 1, "paddingMode": mode})
        conv(3, f"{mode}_asymmetric", (1, 2, 4, 5, 4), (2, 2, 2, 3, 2),
             options={"padding": [1, 2, 0], "stride": [2, 1, 1], "paddingMode": mode})
    conv(3, "unbatched", (2, 4, 4, 4), (3, 2, 3, 3, 3), options={"padding": 1})
    conv(3, "pointwise", (2, 3, 3, 4, 2), (2, 3, 1, 1, 1))

    # ---- PyTorch rejects these too (Strata's own messages are pinned in conv.test.ts) ----
    f.case("channels_mismatch_raises", "conv2d", [T(r(1, 4, 5, 5)), T(r(2, 3, 3, 3))], FUNCTIONAL[2], raises=True)
    f.case("rank_raises", "conv2d", [T(r(5, 5)), T(r(2, 3, 3, 3))], FUNCTIONAL[2], raises=True)
    f.case("kernel_too_large_raises", "conv2d", [T(r(1, 3, 2, 2)), T(r(2, 3, 3, 3))], FUNCTIONAL[2], raises=True)
    f.case("same_strided_raises", "conv1d", [T(r(1, 3, 8)), T(r(2, 3, 3)), None, {"padding": "same", "stride": 2}],
           torch_conv(1), raises=True)
    f.case("groups_raises", "conv1d", [T(r(1, 4, 8)), T(r(3, 2, 3)), None, {"groups": 2}], torch_conv(1), raises=True)
    f.case("reflect_too_large_raises", "conv1d", [T(r(1, 2, 3)), T(r(2, 2, 3)), None, {"padding": 3, "paddingMode": "reflect"}],
           torch_conv(1), raises=True)

    add_layer_cases(f, [
        ("conv1d_defaults", ["Conv1d", 16, 33, 3]),
        ("conv1d_all_options", ["Conv1d", 4, 6, 5, {"stride": 2, "padding": 2, "dilation": 2, "groups": 2, "bias": False,
                                                    "paddingMode": "reflect"}]),
        ("conv2d_padding_1", ["Conv2d", 3, 16, 3, {"padding": 1}]),
        ("conv2d_tuples", ["Conv2d", 16, 33, [3, 5], {"stride": [2, 1], "padding": [4, 2], "dilation": [3, 1]}]),
        ("conv2d_same", ["Conv2d", 8, 8, 4, {"padding": "same", "groups": 8}]),
        ("conv2d_valid_circular", ["Conv2d", 2, 4, 3, {"padding": "valid", "paddingMode": "circular"}]),
        ("conv2d_replicate_no_bias", ["Conv2d", 2, 4, 3, {"padding": [1, 0], "bias": False, "paddingMode": "replicate"}]),
        ("conv3d_defaults", ["Conv3d", 16, 33, [3, 5, 2], {"stride": [2, 1, 1], "padding": [4, 2, 0]}]),
        ("conv3d_groups", ["Conv3d", 4, 8, 3, {"groups": 4, "bias": False}]),
    ])
    return f
