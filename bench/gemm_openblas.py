#!/usr/bin/python3
"""numpy float32 matmul GFLOP/s (OpenBLAS) for side-by-side comparison with `helmholtz bench gemm`.

Run with Debian's /usr/bin/python3. Times C = A @ B for n×n float32 matrices, n = 128, 256, 512, 1024, with the
thread count given by --threads (default 2), best and median of repeated products after a warm-up, over at least
--seconds per size. GFLOP/s = 2n³ / time / 1e9. Prints one JSON object per size.
"""
import argparse, json, os, sys, time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--seconds", type=float, default=0.5)
parser.add_argument("--sizes", type=str, default="128,256,512,1024")
parser.add_argument("--coretype", type=str, default=None,
                    help="force an OpenBLAS kernel (e.g. SkylakeX) where its CPU detection fails: Debian 12's "
                         "OpenBLAS 0.3.21 does not know Emerald Rapids (family 6 model 207) and falls back to Prescott")
args = parser.parse_args()

# Some machines here pin OpenBLAS to an older kernel; a baseline must run OpenBLAS's best kernel for the CPU,
# so drop the pin, and fix the thread count, before numpy loads the library.
for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
if args.coretype:
    os.environ["OPENBLAS_CORETYPE"] = args.coretype
import numpy as np

try:
    from threadpoolctl import threadpool_info
    blas = ",".join(f"{i.get('internal_api')}:{i.get('architecture')}:{i.get('num_threads')}"
                    for i in threadpool_info() if i.get("user_api") == "blas")
except ImportError:
    blas = "unknown (threadpoolctl not installed)"

rng = np.random.default_rng(1)
for n in (int(s) for s in args.sizes.split(",")):
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    c = np.empty((n, n), dtype=np.float32)
    t_end = time.perf_counter() + 0.2
    while time.perf_counter() < t_end:
        np.matmul(a, b, out=c)
    times = []
    t_start = time.perf_counter()
    while len(times) < 5 or time.perf_counter() - t_start < args.seconds:
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        times.append(time.perf_counter() - t0)
    times.sort()
    flops = 2.0 * n ** 3
    print(json.dumps({"n": n, "threads": args.threads, "gflops": round(flops / times[0] / 1e9, 2),
                      "median_gflops": round(flops / times[len(times) // 2] / 1e9, 2),
                      "repetitions": len(times), "numpy": np.__version__, "blas": blas}), flush=True)
