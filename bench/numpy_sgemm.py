#!/usr/bin/env python3
"""SGEMM reference for `conv4j bench --case gemm`: numpy's matmul (OpenBLAS) at the same sizes,
measured the way conv4j's org.conv4j.bench.Timing measures (calibrate, warm-up repeats, timed
repeats of ~--seconds, median/min/max, a repeat redone when other processes used more than
--max-other-load of the machine, read from /proc/stat and /proc/self/stat).

Sizes come from conv4j's JSON lines (--shapes FILE, records with case "gemm"), so both sides run
exactly the same list. Prints JSON lines: an "env" record (numpy, OpenBLAS version, core type,
threads) and one "result" per size. Thread count: set OPENBLAS_NUM_THREADS before starting.
"""
import argparse
import ctypes
import glob
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone

import numpy as np


def cpu_sample():
    try:
        with open("/proc/stat") as f:
            line = next(l for l in f if l.startswith("cpu "))
        v = [int(x) for x in line.split()[1:]]
        busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
        idle = v[3] + v[4]
        with open("/proc/self/stat") as f:
            s = f.read()
        rest = s[s.rindex(")") + 1:].split()
        return busy, idle, int(rest[11]) + int(rest[12])
    except (OSError, ValueError, StopIteration):
        return None


def other_load(a, b):
    if a is None or b is None:
        return 0.0
    busy, idle, own = b[0] - a[0], b[1] - a[1], b[2] - a[2]
    total = busy + idle
    if total <= 0:
        return 0.0
    return min(1.0, max(0.0, (busy - own) / total))


def iterations_for(target, per_step):
    if per_step <= 0:
        return 1_000_000
    return int(max(1, min(1_000_000, round(target / per_step))))


def measure(step, items, warmup, repeats, target, max_load, max_discards, pause):
    t0 = time.perf_counter_ns()
    step()
    iters = iterations_for(target, (time.perf_counter_ns() - t0) / 1e9)
    for _ in range(warmup):
        # steps until the time is up, as org.conv4j.bench.Timing
        s, steps = time.perf_counter_ns(), 0
        while True:
            step()
            steps += 1
            elapsed = (time.perf_counter_ns() - s) / 1e9
            if elapsed >= target:
                break
        iters = iterations_for(target, elapsed / steps)
    rates, discarded, busy_kept = [], 0, 0
    while len(rates) < repeats:
        before = cpu_sample()
        s = time.perf_counter_ns()
        for _ in range(iters):
            step()
        e = time.perf_counter_ns()
        load = other_load(before, cpu_sample())
        if load > max_load:
            if discarded < max_discards:
                discarded += 1
                time.sleep(pause)
                continue
            busy_kept += 1
        rates.append(iters * items / max((e - s) / 1e9, 1e-9))
    r = sorted(rates)
    n = len(r)
    median = r[n // 2] if n % 2 else (r[n // 2 - 1] + r[n // 2]) / 2
    return median, r[0], r[-1], iters, discarded, busy_kept


def openblas_info():
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            for prefix in ("scipy_openblas_", "openblas_"):
                for suffix in ("64_", ""):
                    try:
                        core = getattr(lib, prefix + "get_corename" + suffix)
                        conf = getattr(lib, prefix + "get_config" + suffix)
                        threads = getattr(lib, prefix + "get_num_threads" + suffix)
                    except AttributeError:
                        continue
                    core.restype = ctypes.c_char_p
                    conf.restype = ctypes.c_char_p
                    return conf().decode().strip(), core().decode(), threads()
        except OSError:
            pass
    return "unknown", "unknown", -1


def peak_rss():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return -1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shapes", required=True, help="conv4j bench --case gemm --json output")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=8)
    p.add_argument("--seconds", type=float, default=0.5)
    p.add_argument("--max-other-load", type=float, default=0.10)
    p.add_argument("--pause", type=float, default=1.0)
    a = p.parse_args()
    shapes = []
    with open(a.shapes) as f:
        for line in f:
            if line.startswith("{"):
                d = json.loads(line)
                if d.get("record") == "result" and d.get("case") == "gemm":
                    shapes.append(d)
    config, core, threads = openblas_info()
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(json.dumps({"record": "env", "framework": "numpy",
                      "version": "numpy %s, %s, core %s" % (np.__version__, config, core),
                      "python": platform.python_version(), "cpu": cpu, "cores": os.cpu_count(), "threads": threads,
                      "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}), flush=True)
    rng = np.random.default_rng(42)
    for s in shapes:
        m, n, k = s["m"], s["n"], s["k"]
        a_ = rng.standard_normal((k, m) if s["trans_a"] else (m, k), dtype=np.float32)
        b_ = rng.standard_normal((n, k) if s["trans_b"] else (k, n), dtype=np.float32)
        A = a_.T if s["trans_a"] else a_
        B = b_.T if s["trans_b"] else b_
        C = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * n * k
        med, lo, hi, iters, disc, busy = measure(lambda: np.matmul(A, B, out=C), flops, a.warmup, a.repeats, a.seconds,
                                                 a.max_other_load, 3 * a.repeats, a.pause)
        print(json.dumps({"record": "result", "framework": "numpy", "case": "gemm", "mode": s["mode"], "batch": 0,
                          "m": m, "n": n, "k": k, "trans_a": s["trans_a"], "trans_b": s["trans_b"],
                          "gflops": med / 1e9, "gflops_min": lo / 1e9, "gflops_max": hi / 1e9,
                          "peak_rss_bytes": peak_rss(), "repeats": a.repeats, "steps_per_repeat": iters,
                          "discarded": disc, "busy_kept": busy}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
