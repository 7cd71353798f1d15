"""@strata/layers-attention: PyTorch parity cases for scaled dot-product
attention, MultiheadAttention and the Transformer layers, stacks and model,
written to ``packages/layers-attention/src/__fixtures__/attention.json``.

Each module case builds the PyTorch module (Strata's constructor arguments
and options, translated), records its ``repr``, state-dict keys and
parameters (the Strata test loads them with ``loadStateDict``, as a
checkpoint), runs ``forward`` on seeded inputs with the case's masks and
options, and records every float output, a seeded upstream gradient per
output, and the gradients of every float input and of every parameter.
Error cases record PyTorch's message; the Strata test expects an error (in
the constructor when PyTorch raised there) and the module unchanged.

Where Debian's PyTorch 1.13 lacks an option, the reference is composed from
PyTorch parts, and the case says so in its name:

- ``F.scaled_dot_product_attention`` (2.0) is ``softmax(q·kᵀ·scale + mask)·v``
  written with torch ops (``sdpa/...`` cases);
- ``is_causal`` on MultiheadAttention and the Transformer layers (2.0) is a
  hint that the mask given is causal: the reference runs with that mask;
- ``bias=False`` on the Transformer layers (2.1) is a layer whose attention is
  ``MultiheadAttention(bias=False)``, whose linear maps have no bias and whose
  LayerNorms have ``bias = None`` (``composed_no_bias`` cases; no ``repr``).

Dropout is random, so its cases are deterministic ones (``dropout=1`` in
training mode, or evaluation mode). Every float32 case is rerun in float64 and
must agree within half the test tolerance.

``generate.py`` finds this file by its ``PACKAGE`` line::

    /usr/bin/python3 tooling/parity/generate.py --family attention
"""

from __future__ import annotations

import copy
import math
from typing import Any

import torch
import torch.nn as nn

from fixture import close, encode_tensor, fixture_json

PACKAGE = "layers-attention"

OPTION_NAMES = {
    "dropout": "dropout", "bias": "bias", "addBiasKv": "add_bias_kv", "addZeroAttn": "add_zero_attn", "kdim": "kdim",
    "vdim": "vdim", "batchFirst": "batch_first", "dimFeedforward": "dim_feedforward", "activation": "activation",
    "layerNormEps": "layer_norm_eps", "normFirst": "norm_first", "dModel": "d_model", "nhead": "nhead",
    "numEncoderLayers": "num_encoder_layers", "numDecoderLayers": "num_decoder_layers",
}
FORWARD_NAMES = {
    "keyPaddingMask": "key_padding_mask", "attnMask": "attn_mask", "needWeights": "need_weights",
    "averageAttnWeights": "average_attn_weights", "srcMask": "src_mask", "srcKeyPaddingMask": "src_key_padding_mask",
    "mask": "mask", "tgtMask": "tgt_mask", "memoryMask": "memory_mask", "tgtKeyPaddingMask": "tgt_key_padding_mask",
    "memoryKeyPaddingMask": "memory_key_padding_mask",
}
# PyTorch 1.13 has no is_causal: a hint that the mask given is causal, so the reference just applies the mask.
HINTS = {"isCausal", "tgtIsCausal", "memoryIsCausal", "srcIsCausal"}


def py_options(options: dict[str, Any], composed_bias: bool = False) -> dict[str, Any]:
    """PyTorch's keyword arguments; ``composed_bias`` leaves out ``bias`` (composed by ``compose_no_bias``)."""
    return {OPTION_NAMES[k]: v for k, v in options.items() if k != "bias" or not composed_bias}


def compose_no_bias(layer: nn.Module) -> nn.Module:
    """PyTorch 2.1's bias=False on a Transformer layer, from 1.13 parts."""
    for name, child in list(layer.named_children()):
        if isinstance(child, nn.MultiheadAttention):
            setattr(layer, name, nn.MultiheadAttention(child.embed_dim, child.num_heads, dropout=child.dropout, bias=False,
                                                       batch_first=child.batch_first))
        elif isinstance(child, nn.Linear):
            setattr(layer, name, nn.Linear(child.in_features, child.out_features, bias=False))
        elif isinstance(child, nn.LayerNorm):
            child.register_parameter("bias", None)
    return layer


