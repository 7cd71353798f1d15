"""PyTorch (CPU) peer of the Strata benchmark harness.

Times the workloads of shared/bench/WORKLOADS.md with the same sizes and the
same timing rules as apps/bench/src/harness.ts (warm-ups, median of the timed
runs, a time cap), once per thread count, and prints one JSON object on
stdout. Run by apps/bench/src/peers/torch.ts as a child process; usable alone:

    /usr/bin/python3 apps/bench/python/peer.py --only matmul_512 --reps 10

When torch cannot be imported it prints {"available": false, "reason": ...}
and exits 0, so the harness can say so in its table.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

WORKLOADS = {}


def workload(workload_id):
    """Registers a factory: called once with torch, returns the function to time.

    Grad mode is the factory's business: forward-only workloads build inputs
    that do not require grad; forward+backward ones call backward in run().
    """

    def register(factory):
        WORKLOADS[workload_id] = factory
        return factory

    return register


# ---- matmul (apps/bench/src/workloads/matmul.ts) ----


def square_matmul(torch, n):
    generator = torch.Generator().manual_seed(n)
    a = torch.randn(n, n, generator=generator, dtype=torch.float32)
    b = torch.randn(n, n, generator=generator, dtype=torch.float32)

    def run():
        torch.matmul(a, b)

    return run


@workload("matmul_256")
def matmul_256(torch):
    return square_matmul(torch, 256)


@workload("matmul_512")
def matmul_512(torch):
    return square_matmul(torch, 512)


@workload("matmul_1024")
def matmul_1024(torch):
    return square_matmul(torch, 1024)


# ---- convolution (apps/bench/src/workloads/conv.ts) ----


def convolution(torch, function, input_shape, weight_shape, bias, backward, **options):
    """Times function(x, w, b, **options); with backward, also the gradients of x, w (and b) from ones."""
    generator = torch.Generator().manual_seed(11)
    x = torch.randn(*input_shape, generator=generator, dtype=torch.float32, requires_grad=backward)
    w = torch.randn(*weight_shape, generator=generator, dtype=torch.float32, requires_grad=backward)
    channels = weight_shape[1] if function.__name__.startswith("conv_transpose") else weight_shape[0]
    b = torch.randn(channels, generator=generator, dtype=torch.float32, requires_grad=backward) if bias else None
    leaves = [t for t in (x, w, b) if t is not None]

    if not backward:
        def run_forward():
            with torch.no_grad():
                function(x, w, b, **options)

        return run_forward
    upstream = torch.ones_like(function(x, w, b, **options))

    def run():
        for leaf in leaves:
            leaf.grad = None
        function(x, w, b, **options).backward(upstream)

    return run


@workload("conv2d_fwd")
def conv2d_fwd(torch):
    return convolution(torch, torch.nn.functional.conv2d, (32, 16, 32, 32), (32, 16, 3, 3), True, False, padding=1)


@workload("conv2d_fwd_bwd")
def conv2d_fwd_bwd(torch):
    return convolution(torch, torch.nn.functional.conv2d, (32, 16, 32, 32), (32, 16, 3, 3), True, True, padding=1)


@workload("conv1d_fwd_bwd")
def conv1d_fwd_bwd(torch):
    return convolution(torch, torch.nn.functional.conv1d, (32, 64, 256), (64, 64, 5), False, True, padding=2)


@workload("conv3d_fwd_bwd")
def conv3d_fwd_bwd(torch):
    return convolution(torch, torch.nn.functional.conv3d, (4, 8, 16, 32, 32), (16, 8, 3, 3, 3), False, True, padding=1)


@workload("convt2d_fwd_bwd")
def convt2d_fwd_bwd(torch):
    return convolution(torch, torch.nn.functional.conv_transpose2d, (16, 32, 16, 16), (32, 16, 4, 4), False, True,
                       stride=2, padding=1)


# ---- pooling (apps/bench/src/workloads/pooling.ts) ----


def pooling(torch, function, **options):
    """Times function(x, **options) and the gradient of x from ones."""
    generator = torch.Generator().manual_seed(21)
    x = torch.randn(32, 32, 32, 32, generator=generator, dtype=torch.float32, requires_grad=True)
    upstream = torch.ones_like(function(x, **options))

    def run():
        x.grad = None
        function(x, **options).backward(upstream)

    return run


@workload("maxpool2d_fwd_bwd")
def maxpool2d_fwd_bwd(torch):
    return pooling(torch, torch.nn.functional.max_pool2d, kernel_size=2, stride=2)


@workload("avgpool2d_fwd_bwd")
def avgpool2d_fwd_bwd(torch):
    return pooling(torch, torch.nn.functional.avg_pool2d, kernel_size=3, stride=2, padding=1)


# ---- normalization (apps/bench/src/workloads/norm.ts) ----


def normalization(torch, layer, shape, seed):
    """Times layer(x) in training mode and the gradients of x, weight and bias from a seeded upstream."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=generator, dtype=torch.float32, requires_grad=True)
    upstream = torch.randn(*shape, generator=generator, dtype=torch.float32)
    layer.train()

    def run():
        x.grad = None
        layer.zero_grad(set_to_none=True)
        layer(x).backward(upstream)

    return run


