//! Everything a user of the golden models usually needs.
pub use crate::arith::{Arith, FixedArith, FloatArith};
pub use crate::atomic::write_atomic;
pub use crate::config::{DepressionBound, Encoding, FixedConfig, SnnConfig};
pub use crate::control::{present, PresentOptions, Presentation};
pub use crate::difference::Difference;
pub use crate::fixed::FixedFormat;
pub use crate::layers::Stack;
pub use crate::metrics::{evaluate, label_neurons, predict, Evaluation};
pub use crate::network::Network;
pub use crate::spike_gen::{encode, Encoded, InputCode, PeriodTable};
pub use crate::weights::{picture, LayerWeights, WeightsFile};