def build_module(layer: str, args: list[Any]) -> nn.Module:
    """The PyTorch module of a case (Strata's arguments, translated)."""
    if layer == "MultiheadAttention":
        embed_dim, num_heads, *rest = args
        return nn.MultiheadAttention(embed_dim, num_heads, **py_options(rest[0] if rest else {}))
    if layer in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        d_model, nhead, *rest = args
        options = rest[0] if rest else {}
        module = getattr(nn, layer)(d_model, nhead, **py_options(options, composed_bias=True))
        return compose_no_bias(module) if options.get("bias") is False else module
    if layer in ("TransformerEncoder", "TransformerDecoder"):
        spec = args[0]
        inner = build_module(spec["layer"], spec["args"])
        options = spec["args"][2] if len(spec["args"]) > 2 else {}
        norm = nn.LayerNorm(spec["args"][0], eps=options.get("layerNormEps", 1e-5)) if spec.get("norm") else None
        return getattr(nn, layer)(inner, spec["numLayers"], norm=norm)
    if layer == "Transformer":
        return nn.Transformer(**py_options(args[0] if args else {}))
    raise ValueError(layer)


def sdpa_reference(q, k, v, attn_mask=None, is_causal=False, scale=None):
    """F.scaled_dot_product_attention (PyTorch 2.0), composed from torch ops."""
    scale = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    if is_causal:
        allowed = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).tril()
        scores = scores.masked_fill(~allowed, float("-inf"))
    elif attn_mask is not None:
        scores = scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else scores + attn_mask
    return torch.softmax(scores, dim=-1) @ v


