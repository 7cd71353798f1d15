"""Checks modules written by toPyTorch against Strata's outputs, in real PyTorch.

    /usr/bin/python3 check_outputs.py DIRECTORY

DIRECTORY/cases.json lists the cases: each names a Python file written by
toPyTorch (defining its class and load_file), the safetensors of the weights
and a safetensors file with Strata's `input` (or `input0`, `input1`, ...)
and `output` (or `output0`, `output1`, ... for a module that returns
several tensors, such as a recurrent layer's output and final states,
compared with the module's result flattened in order; a case with
"stateTuple" passes the inputs after the first as one tuple, as
`nn.LSTM(x, (h0, c0))` takes them; tensors `keyword_NAME` and the case's
"keywords" values are passed as keyword arguments, `attn_mask=...`,
`need_weights=False`; outputs that are None are left out). Every case is
built with `Net()`, loaded with `load_state_dict(load_file(...))` (strict),
run in evaluation mode, and compared; the result is printed as JSON:
{"cases": [{"label", "maxDifference"} | {"label", "error"}]}.
"""

import importlib.util
import json
import sys

import torch


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def flatten(value):
    if value is None:
        return []
    if isinstance(value, (tuple, list)):
        return [tensor for item in value for tensor in flatten(item)]
    return [value]


def numbered(check, prefix):
    if prefix in check:
        return [check[prefix]]
    return [check[f"{prefix}{i}"] for i in range(len(check)) if f"{prefix}{i}" in check]


def main(directory):
    torch.set_num_threads(1)
    with open(f"{directory}/cases.json") as stream:
        cases = json.load(stream)
    results = []
    for index, case in enumerate(cases):
        try:
            generated = load_module(f"{directory}/{case['source']}", f"strata_case_{index}")
            model = getattr(generated, case["className"])()
            model.load_state_dict(generated.load_file(f"{directory}/{case['weights']}"), strict=True)
            model.eval()
            check = generated.load_file(f"{directory}/{case['check']}")
            inputs = numbered(check, "input")
            if case.get("stateTuple") and len(inputs) > 1:
                inputs = [inputs[0], tuple(inputs[1:])]
            keywords = dict(case.get("keywords", {}))
            keywords.update({name[len("keyword_"):]: tensor for name, tensor in check.items() if name.startswith("keyword_")})
            with torch.no_grad():
                outputs = flatten(model(*inputs, **keywords))
            expected = numbered(check, "output")
            if len(outputs) != len(expected):
                raise ValueError(f"{len(outputs)} outputs, Strata returned {len(expected)}")
            difference = 0.0
            for output, want in zip(outputs, expected):
                if list(output.shape) != list(want.shape):
                    raise ValueError(f"shape {list(output.shape)} != {list(want.shape)}")
                if output.numel() > 0:
                    difference = max(difference, (output.double() - want.double()).abs().max().item())
            results.append({"label": case["label"], "maxDifference": difference})
        except Exception as error:  # reported per case, so one failure does not hide the others
            results.append({"label": case["label"], "error": f"{type(error).__name__}: {error}"})
    print(json.dumps({"cases": results}))


if __name__ == "__main__":
    main(sys.argv[1])
