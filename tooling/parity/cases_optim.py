"""Optimizers, learning-rate schedulers and gradient clipping (@strata/optim).

Every case has a ``kind``:

- ``optimizer``: parameters (``params``), optionally ``groups`` (each a list
  of parameter indices with the group's own options), the optimizer's
  ``options`` (Strata's camelCase names) and, per step, either a fixed
  gradient for each parameter (``gradients``; ``null`` = no gradient that
  step) or a ``closure``: the quadratic loss ``Σ sum(weight · (p − target)²)``
  that both sides differentiate. Recorded: the parameters after every step
  (``expected``), the closure's losses, and PyTorch's ``state_dict()`` after
  ``resumeAt`` steps and at the end, in Strata's layout (camelCase keys,
  ``step`` and ``mu_product`` as numbers, PyTorch-only group keys such as
  ``foreach`` dropped).
- ``scheduler``: an optimizer of one or two groups, the scheduler's
  positional ``args`` and ``options`` (``{"$lambda": name}`` names a
  function both sides define; ``children`` are SequentialLR's schedulers),
  then ``steps`` iterations of ``optimizer.step(); scheduler.step(metric?)``.
  Recorded: ``getLastLr()`` after construction and after each step (``lrs``),
  and each group's momentum (``momentum`` or ``betas[0]``).
- ``clipGradNorm`` / ``clipGradValue``: gradients (``null`` = none), the
  arguments, the total norm and the clipped gradients.

Where Strata follows PyTorch 2 rather than 1.13, the reference is built
from 1.13's pieces:

- NAdam is PyTorch 2's ``_single_tensor_nadam`` (``NAdam2`` below, on
  ``torch.optim.Optimizer``): 1.13 multiplies ``mu`` into ``mu_product_next``
  twice, which PyTorch 2.0 fixed; it also has ``maximize`` and
  ``decoupled_weight_decay``.
- RAdam's ``maximize`` and ``decoupledWeightDecay`` (PyTorch 2): the gradient
  negated, or the parameter multiplied by ``1 − lr·weightDecay`` before a
  step without weight decay.
- Adagrad starts each group's sums at the group's own
  ``initialAccumulatorValue`` (PyTorch uses the constructor's for every
  group): the sums are refilled after construction.

Each optimizer and clipping case is rerun in float64; a float32 result
farther than half the test tolerance from it stops generation.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import torch
from torch import optim
from torch.optim import lr_scheduler

from fixture import Family, close, encode_number, encode_tensor

KEYWORDS = {
    "lr": "lr", "momentum": "momentum", "dampening": "dampening", "weightDecay": "weight_decay",
    "nesterov": "nesterov", "maximize": "maximize", "betas": "betas", "eps": "eps", "amsgrad": "amsgrad",
    "alpha": "alpha", "centered": "centered", "lrDecay": "lr_decay", "initialAccumulatorValue": "initial_accumulator_value",
    "rho": "rho", "momentumDecay": "momentum_decay", "decoupledWeightDecay": "decoupled_weight_decay",
    # schedulers
    "gamma": "gamma", "etaMin": "eta_min", "startFactor": "start_factor", "endFactor": "end_factor",
    "totalIters": "total_iters", "factor": "factor", "power": "power", "totalSteps": "total_steps", "epochs": "epochs",
    "stepsPerEpoch": "steps_per_epoch", "pctStart": "pct_start", "annealStrategy": "anneal_strategy",
    "cycleMomentum": "cycle_momentum", "baseMomentum": "base_momentum", "maxMomentum": "max_momentum",
    "divFactor": "div_factor", "finalDivFactor": "final_div_factor", "threePhase": "three_phase", "mode": "mode",
    "patience": "patience", "threshold": "threshold", "thresholdMode": "threshold_mode", "cooldown": "cooldown",
    "minLr": "min_lr",
}
CAMEL = {snake: camel for camel, snake in KEYWORDS.items()}
CAMEL.update({"initial_lr": "initialLr", "max_lr": "maxLr", "min_lr": "minLr", "max_momentum": "maxMomentum",
              "base_momentum": "baseMomentum"})
STATE_KEYS = {"momentum_buffer": "momentumBuffer", "exp_avg": "expAvg", "exp_avg_sq": "expAvgSq",
              "max_exp_avg_sq": "maxExpAvgSq", "square_avg": "squareAvg", "grad_avg": "gradAvg", "sum": "sum",
              "acc_delta": "accDelta", "exp_inf": "expInf", "mu_product": "muProduct", "step": "step"}
PYTORCH_ONLY = {"foreach", "differentiable", "capturable", "fused"}
# Strata's options from PyTorch 2, with their defaults, per optimizer.
STRATA_EXTRAS = {"RAdam": {"decoupledWeightDecay": False, "maximize": False}}
# PyTorch 1.13's SGD has no default lr; Strata's is PyTorch 2's.
TORCH_DEFAULTS = {"SGD": {"lr": 1e-3}}

LAMBDAS = {
    "pow095": lambda epoch: 0.95 ** epoch,
    "warmup10": lambda epoch: min(1.0, (epoch + 1) / 10),
    "halveEvery7": lambda epoch: 0.5 ** (epoch // 7),
    "constant095": lambda epoch: 0.95,
    "alternate": lambda epoch: 0.9 if epoch % 2 == 0 else 1.05,
}


class NAdam2(optim.Optimizer):
    """PyTorch 2's NAdam (torch/optim/nadam.py, ``_single_tensor_nadam``), in PyTorch 1.13 tensor ops."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, maximize=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)
                    state["mu_product"] = torch.tensor(1.0)
                    state["exp_avg"] = torch.zeros_like(param)
                    state["exp_avg_sq"] = torch.zeros_like(param)
                grad = param.grad if not group["maximize"] else -param.grad
                exp_avg, exp_avg_sq, mu_product, step_t = state["exp_avg"], state["exp_avg_sq"], state["mu_product"], state["step"]
                step_t += 1
                step = step_t.item()
                bias_correction2 = 1 - beta2 ** step
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        param.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(param, alpha=weight_decay)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product *= mu
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt()
                mu_product_next = mu_product.item() * mu_next
                denom.add_(eps)
                param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product.item())))
                param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
        return loss


