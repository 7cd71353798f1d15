"""@strata/layers-misc: PyTorch fixtures for Linear, Bilinear, Flatten, Unflatten,
the dropouts, Embedding, EmbeddingBag, PReLU and the activation layers.

Two files go to ``packages/layers-misc/src/__fixtures__/``:

- ``misc-functional.json``: the functional ops (``linear``, ``bilinear``,
  ``embedding``, ``embeddingBag``, ``prelu``, the deterministic dropout cases)
  in the format of ``fixture.Family`` (see README.md): forward, input and
  weight gradients, PyTorch's errors.
- ``misc-modules.json``: layer cases. Each builds a PyTorch module, records its
  parameters (the Strata test loads them into its layer), its ``repr`` and
  state-dict keys, runs ``forward`` on seeded inputs (through a clone for the
  in-place layers), and records the output, the gradients of the inputs and
  of every parameter, and the parameters after the call (Embedding's
  ``max_norm`` renormalizes the weight in place).

Run from the repository root with Debian's PyTorch::

    /usr/bin/python3 tooling/parity/cases_misc.py           # write both files
    /usr/bin/python3 tooling/parity/cases_misc.py --check   # fail if they are stale
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from fixture import Family, close, encode_arg, encode_tensor, fixture_json, stable_seed  # noqa: E402

FIXTURES = HERE.parent.parent / "packages" / "layers-misc" / "src" / "__fixtures__"
INF = float("inf")


def option(options: dict[str, Any] | None, key: str, default: Any) -> Any:
    if options is None or options.get(key) is None:
        return default
    return options[key]


def long(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.int64)


# ---- the functional ops, called with Strata's arguments ----

FUNCTIONAL = {
    "linear": lambda x, w, b=None: F.linear(x, w, b),
    "bilinear": lambda x1, x2, w, b=None: F.bilinear(x1, x2, w, b),
    "prelu": F.prelu,
    "embedding": lambda x, w, o=None: F.embedding(
        x, w, padding_idx=option(o, "paddingIdx", None), max_norm=option(o, "maxNorm", None),
        norm_type=option(o, "normType", 2.0), scale_grad_by_freq=option(o, "scaleGradByFreq", False),
    ),
    "embeddingBag": lambda x, w, offsets=None, o=None: F.embedding_bag(
        x, w, offsets, max_norm=option(o, "maxNorm", None), norm_type=option(o, "normType", 2.0),
        scale_grad_by_freq=option(o, "scaleGradByFreq", False), mode=option(o, "mode", "mean"),
        per_sample_weights=option(o, "perSampleWeights", None), include_last_offset=option(o, "includeLastOffset", False),
        padding_idx=option(o, "paddingIdx", None),
    ),
    "dropout": lambda x, o=None: F.dropout(x, option(o, "p", 0.5), option(o, "training", True)),
    "dropout1d": lambda x, o=None: F.dropout1d(x, option(o, "p", 0.5), option(o, "training", True)),
    "dropout2d": lambda x, o=None: F.dropout2d(x, option(o, "p", 0.5), option(o, "training", True)),
    "dropout3d": lambda x, o=None: F.dropout3d(x, option(o, "p", 0.5), option(o, "training", True)),
    "alphaDropout": lambda x, o=None: F.alpha_dropout(x, option(o, "p", 0.5), option(o, "training", False)),
    "featureAlphaDropout": lambda x, o=None: F.feature_alpha_dropout(x, option(o, "p", 0.5), option(o, "training", False)),
}


def bag_reference(x, w, offsets=None, o=None):
    """``embedding_bag`` with ``scale_grad_by_freq`` composed from ``F.embedding`` (whose scaling is right).

    PyTorch 1.13's own ``embedding_bag`` backward divides by the count of the
    wrong row (``counts[indices[i]]`` with ``i`` counting distinct rows, in
    ``_embedding_bag_dense_backward_cpu_sum_mean``), so its weight gradient
    disagrees with its documentation ("the inverse of frequency of the words
    in the mini-batch") and with ``nn.Embedding``. Strata follows the
    documentation; these cases take their expected values from this
    composition of PyTorch ops instead.
    """
    rows = F.embedding(x.reshape(-1), w, scale_grad_by_freq=True)
    if x.dim() == 2:
        bags = [rows[b * x.shape[1]:(b + 1) * x.shape[1]] for b in range(x.shape[0])]
    else:
        starts = offsets.tolist() + [x.numel()]
        bags = [rows[starts[b]:starts[b + 1]] for b in range(offsets.numel())]
    mode = option(o, "mode", "mean")
    reduce = (lambda bag: bag.sum(0)) if mode == "sum" else (lambda bag: bag.mean(0))
    return torch.stack([reduce(bag) if bag.shape[0] > 0 else torch.zeros(w.shape[1]) for bag in bags])


def functional(f: Family) -> None:
    T = f.input
    r = f.randn
    case = lambda name, op, args, **kw: f.case(name, op, args, FUNCTIONAL[op], **kw)  # noqa: E731

    case("2d_bias", "linear", [T(r(4, 3)), T(r(5, 3)), T(r(5))])
    case("2d_no_bias", "linear", [T(r(4, 3)), T(r(5, 3))])
    case("1d_input", "linear", [T(r(3)), T(r(2, 3)), T(r(2))])
    case("3d_input", "linear", [T(r(2, 4, 3)), T(r(5, 3)), T(r(5))])
    case("4d_input", "linear", [T(r(2, 1, 3, 6)), T(r(4, 6)), T(r(4))])
    case("transposed_input", "linear", [T(r(3, 4), [["t"]]), T(r(5, 3)), T(r(5))])
    case("transposed_weight", "linear", [T(r(4, 3)), T(r(3, 5), [["t"]]), T(r(5))])
    case("large_for_blocking", "linear", [T(r(37, 70)), T(r(33, 70)), T(r(33))])
    case("float64", "linear", [T(r(4, 3, dtype=torch.float64)), T(r(2, 3, dtype=torch.float64)), T(r(2, dtype=torch.float64))])
    case("zero_rows", "linear", [T(torch.zeros(0, 3)), T(r(2, 3)), T(r(2))], check_conditioning=False)
    case("mismatch_raises", "linear", [T(r(4, 3)), T(r(5, 2))], raises=True)
    case("bias_mismatch_raises", "linear", [T(r(4, 3)), T(r(5, 3)), T(r(4))], raises=True)

    case("2d_bias", "bilinear", [T(r(4, 2)), T(r(4, 3)), T(r(5, 2, 3)), T(r(5))])
    case("2d_no_bias", "bilinear", [T(r(4, 2)), T(r(4, 3)), T(r(5, 2, 3))])
    case("3d_inputs", "bilinear", [T(r(2, 3, 4)), T(r(2, 3, 2)), T(r(3, 4, 2)), T(r(3))])
    case("1d_inputs", "bilinear", [T(r(2)), T(r(3)), T(r(4, 2, 3)), T(r(4))])
    case("transposed_inputs", "bilinear", [T(r(2, 4), [["t"]]), T(r(3, 4), [["t"]]), T(r(5, 2, 3)), T(r(5))])
    case("float64", "bilinear", [T(r(3, 2, dtype=torch.float64)), T(r(3, 2, dtype=torch.float64)), T(r(2, 2, 2, dtype=torch.float64))])
    case("batch_mismatch_raises", "bilinear", [T(r(4, 2)), T(r(3, 3)), T(r(5, 2, 3))], raises=True)
    case("in1_mismatch_raises", "bilinear", [T(r(4, 3)), T(r(4, 3)), T(r(5, 2, 3))], raises=True)

    case("single_slope", "prelu", [T(r(3, 4)), T([0.25])])
    case("per_channel_2d", "prelu", [T(r(4, 3)), T([0.1, -0.2, 0.5])])
    case("per_channel_4d", "prelu", [T(r(2, 3, 2, 2)), T([0.1, 0.3, 2.0])])
    case("single_slope_1d", "prelu", [T(r(5)), T([0.5])])
    case("zero_dim_single_slope", "prelu", [T(torch.tensor(-2.0)), T([0.5])])
    case("transposed_input", "prelu", [T(r(3, 2), [["t"]]), T([0.1, 0.2, 0.3])])
    case("float64", "prelu", [T(r(2, 3, dtype=torch.float64)), T(torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64))])
    case("zeros_in_input", "prelu", [T([[0.0, -1.0], [2.0, 0.0]]), T([0.25, 0.5])])
    case("channel_mismatch_raises", "prelu", [T(r(2, 4)), T([0.1, 0.2, 0.3])], grad=False, raises=True)
    case("1d_per_channel_raises", "prelu", [T(r(3)), T([0.1, 0.2, 0.3])], grad=False, raises=True)

    idx = lambda *values: T(long(list(values)))  # noqa: E731
    case("1d_indices", "embedding", [idx(1, 4, 0, 4), T(r(6, 3))])
    case("2d_indices", "embedding", [T(f.randint(0, 7, 2, 5)), T(r(7, 4))])
    case("zero_dim_index", "embedding", [T(torch.tensor(3)), T(r(5, 2))])
    case("3d_indices", "embedding", [T(f.randint(0, 9, 2, 2, 3)), T(r(9, 3))])
    case("padding_idx", "embedding", [idx(0, 2, 2, 1, 0), T(r(4, 3)), {"paddingIdx": 2}])
    case("negative_padding_idx", "embedding", [idx(0, 3, 3, 1), T(r(4, 3)), {"paddingIdx": -1}])
    case("scale_grad_by_freq", "embedding", [idx(1, 1, 1, 2, 0, 2), T(r(4, 3)), {"scaleGradByFreq": True}])
    case("scale_grad_and_padding", "embedding", [idx(1, 1, 3, 2, 3), T(r(4, 3)), {"scaleGradByFreq": True, "paddingIdx": 3}])
    case("max_norm", "embedding", [idx(0, 1, 3, 1), T(r(5, 4, scale=2)), {"maxNorm": 1.0}])
    case("max_norm_norm_type_1", "embedding", [idx(2, 0, 4), T(r(5, 3, scale=2)), {"maxNorm": 1.5, "normType": 1.0}])
    case("max_norm_inf", "embedding", [idx(2, 0, 4), T(r(5, 3, scale=2)), {"maxNorm": 0.5, "normType": INF}])
    case("transposed_weight", "embedding", [idx(0, 2, 1), T(r(3, 4), [["t"]])])
    case("float64", "embedding", [idx(1, 0), T(r(3, 2, dtype=torch.float64))])
    case("index_out_of_range_raises", "embedding", [idx(0, 5), T(r(5, 2))], grad=False, raises=True)
    case("negative_index_raises", "embedding", [idx(-1), T(r(5, 2))], grad=False, raises=True)
    case("float_index_raises", "embedding", [T([1.0]), T(r(5, 2))], grad=False, raises=True)
    case("1d_weight_raises", "embedding", [idx(1), T(r(5))], grad=False, raises=True)

    bag_input = [1, 2, 4, 5, 4, 3, 2, 0]
    for mode in ("sum", "mean", "max"):
        case(f"{mode}_offsets", "embeddingBag", [idx(*bag_input), T(r(6, 3)), idx(0, 3, 5), {"mode": mode}])
        case(f"{mode}_2d_input", "embeddingBag", [T(f.randint(0, 6, 3, 4)), T(r(6, 3)), None, {"mode": mode}])
        case(f"{mode}_empty_bag", "embeddingBag", [idx(*bag_input), T(r(6, 3)), idx(0, 3, 3, 6), {"mode": mode}])
        case(f"{mode}_include_last_offset", "embeddingBag",
             [idx(*bag_input), T(r(6, 3)), idx(0, 2, 5, 8), {"mode": mode, "includeLastOffset": True}])
        case(f"{mode}_padding_idx", "embeddingBag", [idx(*bag_input), T(r(6, 3)), idx(0, 3, 5), {"mode": mode, "paddingIdx": 4}])
        case(f"{mode}_max_norm", "embeddingBag", [idx(*bag_input), T(r(6, 3, scale=2)), idx(0, 3, 5), {"mode": mode, "maxNorm": 1.0}])
    case("max_ties_first_wins", "embeddingBag", [idx(0, 1, 2), T([[1.0, 5.0], [1.0, 2.0], [3.0, 5.0]]), idx(0), {"mode": "max"}])
    case("sum_per_sample_weights", "embeddingBag",
         [idx(*bag_input), T(r(6, 3)), idx(0, 3, 5), {"mode": "sum", "perSampleWeights": T(r(8))}])
    case("sum_per_sample_weights_2d", "embeddingBag",
         [T(f.randint(0, 6, 2, 3)), T(r(6, 3)), None, {"mode": "sum", "perSampleWeights": T(r(2, 3))}])
    case("sum_per_sample_weights_padding", "embeddingBag",
         [idx(*bag_input), T(r(6, 3)), idx(0, 3, 5), {"mode": "sum", "perSampleWeights": T(r(8)), "paddingIdx": 2}])
    f.case("sum_scale_grad_by_freq", "embeddingBag",
           [idx(*bag_input), T(r(6, 3)), idx(0, 3, 5), {"mode": "sum", "scaleGradByFreq": True}], bag_reference)
    f.case("mean_scale_grad_by_freq", "embeddingBag",
           [idx(*bag_input), T(r(6, 3)), idx(0, 3, 5), {"mode": "mean", "scaleGradByFreq": True}], bag_reference)
    f.case("sum_scale_grad_by_freq_2d", "embeddingBag",
           [T(long([[1, 1, 2], [2, 1, 0]])), T(r(3, 2)), None, {"mode": "sum", "scaleGradByFreq": True}], bag_reference)
    case("mean_default_mode", "embeddingBag", [idx(*bag_input), T(r(6, 3)), idx(0, 4)])
    case("float64", "embeddingBag", [idx(0, 2, 1), T(r(3, 2, dtype=torch.float64)), idx(0, 1), {"mode": "sum"}])
    case("first_offset_raises", "embeddingBag", [idx(0, 1, 2), T(r(3, 2)), idx(1, 2)], grad=False, raises=True)
    case("offsets_past_end_raises", "embeddingBag", [idx(0, 1, 2), T(r(3, 2)), idx(0, 9)], grad=False, raises=True)
    case("per_sample_weights_mean_raises", "embeddingBag",
         [idx(0, 1), T(r(3, 2)), idx(0), {"mode": "mean", "perSampleWeights": T(r(2))}], grad=False, raises=True)
    case("offsets_with_2d_raises", "embeddingBag", [T(long([[0, 1]])), T(r(3, 2)), idx(0)], grad=False, raises=True)
    case("3d_input_raises", "embeddingBag", [T(long([[[0, 1]]])), T(r(3, 2))], grad=False, raises=True)

    for op in ("dropout", "dropout1d", "dropout2d", "alphaDropout", "featureAlphaDropout"):
        case("eval_is_identity", op, [T(r(2, 3, 4)), {"p": 0.5, "training": False}])
        case("p_0_is_identity", op, [T(r(2, 3, 4)), {"p": 0.0, "training": True}])
        case("p_1_gives_zeros", op, [T(r(2, 3, 4)), {"p": 1.0, "training": True}])
    case("eval_is_identity", "dropout3d", [T(r(2, 2, 2, 2, 3)), {"p": 0.5, "training": False}])
    case("p_1_gives_zeros", "dropout3d", [T(r(2, 2, 2, 2, 3)), {"p": 1.0, "training": True}])
    case("p_above_1_raises", "dropout", [T(r(3)), {"p": 1.5}], grad=False, raises=True)
    case("p_negative_raises", "dropout2d", [T(r(2, 3, 4)), {"p": -0.1}], grad=False, raises=True)
    case("1d_input_raises", "dropout1d", [T(r(3)), {"p": 0.5}], grad=False, raises=True)


# ---- the layers ----


class ModuleCases:
    """Layer cases: construction, parameters, repr, state-dict keys, forward and backward."""

    def __init__(self, name: str, seed: int = 0):
        self.name = name
        self.generator = torch.Generator().manual_seed(seed)
        self.cases: list[dict[str, Any]] = []
        self.names: set[str] = set()

    def randn(self, *shape: int, scale: float = 1.0) -> torch.Tensor:
        return torch.randn(shape, generator=self.generator, dtype=torch.float64).mul(scale).float()

    def randint(self, low: int, high: int, *shape: int) -> torch.Tensor:
        return torch.randint(low, high, shape, generator=self.generator, dtype=torch.int64)

    def case(
        self,
        name: str,
        layer: str,
        args: list[Any],
        make: Callable[[], nn.Module],
        inputs: list[torch.Tensor | None],
        *,
        training: bool = True,
        clone_input: bool = False,
        grad: bool = True,
        factory: str | None = None,
        check_conditioning: bool = True,
    ) -> None:
        """``args``: Strata's constructor arguments (an options dict last); ``inputs``: forward's arguments."""
        full_name = f"{layer}/{name}"
        if full_name in self.names:
            raise ValueError(f"duplicate case {full_name}")
        self.names.add(full_name)
        torch.manual_seed(stable_seed(full_name))
        module = make()
        module.train(training)
        record: dict[str, Any] = {
            "name": full_name,
            "layer": layer,
            "factory": factory,
            "args": encode_module_args(args),
            "training": training,
            "cloneInput": clone_input,
            "repr": repr(module),
            "stateDictKeys": list(module.state_dict().keys()),
            "state": {key: encode_tensor(value) for key, value in module.state_dict().items()},
            "inputs": [None if value is None else dict(encode_tensor(value), views=[]) for value in inputs],
        }
        output, grads, parameter_grads, after, upstream = self._run(module, inputs, clone_input, grad, None, None)
        record["expected"] = encode_tensor(output)
        if grad:
            record["upstream"] = encode_tensor(upstream)
            record["inputGrads"] = [None if g is None else encode_tensor(g) for g in grads]
            record["parameterGrads"] = {k: None if g is None else encode_tensor(g) for k, g in parameter_grads.items()}
        record["parametersAfter"] = {k: encode_tensor(v) for k, v in after.items()}
        if check_conditioning:
            self._check_conditioning(full_name, make, training, inputs, clone_input, grad, output, grads, parameter_grads, after, upstream)
        self.cases.append(record)

    def _run(self, module, inputs, clone_input, grad, float_dtype, upstream_override):
        if float_dtype is not None:
            module = module.to(float_dtype)
        leaves = []
        for value in inputs:
            if value is None:
                leaves.append(None)
                continue
            leaf = value.clone()
            if leaf.is_floating_point():
                if float_dtype is not None:
                    leaf = leaf.to(float_dtype)
                leaf.requires_grad_(grad)
            leaves.append(leaf)
        arguments = list(leaves)
        if clone_input:
            arguments[0] = arguments[0].clone()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            output = module(*arguments)
        grads: list[torch.Tensor | None] = []
        parameter_grads: dict[str, torch.Tensor | None] = {}
        upstream = None
        if grad:
            upstream = upstream_override.to(output.dtype) if upstream_override is not None else self.randn(*output.shape).to(output.dtype)
            float_leaves = [leaf for leaf in leaves if leaf is not None and leaf.is_floating_point()]
            named = [(k, p) for k, p in module.named_parameters() if p.requires_grad]
            computed = torch.autograd.grad(output, float_leaves + [p for _, p in named], upstream, allow_unused=True)
            found = iter(computed[: len(float_leaves)])
            grads = [next(found) if leaf is not None and leaf.is_floating_point() else None for leaf in leaves]
            # A `sparse=True` embedding's weight gradient is a sparse tensor; Strata's is its dense form.
            parameter_grads = {k: (g.to_dense() if g is not None and g.is_sparse else g) for (k, _), g in zip(named, computed[len(float_leaves):])}
        after = {k: p.detach().clone() for k, p in module.named_parameters()}
        return output, grads, parameter_grads, after, upstream

    def _check_conditioning(self, name, make, training, inputs, clone_input, grad, output, grads, parameter_grads, after, upstream):
        torch.manual_seed(stable_seed(name))
        module = make()
        module.train(training)
        output64, grads64, parameter_grads64, after64, _ = self._run(module, inputs, clone_input, grad, torch.float64, upstream)
        pairs = [("forward", output, output64)]
        pairs += [("input grad", a, b) for a, b in zip(grads, grads64) if a is not None and b is not None]
        pairs += [(f"grad of {k}", g, parameter_grads64[k]) for k, g in parameter_grads.items() if g is not None]
        pairs += [(f"{k} after forward", v, after64[k]) for k, v in after.items()]
        for what, a, b in pairs:
            if a.is_floating_point() and not close(a.detach().double().reshape(-1), b.detach().double().reshape(-1)):
                raise ValueError(f"{name}: ill-conditioned {what}")

    def to_json(self) -> str:
        return fixture_json(self.name, "tooling/parity/cases_misc.py", self.cases)


def encode_module_args(args: list[Any]) -> list[Any]:
    """Constructor arguments as JSON; a tensor (``fromPretrained``'s weight) becomes ``{"$tensor": ...}``."""

    def encode(value):
        if isinstance(value, torch.Tensor):
            return {"$tensor": encode_tensor(value)}
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [encode(v) for v in value]
        return encode_arg(value, lambda _: 0)

    return [encode(value) for value in args]


def linear_layers(m: ModuleCases) -> None:
    r = m.randn
    m.case("default", "Linear", [3, 4], lambda: nn.Linear(3, 4), [r(2, 3)])
    m.case("no_bias", "Linear", [3, 4, {"bias": False}], lambda: nn.Linear(3, 4, bias=False), [r(2, 3)])
    m.case("1d_input", "Linear", [5, 2], lambda: nn.Linear(5, 2), [r(5)])
    m.case("3d_input", "Linear", [4, 6], lambda: nn.Linear(4, 6), [r(2, 3, 4)])
    m.case("4d_input", "Linear", [3, 2], lambda: nn.Linear(3, 2), [r(2, 2, 2, 3)])
    m.case("wide", "Linear", [40, 24], lambda: nn.Linear(40, 24), [r(9, 40)])
    m.case("default", "Bilinear", [2, 3, 4], lambda: nn.Bilinear(2, 3, 4), [r(5, 2), r(5, 3)])
    m.case("no_bias", "Bilinear", [2, 3, 4, {"bias": False}], lambda: nn.Bilinear(2, 3, 4, bias=False), [r(5, 2), r(5, 3)])
    m.case("3d_inputs", "Bilinear", [3, 2, 2], lambda: nn.Bilinear(3, 2, 2), [r(2, 4, 3), r(2, 4, 2)])
    m.case("1d_inputs", "Bilinear", [3, 2, 2], lambda: nn.Bilinear(3, 2, 2), [r(3), r(2)])
    m.case("default", "Identity", [], lambda: nn.Identity(), [r(2, 3)])
    m.case("ignores_arguments", "Identity", [54, {"unused": "argumentModel"}], lambda: nn.Identity(54, unused="argumentModel"), [r(3)])
    m.case("default", "Flatten", [], lambda: nn.Flatten(), [r(2, 3, 4)])
    m.case("start_0", "Flatten", [0], lambda: nn.Flatten(0), [r(2, 3, 4)])
    m.case("middle", "Flatten", [1, 2], lambda: nn.Flatten(1, 2), [r(2, 3, 2, 2)])
    m.case("negative_dims", "Flatten", [-3, -2], lambda: nn.Flatten(-3, -2), [r(2, 3, 2, 2)])
    m.case("1d_start_0", "Flatten", [0], lambda: nn.Flatten(0), [r(5)])
    m.case("split_dim_1", "Unflatten", [1, [2, 3]], lambda: nn.Unflatten(1, (2, 3)), [r(4, 6)])
    m.case("inferred_size", "Unflatten", [1, [2, -1]], lambda: nn.Unflatten(1, (2, -1)), [r(4, 6)])
    m.case("last_dim", "Unflatten", [-1, [2, 2, 1]], lambda: nn.Unflatten(-1, (2, 2, 1)), [r(3, 4)])


def dropout_layers(m: ModuleCases) -> None:
    r = m.randn
    layers = {
        "Dropout": (nn.Dropout, (2, 3)),
        "Dropout1d": (nn.Dropout1d, (2, 3, 4)),
        "Dropout2d": (nn.Dropout2d, (2, 3, 2, 2)),
        "Dropout3d": (nn.Dropout3d, (2, 2, 2, 2, 2)),
        "AlphaDropout": (nn.AlphaDropout, (2, 3)),
        "FeatureAlphaDropout": (nn.FeatureAlphaDropout, (2, 3, 2)),
    }
    for layer, (cls, shape) in layers.items():
        m.case("eval_is_identity", layer, [0.3], lambda cls=cls: cls(0.3), [r(*shape)], training=False)
        m.case("p_0_is_identity", layer, [0.0], lambda cls=cls: cls(0.0), [r(*shape)])
        m.case("p_1_gives_zeros", layer, [1.0], lambda cls=cls: cls(1.0), [r(*shape)])
        m.case("inplace_eval", layer, [0.25, {"inplace": True}], lambda cls=cls: cls(0.25, inplace=True), [r(*shape)], training=False)
    m.case("inplace_p_1", "Dropout", [1.0, {"inplace": True}], lambda: nn.Dropout(1.0, inplace=True), [r(2, 3)], clone_input=True)
    m.case("unbatched_p_1", "Dropout1d", [1.0], lambda: nn.Dropout1d(1.0), [r(3, 4)])
    m.case("unbatched_p_1", "Dropout3d", [1.0], lambda: nn.Dropout3d(1.0), [r(2, 2, 2, 2)])


def embedding_layers(m: ModuleCases) -> None:
    r = m.randn
    ri = m.randint
    m.case("default", "Embedding", [10, 3], lambda: nn.Embedding(10, 3), [ri(0, 10, 2, 4)])
    m.case("padding_idx", "Embedding", [6, 3, {"paddingIdx": 1}], lambda: nn.Embedding(6, 3, padding_idx=1), [long([[1, 2, 1], [0, 1, 5]])])
    m.case("negative_padding_idx", "Embedding", [6, 3, {"paddingIdx": -2}], lambda: nn.Embedding(6, 3, padding_idx=-2), [long([4, 4, 2, 5])])
    m.case("max_norm", "Embedding", [8, 4, {"maxNorm": 1.0}], lambda: nn.Embedding(8, 4, max_norm=1.0), [long([[0, 3], [3, 7]])])
    m.case("max_norm_norm_type_1", "Embedding", [8, 4, {"maxNorm": 2.0, "normType": 1.0}],
           lambda: nn.Embedding(8, 4, max_norm=2.0, norm_type=1.0), [long([1, 2, 1, 6])])
    m.case("max_norm_inf_and_padding", "Embedding", [8, 4, {"maxNorm": 0.75, "normType": INF, "paddingIdx": 2}],
           lambda: nn.Embedding(8, 4, max_norm=0.75, norm_type=INF, padding_idx=2), [long([2, 5, 7, 5])])
    m.case("scale_grad_by_freq", "Embedding", [5, 2, {"scaleGradByFreq": True}],
           lambda: nn.Embedding(5, 2, scale_grad_by_freq=True), [long([[1, 1, 4], [1, 0, 4]])])
    m.case("all_options", "Embedding", [7, 3, {"paddingIdx": 0, "maxNorm": 1.5, "normType": 3.0, "scaleGradByFreq": True}],
           lambda: nn.Embedding(7, 3, padding_idx=0, max_norm=1.5, norm_type=3.0, scale_grad_by_freq=True), [long([0, 3, 3, 6, 0])])
    pretrained = r(4, 3)
    m.case("from_pretrained_frozen", "Embedding", [pretrained], lambda: nn.Embedding.from_pretrained(pretrained.clone()),
           [long([2, 0, 2])], factory="fromPretrained", grad=False)
    m.case("from_pretrained_trainable", "Embedding", [pretrained, {"freeze": False, "paddingIdx": 1}],
           lambda: nn.Embedding.from_pretrained(pretrained.clone(), freeze=False, padding_idx=1), [long([1, 3, 1])],
           factory="fromPretrained")
    m.case("from_pretrained_max_norm", "Embedding", [pretrained, {"freeze": False, "maxNorm": 0.5}],
           lambda: nn.Embedding.from_pretrained(pretrained.clone(), freeze=False, max_norm=0.5), [long([3, 0])],
           factory="fromPretrained")

    bag_input = long([1, 2, 4, 5, 4, 3, 2, 0])
    offsets = long([0, 3, 5])
    for mode in ("sum", "mean", "max"):
        m.case(f"{mode}_offsets", "EmbeddingBag", [6, 3, {"mode": mode}], lambda mode=mode: nn.EmbeddingBag(6, 3, mode=mode),
               [bag_input, offsets])
        m.case(f"{mode}_2d_input", "EmbeddingBag", [6, 3, {"mode": mode}], lambda mode=mode: nn.EmbeddingBag(6, 3, mode=mode),
               [ri(0, 6, 3, 4)])
        m.case(f"{mode}_padding_max_norm", "EmbeddingBag", [6, 3, {"mode": mode, "paddingIdx": 2, "maxNorm": 1.0}],
               lambda mode=mode: nn.EmbeddingBag(6, 3, mode=mode, padding_idx=2, max_norm=1.0), [bag_input, offsets])
        m.case(f"{mode}_include_last_offset", "EmbeddingBag", [6, 3, {"mode": mode, "includeLastOffset": True}],
               lambda mode=mode: nn.EmbeddingBag(6, 3, mode=mode, include_last_offset=True), [bag_input, long([0, 2, 2, 8])])
    m.case("default_mean", "EmbeddingBag", [6, 3], lambda: nn.EmbeddingBag(6, 3), [bag_input, long([0, 4])])
    m.case("sum_per_sample_weights", "EmbeddingBag", [6, 3, {"mode": "sum"}], lambda: nn.EmbeddingBag(6, 3, mode="sum"),
           [bag_input, offsets, r(8)])
    # scaleGradByFreq's gradient: see bag_reference (the functional cases check it); here the forward and printout.
    m.case("scale_grad_by_freq_forward", "EmbeddingBag", [6, 3, {"mode": "sum", "scaleGradByFreq": True}],
           lambda: nn.EmbeddingBag(6, 3, mode="sum", scale_grad_by_freq=True), [bag_input, offsets], grad=False)
    m.case("sum_norm_type_1_max_norm", "EmbeddingBag", [6, 3, {"mode": "sum", "normType": 1.0, "maxNorm": 2.0}],
           lambda: nn.EmbeddingBag(6, 3, mode="sum", norm_type=1.0, max_norm=2.0), [bag_input, offsets])
    m.case("from_pretrained", "EmbeddingBag", [pretrained, {"mode": "max", "freeze": False}],
           lambda: nn.EmbeddingBag.from_pretrained(pretrained.clone(), mode="max", freeze=False), [long([0, 3, 1, 2]), long([0, 2])],
           factory="fromPretrained")


def activation_layers(m: ModuleCases) -> None:
    r = lambda *shape: m.randn(*shape, scale=2)  # noqa: E731
    cases = [
        ("default", "ReLU", [], nn.ReLU, {}),
        ("default", "ReLU6", [], nn.ReLU6, {}),
        ("default", "LeakyReLU", [], nn.LeakyReLU, {}),
        ("slope_0_2", "LeakyReLU", [0.2], lambda: nn.LeakyReLU(0.2), {}),
        ("default", "ELU", [], nn.ELU, {}),
        ("alpha_0_5", "ELU", [0.5], lambda: nn.ELU(0.5), {}),
        ("default", "SELU", [], nn.SELU, {}),
        ("default", "CELU", [], nn.CELU, {}),
        ("alpha_2", "CELU", [2.0], lambda: nn.CELU(2.0), {}),
        ("default", "GELU", [], nn.GELU, {}),
        ("tanh", "GELU", [{"approximate": "tanh"}], lambda: nn.GELU(approximate="tanh"), {}),
        ("default", "SiLU", [], nn.SiLU, {}),
        ("default", "Mish", [], nn.Mish, {}),
        ("default", "Sigmoid", [], nn.Sigmoid, {}),
        ("default", "Tanh", [], nn.Tanh, {}),
        ("default", "Softplus", [], nn.Softplus, {}),
        ("beta_2_threshold_1", "Softplus", [{"beta": 2, "threshold": 1}], lambda: nn.Softplus(2, 1), {}),
        ("default", "Softsign", [], nn.Softsign, {}),
        ("default", "Hardtanh", [], nn.Hardtanh, {}),
        ("bounds", "Hardtanh", [-0.5, 2.5], lambda: nn.Hardtanh(-0.5, 2.5), {}),
        ("default", "Hardswish", [], nn.Hardswish, {}),
        ("default", "Hardsigmoid", [], nn.Hardsigmoid, {}),
        ("default", "Tanhshrink", [], nn.Tanhshrink, {}),
        ("values", "Threshold", [0.1, 20.0], lambda: nn.Threshold(0.1, 20.0), {}),
        ("negative", "Threshold", [-0.5, -3.5], lambda: nn.Threshold(-0.5, -3.5), {}),
        ("dim_1", "Softmax", [1], lambda: nn.Softmax(1), {}),
        ("dim_minus_1_3d", "Softmax", [-1], lambda: nn.Softmax(-1), {"shape": (2, 3, 4)}),
        ("implicit_dim_2d", "Softmax", [], lambda: nn.Softmax(), {}),
        ("implicit_dim_3d", "Softmax", [], lambda: nn.Softmax(), {"shape": (2, 3, 4)}),
        ("dim_0", "LogSoftmax", [0], lambda: nn.LogSoftmax(0), {}),
        ("implicit_dim", "LogSoftmax", [], lambda: nn.LogSoftmax(), {}),
        ("dim_1", "Softmin", [1], lambda: nn.Softmin(1), {}),
        ("default", "GLU", [], nn.GLU, {"shape": (3, 4)}),
        ("dim_0", "GLU", [0], lambda: nn.GLU(0), {"shape": (4, 3)}),
        ("default", "PReLU", [], nn.PReLU, {}),
        ("per_channel", "PReLU", [3], lambda: nn.PReLU(3), {}),
        ("per_channel_4d", "PReLU", [3, 0.1], lambda: nn.PReLU(3, 0.1), {"shape": (2, 3, 2, 2)}),
        ("init", "PReLU", [1, -0.5], lambda: nn.PReLU(1, -0.5), {"shape": (5,)}),
    ]
    for name, layer, args, make, extra in cases:
        m.case(name, layer, args, make, [r(*extra.get("shape", (2, 3)))])
    inplace = [
        ("ReLU", [], lambda: nn.ReLU(inplace=True)),
        ("ReLU6", [], lambda: nn.ReLU6(inplace=True)),
        ("LeakyReLU", [0.2], lambda: nn.LeakyReLU(0.2, inplace=True)),
        ("ELU", [1.0], lambda: nn.ELU(inplace=True)),
        ("SELU", [], lambda: nn.SELU(inplace=True)),
        ("CELU", [0.5], lambda: nn.CELU(0.5, inplace=True)),
        ("SiLU", [], lambda: nn.SiLU(inplace=True)),
        ("Mish", [], lambda: nn.Mish(inplace=True)),
        ("Hardtanh", [-2.0, 2.0], lambda: nn.Hardtanh(-2.0, 2.0, inplace=True)),
        ("Hardswish", [], lambda: nn.Hardswish(inplace=True)),
        ("Hardsigmoid", [], lambda: nn.Hardsigmoid(inplace=True)),
        ("Threshold", [0.5, 4.0], lambda: nn.Threshold(0.5, 4.0, inplace=True)),
    ]
    for layer, args, make in inplace:
        m.case("inplace", layer, [*args, {"inplace": True}], make, [r(2, 3)], clone_input=True)


def build_functional() -> Family:
    f = Family("misc-functional", seed=11)
    functional(f)
    return f


def build_modules() -> ModuleCases:
    m = ModuleCases("misc-modules", seed=12)
    linear_layers(m)
    dropout_layers(m)
    embedding_layers(m)
    activation_layers(m)
    sparse_embedding_layers(m)
    return m


def sparse_embedding_layers(m: ModuleCases) -> None:
    """``sparse=True`` (PyTorch's own module tests build ``nn.Embedding(4, 3, sparse=True)``): the same numbers, densified."""
    m.case("sparse", "Embedding", [4, 3, {"sparse": True}], lambda: nn.Embedding(4, 3, sparse=True), [long([[0, 2], [2, 3]])])
    m.case("sparse_padding_idx", "Embedding", [6, 3, {"sparse": True, "paddingIdx": 1}],
           lambda: nn.Embedding(6, 3, sparse=True, padding_idx=1), [long([1, 4, 1, 0])])
    m.case("sparse_max_norm", "Embedding", [5, 2, {"sparse": True, "maxNorm": 1.0}],
           lambda: nn.Embedding(5, 2, sparse=True, max_norm=1.0), [long([[1, 1, 4], [1, 0, 4]])])
    m.case("sparse_sum", "EmbeddingBag", [6, 3, {"mode": "sum", "sparse": True}],
           lambda: nn.EmbeddingBag(6, 3, mode="sum", sparse=True), [long([1, 2, 4, 5, 4, 3]), long([0, 2])])
    m.case("sparse_mean", "EmbeddingBag", [6, 3, {"sparse": True}],
           lambda: nn.EmbeddingBag(6, 3, sparse=True), [long([[0, 5, 5], [2, 3, 1]])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a fixture on disk differs")
    options = parser.parse_args()
    torch.set_num_threads(1)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    stale = []
    for file_name, build in (("misc-functional.json", build_functional), ("misc-modules.json", build_modules)):
        torch.manual_seed(0)
        built = build()
        text = built.to_json()
        path = FIXTURES / file_name
        if options.check:
            if not path.exists() or path.read_text() != text:
                stale.append(file_name)
            print(f"{file_name}: {len(built.cases)} cases, {'stale' if file_name in stale else 'up to date'}")
        else:
            path.write_text(text)
            print(f"{file_name}: {len(built.cases)} cases, {len(text.encode())} bytes")
    if stale:
        raise SystemExit(f"stale fixtures (run /usr/bin/python3 tooling/parity/cases_misc.py): {', '.join(stale)}")


if __name__ == "__main__":
    main()
