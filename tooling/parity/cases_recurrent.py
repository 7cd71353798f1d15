"""@strata/layers-recurrent: PyTorch parity cases for RNN, LSTM, GRU and the
cells, written to ``packages/layers-recurrent/src/__fixtures__/recurrent.json``.

Each case builds the PyTorch module (Strata's constructor arguments and
options, translated), records its ``repr``, state-dict keys and parameters
(the Strata test loads them with ``loadStateDict``, as a checkpoint), runs
``forward`` on seeded inputs (and initial states when the case gives them),
and records every float output (``output``, ``h_n``, ``c_n``; for a cell its
new states), a seeded upstream gradient per output, and the gradients of the
input, of each initial state and of every parameter. Error cases record
PyTorch's message; the Strata test expects an error and the module unchanged.

Dropout is random, so its cases are deterministic ones: ``dropout=1`` in
training mode (the layers above the first see zeros) and ``dropout=0.5`` in
evaluation mode (no dropout). Every float32 case is rerun in float64 and must
agree within half the test tolerance (the conditioning check of fixture.py).

``generate.py`` finds this file by its ``PACKAGE`` line::

    /usr/bin/python3 tooling/parity/generate.py --family recurrent
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn

from fixture import close, encode_tensor, fixture_json

PACKAGE = "layers-recurrent"

KEYWORDS = {"numLayers": "num_layers", "batchFirst": "batch_first", "projSize": "proj_size",
            "nonlinearity": "nonlinearity", "bias": "bias", "dropout": "dropout", "bidirectional": "bidirectional"}
CELLS = {"RNNCell", "LSTMCell", "GRUCell"}


class RecurrentCases:
    """The cases of the recurrent fixture, from one seeded generator."""

    def __init__(self, name: str, seed: int):
        self.name = name
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)
        self.cases: list[dict[str, Any]] = []

    def randn(self, *shape: int) -> torch.Tensor:
        return torch.randn(shape, generator=self.generator, dtype=torch.float64).float()

    def build(self, layer: str, args: list[Any]) -> nn.Module:
        *sizes, options = args if isinstance(args[-1], dict) else [*args, {}]
        torch.manual_seed(self.seed + len(self.cases))
        return getattr(nn, layer)(*sizes, **{KEYWORDS[k]: v for k, v in options.items()})

    def case(self, name: str, layer: str, args: list[Any], input_shape: list[int], states: list[list[int]] | None = None,
             training: bool = True, raises: bool = False) -> None:
        module = self.build(layer, args)
        module.train(training)
        x = self.randn(*input_shape)
        hx = [self.randn(*shape) for shape in states] if states is not None else None
        record: dict[str, Any] = {
            "name": f"{layer}/{name}", "layer": layer, "args": args, "training": training,
            "repr": repr(module), "stateDictKeys": list(module.state_dict().keys()),
            "state": {k: encode_tensor(v) for k, v in module.state_dict().items()},
            "input": encode_tensor(x), "states": None if hx is None else [encode_tensor(s) for s in hx],
        }
        if raises:
            try:
                self.run(module, layer, x, hx)
            except (RuntimeError, ValueError) as error:
                record["error"] = str(error).split("\n")[0]
                self.cases.append(record)
                return
            raise ValueError(f"{record['name']}: PyTorch did not raise")
        outputs, grads = self.run(module, layer, x, hx)
        upstream = [self.randn(*o.shape) for o in outputs]
        grads = self.gradients(module, outputs, upstream, x, hx)
        self.check_conditioning(record["name"], module, layer, x, hx, outputs, upstream, grads)
        record["outputs"] = [encode_tensor(o) for o in outputs]
        record["upstream"] = [encode_tensor(u) for u in upstream]
        record["grads"] = {"input": encode_tensor(grads[0]), "states": [encode_tensor(g) for g in grads[1]],
                           "parameters": {k: encode_tensor(g) for k, g in grads[2].items()}}
        self.cases.append(record)

    @staticmethod
    def run(module: nn.Module, layer: str, x: torch.Tensor, hx: list[torch.Tensor] | None):
        state = None if hx is None else (tuple(hx) if layer in ("LSTM", "LSTMCell") else hx[0])
        result = module(x, state) if state is not None else module(x)
        if layer in CELLS:
            return (list(result) if isinstance(result, tuple) else [result]), None
        output, finals = result
        return [output, *(finals if isinstance(finals, tuple) else [finals])], None

    def gradients(self, module, outputs, upstream, x, hx):
        del outputs
        x = x.clone().requires_grad_(True)
        hx = None if hx is None else [s.clone().requires_grad_(True) for s in hx]
        outputs, _ = self.run(module, type(module).__name__, x, hx)
        named = list(module.named_parameters())
        leaves = [x, *(hx or []), *[p for _, p in named]]
        computed = torch.autograd.grad(outputs, leaves, upstream, allow_unused=True)
        computed = [torch.zeros_like(leaf) if g is None else g for leaf, g in zip(leaves, computed)]
        count = 0 if hx is None else len(hx)
        return computed[0], computed[1:1 + count], {k: g for (k, _), g in zip(named, computed[1 + count:])}

    def check_conditioning(self, name, module, layer, x, hx, outputs, upstream, grads):
        module64 = self.build(layer, module_args(module, layer))
        module64.load_state_dict(module.state_dict())
        module64.double().train(module.training)
        x64 = x.double()
        hx64 = None if hx is None else [s.double() for s in hx]
        outputs64, _ = self.run(module64, layer, x64, hx64)
        grads64 = self.gradients(module64, outputs64, [u.double() for u in upstream], x64, hx64)
        pairs = list(zip(outputs, outputs64)) + [(grads[0], grads64[0])] + list(zip(grads[1], grads64[1]))
        pairs += [(grads[2][k], grads64[2][k]) for k in grads[2]]
        for a, b in pairs:
            if not close(a.detach(), b.detach()):
                raise ValueError(f"{name}: ill-conditioned (float32 and float64 disagree)")

    def to_json(self) -> str:
        return fixture_json(self.name, "tooling/parity/cases_recurrent.py", self.cases)


def module_args(module: nn.Module, layer: str) -> list[Any]:
    """Strata's constructor arguments of a PyTorch module (for its float64 twin)."""
    options: dict[str, Any] = {"bias": module.bias}
    if layer in CELLS:
        if layer == "RNNCell":
            options["nonlinearity"] = module.nonlinearity
        return [module.input_size, module.hidden_size, options]
    options.update({"numLayers": module.num_layers, "batchFirst": module.batch_first, "dropout": module.dropout,
                    "bidirectional": module.bidirectional})
    if layer == "LSTM":
        options["projSize"] = module.proj_size
    if layer == "RNN":
        options["nonlinearity"] = module.nonlinearity
    return [module.input_size, module.hidden_size, options]


