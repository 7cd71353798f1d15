"""Normalization layers of @strata/layers-norm, run as modules over several steps.

Writes ``packages/layers-norm/src/__fixtures__/norm-modules.json``. Each case
builds a PyTorch layer with some options, gives its parameters and running
statistics seeded random values (so that the affine map and the running
statistics matter), and records:

- ``module``, ``args``, ``options``: the Strata class, its positional
  arguments and its options object (camelCase keys, ``null`` for None);
- ``repr``: PyTorch's printout; ``stateDictKeys``: its ``state_dict()`` keys;
- ``initialState``: the state dict to load first, as ``[key, tensor]`` pairs;
- ``steps``: one per call, in order: the mode (``training``), the input, the
  upstream gradient, the output, the gradients of input, weight and bias
  (where they exist), and the whole state dict after the call, so the
  running statistics and ``num_batches_tracked`` are compared step by step.

Float32 cases are rerun in float64 and must agree within half the tolerance
(as ``fixture.py`` does for ops); cases marked ``float64_reference`` instead
record the float64 run rounded to float32 (large mean, small spread: PyTorch's
float32 kernels lose digits there, Strata must not).

PyTorch 1.13 lacks ``nn.RMSNorm`` (2.4) and ``LayerNorm(bias=False)`` (2.1):
``RMSNorm`` below is 2.4's module written with 1.13's ops, and a layer norm
without bias is 1.13's ``LayerNorm`` with its bias set to None.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
import torch.nn as nn

from cases_norm import rms_norm
from fixture import Family, close, decode_number, encode_tensor


class RMSNorm(nn.Module):
    """PyTorch 2.4's ``nn.RMSNorm`` for PyTorch 1.13: same parameters, formula and printout."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))
        else:
            self.register_parameter("weight", None)

    def forward(self, x):
        return rms_norm(x, list(self.normalized_shape), self.weight, self.eps)

    def extra_repr(self):
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}".format(**self.__dict__)


def layer_norm_without_bias(normalized_shape, **options):
    module = nn.LayerNorm(normalized_shape, **options)
    module.bias = None
    return module


TRAIN_EVAL_TRAIN = [True, True, True, False, True]
STATELESS = [True, False]


