//! The two golden models (float and fixed point) behind one runtime-chosen type.
//!
//! `snn_core::Network` is generic over its arithmetic so the presentation loop exists once; the
//! command line picks the arithmetic from a flag, so this enum does the dispatch in one place and
//! hands results back in reals, which is what reports, traces and plots show. A model is a stack
//! of one or more layers (`snn_core::Stack`, SPEC section 12); what classifies is the last.

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
    Float(Stack<FloatArith>),
    Fixed(Stack<FixedArith>),
}

/// The arithmetic of every layer in one training epoch (`Stack::epoch_arith`: the
/// learning-rate schedule applied), of the model's kind.
enum EpochArith {
    Float(Vec<FloatArith>),
    Fixed(Vec<FixedArith>),
}

impl From<Vec<FloatArith>> for EpochArith {
    fn from(a: Vec<FloatArith>) -> Self {
        EpochArith::Float(a)
    }
}

impl From<Vec<FixedArith>> for EpochArith {
    fn from(a: Vec<FixedArith>) -> Self {
        EpochArith::Fixed(a)
    }
}

/// Runs `$body` with `$net` bound to the stack of layers, whichever arithmetic it has.
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
                Model::Float(Stack::with_random_weights(cfg, |c| Ok(FloatArith::new(c)))?)
            }
            ArithKind::Fixed => Model::Fixed(Stack::with_random_weights(cfg, FixedArith::new)?),
        })
    }

    /// The network of a weights file (every layer's weights and theta); values the arithmetic
    /// cannot hold are an error naming the file and the first offending value, unless
    /// `quantize`, and so are layers that do not match `cfg`'s.
    pub fn from_file(
        kind: ArithKind,
        cfg: &SnnConfig,
        wf: &WeightsFile,
        quantize: bool,
        file: &Path,
    ) -> Result<Self> {
        fn stack<A: Arith>(
            cfg: &SnnConfig,
            wf: &WeightsFile,
            quantize: bool,
            arith: impl Fn(&SnnConfig) -> Result<A>,
        ) -> Result<Stack<A>> {
            let layers = wf.layer_arrays();
            let sizes = cfg.layer_sizes();
            if layers.len() != sizes.len() {
                anyhow::bail!(
                    "{} layers of weights but the configuration has layers = {sizes:?}",
                    layers.len()
                );
            }
            let nets = layers
                .iter()
                .enumerate()
                .map(|(l, (w, theta))| {
                    let c = cfg.layer_config(l);
                    let build = || -> Result<Network<A>> {
                        let mut net = Network::with_weights(arith(&c)?, &c, w, quantize)?;
                        net.set_theta(theta, quantize)?;
                        Ok(net)
                    };
                    if sizes.len() > 1 {
                        build().with_context(|| format!("layer {}", l + 1))
                    } else {
                        build()
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Stack::new(cfg, nets)
        }
        let model = match kind {
            ArithKind::Float => {
                stack(cfg, wf, quantize, |c| Ok(FloatArith::new(c))).map(Model::Float)
            }
            ArithKind::Fixed => stack(cfg, wf, quantize, FixedArith::new).map(Model::Fixed),
        };
        model.with_context(|| misfit(file, kind))
    }

    /// `golden` or `golden-fixed`.
    pub fn level(&self) -> &'static str {
        with_net!(self, n => n.output().arith.level())
    }

    /// The whole network's configuration.
    pub fn cfg(&self) -> &SnnConfig {
        with_net!(self, n => &n.cfg)
    }

    /// Number of layers.
    pub fn depth(&self) -> usize {
        with_net!(self, n => n.layers.len())
    }

    /// One presentation; the output layer's outcome.
    pub fn present(&mut self, pixels: &[u8], opts: PresentOptions) -> Outcome {
        self.present_layers(pixels, opts)
            .pop()
            .expect("one layer at least")
    }

    /// One presentation; every layer's outcome, from the first.
    pub fn present_layers(&mut self, pixels: &[u8], opts: PresentOptions) -> Vec<Outcome> {
        with_net!(self, n => {
            let ps = n.present(pixels, opts);
            ps.iter().zip(&n.layers).map(|(p, l)| outcome(&l.arith, p)).collect()
        })
    }

    /// `cfg.epochs` passes of learning, presentation for presentation those of `Stack::train`
    /// (its learning-rate schedule and image order); `on_image(epoch, index, outcomes, model)`
    /// after each, with every layer's outcome and the network as it stands, so that a caller
    /// can measure it while it learns.
    pub fn train(
        &mut self,
        images: &[&[u8]],
        mut on_image: impl FnMut(usize, usize, Vec<Outcome>, &Model),
    ) {
        for epoch in 0..self.cfg().epochs {
            let arith = with_net!(self, n => EpochArith::from(n.epoch_arith(epoch)));
            for k in with_net!(self, n => n.layers[0].epoch_order(images.len(), epoch)) {
                let outcomes = self.train_image(&arith, images[k]);
                on_image(epoch, k, outcomes, self);
            }
        }
    }

    /// One training presentation with the arithmetic of its epoch.
    fn train_image(&mut self, arith: &EpochArith, pixels: &[u8]) -> Vec<Outcome> {
        fn run<A: Arith>(n: &mut Stack<A>, a: &[A], px: &[u8]) -> Vec<Outcome> {
            let ps = n.present_with(a, px, PresentOptions::training());
            ps.iter().zip(a).map(|(p, a)| outcome(a, p)).collect()
        }
        match (self, arith) {
            (Model::Float(n), EpochArith::Float(a)) => run(n, a, pixels),
            (Model::Fixed(n), EpochArith::Fixed(a)) => run(n, a, pixels),
            _ => unreachable!("an epoch's arithmetic comes from its own model"),
        }
    }

    /// Inference in parallel over images (rayon inside `Stack::infer`), the output layer's
    /// outcome of each, in input order.
    pub fn infer(&self, images: &[&[u8]]) -> Vec<Outcome> {
        with_net!(self, n => {
            let a = &n.output().arith;
            n.infer(images).iter().map(|ps| outcome(a, ps.last().expect("a layer"))).collect()
        })
    }

    /// The output layer's weights (the only layer's, for one layer).
    pub fn weights_f64(&self) -> Array2<f64> {
        with_net!(self, n => n.output().weights_f64())
    }

    /// The output layer's adaptive thresholds (SPEC section 10) in potential units.
    pub fn theta_f64(&self) -> Vec<f64> {
        with_net!(self, n => n.output().theta_f64())
    }

    /// Every layer's weights and adaptive thresholds, from the first.
    pub fn layers_f64(&self) -> Vec<(Array2<f64>, Vec<f64>)> {
        with_net!(self, n => n.layers.iter().map(|l| (l.weights_f64(), l.theta_f64())).collect())
    }

    /// The weights file of this network: weights, adaptive thresholds, configuration and the
    /// level that produced them (the one-layer format for one layer).
    pub fn weights_file(&self) -> WeightsFile {
        let cfg = self.cfg();
        let mut wf = WeightsFile::of_layers(cfg.height, cfg.width, &self.layers_f64());
        wf.arith = Some(self.level().to_string());
        wf.config = Some(cfg.clone());
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
            model.train(&px, |e, k, o, _| seen.push((e, k, o[0].winner)));
            let mut want = Vec::new();
            let (w, theta) = match Model::random(kind, &cfg).unwrap() {
                Model::Float(mut n) => {
                    let mut net = n.layers.remove(0);
                    net.train(&px, |e, k, p| want.push((e, k, p.winner)));
                    (net.weights_f64(), net.theta_f64())
                }
                Model::Fixed(mut n) => {
                    let mut net = n.layers.remove(0);
                    net.train(&px, |e, k, p| want.push((e, k, p.winner)));
                    (net.weights_f64(), net.theta_f64())
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
