#!/usr/bin/env bash
# Images per second of LeNet-5 on the MNIST sample: the single-machine Trainer (./conv4j train)
# against SparkTrainer on local[1] and local[2] (./conv4j-on-spark train --spark), the same run
# (batch 64, no augmentation, seed 1) for EPOCHS epochs each (default 3), one after another.
# Prints the median of the per-epoch images/s of each (the first epoch, which warms the JIT,
# left out) and the load average before each run: the machine may be shared.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs="${EPOCHS:-3}"
out="$(mktemp -d)"
run() { # name, launcher args...
  local name="$1"; shift
  local load; load="$(cut -d' ' -f1-3 /proc/loadavg)"
  "$@" --epochs "$epochs" --no-augment --seed 1 --out "$out/$name" >"$out/$name.log" 2>&1
  local rates; rates="$(grep -o '[0-9]* img/s' "$out/$name.log" | awk 'NR > 1 {print $1}' | sort -n | tr '\n' ' ')"
  local median; median="$(echo "$rates" | awk '{n = split($0, a, " "); print (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2}')"
  printf '%-16s %8s img/s (median of epochs 2-%s: %s)  load before: %s\n' "$name" "$median" "$epochs" "$rates" "$load"
}
run single "$root/conv4j" train
run spark-local1 "$root/conv4j-on-spark" train --spark 'local[1]'
run spark-local2 "$root/conv4j-on-spark" train --spark 'local[2]'
rm -rf "$out"
