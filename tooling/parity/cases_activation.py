"""Activations (ops/activation.ts), each option, kinks and large magnitudes."""

from __future__ import annotations

import torch

from fixture import Family

NAN = float("nan")
INF = float("inf")

# Elementwise activations: (op, extra Strata args) variants.
ELEMENTWISE = {
    "relu": [[]],
    "relu6": [[]],
    "leakyRelu": [[], [0.2], [-0.5]],
    "elu": [[], [0.5], [2.0]],
    "selu": [[]],
    "celu": [[], [0.5], [2.0]],
    "gelu": [[], [{"approximate": "none"}], [{"approximate": "tanh"}]],
    "silu": [[]],
    "mish": [[]],
    "sigmoid": [[]],
    "logSigmoid": [[]],
    "tanh": [[]],
    "softplus": [[], [{"beta": 2}], [{"threshold": 1}], [{"beta": 0.5, "threshold": 5}]],
    "softsign": [[]],
    "hardtanh": [[], [-0.5, 2.0], [0.0, 6.0]],
    "hardswish": [[]],
    "hardsigmoid": [[]],
    "tanhshrink": [[]],
    "threshold": [[0.25, -2.0], [-0.5, 0.0]],
}

# Points where the derivative has a kink or a branch changes.
KINKS = {
    "relu": [-1.0, 0.0, 1.0],
    "relu6": [-1.0, 0.0, 3.0, 6.0, 7.0],
    "leakyRelu": [-1.0, 0.0, 1.0],
    "elu": [-1.0, 0.0, 1.0],
    "selu": [-1.0, 0.0, 1.0],
    "celu": [-1.0, 0.0, 1.0],
    "gelu": [-1.0, 0.0, 1.0],
    "softplus": [-1.0, 0.0, 1.0, 0.5, 2.5, 5.0, 10.0, 20.0, 20.5],
    "hardtanh": [-2.0, -1.0, -0.5, 0.0, 1.0, 2.0, 6.0],
    "hardswish": [-4.0, -3.0, 0.0, 3.0, 4.0],
    "hardsigmoid": [-4.0, -3.0, 0.0, 3.0, 4.0],
    "threshold": [-0.5, 0.0, 0.25, 0.5],
}

# Large magnitudes, where naive formulas overflow or lose precision.
LARGE = [-1000.0, -100.0, -30.0, -20.0, 20.0, 30.0, 100.0, 1000.0]
LARGE_OPS = {"sigmoid", "logSigmoid", "softplus", "tanh", "silu", "mish", "gelu", "elu", "selu", "celu", "softsign", "tanhshrink"}


def label(args: list) -> str:
    if not args:
        return "default"
    parts = []
    for arg in args:
        if isinstance(arg, dict):
            parts += [f"{k}_{v}" for k, v in arg.items()]
        else:
            parts.append(str(arg))
    return "_".join(parts).replace("-", "minus_").replace(".", "_")


def elementwise(f: Family) -> None:
    T = f.input
    for op, variants in ELEMENTWISE.items():
        for args in variants:
            name = label(args)
            f.case(f"{name}_2x3", op, [T(f.randn(2, 3, scale=2)), *args])
            if op in KINKS:
                f.case(f"{name}_kinks", op, [T(KINKS[op]), *args])
            if op in LARGE_OPS:
                f.case(f"{name}_large_magnitudes", op, [T(LARGE), *args], check_conditioning=False)
        f.case("zero_dim", op, [T(f.randn()), *variants[0]])
        f.case("transposed_3d", op, [T(f.randn(2, 3, 4, scale=2), [["transpose", 0, 2]]), *variants[0]])
        f.case("step_slice_of_expand", op, [T(f.randn(3, 1, scale=2), [["expand", [3, 6]], ["slice", 1, 1, 6, 2]]), *variants[0]])
        f.case("float64", op, [T(f.randn(2, 3, scale=2, dtype=torch.float64)), *variants[0]])
    for op in ("relu", "relu6", "hardtanh", "sigmoid", "tanh"):
        f.case("int32", op, [T(torch.tensor([-7, -1, 0, 1, 3, 8]))], grad=False)
    f.case("nan_passes_through", "relu", [T([NAN, -1.0, 1.0])], check_conditioning=False)
    f.case("nan_passes_through", "sigmoid", [T([NAN, 0.0])], check_conditioning=False)


def softmaxes(f: Family) -> None:
    T = f.input
    for op in ("softmax", "logSoftmax", "softmin"):
        f.case("dim_1", op, [T(f.randn(3, 4)), 1])
        f.case("dim_0", op, [T(f.randn(3, 4)), 0])
        f.case("negative_dim_3d", op, [T(f.randn(2, 3, 4)), -1])
        f.case("middle_dim_3d", op, [T(f.randn(2, 3, 4)), 1])
        f.case("one_dim", op, [T(f.randn(5)), 0])
        f.case("zero_dim", op, [T(f.randn()), 0])
        f.case("single_element_dim", op, [T(f.randn(3, 1)), 1])
        f.case("large_magnitudes", op, [T([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]]), 1])
        f.case("negative_infinity_entry", op, [T([[-INF, 0.0, 1.0], [2.0, -INF, 2.0]]), 1], check_conditioning=False)
        f.case("transposed", op, [T(f.randn(4, 3), [["t"]]), 1])
        f.case("view_of_view", op, [T(f.randn(3, 4, 5), [["permute", [2, 0, 1]], ["slice", 0, 0, 5, 2]]), 1])
        f.case("float64", op, [T(f.randn(2, 3, dtype=torch.float64)), 1])


def glu(f: Family) -> None:
    T = f.input
    f.case("default_dim", "glu", [T(f.randn(3, 4))])
    f.case("dim_0", "glu", [T(f.randn(4, 3)), 0])
    f.case("negative_dim_3d", "glu", [T(f.randn(2, 6, 3)), -2])
    f.case("transposed", "glu", [T(f.randn(4, 3), [["t"]]), 1])
    f.case("one_dim", "glu", [T(f.randn(2)), 0])
    f.case("odd_size_raises", "glu", [T(f.randn(3, 5))], raises=True)


def build() -> Family:
    f = Family("activation", seed=4)
    elementwise(f)
    softmaxes(f)
    glu(f)
    return f
