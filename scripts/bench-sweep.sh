#!/usr/bin/env bash
# Overhead of `snn sweep`: the same 8 trainings (default preset, fixed point, N neurons, seeds
# 1..8, the first K MNIST images) run one after another with `snn train`, then as one 8-point
# sweep with --jobs 1, side by side, ROUNDS times. Prints each time, the ratio sweep / train, and
# checks that both counted the same presentations without a winner for every seed (the same
# trainings). The sweep evaluates nothing here (`test = 0`) and counts no cycles, as `snn train`.
# Usage: scripts/bench-sweep.sh [MNIST_DIR] [K=5000] [N=100] [ROUNDS=2]
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data/mnist}")
k=${2:-5000}
n=${3:-100}
rounds=${4:-2}
cargo build --release -q -p snn-cli
snn=$(pwd)/target/release/snn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'preset = "default"\n' > "$work/default.toml"
cat > "$work/sweep.toml" <<SPEC
base = "default"
[set]
neurons = $n
[data]
train = $k
test = 0
arith = "fixed"
[measure]
cycles = 0
[vary]
seed = [1, 2, 3, 4, 5, 6, 7, 8]
SPEC
now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
total_train=0
total_sweep=0
for r in $(seq 1 "$rounds"); do
  t0=$(now)
  for s in 1 2 3 4 5 6 7 8; do
    "$snn" train --data "$data" --limit "$k" --neurons "$n" --seed "$s" --arith fixed \
      --config "$work/default.toml" --out "$work/w$s.json" --json > "$work/train$s.json"
  done
  t1=$(now)
  rm -rf "$work/out"
  "$snn" sweep --spec "$work/sweep.toml" --data "$data" --out "$work/out" --jobs 1 --quiet > /dev/null
  t2=$(now)
  a=$(calc "$t1 - $t0"); b=$(calc "$t2 - $t1")
  printf 'round %d: 8 x snn train %.2f s, snn sweep (8 points, --jobs 1) %.2f s, ratio %.3f\n' "$r" "$a" "$b" "$(calc "$b / $a")"
  total_train=$(calc "$total_train + $a"); total_sweep=$(calc "$total_sweep + $b")
  # Training loops alone (without process start and data loading): snn train's `seconds` and
  # the sweep's `seconds.train`.
  loop_train=$(cat "$work"/train?.json | grep -o '"seconds": *[0-9.e-]*' | grep -o '[0-9.e-]*$' | awk '{ s += $1 } END { print s }')
  loop_sweep=$(grep -o '"train":[0-9.e-]*' "$work/out/results.jsonl" | cut -d: -f2 | awk '{ s += $1 } END { print s }')
  printf '         training loops alone: snn train %.2f s, sweep %.2f s, ratio %.3f\n' "$loop_train" "$loop_sweep" "$(calc "$loop_sweep / $loop_train")"
  for s in 1 2 3 4 5 6 7 8; do
    want=$(grep -o '"no_winner": *[0-9]*' "$work/train$s.json" | grep -o '[0-9]*$')
    got=$(grep "\"point\":{\"seed\":$s}" "$work/out/results.jsonl" | grep -o '"no_winner":[0-9]*' | grep -o '[0-9]*$')
    [ "$want" = "$got" ] || { echo "seed $s: snn train had $want presentations without a winner, the sweep $got" >&2; exit 1; }
  done
done
printf 'total over %d round(s): train %.2f s, sweep %.2f s, ratio %.3f (target <= 1.15); same no-winner counts for all 8 seeds\n' \
  "$rounds" "$total_train" "$total_sweep" "$(calc "$total_sweep / $total_train")"
