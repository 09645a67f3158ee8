//! The weights file (JSON) and the weight pictures of SPEC section 8.

use crate::atomic::write_atomic;
use crate::config::SnnConfig;
use anyhow::{bail, Context, Result};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `weights[j]` is neuron j's row, inputs in row-major pixel order. A network of several
/// layers (SPEC section 12) has `layers` instead of `weights` and `theta` (its `neurons` is the
/// output layer's); a file without `layers` is one layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightsFile {
    pub height: usize,
    pub width: usize,
    pub neurons: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<LayerWeights>>,
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

/// One layer of a multi-layer weights file: `neurons` rows of `inputs` weights (`inputs` is
/// `height * width` for the first layer, the size of the layer below for the others).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerWeights {
    pub inputs: usize,
    pub neurons: usize,
    pub weights: Vec<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theta: Option<Vec<f64>>,
}

fn rows(weights: &Array2<f64>) -> Vec<Vec<f64>> {
    weights.rows().into_iter().map(|r| r.to_vec()).collect()
}

impl WeightsFile {
    pub fn new(height: usize, width: usize, weights: &Array2<f64>) -> Self {
        WeightsFile {
            height,
            width,
            neurons: weights.nrows(),
            weights: rows(weights),
            layers: None,
            labels: None,
            arith: None,
            config: None,
            theta: None,
        }
    }

    /// The file of a network of `layers` (weights and theta per layer): the one-layer format
    /// for one layer, else `layers`.
    pub fn of_layers(height: usize, width: usize, layers: &[(Array2<f64>, Vec<f64>)]) -> Self {
        let (last, _) = layers.last().expect("at least one layer");
        if let [(w, theta)] = layers {
            return WeightsFile {
                theta: Some(theta.clone()),
                ..WeightsFile::new(height, width, w)
            };
        }
        WeightsFile {
            neurons: last.nrows(),
            weights: Vec::new(),
            layers: Some(
                layers
                    .iter()
                    .map(|(w, theta)| LayerWeights {
                        inputs: w.ncols(),
                        neurons: w.nrows(),
                        weights: rows(w),
                        theta: Some(theta.clone()),
                    })
                    .collect(),
            ),
            ..WeightsFile::new(height, width, &Array2::zeros((0, 0)))
        }
    }

    /// Number of layers.
    pub fn depth(&self) -> usize {
        self.layers.as_ref().map_or(1, Vec::len)
    }

    /// Each layer's weights (`n_l x n_(l-1)`) and theta (all 0 where the file has none).
    pub fn layer_arrays(&self) -> Vec<(Array2<f64>, Vec<f64>)> {
        match &self.layers {
            None => vec![(self.to_array(), self.theta_or_zero())],
            Some(layers) => layers
                .iter()
                .map(|l| {
                    let w = Array2::from_shape_fn((l.neurons, l.inputs), |(j, i)| l.weights[j][i]);
                    (w, l.theta.clone().unwrap_or_else(|| vec![0.0; l.neurons]))
                })
                .collect(),
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
        if let Some(layers) = &self.layers {
            return self.check_layers(layers);
        }
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
            check_theta(theta, self.neurons)?;
        }
        Ok(())
    }

    /// A multi-layer file: the layers chain (`inputs` of layer 1 is `height x width`, of layer
    /// `l` the `neurons` of layer `l - 1`), each row has `inputs` finite weights, theta fits.
    fn check_layers(&self, layers: &[LayerWeights]) -> Result<()> {
        let Some(last) = layers.last() else {
            bail!("layers is empty: a network needs at least one layer");
        };
        if !self.weights.is_empty() || self.theta.is_some() {
            bail!("a file with layers keeps weights and theta inside each layer, not at the top level");
        }
        if self.neurons != last.neurons {
            bail!(
                "neurons = {} but the last layer has {} neurons",
                self.neurons,
                last.neurons
            );
        }
        let mut fan_in = self.height * self.width;
        for (l, layer) in layers.iter().enumerate() {
            let k = l + 1;
            if layer.neurons == 0 {
                bail!("layer {k} has 0 neurons");
            }
            if layer.inputs != fan_in {
                bail!(
                    "layer {k} has {} inputs but {} feed it ({}): the shapes must chain, n_l x n_(l-1)",
                    layer.inputs,
                    fan_in,
                    if l == 0 {
                        format!("height x width = {}x{}", self.height, self.width)
                    } else {
                        format!("the neurons of layer {l}")
                    }
                );
            }
            if layer.weights.len() != layer.neurons {
                bail!(
                    "layer {k}: {} weight rows but neurons = {}",
                    layer.weights.len(),
                    layer.neurons
                );
            }
            for (j, row) in layer.weights.iter().enumerate() {
                if row.len() != layer.inputs {
                    bail!(
                        "layer {k}, row {j} has {} weights but inputs = {}",
                        row.len(),
                        layer.inputs
                    );
                }
                if let Some(i) = row.iter().position(|x| !x.is_finite()) {
                    bail!("layer {k}, neuron {j}, input {i}: weight is not a finite number");
                }
            }
            if let Some(theta) = &layer.theta {
                check_theta(theta, layer.neurons).with_context(|| format!("layer {k}"))?;
            }
            fan_in = layer.neurons;
        }
        if let Some(l) = &self.labels {
            if l.len() != self.neurons {
                bail!("{} labels but neurons = {}", l.len(), self.neurons);
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

/// One theta per neuron, each finite and >= 0.
fn check_theta(theta: &[f64], neurons: usize) -> Result<()> {
    if theta.len() != neurons {
        bail!("{} theta values but neurons = {neurons}", theta.len());
    }
    if let Some(j) = theta.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
        bail!(
            "neuron {j}: theta {} must be a finite number >= 0",
            theta[j]
        );
    }
    Ok(())
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
