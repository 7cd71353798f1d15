"""Matrix products (ops/matmul.ts): matmul's 1-D/2-D/batched broadcasting, mm, bmm."""

from __future__ import annotations

import torch

from fixture import Family


def build() -> Family:
    f = Family("matmul", seed=5)
    T = f.input
    r = f.randn
    shapes = [
        ("1d_1d", (4,), (4,)),
        ("1d_2d", (3,), (3, 5)),
        ("2d_1d", (4, 3), (3,)),
        ("2d_2d", (4, 3), (3, 5)),
        ("1x1", (1, 1), (1, 1)),
        ("row_times_column", (1, 6), (6, 1)),
        ("column_times_row", (5, 1), (1, 4)),
        ("3d_3d", (2, 4, 3), (2, 3, 5)),
        ("1d_3d", (3,), (2, 3, 4)),
        ("3d_1d", (2, 4, 3), (3,)),
        ("2d_3d_broadcast", (4, 3), (2, 3, 5)),
        ("3d_2d_broadcast", (2, 4, 3), (3, 5)),
        ("batch_broadcast_4d_3d", (2, 1, 3, 4), (5, 4, 2)),
        ("batch_broadcast_both", (3, 1, 2, 4), (1, 2, 4, 3)),
        ("large_for_blocking", (17, 33), (33, 9)),
        ("batched_large", (3, 20, 31), (3, 31, 18)),
    ]
    for name, a, b in shapes:
        f.case(name, "matmul", [T(r(*a)), T(r(*b))])
    f.case("transposed_left", "matmul", [T(r(3, 4), [["t"]]), T(r(3, 5))])
    f.case("transposed_right", "matmul", [T(r(4, 3)), T(r(5, 3), [["t"]])])
    f.case("transposed_both", "matmul", [T(r(3, 4), [["t"]]), T(r(5, 3), [["t"]])])
    f.case("step_slices", "matmul", [T(r(8, 3), [["slice", 0, 0, 8, 2]]), T(r(3, 10), [["slice", 1, 1, 10, 3]])])
    f.case("expanded_batch", "matmul", [T(r(1, 4, 3), [["expand", [3, 4, 3]]]), T(r(3, 3, 2))])
    f.case("batch_transposed", "matmul", [T(r(4, 2, 3), [["transpose", 0, 1]]), T(r(2, 5, 3), [["transpose", 1, 2]])])
    f.case("view_of_view_1d", "matmul", [T(r(3, 8), [["select", 0, 1], ["slice", 0, 0, 8, 2]]), T(r(4, 2))])
    shared = T(r(3, 3))
    f.case("same_input_twice", "matmul", [shared, shared])
    f.case("inner_size_0", "matmul", [T(torch.zeros(2, 0)), T(torch.zeros(0, 3))], check_conditioning=False)
    f.case("int32", "matmul", [T(f.randint(-5, 5, 3, 4)), T(f.randint(-5, 5, 4, 2))], grad=False)
    f.case("int32_batched", "matmul", [T(f.randint(-5, 5, 2, 3, 4)), T(f.randint(-5, 5, 4))], grad=False)
    f.case("float64", "matmul", [T(r(3, 4, dtype=torch.float64)), T(r(4, 2, dtype=torch.float64))])
    f.case("mismatch_raises", "matmul", [T(r(4, 3)), T(r(5, 2))], raises=True)
    f.case("zero_dim_raises", "matmul", [T(r()), T(r(3))], raises=True)
    f.case("batch_mismatch_raises", "matmul", [T(r(2, 4, 3)), T(r(3, 3, 5))], raises=True)

    f.case("2d", "mm", [T(r(4, 3)), T(r(3, 5))])
    f.case("transposed", "mm", [T(r(3, 4), [["t"]]), T(r(5, 3), [["t"]])])
    f.case("large", "mm", [T(r(19, 40)), T(r(40, 11))])
    f.case("int32", "mm", [T(f.randint(-5, 5, 2, 3)), T(f.randint(-5, 5, 3, 2))], grad=False)
    f.case("mismatch_raises", "mm", [T(r(4, 3)), T(r(4, 3))], raises=True)
    f.case("3d_raises", "mm", [T(r(2, 4, 3)), T(r(3, 5))], raises=True)
    f.case("1d_raises", "mm", [T(r(3)), T(r(3, 5))], raises=True)

    f.case("3d", "bmm", [T(r(2, 4, 3)), T(r(2, 3, 5))])
    f.case("transposed", "bmm", [T(r(2, 3, 4), [["transpose", 1, 2]]), T(r(5, 3, 2), [["permute", [2, 1, 0]]])])
    f.case("single_batch", "bmm", [T(r(1, 3, 3)), T(r(1, 3, 1))])
    f.case("batch_broadcast_raises", "bmm", [T(r(1, 4, 3)), T(r(2, 3, 5))], raises=True)
    f.case("2d_raises", "bmm", [T(r(4, 3)), T(r(3, 5))], raises=True)
    return f
