//! Everything a user of the cycle model usually needs.
pub use crate::control::{Control, FsmState};
pub use crate::machine::{
    Cycle, DoneEvent, Events, Machine, Observer, SpikeEvent, WeightWrite, WinnerEvent,
};
pub use crate::mask::NeuronMask;
pub use crate::neuron::{Comparators, Neuron, Neurons};
pub use crate::spike_gen::SpikeGen;
pub use crate::spike_mem::SpikeMem;
pub use crate::stack::Stack;
pub use crate::stdp::Stdp;
pub use crate::vcd::VcdWriter;
pub use crate::weight_mem::WeightMem;
pub use crate::wta::Wta;
pub use snn_arch::{HwParams, Widths};
