#!/usr/bin/env bash
# The README's "Several layers" figures: full MNIST, one epoch, the default preset's constants,
# labelled on the training set (output layer), scored on the 10,000 test images; one, two and
# three layers, and the `pixel` input code against the receptive field. One JSON line per run
# in OUT/results.jsonl (name, accuracy, no_prediction, each layer's presentations without a
# winner, wall times). Pass run names to run only those.
#   scripts/layers.sh [MNIST_DIR [OUT [NAME...]]]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/mnist}"
out="${2:-target/layers}"
shift $(( $# > 2 ? 2 : $# ))
mkdir -p "$out"
cargo build --release -q -p snn-cli
snn=target/release/snn

# name arith [config keys, no spaces inside a value...]
runs=(
  "l1-100 fixed layers=[100]"
  "l2-100-10 fixed layers=[100,10]"
  "l3-64-16-10 fixed layers=[64,16,10]"
  "l2-100-10-float float layers=[100,10]"
  "rf-n100 fixed layers=[100]"
  "pixel-n100 fixed layers=[100] encoding=\"pixel\""
)

for run in "${runs[@]}"; do
  read -r name arith keys <<<"$run"
  if (( $# > 0 )) && [[ ! " $* " =~ " $name " ]]; then continue; fi
  cfg="$out/$name.toml"
  { echo 'preset = "default"'; for kv in $keys; do echo "${kv/=/ = }"; done; } >"$cfg"
  t0=$(date +%s.%N)
  "$snn" train --data "$data" --config "$cfg" --arith "$arith" --out "$out/$name.json" \
    --trace "$out/$name.trace.json" --json >"$out/$name.train.json"
  t1=$(date +%s.%N)
  "$snn" eval --weights "$out/$name.json" --data "$data" --json >"$out/$name.eval.json"
  t2=$(date +%s.%N)
  python3 - "$out" "$name" "$t0" "$t1" "$t2" <<'PY'
import json, sys
out, name, t0, t1, t2 = sys.argv[1:]
e = json.load(open(f"{out}/{name}.eval.json"))
p = json.load(open(f"{out}/{name}.trace.json"))["presentations"]
per_layer = [e_["winners"] if "winners" in e_ else [e_["winner"]] for e_ in p]
no_winner = [sum(1 for w in per_layer if w[l] is None) for l in range(len(per_layer[0]))]
line = {"name": name, "accuracy": e["accuracy"], "no_prediction": e["no_prediction"],
        "no_winner_per_layer": no_winner,
        "train_seconds": round(float(t1) - float(t0), 1), "eval_seconds": round(float(t2) - float(t1), 1)}
print(json.dumps(line))
open(f"{out}/results.jsonl", "a").write(json.dumps(line) + "\n")
PY
done
