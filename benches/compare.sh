#!/usr/bin/env bash
# Measures kjobsim's bench scenarios against the two reference points of ../shared/bench, back to
# back on this machine: whole-process wall time and peak memory (/usr/bin/time -v), median of
# RUNS runs. Prints a markdown table. Usage: benches/compare.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SHARED=${SHARED:-../shared/bench}
HEAP_TARGET=${HEAP_TARGET:-/tmp/kjobsim-heaplimit-target}
cargo build --release -q
CARGO_TARGET_DIR="$HEAP_TARGET" cargo build --release -q --manifest-path "$SHARED/heaplimit/Cargo.toml"
HEAPLIMIT="$HEAP_TARGET/release/heaplimit"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# median wall seconds and max RSS (MB) over RUNS runs of a command
measure() {
  local walls=() mems=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -v "$@" >/dev/null 2>"$OUT/time.txt"
    walls+=("$(awk -F': ' '/Elapsed/ {split($2,a,":"); print a[1]*60+a[2]}' "$OUT/time.txt")")
    mems+=("$(awk -F': ' '/Maximum resident/ {printf "%.1f", $2/1024}' "$OUT/time.txt")")
  done
  local w m
  w=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  m=$(printf '%s\n' "${mems[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$w $m"
}

row() { # name, then command
  local name=$1; shift
  read -r w m < <(measure "$@")
  printf '| %s | %s | %s |\n' "$name" "$w" "$m"
  echo "$w" > "$OUT/$(printf '%s' "$name" | tr -c 'a-zA-Z0-9' '_')"
}

echo "| run | wall s (median of $RUNS) | peak MB |"
echo "|---|---|---|"
row "heaplimit 1000000 1000" "$HEAPLIMIT" 1000000 1000
if python3 -c 'import simpy' 2>/dev/null; then
  row "simpy_job.py 1000000 1000 0.01" python3 "$SHARED/simpy_job.py" 1000000 1000 0.01 100000000
fi
K=./target/release/kjobsim
row "kjobsim million --trace summary" $K run scenarios/bench/million.yaml --trace summary --out "$OUT/m"
row "kjobsim million --trace full" $K run scenarios/bench/million.yaml --trace full --out "$OUT/mf"
row "kjobsim million-100k --trace summary" $K run scenarios/bench/million-100k.yaml --trace summary --out "$OUT/m100k"
row "kjobsim indexed-100k --trace summary" $K run scenarios/bench/indexed-100k.yaml --trace summary --out "$OUT/ix"
for extra in cluster-10k; do
  [ -f "scenarios/bench/$extra.yaml" ] && row "kjobsim $extra --trace summary" $K run "scenarios/bench/$extra.yaml" --trace summary --out "$OUT/$extra"
done
if [ -f scenarios/bench/montecarlo.yaml ] && $K run --help | grep -q replications; then
  row "kjobsim montecarlo (10,000 replications)" $K run scenarios/bench/montecarlo.yaml --replications 10000 --trace summary --out "$OUT/mc"
fi
h=$(cat "$OUT/heaplimit_1000000_1000")
m=$(cat "$OUT/kjobsim_million___trace_summary")
echo
echo "million --trace summary / heaplimit = $(awk -v a="$m" -v b="$h" 'BEGIN {printf "%.1f", a/b}')x"
if [ -f "$OUT/simpy_job_py_1000000_1000_0_01" ]; then
  s=$(cat "$OUT/simpy_job_py_1000000_1000_0_01")
  echo "simpy_job.py / million --trace summary = $(awk -v a="$s" -v b="$m" 'BEGIN {printf "%.1f", a/b}')x faster"
fi
