"""Elementwise ops (ops/elementwise.ts): arithmetic, unary math, clamp, where."""

from __future__ import annotations

import torch

from fixture import Family

NAN = float("nan")
INF = float("inf")


def binary_layouts(f: Family, op: str, make=None) -> None:
    """Shapes, broadcasting and non-contiguous layouts every binary op gets."""
    make = make or (lambda *shape: f.randn(*shape))
    T = f.input
    f.case("same_shape", op, [T(make(2, 3)), T(make(2, 3))])
    f.case("broadcast_3x1_with_4", op, [T(make(3, 1)), T(make(4))])
    f.case("broadcast_2x1x4_with_3x1", op, [T(make(2, 1, 4)), T(make(3, 1))])
    f.case("broadcast_rank_1_with_2x3", op, [T(make(3)), T(make(2, 3))])
    f.case("zero_dim_with_2x3", op, [T(make()), T(make(2, 3))])
    f.case("2x3_with_zero_dim", op, [T(make(2, 3)), T(make())])
    f.case("both_zero_dim", op, [T(make()), T(make())])
    f.case("one_element_with_2x3", op, [T(make(1)), T(make(2, 3))])
    f.case("transposed_with_contiguous", op, [T(make(3, 2), [["transpose", 0, 1]]), T(make(2, 3))])
    f.case("step_slice_with_transposed", op, [T(make(4, 6), [["slice", 1, 0, 6, 2]]), T(make(3, 4), [["t"]])])
    f.case("expanded_view", op, [T(make(3, 1), [["expand", [3, 4]]]), T(make(3, 4))])
    f.case(
        "view_of_view",
        op,
        [T(make(2, 3, 4), [["permute", [2, 0, 1]], ["slice", 0, 1, 4, 2], ["select", 2, 1]]), T(make(2, 2), [["t"]])],
    )
    f.case("narrow_unsqueeze", op, [T(make(5, 3), [["narrow", 0, 1, 3], ["unsqueeze", 0]]), T(make(2, 1, 1))])
    shared = T(make(2, 3))
    f.case("same_input_twice", op, [shared, shared])


def arithmetic(f: Family) -> None:
    T = f.input
    for op in ("add", "sub", "mul", "div"):
        binary_layouts(f, op)
        f.case("scalar_int", op, [T(f.randn(2, 3)), 2])
        f.case("scalar_float", op, [T(f.randn(2, 3)), 2.5])
        f.case("scalar_zero_dim", op, [T(f.randn()), -1.5])
        f.case("int32_int32", op, [T(f.randint(1, 9, 2, 3)), T(f.randint(1, 9, 3))], grad=False)
        f.case("int32_scalar_int", op, [T(f.randint(-9, 9, 2, 3)), 3], grad=False)
        f.case("int32_scalar_float", op, [T(f.randint(-9, 9, 2, 3)), 2.5], grad=False)
        f.case("int32_float32", op, [T(f.randint(-9, 9, 2, 3)), T(f.randn(3))])
        f.case("float32_int32", op, [T(f.randn(2, 3)), T(f.randint(1, 9, 2, 1))])
        if op == "sub":
            f.case("bool_bool_raises", op, [T(f.randbool(2, 3)), T(f.randbool(2, 3))], raises=True)
            f.case("bool_scalar_raises", op, [T(f.randbool(2, 3)), 2], raises=True)
        else:
            f.case("bool_scalar_int", op, [T(f.randbool(2, 3)), 2], grad=False)
            f.case("bool_scalar_float", op, [T(f.randbool(2, 3)), 2.5], grad=False)
            f.case("bool_int32", op, [T(f.randbool(2, 3)), T(f.randint(1, 9, 2, 3))], grad=False)
            f.case("bool_float32", op, [T(f.randbool(2, 3)), T(f.randn(2, 3))])
        f.case("float64_float32", op, [T(f.randn(2, 3, dtype=torch.float64)), T(f.randn(3))])
        f.case("float32_scalar_float64_zero_dim", op, [T(f.randn(2, 3)), T(f.randn(dtype=torch.float64))])
    for op in ("add", "mul"):
        f.case("bool_bool", op, [T(f.randbool(2, 3)), T(f.randbool(2, 3))], grad=False)
    f.case("alpha_2", "add", [T(f.randn(2, 3)), T(f.randn(3)), {"alpha": 2}])
    f.case("alpha_negative_half", "add", [T(f.randn(2, 3)), T(f.randn(2, 3)), {"alpha": -0.5}])
    f.case("alpha_scalar_other", "add", [T(f.randn(2, 3)), 3, {"alpha": 2}])
    f.case("alpha_int32", "add", [T(f.randint(-9, 9, 4)), T(f.randint(-9, 9, 4)), {"alpha": 3}], grad=False)
    f.case("alpha_2", "sub", [T(f.randn(2, 3)), T(f.randn(3)), {"alpha": 2}])
    f.case("alpha_0_25", "sub", [T(f.randn(2, 3)), T(f.randn(2, 1)), {"alpha": 0.25}])
    f.case("alpha_int32", "sub", [T(f.randint(-9, 9, 4)), T(f.randint(-9, 9, 4)), {"alpha": 2}], grad=False)
    # Division by zero: +-Infinity and NaN, in the result and the gradients.
    f.case("by_zero", "div", [T([1.0, -1.0, 0.0, 2.0]), T([0.0, 0.0, 0.0, -0.0])], check_conditioning=False)
    f.case("int32_true_division_by_zero", "div", [T(torch.tensor([1, -1, 0])), 0], grad=False)
    for mode in ("trunc", "floor"):
        negatives = T([-7.5, -7.0, -0.5, 0.5, 7.0, 7.5])
        f.case(f"{mode}_float32", "div", [negatives, T([2.0, -2.0, 2.0, -2.0, 3.0, 0.5]), {"roundingMode": mode}])
        f.case(f"{mode}_broadcast", "div", [T(f.randn(3, 4, scale=4)), T(f.randn(4)), {"roundingMode": mode}])
        f.case(f"{mode}_scalar", "div", [T(f.randn(2, 3, scale=4)), 0.75, {"roundingMode": mode}])
        ints = T(torch.tensor([-7, -6, -1, 0, 1, 6, 7]))
        f.case(f"{mode}_int32", "div", [ints, T(torch.tensor([2, -2, 2, 3, -3, 4, -4])), {"roundingMode": mode}], grad=False)
        f.case(f"{mode}_int32_scalar", "div", [ints, 2, {"roundingMode": mode}], grad=False)
        f.case(f"{mode}_int32_negative_scalar", "div", [ints, -3, {"roundingMode": mode}], grad=False)


