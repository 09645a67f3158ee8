//! From a trained network to an FPGA: weight-memory initialisation files ([`bram`]) and the open
//! synthesis / place-and-route flow with its report ([`flow`]).

pub mod bram;
pub mod flow;
