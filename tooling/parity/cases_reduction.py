"""Reductions (ops/reduction.ts): sums, products, extrema, arg-extrema, moments, norms."""

from __future__ import annotations

import torch

from fixture import Family

NAN = float("nan")
INF = float("inf")


def dim_layouts(f: Family, op: str, make, *, int_ok: bool, bool_ok: bool) -> None:
    """Shapes, dims, keepdim and layouts every dim-reduction gets."""
    T = f.input
    f.case("all_elements", op, [T(make(3, 4))])
    f.case("all_elements_3d", op, [T(make(2, 3, 4))])
    f.case("dim_0", op, [T(make(3, 4)), 0])
    f.case("dim_1_keepdim", op, [T(make(3, 4)), 1, True])
    f.case("negative_dim", op, [T(make(2, 3, 4)), -2])
    f.case("dim_list", op, [T(make(2, 3, 4)), [0, 2]])
    f.case("dim_list_keepdim", op, [T(make(2, 3, 4)), [0, -1], True])
    f.case("dim_list_all", op, [T(make(2, 3)), [0, 1]])
    f.case("zero_dim_input", op, [T(make())])
    f.case("zero_dim_input_dim_0", op, [T(make()), 0])
    f.case("one_element", op, [T(make(1)), 0, True])
    f.case("transposed", op, [T(make(3, 4), [["t"]]), 1])
    f.case("expanded", op, [T(make(3, 1), [["expand", [3, 5]]]), 1])
    f.case("view_of_view", op, [T(make(4, 3, 5), [["permute", [2, 0, 1]], ["slice", 0, 1, 5, 2], ["narrow", 2, 1, 2]]), [0, 2]])
    if int_ok:
        f.case("int32", op, [T(f.randint(-5, 6, 3, 4))], grad=False)
        f.case("int32_dim", op, [T(f.randint(-5, 6, 3, 4)), 1, True], grad=False)
    if bool_ok:
        f.case("bool_dim", op, [T(f.randbool(3, 4)), 0], grad=False)


def sums(f: Family) -> None:
    T = f.input
    randn = lambda *shape: f.randn(*shape)
    for op in ("sum", "mean"):
        dim_layouts(f, op, randn, int_ok=op == "sum", bool_ok=op == "sum")
        f.case("float64", op, [T(f.randn(3, 4, dtype=torch.float64)), 1])
        f.case("empty_dim", op, [T(torch.zeros(0, 3)), 0], check_conditioning=False)
    f.case("bool_all", "sum", [T(f.randbool(5))], grad=False)
    f.case("int32_raises", "mean", [T(f.randint(0, 5, 4))], raises=True)
    around_one = lambda *shape: f.uniform(*shape, low=0.5, high=1.5) * torch.where(f.randbool(*shape), 1.0, -1.0)
    dim_layouts(f, "prod", around_one, int_ok=True, bool_ok=False)
    f.case("one_zero", "prod", [T([2.0, 0.0, 3.0, -1.5])])
    f.case("two_zeros", "prod", [T([2.0, 0.0, 3.0, 0.0])])
    f.case("zeros_along_dim", "prod", [T([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0], [1.5, 2.0, -1.0]]), 1])
    f.case("empty_dim", "prod", [T(torch.zeros(0, 3)), 0], check_conditioning=False)


def extrema(f: Family) -> None:
    T = f.input
    randn = lambda *shape: f.randn(*shape)
    ties = [[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 2.0, -1.0, 2.0]]
    for op in ("amax", "amin", "logsumexp"):
        dim_layouts(f, op, randn, int_ok=op != "logsumexp", bool_ok=False)
        f.case("ties_all", op, [T(ties)])
        f.case("ties_dim", op, [T(ties), 1])
    f.case("large_magnitudes", "logsumexp", [T([[1000.0, 1000.0, -1000.0], [-1e4, 0.0, 88.0]]), 1])
    f.case("negative_infinity_entries", "logsumexp", [T([[-INF, 0.0, 1.0], [-INF, -INF, 2.0]]), 1])
    f.case("large_all", "logsumexp", [T([100.0, 200.0, 300.0])])
    f.case("nan_propagates", "amax", [T([[1.0, NAN, 3.0], [0.0, 1.0, 2.0]]), 1], check_conditioning=False)
    f.case("nan_propagates", "amin", [T([[1.0, NAN, 3.0], [0.0, 1.0, 2.0]]), 1], check_conditioning=False)
    for op in ("max", "min"):
        f.case("all_elements", op, [T(f.randn(3, 4))])
        f.case("all_elements_ties", op, [T(ties)])
        f.case("zero_dim_input", op, [T(f.randn())])
        f.case("dim", op, [T(f.randn(3, 4)), 1])
        f.case("dim_keepdim", op, [T(f.randn(2, 3, 4)), 0, True])
        f.case("negative_dim", op, [T(f.randn(2, 3, 4)), -1])
        f.case("dim_ties", op, [T(ties), 1])
        f.case("transposed_dim", op, [T(f.randn(3, 4), [["t"]]), 0])
        f.case("nan_propagates", op, [T([[1.0, NAN, 3.0], [0.0, 1.0, 2.0]])], check_conditioning=False)
        f.case("int32", op, [T(f.randint(-9, 9, 3, 4))], grad=False)
        f.case("int32_dim", op, [T(f.randint(-9, 9, 3, 4)), 0], grad=False)
        f.case("bool", op, [T(f.randbool(6))], grad=False)
    for op in ("maxWithIndices", "minWithIndices"):
        f.case("dim_1", op, [T(f.randn(3, 4)), 1])
        f.case("dim_0_keepdim", op, [T(f.randn(3, 4)), 0, True])
        f.case("negative_dim_3d", op, [T(f.randn(2, 3, 4)), -2])
        f.case("ties_first_index", op, [T(ties), 1])
        f.case("zero_dim_input", op, [T(f.randn()), 0])
        f.case("non_contiguous", op, [T(f.randn(4, 6), [["slice", 1, 0, 6, 2], ["t"]]), 1, True])
        f.case("int32", op, [T(f.randint(-3, 3, 3, 5)), 1], grad=False)
        f.case("nan", op, [T([[1.0, NAN, 3.0], [0.0, 1.0, 2.0]]), 1], check_conditioning=False)
    for op in ("argmax", "argmin"):
        f.case("all_elements", op, [T(f.randn(3, 4))], grad=False)
        f.case("all_elements_transposed", op, [T(f.randn(3, 4), [["t"]])], grad=False)
        f.case("dim_1", op, [T(f.randn(3, 4)), 1], grad=False)
        f.case("dim_0_keepdim", op, [T(f.randn(3, 4)), 0, True], grad=False)
        f.case("negative_dim", op, [T(f.randn(2, 3, 4)), -1], grad=False)
        f.case("ties_first_index", op, [T(ties), 1], grad=False)
        f.case("ties_all_elements", op, [T(ties)], grad=False)
        f.case("zero_dim_input", op, [T(f.randn())], grad=False)
        f.case("int32", op, [T(f.randint(-3, 3, 3, 5)), 0], grad=False)
        f.case("nan_wins", op, [T([1.0, NAN, 3.0, NAN])], grad=False)
        f.case("expanded", op, [T(f.randn(3, 1), [["expand", [3, 4]]]), 1], grad=False)


