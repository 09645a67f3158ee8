//! The public surface in one import.

pub use crate::bram::{
    dequantize, export, import, quantize, read_image, write_image, MemFormat, MemLayout,
};
pub use crate::fit::plan::{plan, try_fit, Limit, Plan, PlanRow};
pub use crate::fit::{memories, Estimate, LutRange, Mapping, Memory};
pub use crate::flow::{run, Constraints, CyclesPerImage, FlowOptions, FpgaReport, Target};
pub use crate::wrapper::host::Host;
pub use crate::wrapper::top::{generate_top, write_top, FpgaTop, TOP};
pub use crate::wrapper::uart_rx::UartRx;
pub use crate::wrapper::uart_tx::UartTx;
