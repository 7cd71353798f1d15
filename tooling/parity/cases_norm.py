"""Normalization ops of @strata/layers-norm, functional forms.

Writes ``packages/layers-norm/src/__fixtures__/norm.json`` in the op-case
format of this folder (README.md): forward results and the gradients of the
input, weight and bias for ``batchNorm``, ``instanceNorm``, ``layerNorm``,
``groupNorm``, ``rmsNorm`` and ``localResponseNorm``, every option, in
training and evaluation mode, contiguous and strided inputs. The layers
(running statistics over several steps, printouts, state dicts) are in
``cases_norm_modules.py``.

The ops are the layer package's, not ``@strata/tensor``'s, so their PyTorch
calls live here (``NORM_OPS``) rather than in ``torch_ops.py``. PyTorch 1.13
has no ``rms_norm`` and no ``LayerNorm(bias=False)``: ``rms_norm`` below is
PyTorch 2.4's formula written with 1.13's ops, and a layer norm without bias
is ``F.layer_norm`` with ``bias=None``.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from fixture import Family


def get(options: dict[str, Any] | None, key: str, default: Any) -> Any:
    if options is None or options.get(key) is None:
        return default
    return options[key]


def as_shape(normalized_shape: int | list[int]) -> list[int]:
    return [normalized_shape] if isinstance(normalized_shape, int) else list(normalized_shape)


def rms_norm(x: torch.Tensor, normalized_shape, weight=None, eps=None) -> torch.Tensor:
    """PyTorch 2.4's ``F.rms_norm``: ``x · rsqrt(mean(x²) + eps) · weight``; eps None is ``finfo(x.dtype).eps``."""
    dims = tuple(range(-len(as_shape(normalized_shape)), 0))
    eps = torch.finfo(x.dtype).eps if eps is None else eps
    y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
    return y if weight is None else y * weight


def group_norm(x, groups, options=None):
    weight, bias = get(options, "weight", None), get(options, "bias", None)
    if weight is None and bias is not None:
        # PyTorch 1.13's group_norm backward fails with a bias and no weight
        # ("tensor does not have a device"); a weight of ones is the same map.
        weight = torch.ones_like(bias)
    return F.group_norm(x, groups, weight, bias, get(options, "eps", 1e-5))


def batch_norm(x, running_mean=None, running_var=None, options=None):
    # The running statistics are read (or updated) in place, never differentiated.
    detach = lambda t: None if t is None else t.detach().clone()
    return F.batch_norm(
        x, detach(running_mean), detach(running_var), get(options, "weight", None), get(options, "bias", None),
        get(options, "training", False), get(options, "momentum", 0.1), get(options, "eps", 1e-5),
    )


def instance_norm(x, options=None):
    detach = lambda t: None if t is None else t.detach().clone()
    return F.instance_norm(
        x, detach(get(options, "runningMean", None)), detach(get(options, "runningVar", None)),
        get(options, "weight", None), get(options, "bias", None), get(options, "useInputStats", True),
        get(options, "momentum", 0.1), get(options, "eps", 1e-5),
    )


NORM_OPS = {
    "batchNorm": batch_norm,
    "instanceNorm": instance_norm,
    "layerNorm": lambda x, shape, options=None: F.layer_norm(
        x, as_shape(shape), get(options, "weight", None), get(options, "bias", None), get(options, "eps", 1e-5)
    ),
    "groupNorm": lambda x, groups, options=None: group_norm(x, groups, options),
    "rmsNorm": lambda x, shape, options=None: rms_norm(x, shape, get(options, "weight", None), get(options, "eps", None)),
    "localResponseNorm": lambda x, size, options=None: F.local_response_norm(
        x, size, get(options, "alpha", 1e-4), get(options, "beta", 0.75), get(options, "k", 1.0)
    ),
}


class NormFamily(Family):
    """A family whose ops' PyTorch calls come from ``NORM_OPS``."""

    def case(self, name: str, op: str, args: list[Any], torch_fn=None, **flags) -> None:
        super().case(name, op, args, torch_fn or NORM_OPS[op], **flags)


