#!/usr/bin/env bash
# Lints a Verilog file as snn_hdl::verilog::lint_verilator does: `verilator --lint-only -Wall`,
# clean when it prints nothing. DECLFILENAME is off because rust-hdl writes a whole module
# hierarchy into one file. Runs in the file's folder, so relative $readmemh names resolve there.
# Usage: scripts/lint.sh FILE.v TOP
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 FILE.v TOP" >&2; exit 2; }
cd "$(dirname "$1")" && exec verilator --lint-only -Wall -Wno-DECLFILENAME --top-module "$2" "$(basename "$1")"
