#!/usr/bin/env bash
# Runs snn_core in Verilator with the C++ harness on a run directory (formats: sim/README.md):
#   scripts/sim-verilator.sh VERILOG RUNDIR
# The model is built once per (Verilog, harness, Makefile, Verilator version, TOP, VCD) and cached
# under BUILD_ROOT, because a Verilator build of the core takes far longer than a run.
# Knobs (environment, with defaults):
#   TOP=snn_core          top module name inside VERILOG
#   BUILD_ROOT=target/rtlsim   cache of built models (shared with crates/snn-rtlsim)
#   PHASE=all             build | run | all  (build prints the executable's path)
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
VCD=0
grep -qx '+vcd=1' "$RUN/plusargs" && VCD=1
# A core with homeostasis has the theta ports; the harness is then built to use them.
THETA=0
grep -q '^ *input wire *theta_we;' "$VERILOG" && THETA=1
KEY=$({ cat "$VERILOG" "$REPO/sim/verilator/main.cpp" "$REPO/sim/verilator/Makefile"; verilator --version; echo "$TOP $VCD"; } | sha256sum | cut -c1-16)
OBJ=$BUILD_ROOT/verilator-$KEY
if [ "$PHASE" != run ] && [ ! -x "$OBJ/Vdut" ]; then
  mkdir -p "$BUILD_ROOT"
  (
    flock 9
    if [ ! -x "$OBJ/Vdut" ]; then
      TMP=$(mktemp -d "$BUILD_ROOT/tmp-XXXXXX")
      if ! make -s -f "$REPO/sim/verilator/Makefile" VERILOG="$VERILOG" TOP="$TOP" VCD="$VCD" THETA="$THETA" OBJ="$TMP" >"$TMP/build.log" 2>&1; then
        cat "$TMP/build.log" >&2
        echo "$0: Verilator build failed (log: $TMP/build.log)" >&2
        exit 1
      fi
      mv "$TMP" "$OBJ"
    fi
  ) 9>"$BUILD_ROOT/.lock"
fi
case "$PHASE" in
  build) echo "$OBJ/Vdut" ;;
  run | all)
    [ -x "$OBJ/Vdut" ] || { echo "$0: no model built for this Verilog (run with PHASE=build first)" >&2; exit 1; }
    cd "$RUN"
    # shellcheck disable=SC2046  # one plusarg per line, no spaces
    exec "$OBJ/Vdut" $(cat plusargs) ;;
  *) echo "$0: PHASE must be build, run or all" >&2; exit 2 ;;
esac