OPTIMIZER_CLASSES = {name: getattr(optim, name) for name in
                     ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "RAdam")}
OPTIMIZER_CLASSES["NAdam"] = NAdam2


def torch_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    return {KEYWORDS[key]: (tuple(value) if isinstance(value, list) else value) for key, value in options.items()}


def encode_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        return value.item() if value.numel() == 1 and value.dim() == 0 else encode_tensor(value)
    if isinstance(value, tuple):
        return list(value)
    return encode_number(value)


def encode_state_dict(state_dict: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    state = {}
    for index, entry in state_dict["state"].items():
        state[str(index)] = {STATE_KEYS[key]: encode_value(value) for key, value in entry.items()}
    groups = []
    for group in state_dict["param_groups"]:
        saved = {CAMEL[key]: encode_value(value) for key, value in group.items() if key not in PYTORCH_ONLY and key != "params"}
        saved.update(extras)
        saved["params"] = list(group["params"])
        groups.append(saved)
    return {"state": state, "paramGroups": groups}


def run_optimizer(name, options, params, groups, gradients, closure, dtype):
    """Runs the case in PyTorch; returns the parameters after each step, the losses and the state dicts."""
    extras = dict(STRATA_EXTRAS.get(name, {}))
    torch_options = dict(options)
    maximize = decoupled = False
    if name in STRATA_EXTRAS:
        maximize = torch_options.pop("maximize", False)
        decoupled = torch_options.pop("decoupledWeightDecay", False)
        extras.update({"maximize": maximize, "decoupledWeightDecay": decoupled})
        if decoupled:
            extras["weightDecay"] = torch_options.pop("weightDecay", 0)
    if decoupled and closure is not None:
        raise ValueError("decoupledWeightDecay is emulated before the step, which a closure would see")
    kwargs = {**TORCH_DEFAULTS.get(name, {}), **torch_kwargs(torch_options)}
    tensors = [p.clone().to(dtype).requires_grad_(True) for p in params]
    if groups is None:
        optimizer = OPTIMIZER_CLASSES[name](tensors, **kwargs)
    else:
        torch_groups = [{"params": [tensors[i] for i in group["params"]],
                         **torch_kwargs({k: v for k, v in group.items() if k != "params"})} for group in groups]
        optimizer = OPTIMIZER_CLASSES[name](torch_groups, **kwargs)
    if name == "Adagrad":
        for group in optimizer.param_groups:
            for tensor in group["params"]:
                optimizer.state[tensor]["sum"].fill_(group["initial_accumulator_value"])
    expected, losses, resume_state = [], [], None
    steps = len(gradients) if gradients is not None else closure["steps"]
    for step in range(steps):
        if closure is None:
            for tensor, grad in zip(tensors, gradients[step]):
                tensor.grad = None if grad is None else (-grad if maximize else grad).to(dtype).clone()
        with torch.no_grad():
            if decoupled:
                for tensor in tensors:
                    if closure is not None or tensor.grad is not None:
                        tensor.mul_(1 - options["lr"] * extras["weightDecay"])
        if closure is None:
            optimizer.step()
        else:
            targets = [t.to(dtype) for t in closure["targets"]]
            weights = [w.to(dtype) for w in closure["weights"]]

            def evaluate():
                optimizer.zero_grad()
                loss = sum(((p - t) ** 2 * w).sum() for p, t, w in zip(tensors, targets, weights))
                loss.backward()
                return loss

            losses.append(optimizer.step(evaluate).item())
        expected.append([t.detach().clone() for t in tensors])
        if step + 1 == RESUME_AT:
            resume_state = encode_state_dict(optimizer.state_dict(), extras)
    return expected, losses, resume_state, encode_state_dict(optimizer.state_dict(), extras)


RESUME_AT = 3


def add_optimizer(f: Family, case: str, name: str, options: dict[str, Any], *, shapes=((3, 4), (5,)), steps=5,
                  groups=None, missing=(), closure=False, dtype=torch.float32) -> None:
    full_name = f"{name}/{case}"
    if full_name in f.names:
        raise ValueError(f"duplicate case {full_name}")
    f.names.add(full_name)
    params = [f.randn(*shape, dtype=torch.float64) for shape in shapes]
    gradients = None
    closure_spec = None
    if closure:
        closure_spec = {"targets": [f.randn(*shape, dtype=torch.float64) for shape in shapes],
                        "weights": [f.uniform(*shape, low=0.5, high=1.5, dtype=torch.float64) for shape in shapes],
                        "steps": steps}
    else:
        gradients = [[None if (step, i) in missing else f.randn(*shape, dtype=torch.float64) for i, shape in enumerate(shapes)]
                     for step in range(steps)]
    cast = lambda values: [None if v is None else v.to(dtype) for v in values]  # noqa: E731
    params = cast(params)
    if gradients is not None:
        gradients = [cast(step) for step in gradients]
    if closure_spec is not None:
        closure_spec = {key: (cast(value) if key != "steps" else value) for key, value in closure_spec.items()}
    expected, losses, resume_state, final_state = run_optimizer(name, options, params, groups, gradients, closure_spec, dtype)
    if dtype == torch.float32:
        expected64, losses64, _, _ = run_optimizer(name, options, [p.double() for p in params], groups,
                                                  None if gradients is None else [[None if g is None else g.double() for g in step] for step in gradients],
                                                  None if closure_spec is None else {**closure_spec, "targets": [t.double() for t in closure_spec["targets"]],
                                                                                      "weights": [w.double() for w in closure_spec["weights"]]},
                                                  torch.float64)
        for step, (got, reference) in enumerate(zip(expected, expected64)):
            for index, (a, b) in enumerate(zip(got, reference)):
                if not close(a, b):
                    raise ValueError(f"{full_name}: ill-conditioned parameter {index} after step {step + 1}: {a} vs {b}")
    record: dict[str, Any] = {"name": full_name, "kind": "optimizer", "optimizer": name, "options": options,
                              "params": [encode_tensor(p) for p in params], "groups": groups}
    if gradients is not None:
        record["gradients"] = [[None if g is None else encode_tensor(g) for g in step] for step in gradients]
    if closure_spec is not None:
        record["closure"] = {"targets": [encode_tensor(t) for t in closure_spec["targets"]],
                             "weights": [encode_tensor(w) for w in closure_spec["weights"]]}
        record["losses"] = losses
    record["expected"] = [[encode_tensor(t) for t in step] for step in expected]
    record["resumeAt"] = RESUME_AT
    record["resumeState"] = resume_state
    record["stateDict"] = final_state
    f.cases.append(record)


def build_scheduler(optimizer, spec):
    name, args, options = spec["scheduler"], spec.get("args", []), spec.get("options", {})
    resolved = []
    for arg in args:
        if isinstance(arg, dict) and "$lambda" in arg:
            resolved.append(LAMBDAS[arg["$lambda"]])
        elif isinstance(arg, list) and arg and isinstance(arg[0], dict):
            resolved.append([LAMBDAS[item["$lambda"]] for item in arg])
        else:
            resolved.append(arg)
    if name == "SequentialLR":
        children = [build_scheduler(optimizer, child) for child in spec["children"]]
        return lr_scheduler.SequentialLR(optimizer, children, *resolved, **torch_kwargs(options))
    return getattr(lr_scheduler, name)(optimizer, *resolved, **torch_kwargs(options))


def add_scheduler(f: Family, case: str, name: str, args=(), options=None, *, optimizer="SGD",
                  optimizer_options=None, group_lrs=None, children=None, metrics=None, steps=30) -> None:
    full_name = f"{name}/{case}"
    if full_name in f.names:
        raise ValueError(f"duplicate case {full_name}")
    f.names.add(full_name)
    options = options or {}
    optimizer_options = optimizer_options if optimizer_options is not None else {"lr": 0.1, "momentum": 0.9}
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    kwargs = torch_kwargs(optimizer_options)
    if group_lrs is None:
        torch_optimizer = getattr(optim, optimizer)(params, **kwargs)
    else:
        torch_optimizer = getattr(optim, optimizer)([{"params": [p], "lr": lr} for p, lr in zip(params, group_lrs)], **kwargs)
    spec = {"scheduler": name, "args": list(args), "options": options, "children": children}
    scheduler = build_scheduler(torch_optimizer, spec)

    def momentums():
        return [group["betas"][0] if "betas" in group else group.get("momentum") for group in torch_optimizer.param_groups]

    # ReduceLROnPlateau has no get_last_lr() in 1.13; every scheduler's last lr is the groups' lr.
    lrs = [[group["lr"] for group in torch_optimizer.param_groups]]
    moments = [momentums()]
    for step in range(steps):
        torch_optimizer.step()
        if metrics is not None:
            scheduler.step(metrics[step])
        else:
            scheduler.step()
        lrs.append([group["lr"] for group in torch_optimizer.param_groups])
        moments.append(momentums())
    f.cases.append({"name": full_name, "kind": "scheduler", "scheduler": name, "args": list(args), "options": options,
                    "children": children, "optimizer": optimizer, "optimizerOptions": optimizer_options,
                    "groupLrs": group_lrs, "metrics": metrics, "steps": steps, "lrs": lrs, "momentums": moments})


def add_clip(f: Family, case: str, kind: str, shapes, arguments: dict[str, Any], *, missing=(), dtype=torch.float32,
             scale=1.0, special=None) -> None:
    full_name = f"{kind}/{case}"
    if full_name in f.names:
        raise ValueError(f"duplicate case {full_name}")
    f.names.add(full_name)
    grads = [None if i in missing else f.randn(*shape, scale=scale, dtype=dtype) for i, shape in enumerate(shapes)]
    if special is not None:
        index, position, value = special
        grads[index].view(-1)[position] = value

    def run(run_dtype):
        params = [torch.zeros(shape, dtype=run_dtype, requires_grad=True) for shape in shapes]
        for p, g in zip(params, grads):
            p.grad = None if g is None else g.to(run_dtype).clone()
        if kind == "clipGradNorm":
            norm = torch.nn.utils.clip_grad_norm_(params, arguments["maxNorm"], arguments["normType"])
        else:
            norm = None
            torch.nn.utils.clip_grad_value_(params, arguments["clipValue"])
        return norm, [None if p.grad is None else p.grad.clone() for p in params]

    norm, clipped = run(dtype)
    if dtype == torch.float32:
        norm64, clipped64 = run(torch.float64)
        pairs = [(a, b) for a, b in zip(clipped, clipped64) if a is not None]
        if norm is not None:
            pairs.append((norm, norm64))
        for a, b in pairs:
            if not close(a, b):
                raise ValueError(f"{full_name}: ill-conditioned: {a} vs {b}")
    record = {"name": full_name, "kind": kind, "grads": [None if g is None else encode_tensor(g) for g in grads],
              "arguments": {key: encode_number(value) for key, value in arguments.items()},
              "expected": {"grads": [None if g is None else encode_tensor(g) for g in clipped]}}
    if norm is not None:
        record["expected"]["totalNorm"] = encode_tensor(norm)
    f.cases.append(record)


def optimizer_cases(f: Family) -> None:
    sparse = {(1, 1), (3, 1)}  # parameter 1 has no gradient at steps 2 and 4
    two_groups = lambda **first: [{"params": [0], **first}, {"params": [1]}]  # noqa: E731

    add_optimizer(f, "defaults", "SGD", {})
    add_optimizer(f, "lr", "SGD", {"lr": 0.1})
    add_optimizer(f, "momentum", "SGD", {"lr": 0.1, "momentum": 0.9})
    add_optimizer(f, "dampening", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3})
    add_optimizer(f, "nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True})
    add_optimizer(f, "weight_decay", "SGD", {"lr": 0.1, "weightDecay": 0.1})
    add_optimizer(f, "momentum_weight_decay", "SGD", {"lr": 0.1, "momentum": 0.8, "weightDecay": 0.05})
    add_optimizer(f, "maximize", "SGD", {"lr": 0.1, "momentum": 0.9, "maximize": True})
    add_optimizer(f, "nesterov_weight_decay_maximize", "SGD",
                  {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weightDecay": 0.1, "maximize": True})
    add_optimizer(f, "float64", "SGD", {"lr": 0.1, "momentum": 0.9}, shapes=((2, 3),), dtype=torch.float64)
    add_optimizer(f, "missing_gradients", "SGD", {"lr": 0.1, "momentum": 0.9}, missing=sparse)
    add_optimizer(f, "groups", "SGD", {"lr": 0.01, "momentum": 0.9},
                  groups=[{"params": [0], "lr": 0.1, "nesterov": True}, {"params": [1], "momentum": 0.5, "dampening": 0.5}])
    add_optimizer(f, "groups_three", "SGD", {"lr": 0.05}, shapes=((2, 2), (3,), (4,)),
                  groups=[{"params": [2, 0], "momentum": 0.9}, {"params": [1], "weightDecay": 0.5}])
    add_optimizer(f, "closure", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, closure=True)

    add_optimizer(f, "defaults", "Adam", {})
    add_optimizer(f, "lr", "Adam", {"lr": 0.1})
    add_optimizer(f, "betas", "Adam", {"lr": 0.05, "betas": [0.8, 0.99]})
    add_optimizer(f, "eps", "Adam", {"lr": 0.1, "eps": 0.1})
    add_optimizer(f, "weight_decay", "Adam", {"lr": 0.1, "weightDecay": 0.1})
    add_optimizer(f, "amsgrad", "Adam", {"lr": 0.1, "betas": [0.9, 0.5], "amsgrad": True})
    add_optimizer(f, "maximize", "Adam", {"lr": 0.1, "maximize": True})
    add_optimizer(f, "amsgrad_weight_decay_maximize", "Adam",
                  {"lr": 0.1, "betas": [0.7, 0.6], "amsgrad": True, "weightDecay": 0.2, "maximize": True})
    add_optimizer(f, "float64", "Adam", {"lr": 0.1}, shapes=((2, 3),), dtype=torch.float64)
    add_optimizer(f, "missing_gradients", "Adam", {"lr": 0.1}, missing=sparse)
    add_optimizer(f, "groups", "Adam", {"lr": 0.05}, groups=two_groups(lr=0.1, betas=[0.5, 0.9], amsgrad=True))
    add_optimizer(f, "closure", "Adam", {"lr": 0.1, "amsgrad": True, "betas": [0.9, 0.5]}, closure=True)

    add_optimizer(f, "defaults", "AdamW", {})
    add_optimizer(f, "lr_weight_decay", "AdamW", {"lr": 0.1, "weightDecay": 0.1})
    add_optimizer(f, "amsgrad", "AdamW", {"lr": 0.1, "betas": [0.9, 0.5], "amsgrad": True})
    add_optimizer(f, "maximize", "AdamW", {"lr": 0.1, "maximize": True, "weightDecay": 0.5})
    add_optimizer(f, "no_weight_decay", "AdamW", {"lr": 0.1, "weightDecay": 0})
    add_optimizer(f, "missing_gradients", "AdamW", {"lr": 0.1}, missing=sparse)
    add_optimizer(f, "groups", "AdamW", {"lr": 0.05}, groups=two_groups(lr=0.1, weightDecay=0.3))

    add_optimizer(f, "defaults", "RMSprop", {})
    add_optimizer(f, "lr", "RMSprop", {"lr": 0.05})
    add_optimizer(f, "alpha", "RMSprop", {"lr": 0.05, "alpha": 0.9})
    add_optimizer(f, "eps", "RMSprop", {"lr": 0.05, "eps": 0.1})
    add_optimizer(f, "weight_decay", "RMSprop", {"lr": 0.05, "weightDecay": 0.1})
    add_optimizer(f, "momentum", "RMSprop", {"lr": 0.05, "momentum": 0.9})
    add_optimizer(f, "centered", "RMSprop", {"lr": 0.05, "centered": True, "alpha": 0.9})
    add_optimizer(f, "centered_momentum", "RMSprop", {"lr": 0.05, "centered": True, "momentum": 0.8, "alpha": 0.9})
    add_optimizer(f, "maximize", "RMSprop", {"lr": 0.05, "maximize": True})
    add_optimizer(f, "all", "RMSprop",
                  {"lr": 0.02, "alpha": 0.8, "eps": 1e-3, "weightDecay": 0.1, "momentum": 0.5, "centered": True, "maximize": True})
    add_optimizer(f, "missing_gradients", "RMSprop", {"lr": 0.05, "momentum": 0.9}, missing=sparse)
    add_optimizer(f, "groups", "RMSprop", {"lr": 0.05}, groups=two_groups(momentum=0.9, centered=True, alpha=0.9))
    add_optimizer(f, "closure", "RMSprop", {"lr": 0.05, "centered": True, "alpha": 0.9}, closure=True)

    add_optimizer(f, "defaults", "Adagrad", {})
    add_optimizer(f, "lr", "Adagrad", {"lr": 0.1})
    add_optimizer(f, "lr_decay", "Adagrad", {"lr": 0.1, "lrDecay": 0.1})
    add_optimizer(f, "weight_decay", "Adagrad", {"lr": 0.1, "weightDecay": 0.1})
    add_optimizer(f, "initial_accumulator_value", "Adagrad", {"lr": 0.1, "initialAccumulatorValue": 0.5})
    add_optimizer(f, "eps", "Adagrad", {"lr": 0.1, "eps": 0.1})
    add_optimizer(f, "maximize", "Adagrad", {"lr": 0.1, "maximize": True})
    add_optimizer(f, "missing_gradients", "Adagrad", {"lr": 0.1, "lrDecay": 0.05}, missing=sparse)
    add_optimizer(f, "groups", "Adagrad", {"lr": 0.1}, groups=two_groups(lr=0.2, lrDecay=0.5, initialAccumulatorValue=1.0))

    add_optimizer(f, "defaults", "Adadelta", {})
    add_optimizer(f, "lr", "Adadelta", {"lr": 0.5})
    add_optimizer(f, "rho", "Adadelta", {"rho": 0.5})
    add_optimizer(f, "eps", "Adadelta", {"eps": 1e-3})
    add_optimizer(f, "weight_decay", "Adadelta", {"eps": 1e-3, "weightDecay": 0.1})
    add_optimizer(f, "maximize", "Adadelta", {"eps": 1e-3, "maximize": True})
    add_optimizer(f, "missing_gradients", "Adadelta", {"eps": 1e-3}, missing=sparse)
    add_optimizer(f, "groups", "Adadelta", {"eps": 1e-3}, groups=two_groups(rho=0.5, lr=2.0))

    add_optimizer(f, "defaults", "Adamax", {})
    add_optimizer(f, "lr", "Adamax", {"lr": 0.1})
    add_optimizer(f, "betas", "Adamax", {"lr": 0.1, "betas": [0.8, 0.5]})
    add_optimizer(f, "eps", "Adamax", {"lr": 0.1, "eps": 0.1})
    add_optimizer(f, "weight_decay", "Adamax", {"lr": 0.1, "weightDecay": 0.1})
    add_optimizer(f, "maximize", "Adamax", {"lr": 0.1, "maximize": True})
    add_optimizer(f, "missing_gradients", "Adamax", {"lr": 0.1}, missing=sparse)
    add_optimizer(f, "groups", "Adamax", {"lr": 0.1}, groups=two_groups(lr=0.05, betas=[0.5, 0.9]))

    add_optimizer(f, "defaults", "NAdam", {})
    add_optimizer(f, "lr", "NAdam", {"lr": 0.1})
    add_optimizer(f, "momentum_decay", "NAdam", {"lr": 0.1, "momentumDecay": 0.1})
    add_optimizer(f, "betas", "NAdam", {"lr": 0.1, "betas": [0.8, 0.9]})
    add_optimizer(f, "weight_decay", "NAdam", {"lr": 0.1, "weightDecay": 0.1})
    add_optimizer(f, "maximize", "NAdam", {"lr": 0.1, "maximize": True})
    add_optimizer(f, "decoupled_weight_decay", "NAdam", {"lr": 0.1, "weightDecay": 0.2, "decoupledWeightDecay": True})
    add_optimizer(f, "missing_gradients", "NAdam", {"lr": 0.1}, missing=sparse)
    add_optimizer(f, "groups", "NAdam", {"lr": 0.1}, groups=two_groups(lr=0.05, momentumDecay=0.2))

    add_optimizer(f, "defaults", "RAdam", {}, steps=8)
    add_optimizer(f, "lr_betas", "RAdam", {"lr": 0.1, "betas": [0.9, 0.99]}, steps=8)
    add_optimizer(f, "eps", "RAdam", {"lr": 0.1, "betas": [0.9, 0.9], "eps": 0.1}, steps=8)
    add_optimizer(f, "weight_decay", "RAdam", {"lr": 0.1, "betas": [0.9, 0.99], "weightDecay": 0.1}, steps=8)
    add_optimizer(f, "maximize", "RAdam", {"lr": 0.1, "betas": [0.9, 0.99], "maximize": True}, steps=8)
    add_optimizer(f, "decoupled_weight_decay", "RAdam",
                  {"lr": 0.1, "betas": [0.9, 0.99], "weightDecay": 0.2, "decoupledWeightDecay": True}, steps=8)
    add_optimizer(f, "missing_gradients", "RAdam", {"lr": 0.1, "betas": [0.9, 0.99]}, missing=sparse, steps=8)
    add_optimizer(f, "groups", "RAdam", {"lr": 0.1}, groups=two_groups(betas=[0.8, 0.99]), steps=8)


def scheduler_cases(f: Family) -> None:
    two = [0.1, 0.05]
    add_scheduler(f, "step_size_5_gamma_0_5", "StepLR", [5], {"gamma": 0.5})
    add_scheduler(f, "step_size_7", "StepLR", [7], group_lrs=two)
    add_scheduler(f, "milestones_repeated", "MultiStepLR", [[3, 10, 10, 20]], {"gamma": 0.5})
    add_scheduler(f, "milestones_unsorted", "MultiStepLR", [[15, 5]], group_lrs=two)
    add_scheduler(f, "gamma_0_9", "ExponentialLR", [0.9])
    add_scheduler(f, "two_groups", "ExponentialLR", [0.8], group_lrs=two)
    add_scheduler(f, "t_max_10_eta_min", "CosineAnnealingLR", [10], {"etaMin": 0.001})
    add_scheduler(f, "t_max_30", "CosineAnnealingLR", [30])
    add_scheduler(f, "t_max_7_two_groups", "CosineAnnealingLR", [7], {"etaMin": 0.01}, group_lrs=two)
    add_scheduler(f, "defaults", "LinearLR")
    add_scheduler(f, "warm_up", "LinearLR", options={"startFactor": 0.25, "endFactor": 0.9, "totalIters": 10})
    add_scheduler(f, "decay_two_groups", "LinearLR", options={"startFactor": 1.0, "endFactor": 0.1, "totalIters": 20},
                  group_lrs=two)
    add_scheduler(f, "defaults", "ConstantLR")
    add_scheduler(f, "factor_total_iters", "ConstantLR", options={"factor": 0.5, "totalIters": 8})
    add_scheduler(f, "defaults", "PolynomialLR")
    add_scheduler(f, "power_2", "PolynomialLR", options={"totalIters": 20, "power": 2.0})
    add_scheduler(f, "pow095", "LambdaLR", [{"$lambda": "pow095"}])
    add_scheduler(f, "per_group", "LambdaLR", [[{"$lambda": "warmup10"}, {"$lambda": "halveEvery7"}]], group_lrs=two)
    add_scheduler(f, "constant095", "MultiplicativeLR", [{"$lambda": "constant095"}])
    add_scheduler(f, "per_group", "MultiplicativeLR", [[{"$lambda": "alternate"}, {"$lambda": "constant095"}]], group_lrs=two)

    add_scheduler(f, "cos", "OneCycleLR", [1.0], {"totalSteps": 30})
    add_scheduler(f, "linear", "OneCycleLR", [1.0], {"totalSteps": 30, "annealStrategy": "linear"})
    add_scheduler(f, "three_phase", "OneCycleLR", [0.5], {"totalSteps": 30, "threePhase": True})
    add_scheduler(f, "three_phase_linear", "OneCycleLR", [0.5], {"totalSteps": 30, "threePhase": True, "annealStrategy": "linear"})
    add_scheduler(f, "no_cycle_momentum", "OneCycleLR", [1.0], {"totalSteps": 30, "cycleMomentum": False})
    add_scheduler(f, "adam_betas", "OneCycleLR", [0.01], {"totalSteps": 30}, optimizer="Adam", optimizer_options={"lr": 0.001})
    add_scheduler(f, "per_group_max_lr", "OneCycleLR", [[1.0, 0.5]], {"totalSteps": 30, "maxMomentum": [0.95, 0.9],
                                                                       "baseMomentum": 0.8}, group_lrs=two)
    add_scheduler(f, "epochs_options", "OneCycleLR", [2.0], {"epochs": 5, "stepsPerEpoch": 6, "pctStart": 0.25, "divFactor": 10.0,
                                                           "finalDivFactor": 100.0, "baseMomentum": 0.8, "maxMomentum": 0.9})
    add_scheduler(f, "rmsprop_momentum", "OneCycleLR", [0.1], {"totalSteps": 30}, optimizer="RMSprop",
                  optimizer_options={"lr": 0.01, "momentum": 0.9})

    falling = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.69999, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6,
               0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    rising = [0.1, 0.2, 0.3, 0.3, 0.3, 0.3, 0.35, 0.35, 0.35, 0.35, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.45, 0.45, 0.45, 0.45,
              0.45, 0.45, 0.45, 0.45, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    add_scheduler(f, "min_rel_patience_2", "ReduceLROnPlateau", options={"patience": 2, "factor": 0.5}, metrics=falling)
    add_scheduler(f, "max_mode", "ReduceLROnPlateau", options={"mode": "max", "patience": 1, "factor": 0.5}, metrics=rising)
    add_scheduler(f, "abs_threshold", "ReduceLROnPlateau", options={"patience": 1, "threshold": 0.05, "thresholdMode": "abs"},
                  metrics=falling)
    add_scheduler(f, "max_abs", "ReduceLROnPlateau",
                  options={"mode": "max", "patience": 0, "threshold": 0.04, "thresholdMode": "abs", "factor": 0.8}, metrics=rising)
    add_scheduler(f, "cooldown_min_lr", "ReduceLROnPlateau", options={"patience": 0, "cooldown": 2, "factor": 0.5, "minLr": 0.01},
                  metrics=falling)
    add_scheduler(f, "eps_min_lr_per_group", "ReduceLROnPlateau",
                  options={"patience": 1, "factor": 0.5, "eps": 0.02, "minLr": [0.0, 0.02]}, metrics=falling, group_lrs=two)
    add_scheduler(f, "defaults", "ReduceLROnPlateau", metrics=[1.0] * 30)

    add_scheduler(f, "linear_then_exponential", "SequentialLR", [[5]],
                  children=[{"scheduler": "LinearLR", "args": [], "options": {"startFactor": 0.1, "totalIters": 5}},
                            {"scheduler": "ExponentialLR", "args": [0.9], "options": {}}])
    add_scheduler(f, "constant_then_cosine", "SequentialLR", [[4]],
                  children=[{"scheduler": "ConstantLR", "args": [], "options": {"factor": 0.5, "totalIters": 3}},
                            {"scheduler": "CosineAnnealingLR", "args": [20], "options": {"etaMin": 0.001}}])
    add_scheduler(f, "three_schedulers", "SequentialLR", [[5, 15]], group_lrs=two,
                  children=[{"scheduler": "LinearLR", "args": [], "options": {"startFactor": 0.2, "totalIters": 5}},
                            {"scheduler": "StepLR", "args": [3], "options": {"gamma": 0.5}},
                            {"scheduler": "MultiStepLR", "args": [[2, 6]], "options": {"gamma": 0.5}}])


def clip_cases(f: Family) -> None:
    shapes = ((3, 4), (5,), (2, 2, 2))
    for label, norm_type in (("p2", 2.0), ("p1", 1.0), ("inf", math.inf), ("p3", 3.0), ("p0_5", 0.5)):
        add_clip(f, f"{label}_clipped", "clipGradNorm", shapes, {"maxNorm": 1.0, "normType": norm_type})
        add_clip(f, f"{label}_not_clipped", "clipGradNorm", shapes, {"maxNorm": 1000.0, "normType": norm_type})
    add_clip(f, "missing_gradient", "clipGradNorm", shapes, {"maxNorm": 0.5, "normType": 2.0}, missing=(1,))
    add_clip(f, "one_tensor", "clipGradNorm", ((4, 3),), {"maxNorm": 0.5, "normType": 2.0})
    add_clip(f, "float64", "clipGradNorm", shapes, {"maxNorm": 1.5, "normType": 2.0}, dtype=torch.float64)
    add_clip(f, "max_norm_zero", "clipGradNorm", shapes, {"maxNorm": 0.0, "normType": 2.0})
    add_clip(f, "nan_gradient", "clipGradNorm", shapes, {"maxNorm": 1.0, "normType": 2.0}, special=(1, 2, math.nan))
    add_clip(f, "infinite_gradient", "clipGradNorm", shapes, {"maxNorm": 1.0, "normType": 2.0}, special=(0, 5, math.inf))
    add_clip(f, "inf_norm_nan_gradient", "clipGradNorm", shapes, {"maxNorm": 1.0, "normType": math.inf}, special=(2, 3, math.nan))
    add_clip(f, "clip_0_5", "clipGradValue", shapes, {"clipValue": 0.5})
    add_clip(f, "clip_zero", "clipGradValue", shapes, {"clipValue": 0.0})
    add_clip(f, "missing_gradient", "clipGradValue", shapes, {"clipValue": 0.3}, missing=(0,))
    add_clip(f, "nan_stays", "clipGradValue", shapes, {"clipValue": 0.5}, special=(1, 0, math.nan))
    add_clip(f, "float64", "clipGradValue", shapes, {"clipValue": 0.7}, dtype=torch.float64)


def build() -> Family:
    # SequentialLR steps a scheduler to epoch 0 at each milestone, which 1.13 warns about.
    warnings.filterwarnings("ignore", message="The epoch parameter", category=UserWarning)
    f = Family("optim", seed=73)
    optimizer_cases(f)
    scheduler_cases(f)
    clip_cases(f)
    return f
