#!/usr/bin/env bash
# Runs conv4j's bench, the same cases in PyTorch (DJL), Deeplearning4j and (inference only) ONNX
# Runtime, and numpy's SGEMM at the same sizes, back to back (for each model and mode, train then
# infer: conv4j, then each peer, each in its own process, so a row's peak resident memory is that
# model's and mode's alone, never a heap an earlier case grew), then prints one table of ratios
# (conv4j / peer) with every GFLOP/s also as a fraction of the machine's FP32 FMA peak, which
# conv4j's bench measures first.
#
#   bench/compare.sh                      # everything, 2 threads
#   THREADS=2 REPEATS=5 CASES="lenet5" PEERS="pytorch" bench/compare.sh
#   PEERS=ort GEMM=0 bench/compare.sh     # conv4j against ONNX Runtime only
#
# ONNX Runtime runs the committed bench/onnx/{lenet5,vgg-small,resnet20}.onnx: the cases' zoo
# networks defined in PyTorch 1.13 and exported by tools/bench_onnx.py (opset 13, BatchNorm folded
# in eval mode, dynamic batch), so running the comparison needs no PyTorch; conv4j-onnx's BenchOnnxTest
# checks they are the zoo's layers, shapes and FLOPs. Regenerate: /usr/bin/python3 tools/bench_onnx.py.
#
# Settings (environment): THREADS (2), REPEATS (5), WARMUP (8), SECONDS_PER_REPEAT (0.5),
# MAX_OTHER_LOAD (0.10: a repeat during which other processes used more of the machine is redone;
# each runner also waits up to QUIET_WAIT (300) seconds for the machine to be that quiet first),
# CASES ("lenet5 vgg-small resnet20"), PEERS ("pytorch dl4j ort"), GEMM (1: also the SGEMM comparison),
# OUT (bench/results/DATE), ONNX_DIR (bench/onnx; another folder holding the three .onnx files).
# The first run downloads the peers (DJL + libtorch, DL4J + nd4j: ~250 MB; onnxruntime: 30 MB)
# from Maven Central; nothing is downloaded at run time (-Dai.djl.offline=true).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-5}
WARMUP=${WARMUP:-8}
SECONDS_PER_REPEAT=${SECONDS_PER_REPEAT:-0.5}
MAX_OTHER_LOAD=${MAX_OTHER_LOAD:-0.10}
CASES=${CASES:-lenet5 vgg-small resnet20}
PEERS=${PEERS:-pytorch dl4j ort}
GEMM=${GEMM:-1}
OUT=${OUT:-$root/bench/results/$(date -u +%Y%m%d-%H%M%S)}
ONNX_DIR=${ONNX_DIR:-$root/bench/onnx}
mkdir -p "$OUT"

# the JVM the launcher picks (the newest JDK >= 17), so conv4j and the JVM peers run on the same one
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1 || echo 0; }
JAVA=${JAVA:-}
if [ -z "$JAVA" ]; then
  best_v=0
  for cand in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
    [ -x "$cand" ] || continue
    v=$(java_major "$cand"); v=${v:-0}
    if [ "$v" -ge 17 ] && [ "$v" -gt "$best_v" ]; then JAVA="$cand"; best_v=$v; fi
  done
fi
export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"

peer_module() { case "$1" in pytorch) echo djl ;; dl4j) echo dl4j ;; ort) echo ort ;;
  *) echo "compare: unknown peer '$1' (pytorch, dl4j, ort)" >&2; exit 2 ;; esac; }
modules=""
for p in $PEERS; do m=$(peer_module "$p") || exit 2; modules="${modules:+$modules,}$m"; done
echo "compare: building conv4j and the peers (output in $OUT)..." >&2
(cd "$root" && mvn -B -q -ntp -pl conv4j-cli -am package -DskipTests) >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
if [ -n "$modules" ]; then
  (cd "$root" && mvn -B -q -ntp -f bench/peers/pom.xml -pl "$modules" package) >>"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
fi

common=(--repeats "$REPEATS" --warmup "$WARMUP" --seconds "$SECONDS_PER_REPEAT" --max-other-load "$MAX_OTHER_LOAD" --threads "$THREADS")
peer_cp() { echo "$root/bench/peers/$1/target/classes:$root/bench/peers/$1/target/lib/*"; }

