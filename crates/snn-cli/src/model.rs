//! The two golden models (float and fixed point) behind one runtime-chosen type.
//!
//! `snn_core::Network` is generic over its arithmetic so the presentation loop exists once; the
//! command line picks the arithmetic from a flag, so this enum does the dispatch in one place and
//! hands results back in reals, which is what reports, traces and plots show.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use ndarray::Array2;
use snn_core::prelude::*;
use std::path::Path;

/// `--arith` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithKind {
    /// SPEC arithmetic in f64 (level `golden`).
    Float,
    /// The hardware's fixed point (level `golden-fixed`).
    Fixed,
}

impl ArithKind {
    /// The arithmetic a weights file was produced with: `golden` is float, every other level
    /// (`golden-fixed`, `cycle` and the RTL simulators) computes in the hardware's fixed point.
    pub fn of_level(level: &str) -> Self {
        if level == "golden" {
            ArithKind::Float
        } else {
            ArithKind::Fixed
        }
    }

    /// The level this arithmetic runs at (JSON `level`, a weights file's `arith`).
    pub fn level(self) -> &'static str {
        match self {
            ArithKind::Float => "golden",
            ArithKind::Fixed => "golden-fixed",
        }
    }
}

/// Arithmetic flags shared by the commands that run the golden models.
#[derive(Args, Debug, Clone)]
pub struct ArithArgs {
    /// Arithmetic: `float` (SPEC reals) or `fixed` (the hardware's fixed point). Default: the
    /// arithmetic that produced the weights file, else float.
    #[arg(long, value_enum)]
    pub arith: Option<ArithKind>,
    /// Round (and clamp) weights the fixed-point format cannot hold exactly instead of failing.
    #[arg(long)]
    pub quantize: bool,
}

impl ArithArgs {
    pub fn kind(&self, weights: Option<&WeightsFile>) -> ArithKind {
        self.arith
            .or_else(|| {
                weights
                    .and_then(|w| w.arith.as_deref())
                    .map(ArithKind::of_level)
            })
            .unwrap_or(ArithKind::Float)
    }
}

/// A presentation's result in reals, whatever the arithmetic (potentials converted from raw fixed
/// point).
pub type Outcome = Presentation<f64>;

fn outcome<A: Arith>(a: &A, p: &Presentation<A::P>) -> Outcome {
    p.map(|&x| a.potential_to_f64(x))
}

pub enum Model {
    Float(Network<FloatArith>),
    Fixed(Network<FixedArith>),
}

/// The arithmetic of one training epoch (`Network::epoch_arith`: the learning-rate schedule
/// applied), of the model's kind.
enum EpochArith {
    Float(FloatArith),
    Fixed(FixedArith),
}

impl From<FloatArith> for EpochArith {
    fn from(a: FloatArith) -> Self {
        EpochArith::Float(a)
    }
}

impl From<FixedArith> for EpochArith {
    fn from(a: FixedArith) -> Self {
        EpochArith::Fixed(a)
    }
}

/// Runs `$body` with `$net` bound to the network, whichever arithmetic it has.
macro_rules! with_net {
    ($model:expr, $net:ident => $body:expr) => {
        match $model {
            Model::Float($net) => $body,
            Model::Fixed($net) => $body,
        }
    };
}

impl Model {
    /// A fresh network with seeded random weights.
    pub fn random(kind: ArithKind, cfg: &SnnConfig) -> Result<Self> {
        Ok(match kind {
            ArithKind::Float => {
                Model::Float(Network::with_random_weights(FloatArith::new(cfg), cfg))
            }
            ArithKind::Fixed => {
                Model::Fixed(Network::with_random_weights(FixedArith::new(cfg)?, cfg))
            }
        })
    }

    /// A network with the weights of `file`; values the arithmetic cannot hold are an error naming
    /// the file and the first offending weight, unless `quantize`.
    pub fn with_weights(
        kind: ArithKind,
        cfg: &SnnConfig,
        w: &Array2<f64>,
        quantize: bool,
        file: &Path,
    ) -> Result<Self> {
        Ok(match kind {
            ArithKind::Float => Model::Float(
                Network::with_weights(FloatArith::new(cfg), cfg, w, quantize)
                    .with_context(|| misfit(file, kind))?,
            ),
            ArithKind::Fixed => Model::Fixed(fixed_network(cfg, w, quantize, file)?),
        })
    }