class ModuleFamily(Family):
    """Module cases: a layer, its state, and the steps run through it."""

    def module_case(
        self,
        name: str,
        module: str,
        args: list[Any],
        options: dict[str, Any],
        factory: Callable[[], nn.Module],
        input_shape: list[int],
        modes: list[bool],
        *,
        float64_reference: bool = False,
        make_input: Callable[..., torch.Tensor] | None = None,
    ) -> None:
        full_name = f"{module}/{name}"
        if full_name in self.names:
            raise ValueError(f"duplicate case {full_name}")
        self.names.add(full_name)
        reference = factory()
        self._randomize(reference)
        make = make_input or (lambda *shape: self.randn(*shape))
        inputs = [make(*input_shape) for _ in modes]
        upstreams = [self.randn(*input_shape) for _ in modes]
        initial = {key: value.clone() for key, value in reference.state_dict().items()}

        if inputs[0].dtype == torch.float64:
            steps = self._run(factory, initial, modes, inputs, upstreams, torch.float64)
        elif float64_reference:
            # Computed in float64, but the state kept in float32 between steps, as a float32 layer keeps it.
            steps = [self._narrow(step) for step in self._run(factory, initial, modes, inputs, upstreams, torch.float64, True)]
        else:
            steps64 = self._run(factory, initial, modes, inputs, upstreams, torch.float64)
            steps32 = self._run(factory, initial, modes, inputs, upstreams, torch.float32)
            self._check_conditioning(full_name, steps32, steps64)
            steps = steps32
        self.cases.append(
            {
                "name": full_name,
                "module": module,
                "args": args,
                "options": options,
                "repr": str(reference),
                "stateDictKeys": list(reference.state_dict().keys()),
                "initialState": [[key, encode_tensor(value)] for key, value in initial.items()],
                "steps": [self._encode_step(step) for step in steps],
            }
        )

    def _randomize(self, module: nn.Module) -> None:
        with torch.no_grad():
            for name, parameter in module.named_parameters():
                if name == "weight":
                    parameter.copy_(self.uniform(*parameter.shape, low=0.5, high=1.5))
                else:
                    parameter.copy_(self.randn(*parameter.shape, scale=0.5))
            for name, buffer in module.named_buffers():
                if name == "running_mean":
                    buffer.copy_(self.randn(*buffer.shape, scale=0.3))
                elif name == "running_var":
                    buffer.copy_(self.uniform(*buffer.shape, low=0.5, high=2.0))

    def _run(self, factory, initial, modes, inputs, upstreams, dtype, float32_state=False):
        module = factory()
        module.load_state_dict(initial)
        module.to(dtype)
        steps = []
        for training, x, upstream in zip(modes, inputs, upstreams):
            module.train(training)
            leaf = x.detach().clone().to(dtype).requires_grad_(True)
            output = module(leaf)
            output.backward(upstream.to(dtype))
            grads = {"input": leaf.grad}
            for name, parameter in module.named_parameters():
                grads[name] = parameter.grad
            module.zero_grad(set_to_none=True)
            if float32_state:
                with torch.no_grad():
                    for value in module.state_dict().values():
                        if value.is_floating_point():
                            value.copy_(value.float())
            state = {key: value.clone() for key, value in module.state_dict().items()}
            steps.append({"training": training, "input": x, "upstream": upstream, "output": output.detach(), "grads": grads, "state": state})
        return steps

    def _narrow(self, step):
        to32 = lambda t: t.float() if t.is_floating_point() else t
        return {
            **step,
            "output": to32(step["output"]),
            "grads": {key: to32(value) for key, value in step["grads"].items()},
            "state": {key: to32(value) for key, value in step["state"].items()},
        }

    def _check_conditioning(self, name, steps32, steps64):
        for index, (a, b) in enumerate(zip(steps32, steps64)):
            pairs = [("output", a["output"], b["output"])]
            pairs += [(f"grad {key}", a["grads"][key], b["grads"][key]) for key in a["grads"]]
            pairs += [(f"state {key}", a["state"][key], b["state"][key]) for key in a["state"]]
            for what, x32, x64 in pairs:
                if not x32.is_floating_point():
                    if not torch.equal(x32, x64):
                        raise ValueError(f"{name}: step {index} {what} differs between float32 and float64")
                    continue
                values32 = torch.tensor([decode_number(v) for v in encode_tensor(x32)["data"]], dtype=torch.float64)
                if not close(values32, x64.reshape(-1).double()):
                    raise ValueError(f"{name}: step {index}: ill-conditioned {what}")

    def _encode_step(self, step):
        return {
            "training": step["training"],
            "input": encode_tensor(step["input"]),
            "upstream": encode_tensor(step["upstream"]),
            "output": encode_tensor(step["output"]),
            "grads": {key: encode_tensor(value) for key, value in step["grads"].items()},
            "state": [[key, encode_tensor(value)] for key, value in step["state"].items()],
        }


BATCH_NORM_SHAPES = {
    "BatchNorm1d_2d": ("BatchNorm1d", nn.BatchNorm1d, [6, 3]),
    "BatchNorm1d_3d": ("BatchNorm1d", nn.BatchNorm1d, [4, 3, 4]),
    "BatchNorm2d": ("BatchNorm2d", nn.BatchNorm2d, [3, 3, 2, 3]),
    "BatchNorm3d": ("BatchNorm3d", nn.BatchNorm3d, [2, 3, 2, 2, 2]),
}

