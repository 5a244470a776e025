"""Ratio of xdas-rs kernel throughput to scipy / numpy / xdas on the same machine.

Not a test. It times the Python baseline of every kernel benchmarked in
`benches/benches/{filter,detect}.rs` (same shapes, same dtypes), reads the Rust times that
`cargo bench` left in `target/criterion`, and prints one row per kernel:

    cargo bench -p xdas-benches --bench filter --bench detect
    python benches/compare_scipy.py [--repeat 3] [--only lfilter] [--markdown]

Python needs numpy and scipy (and xdas==0.2.10 for the STA/LTA and trigger rows).
Run both on the same idle machine: absolute times on shared machines are noisy, ratios
less so.
"""

import argparse
import glob
import json
import os
import sys
import time

import numpy as np
import scipy
from scipy import signal

NT, NCH = 5_000, 10_000
SHAPE = f"{NT}x{NCH}"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_of(fn, repeat):
    """Median seconds per call (after one warm-up call): robust to the page-fault and
    scheduling outliers of shared machines, and the statistic read from criterion too."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def rust_times():
    """{"group/function": seconds} from criterion's estimates (median)."""
    out = {}
    pattern = os.path.join(ROOT, "target", "criterion", "**", "new", "benchmark.json")
    for path in glob.glob(pattern, recursive=True):
        with open(path) as f:
            bench = json.load(f)
        with open(os.path.join(os.path.dirname(path), "estimates.json")) as f:
            est = json.load(f)
        key = f"{bench['group_id']}/{bench['function_id']}"
        out[key] = est["median"]["point_estimate"] * 1e-9
    return out


def baselines():
    rng = np.random.default_rng(0)
    x64 = rng.standard_normal((NT, NCH))
    b, a = signal.butter(4, 0.1, btype="highpass")
    sos = signal.butter(4, 0.1, btype="highpass", output="sos")
    rows = []
    for dt, x in (("f32", x64.astype(np.float32)), ("f64", x64)):
        bb, aa, ss = (np.asarray(v, dtype=x.dtype) for v in (b, a, sos))
        for axis in (0, 1):
            rows.append((f"lfilter/{dt} {SHAPE} axis{axis}/butter4 highpass", "scipy lfilter",
                         lambda x=x, bb=bb, aa=aa, axis=axis: signal.lfilter(bb, aa, x, axis=axis)))
            rows.append((f"sosfilt/{dt} {SHAPE} axis{axis}/butter4 highpass", "scipy sosfilt",
                         lambda x=x, ss=ss, axis=axis: signal.sosfilt(ss, x, axis=axis)))
        rows.append((f"decimate_fir_q2/{dt} {SHAPE} axis1/zero_phase", "scipy decimate",
                     lambda x=x: signal.decimate(x, 2, ftype="fir", axis=1, zero_phase=True)))
        rows.append((f"resample_poly_2_5/{dt} {SHAPE} axis0/kaiser5 constant", "scipy resample_poly",
                     lambda x=x: signal.resample_poly(x, 2, 5, axis=0)))
        for k in ((5, 1), (5, 3)):
            rows.append((f"medfilt/{dt} {SHAPE}/kernel ({k[0]}, {k[1]})", "scipy medfilt",
                         lambda x=x, k=k: signal.medfilt(x, k)))
        try:
            import xdas as xd

            da = xd.DataArray(x, coords={
                "time": {"tie_indices": [0, NT - 1], "tie_values": [0.0, (NT - 1) * 0.01]},
                "distance": np.arange(NCH) * 1.0})
            xd.stalta(da.isel(time=slice(0, 200)), sta=0.05, lta=0.5, dim="time")  # JIT warm-up
            for method in ("recursive", "classic"):
                rows.append((f"sta_lta/{dt} {SHAPE} axis0/{method}", f"xdas.stalta {method}",
                             lambda da=da, m=method: xd.stalta(da, sta=0.05, lta=0.5, method=m, dim="time")))
            cft = xd.stalta(da, sta=0.05, lta=0.5, dim="time")
            xd.trigger(cft.isel(time=slice(0, 300)), thresh=3.0, dim="time")
            rows.append((f"trigger/{dt} {SHAPE} axis0/thresh 3", "xdas.trigger",
                         lambda cft=cft: xd.trigger(cft, thresh=3.0, dim="time")))
        except ImportError:
            print("# xdas not installed: no STA/LTA or trigger rows", file=sys.stderr)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    rust = rust_times()
    if not rust:
        sys.exit("no criterion results: run `cargo bench -p xdas-benches --bench filter --bench detect` first")
    print(f"# scipy {scipy.__version__}, numpy {np.__version__}; medians: Python of {args.repeat} calls, Rust from criterion")
    if args.markdown:
        print("| kernel | baseline | baseline (s) | xdas-rs (s) | speed-up |")
        print("|---|---|---:|---:|---:|")
    for key, label, fn in baselines():
        if args.only not in key:
            continue
        py = median_of(fn, args.repeat)
        rs = rust.get(key)
        ratio = f"{py / rs:.1f}x" if rs else "n/a"
        rs_txt = f"{rs:.4f}" if rs else "-"
        if args.markdown:
            print(f"| {key} | {label} | {py:.4f} | {rs_txt} | {ratio} |")
        else:
            print(f"{key:60s} {label:22s} {py:9.4f} s  {rs_txt:>9s} s  {ratio:>7s}", flush=True)


if __name__ == "__main__":
    main()
