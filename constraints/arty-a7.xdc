## Digilent Arty A7-35T, part XC7A35T-1CSG324 (Vivado constraints; the open flow only
## synthesizes for Artix-7, see crates/snn-fpga).
##
## Pins of `snn_fpga_top`, the UART wrapper around `snn_core` (crates/snn-fpga, module `wrapper`).
##
##   port        pin   board net
##   clock       E3    100 MHz oscillator (CLK100MHZ)
##   uart_rx     A9    FT2232H -> FPGA (schematic net uart_txd_in)
##   uart_tx     D10   FPGA -> FT2232H (schematic net uart_rxd_out)
##   led[0..3]   H5 J5 T9 T10   green LEDs LD4..LD7
##   led[4..7]   F6 J4 J2 H6    green channel of the RGB LEDs LD0..LD3
##
## LED meaning (set by the wrapper): led[3:0] winner of the last image (low bits), led[4]
## winner valid, led[5] core busy, led[6] toggles on every received byte, led[7] heartbeat.
## The UART divisor of the generated wrapper must be computed for 100 MHz on this board.

set_property -dict { PACKAGE_PIN E3  IOSTANDARD LVCMOS33 } [get_ports { clock }]
create_clock -name sys_clk -period 10.000 -waveform {0.000 5.000} [get_ports { clock }]

set_property -dict { PACKAGE_PIN A9  IOSTANDARD LVCMOS33 } [get_ports { uart_rx }]
set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { uart_tx }]

set_property -dict { PACKAGE_PIN H5  IOSTANDARD LVCMOS33 } [get_ports { led[0] }]
set_property -dict { PACKAGE_PIN J5  IOSTANDARD LVCMOS33 } [get_ports { led[1] }]
set_property -dict { PACKAGE_PIN T9  IOSTANDARD LVCMOS33 } [get_ports { led[2] }]
set_property -dict { PACKAGE_PIN T10 IOSTANDARD LVCMOS33 } [get_ports { led[3] }]
set_property -dict { PACKAGE_PIN F6  IOSTANDARD LVCMOS33 } [get_ports { led[4] }]
set_property -dict { PACKAGE_PIN J4  IOSTANDARD LVCMOS33 } [get_ports { led[5] }]
set_property -dict { PACKAGE_PIN J2  IOSTANDARD LVCMOS33 } [get_ports { led[6] }]
set_property -dict { PACKAGE_PIN H6  IOSTANDARD LVCMOS33 } [get_ports { led[7] }]

## The UART input is asynchronous (the wrapper synchronizes it); the LEDs are static to a human.
set_false_path -from [get_ports { uart_rx }]
set_false_path -to [get_ports { uart_tx led[*] }]
