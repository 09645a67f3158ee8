//! The architecture of the SNN accelerator that every hardware level shares: the cycle model
//! (`snn-sim`), the RTL generator (`snn-hdl`), the Verilator/Icarus harnesses (`snn-rtlsim`) and
//! the FPGA flow (`snn-fpga`) all take their sizes, limits, codes and memory layout from here,
//! so none of them keeps a copy another could drift from.
//!
//! - [`params`]: [`HwParams`], every derived constant of a configuration (the JSON report);
//! - [`widths`]: the register widths the RTL declares and the report states;
//! - [`limits`]: every limit on a configuration, for the model and for the RTL;
//! - [`codes`]: the FSM state codes and the STDP op codes;
//! - [`counters`]: the step-counter arithmetic that finds the classes spiking at a step;
//! - [`word`] and [`readmemh`]: the word layouts of the weight and theta memories and the one
//!   `$readmemh` reader and writer.

pub mod codes;
pub mod counters;
pub mod limits;
pub mod params;
pub mod readmemh;
pub mod widths;
pub mod word;

pub use codes::{FsmState, StdpOp};
pub use counters::StepCounters;
pub use limits::{MAX_K, MAX_LANES, MAX_N};
pub use params::{bits, HwParams};
pub use widths::Widths;
pub use word::{ImageShape, MemLayout, ThetaLayout, Word};
