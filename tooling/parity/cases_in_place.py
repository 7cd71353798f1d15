"""In-place ops (ops/in-place.ts).

Each case runs the op on a clone of its first input (a leaf can't be written in
place while it requires grad), so the gradients flow through the clone to the
leaf, as in ``y = x.clone(); y.add_(other)`` with PyTorch. The random fills
(uniform_, normal_) have no RNG parity with PyTorch and are left out.
"""

from __future__ import annotations

import torch

from fixture import Family


def build() -> Family:
    f = Family("in_place", seed=8)
    T = f.input
    r = f.randn

    def case(name, op, args, **kwargs):
        f.case(name, op, args, in_place=True, **kwargs)

    for op in ("add_", "sub_", "mul_", "div_"):
        case("same_shape", op, [T(r(2, 3)), T(r(2, 3))])
        case("broadcast_other", op, [T(r(2, 3)), T(r(3))])
        case("scalar", op, [T(r(2, 3)), 1.5])
        case("zero_dim_other", op, [T(r(2, 3)), T(r())])
        case("transposed_self", op, [T(r(3, 2), [["t"]]), T(r(2, 3))])
        if op != "div_":
            case("int32_int32", op, [T(f.randint(-9, 9, 4)), T(f.randint(1, 5, 4))], grad=False)
        case("int32_float_raises", op, [T(f.randint(-9, 9, 4)), 2.5], raises=True)
        case("self_broadcast_raises", op, [T(r(3, 1)), T(r(3, 4))], raises=True)
    shared = T(r(2, 3))
    case("same_input_as_other", "mul_", [shared, shared])
    case("alpha", "add_", [T(r(2, 3)), T(r(2, 3)), {"alpha": -2}])
    case("alpha", "sub_", [T(r(2, 3)), T(r(3)), {"alpha": 0.5}])
    case("rounding_floor", "div_", [T(r(2, 3, scale=4)), T(r(3)), {"roundingMode": "floor"}])
    case("int32_trunc", "div_", [T(torch.tensor([-7, 7, 5])), 2, {"roundingMode": "trunc"}], grad=False)
    case("int32_true_division_raises", "div_", [T(torch.tensor([-7, 7, 5])), 2], raises=True)

    case("scalar_exponent", "pow_", [T(r(2, 3)), 2])
    case("tensor_exponent", "pow_", [T(f.uniform(2, 3, low=0.5, high=2)), T(r(3))])
    case("fractional_exponent", "pow_", [T(f.uniform(4, low=0.5, high=2)), 0.5])

    for op in ("addcmul_", "addcdiv_"):
        case("default_value", op, [T(r(2, 3)), T(r(2, 3)), T(f.uniform(3, low=0.5, high=2))])
        case("value_option", op, [T(r(2, 3)), T(r(2, 1)), T(f.uniform(2, 3, low=0.5, high=2)), {"value": -0.5}])

    case("options_min_max", "clamp_", [T(r(3, 4)), {"min": -0.5, "max": 0.5}])
    case("positional", "clamp_", [T(r(3, 4)), -0.2, 0.3])
    case("min_only", "clamp_", [T(r(3, 4)), {"min": 0}])
    case("int32", "clamp_", [T(f.randint(-9, 9, 5)), {"min": -2, "max": 3}], grad=False)

    case("float", "zero_", [T(r(2, 3))])
    case("int32", "zero_", [T(f.randint(-9, 9, 3))], grad=False)
    case("transposed", "zero_", [T(r(3, 2), [["t"]])])
    case("number", "fill_", [T(r(2, 3)), 2.5])
    case("zero_dim_tensor", "fill_", [T(r(2, 3)), T(r())])
    case("int32", "fill_", [T(f.randint(-9, 9, 3)), 4], grad=False)
    case("bool", "fill_", [T(f.randbool(3)), True], grad=False)

    case("same_shape", "copy_", [T(r(2, 3)), T(r(2, 3))])
    case("broadcast_src", "copy_", [T(r(2, 3)), T(r(3))])
    case("transposed_src", "copy_", [T(r(2, 3)), T(r(3, 2), [["t"]])])
    case("int32_src_into_float", "copy_", [T(r(4)), T(f.randint(-9, 9, 4))])
    case("float_src_into_int32", "copy_", [T(f.randint(-9, 9, 4)), T([-1.7, -0.5, 0.5, 2.9])], grad=False)
    case("bool_src_into_float", "copy_", [T(r(3)), T(f.randbool(3))])
    case("shape_mismatch_raises", "copy_", [T(r(2, 3)), T(r(2))], raises=True)

    case("scalar", "maskedFill_", [T(r(2, 3)), T(f.randbool(2, 3)), -1.0])
    case("broadcast_mask", "maskedFill_", [T(r(2, 3)), T(torch.tensor([True, False, True])), 0.0])
    case("zero_dim_tensor_value", "maskedFill_", [T(r(2, 3)), T(f.randbool(2, 3)), T(r())])
    case("int32", "maskedFill_", [T(f.randint(-9, 9, 3)), T(torch.tensor([False, True, True])), 9], grad=False)

    case("float", "exp_", [T(r(2, 3))])
    case("transposed", "exp_", [T(r(3, 2), [["t"]])])
    case("float", "sqrt_", [T(f.uniform(2, 3, low=0.1, high=4))])
    case("float", "neg_", [T(r(2, 3))])
    case("int32", "neg_", [T(f.randint(-9, 9, 3))], grad=False)
    case("float", "relu_", [T(r(2, 3))])
    case("kinks", "relu_", [T([-1.0, 0.0, 1.0])])
    case("int32_raises", "exp_", [T(f.randint(-9, 9, 3))], raises=True)
    return f
