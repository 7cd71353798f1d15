"""Indexing (ops/indexing.ts): gather, scatter, scatterAdd, indexSelect, maskedFill, index."""

from __future__ import annotations

import torch

from fixture import Family

INF = float("inf")


def ints(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.int64)


def gather_scatter(f: Family) -> None:
    T = f.input
    r = f.randn
    f.case("dim_0", "gather", [T(r(3, 4)), 0, T(ints([[0, 1, 2, 0], [2, 2, 1, 0]]))])
    f.case("dim_1", "gather", [T(r(3, 4)), 1, T(ints([[3, 0], [1, 1], [0, 2]]))])
    f.case("negative_dim_3d", "gather", [T(r(2, 3, 4)), -1, T(f.randint(0, 4, 2, 3, 5))])
    f.case("index_smaller_than_input", "gather", [T(r(4, 5)), 1, T(ints([[4], [0]]))])
    f.case("repeated_indices", "gather", [T(r(2, 3)), 1, T(ints([[1, 1, 1, 1], [0, 2, 0, 2]]))])
    f.case("non_contiguous", "gather", [T(r(4, 3), [["t"]]), 1, T(ints([[0, 3], [1, 2], [3, 3], [0, 0]]), [["slice", 0, 0, 4, 2]])])
    f.case("one_dim", "gather", [T(r(5)), 0, T(ints([4, 0, 4]))])
    f.case("int32_input", "gather", [T(f.randint(-9, 9, 3, 3)), 0, T(ints([[2, 1, 0]]))], grad=False)
    f.case("index_out_of_range_raises", "gather", [T(r(2, 3)), 1, T(ints([[0, 3]]))], raises=True)

    f.case("duplicates_accumulate", "scatterAdd", [T(r(3, 4)), 0, T(ints([[0, 1, 2, 0], [0, 1, 2, 0], [2, 2, 2, 2]])), T(r(3, 4))])
    f.case("dim_1", "scatterAdd", [T(r(2, 5)), 1, T(ints([[4, 4, 0], [1, 3, 1]])), T(r(2, 3))])
    # PyTorch 1.13's backward rejects a src larger than the index, so forward only.
    f.case("src_larger_than_index", "scatterAdd", [T(r(3, 3)), 1, T(ints([[0], [2], [2]])), T(r(3, 4))], grad=False)
    f.case("one_dim", "scatterAdd", [T(torch.zeros(4)), 0, T(ints([1, 1, 3, 1])), T(r(4))])
    f.case("non_contiguous", "scatterAdd", [T(r(3, 4), [["t"]]), 0, T(ints([[0, 3, 1], [3, 3, 3]])), T(r(3, 2), [["t"]])])
    f.case("int32", "scatterAdd", [T(torch.zeros(3, dtype=torch.int64)), 0, T(ints([0, 0, 2])), T(ints([1, 2, 3]))], grad=False)
    f.case("index_out_of_range_raises", "scatterAdd", [T(r(3)), 0, T(ints([3])), T(r(1))], raises=True)

    f.case("src_tensor_dim_0", "scatter", [T(r(3, 4)), 0, T(ints([[2, 0, 1, 2]])), T(r(1, 4))])
    f.case("src_tensor_dim_1", "scatter", [T(r(2, 5)), 1, T(ints([[4, 0, 2], [1, 3, 0]])), T(r(2, 3))])
    f.case("src_larger_than_index", "scatter", [T(r(3, 3)), 1, T(ints([[0], [2], [1]])), T(r(3, 4))], grad=False)
    f.case("scalar_value", "scatter", [T(r(3, 4)), 1, T(ints([[0, 3], [1, 2], [2, 2]])), 5.5])
    f.case("non_contiguous", "scatter", [T(r(4, 3), [["t"]]), 1, T(ints([[3, 0], [2, 1], [0, 3]])), T(r(2, 3), [["t"]])])
    f.case("int32", "scatter", [T(torch.zeros(4, dtype=torch.int64)), 0, T(ints([3, 1])), T(ints([7, -2]))], grad=False)
    f.case("index_out_of_range_raises", "scatter", [T(r(3)), 0, T(ints([-1])), T(r(1))], raises=True)


