//! The public blocks and tools of `snn-hdl`.

pub use crate::bram::{to_bits, to_word, Bram};
pub use crate::mult::UMul;
pub use crate::verilog::{
    check_iverilog, generate, lint_verilator, lint_verilator_waived, module_ports,
    simulate_rust_hdl, synth_ice40, Cosim, Port, PortDir, SynthReport, Waiver,
};
