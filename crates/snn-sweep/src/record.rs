//! One line of `results.jsonl`: a finished point and everything measured on it.
//!
//! `seconds` holds the only values that differ between two runs of the same sweep (wall times);
//! everything else is a deterministic function of the sweep file and the data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A measure that may fail for a point without failing the sweep (the cycle model or the
/// generator refusing a configuration the hardware does not implement, a tool failing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Outcome<T> {
    Failed { error: String },
    Ok(T),
}

impl<T> Outcome<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Outcome::Ok(t) => Some(t),
            Outcome::Failed { .. } => None,
        }
    }
}

/// Mean clock cycles per image of the cycle model (`snn-sim`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cycles {
    /// Images presented in each mode.
    pub images: usize,
    /// Training presentations of the first training images, from the point's initial weights.
    pub training: f64,
    /// Inference on the first test images (training images when `test = 0`) with the trained
    /// weights and adaptive thresholds (quantized to the hardware's format when training ran in
    /// float).
    pub inference: f64,
}

/// Yosys utilization (and nextpnr's Fmax when placed) of the point's generated design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Synth {
    pub luts: u64,
    pub ffs: u64,
    pub brams: f64,
    pub dsps: u64,
    /// Whether LUTs, FFs, block RAMs and DSPs all fit the part.
    pub fits: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fmax_mhz: Option<f64>,
    /// Fmax / mean inference cycles per image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_images_per_s: Option<f64>,
    /// MD5 of the generated Verilog: points sharing it share one synthesis.
    pub verilog: String,
}

/// Wall times of the point's parts, seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Seconds {
    pub train: f64,
    pub eval: f64,
    pub cycles: f64,
    pub synth: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The point's number in the sweep's expansion.
    pub index: usize,
    /// The varied keys and their values.
    pub point: serde_json::Value,
    /// Test accuracy as a fraction (absent with `test = 0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<usize>,
    /// Test images scored.
    pub tested: usize,
    /// Test images with no spike or an unlabelled winner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_prediction: Option<usize>,
    /// Accuracy of each class (index = digit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_class: Option<Vec<f64>>,
    pub neurons: usize,
    /// Training presentations (images x epochs).
    pub presentations: usize,
    /// Training presentations with no winner (no learning).
    pub no_winner: usize,
    /// Of the last 1,000 training presentations (fewer when there were fewer), how many had no
    /// winner: the collapse signal.
    pub no_winner_last_1000: usize,
    /// Neurons that never won a training presentation.
    pub never_won: usize,
    /// Range of the adaptive thresholds after training (potential units).
    pub theta_min: f64,
    pub theta_max: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles: Option<Outcome<Cycles>>,
    /// Per synthesis target.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub synth: BTreeMap<String, Outcome<Synth>>,
    pub seconds: Seconds,
    /// Hash of the sweep that produced this line.
    pub spec: String,
}

/// `line` without `seconds`: what must be equal between two runs of one sweep.
pub fn without_times(line: &serde_json::Value) -> serde_json::Value {
    let mut v = line.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("seconds");
    }
    v
}
