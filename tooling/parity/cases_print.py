"""Printing (print.ts): ``toString()`` against PyTorch's ``repr`` with default print options.

Strata's int32 stands for PyTorch's default int64, so integer tensors are
printed by PyTorch as int64 (no ``dtype=`` suffix, as for any default dtype);
PyTorch's dtype names lose their ``torch.`` prefix (``dtype=float64``).
"""

from __future__ import annotations

import torch

from fixture import Family

NAN = float("nan")
INF = float("inf")


def strata_repr(tensor: torch.Tensor) -> str:
    return repr(tensor).replace("dtype=torch.", "dtype=")


def build() -> Family:
    f = Family("print", seed=9)
    T = f.input

    def case(name, value, views=None):
        f.case(name, "toString", [T(value, views)], grad=False, torch_fn=strata_repr)

    case("float_2d", torch.tensor([[1.5, 2.0], [3.0, 4.25]]))
    case("float_integral_values", torch.tensor([1.0, 2.0, -3.0]))
    case("float_random", f.randn(2, 3))
    case("float_zero_dim", torch.tensor(3.5))
    case("float_zero_dim_integral", torch.tensor(2.0))
    case("float_one_element", torch.tensor([0.1]))
    case("float_3d", f.randn(2, 2, 3))
    case("float_large_values_scientific", torch.tensor([1e10, 1.0, -2.5e-3]))
    case("float_small_values_scientific", torch.tensor([1e-6, 2e-7]))
    case("float_mixed_magnitudes", torch.tensor([123456.0, 0.5]))
    case("float_specials", torch.tensor([NAN, INF, -INF, 1.5]))
    case("float_negative_zero", torch.tensor([-0.0, 0.0]))
    case("float_empty", torch.zeros(0))
    case("float_empty_2d", torch.zeros(2, 0))
    case("float_summarized", torch.arange(2000, dtype=torch.float32))
    case("float_summarized_2d", torch.arange(40 * 40, dtype=torch.float32).reshape(40, 40))
    case("float_transposed", torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), [["t"]])
    case("float64", torch.tensor([1.5, 2.0], dtype=torch.float64))
    case("float64_zero_dim", torch.tensor(0.25, dtype=torch.float64))
    case("int32", torch.tensor([[1, -20], [300, 4]]))
    case("int32_zero_dim", torch.tensor(7))
    case("bool", torch.tensor([[True, False], [False, True]]))
    case("bool_zero_dim", torch.tensor(False))
    return f
