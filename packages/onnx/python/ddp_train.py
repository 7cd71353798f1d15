"""Trains a model written by toPyTorch with DistributedDataParallel (gloo, CPU).

    /usr/bin/python3 -m torch.distributed.run --nproc_per_node 2 \
        --master_addr 127.0.0.1 --master_port PORT ddp_train.py DIRECTORY

DIRECTORY holds net.py and net.safetensors (from toPyTorch), train.safetensors
(`inputs`, `targets`) and check.safetensors (`input`). Each process loads the
same weights, trains on its half of every batch for a few SGD steps with
cross-entropy, and the gradients are averaged across processes by DDP.
Process 0 then writes the trained weights (trained.safetensors, with the
file's save_file) and the trained model's evaluation-mode output on the
check input (trained-output.safetensors), and prints JSON with the losses
and whether the processes ended with identical weights.
"""

import importlib.util
import json
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

STEPS = 3


def main(directory):
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    spec = importlib.util.spec_from_file_location("net", f"{directory}/net.py")
    net = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(net)

    model = net.Net()
    model.load_state_dict(net.load_file(f"{directory}/net.safetensors"), strict=True)
    model.train()
    parallel = DistributedDataParallel(model)
    optimizer = torch.optim.SGD(parallel.parameters(), lr=0.01, momentum=0.9)
    data = net.load_file(f"{directory}/train.safetensors")
    inputs, targets = data["inputs"], data["targets"].long()
    batch = inputs.shape[0] // STEPS
    losses = []
    for step in range(STEPS):
        # Each process takes its share of the step's batch.
        rows = slice(step * batch + rank * batch // world, step * batch + (rank + 1) * batch // world)
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(parallel(inputs[rows]), targets[rows])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    # Every process must end with the same weights: compare each with process 0's.
    flat = torch.cat([parameter.detach().reshape(-1) for parameter in model.parameters()])
    reference = flat.clone()
    dist.broadcast(reference, 0)
    difference = torch.tensor([(flat - reference).abs().max().item()])
    dist.all_reduce(difference, op=dist.ReduceOp.MAX)
    if rank == 0:
        net.save_file(model.state_dict(), f"{directory}/trained.safetensors")
        model.eval()
        with torch.no_grad():
            output = model(net.load_file(f"{directory}/check.safetensors")["input"])
        net.save_file({"output": output}, f"{directory}/trained-output.safetensors")
        print(json.dumps({"world": world, "losses": losses, "replicaDifference": difference.item()}))
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