# Waits (up to QUIET_WAIT seconds, default 300) until other processes use at most MAX_OTHER_LOAD of
# the machine over 2 s: an OpenMP runtime (libtorch, nd4j, OpenBLAS) with 2 threads on 2 cores
# slows down many times over when another process holds a core, far more than conv4j's pool does.
wait_quiet() {
  local waited=0 load
  while :; do
    load=$(awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; t=b+$5+$6; print b, t}' /proc/stat; sleep 2; awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; t=b+$5+$6; print b, t}' /proc/stat)
    load=$(echo $load | awk '{ if ($4 > $2) printf "%.3f", ($3 - $1) / ($4 - $2); else print 0 }')
    if awk -v l="$load" -v m="$MAX_OTHER_LOAD" 'BEGIN { exit !(l <= m) }'; then return 0; fi
    if [ "$waited" -ge "${QUIET_WAIT:-300}" ]; then
      echo "compare: the machine is still busy (load $load of it by others); measuring anyway, see the discarded column" >&2
      return 0
    fi
    sleep 3; waited=$((waited + 5))
  done
}

run_conv4j() { # case [mode]: the JSON lines go to conv4j-CASE[-MODE].jsonl
  wait_quiet
  echo "compare: conv4j $1 ${2:-}" >&2
  CONV4J_JAVA="$JAVA" "$root/conv4j" bench --case "$1" ${2:+--mode "$2"} "${common[@]}" --json >"$OUT/conv4j-$1${2:+-$2}.jsonl"
}
peer_failed() { # peer case: a peer's crash (DL4J's native code has segfaulted here) costs its cells, not the run
  echo "compare: $1 $2 failed; see $OUT/$1.log (its cells show -)" >&2
}
run_peer() { # peer case mode
  [ "$1" = ort ] && [ "$3" = train ] && return 0 # ONNX Runtime's Java API infers only
  wait_quiet
  echo "compare: $1 $2 $3" >&2
  case "$1" in
    pytorch)
      OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS "$JAVA" -Dai.djl.offline=true \
        -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$(peer_cp djl)" org.conv4j.peers.DjlBench \
        --case "$2" --mode "$3" "${common[@]}" >"$OUT/pytorch-$2-$3.jsonl" 2>>"$OUT/pytorch.log" || peer_failed "$1" "$2" ;;
    dl4j)
      OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS "$JAVA" \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$(peer_cp dl4j)" org.conv4j.peers.Dl4jBench \
        --case "$2" --mode "$3" "${common[@]}" >"$OUT/dl4j-$2-$3.jsonl" 2>>"$OUT/dl4j.log" || peer_failed "$1" "$2" ;;
    ort)
      # --threads sets the intra-op pool; ORT spins its threads between runs by default, as it ships
      "$JAVA" -Dconv4j.onnx.dir="$ONNX_DIR" -cp "$(peer_cp ort)" org.conv4j.peers.OrtBench \
        --case "$2" --mode "$3" "${common[@]}" >"$OUT/ort-$2-$3.jsonl" 2>>"$OUT/ort.log" || peer_failed "$1" "$2" ;;
    *) echo "compare: unknown peer '$1' (pytorch, dl4j, ort)" >&2; exit 2 ;;
  esac
}

for c in $CASES; do
  for m in train infer; do
    run_conv4j "$c" "$m"
    for p in $PEERS; do run_peer "$p" "$c" "$m"; done
  done
done
if [ "$GEMM" = 1 ]; then
  run_conv4j gemm
  wait_quiet
  echo "compare: numpy sgemm" >&2
  # numpy's OpenBLAS at full speed: these two are set on some machines for old OpenBLAS builds and
  # slow a current one down; unset for this command only
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" \
    python3 "$root/bench/numpy_sgemm.py" --shapes "$OUT/conv4j-gemm.jsonl" --repeats "$REPEATS" --warmup "$WARMUP" \
    --seconds "$SECONDS_PER_REPEAT" --max-other-load "$MAX_OTHER_LOAD" >"$OUT/numpy-gemm.jsonl"
fi
python3 "$root/bench/report.py" "$OUT" | tee "$OUT/table.txt"