@workload("batchnorm2d_fwd_bwd")
def batchnorm2d_fwd_bwd(torch):
    return normalization(torch, torch.nn.BatchNorm2d(32), (32, 32, 32, 32), 31)


@workload("layernorm_fwd_bwd")
def layernorm_fwd_bwd(torch):
    return normalization(torch, torch.nn.LayerNorm(256), (64, 128, 256), 41)


# ---- embedding (apps/bench/src/workloads/embedding.ts) ----


@workload("embedding_fwd_bwd")
def embedding_fwd_bwd(torch):
    """Times nn.Embedding(10000, 128) on int64 indices [64, 64] and the weight's gradient (upstream ones)."""
    generator = torch.Generator().manual_seed(51)
    layer = torch.nn.Embedding(10000, 128)
    indices = torch.randint(0, 10000, (64, 64), generator=generator)
    upstream = torch.ones(64, 64, 128)

    def run():
        layer.zero_grad(set_to_none=True)
        layer(indices).backward(upstream)

    return run


# ---- recurrent (apps/bench/src/workloads/recurrent.ts) ----


@workload("lstm_fwd_bwd")
def lstm_fwd_bwd(torch):
    """Times nn.LSTM(128, 256, batch_first=True) on [32, 64, 128] from h0/c0 and the gradients of x, h0, c0 and the weights."""
    generator = torch.Generator().manual_seed(71)
    layer = torch.nn.LSTM(128, 256, batch_first=True)
    x = torch.randn(32, 64, 128, generator=generator, requires_grad=True)
    h0 = torch.randn(1, 32, 256, generator=generator, requires_grad=True)
    c0 = torch.randn(1, 32, 256, generator=generator, requires_grad=True)
    upstream = torch.randn(32, 64, 256, generator=generator)

    def run():
        for leaf in (x, h0, c0):
            leaf.grad = None
        layer.zero_grad(set_to_none=True)
        output, _ = layer(x, (h0, c0))
        output.backward(upstream)

    return run


# ---- attention (apps/bench/src/workloads/attention.ts) ----


@workload("transformer_encoder_fwd_bwd")
def transformer_encoder_fwd_bwd(torch):
    """Times a 2-layer nn.TransformerEncoder (d_model 256, 8 heads, feed-forward 1024, dropout 0, batch first)
    on [32, 128, 256] and the gradients of the input and every parameter."""
    generator = torch.Generator().manual_seed(81)
    layer = torch.nn.TransformerEncoderLayer(256, 8, dim_feedforward=1024, dropout=0.0, batch_first=True)
    encoder = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    src = torch.randn(32, 128, 256, generator=generator, requires_grad=True)
    upstream = torch.randn(32, 128, 256, generator=generator)

    def run():
        src.grad = None
        encoder.zero_grad(set_to_none=True)
        encoder(src).backward(upstream)

    return run


# ---- training (apps/bench/src/workloads/training.ts) ----


@workload("mlp_train_step")
def mlp_train_step(torch):
    """Times one step of Linear 784-256-256-10 (ReLU), cross-entropy and SGD(lr 0.01, momentum 0.9) on a batch of 128."""
    generator = torch.Generator().manual_seed(61)
    torch.manual_seed(61)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    x = torch.randn(128, 784, generator=generator, dtype=torch.float32)
    labels = torch.randint(0, 10, (128,), generator=generator)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def run():
        optimizer.zero_grad(set_to_none=True)
        criterion(model(x), labels).backward()
        optimizer.step()

    return run


# ---- the CNN (apps/bench/src/workloads/cnn.ts) ----

FASHION_MNIST_FOLDER = "/usr/share/datasets/fashion-mnist"


def cnn_model(torch):
    """The CNN of WORKLOADS.md ("The CNN")."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )


@workload("cnn_train_step")
def cnn_train_step(torch):
    """One step of the CNN on a batch of 64 [1, 28, 28]: zero_grad, forward, cross-entropy, backward, Adam(lr 1e-3)."""
    torch.manual_seed(72)
    model = cnn_model(torch)
    generator = torch.Generator().manual_seed(70)
    x = torch.randn(64, 1, 28, 28, generator=generator)
    labels = torch.randint(0, 10, (64,), generator=generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    model.train()

    def run():
        optimizer.zero_grad(set_to_none=True)
        criterion(model(x), labels).backward()
        optimizer.step()

    return run


def read_idx(torch, path):
    """A gzipped IDX file of Fashion-MNIST as a uint8 tensor (the header's dimensions)."""
    import gzip
    import struct

    with gzip.open(path, "rb") as stream:
        data = stream.read()
    rank = data[3]
    shape = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank :]), dtype=torch.uint8).reshape(shape)


