"""Comparisons and logical ops (ops/comparison.ts); none is differentiable."""

from __future__ import annotations

import torch

from fixture import Family

NAN = float("nan")
INF = float("inf")


def build() -> Family:
    f = Family("comparison", seed=2)
    T = f.input
    # Small integers stored as floats so equal elements actually occur.
    grid = lambda *shape: f.randint(-2, 3, *shape).float()
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        f.case("same_shape", op, [T(grid(3, 4)), T(grid(3, 4))], grad=False)
        f.case("broadcast", op, [T(grid(3, 1)), T(grid(1, 4))], grad=False)
        f.case("scalar", op, [T(grid(2, 3)), 1], grad=False)
        f.case("scalar_float", op, [T(grid(2, 3)), 0.5], grad=False)
        f.case("zero_dim", op, [T(grid()), T(grid(4))], grad=False)
        f.case("transposed", op, [T(grid(4, 3), [["t"]]), T(grid(3, 4), [["slice", 0, 0, 3, 1]])], grad=False)
        f.case("nan_and_infinity", op, [T([NAN, NAN, INF, -INF, 1.0]), T([NAN, 1.0, INF, INF, NAN])], grad=False)
        f.case("int32", op, [T(f.randint(-2, 3, 6)), T(f.randint(-2, 3, 6))], grad=False)
        f.case("int32_float32", op, [T(f.randint(-2, 3, 6)), T([-1.5, -1.0, 0.0, 0.5, 1.0, 2.0])], grad=False)
        f.case("int32_scalar_float", op, [T(f.randint(-2, 3, 6)), 0.5], grad=False)
        f.case("bool_bool", op, [T(torch.tensor([True, True, False, False])), T(torch.tensor([True, False, True, False]))], grad=False)
    bools_a = torch.tensor([True, True, False, False])
    bools_b = torch.tensor([True, False, True, False])
    for op in ("logicalAnd", "logicalOr"):
        f.case("bool", op, [T(bools_a), T(bools_b)], grad=False)
        f.case("float_truthiness", op, [T([0.0, -0.0, 2.0, NAN]), T([1.0, 0.0, 0.0, 0.0])], grad=False)
        f.case("int32", op, [T(torch.tensor([0, 3, -1, 0])), T(torch.tensor([5, 0, 2, 0]))], grad=False)
        f.case("broadcast_mixed", op, [T(torch.tensor([[True], [False]])), T([0.0, 1.5, -2.0])], grad=False)
        f.case("non_contiguous", op, [T(f.randbool(3, 2), [["t"]]), T(f.randbool(2, 3))], grad=False)
    f.case("bool", "logicalNot", [T(bools_a)], grad=False)
    f.case("float", "logicalNot", [T([0.0, -0.0, 2.0, NAN, INF])], grad=False)
    f.case("int32", "logicalNot", [T(torch.tensor([0, 1, -4]))], grad=False)
    f.case("zero_dim", "logicalNot", [T(torch.tensor(0.0))], grad=False)
    f.case("transposed", "logicalNot", [T(grid(2, 3), [["t"]])], grad=False)
    specials = [NAN, INF, -INF, 0.0, -1.5, 3e38]
    for op in ("isnan", "isfinite"):
        f.case("specials", op, [T(specials)], grad=False)
        f.case("int32", op, [T(torch.tensor([0, 7, -3]))], grad=False)
        f.case("bool", op, [T(bools_a)], grad=False)
        f.case("zero_dim", op, [T(torch.tensor(NAN))], grad=False)
        f.case("strided", op, [T([NAN, 1.0, INF, 2.0, NAN, -INF], [["slice", 0, 1, 6, 2]])], grad=False)
    x = f.randn(2, 3)
    f.case("identical", "equal", [T(x.clone()), T(x.clone())], grad=False)
    f.case("one_element_differs", "equal", [T(x.clone()), T(x.clone().index_put_((torch.tensor(1), torch.tensor(2)), torch.tensor(9.0)))], grad=False)
    f.case("different_shapes", "equal", [T(x.clone()), T(x.reshape(3, 2).clone())], grad=False)
    f.case("broadcastable_shapes_are_not_equal", "equal", [T(torch.ones(2, 3)), T(torch.ones(3))], grad=False)
    f.case("transposed_equal_values", "equal", [T(x.t().contiguous(), [["t"]]), T(x.clone())], grad=False)
    f.case("nan_is_not_equal", "equal", [T([NAN, 1.0]), T([NAN, 1.0])], grad=False)
    f.case("int32", "equal", [T(torch.tensor([1, 2, 3])), T(torch.tensor([1, 2, 3]))], grad=False)
    f.case("zero_dim", "equal", [T(torch.tensor(2.0)), T(torch.tensor(2.0))], grad=False)
    close_pair = (torch.tensor([1.0, 100.0, 0.0]), torch.tensor([1.0 + 2e-5, 100.0 + 5e-4, 5e-9]))
    f.case("default_tolerances_close", "allclose", [T(close_pair[0]), T(close_pair[1])], grad=False)
    f.case("default_tolerances_far", "allclose", [T([1.0, 2.0]), T([1.0, 2.001])], grad=False)
    f.case("rtol_option", "allclose", [T([1.0, 2.0]), T([1.0, 2.001]), {"rtol": 1e-3}], grad=False)
    f.case("atol_option", "allclose", [T([0.0, 1.0]), T([0.01, 1.0]), {"atol": 0.02, "rtol": 0}], grad=False)
    f.case("atol_option_too_small", "allclose", [T([0.0, 1.0]), T([0.01, 1.0]), {"atol": 0.005, "rtol": 0}], grad=False)
    f.case("broadcast", "allclose", [T(torch.ones(2, 3)), T(torch.ones(3))], grad=False)
    f.case("nan_not_close", "allclose", [T([NAN]), T([NAN])], grad=False)
    f.case("equal_infinities_close", "allclose", [T([INF, -INF]), T([INF, -INF])], grad=False)
    f.case("opposite_infinities", "allclose", [T([INF]), T([-INF])], grad=False)
    f.case("non_contiguous", "allclose", [T(x.t().contiguous(), [["t"]]), T(x.clone())], grad=False)
    return f