def float64_reference(op: str):
    """PyTorch's op run in float64 on the float32 inputs, rounded to float32.

    For inputs with a large mean and a small spread, where PyTorch's own
    float32 kernels lose digits (``x · a + b`` cancels): the fixture then
    holds the correctly rounded answer that Strata's float64 accumulation
    must reach.
    """

    def widen(value):
        if isinstance(value, torch.Tensor):
            return value.double()
        if isinstance(value, dict):
            return {key: widen(item) for key, item in value.items()}
        return value

    def run(*args):
        return NORM_OPS[op](*[widen(arg) for arg in args]).float()

    return run


def large_mean(f: Family, *shape: int) -> torch.Tensor:
    """Values around 1000 with a spread of 0.01 (float32 resolves them to about 6e-5)."""
    return (1000 + f.randn(*shape, scale=0.01, dtype=torch.float64)).float()


def affine(f: Family, channels: int) -> tuple[Any, Any]:
    """A weight around 1 and a bias around 0, so the affine map changes the values and the gradients."""
    return f.input(f.uniform(channels, low=0.5, high=1.5)), f.input(f.randn(channels, scale=0.5))


def batch_norm_cases(f: Family) -> None:
    T = f.input
    for shape in ([8, 3], [4, 3, 5], [3, 3, 2, 4], [2, 3, 2, 3, 2]):
        label = "x".join(map(str, shape))
        weight, bias = affine(f, 3)
        f.case(f"training_{label}", "batchNorm", [T(f.randn(*shape)), None, None, {"weight": weight, "bias": bias, "training": True}])
        mean, var = T(f.randn(3, scale=0.3)), T(f.uniform(3, low=0.5, high=2.0))
        weight, bias = affine(f, 3)
        f.case(f"eval_{label}", "batchNorm", [T(f.randn(*shape)), mean, var, {"weight": weight, "bias": bias}])
    f.case("training_no_affine", "batchNorm", [T(f.randn(4, 3, 5)), None, None, {"training": True}])
    f.case("training_weight_only", "batchNorm", [T(f.randn(4, 3, 5)), None, None, {"weight": affine(f, 3)[0], "training": True}])
    f.case("training_with_running_stats", "batchNorm", [
        T(f.randn(4, 3, 5)), T(torch.zeros(3)), T(torch.ones(3)), {"weight": affine(f, 3)[0], "training": True, "momentum": 0.3},
    ])
    f.case("eval_no_affine", "batchNorm", [T(f.randn(4, 3, 5)), T(f.randn(3)), T(f.uniform(3, low=0.5, high=2.0))])
    f.case("training_eps", "batchNorm", [T(f.randn(6, 2, 3, scale=0.05)), None, None, {"training": True, "eps": 1e-3}])
    f.case("eval_eps", "batchNorm", [T(f.randn(6, 2, 3)), T(torch.zeros(2)), T(torch.full((2,), 0.01)), {"eps": 0.1}])
    weight, bias = affine(f, 3)
    f.case("training_channels_last_view", "batchNorm", [
        T(f.randn(2, 4, 5, 3), [["permute", [0, 3, 1, 2]]]), None, None, {"weight": weight, "bias": bias, "training": True},
    ])
    f.case("training_two_values_per_channel", "batchNorm", [T(f.randn(2, 3)), None, None, {"training": True}])
    f.case("training_float64", "batchNorm", [T(f.randn(4, 3, 5, dtype=torch.float64)), None, None, {"training": True}])
    # float64: E[x²] − E[x]² would lose every digit of a variance near 1 around a mean of 1e8.
    f.case("training_float64_mean_1e8", "batchNorm", [
        T(1e8 + f.randn(16, 2, 8, dtype=torch.float64)), None, None, {"weight": T(torch.tensor([1.5, 0.5], dtype=torch.float64)), "training": True},
    ])
    f.case("training_float32_mean_1000_float64_reference", "batchNorm", [
        T(large_mean(f, 16, 2, 8)), None, None, {"weight": T(torch.tensor([1.5, 0.5])), "bias": T(torch.tensor([0.1, -0.2])), "training": True},
    ], float64_reference("batchNorm"))
    f.case("one_value_per_channel_raises", "batchNorm", [T(f.randn(1, 3)), None, None, {"training": True}], raises=True)
    f.case("wrong_running_mean_raises", "batchNorm", [T(f.randn(2, 3)), T(torch.zeros(4)), T(torch.ones(4))], raises=True)


