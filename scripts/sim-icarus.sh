#!/usr/bin/env bash
# Runs snn_core in Icarus with sim/tb_snn_core.v on a run directory (formats: sim/README.md):
#   scripts/sim-icarus.sh VERILOG RUNDIR
# The port widths N, WB, PB, AW (P) and the weight word count M are read from RUNDIR/plusargs and become
# testbench parameters; the compiled vvp is cached under BUILD_ROOT per (sources, widths, TOP).
# Knobs (environment, with defaults):
#   TOP=snn_core          top module name inside VERILOG
#   BUILD_ROOT=target/rtlsim   cache of compiled testbenches (shared with crates/snn-rtlsim)
#   PHASE=all             build | run | all  (build prints the vvp file's path)
# Run-time knobs (+trace=1, +vcd=1, +stall=K, ...) are the lines of RUNDIR/plusargs.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 VERILOG RUNDIR" >&2; exit 2; }
REPO=$(cd "$(dirname "$0")/.." && pwd)
VERILOG=$(realpath "$1")
RUN=$(realpath "$2")
TOP=${TOP:-snn_core}
BUILD_ROOT=${BUILD_ROOT:-$REPO/target/rtlsim}
PHASE=${PHASE:-all}
[ -f "$RUN/plusargs" ] || { echo "$0: $RUN/plusargs is missing" >&2; exit 2; }
PARAMS=()
for p in N WB PB AW M; do
  v=$(sed -n "s/^+$p=//p" "$RUN/plusargs" | head -n 1)
  [ -n "$v" ] || { echo "$0: $RUN/plusargs has no +$p=" >&2; exit 2; }
  PARAMS+=("-Ptb_snn_core.$p=$v")
done
# Lanes per weight word (lane groups); without the knob, one lane per neuron.
v=$(sed -n "s/^+P=//p" "$RUN/plusargs" | head -n 1)
[ -z "$v" ] || PARAMS+=("-Ptb_snn_core.P=$v")
# The neuron index width (pot_sel, winner) comes from the Verilog: 8 bits up to 255 neurons.
v=$(sed -n 's/^ *input wire *\[\([0-9]*\):0\] pot_sel;/\1/p' "$VERILOG" | head -n 1)
[ -z "$v" ] || PARAMS+=("-Ptb_snn_core.NB=$((v + 1))")
# A core with homeostasis has the theta ports: the testbench drives them, TB bits wide.
DEFS=()
if grep -q '^ *input wire *theta_we;' "$VERILOG"; then
  v=$(sed -n "s/^+TB=//p" "$RUN/plusargs" | head -n 1)
  [ -n "$v" ] || { echo "$0: the core has theta ports but $RUN/plusargs has no +TB=" >&2; exit 2; }
  PARAMS+=("-Ptb_snn_core.TB=$v")
  DEFS+=("-DSNN_THETA")
fi
KEY=$({ cat "$VERILOG" "$REPO/sim/tb_snn_core.v"; iverilog -V 2>&1 | head -n 1; echo "$TOP ${PARAMS[*]}"; } | sha256sum | cut -c1-16)
OBJ=$BUILD_ROOT/icarus-$KEY
if [ "$PHASE" != run ] && [ ! -f "$OBJ/tb.vvp" ]; then
  mkdir -p "$BUILD_ROOT"
  (
    flock 9
    if [ ! -f "$OBJ/tb.vvp" ]; then
      TMP=$(mktemp -d "$BUILD_ROOT/tmp-XXXXXX")
      if ! iverilog -g2005 -s tb_snn_core -DDUT="$TOP" "${DEFS[@]}" "${PARAMS[@]}" -o "$TMP/tb.vvp" \
          "$REPO/sim/tb_snn_core.v" "$VERILOG" >"$TMP/build.log" 2>&1; then
        cat "$TMP/build.log" >&2
        echo "$0: iverilog failed (log: $TMP/build.log)" >&2
        exit 1
      fi
      mv "$TMP" "$OBJ"
    fi
  ) 9>"$BUILD_ROOT/.lock"
fi
case "$PHASE" in
  build) echo "$OBJ/tb.vvp" ;;
  run | all)
    [ -f "$OBJ/tb.vvp" ] || { echo "$0: no testbench compiled for this Verilog (run with PHASE=build first)" >&2; exit 1; }
    cd "$RUN"
    # shellcheck disable=SC2046  # one plusarg per line, no spaces
    exec vvp -n "$OBJ/tb.vvp" $(cat plusargs) ;;
  *) echo "$0: PHASE must be build, run or all" >&2; exit 2 ;;
esac
