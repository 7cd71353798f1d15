"""The losses of @strata/losses, functional forms and modules.

Writes ``packages/losses/src/__fixtures__/losses.json`` in the op-case format
of this folder (README.md): the forward result and the gradients of the
input and of every float target for ``mseLoss``, ``l1Loss``,
``smoothL1Loss``, ``huberLoss``, ``crossEntropy``, ``nllLoss``,
``binaryCrossEntropy``, ``binaryCrossEntropyWithLogits``, ``klDiv``,
``cosineEmbeddingLoss``, ``marginRankingLoss`` and ``tripletMarginLoss``:
every reduction crossed with the options (weights, ignoreIndex with some
targets ignored, label smoothing with indices and with probabilities, K-d
inputs, posWeight broadcasting, logTarget, batchmean, swap), kinks, extreme
logits and the calls PyTorch rejects. The test also runs each case through
the loss module built from the same options.

``moduleRepr`` / ``moduleStateDict`` cases build a module from Strata's
constructor arguments (``[class, options]``) and record PyTorch's ``repr``
and the state dict's keys and shapes.

The ops are the loss package's, so their PyTorch calls live here
(``LOSS_OPS``) rather than in ``torch_ops.py``. PyTorch refuses a ``weight``
(``nll_loss``, ``binary_cross_entropy``) or ``pos_weight`` that requires grad;
those are detached, so their gradient is recorded as ``null`` (Strata gives
them none either). The probability target of ``kl_div`` is detached where it
holds zeros: PyTorch 1.13's gradient there is NaN (Strata's is finite).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from fixture import Family

# kl_div's reduction='mean' warns that it is not the KL divergence; the cases want it anyway.
warnings.filterwarnings("ignore", category=UserWarning)

KEYWORDS = {
    "reduction": "reduction", "weight": "weight", "ignoreIndex": "ignore_index", "labelSmoothing": "label_smoothing",
    "posWeight": "pos_weight", "logTarget": "log_target", "margin": "margin", "p": "p", "eps": "eps", "swap": "swap",
    "beta": "beta", "delta": "delta",
}
REDUCTIONS = ["mean", "sum", "none"]


def keywords(options: dict[str, Any] | None, detach: tuple[str, ...] = ()) -> dict[str, Any]:
    result = {}
    for key, value in (options or {}).items():
        if key in detach and isinstance(value, torch.Tensor):
            value = value.detach()
        result[KEYWORDS[key]] = value
    return result


def class_weights_detached(target: torch.Tensor) -> tuple[str, ...]:
    # Class-index losses run nll_loss, whose weight PyTorch doesn't differentiate; probabilities are a composite that does.
    return () if target.is_floating_point() else ("weight",)


LOSS_OPS = {
    "mseLoss": lambda x, t, o=None: F.mse_loss(x, t, **keywords(o)),
    "l1Loss": lambda x, t, o=None: F.l1_loss(x, t, **keywords(o)),
    "smoothL1Loss": lambda x, t, o=None: F.smooth_l1_loss(x, t, **keywords(o)),
    "huberLoss": lambda x, t, o=None: F.huber_loss(x, t, **keywords(o)),
    "crossEntropy": lambda x, t, o=None: F.cross_entropy(x, t, **keywords(o, class_weights_detached(t))),
    "nllLoss": lambda x, t, o=None: F.nll_loss(x, t, **keywords(o, ("weight",))),
    "binaryCrossEntropy": lambda x, t, o=None: F.binary_cross_entropy(x, t, **keywords(o, ("weight",))),
    "binaryCrossEntropyWithLogits": lambda x, t, o=None: F.binary_cross_entropy_with_logits(
        x, t, **keywords(o, ("weight", "posWeight"))),
    "klDiv": lambda x, t, o=None: F.kl_div(x, t, **keywords(o)),
    "cosineEmbeddingLoss": lambda a, b, t, o=None: F.cosine_embedding_loss(a, b, t, **keywords(o)),
    "marginRankingLoss": lambda a, b, t, o=None: F.margin_ranking_loss(a, b, t, **keywords(o)),
    "tripletMarginLoss": lambda a, p, n, o=None: F.triplet_margin_loss(a, p, n, **keywords(o)),
}


def kl_div_target_detached(x, t, o=None):
    return F.kl_div(x, t.detach(), **keywords(o))


def module_from(args):
    name, *rest = args
    options = rest[0] if rest else {}
    return getattr(nn, name)(**keywords(options))


def module_repr(*args):
    return repr(module_from(args))


def module_state_dict(*args):
    state = module_from(args).state_dict()
    return json.dumps([[key, list(value.shape)] for key, value in state.items()], separators=(",", ":"))


def build() -> Family:
    f = Family("losses", seed=97)
    T = f.input
    r = f.randn

    def case(name: str, op: str, args: list, torch_fn=None, **flags) -> None:
        f.case(name, op, args, torch_fn or LOSS_OPS[op], **flags)

    def with_options(options: dict[str, Any], reduction: str) -> dict[str, Any]:
        return {**options, "reduction": reduction} if reduction != "mean" else dict(options)

    def class_targets(classes: int, *shape: int, ignored=(), ignore_index: int = -100) -> torch.Tensor:
        target = f.randint(0, classes, *shape)
        flat = target.view(-1)
        for position in ignored:
            flat[position] = ignore_index
        return target

    # ---- regression: mseLoss, l1Loss, smoothL1Loss, huberLoss ----
    regression = [
        ("mseLoss", [("", {})]),
        ("l1Loss", [("", {})]),
        ("smoothL1Loss", [("", {}), ("beta_0.5", {"beta": 0.5}), ("beta_2", {"beta": 2.0}), ("beta_0", {"beta": 0.0})]),
        ("huberLoss", [("", {}), ("delta_0.5", {"delta": 0.5}), ("delta_2", {"delta": 2.0})]),
    ]
    for op, option_sets in regression:
        for label, options in option_sets:
            for reduction in REDUCTIONS:
                prefix = f"{label}_" if label else ""
                case(f"{prefix}{reduction}_2d", op, [T(r(4, 5, scale=2)), T(r(4, 5)), with_options(options, reduction)])
        case("4d_strided", op, [T(r(2, 3, 4, 5), [["permute", [0, 2, 1, 3]]]), T(r(2, 4, 3, 5)), {"reduction": "sum"}])
        case("0d", op, [T(r()), T(r()), {}])
        case("0d_none", op, [T(r()), T(r()), {"reduction": "none"}])
        case("float64", op, [T(r(3, 4, dtype=torch.float64)), T(r(3, 4, dtype=torch.float64))])
        case("empty_mean", op, [T(r(0, 3)), T(r(0, 3))], grad=False, check_conditioning=False)
        case("empty_sum", op, [T(r(0, 3)), T(r(0, 3)), {"reduction": "sum"}], check_conditioning=False)
        case("shared_input", op, [shared := T(r(3)), shared, {"reduction": "sum"}])
    # The kinks: equal values (l1's sign(0) = 0) and differences of exactly ±beta / ±delta.
    kink_input = [0.5, 1.5, -0.5, 2.0, 3.0, -1.0]
    kink_target = [0.5, 1.0, 0.0, 1.0, 1.0, 1.0]
    for op, options in [("l1Loss", {}), ("mseLoss", {}), ("smoothL1Loss", {"beta": 0.5}), ("smoothL1Loss", {"beta": 1.0}),
                        ("smoothL1Loss", {"beta": 0.0}), ("huberLoss", {"delta": 0.5}), ("huberLoss", {"delta": 2.0})]:
        label = "_".join(f"{k}_{v}" for k, v in options.items())
        case(f"kinks{'_' + label if label else ''}", op, [T(kink_input), T(kink_target), {"reduction": "none", **options}])
    case("beta_negative_raises", "smoothL1Loss", [T(r(3)), T(r(3)), {"beta": -1.0}], raises=True)
    case("delta_0_raises", "huberLoss", [T(r(3)), T(r(3)), {"delta": 0.0}], raises=True)
    case("reduction_avg_raises", "mseLoss", [T(r(3)), T(r(3)), {"reduction": "avg"}], raises=True)

    # ---- crossEntropy with class indices ----
    C = 5
    ce_options = [
        ("plain", {}),
        ("weight", {"weight": T(f.uniform(C, low=0.2, high=2.0))}),
        ("ignore", {"_ignored": (1, 4)}),
        ("ignore_index_2", {"ignoreIndex": 2, "_ignored": (0, 3), "_ignore_index": 2}),
        ("weight_ignore", {"weight": T(f.uniform(C, low=0.2, high=2.0)), "_ignored": (2,)}),
        ("smoothing", {"labelSmoothing": 0.1}),
        ("smoothing_weight", {"labelSmoothing": 0.25, "weight": T(f.uniform(C, low=0.2, high=2.0))}),
        ("smoothing_weight_ignore", {"labelSmoothing": 0.2, "weight": T(f.uniform(C, low=0.2, high=2.0)), "_ignored": (0, 5)}),
        ("smoothing_1", {"labelSmoothing": 1.0}),
    ]
    shapes = [("2d", (6, C), (6,)), ("3d", (3, C, 4), (3, 4)), ("4d", (2, C, 3, 2), (2, 3, 2))]
    for label, options in ce_options:
        ignored = options.get("_ignored", ())
        index = options.get("_ignore_index", -100)
        public = {k: v for k, v in options.items() if not k.startswith("_")}
        for shape_label, input_shape, target_shape in shapes:
            for reduction in REDUCTIONS:
                target = class_targets(C, *target_shape, ignored=ignored, ignore_index=index)
                for op in ["crossEntropy", "nllLoss"]:
                    if op == "nllLoss" and "labelSmoothing" in public:
                        continue
                    x = T(r(*input_shape, scale=2)) if op == "crossEntropy" else T(F.log_softmax(r(*input_shape), 1))
                    case(f"{label}_{shape_label}_{reduction}", op, [x, T(target), with_options(public, reduction)])
    for op in ["crossEntropy", "nllLoss"]:
        for reduction in REDUCTIONS:
            case(f"unbatched_{reduction}", op, [T(r(C)), T(torch.tensor(3)), {"reduction": reduction}])
            case(f"unbatched_weight_{reduction}", op,
                 [T(r(C)), T(torch.tensor(1)), {"reduction": reduction, "weight": T(f.uniform(C, low=0.5, high=2.0))}])
        case("unbatched_ignored", op, [T(r(C)), T(torch.tensor(-100)), {"reduction": "sum"}])
        case("all_ignored_mean", op, [T(r(3, C)), T(torch.full((3,), -100)), {}], check_conditioning=False)
        case("all_ignored_sum", op, [T(r(3, C)), T(torch.full((3,), -100)), {"reduction": "sum"}])
        case("transposed_input", op, [T(r(C, 4), [["t"]]), T(class_targets(C, 4)), {}])
        case("strided_3d_input", op, [T(r(3, 4, C), [["permute", [0, 2, 1]]]), T(class_targets(C, 3, 4)), {"reduction": "sum"}])
        case("float64", op, [T(r(4, C, dtype=torch.float64)), T(class_targets(C, 4)), {"weight": T(f.uniform(C, low=0.5, high=2.0, dtype=torch.float64))}])
        case("empty_batch_sum", op, [T(r(0, C)), T(class_targets(C, 0)), {"reduction": "sum"}], check_conditioning=False)
        case("one_class", op, [T(r(3, 1)), T(torch.zeros(3, dtype=torch.int64)), {}])
        case("target_out_of_bounds_raises", op, [T(r(3, C)), T(torch.tensor([0, C, 1])), {}], raises=True)
        case("target_negative_raises", op, [T(r(3, C)), T(torch.tensor([0, -1, 1])), {}], raises=True)
        case("target_shape_raises", op, [T(r(2, C, 4)), T(class_targets(C, 2, 3)), {}], raises=True)
        case("batch_mismatch_raises", op, [T(r(2, C)), T(class_targets(C, 3)), {}], raises=True)
        case("weight_size_raises", op, [T(r(2, C)), T(class_targets(C, 2)), {"weight": T(torch.ones(C + 1))}], raises=True)
    case("smoothing_above_1_raises", "crossEntropy", [T(r(2, C)), T(class_targets(C, 2)), {"labelSmoothing": 1.5}], raises=True)
    # Logits of ±1e4: PyTorch's answer is finite, and so must Strata's be.
    extreme = torch.tensor([[1e4, -1e4, 0.0, 5.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4, -1e4, 0.0]])
    for reduction in REDUCTIONS:
        case(f"extreme_logits_{reduction}", "crossEntropy", [T(extreme), T(torch.tensor([1, 2, 0])), {"reduction": reduction}])
        case(f"extreme_logits_smoothing_{reduction}", "crossEntropy",
             [T(extreme), T(torch.tensor([0, 3, 2])), {"reduction": reduction, "labelSmoothing": 0.1}])

    # ---- crossEntropy with class probabilities ----
    prob_options = [
        ("plain", {}),
        ("weight", {"weight": T(f.uniform(C, low=0.2, high=2.0))}),
        ("smoothing", {"labelSmoothing": 0.2}),
        ("smoothing_weight", {"labelSmoothing": 0.1, "weight": T(f.uniform(C, low=0.2, high=2.0))}),
    ]
    for label, options in prob_options:
        for shape_label, input_shape in [("2d", (4, C)), ("3d", (2, C, 3)), ("1d", (C,))]:
            for reduction in REDUCTIONS:
                class_dim = 0 if len(input_shape) == 1 else 1
                target = F.softmax(r(*input_shape), class_dim)
                case(f"probabilities_{label}_{shape_label}_{reduction}", "crossEntropy",
                     [T(r(*input_shape, scale=2)), T(target), with_options(options, reduction)])
    case("probabilities_extreme_logits", "crossEntropy", [T(extreme), T(F.softmax(r(3, 4), 1)), {}])
    case("probabilities_float64", "crossEntropy", [T(r(3, C, dtype=torch.float64)), T(F.softmax(r(3, C, dtype=torch.float64), 1))])

    # ---- binaryCrossEntropy ----
    for label, options, input_shape in [
        ("plain", {}, (4, 3)),
        ("weight", {"weight": T(f.uniform(4, 3, low=0.2, high=2.0))}, (4, 3)),
        ("weight_broadcast", {"weight": T(f.uniform(3, low=0.2, high=2.0))}, (4, 3)),
        ("3d", {}, (2, 3, 4)),
    ]:
        for reduction in REDUCTIONS:
            case(f"{label}_{reduction}", "binaryCrossEntropy",
                 [T(f.uniform(*input_shape, low=0.02, high=0.98)), T(f.uniform(*input_shape, low=0.0, high=1.0)),
                  with_options(options, reduction)])
    case("hard_targets", "binaryCrossEntropy", [T(f.uniform(6, low=0.05, high=0.95)), T(torch.tensor([0.0, 1, 1, 0, 1, 0])), {}])
    for reduction in REDUCTIONS:
        # Probabilities of exactly 0 and 1: each log is floored at -100, the gradient's denominator at 1e-12.
        case(f"saturated_{reduction}", "binaryCrossEntropy",
             [T([0.0, 1.0, 0.0, 1.0, 0.5]), T([0.0, 1.0, 1.0, 0.0, 0.3]), {"reduction": reduction}], check_conditioning=False)
    case("float64", "binaryCrossEntropy", [T(f.uniform(3, 4, low=0.05, high=0.95, dtype=torch.float64)),
                                           T(f.uniform(3, 4, low=0.0, high=1.0, dtype=torch.float64))])
    case("input_above_1_raises", "binaryCrossEntropy", [T([0.5, 1.5]), T([0.0, 1.0])], raises=True)
    case("input_negative_raises", "binaryCrossEntropy", [T([0.5, -0.1]), T([0.0, 1.0])], raises=True)

    # ---- binaryCrossEntropyWithLogits ----
    for label, options, input_shape in [
        ("plain", {}, (4, 3)),
        ("weight", {"weight": T(f.uniform(4, 3, low=0.2, high=2.0))}, (4, 3)),
        ("pos_weight", {"posWeight": T(f.uniform(3, low=0.5, high=3.0))}, (4, 3)),
        ("pos_weight_column", {"posWeight": T(f.uniform(4, 1, low=0.5, high=3.0))}, (4, 3)),
        ("weight_pos_weight", {"weight": T(f.uniform(3, low=0.2, high=2.0)), "posWeight": T(f.uniform(3, low=0.5, high=3.0))}, (4, 3)),
        ("3d_pos_weight", {"posWeight": T(f.uniform(4, low=0.5, high=3.0))}, (2, 3, 4)),
    ]:
        for reduction in REDUCTIONS:
            case(f"{label}_{reduction}", "binaryCrossEntropyWithLogits",
                 [T(r(*input_shape, scale=3)), T(f.uniform(*input_shape, low=0.0, high=1.0)), with_options(options, reduction)])
    logits = torch.tensor([1e4, -1e4, 1e4, -1e4, 0.0, 30.0, -30.0])
    hard = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    for reduction in REDUCTIONS:
        case(f"extreme_logits_{reduction}", "binaryCrossEntropyWithLogits", [T(logits), T(hard), {"reduction": reduction}])
        case(f"extreme_logits_pos_weight_{reduction}", "binaryCrossEntropyWithLogits",
             [T(logits), T(hard), {"reduction": reduction, "posWeight": T(torch.full((7,), 2.5))}])
    case("float64", "binaryCrossEntropyWithLogits", [T(r(3, 4, dtype=torch.float64)), T(f.uniform(3, 4, low=0.0, high=1.0, dtype=torch.float64)),
                                                     {"posWeight": T(f.uniform(4, low=0.5, high=2.0, dtype=torch.float64))}])
    case("shape_mismatch_raises", "binaryCrossEntropyWithLogits", [T(r(4, 3)), T(r(4, 1))], raises=True)

    # ---- klDiv ----
    for log_target in [False, True]:
        for reduction in ["mean", "sum", "none", "batchmean"]:
            for shape_label, shape in [("2d", (4, 5)), ("3d", (2, 3, 4))]:
                x = F.log_softmax(r(*shape), -1)
                t = F.log_softmax(r(*shape), -1) if log_target else F.softmax(r(*shape), -1)
                options = {"reduction": reduction} if not log_target else {"reduction": reduction, "logTarget": True}
                case(f"{'log_target_' if log_target else ''}{reduction}_{shape_label}", "klDiv", [T(x), T(t), options])
    zeros = F.softmax(r(3, 4), 1)
    zeros[0, 1] = 0.0
    zeros[2, 3] = 0.0
    for reduction in ["sum", "none", "batchmean"]:
        case(f"zero_targets_{reduction}", "klDiv", [T(F.log_softmax(r(3, 4), 1)), T(zeros), {"reduction": reduction}], kl_div_target_detached)
    case("0d_batchmean", "klDiv", [T(r()), T(f.uniform(low=0.1, high=0.9)), {"reduction": "batchmean"}])
    case("float64", "klDiv", [T(F.log_softmax(r(3, 4, dtype=torch.float64), 1)), T(F.softmax(r(3, 4, dtype=torch.float64), 1)), {"reduction": "batchmean"}])
    case("reduction_raises", "klDiv", [T(r(3)), T(r(3)), {"reduction": "avg"}], raises=True)

    # ---- cosineEmbeddingLoss ----
    signs = lambda n: (f.randint(0, 2, n) * 2 - 1)  # noqa: E731
    for margin in [0.0, 0.5, -0.3]:
        for reduction in REDUCTIONS:
            options = with_options({"margin": margin} if margin else {}, reduction)
            case(f"margin_{margin}_{reduction}", "cosineEmbeddingLoss", [T(r(6, 4)), T(r(6, 4)), T(signs(6)), options])
    case("float_target", "cosineEmbeddingLoss", [T(r(4, 3)), T(r(4, 3)), T(signs(4).float()), {"reduction": "none"}])
    case("unbatched", "cosineEmbeddingLoss", [T(r(5)), T(r(5)), T(torch.tensor(-1)), {"margin": -0.5}])
    case("unbatched_similar", "cosineEmbeddingLoss", [T(r(5)), T(r(5)), T(torch.tensor(1)), {"reduction": "none"}])
    case("float64", "cosineEmbeddingLoss", [T(r(3, 4, dtype=torch.float64)), T(r(3, 4, dtype=torch.float64)), T(signs(3))])
    case("target_2d_raises", "cosineEmbeddingLoss", [T(r(2, 3)), T(r(2, 3)), T(torch.ones(2, 1, dtype=torch.int64))], raises=True)
    case("input_rank_raises", "cosineEmbeddingLoss", [T(r(3)), T(r(3)), T(torch.ones(3, dtype=torch.int64))], raises=True)

    # ---- marginRankingLoss ----
    for margin in [0.0, 0.5]:
        for reduction in REDUCTIONS:
            options = with_options({"margin": margin} if margin else {}, reduction)
            case(f"margin_{margin}_{reduction}", "marginRankingLoss", [T(r(7)), T(r(7)), T(signs(7).float()), options])
    case("int_target", "marginRankingLoss", [T(r(2, 3)), T(r(2, 3)), T(signs(6).view(2, 3)), {"margin": 0.2}])
    case("float64", "marginRankingLoss", [T(r(5, dtype=torch.float64)), T(r(5, dtype=torch.float64)), T(signs(5).double())])
    case("rank_mismatch_raises", "marginRankingLoss", [T(r(3)), T(r(3)), T(r(1, 3))], raises=True)

    # ---- tripletMarginLoss ----
    triplet_options = [
        ("default", {}),
        ("margin_0.5", {"margin": 0.5}),
        ("p_1", {"p": 1.0}),
        ("p_3", {"p": 3.0}),
        ("eps_0.1", {"eps": 0.1}),
        ("swap", {"swap": True}),
        ("swap_p_1_margin_2", {"swap": True, "p": 1.0, "margin": 2.0}),
    ]
    for label, options in triplet_options:
        for reduction in REDUCTIONS:
            anchor = r(6, 4)
            case(f"{label}_{reduction}", "tripletMarginLoss",
                 [T(anchor), T(anchor + r(6, 4, scale=0.8)), T(anchor + r(6, 4, scale=1.2)), with_options(options, reduction)])
    case("unbatched", "tripletMarginLoss", [T(r(5)), T(r(5)), T(r(5)), {"margin": 3.0}])
    case("3d", "tripletMarginLoss", [T(r(2, 3, 4)), T(r(2, 3, 4)), T(r(2, 3, 4)), {"margin": 2.0, "reduction": "none"}])
    case("p_infinity", "tripletMarginLoss", [T(r(4, 3)), T(r(4, 3)), T(r(4, 3)), {"p": float("inf"), "margin": 2.0}])
    case("float64", "tripletMarginLoss", [T(r(3, 4, dtype=torch.float64)), T(r(3, 4, dtype=torch.float64)), T(r(3, 4, dtype=torch.float64)), {"margin": 2.0}])
    case("rank_mismatch_raises", "tripletMarginLoss", [T(r(2, 4)), T(r(2, 4)), T(r(4))], raises=True)

    # ---- modules: printouts and state dicts ----
    modules = [
        ("MSELoss", []), ("L1Loss", [{"reduction": "sum"}]), ("SmoothL1Loss", [{"beta": 0.5}]), ("HuberLoss", [{"delta": 2.0}]),
        ("CrossEntropyLoss", [{"weight": T(torch.ones(4)), "ignoreIndex": 1, "labelSmoothing": 0.1}]), ("CrossEntropyLoss", []),
        ("NLLLoss", [{"weight": T(torch.ones(3)), "reduction": "none"}]), ("BCELoss", [{"weight": T(torch.ones(2, 3))}]),
        ("BCEWithLogitsLoss", [{"posWeight": T(torch.ones(3))}]),
        ("BCEWithLogitsLoss", [{"weight": T(torch.ones(3)), "posWeight": T(torch.ones(3))}]),
        ("KLDivLoss", [{"reduction": "batchmean", "logTarget": True}]), ("CosineEmbeddingLoss", [{"margin": 0.5}]),
        ("MarginRankingLoss", [{"margin": 1.0}]), ("TripletMarginLoss", [{"margin": 2.0, "p": 1.0, "swap": True}]),
    ]
    for index, (name, rest) in enumerate(modules):
        label = f"{name}_{index}"
        f.case(label, "moduleRepr", [name, *rest], module_repr, grad=False)
        f.case(label, "moduleStateDict", [name, *rest], module_state_dict, grad=False)
    return f