@workload("fashion_mnist_epoch")
def fashion_mnist_epoch(torch):
    """One epoch of the CNN over the 60,000 training images (batch 64, shuffled, seed 0, Adam lr 1e-3), then the test accuracy."""
    folder = FASHION_MNIST_FOLDER

    def load(prefix):
        images = read_idx(torch, f"{folder}/{prefix}-images-idx3-ubyte.gz").float().div_(255).unsqueeze(1)
        labels = read_idx(torch, f"{folder}/{prefix}-labels-idx1-ubyte.gz").long()
        return images, labels

    train_images, train_labels = load("train")
    test_images, test_labels = load("t10k")

    def run():
        torch.manual_seed(0)
        model = cnn_model(torch)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        criterion = torch.nn.CrossEntropyLoss()
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(train_images, train_labels),
            batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0),
        )
        started = time.perf_counter()
        model.train()
        for images, labels in loader:
            optimizer.zero_grad(set_to_none=True)
            criterion(model(images), labels).backward()
            optimizer.step()
        seconds = time.perf_counter() - started
        model.eval()
        with torch.no_grad():
            correct = sum(
                (model(test_images[i : i + 1000]).argmax(1) == test_labels[i : i + 1000]).sum().item()
                for i in range(0, len(test_labels), 1000)
            )
        run.note = f"test accuracy {correct / len(test_labels):.4f} after one epoch ({seconds:.0f} s of training)"

    # One run, no warm-up: the harness's policy for this workload (cnn.ts).
    run.policy = {"warmups": 0, "reps": 1, "min_seconds": 0}
    return run


# ---- timing (the rules of measure() in apps/bench/src/harness.ts) ----


def measure(run, policy):
    # A workload may change the policy (fashion_mnist_epoch: one run), as its `policy` does in the harness.
    overrides = getattr(run, "policy", {})
    policy = argparse.Namespace(**{**vars(policy), **overrides})
    cap = policy.cap_seconds
    start = time.perf_counter()
    warmups = 0
    while warmups < policy.warmups:
        run()
        warmups += 1
        if time.perf_counter() - start > cap / 4:
            break
    samples = []
    timed = 0.0
    while True:
        before = time.perf_counter()
        run()
        elapsed = time.perf_counter() - before
        samples.append(elapsed * 1000)
        timed += elapsed
        if len(samples) >= policy.max_reps:
            break
        if len(samples) >= policy.reps and timed >= policy.min_seconds:
            break
        if time.perf_counter() - start >= cap:
            break
    result = {
        "medianMs": statistics.median(samples),
        "minMs": min(samples),
        "reps": len(samples),
        "warmups": warmups,
        "capped": len(samples) < policy.reps or warmups < policy.warmups,
    }
    if getattr(run, "note", None) is not None:
        result["note"] = run.note
    return result


def openblas_thread_setter():
    """OpenBLAS's own thread-count setter, or None.

    Debian's torch reaches OpenBLAS through the generic libblas.so.3, so
    torch.set_num_threads does not reach OpenBLAS's pthread pool (which starts
    with one thread per core): a "1 thread" figure must set both.
    """
    import ctypes

    for name in loaded_blas(full_paths=True):
        if "openblas" in os.path.basename(name):
            try:
                return ctypes.CDLL(name).openblas_set_num_threads
            except (OSError, AttributeError):
                return None
    return None


def loaded_blas(full_paths=False):
    """The BLAS shared libraries this process has mapped (OpenBLAS or the slow reference one)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            names = {line.split()[-1] for line in maps if "blas" in line.lower()}
        return sorted(names if full_paths else (os.path.basename(name) for name in names))
    except OSError:
        return []


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated workload ids (default: all)")
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--min-seconds", type=float, default=1.0)
    parser.add_argument("--max-reps", type=int, default=500)
    parser.add_argument("--cap-seconds", type=float, default=10.0)
    parser.add_argument("--list", action="store_true", help="print the workload ids and exit")
    return parser.parse_args(argv)


def main(argv):
    policy = parse_arguments(argv)
    if policy.list:
        print(json.dumps(sorted(WORKLOADS)))
        return 0
    try:
        import torch
    except ImportError as error:
        print(json.dumps({"available": False, "reason": str(error)}))
        return 0

    wanted = [name for name in policy.only.split(",") if name] or list(WORKLOADS)
    unknown = [name for name in wanted if name not in WORKLOADS]
    default_threads = torch.get_num_threads()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    # Debian's build may default to fewer threads than there are cores; the
    # all-cores figure is the one PEERS.md reports next to the 1-thread one.
    thread_counts = sorted({1, max(default_threads, cores)})

    set_openblas_threads = openblas_thread_setter()
    runs = []
    for threads in thread_counts:
        torch.set_num_threads(threads)
        if set_openblas_threads is not None:
            set_openblas_threads(threads)
        results = {}
        for name in wanted:
            if name in WORKLOADS:
                results[name] = measure(WORKLOADS[name](torch), policy)
        runs.append({"threads": threads, "results": results})

    print(
        json.dumps(
            {
                "available": True,
                "version": torch.__version__,
                "python": platform.python_version(),
                "defaultThreads": default_threads,
                "cores": cores,
                "blas": loaded_blas(),
                "openblasThreadsSet": set_openblas_threads is not None,
                "unknown": unknown,
                "runs": runs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
