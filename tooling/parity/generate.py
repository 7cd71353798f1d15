"""Writes the PyTorch parity fixtures of @strata/tensor.

Run from the repository root with Debian's PyTorch: ``pnpm parity``
(``/usr/bin/python3 tooling/parity/generate.py``). ``--check`` regenerates in
memory and fails when a committed fixture differs; ``--family NAME`` limits the
run to one family. See README.md in this folder.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import torch  # noqa: E402

FIXTURES = HERE.parent.parent / "packages" / "tensor" / "src" / "__fixtures__"
FAMILIES = ["elementwise", "comparison", "reduction", "activation", "matmul", "join", "indexing", "in_place", "print", "views"]
MAX_BYTES = 2_000_000
# Families of the layer packages: family -> the package whose src/__fixtures__/<family>.json it writes.
PACKAGE_FAMILIES: dict[str, str] = {}
# Families built by a case module of another name, as ``module.build(family)``: family -> module.
CASE_MODULES: dict[str, str] = {}
# ---- layers-conv ----
PACKAGE_FAMILIES.update({"conv": "layers-conv", "conv_transpose": "layers-conv"})
# ---- layers-conv pooling (cases_pooling.py builds every pooling_<kind> family) ----
POOLING_FAMILIES = ["pooling_max", "pooling_avg", "pooling_adaptive", "pooling_unpool", "pooling_lp", "pooling_fold", "pooling_modules"]
PACKAGE_FAMILIES.update({family: "layers-conv" for family in POOLING_FAMILIES})
CASE_MODULES.update({family: "cases_pooling" for family in POOLING_FAMILIES})
# ---- layers-norm ----
PACKAGE_FAMILIES.update({"norm": "layers-norm", "norm_modules": "layers-norm"})
# ---- losses ----
PACKAGE_FAMILIES.update({"losses": "losses"})
# ---- optim ----
PACKAGE_FAMILIES.update({"optim": "optim"})
# ---- discovered: a cases_<family>.py with a line `PACKAGE = "<folder>"` writes that package's fixture
# (how `pnpm gen layer-package` wires a new package in without editing this file) ----
for cases_file in sorted(HERE.glob("cases_*.py")):
    declared = re.search(r'^PACKAGE = "([a-z0-9-]+)"$', cases_file.read_text(), re.MULTILINE)
    if declared is not None:
        PACKAGE_FAMILIES.setdefault(cases_file.stem[len("cases_"):], declared.group(1))
FAMILIES += list(PACKAGE_FAMILIES)


def fixture_path(family: str) -> Path:
    if family in PACKAGE_FAMILIES:
        folder = HERE.parent.parent / "packages" / PACKAGE_FAMILIES[family] / "src" / "__fixtures__"
        return folder / f"{family.replace('_', '-')}.json"
    return FIXTURES / f"ops-{family.replace('_', '-')}.json"


def render(family: str) -> tuple[str, int]:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    module = importlib.import_module(CASE_MODULES.get(family, f"cases_{family}"))
    built = module.build(family) if family in CASE_MODULES else module.build()
    text = built.to_json()
    if len(text.encode()) > MAX_BYTES:
        raise SystemExit(f"{family}: fixture is {len(text.encode())} bytes, over {MAX_BYTES}")
    return text, len(built.cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a fixture on disk differs")
    parser.add_argument("--family", action="append", choices=FAMILIES, help="only these families")
    options = parser.parse_args()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    stale = []
    for family in options.family or FAMILIES:
        text, count = render(family)
        path = fixture_path(family)
        path.parent.mkdir(parents=True, exist_ok=True)
        if options.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
            print(f"{path.name}: {count} cases, {'stale' if path.name in stale else 'up to date'}")
        else:
            path.write_text(text)
            print(f"{path.name}: {count} cases, {len(text.encode())} bytes")
    if stale:
        raise SystemExit(f"stale fixtures (run pnpm parity): {', '.join(stale)}")


if __name__ == "__main__":
    main()
