//! The weights file (JSON) and the weight pictures of SPEC section 8.

use crate::atomic::write_atomic;
use crate::config::SnnConfig;
use anyhow::{bail, Context, Result};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `weights[j]` is neuron j's row, inputs in row-major pixel order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightsFile {
    pub height: usize,
    pub width: usize,
    pub neurons: usize,
    pub weights: Vec<Vec<f64>>,
    /// Class of each neuron after labelling (`null` for a neuron that never spiked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Option<u8>>>,
    /// The arithmetic that produced the weights (`golden` or `golden-fixed`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arith: Option<String>,
    /// The configuration used to train them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<SnnConfig>,
    /// Adaptive threshold of each neuron (SPEC section 10, potential units); absent means all 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theta: Option<Vec<f64>>,
}

impl WeightsFile {
    pub fn new(height: usize, width: usize, weights: &Array2<f64>) -> Self {
        WeightsFile {
            height,
            width,
            neurons: weights.nrows(),
            weights: weights.rows().into_iter().map(|r| r.to_vec()).collect(),
            labels: None,
            arith: None,
            config: None,
            theta: None,
        }
    }

    /// The adaptive thresholds, all 0 when the file has none.
    pub fn theta_or_zero(&self) -> Vec<f64> {
        self.theta
            .clone()
            .unwrap_or_else(|| vec![0.0; self.neurons])
    }

    /// Reads and checks the shape: `neurons` rows of `height * width` finite values.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read weights file", path.display()))?;
        let wf: WeightsFile = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: not a weights file (expected JSON with height, width, neurons, weights)",
                path.display()
            )
        })?;
        wf.check()
            .with_context(|| format!("{}: wrong shape", path.display()))?;
        Ok(wf)
    }

    fn check(&self) -> Result<()> {
        let m = self.height * self.width;
        if self.height == 0 || self.width == 0 || self.neurons == 0 {
            bail!(
                "height, width and neurons must be positive (got {}x{}, {} neurons)",
                self.height,
                self.width,
                self.neurons
            );
        }
        if self.weights.len() != self.neurons {
            bail!(
                "{} weight rows but neurons = {}",
                self.weights.len(),
                self.neurons
            );
        }
        for (j, row) in self.weights.iter().enumerate() {
            if row.len() != m {
                bail!(
                    "row {j} has {} weights but height x width = {}x{} = {m}",
                    row.len(),
                    self.height,
                    self.width
                );
            }
            if let Some(i) = row.iter().position(|x| !x.is_finite()) {
                bail!("neuron {j}, input {i}: weight is not a finite number");
            }
        }
        if let Some(l) = &self.labels {
            if l.len() != self.neurons {
                bail!("{} labels but neurons = {}", l.len(), self.neurons);
            }
        }
        if let Some(theta) = &self.theta {
            if theta.len() != self.neurons {
                bail!(
                    "{} theta values but neurons = {}",
                    theta.len(),
                    self.neurons
                );
            }
            if let Some(j) = theta.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
                bail!(
                    "neuron {j}: theta {} must be a finite number >= 0",
                    theta[j]
                );
            }
        }
        Ok(())
    }

    pub fn to_array(&self) -> Array2<f64> {
        let m = self.height * self.width;
        Array2::from_shape_fn((self.neurons, m), |(j, i)| self.weights[j][i])
    }

    /// Writes atomically (temp file in the same folder, then rename): no partial file on error.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string(self).expect("weights serialize");
        write_atomic(path, text.as_bytes())
    }
}

/// Row `row` mapped linearly from `[w_min, w_max]` to `[0, 255]` (rounded, clamped): a grayscale
/// picture of what the neuron has learned.
pub fn picture(row: &[f64], w_min: f64, w_max: f64) -> Vec<u8> {
    row.iter()
        .map(|&w| {
            ((w - w_min) / (w_max - w_min) * 255.0)
                .round()
                .clamp(0.0, 255.0) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_shape_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.json");
        let w = Array2::from_shape_fn((2, 6), |(j, i)| j as f64 - i as f64 * 0.1);
        let wf = WeightsFile::new(2, 3, &w);
        wf.save(&p).unwrap();
        assert_eq!(WeightsFile::load(&p).unwrap().to_array(), w);
        let mut bad = wf.clone();
        bad.weights[1].pop();
        std::fs::write(&p, serde_json::to_string(&bad).unwrap()).unwrap();
        let err = format!("{:#}", WeightsFile::load(&p).unwrap_err());
        assert!(
            err.contains("w.json") && err.contains("row 1 has 5 weights"),
            "{err}"
        );
        std::fs::write(&p, "not json").unwrap();
        assert!(format!("{:#}", WeightsFile::load(&p).unwrap_err()).contains("not a weights file"));
        for (theta, why) in [
            (vec![0.0], "1 theta values but neurons = 2"),
            (vec![0.0, -0.5], "neuron 1: theta -0.5"),
        ] {
            let bad = WeightsFile {
                theta: Some(theta),
                ..wf.clone()
            };
            std::fs::write(&p, serde_json::to_string(&bad).unwrap()).unwrap();
            let err = format!("{:#}", WeightsFile::load(&p).unwrap_err());
            assert!(err.contains("w.json") && err.contains(why), "{err}");
        }
        let with_theta = WeightsFile {
            theta: Some(vec![1.5, 0.0]),
            ..wf.clone()
        };
        with_theta.save(&p).unwrap();
        assert_eq!(
            WeightsFile::load(&p).unwrap().theta_or_zero(),
            vec![1.5, 0.0]
        );
        assert_eq!(wf.theta_or_zero(), vec![0.0, 0.0]);
    }

    #[test]
    fn picture_maps_bounds_to_black_and_white() {
        assert_eq!(
            picture(&[-1.2, 1.5, 0.0, 9.0], -1.2, 1.5),
            vec![0, 255, 113, 255]
        );
    }
}
