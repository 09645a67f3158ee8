//! Cycle-accurate model of the SNN accelerator (docs/ARCHITECTURE.md).
//!
//! One struct per hardware block, named as in the doc and at every level of the project:
//! [`SpikeGen`], [`Neuron`], [`Wta`], [`Stdp`], [`WeightMem`], [`Control`]. Each holds exactly the
//! registers and memories the doc lists and computes its next state with a pure `next` function;
//! [`Machine`] wires them and `step()` is one clock edge. The model matches the golden fixed-point
//! model of `snn-core` bit for bit (tests/) and is the reference the RTL is compared with.

pub mod control;
pub mod machine;
pub mod neuron;
pub mod params;
pub mod prelude;
pub mod spike_gen;
pub mod stdp;
pub mod vcd;
pub mod weight_mem;
pub mod wta;

pub use control::{Control, FsmState};
pub use machine::{Cycle, Events, ImageResult, Machine, Observer};
pub use neuron::Neuron;
pub use params::HwParams;
pub use spike_gen::SpikeGen;
pub use stdp::Stdp;
pub use vcd::VcdWriter;
pub use weight_mem::WeightMem;
pub use wta::Wta;