def powers(f: Family) -> None:
    T = f.input
    positive = lambda *shape: f.uniform(*shape, low=0.5, high=2.0)
    binary_layouts(f, "pow", positive)
    f.case("scalar_exponent_2", "pow", [T(f.randn(2, 3)), 2])
    f.case("scalar_exponent_3_negative_base", "pow", [T(f.randn(2, 3)), 3])
    f.case("scalar_exponent_half", "pow", [T(positive(2, 3)), 0.5])
    f.case("scalar_exponent_minus_1", "pow", [T(positive(2, 3)), -1])
    f.case("scalar_exponent_minus_2_5", "pow", [T(positive(2, 3)), -2.5])
    f.case("scalar_exponent_0", "pow", [T(f.randn(2, 3)), 0])
    f.case("scalar_exponent_1", "pow", [T(f.randn(2, 3)), 1])
    f.case("zero_base_scalar_exponent", "pow", [T([0.0, 0.0, 1.0]), 2.5])
    f.case("zero_base_tensor_exponent", "pow", [T([0.0, 0.0, 0.0, 2.0]), T([0.0, 1.0, 2.5, 0.0])])
    f.case("negative_base_fractional_exponent", "pow", [T([-2.0, -0.5, 2.0]), T([0.5, 2.0, 0.5])], check_conditioning=False)
    f.case("scalar_base", "pow", [2, T(f.randn(2, 3))])
    f.case("scalar_base_fractional", "pow", [0.5, T(f.randn(4))])
    f.case("int32_scalar_exponent", "pow", [T(f.randint(-4, 5, 2, 3)), 2], grad=False)
    f.case("int32_int32", "pow", [T(f.randint(-4, 5, 6)), T(f.randint(0, 4, 6))], grad=False)
    f.case("int32_float_exponent", "pow", [T(f.randint(1, 9, 5)), 0.5], grad=False)
    f.case("int32_base_float32_exponent", "pow", [T(f.randint(1, 5, 5)), T(f.randn(5))])
    f.case("float32_base_int32_exponent", "pow", [T(f.randn(5)), T(f.randint(0, 4, 5))])