def moments(f: Family) -> None:
    T = f.input
    for op in ("var", "std"):
        f.case("all_elements", op, [T(f.randn(3, 4))])
        f.case("all_elements_correction_0", op, [T(f.randn(3, 4)), None, {"correction": 0}])
        f.case("dim_1", op, [T(f.randn(3, 4)), 1])
        f.case("dim_0_correction_0_keepdim", op, [T(f.randn(3, 4)), 0, {"correction": 0, "keepdim": True}])
        f.case("dim_1_correction_1_keepdim", op, [T(f.randn(3, 4)), 1, {"correction": 1, "keepdim": True}])
        f.case("correction_2", op, [T(f.randn(6)), 0, {"correction": 2}])
        f.case("dim_list", op, [T(f.randn(2, 3, 4)), [0, 2]])
        f.case("dim_list_keepdim_correction_0", op, [T(f.randn(2, 3, 4)), [-1, 0], {"correction": 0, "keepdim": True}])
        f.case("transposed", op, [T(f.randn(3, 4), [["t"]]), 1])
        f.case("expanded", op, [T(f.randn(3, 1), [["expand", [3, 5]]]), 0])
        f.case("single_element_correction_1", op, [T(f.randn(1, 3)), 0], check_conditioning=False)
        f.case("single_element_correction_0", op, [T(f.randn(1, 3)), 0, {"correction": 0}])
        f.case("constant", op, [T(torch.full((2, 4), 1.5)), 1], check_conditioning=False)
        f.case("float64", op, [T(f.randn(3, 4, dtype=torch.float64)), 1])
        f.case("mean_far_from_zero", op, [T(f.randn(8) + 10), 0])


def logical_and_norms(f: Family) -> None:
    T = f.input
    for op in ("all", "any"):
        f.case("bool", op, [T(torch.tensor([True, True, False]))], grad=False)
        f.case("bool_all_true", op, [T(torch.tensor([True, True]))], grad=False)
        f.case("bool_all_false", op, [T(torch.tensor([False, False]))], grad=False)
        f.case("float", op, [T([1.0, NAN, -0.0])], grad=False)
        f.case("int32", op, [T(torch.tensor([[1, 2], [0, 3]]))], grad=False)
        f.case("dim", op, [T(torch.tensor([[True, False], [True, True]])), 1], grad=False)
        f.case("dim_keepdim", op, [T(torch.tensor([[True, False], [False, False]])), 0, True], grad=False)
        f.case("zero_dim", op, [T(torch.tensor(False))], grad=False)
        f.case("transposed", op, [T(f.randbool(3, 4), [["t"]]), 1], grad=False)
    T3 = lambda: T(f.randn(2, 3, 4))
    f.case("default_p2_all", "norm", [T(f.randn(3, 4))])
    f.case("p1_all", "norm", [T(f.randn(3, 4)), 1])
    f.case("p3_all", "norm", [T(f.randn(3, 4)), 3])
    f.case("p_half", "norm", [T(f.randn(5)), 0.5])
    f.case("p_infinity", "norm", [T(f.randn(3, 4)), INF])
    f.case("p_infinity_ties", "norm", [T([[1.0, -3.0], [3.0, 2.0]]), INF])
    f.case("p2_dim", "norm", [T3(), 2, 1])
    f.case("p2_dim_keepdim", "norm", [T3(), 2, -1, True])
    f.case("p1_dim_list", "norm", [T3(), 1, [0, 2]])
    f.case("p2_dim_list_keepdim", "norm", [T3(), 2, [1, 2], True])
    f.case("p2_zero_vector", "norm", [T([[0.0, 0.0], [3.0, 4.0]]), 2, 1])
    f.case("p1_with_zeros", "norm", [T([0.0, -2.0, 0.0, 1.0]), 1])
    f.case("transposed", "norm", [T(f.randn(3, 4), [["t"]]), 2, 0])
    f.case("zero_dim_input", "norm", [T(f.randn())])


def build() -> Family:
    f = Family("reduction", seed=3)
    sums(f)
    extrema(f)
    moments(f)
    logical_and_norms(f)
    return f
