"""Joining and splitting (ops/join.ts): cat, stack, split, chunk."""

from __future__ import annotations

import torch

from fixture import Family


def build() -> Family:
    f = Family("join", seed=6)
    T = f.input
    r = f.randn
    f.case("dim_0", "cat", [[T(r(2, 3)), T(r(4, 3))]])
    f.case("dim_1", "cat", [[T(r(2, 3)), T(r(2, 1)), T(r(2, 2))], 1])
    f.case("negative_dim", "cat", [[T(r(2, 3, 2)), T(r(2, 3, 4))], -1])
    f.case("middle_dim_3d", "cat", [[T(r(2, 1, 4)), T(r(2, 3, 4))], 1])
    f.case("single_tensor", "cat", [[T(r(3, 2))], 0])
    f.case("one_dim", "cat", [[T(r(3)), T(r(1)), T(r(2))]])
    f.case("non_contiguous", "cat", [[T(r(3, 2), [["t"]]), T(r(2, 6), [["slice", 1, 0, 6, 2]])], 0])
    f.case("expanded", "cat", [[T(r(1, 3), [["expand", [2, 3]]]), T(r(2, 3))], 1])
    f.case("empty_part", "cat", [[T(r(2, 3)), T(torch.zeros(0, 3)), T(r(1, 3))], 0])
    shared = T(r(2, 2))
    f.case("same_tensor_twice", "cat", [[shared, shared], 1])
    f.case("int32", "cat", [[T(f.randint(-5, 5, 2, 2)), T(f.randint(-5, 5, 1, 2))]], grad=False)
    f.case("bool", "cat", [[T(f.randbool(2)), T(f.randbool(3))]], grad=False)
    f.case("int32_float32_promotes", "cat", [[T(f.randint(-5, 5, 2, 2)), T(r(2, 2))]])
    f.case("float32_float64_promotes", "cat", [[T(r(2, 2)), T(r(1, 2, dtype=torch.float64))]])
    f.case("shape_mismatch_raises", "cat", [[T(r(2, 3)), T(r(2, 4))], 0], raises=True)
    f.case("rank_mismatch_raises", "cat", [[T(r(2, 3)), T(r(3))], 0], raises=True)
    f.case("zero_dim_raises", "cat", [[T(r()), T(r())]], raises=True)
    f.case("dim_out_of_range_raises", "cat", [[T(r(2, 3)), T(r(2, 3))], 2], raises=True)

    f.case("dim_0", "stack", [[T(r(2, 3)), T(r(2, 3))]])
    f.case("dim_1", "stack", [[T(r(2, 3)), T(r(2, 3)), T(r(2, 3))], 1])
    f.case("last_dim", "stack", [[T(r(2, 3)), T(r(2, 3))], 2])
    f.case("negative_dim", "stack", [[T(r(2, 3)), T(r(2, 3))], -1])
    f.case("zero_dim_tensors", "stack", [[T(r()), T(r()), T(r())]])
    f.case("non_contiguous", "stack", [[T(r(3, 2), [["t"]]), T(r(2, 6), [["slice", 1, 1, 6, 2]])], 1])
    shared = T(r(3))
    f.case("same_tensor_twice", "stack", [[shared, shared], 0])
    f.case("int32", "stack", [[T(f.randint(-5, 5, 3)), T(f.randint(-5, 5, 3))]], grad=False)
    f.case("bool", "stack", [[T(f.randbool(2)), T(f.randbool(2))], 1], grad=False)
    f.case("int32_float32_promotes", "stack", [[T(f.randint(-5, 5, 3)), T(r(3))]])
    f.case("shape_mismatch_raises", "stack", [[T(r(2, 3)), T(r(3, 2))]], raises=True)

    f.case("size_even", "split", [T(r(6, 2)), 2])
    f.case("size_uneven", "split", [T(r(7, 2)), 3])
    f.case("size_larger_than_dim", "split", [T(r(3, 2)), 5])
    f.case("size_dim_1", "split", [T(r(2, 5)), 2, 1])
    f.case("size_negative_dim", "split", [T(r(2, 3, 4)), 3, -1])
    f.case("sections", "split", [T(r(6, 2)), [1, 2, 3]])
    f.case("sections_dim_1", "split", [T(r(2, 5)), [4, 1], 1])
    f.case("sections_with_zero", "split", [T(r(5, 2)), [2, 0, 3]])
    f.case("non_contiguous", "split", [T(r(4, 6), [["t"]]), 4])
    f.case("int32", "split", [T(f.randint(-5, 5, 5)), 2], grad=False)
    f.case("sections_sum_mismatch_raises", "split", [T(r(6, 2)), [1, 2]], raises=True)

    f.case("even", "chunk", [T(r(6, 2)), 3])
    f.case("uneven_5_into_3", "chunk", [T(r(5, 2)), 3])
    f.case("uneven_5_into_4_gives_3", "chunk", [T(r(5, 2)), 4])
    f.case("more_chunks_than_size", "chunk", [T(r(3, 2)), 5])
    f.case("dim_1", "chunk", [T(r(2, 7)), 2, 1])
    f.case("negative_dim", "chunk", [T(r(2, 3, 4)), 2, -1])
    f.case("single_chunk", "chunk", [T(r(3)), 1])
    f.case("non_contiguous", "chunk", [T(r(4, 6), [["slice", 1, 0, 6, 2]]), 2, 1])
    f.case("bool", "chunk", [T(f.randbool(6)), 2], grad=False)
    f.case("zero_chunks_raises", "chunk", [T(r(3)), 0], raises=True)
    return f