class AttentionCases:
    """The cases of the attention fixture, from one seeded generator."""

    def __init__(self, name: str, seed: int):
        self.name = name
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed)
        self.cases: list[dict[str, Any]] = []

    def randn(self, *shape: int) -> torch.Tensor:
        return torch.randn(shape, generator=self.generator, dtype=torch.float64).float()

    def bools(self, *shape: int, p: float = 0.3) -> torch.Tensor:
        return torch.rand(shape, generator=self.generator, dtype=torch.float64) < p

    def padding(self, batch: int, length: int) -> torch.Tensor:
        """A key padding mask that leaves at least the first key of every sample."""
        mask = self.bools(batch, length, p=0.4)
        mask[:, 0] = False
        return mask

    @staticmethod
    def causal(length: int) -> torch.Tensor:
        return torch.triu(torch.full((length, length), float("-inf")), diagonal=1)

    def case(self, name: str, layer: str, args: list[Any], inputs: list[torch.Tensor], forward: dict[str, Any] | None = None,
             training: bool = True, self_attention: bool = False, raises: bool = False, composed: bool = False) -> None:
        forward = forward or {}
        record: dict[str, Any] = {"name": f"{layer}/{name}", "layer": layer, "args": args, "training": training,
                                  "selfAttention": self_attention}
        torch.manual_seed(self.seed + len(self.cases))
        try:
            module = build_module(layer, args) if layer != "sdpa" else None
        except (AssertionError, RuntimeError, ValueError) as error:
            if not raises:
                raise
            record["constructError"] = str(error).split("\n")[0]
            self.cases.append(record)
            return
        if module is not None:
            module.train(training)
            record["repr"] = None if composed else repr(module)
            record["stateDictKeys"] = list(module.state_dict().keys())
            record["state"] = {k: encode_tensor(v) for k, v in module.state_dict().items()}
        record["inputs"] = [encode_tensor(x) for x in inputs]
        record["forward"] = {k: (encode_tensor(v) if isinstance(v, torch.Tensor) else v) for k, v in forward.items()}
        if raises:
            try:
                self.run(module, layer, inputs, forward, self_attention)
            except (AssertionError, RuntimeError, ValueError) as error:
                record["error"] = str(error).split("\n")[0]
                self.cases.append(record)
                return
            raise ValueError(f"{record['name']}: PyTorch did not raise")
        outputs, input_grads, parameter_grads, upstream = self.gradients(module, layer, inputs, forward, self_attention, None)
        record["outputs"] = [None if o is None else encode_tensor(o) for o in outputs]
        record["upstream"] = [None if u is None else encode_tensor(u) for u in upstream]
        record["grads"] = {"inputs": [encode_tensor(g) for g in input_grads],
                           "parameters": {k: encode_tensor(g) for k, g in parameter_grads.items()}}
        self.check_conditioning(record["name"], module, layer, inputs, forward, self_attention, upstream,
                                outputs, input_grads, parameter_grads)
        self.cases.append(record)

    @staticmethod
    def run(module, layer, inputs, forward, self_attention):
        if layer == "sdpa":
            return [sdpa_reference(*inputs, attn_mask=forward.get("attnMask"), is_causal=forward.get("isCausal", False),
                                   scale=forward.get("scale"))]
        options = {FORWARD_NAMES[k]: v for k, v in forward.items() if k not in HINTS}
        if layer == "MultiheadAttention":
            q, k, v = (inputs[0],) * 3 if self_attention else inputs
            return list(module(q, k, v, **options))
        return [module(*inputs, **options)]

    def gradients(self, module, layer, inputs, forward, self_attention, upstream):
        leaves = [x.clone().requires_grad_(True) for x in inputs]
        outputs = self.run(module, layer, leaves, forward, self_attention)
        if upstream is None:
            upstream = [None if o is None else self.randn(*o.shape) for o in outputs]
        named = [] if module is None else list(module.named_parameters())
        pairs = [(o, u.to(o.dtype)) for o, u in zip(outputs, upstream) if o is not None]
        all_leaves = leaves + [p for _, p in named]
        computed = torch.autograd.grad([o for o, _ in pairs], all_leaves, [u for _, u in pairs], allow_unused=True)
        computed = [torch.zeros_like(leaf) if g is None else g for leaf, g in zip(all_leaves, computed)]
        count = len(leaves)
        parameter_grads = {k: g for (k, _), g in zip(named, computed[count:])}
        return [None if o is None else o.detach() for o in outputs], computed[:count], parameter_grads, upstream

    def check_conditioning(self, name, module, layer, inputs, forward, self_attention, upstream, outputs, input_grads, parameter_grads):
        module64 = None if module is None else copy.deepcopy(module).double()
        inputs64 = [x.double() for x in inputs]
        forward64 = {k: (v.double() if isinstance(v, torch.Tensor) and v.is_floating_point() else v) for k, v in forward.items()}
        upstream64 = [None if u is None else u.double() for u in upstream]
        outputs64, input_grads64, parameter_grads64, _ = self.gradients(module64, layer, inputs64, forward64, self_attention, upstream64)
        pairs = [(a, b) for a, b in zip(outputs, outputs64) if a is not None] + list(zip(input_grads, input_grads64))
        pairs += [(parameter_grads[k], parameter_grads64[k]) for k in parameter_grads]
        for a, b in pairs:
            if not close(a.detach(), b.detach()):
                raise ValueError(f"{name}: ill-conditioned (float32 and float64 disagree)")

    def to_json(self) -> str:
        return fixture_json(self.name, "tooling/parity/cases_attention.py", self.cases)


