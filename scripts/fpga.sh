#!/usr/bin/env bash
# Synthesis (Yosys) and, for iCE40 and ECP5, place and route (nextpnr-ice40, nextpnr-ecp5) and
# bitstream (icepack, ecppack) of a Verilog design; prints the JSON report (LUTs, FFs, BRAMs, DSPs,
# Fmax, images per second).
#
#   scripts/fpga.sh TARGET VERILOG
#   scripts/fpga.sh TARGET wrapper     generate snn_fpga_top (the UART wrapper around snn_core
#                                      that the boards' constraint files pin out) and run on it
#
# TARGET: ice40-hx8k | ice40-up5k | ecp5 | ecp5-85f (full flow; ECP5 with YoWASP's nextpnr-ecp5
# and ecppack from scripts/install-tools.sh) | xc7a35t (synthesis and utilization only: no open
# Xilinx router). Knobs (environment):
#   TOP=snn_core        top module inside VERILOG (ignored for `wrapper`)
#   CONFIG=<file.toml>  configuration of the wrapped core (default: the default configuration)
#   BAUD=115200         UART rate of the wrapper, on the board clock (12, 12, 25, 25, 100 MHz)
#   INIT_WEIGHTS=<W.mem|W.json>  weights the wrapped core's weight memory starts with (block-RAM
#                       init values: the bitstream classifies without a weight load); .json
#                       weights are quantized exactly, images (.mem/.hex/.coe/.mif) as exported
#   FREQ=50             nextpnr target clock in MHz (a miss is reported, not an error); the
#                       ECP5 board file's own 25 MHz constraint takes precedence
#   PCF=<file>|none     constraints (default: the board file in constraints/, written for the
#                       wrapper's ports; none: nextpnr picks every pin). Ports a file omits are
#                       placed by nextpnr and listed in the report. The bare snn_core has more
#                       ports than any of these packages has pins: place the wrapper.
#   PLACE=0             stop after synthesis (seconds instead of minutes)
#   SEED=<n>            nextpnr placer seed
#   OUT=<dir>           products and logs (default target/fpga/<top>-<target>)
#   CYCLES_INFER=<c> CYCLES_TRAIN=<c>   mean cycles per image (cycle model) -> images per second
#
# Examples: the default design with its UART on the HX8K breakout board (bitstream included);
# utilization of the bare core on Artix-7:
#   scripts/fpga.sh ice40-hx8k wrapper
#   scripts/fpga.sh xc7a35t hdl/snn_core.v
# The flow itself is crates/snn-fpga/src/flow.rs; this script only builds and starts it.
set -euo pipefail
if [ $# -ne 2 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
repo="$(cd "$(dirname "$0")/.." && pwd)"
# Relative paths (VERILOG, PCF, OUT) stay relative to the caller's folder.
exec cargo run --release --quiet --manifest-path "$repo/Cargo.toml" -p snn-fpga --example fpga -- "$1" "$2"