def extrema(f: Family) -> None:
    T = f.input
    for op in ("maximum", "minimum"):
        binary_layouts(f, op)
        f.case("ties", op, [T([1.0, 2.0, -3.0, 0.0]), T([1.0, 1.0, -3.0, -0.0])])
        f.case("nan_propagates", op, [T([NAN, 1.0, 2.0]), T([0.0, NAN, 1.0])], check_conditioning=False)
        f.case("infinities", op, [T([INF, -INF, 1.0]), T([0.0, 0.0, -INF])], check_conditioning=False)
        f.case("int32", op, [T(f.randint(-5, 5, 2, 3)), T(f.randint(-5, 5, 3))], grad=False)
        f.case("int32_float32", op, [T(f.randint(-3, 3, 4)), T(f.randn(4, scale=2))])
        f.case("bool_bool", op, [T(f.randbool(5)), T(f.randbool(5))], grad=False)


UNARY_DOMAINS = {
    "neg": (-3.0, 3.0),
    "exp": (-3.0, 3.0),
    "log": (0.1, 5.0),
    "log2": (0.1, 5.0),
    "log1p": (-0.9, 5.0),
    "expm1": (-3.0, 3.0),
    "sqrt": (0.1, 5.0),
    "rsqrt": (0.1, 5.0),
    "abs": (-3.0, 3.0),
    "sign": (-3.0, 3.0),
    "reciprocal": (0.2, 3.0),
    "square": (-3.0, 3.0),
    "sin": (-4.0, 4.0),
    "cos": (-4.0, 4.0),
    "floor": (-4.0, 4.0),
    "ceil": (-4.0, 4.0),
    "round": (-4.0, 4.0),
    "trunc": (-4.0, 4.0),
}

UNARY_EDGES = {
    "neg": [0.0, -0.0, INF, NAN],
    "exp": [-100.0, 0.0, 10.0, 89.0, -INF, INF, NAN],
    "log": [0.0, -1.0, 1.0, 1e-30, INF, NAN],
    "log2": [0.0, -1.0, 1.0, 1024.0, INF],
    "log1p": [-1.0, -2.0, 0.0, 1e-7, -1e-7, INF],
    "expm1": [0.0, 1e-7, -1e-7, -100.0, 10.0, 89.0],
    "sqrt": [0.0, -1.0, 1e-20, 4.0, INF],
    "rsqrt": [0.0, -1.0, 4.0, INF],
    "abs": [0.0, -0.0, -INF, NAN, 3.0],
    "sign": [0.0, -0.0, -INF, INF, NAN],
    "reciprocal": [0.0, -0.0, INF, -INF, 1e-30],
    "square": [0.0, 1e20, -1e20, NAN],
    "sin": [0.0, 100.0, -100.0, INF],
    "cos": [0.0, 100.0, -100.0, INF],
    "floor": [-0.5, 0.5, -0.0, 2.0, -2.0, INF, NAN],
    "ceil": [-0.5, 0.5, -0.0, 2.0, -2.0, -INF, NAN],
    "round": [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.4, 0.6],
    "trunc": [-2.7, -0.5, 0.5, 2.7, -0.0, INF],
}

INT_OUTPUT_UNARY = {"neg", "abs", "sign", "square", "floor", "ceil", "round", "trunc"}


def unary(f: Family) -> None:
    T = f.input
    for op, (low, high) in UNARY_DOMAINS.items():
        sample = lambda *shape: f.uniform(*shape, low=low, high=high)
        f.case("2x3", op, [T(sample(2, 3))])
        f.case("zero_dim", op, [T(sample())])
        f.case("one_element", op, [T(sample(1))])
        f.case("transposed_3d", op, [T(sample(2, 3, 4), [["transpose", 0, 2]])])
        f.case("step_slice_of_expand", op, [T(sample(3, 1), [["expand", [3, 5]], ["slice", 1, 1, 5, 2]])])
        f.case("edge_values", op, [T(UNARY_EDGES[op])], check_conditioning=False)
        f.case("int32", op, [T(f.randint(-5 if low < 0 else 1, 6, 2, 3))], grad=False)
    for op in ("neg", "abs", "sign", "square", "exp"):
        f.case("float64", op, [T(f.randn(2, 2, dtype=torch.float64))])
    f.case("bool", "sign", [T(f.randbool(5))], grad=False)
    f.case("bool", "exp", [T(f.randbool(5))], grad=False)
    f.case("bool", "sqrt", [T(f.randbool(5))], grad=False)