    /// `golden` or `golden-fixed`.
    pub fn level(&self) -> &'static str {
        with_net!(self, n => n.arith.level())
    }

    pub fn cfg(&self) -> &SnnConfig {
        with_net!(self, n => &n.cfg)
    }

    pub fn present(&mut self, pixels: &[u8], opts: PresentOptions) -> Outcome {
        with_net!(self, n => {
            let p = n.present(pixels, opts);
            outcome(&n.arith, &p)
        })
    }

    /// `cfg.epochs` passes of learning, presentation for presentation those of `Network::train`
    /// (its learning-rate schedule, image order and `train_image`); `on_image(epoch, index,
    /// outcome, model)` after each, with the network as it stands, so that a caller can measure
    /// it while it learns.
    pub fn train(
        &mut self,
        images: &[&[u8]],
        mut on_image: impl FnMut(usize, usize, Outcome, &Model),
    ) {
        for epoch in 0..self.cfg().epochs {
            let arith = with_net!(self, n => EpochArith::from(n.epoch_arith(epoch)));
            for k in with_net!(self, n => n.epoch_order(images.len(), epoch)) {
                let outcome = self.train_image(&arith, images[k]);
                on_image(epoch, k, outcome, self);
            }
        }
    }

    /// One training presentation with the arithmetic of its epoch.
    fn train_image(&mut self, arith: &EpochArith, pixels: &[u8]) -> Outcome {
        match (self, arith) {
            (Model::Float(n), EpochArith::Float(a)) => outcome(a, &n.train_image(a, pixels)),
            (Model::Fixed(n), EpochArith::Fixed(a)) => outcome(a, &n.train_image(a, pixels)),
            _ => unreachable!("an epoch's arithmetic comes from its own model"),
        }
    }

    /// Inference in parallel over images (rayon inside `Network::infer`), results in input order.
    pub fn infer(&self, images: &[&[u8]]) -> Vec<Outcome> {
        with_net!(self, n => n.infer(images).iter().map(|p| outcome(&n.arith, p)).collect())
    }

    pub fn weights_f64(&self) -> Array2<f64> {
        with_net!(self, n => n.weights_f64())
    }

    /// The adaptive thresholds (SPEC section 10) in potential units.
    pub fn theta_f64(&self) -> Vec<f64> {
        with_net!(self, n => n.theta_f64())
    }

    /// Sets the adaptive thresholds from a weights file's `theta` (absent: all 0).
    pub fn set_theta(&mut self, wf: &WeightsFile, quantize: bool, file: &Path) -> Result<()> {
        let kind = match self {
            Model::Float(_) => ArithKind::Float,
            Model::Fixed(_) => ArithKind::Fixed,
        };
        with_net!(self, n => n.set_theta(&wf.theta_or_zero(), quantize))
            .with_context(|| misfit(file, kind))
    }

    /// The weights file of this network: weights, adaptive thresholds, configuration and the
    /// level that produced them.
    pub fn weights_file(&self) -> WeightsFile {
        let cfg = self.cfg();
        let mut wf = WeightsFile::new(cfg.height, cfg.width, &self.weights_f64());
        wf.arith = Some(self.level().to_string());
        wf.config = Some(cfg.clone());
        wf.theta = Some(self.theta_f64());
        wf
    }
}

/// The golden fixed-point network with the weights of `file`. The cycle level converts its weights
/// through this too, so a value the format cannot hold is reported (or quantized) identically.
pub fn fixed_network(
    cfg: &SnnConfig,
    w: &Array2<f64>,
    quantize: bool,
    file: &Path,
) -> Result<Network<FixedArith>> {
    let arith = FixedArith::new(cfg).with_context(|| misfit(file, ArithKind::Fixed))?;
    Network::with_weights(arith, cfg, w, quantize).with_context(|| misfit(file, ArithKind::Fixed))
}

fn misfit(file: &Path, kind: ArithKind) -> String {
    format!(
        "{}: weights do not fit the {} model",
        file.display(),
        kind.level()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Training through `Model::train` (image by image, so that it can be watched) changes the
    /// network exactly as `Network::train` does, with every part of the schedule in play:
    /// shuffled order, sigma halving, homeostasis and normalization, in both arithmetics.
    #[test]
    fn model_training_is_network_training() {
        let cfg = SnnConfig {
            height: 8,
            width: 8,
            neurons: 3,
            epochs: 3,
            shuffle: true,
            sigma_halving_epochs: 1,
            seed: 7,
            norm_target: 12.0,
            ..SnnConfig::learning()
        };
        cfg.validate().unwrap();
        let images: Vec<Vec<u8>> = (0..12)
            .map(|k| (0..64).map(|i| ((i * 37 + k * 101) % 256) as u8).collect())
            .collect();
        let px: Vec<&[u8]> = images.iter().map(Vec::as_slice).collect();
        for kind in [ArithKind::Float, ArithKind::Fixed] {
            let mut model = Model::random(kind, &cfg).unwrap();
            let mut seen = Vec::new();
            model.train(&px, |e, k, o, _| seen.push((e, k, o.winner)));
            let mut want = Vec::new();
            let (w, theta) = match Model::random(kind, &cfg).unwrap() {
                Model::Float(mut n) => {
                    n.train(&px, |e, k, p| want.push((e, k, p.winner)));
                    (n.weights_f64(), n.theta_f64())
                }
                Model::Fixed(mut n) => {
                    n.train(&px, |e, k, p| want.push((e, k, p.winner)));
                    (n.weights_f64(), n.theta_f64())
                }
            };
            assert_eq!(seen, want, "{kind:?}");
            assert!(
                want.iter().any(|p| p.2.is_some()),
                "{kind:?}: nothing learned"
            );
            assert_eq!(model.weights_f64(), w, "{kind:?}");
            assert_eq!(model.theta_f64(), theta, "{kind:?}");
        }
    }
}
