#!/usr/bin/env bash
# Installs the HDL tools the test suite and the FPGA flow call: Debian's verilator, iverilog,
# yosys, nextpnr-ice40 and icestorm (icepack). Idempotent: skips apt when every tool is present.
set -euo pipefail
need=()
for t in verilator iverilog yosys nextpnr-ice40 icepack; do
  command -v "$t" >/dev/null 2>&1 || need+=("$t")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "install-tools: all tools present"
  exit 0
fi
echo "install-tools: missing ${need[*]}; installing with apt-get"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq verilator iverilog yosys nextpnr-ice40 fpga-icestorm g++ make >/dev/null
for t in verilator iverilog yosys nextpnr-ice40 icepack; do
  command -v "$t" >/dev/null 2>&1 || { echo "install-tools: $t still missing after apt-get" >&2; exit 1; }
done
echo "install-tools: done"