def instance_norm_cases(f: Family) -> None:
    T = f.input
    for shape in ([3, 2, 6], [2, 3, 3, 4], [2, 2, 2, 3, 3]):
        label = "x".join(map(str, shape))
        channels = shape[1]
        f.case(f"default_{label}", "instanceNorm", [T(f.randn(*shape))])
        weight, bias = affine(f, channels)
        f.case(f"affine_{label}", "instanceNorm", [T(f.randn(*shape)), {"weight": weight, "bias": bias}])
        weight, bias = affine(f, channels)
        mean, var = T(f.randn(channels, scale=0.3)), T(f.uniform(channels, low=0.5, high=2.0))
        f.case(f"running_stats_{label}", "instanceNorm", [
            T(f.randn(*shape)), {"runningMean": mean, "runningVar": var, "weight": weight, "bias": bias, "useInputStats": False},
        ])
    f.case("input_stats_updating_running", "instanceNorm", [
        T(f.randn(3, 2, 6)), {"runningMean": T(torch.zeros(2)), "runningVar": T(torch.ones(2)), "momentum": 0.5, "eps": 1e-3},
    ])
    f.case("strided", "instanceNorm", [T(f.randn(3, 8, 2), [["transpose", 1, 2]])])
    f.case("mean_1000_float64_reference", "instanceNorm", [T(large_mean(f, 2, 3, 16))], float64_reference("instanceNorm"))
    f.case("one_spatial_element_raises", "instanceNorm", [T(f.randn(2, 3, 1))], raises=True)


def layer_norm_cases(f: Family) -> None:
    T = f.input
    weight, bias = T(f.uniform(5, low=0.5, high=1.5)), T(f.randn(5, scale=0.5))
    f.case("last_dim_int", "layerNorm", [T(f.randn(3, 4, 5)), 5, {"weight": weight, "bias": bias}])
    f.case("last_dim_list", "layerNorm", [T(f.randn(6, 5)), [5], {"weight": weight, "bias": bias}])
    weight, bias = T(f.uniform(4, 5, low=0.5, high=1.5)), T(f.randn(4, 5, scale=0.5))
    f.case("two_dims", "layerNorm", [T(f.randn(3, 4, 5)), [4, 5], {"weight": weight, "bias": bias}])
    weight = T(f.uniform(2, 3, 4, low=0.5, high=1.5))
    f.case("all_dims_weight_only", "layerNorm", [T(f.randn(2, 3, 4)), [2, 3, 4], {"weight": weight}])
    f.case("no_affine", "layerNorm", [T(f.randn(4, 7)), 7])
    f.case("bias_only", "layerNorm", [T(f.randn(4, 7)), 7, {"bias": T(f.randn(7))}])
    f.case("eps", "layerNorm", [T(f.randn(5, 6, scale=0.03)), 6, {"eps": 1e-2}])
    f.case("strided", "layerNorm", [T(f.randn(6, 4), [["t"]]), 6, {"weight": T(f.uniform(6, low=0.5, high=1.5))}])
    f.case("rows_of_one", "layerNorm", [T(f.randn(4, 1)), 1, {"bias": T(f.randn(1))}], check_conditioning=False)
    f.case("float64", "layerNorm", [T(f.randn(3, 8, dtype=torch.float64)), 8])
    f.case("float64_mean_1e8", "layerNorm", [T(1e8 + f.randn(4, 64, dtype=torch.float64)), 64])
    f.case("mean_1000_float64_reference", "layerNorm", [
        T(large_mean(f, 4, 64)), 64, {"weight": T(f.uniform(64, low=0.5, high=1.5)), "bias": T(f.randn(64))},
    ], float64_reference("layerNorm"))
    f.case("wrong_trailing_shape_raises", "layerNorm", [T(f.randn(2, 3, 5)), [3, 4]], raises=True)


