"""@strata/layers-attention: PyTorch parity cases, written to
``packages/layers-attention/src/__fixtures__/attention.json`` in the op-case
format of ``fixture.Family`` (see README.md): the forward result, the
gradient of every input, and PyTorch's errors.

``generate.py`` finds this file by its ``PACKAGE`` line; run it from the
repository root with Debian's PyTorch::

    /usr/bin/python3 tooling/parity/generate.py --family attention
"""

from __future__ import annotations

import torch

from fixture import Family

PACKAGE = "layers-attention"


def scale(input, weight, bias=None):
    """What ``attentionScale`` computes, in PyTorch."""
    return input * weight if bias is None else input * weight + bias


def build() -> Family:
    f = Family("attention", seed=1)
    T = f.input
    op = "attentionScale"
    f.case("with_bias", op, [T(f.randn(4, 3)), T(f.randn(3)), T(f.randn(3))], scale)
    f.case("no_bias", op, [T(f.randn(2, 5, 3)), T(f.randn(3))], scale)
    f.case("transposed_input", op, [T(f.randn(3, 4), [["t"]]), T(f.randn(3)), T(f.randn(3))], scale)
    f.case("float64", op, [T(f.randn(2, 3, dtype=torch.float64)), T(f.randn(3, dtype=torch.float64))], scale)
    f.case("wrong_features", op, [T(f.randn(2, 4)), T(f.randn(3))], scale, raises=True)
    return f
