"""Views (ops/views.ts) and casts (ops/cast.ts) as ops of their own, with their gradients."""

from __future__ import annotations

import torch

from fixture import Family


def views(f: Family) -> None:
    T = f.input
    r = f.randn
    transposed = lambda *shape: T(r(*shape), [["t"]])
    f.case("merge_dims", "reshape", [T(r(2, 3, 4)), [6, 4]])
    f.case("inferred_size", "reshape", [T(r(2, 3, 4)), [-1, 3]])
    f.case("to_zero_dim", "reshape", [T(r(1, 1)), []])
    f.case("from_zero_dim", "reshape", [T(r()), [1, 1, 1]])
    f.case("non_contiguous_copies", "reshape", [transposed(3, 4), [12]])
    f.case("expanded", "reshape", [T(r(3, 1), [["expand", [3, 4]]]), [2, 6]])
    f.case("size_mismatch_raises", "reshape", [T(r(2, 3)), [4, 2]], raises=True)
    f.case("split_dim", "view", [T(r(6, 4)), [2, 3, 4]])
    f.case("inferred_size", "view", [T(r(6, 4)), [3, -1]])
    f.case("zero_dim_to_1x1", "view", [T(r()), [1, 1]])
    f.case("step_slice_compatible", "view", [T(r(4, 6), [["slice", 0, 0, 4, 2]]), [2, 2, 3]])
    f.case("transposed_incompatible_raises", "view", [transposed(3, 4), [12]], raises=True)
    f.case("all", "flatten", [T(r(2, 3, 4))])
    f.case("start_dim", "flatten", [T(r(2, 3, 4)), 1])
    f.case("start_end_dim", "flatten", [T(r(2, 3, 4, 5)), 1, 2])
    f.case("zero_dim", "flatten", [T(r())])
    f.case("transposed", "flatten", [transposed(3, 4)])
    f.case("3d", "permute", [T(r(2, 3, 4)), [2, 0, 1]])
    f.case("negative_dims", "permute", [T(r(2, 3, 4)), [-1, -3, -2]])
    f.case("repeated_dim_raises", "permute", [T(r(2, 3)), [0, 0]], raises=True)
    f.case("2d", "transpose", [T(r(2, 3)), 0, 1])
    f.case("negative_dims_3d", "transpose", [T(r(2, 3, 4)), -1, 0])
    f.case("same_dim", "transpose", [T(r(2, 3)), 1, 1])
    f.case("2d", "t", [T(r(2, 3))])
    f.case("1d", "t", [T(r(3))])
    f.case("3d_raises", "t", [T(r(2, 3, 4))], raises=True)
    f.case("all", "squeeze", [T(r(1, 3, 1, 2))])
    f.case("dim", "squeeze", [T(r(1, 3, 1, 2)), 2])
    f.case("dim_not_size_1", "squeeze", [T(r(1, 3, 1, 2)), 1])
    f.case("dim_list", "squeeze", [T(r(1, 3, 1, 2)), [0, -2]])
    f.case("leading", "unsqueeze", [T(r(2, 3)), 0])
    f.case("trailing", "unsqueeze", [T(r(2, 3)), 2])
    f.case("negative", "unsqueeze", [T(r(2, 3)), -1])
    f.case("zero_dim", "unsqueeze", [T(r()), 0])
    f.case("out_of_range_raises", "unsqueeze", [T(r(2, 3)), 3], raises=True)
    f.case("size_1_dims", "expand", [T(r(3, 1)), [3, 4]])
    f.case("new_leading_dims", "expand", [T(r(3)), [2, 4, 3]])
    f.case("minus_one_keeps", "expand", [T(r(1, 3)), [5, -1]])
    f.case("zero_dim", "expand", [T(r()), [2, 3]])
    f.case("expand_of_expand", "expand", [T(r(1, 3), [["expand", [2, 3]], ["unsqueeze", 0]]), [4, 2, 3]])
    f.case("non_size_1_raises", "expand", [T(r(2, 3)), [4, 3]], raises=True)
    f.case("other_shape", "expandAs", [T(r(3, 1)), T(r(2, 3, 4))])
    f.case("middle", "narrow", [T(r(4, 5)), 1, 1, 3])
    f.case("negative_dim", "narrow", [T(r(4, 5)), -2, 2, 2])
    f.case("transposed", "narrow", [transposed(4, 5), 0, 0, 2])
    f.case("past_end_raises", "narrow", [T(r(4)), 0, 2, 3], raises=True)
    f.case("defaults", "slice", [T(r(4, 5)), 1])
    f.case("start_end", "slice", [T(r(6, 2)), 0, 1, 4])
    f.case("step", "slice", [T(r(7, 2)), 0, 0, 7, 3])
    f.case("negative_start_end", "slice", [T(r(6)), 0, -4, -1])
    f.case("end_past_size", "slice", [T(r(5)), 0, 2, 100])
    f.case("slice_of_slice", "slice", [T(r(9, 2), [["slice", 0, 1, 9, 2]]), 0, 1, 4, 2])
    f.case("middle", "select", [T(r(3, 4)), 0, 1])
    f.case("negative_index", "select", [T(r(3, 4)), 1, -1])
    f.case("to_zero_dim", "select", [T(r(3)), 0, 2])
    f.case("out_of_range_raises", "select", [T(r(3, 4)), 0, 3], raises=True)


def casts(f: Family) -> None:
    T = f.input
    r = f.randn
    f.case("transposed", "contiguous", [T(r(3, 4), [["t"]])])
    f.case("expanded", "contiguous", [T(r(3, 1), [["expand", [3, 4]]])])
    f.case("already_contiguous", "contiguous", [T(r(2, 3))])
    f.case("float", "clone", [T(r(2, 3))])
    f.case("step_slice", "clone", [T(r(6, 2), [["slice", 0, 0, 6, 2]])])
    f.case("int32", "clone", [T(f.randint(-9, 9, 4))], grad=False)
    fractional = [-2.7, -1.5, -0.5, 0.0, 0.5, 1.5, 2.7, 100.25]
    f.case("float32_to_float64", "to", [T(r(2, 3)), "float64"])
    f.case("float64_to_float32", "to", [T(r(2, 3, dtype=torch.float64)), "float32"])
    f.case("float32_to_int32_truncates", "to", [T(fractional), "int32"], grad=False)
    f.case("float32_to_bool", "to", [T([0.0, -0.0, 0.5, -2.0, float("nan"), float("inf")]), "bool"], grad=False)
    f.case("int32_to_float32", "to", [T(f.randint(-9, 9, 5)), "float32"], grad=False)
    f.case("int32_to_bool", "to", [T(torch.tensor([0, 1, -3])), "bool"], grad=False)
    f.case("bool_to_float32", "to", [T(f.randbool(4)), "float32"], grad=False)
    f.case("bool_to_int32", "to", [T(f.randbool(4)), "int32"], grad=False)
    f.case("same_dtype", "to", [T(r(3)), "float32"])
    f.case("transposed", "to", [T(r(3, 2), [["t"]]), "float64"])
    f.case("from_int32", "float", [T(f.randint(-9, 9, 3))], grad=False)
    f.case("from_float32", "double", [T(r(3))])
    f.case("from_float32_truncates", "int", [T(fractional)], grad=False)
    f.case("from_int32", "bool", [T(torch.tensor([0, 2]))], grad=False)


def build() -> Family:
    f = Family("views", seed=10)
    views(f)
    casts(f)
    return f
