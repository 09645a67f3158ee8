#!/usr/bin/env bash
# The README's "Learning" figures: full MNIST, one epoch unless said, default preset, labelled on
# the training set, scored on the 10,000 test images. One JSON line per run in OUT/results.jsonl
# (name, accuracy, no_prediction, train and eval wall time); the weights and eval reports stay in
# OUT. About 25 minutes on 2 cores (N = 400 is most of it); pass run names to run only those.
#   scripts/learning.sh [MNIST_DIR [OUT [NAME...]]]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/mnist}"
out="${2:-target/learning}"
shift $(( $# > 2 ? 2 : $# ))
mkdir -p "$out"
cargo build --release -q -p snn-cli
snn=target/release/snn

# name neurons arith [config keys...]
runs=(
  "n10-fixed 10 fixed"
  "n10-float 10 float"
  "n32-fixed 32 fixed"
  "n32-float 32 float"
  "n100-fixed 100 fixed"
  "n100-float 100 float"
  "n400-fixed 400 fixed"
  "n400-float 400 float"
  "n100-e2-fixed 100 fixed epochs=2 shuffle=true"
  "n100-e3-fixed 100 fixed epochs=3 shuffle=true"
  "n10-e2-fixed 10 fixed epochs=2 shuffle=true"
  "abl-no-theta 100 fixed theta_plus_per_neuron=0.0 theta_minus=0.0 theta_max=0.0"
  "abl-no-norm 100 fixed norm_target=0.0"
  "abl-no-pen 100 fixed penalty=0.0"
  "abl-no-theta-no-norm 100 fixed theta_plus_per_neuron=0.0 theta_minus=0.0 theta_max=0.0 norm_target=0.0"
  "abl-seed-stdp 100 fixed a_plus=0.8 a_minus=0.3 sigma=0.1"
  "abl-div3 100 fixed threshold_divisor=3"
  "abl10-no-theta 10 fixed theta_plus_per_neuron=0.0 theta_minus=0.0 theta_max=0.0"
  "abl10-no-norm 10 fixed norm_target=0.0"
  "abl10-no-pen 10 fixed penalty=0.0"
)

for run in "${runs[@]}"; do
  read -r name neurons arith keys <<<"$run"
  if (( $# > 0 )) && [[ ! " $* " =~ " $name " ]]; then continue; fi
  cfg="$out/$name.toml"
  { echo 'preset = "default"'; for kv in $keys; do echo "${kv/=/ = }"; done; } >"$cfg"
  t0=$(date +%s.%N)
  "$snn" train --data "$data" --config "$cfg" --neurons "$neurons" --arith "$arith" \
    --out "$out/$name.json" --json >"$out/$name.train.json"
  t1=$(date +%s.%N)
  "$snn" eval --weights "$out/$name.json" --data "$data" --json >"$out/$name.eval.json"
  t2=$(date +%s.%N)
  python3 - "$out" "$name" "$t0" "$t1" "$t2" <<'PY'
import json, sys
out, name, t0, t1, t2 = sys.argv[1:]
e = json.load(open(f"{out}/{name}.eval.json"))
line = {"name": name, "accuracy": e["accuracy"], "no_prediction": e["no_prediction"],
        "train_seconds": round(float(t1) - float(t0), 1), "eval_seconds": round(float(t2) - float(t1), 1)}
print(json.dumps(line))
open(f"{out}/results.jsonl", "a").write(json.dumps(line) + "\n")
PY
done
