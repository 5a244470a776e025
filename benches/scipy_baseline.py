"""Time scipy.signal on the shapes and kernels of benches/benches/filter.rs.

A plain script, not a test: run with a Python that has scipy, e.g.

    /tmp/venv/bin/python benches/scipy_baseline.py [--repeat 3] [--only lfilter]

and compare the printed seconds per call with `cargo bench -p xdas-benches --bench filter`.
Coefficients are cast to the data's dtype so that scipy computes in that dtype (float32
data is then filtered in float32, as the Rust kernels do).
"""

import argparse
import statistics
import time

import numpy as np
import scipy
from scipy import signal

SHAPE = (5_000, 10_000)  # (time, channel), C order


def timings(fn, repeat):
    """(best, median) seconds per call over `repeat` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", default="")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    x64 = rng.standard_normal(SHAPE)
    data = {"f64": x64, "f32": x64.astype(np.float32)}
    b, a = signal.butter(4, 0.1, btype="highpass")
    sos = signal.butter(4, 0.1, btype="highpass", output="sos")

    kernels = []
    for dt in ("f32", "f64"):
        x = data[dt]
        bb, aa, ss = (np.asarray(v, dtype=x.dtype) for v in (b, a, sos))
        for axis in (0, 1):
            kernels.append((f"lfilter/{dt} 5000x10000 axis{axis}",
                            lambda x=x, bb=bb, aa=aa, axis=axis: signal.lfilter(bb, aa, x, axis=axis)))
            kernels.append((f"sosfilt/{dt} 5000x10000 axis{axis}",
                            lambda x=x, ss=ss, axis=axis: signal.sosfilt(ss, x, axis=axis)))
        kernels.append((f"decimate_fir_q2/{dt} 5000x10000 axis1",
                        lambda x=x: signal.decimate(x, 2, ftype="fir", axis=1, zero_phase=True)))
        kernels.append((f"resample_poly_2_5/{dt} 5000x10000 axis0",
                        lambda x=x: signal.resample_poly(x, 2, 5, axis=0)))

    print(f"# scipy {scipy.__version__}, numpy {np.__version__}, {args.repeat} calls after a warm-up")
    print(f"# {'kernel':43s} {'best':>9s}   {'median':>9s}")
    for name, fn in sorted(kernels):
        if args.only and args.only not in name:
            continue
        best, median = timings(fn, args.repeat)
        print(f"{name:45s} {best:9.4f} s {median:9.4f} s")


if __name__ == "__main__":
    main()
