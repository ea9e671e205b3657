#!/usr/bin/env python3
"""Prints one table of ratios from the JSON lines of conv4j bench, the peer runners and numpy_sgemm.py
(bench/compare.sh writes them into one folder). Ratios are conv4j / peer: above 1 conv4j is faster
(images/s, GFLOP/s), and for memory above 1 conv4j uses more. Every runner's GFLOP/s is also given
as a fraction of the machine's FP32 FMA peak on the bench's threads (conv4j bench measures it at
the start of each of its runs; the table uses the highest of those runs)."""
import glob
import json
import os
import sys

SHORT = {"pytorch": "pt", "dl4j": "dl4j", "ort": "ort"}


def load(folder):
    envs, results = {}, []
    for path in sorted(glob.glob(os.path.join(folder, "*.jsonl"))):
        with open(path) as f:
            for line in f:
                if not line.startswith("{"):
                    continue
                d = json.loads(line)
                if d["record"] == "env":
                    envs.setdefault(d["framework"], d)
                elif d["case"] != "gemm" or os.path.basename(path).endswith("gemm.jsonl"):
                    # each conv4j model run also measures the SGEMM peak; the GEMM table uses the gemm run's
                    results.append(d)
    return envs, results


def ratio(a, b):
    return "%.2f" % (a / b) if a and b else "-"


def peaks(results):
    """{threads: GFLOP/s} of conv4j's FMA peak rows (mode "fma-Nt"): the highest of its runs' medians.
    Other processes only ever slow an FMA loop down, so the highest run is the least disturbed estimate
    of the ceiling (on a busy machine single runs came out at a quarter of it)."""
    by = {}
    for r in results:
        if r["framework"] == "conv4j" and r["case"] == "peak":
            by.setdefault(int(r["mode"][4:-1]), []).append(r["gflops"])
    return {t: max(v) for t, v in by.items()}


def of_peak(gflops, peak):
    return "%.1f%%" % (100 * gflops / peak) if gflops and peak else "-"


def main(folder):
    envs, results = load(folder)
    by = {}
    for r in results:
        by[(r["framework"], r["case"], r["mode"], r["batch"])] = r
    peers = [p for p in ("pytorch", "dl4j", "ort") if p in envs]
    c = envs.get("conv4j", {})
    print("conv4j bench comparison, %s, %s (%s cores), %s threads each" % (c.get("date", "?"), c.get("cpu", "?"), c.get("cores", "?"), c.get("threads", "?")))
    for fw, e in envs.items():
        print("  %-8s %s; %s" % (fw, e.get("version", "?"), e.get("java", e.get("python", ""))))
    pk = peaks(results)
    peak = pk.get(int(c.get("threads", 0))) if pk else None
    if pk:
        print("  FP32 FMA peak (conv4j bench, Vector API, 16 FMA chains per thread, best of %d runs): " % len(glob.glob(os.path.join(folder, "conv4j-*.jsonl"))) +
              ", ".join("%.1f GFLOP/s on %d thread%s" % (g, t, "" if t == 1 else "s") for t, g in sorted(pk.items())))
    print()
    order = {"lenet5": 0, "vgg-small": 1, "resnet20": 2}
    cases = [(r["case"], r["mode"], r["batch"]) for r in results if r["framework"] == "conv4j" and r["case"] not in ("gemm", "peak")]
    # model, then train before infer, then the larger batch first (each mode is its own run and file)
    cases.sort(key=lambda c: (order.get(c[0], 9), c[1] != "train", -c[2]))
    head = "%-10s %-5s %5s %12s %8s %7s" % ("case", "mode", "batch", "conv4j img/s", "GFLOP/s", "of peak")
    for p in peers:
        head += " %12s %8s %7s" % (p + " img/s", "c4j/" + SHORT[p], "of peak")
    head += " %10s" % "RSS MB c4j"
    for p in peers:
        head += " %10s %8s" % ("RSS " + SHORT[p], "c4j/" + SHORT[p])
    head += " %9s" % "discarded"
    print(head)
    for case in cases:
        r = by[("conv4j",) + case]
        line = "%-10s %-5s %5d %12.1f %8.1f %7s" % (case[0], case[1], case[2], r["images_per_s"], r["gflops"], of_peak(r["gflops"], peak))
        disc = [str(r["discarded"]) + ("+%d" % r["busy_kept"] if r["busy_kept"] else "")]
        for p in peers:
            q = by.get((p,) + case)
            line += " %12s %8s %7s" % ("%.1f" % q["images_per_s"] if q else "-", ratio(r["images_per_s"], q["images_per_s"]) if q else "-",
                                       of_peak(q["gflops"], peak) if q else "-")
            if q:
                disc.append(str(q["discarded"]) + ("+%d" % q["busy_kept"] if q["busy_kept"] else ""))
        line += " %10.0f" % (r["peak_rss_bytes"] / 1e6)
        for p in peers:
            q = by.get((p,) + case)
            line += " %10s %8s" % ("%.0f" % (q["peak_rss_bytes"] / 1e6) if q else "-", ratio(r["peak_rss_bytes"], q["peak_rss_bytes"]) if q else "-")
        line += " %9s" % "/".join(disc)
        print(line)
    gemm = [r for r in results if r["framework"] == "conv4j" and r["case"] == "gemm"]
    if gemm:
        print()
        print("%-14s %5s %5s %5s %14s %7s %14s %7s %10s %9s" % ("sgemm", "M", "N", "K", "conv4j GFLOP/s", "of peak", "numpy GFLOP/s", "of peak",
                                                           "c4j/numpy", "discarded"))
        for r in gemm:
            q = by.get(("numpy", "gemm", r["mode"], 0))
            disc = str(r["discarded"]) + ("+%d" % r["busy_kept"] if r["busy_kept"] else "")
            if q:
                disc += "/" + str(q["discarded"]) + ("+%d" % q["busy_kept"] if q["busy_kept"] else "")
            print("%-14s %5d %5d %5d %14.2f %7s %14s %7s %10s %9s" % (r["mode"] + ("^T" if r.get("trans_b") else ""), r["m"], r["n"], r["k"], r["gflops"],
                                                                      of_peak(r["gflops"], peak), "%.2f" % q["gflops"] if q else "-",
                                                                      of_peak(q["gflops"], peak) if q else "-", ratio(r["gflops"], q["gflops"]) if q else "-", disc))
    print()
    print("Ratios are conv4j / peer (images/s and GFLOP/s: > 1 means conv4j is faster; RSS: > 1 means conv4j uses more).")
    print("of peak: GFLOP/s (conv4j's FLOP count for every runner) over the FP32 FMA peak on the bench's threads"
          + ("; peak-1024 is SGEMM at 1024^3, the kernel's best case (goal: 80% of the FMA peak)." if any(r["mode"] == "peak-1024" for r in gemm) else "."))
    print("Medians of the kept repeats; discarded = repeats redone because other processes were busy (conv4j/peers; +N busy ones kept).")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
