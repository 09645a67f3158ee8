#!/usr/bin/env bash
# Synthesises a Verilog file for iCE40 as snn_hdl::verilog::synth_ice40 does and prints Yosys'
# cell statistics (SB_LUT4, SB_DFF*, SB_RAM40_4K); with OUT.json also writes the netlist for
# nextpnr-ice40. Look for "Latch inferred" in the log: iCE40 latches end up as LUT loops.
# Runs in the file's folder, so relative $readmemh names resolve there.
# Usage: scripts/synth-ice40.sh FILE.v TOP [OUT.json]
set -euo pipefail
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 FILE.v TOP [OUT.json]" >&2; exit 2; }
json=""
[ $# -eq 3 ] && json="-json $(realpath -m "$3")"
cd "$(dirname "$1")" && exec yosys -p "read_verilog $(basename "$1"); synth_ice40 -top $2 $json; stat"