# Strata options -> PyTorch keyword arguments.
KEYWORDS = {
    "eps": "eps",
    "momentum": "momentum",
    "affine": "affine",
    "trackRunningStats": "track_running_stats",
    "elementwiseAffine": "elementwise_affine",
    "alpha": "alpha",
    "beta": "beta",
    "k": "k",
}


def keywords(options: dict[str, Any]) -> dict[str, Any]:
    return {KEYWORDS[key]: value for key, value in options.items()}


def batch_norm_cases(f: ModuleFamily) -> None:
    variants = {
        "defaults": {},
        "momentum_null": {"momentum": None},
        "no_affine": {"affine": False},
        "untracked": {"trackRunningStats": False},
        "eps_and_momentum": {"eps": 1e-3, "momentum": 0.3},
        "no_affine_untracked": {"affine": False, "trackRunningStats": False},
    }
    for label, (module, cls, shape) in BATCH_NORM_SHAPES.items():
        suffix = "_2d_input" if label == "BatchNorm1d_2d" else "_3d_input" if label == "BatchNorm1d_3d" else ""
        for variant, options in variants.items():
            f.module_case(
                variant + suffix, module, [3], options, lambda cls=cls, options=options: cls(3, **keywords(options)), shape, TRAIN_EVAL_TRAIN
            )
    f.module_case(
        "mean_1000_float64_reference", "BatchNorm2d", [2], {"momentum": None}, lambda: nn.BatchNorm2d(2, momentum=None), [4, 2, 3, 3],
        TRAIN_EVAL_TRAIN, float64_reference=True, make_input=lambda *shape: (1000 + f.randn(*shape, scale=0.01, dtype=torch.float64)).float(),
    )
    f.module_case("two_values_per_channel", "BatchNorm1d", [4], {}, lambda: nn.BatchNorm1d(4), [2, 4], TRAIN_EVAL_TRAIN)
    f.module_case("float64", "BatchNorm2d", [2], {}, lambda: nn.BatchNorm2d(2).double(), [2, 2, 2, 2], TRAIN_EVAL_TRAIN,
                  make_input=lambda *shape: f.randn(*shape, dtype=torch.float64))


INSTANCE_NORM_SHAPES = {
    "InstanceNorm1d": (nn.InstanceNorm1d, [2, 3, 5], [3, 5]),
    "InstanceNorm2d": (nn.InstanceNorm2d, [2, 3, 2, 3], [3, 2, 3]),
    "InstanceNorm3d": (nn.InstanceNorm3d, [2, 3, 2, 2, 2], [3, 2, 2, 2]),
}


def instance_norm_cases(f: ModuleFamily) -> None:
    variants = {
        "defaults": {},
        "affine": {"affine": True},
        "tracked": {"trackRunningStats": True},
        "affine_tracked": {"affine": True, "trackRunningStats": True},
        "tracked_momentum_eps": {"trackRunningStats": True, "momentum": 0.5, "eps": 1e-3},
    }
    for module, (cls, shape, unbatched) in INSTANCE_NORM_SHAPES.items():
        for variant, options in variants.items():
            f.module_case(variant, module, [3], options, lambda cls=cls, options=options: cls(3, **keywords(options)), shape, TRAIN_EVAL_TRAIN)
        f.module_case("unbatched", module, [3], {}, lambda cls=cls: cls(3), unbatched, STATELESS)
        options = {"affine": True, "trackRunningStats": True}
        f.module_case("unbatched_affine_tracked", module, [3], options, lambda cls=cls: cls(3, affine=True, track_running_stats=True),
                      unbatched, TRAIN_EVAL_TRAIN)
    f.module_case("channels_differ_without_affine", "InstanceNorm1d", [3], {}, lambda: nn.InstanceNorm1d(3), [2, 4, 5], STATELESS)