def clamp(f: Family) -> None:
    T = f.input
    x = lambda: T(f.randn(3, 4))
    f.case("options_min_max", "clamp", [x(), {"min": -0.5, "max": 0.5}])
    f.case("options_min_only", "clamp", [x(), {"min": 0.1}])
    f.case("options_max_only", "clamp", [x(), {"max": -0.2}])
    f.case("positional_min_max", "clamp", [x(), -0.3, 0.7])
    f.case("positional_min_only", "clamp", [x(), 0])
    f.case("values_at_bounds", "clamp", [T([-1.0, -0.5, 0.0, 0.5, 1.0]), {"min": -0.5, "max": 0.5}])
    f.case("min_greater_than_max", "clamp", [x(), {"min": 0.5, "max": -0.5}])
    f.case("zero_dim", "clamp", [T(f.randn()), -0.1, 0.1])
    f.case("transposed", "clamp", [T(f.randn(4, 3), [["t"]]), {"min": -0.5, "max": 0.5}])
    f.case("nan_passes_through", "clamp", [T([NAN, 2.0, -2.0]), -1, 1], check_conditioning=False)
    f.case("tensor_min_max_broadcast", "clamp", [x(), {"min": T(f.randn(4, scale=0.5) - 0.5), "max": T(f.randn(3, 1, scale=0.5) + 0.5)}])
    f.case("tensor_min_only", "clamp", [x(), {"min": T(f.randn(3, 4))}])
    f.case("tensor_max_only", "clamp", [x(), {"max": T(f.randn(1, 4))}])
    f.case("tensor_bounds_positional", "clamp", [x(), T(f.randn(4) - 1), T(f.randn(4) + 1)])
    f.case("tensor_bounds_ties", "clamp", [T([0.0, 1.0, 2.0]), {"min": T([0.0, 0.0, 0.0]), "max": T([2.0, 1.0, 2.0])}])
    f.case("tensor_bounds_broadcast_input", "clamp", [T(f.randn(4)), {"min": T(f.randn(3, 1) - 0.5)}])
    f.case("int32", "clamp", [T(f.randint(-9, 9, 2, 5)), {"min": -3, "max": 4}], grad=False)
    f.case("int32_float_bound", "clamp", [T(f.randint(-9, 9, 6)), {"min": 0.5}], grad=False)
    f.case("int32_tensor_bounds", "clamp", [T(f.randint(-9, 9, 6)), T(f.randint(-5, 0, 6)), T(f.randint(0, 5, 6))], grad=False)


def where(f: Family) -> None:
    T = f.input
    f.case("same_shape", "where", [T(f.randbool(2, 3)), T(f.randn(2, 3)), T(f.randn(2, 3))])
    f.case("broadcast_all", "where", [T(f.randbool(3, 1)), T(f.randn(1, 4)), T(f.randn(2, 1, 1))])
    f.case("scalar_other", "where", [T(f.randbool(2, 3)), T(f.randn(2, 3)), 0.0])
    f.case("scalar_input", "where", [T(f.randbool(2, 3)), -1.5, T(f.randn(3))])
    f.case("zero_dim_condition", "where", [T(torch.tensor(True)), T(f.randn(2, 2)), T(f.randn(2, 2))])
    f.case("non_contiguous", "where", [T(f.randbool(3, 2), [["t"]]), T(f.randn(4, 3), [["slice", 0, 0, 4, 2]]), T(f.randn(3, 2), [["transpose", 0, 1]])])
    shared = T(f.randn(2, 3))
    f.case("same_input_both_branches", "where", [T(f.randbool(2, 3)), shared, shared])
    f.case("int32", "where", [T(f.randbool(5)), T(f.randint(-9, 9, 5)), T(f.randint(-9, 9, 5))], grad=False)
    f.case("int32_float32_promotes", "where", [T(f.randbool(5)), T(f.randint(-9, 9, 5)), T(f.randn(5))])
    f.case("int32_scalar_float_promotes", "where", [T(f.randbool(5)), T(f.randint(-9, 9, 5)), 2.5], grad=False)
    f.case("bool_branches", "where", [T(f.randbool(5)), T(f.randbool(5)), T(f.randbool(5))], grad=False)


def build() -> Family:
    f = Family("elementwise", seed=1)
    arithmetic(f)
    powers(f)
    extrema(f)
    unary(f)
    clamp(f)
    where(f)
    return f
