#!/usr/bin/env bash
# JMH before and after: builds conv4j-bench's benchmarks.jar against the library at two git
# revisions (the benchmark code itself from AFTER for both, so the same shapes run) and runs the
# chosen benchmarks from each jar in turn, ROUNDS times, alternating; prints one table of the
# median microseconds per operation and after/before.
#
#   bench/jmh_compare.sh BEFORE AFTER ['JMH regexp' [JMH options...]]
#   bench/jmh_compare.sh 838c6c3 HEAD 'ConvBench.forward|GemmBench' -wi 2 -i 3 -r 1 -w 1
#
# Settings (environment): ROUNDS (2), JAVA (the launcher's pick: the newest JDK >= 17), OUT
# (bench/results/jmh-DATE). Needs nothing but git, Maven and a JDK.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: bench/jmh_compare.sh BEFORE AFTER ['JMH regexp' [JMH options...]]" >&2; exit 2; }
before=$(git -C "$root" rev-parse --short "$1"); after=$(git -C "$root" rev-parse --short "$2"); shift 2
filter=${1:-'ConvBench|GemmBench'}; shift $(( $# > 0 ? 1 : 0 ))
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-$root/bench/results/jmh-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
if [ -z "${JAVA:-}" ]; then
  JAVA=$(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | while read -r j; do
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'); echo "${v:-0} $j"; done | sort -n | tail -1 | cut -d' ' -f2)
  JAVA=${JAVA:-$(command -v java)}
fi
export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"

build() { # rev dir: the library at rev, the benchmarks at AFTER
  rm -rf "$2"; git -C "$root" worktree add -f --detach "$2" "$1" >/dev/null 2>&1
  git -C "$2" checkout "$after" -- conv4j-bench
  (cd "$2" && mvn -B -q -ntp -pl conv4j-bench -am package -DskipTests) >"$OUT/build-$1.log" 2>&1 || { cat "$OUT/build-$1.log" >&2; exit 1; }
  cp "$2/conv4j-bench/target/benchmarks.jar" "$OUT/benchmarks-$1.jar"
  git -C "$root" worktree remove --force "$2"
}
echo "jmh_compare: building $before and $after (logs in $OUT)" >&2
build "$before" "$OUT/wt-before"
build "$after" "$OUT/wt-after"
for r in $(seq "$ROUNDS"); do
  for rev in "$before" "$after"; do
    echo "jmh_compare: round $r, $rev" >&2
    "$JAVA" -jar "$OUT/benchmarks-$rev.jar" "$filter" -rf json -rff "$OUT/$rev-$r.json" "$@" >"$OUT/$rev-$r.log" 2>&1
  done
done
python3 - "$OUT" "$before" "$after" <<'PY' | tee "$OUT/table.txt"
import glob, json, os, statistics, sys
out, before, after = sys.argv[1:4]
def load(rev):
    by = {}
    for path in glob.glob(os.path.join(out, rev + "-*.json")):
        for b in json.load(open(path)):
            name = b["benchmark"].rsplit(".", 2)[-2] + "." + b["benchmark"].rsplit(".", 1)[-1]
            key = name + " " + ",".join("%s=%s" % kv for kv in sorted(b.get("params", {}).items()))
            by.setdefault(key, []).append(b["primaryMetric"]["score"])
    return {k: statistics.median(v) for k, v in by.items()}
b, a = load(before), load(after)
print("%-52s %12s %12s %8s" % ("benchmark (us/op, median of rounds)", before, after, "after/before"))
for k in sorted(set(a) | set(b)):
    x, y = b.get(k), a.get(k)
    print("%-52s %12s %12s %8s" % (k, "%.1f" % x if x else "-", "%.1f" % y if y else "-", "%.2f" % (y / x) if x and y else "-"))
PY