def build() -> RecurrentCases:
    c = RecurrentCases("recurrent", seed=16)
    # ---- RNN ----
    c.case("tanh", "RNN", [3, 4], [5, 2, 3])
    c.case("relu_with_h0", "RNN", [3, 4, {"nonlinearity": "relu"}], [5, 2, 3], [[1, 2, 4]])
    c.case("two_layers_bidirectional_h0", "RNN", [3, 4, {"numLayers": 2, "bidirectional": True}], [4, 2, 3], [[4, 2, 4]])
    c.case("batch_first_no_bias", "RNN", [3, 4, {"batchFirst": True, "bias": False}], [2, 5, 3])
    c.case("unbatched_h0", "RNN", [3, 4, {"numLayers": 2}], [5, 3], [[2, 4]])
    c.case("dropout_1_training", "RNN", [3, 4, {"numLayers": 2, "dropout": 1.0}], [4, 2, 3], training=True)
    c.case("dropout_eval", "RNN", [3, 4, {"numLayers": 2, "dropout": 0.5}], [4, 2, 3], training=False)
    # ---- LSTM ----
    c.case("default", "LSTM", [3, 4], [5, 2, 3])
    c.case("h0_c0", "LSTM", [3, 4], [5, 2, 3], [[1, 2, 4], [1, 2, 4]])
    c.case("proj_size", "LSTM", [3, 5, {"projSize": 2}], [4, 2, 3], [[1, 2, 2], [1, 2, 5]])
    c.case("proj_two_layers_bidirectional", "LSTM", [3, 5, {"projSize": 3, "numLayers": 2, "bidirectional": True}], [4, 2, 3],
           [[4, 2, 3], [4, 2, 5]])
    c.case("batch_first_bidirectional", "LSTM", [3, 4, {"batchFirst": True, "bidirectional": True}], [2, 5, 3])
    c.case("no_bias_two_layers", "LSTM", [3, 4, {"bias": False, "numLayers": 2}], [4, 2, 3])
    c.case("unbatched_h0_c0", "LSTM", [3, 4, {"bidirectional": True}], [5, 3], [[2, 4], [2, 4]])
    c.case("unbatched_batch_first", "LSTM", [3, 4, {"batchFirst": True}], [5, 3])
    c.case("dropout_1_training", "LSTM", [3, 4, {"numLayers": 2, "dropout": 1.0}], [4, 2, 3])
    c.case("dropout_eval_batch_first", "LSTM", [3, 4, {"numLayers": 3, "dropout": 0.5, "batchFirst": True}], [2, 4, 3], training=False)
    # ---- GRU ----
    c.case("default", "GRU", [3, 4], [5, 2, 3])
    c.case("h0", "GRU", [3, 4], [5, 2, 3], [[1, 2, 4]])
    c.case("two_layers_bidirectional_h0", "GRU", [3, 4, {"numLayers": 2, "bidirectional": True}], [4, 2, 3], [[4, 2, 4]])
    c.case("batch_first_no_bias", "GRU", [3, 4, {"batchFirst": True, "bias": False}], [2, 5, 3])
    c.case("unbatched", "GRU", [3, 4], [5, 3])
    c.case("dropout_1_training", "GRU", [3, 4, {"numLayers": 2, "dropout": 1.0}], [4, 2, 3])
    # ---- cells ----
    c.case("tanh_hx", "RNNCell", [3, 4], [2, 3], [[2, 4]])
    c.case("relu_no_hx", "RNNCell", [3, 4, {"nonlinearity": "relu"}], [2, 3])
    c.case("no_bias_unbatched", "RNNCell", [3, 4, {"bias": False}], [3], [[4]])
    c.case("hx", "LSTMCell", [3, 4], [2, 3], [[2, 4], [2, 4]])
    c.case("no_hx_no_bias", "LSTMCell", [3, 4, {"bias": False}], [2, 3])
    c.case("unbatched", "LSTMCell", [3, 4], [3], [[4], [4]])
    c.case("hx", "GRUCell", [3, 4], [2, 3], [[2, 4]])
    c.case("no_bias_unbatched", "GRUCell", [3, 4, {"bias": False}], [3], [[4]])
    # ---- bad input: PyTorch raises, Strata must throw and leave the module unchanged ----
    c.case("wrong_input_size", "LSTM", [3, 4], [5, 2, 6], raises=True)
    c.case("wrong_h0_shape", "LSTM", [3, 4, {"numLayers": 2}], [5, 2, 3], [[1, 2, 4], [2, 2, 4]], raises=True)
    c.case("batch_first_confusion", "GRU", [3, 4, {"batchFirst": True}], [5, 2, 3], [[1, 2, 4]], raises=True)
    c.case("hx_rank", "RNN", [3, 4], [5, 2, 3], [[2, 4]], raises=True)
    c.case("wrong_input_size", "GRUCell", [3, 4], [2, 5], raises=True)
    c.case("hx_batch", "RNNCell", [3, 4], [2, 3], [[3, 4]], raises=True)
    return c
