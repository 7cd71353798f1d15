"""Checks files written by exportOnnx with the ONNX project's own checker.

    /usr/bin/python3 check_onnx.py DIRECTORY

DIRECTORY/models.json lists {"label", "file", "outputs": [[dim, ...], ...]}
with the output shapes Strata computed (a string for a dynamic dimension,
null for one ONNX names itself).
Each file must pass onnx.checker.check_model with full_check (which runs
strict shape inference), and the shapes ONNX infers for the outputs must be
the ones Strata computed. Prints JSON: {"models": [{"label", "error"?}], "onnx": version}.
"""

import json
import sys

import onnx
from onnx import shape_inference


def dimensions(value_info):
    shape = value_info.type.tensor_type.shape
    return [dim.dim_param if dim.dim_param else dim.dim_value for dim in shape.dim]


def main(directory):
    with open(f"{directory}/models.json") as stream:
        models = json.load(stream)
    results = []
    for entry in models:
        try:
            model = onnx.load(f"{directory}/{entry['file']}")
            onnx.checker.check_model(model, full_check=True)
            # Infer every value's shape from the inputs alone (the declared output shapes removed) and compare with Strata's.
            for output in model.graph.output:
                output.type.tensor_type.ClearField("shape")
            inferred = shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
            shapes = [dimensions(output) for output in inferred.graph.output]
            # null in the manifest: a dynamic dimension ONNX names itself (any symbol will do).
            expected = [[dim if dim is not None else shape[i] if isinstance(shape[i], str) else None for i, dim in enumerate(want)]
                        for want, shape in zip(entry["outputs"], shapes)]
            if shapes != expected:
                raise ValueError(f"inferred output shapes {shapes}, Strata computed {entry['outputs']}")
            results.append({"label": entry["label"]})
        except Exception as error:  # reported per model, so one failure does not hide the others
            results.append({"label": entry["label"], "error": f"{type(error).__name__}: {error}"})
    print(json.dumps({"models": results, "onnx": onnx.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