def group_norm_cases(f: Family) -> None:
    T = f.input
    for groups in (1, 2, 3, 6):
        weight, bias = affine(f, 6)
        f.case(f"groups_{groups}", "groupNorm", [T(f.randn(2, 6, 4)), groups, {"weight": weight, "bias": bias}])
    f.case("no_affine_4d", "groupNorm", [T(f.randn(2, 4, 3, 3)), 2])
    f.case("two_d_input", "groupNorm", [T(f.randn(3, 6)), 3, {"weight": affine(f, 6)[0]}])
    f.case("five_d_input", "groupNorm", [T(f.randn(2, 4, 2, 2, 3)), 2, {"bias": affine(f, 4)[1]}])
    f.case("eps", "groupNorm", [T(f.randn(2, 4, 5, scale=0.05)), 2, {"eps": 1e-3}])
    f.case("strided", "groupNorm", [T(f.randn(2, 5, 4), [["transpose", 1, 2]]), 2])
    f.case("mean_1000_float64_reference", "groupNorm", [T(large_mean(f, 2, 4, 8)), 2], float64_reference("groupNorm"))
    f.case("indivisible_raises", "groupNorm", [T(f.randn(2, 4, 3)), 3], raises=True)


def rms_norm_cases(f: Family) -> None:
    T = f.input
    f.case("finfo_eps", "rmsNorm", [T(f.randn(3, 4, 8)), 8, {"weight": T(f.uniform(8, low=0.5, high=1.5))}])
    f.case("eps_null_no_weight", "rmsNorm", [T(f.randn(5, 6)), [6], {"eps": None}])
    f.case("eps_given", "rmsNorm", [T(f.randn(5, 6, scale=0.01)), 6, {"eps": 1e-4}])
    f.case("two_dims", "rmsNorm", [T(f.randn(2, 3, 4)), [3, 4], {"weight": T(f.uniform(3, 4, low=0.5, high=1.5)), "eps": 1e-6}])
    f.case("float64_finfo_eps", "rmsNorm", [T(f.randn(4, 5, dtype=torch.float64)), 5])
    f.case("strided", "rmsNorm", [T(f.randn(7, 3), [["t"]]), 7])


def local_response_norm_cases(f: Family) -> None:
    T = f.input
    f.case("size_2_defaults_3d", "localResponseNorm", [T(f.randn(2, 5, 4)), 2])
    f.case("size_3_4d", "localResponseNorm", [T(f.randn(2, 6, 3, 3)), 3, {"alpha": 0.1, "beta": 0.5, "k": 2.0}])
    f.case("size_5_5d", "localResponseNorm", [T(f.randn(1, 7, 2, 2, 3)), 5, {"alpha": 0.5, "beta": 0.75, "k": 1.0}])
    f.case("size_1", "localResponseNorm", [T(f.randn(2, 3, 4)), 1, {"alpha": 0.3}])
    f.case("size_4_even", "localResponseNorm", [T(f.randn(2, 6, 5)), 4, {"alpha": 0.2, "beta": 1.0}])
    f.case("size_larger_than_channels", "localResponseNorm", [T(f.randn(2, 3, 4)), 7, {"alpha": 0.4}])
    f.case("strided", "localResponseNorm", [T(f.randn(2, 4, 6), [["transpose", 1, 2]]), 3, {"alpha": 0.2}])
    f.case("two_d_raises", "localResponseNorm", [T(f.randn(2, 3)), 2], raises=True)


def build() -> Family:
    f = NormFamily("norm", seed=7)
    batch_norm_cases(f)
    instance_norm_cases(f)
    layer_norm_cases(f)
    group_norm_cases(f)
    rms_norm_cases(f)
    local_response_norm_cases(f)
    return f
