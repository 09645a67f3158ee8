//! Configuration, fixed-point arithmetic and the golden SNN models (float and fixed point).
//!
//! Blocks carry the same names at every level of the project: `spike_gen`, `neuron`, `wta`,
//! `stdp`, `control` here; the same names in the cycle model (`snn-sim`) and the HDL (`snn-hdl`).

pub mod arith;
pub mod atomic;
pub mod config;
pub mod control;
pub mod difference;
pub mod fixed;
pub mod layers;
pub mod metrics;
pub mod network;
pub mod neuron;
pub mod prelude;
pub mod spike_gen;
pub mod stdp;
pub mod weights;
pub mod wta;
