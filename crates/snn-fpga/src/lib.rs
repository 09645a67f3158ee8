//! From a trained network to an FPGA: weight-memory initialisation files ([`bram`]), a UART
//! wrapper that lets `snn_core` fit a board's pins ([`wrapper`]), and the open synthesis /
//! place-and-route flow with its report ([`flow`]).

pub mod bram;
pub mod fit;
pub mod flow;
pub mod prelude;
pub mod wrapper;