def layer_norm_cases(f: ModuleFamily) -> None:
    f.module_case("int_shape", "LayerNorm", [5], {}, lambda: nn.LayerNorm(5), [3, 4, 5], STATELESS)
    f.module_case("tuple_shape", "LayerNorm", [[4, 5]], {}, lambda: nn.LayerNorm([4, 5]), [3, 4, 5], STATELESS)
    f.module_case("three_dims_of_4d", "LayerNorm", [[2, 3, 4]], {}, lambda: nn.LayerNorm([2, 3, 4]), [2, 2, 3, 4], STATELESS)
    f.module_case("no_affine", "LayerNorm", [6], {"elementwiseAffine": False}, lambda: nn.LayerNorm(6, elementwise_affine=False), [4, 6], STATELESS)
    f.module_case("bias_false", "LayerNorm", [6], {"bias": False}, lambda: layer_norm_without_bias(6), [4, 6], STATELESS)
    f.module_case("tuple_shape_bias_false", "LayerNorm", [[3, 4]], {"bias": False}, lambda: layer_norm_without_bias([3, 4]), [2, 3, 4], STATELESS)
    f.module_case("eps", "LayerNorm", [6], {"eps": 1e-3}, lambda: nn.LayerNorm(6, eps=1e-3), [4, 6], STATELESS)
    f.module_case("mean_1000_float64_reference", "LayerNorm", [32], {}, lambda: nn.LayerNorm(32), [3, 32], STATELESS, float64_reference=True,
                  make_input=lambda *shape: (1000 + f.randn(*shape, scale=0.01, dtype=torch.float64)).float())


def group_norm_cases(f: ModuleFamily) -> None:
    for groups in (1, 2, 3, 6):
        f.module_case(f"groups_{groups}", "GroupNorm", [groups, 6], {}, lambda groups=groups: nn.GroupNorm(groups, 6), [2, 6, 4], STATELESS)
    f.module_case("no_affine_eps", "GroupNorm", [2, 4], {"affine": False, "eps": 1e-3},
                  lambda: nn.GroupNorm(2, 4, affine=False, eps=1e-3), [2, 4, 2, 3], STATELESS)
    f.module_case("two_d_input", "GroupNorm", [2, 8], {}, lambda: nn.GroupNorm(2, 8), [4, 8], STATELESS)


def rms_norm_cases(f: ModuleFamily) -> None:
    f.module_case("int_shape", "RMSNorm", [8], {}, lambda: RMSNorm(8), [3, 8], STATELESS)
    f.module_case("tuple_shape_eps", "RMSNorm", [[3, 4]], {"eps": 1e-6}, lambda: RMSNorm([3, 4], eps=1e-6), [2, 3, 4], STATELESS)
    f.module_case("no_affine", "RMSNorm", [5], {"elementwiseAffine": False}, lambda: RMSNorm(5, elementwise_affine=False), [4, 5], STATELESS)
    f.module_case("float64", "RMSNorm", [5], {}, lambda: RMSNorm(5).double(), [4, 5], STATELESS,
                  make_input=lambda *shape: f.randn(*shape, dtype=torch.float64))


def local_response_norm_cases(f: ModuleFamily) -> None:
    f.module_case("defaults", "LocalResponseNorm", [2], {}, lambda: nn.LocalResponseNorm(2), [2, 5, 4], STATELESS)
    options = {"alpha": 0.1, "beta": 0.5, "k": 2.0}
    f.module_case("options_4d", "LocalResponseNorm", [3], options, lambda: nn.LocalResponseNorm(3, **keywords(options)), [2, 4, 2, 3], STATELESS)
    options = {"alpha": 0.5}
    f.module_case("size_5_5d", "LocalResponseNorm", [5], options, lambda: nn.LocalResponseNorm(5, **keywords(options)), [1, 6, 2, 2, 2], STATELESS)


def build() -> Family:
    f = ModuleFamily("norm_modules", seed=11)
    batch_norm_cases(f)
    instance_norm_cases(f)
    layer_norm_cases(f)
    group_norm_cases(f)
    rms_norm_cases(f)
    local_response_norm_cases(f)
    return f