def build() -> AttentionCases:
    c = AttentionCases("attention", seed=17)
    r = c.randn
    # ---- scaled dot-product attention (composed reference: PyTorch 1.13 has no F.scaled_dot_product_attention) ----
    c.case("plain", "sdpa", [], [r(2, 3, 4, 5), r(2, 3, 6, 5), r(2, 3, 6, 7)])
    c.case("bool_mask_broadcast", "sdpa", [], [r(2, 4, 5), r(2, 6, 5), r(2, 6, 3)], {"attnMask": c.bools(4, 6, p=0.3) | torch.eye(4, 6, dtype=torch.bool)})
    c.case("float_mask", "sdpa", [], [r(2, 4, 5), r(2, 6, 5), r(2, 6, 3)], {"attnMask": r(2, 4, 6)})
    c.case("causal_scale", "sdpa", [], [r(3, 5, 4), r(3, 5, 4), r(3, 5, 4)], {"isCausal": True, "scale": 0.7})
    c.case("causal_rectangular", "sdpa", [], [r(2, 3, 4), r(2, 5, 4), r(2, 5, 2)], {"isCausal": True})
    # ---- MultiheadAttention ----
    M = "MultiheadAttention"
    c.case("self_attention", M, [8, 2], [r(4, 2, 8)], self_attention=True)
    c.case("cross_attention", M, [8, 2], [r(3, 2, 8), r(5, 2, 8), r(5, 2, 8)])
    c.case("batch_first_per_head_weights", M, [8, 4, {"batchFirst": True}], [r(2, 3, 8), r(2, 5, 8), r(2, 5, 8)],
           {"averageAttnWeights": False})
    c.case("no_weights", M, [8, 2], [r(4, 2, 8)], {"needWeights": False}, self_attention=True)
    c.case("no_bias", M, [8, 2, {"bias": False}], [r(3, 2, 8), r(5, 2, 8), r(5, 2, 8)])
    c.case("kdim_vdim", M, [8, 2, {"kdim": 5, "vdim": 3}], [r(3, 2, 8), r(4, 2, 5), r(4, 2, 3)])
    c.case("kdim_vdim_no_bias_batch_first", M, [6, 3, {"kdim": 4, "vdim": 7, "bias": False, "batchFirst": True}],
           [r(2, 3, 6), r(2, 4, 4), r(2, 4, 7)])
    c.case("add_bias_kv", M, [8, 2, {"addBiasKv": True}], [r(3, 2, 8), r(4, 2, 8), r(4, 2, 8)])
    c.case("add_zero_attn", M, [8, 2, {"addZeroAttn": True}], [r(3, 2, 8), r(4, 2, 8), r(4, 2, 8)])
    c.case("bias_kv_zero_attn_masks", M, [8, 2, {"addBiasKv": True, "addZeroAttn": True}], [r(3, 2, 8), r(4, 2, 8), r(4, 2, 8)],
           {"attnMask": c.bools(3, 4), "keyPaddingMask": c.padding(2, 4)})
    c.case("bool_attn_mask_2d", M, [8, 2], [r(4, 2, 8)], {"attnMask": torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)}, self_attention=True)
    c.case("float_attn_mask_2d", M, [8, 2], [r(3, 2, 8), r(5, 2, 8), r(5, 2, 8)], {"attnMask": r(3, 5)})
    c.case("bool_attn_mask_3d", M, [8, 2], [r(3, 2, 8), r(5, 2, 8), r(5, 2, 8)],
           {"attnMask": c.bools(4, 3, 5) & ~torch.eye(3, 5, dtype=torch.bool)})
    c.case("float_attn_mask_3d", M, [8, 2, {"batchFirst": True}], [r(2, 3, 8), r(2, 5, 8), r(2, 5, 8)], {"attnMask": r(4, 3, 5)})
    c.case("key_padding_bool", M, [8, 2, {"batchFirst": True}], [r(2, 3, 8), r(2, 5, 8), r(2, 5, 8)], {"keyPaddingMask": c.padding(2, 5)})
    c.case("key_padding_float", M, [8, 2], [r(3, 2, 8), r(5, 2, 8), r(5, 2, 8)], {"keyPaddingMask": r(2, 5)})
    c.case("key_padding_and_bool_mask", M, [8, 2], [r(4, 2, 8)],
           {"attnMask": torch.triu(torch.ones(4, 4, dtype=torch.bool), 1), "keyPaddingMask": c.padding(2, 4)}, self_attention=True)
    c.case("key_padding_and_float_mask", M, [8, 2], [r(4, 2, 8)], {"attnMask": c.causal(4), "keyPaddingMask": c.padding(2, 4)},
           self_attention=True)
    c.case("is_causal_hint", M, [8, 2, {"batchFirst": True}], [r(2, 4, 8)], {"attnMask": c.causal(4), "isCausal": True, "needWeights": False},
           self_attention=True)
    c.case("unbatched", M, [8, 2], [r(3, 8), r(5, 8), r(5, 8)], {"keyPaddingMask": c.padding(1, 5)[0], "averageAttnWeights": False})
    c.case("unbatched_3d_mask", M, [8, 2, {"kdim": 3, "vdim": 3}], [r(3, 8), r(4, 3), r(4, 3)], {"attnMask": r(2, 3, 4)})
    c.case("dropout_1_training", M, [8, 2, {"dropout": 1.0}], [r(3, 2, 8)], self_attention=True)
    c.case("dropout_eval", M, [8, 2, {"dropout": 0.5}], [r(3, 2, 8)], training=False, self_attention=True)
    # ---- MultiheadAttention: bad input (PyTorch raises; Strata throws and leaves the module unchanged) ----
    c.case("embed_dim_not_divisible", M, [10, 3], [], raises=True)
    c.case("wrong_embed_dim", M, [8, 2], [r(3, 2, 6), r(4, 2, 8), r(4, 2, 8)], raises=True)
    c.case("attn_mask_2d_shape", M, [8, 2], [r(3, 2, 8), r(4, 2, 8), r(4, 2, 8)], {"attnMask": c.bools(3, 5)}, raises=True)
    c.case("attn_mask_3d_shape", M, [8, 2], [r(3, 2, 8), r(4, 2, 8), r(4, 2, 8)], {"attnMask": r(2, 3, 4)}, raises=True)
    c.case("attn_mask_dtype", M, [8, 2], [r(3, 2, 8), r(4, 2, 8), r(4, 2, 8)], {"attnMask": torch.zeros(3, 4, dtype=torch.int32)}, raises=True)
    c.case("key_padding_shape", M, [8, 2], [r(3, 2, 8), r(4, 2, 8), r(4, 2, 8)], {"keyPaddingMask": c.bools(2, 5)}, raises=True)
    c.case("key_padding_dtype", M, [8, 2], [r(3, 2, 8), r(4, 2, 8), r(4, 2, 8)], {"keyPaddingMask": torch.zeros(2, 4, dtype=torch.int32)},
           raises=True)
    c.case("mismatched_batch", M, [8, 2], [r(3, 2, 8), r(4, 3, 8), r(4, 3, 8)], raises=True)
    c.case("key_value_lengths", M, [8, 2], [r(3, 2, 8), r(4, 2, 8), r(5, 2, 8)], raises=True)
    c.case("wrong_kdim", M, [8, 2, {"kdim": 5, "vdim": 3}], [r(3, 2, 8), r(4, 2, 4), r(4, 2, 3)], raises=True)
    c.case("query_rank", M, [8, 2], [r(1, 3, 2, 8), r(1, 4, 2, 8), r(1, 4, 2, 8)], raises=True)
    # ---- Transformer layers ----
    E = "TransformerEncoderLayer"
    D = "TransformerDecoderLayer"
    small = {"dimFeedforward": 16, "dropout": 0.0}
    c.case("post_norm_relu", E, [8, 2, small], [r(4, 2, 8)])
    c.case("pre_norm_gelu_batch_first", E, [8, 2, {**small, "normFirst": True, "activation": "gelu", "batchFirst": True}], [r(2, 4, 8)])
    c.case("masks_eps", E, [8, 4, {**small, "layerNormEps": 1e-3}], [r(4, 2, 8)],
           {"srcMask": c.causal(4), "srcKeyPaddingMask": c.padding(2, 4)})
    c.case("is_causal_hint_unbatched", E, [8, 2, small], [r(5, 8)], {"srcMask": c.causal(5), "isCausal": True})
    c.case("dropout_eval", E, [8, 2, {"dimFeedforward": 16}], [r(4, 2, 8)], training=False)
    c.case("float_key_padding_batch_first", E, [8, 2, {**small, "batchFirst": True}], [r(2, 4, 8)], {"srcKeyPaddingMask": r(2, 4)})
    c.case("composed_no_bias", E, [8, 2, {**small, "bias": False}], [r(4, 2, 8)], composed=True)
    c.case("post_norm", D, [8, 2, small], [r(3, 2, 8), r(5, 2, 8)])
    c.case("pre_norm_gelu_batch_first_masks", D, [8, 2, {**small, "normFirst": True, "activation": "gelu", "batchFirst": True}],
           [r(2, 3, 8), r(2, 5, 8)],
           {"tgtMask": c.causal(3), "memoryMask": c.bools(3, 5) & ~torch.eye(3, 5, dtype=torch.bool),
            "tgtKeyPaddingMask": c.padding(2, 3), "memoryKeyPaddingMask": c.padding(2, 5), "tgtIsCausal": True})
    c.case("memory_masks_3d", D, [8, 2, small], [r(3, 2, 8), r(4, 2, 8)],
           {"memoryMask": c.bools(4, 3, 4) & ~torch.eye(3, 4, dtype=torch.bool), "memoryKeyPaddingMask": c.padding(2, 4),
            "tgtMask": c.bools(3, 3) & ~torch.eye(3, 3, dtype=torch.bool)})
    c.case("unbatched_gelu", D, [8, 2, {**small, "activation": "gelu"}], [r(3, 8), r(4, 8)], {"tgtMask": c.causal(3)})
    c.case("composed_no_bias_pre_norm", D, [8, 2, {**small, "bias": False, "normFirst": True}], [r(3, 2, 8), r(4, 2, 8)], composed=True)
    c.case("wrong_features", E, [8, 2, small], [r(4, 2, 6)], raises=True)
    c.case("mask_shape", E, [8, 2, small], [r(4, 2, 8)], {"srcMask": c.causal(3)}, raises=True)
    c.case("memory_batch", D, [8, 2, small], [r(3, 2, 8), r(5, 3, 8)], raises=True)
    # ---- stacks and the whole model ----
    c.case("two_layers_norm", "TransformerEncoder", [{"layer": E, "args": [8, 2, small], "numLayers": 2, "norm": True}], [r(4, 2, 8)],
           {"mask": c.causal(4), "srcKeyPaddingMask": c.padding(2, 4)})
    c.case("three_layers_pre_norm", "TransformerEncoder", [{"layer": E, "args": [8, 2, {**small, "normFirst": True, "batchFirst": True}],
                                                            "numLayers": 3, "norm": False}], [r(2, 4, 8)])
    c.case("two_layers_norm", "TransformerDecoder", [{"layer": D, "args": [8, 2, small], "numLayers": 2, "norm": True}], [r(3, 2, 8), r(4, 2, 8)],
           {"tgtMask": c.causal(3), "memoryKeyPaddingMask": c.padding(2, 4)})
    c.case("small", "Transformer", [{"dModel": 8, "nhead": 2, "numEncoderLayers": 2, "numDecoderLayers": 1, **small}],
           [r(5, 2, 8), r(3, 2, 8)], {"tgtMask": c.causal(3), "srcKeyPaddingMask": c.padding(2, 5)})
    c.case("batch_first_pre_norm_gelu", "Transformer", [{"dModel": 8, "nhead": 4, "numEncoderLayers": 1, "numDecoderLayers": 2, **small,
                                                         "batchFirst": True, "normFirst": True, "activation": "gelu"}],
           [r(2, 4, 8), r(2, 3, 8)], {"tgtMask": c.causal(3), "tgtIsCausal": True})
    c.case("batch_mismatch", "Transformer", [{"dModel": 8, "nhead": 2, "numEncoderLayers": 1, "numDecoderLayers": 1, **small}],
           [r(5, 2, 8), r(3, 3, 8)], raises=True)
    return c