def selects_and_masks(f: Family) -> None:
    T = f.input
    r = f.randn
    f.case("dim_0", "indexSelect", [T(r(4, 3)), 0, T(ints([3, 0, 2]))])
    f.case("dim_1", "indexSelect", [T(r(2, 5)), 1, T(ints([4, 4, 1]))])
    f.case("negative_dim_3d", "indexSelect", [T(r(2, 3, 4)), -2, T(ints([2, 0]))])
    f.case("repeated_indices", "indexSelect", [T(r(3)), 0, T(ints([1, 1, 1, 0]))])
    f.case("empty_index", "indexSelect", [T(r(3, 2)), 0, T(ints([]))])
    f.case("non_contiguous", "indexSelect", [T(r(3, 4), [["t"]]), 1, T(ints([2, 0]))])
    f.case("int32_input", "indexSelect", [T(f.randint(-9, 9, 3, 3)), 1, T(ints([0, 2]))], grad=False)
    f.case("bool_input", "indexSelect", [T(f.randbool(4)), 0, T(ints([3, 1]))], grad=False)
    f.case("index_out_of_range_raises", "indexSelect", [T(r(3)), 0, T(ints([3]))], raises=True)

    f.case("same_shape_mask", "maskedFill", [T(r(2, 3)), T(f.randbool(2, 3)), 0.5])
    f.case("broadcast_mask", "maskedFill", [T(r(2, 3)), T(torch.tensor([True, False, True])), -2])
    f.case("negative_infinity", "maskedFill", [T(r(3, 3)), T(torch.ones(3, 3).triu(1).bool()), -INF], check_conditioning=False)
    f.case("zero_dim_tensor_value", "maskedFill", [T(r(2, 3)), T(f.randbool(2, 3)), T(r())])
    f.case("non_contiguous", "maskedFill", [T(r(3, 2), [["t"]]), T(f.randbool(3, 2), [["t"]]), 1.0])
    f.case("int32", "maskedFill", [T(f.randint(-9, 9, 4)), T(torch.tensor([True, False, False, True])), 7], grad=False)
    f.case("bool", "maskedFill", [T(f.randbool(4)), T(torch.tensor([True, False, False, True])), True], grad=False)
    f.case("mask_not_broadcastable_raises", "maskedFill", [T(r(3)), T(torch.tensor([True, False])), 0.0], raises=True)


def index(f: Family) -> None:
    T = f.input
    r = f.randn
    f.case("number_all_slice", "index", [T(r(2, 3, 4)), [1, None, [0, 2]]])
    f.case("negative_number", "index", [T(r(3, 4)), [-1]])
    f.case("all_numbers_gives_zero_dim", "index", [T(r(3, 4)), [2, -3]])
    f.case("step_slice", "index", [T(r(7, 3)), [[None, None, 2]]])
    f.case("start_only_slice", "index", [T(r(5)), [[2]]])
    f.case("negative_slice_bounds", "index", [T(r(6, 2)), [[-4, -1]]])
    f.case("slice_end_past_size", "index", [T(r(4)), [[1, 100]]])
    f.case("empty_slice", "index", [T(r(4, 2)), [[3, 1]]])
    f.case("fewer_entries_than_dims", "index", [T(r(2, 3, 4)), [None, 1]])
    f.case("non_contiguous", "index", [T(r(4, 5), [["t"]]), [[1, 4, 2], -1]])
    f.case("int32", "index", [T(f.randint(-9, 9, 3, 3)), [1, [0, 3, 2]]], grad=False)
    f.case("out_of_range_raises", "index", [T(r(3, 4)), [3]], raises=True)
    f.case("too_many_entries_raises", "index", [T(r(3)), [0, 0]], raises=True)


def build() -> Family:
    f = Family("indexing", seed=7)
    gather_scatter(f)
    selects_and_masks(f)
    index(f)
    return f
