//! Cycle-accurate model of the SNN accelerator (docs/ARCHITECTURE.md).
//!
//! One struct per hardware block, named as in the doc and at every level of the project:
//! [`SpikeGen`], [`Neuron`] (the N of them: [`Neurons`]), [`Wta`], [`Stdp`], [`WeightMem`],
//! [`Control`]. Each holds exactly the registers and memories the doc lists (the model adds no
//! state of its own; a few arrays are padded to whole vector lanes). [`Machine`] wires
//! them and `step()` is one clock edge: it first samples from the blocks every input of this cycle,
//! then clocks each block; a block's clock method computes every new register value from current
//! values only (pipelines are updated last stage first), so the result is that of computing all
//! next states and committing them together, without copying state. The small blocks (`Wta`)
//! keep the literal form, a pure `next` returning the new registers.
//!
//! [`Machine::run_image`] clocks whole phases at once ([`Machine::advance`]) when no observer is
//! attached: every register, memory and the cycle count after a phase are those `step()` leaves
//! (tests/equivalence/fast.rs compares them after every phase), but a phase with a closed form
//! (the scan of the image, the threshold pass, an STDP walk, the penalty) is computed as such.
//!
//! The model matches the golden fixed-point model of `snn-core` bit for bit, spikes and
//! potentials at every step, weights after every image (tests/equivalence), and is the reference
//! the RTL is compared with cycle by cycle. Tracing goes through [`Observer`] ([`VcdWriter`]).

pub mod control;
pub mod machine;
pub mod mask;
pub mod neuron;
pub mod prelude;
pub mod spike_gen;
pub mod spike_mem;
pub mod stack;
pub mod stdp;
pub mod vcd;
pub mod weight_mem;
pub mod wta;

pub use control::{Control, FsmState};
pub use machine::{Cycle, Events, Machine, Observer};
pub use mask::NeuronMask;
pub use neuron::{Comparators, Neuron, Neurons};
pub use snn_arch::HwParams;
pub use spike_gen::SpikeGen;
pub use spike_mem::SpikeMem;
pub use stack::Stack;
pub use stdp::Stdp;
pub use vcd::VcdWriter;
pub use weight_mem::WeightMem;
pub use wta::Wta;
