//! `snn agree`: how far the hardware's fixed point is from the SPEC's reals (issue 3, section 1).
//!
//! Three questions, each answered on the same images: (1) with the *same* weights, does fixed-point
//! inference pick the same WTA winner and spike counts as float inference (checked on the seeded
//! initial weights, which fire, and on the float-trained weights quantized); (2) trained from the
//! same seed on the same images, how far apart are the two weight sets; (3) what accuracy does each
//! arithmetic reach.

use crate::cmd::eval::evaluate;
use crate::config::ConfigArgs;
use crate::data::{self, Inputs, DEFAULT_CLASSES};
use crate::flags::{at_least_one, class_count};
use crate::model::{fixed_network, ArithKind, Model};
use crate::output::print_json;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use snn_core::prelude::*;
use snn_data::Split;
use std::path::Path;
use std::time::Instant;

/// Compare the fixed-point model with the float model: winners, weights after training, accuracy.
#[derive(Args, Debug)]
pub struct AgreeArgs {
    /// Labelled data: an MNIST folder (train split for training and labelling, test split for
    /// scoring), or builtin.
    #[arg(long, value_name = "D", num_args = 1.., required = true)]
    pub data: Vec<String>,
    /// Training (and labelling) images: the first K of the train split.
    #[arg(long, value_name = "K", default_value_t = 10_000, value_parser = at_least_one)]
    pub train_limit: usize,
    /// Scored images: the first K of the test split.
    #[arg(long, value_name = "K", default_value_t = 10_000, value_parser = at_least_one)]
    pub limit: usize,
    /// Output neurons (default: the configuration's, 10).
    #[arg(long, value_name = "N", value_parser = at_least_one, conflicts_with = "layers")]
    pub neurons: Option<usize>,
    /// Several layers (SPEC section 12), e.g. `--layers 64,16,10`: both arithmetics run the
    /// whole stack; the weight error covers every layer.
    #[arg(long, value_name = "N1,N2,...", value_delimiter = ',', num_args = 1.., value_parser = at_least_one)]
    pub layers: Option<Vec<usize>>,
    /// Number of classes (1 to 256): every label must be below it.
    #[arg(long, value_name = "C", default_value_t = DEFAULT_CLASSES, value_parser = class_count)]
    pub classes: usize,
    /// Seed of the initial weights.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Machine-readable report.
    #[arg(long)]
    pub json: bool,
}

/// Float and fixed inference with the same weights.
#[derive(Serialize)]
pub struct SameWeights {
    pub images: usize,
    /// Fraction of images where both pick the same WTA winner (or both none).
    pub same_winner: f64,
    /// Fraction of images where every neuron's spike count is the same.
    pub same_spike_counts: f64,
    /// Images where float found a winner.
    pub float_winners: usize,
}

#[derive(Serialize)]
pub struct WeightError {
    pub max_abs: f64,
    pub mean_abs: f64,
}

#[derive(Serialize)]
pub struct AgreeReport {
    pub data: String,
    pub train_images: usize,
    pub test_images: usize,
    pub frac_bits: u32,
    pub weight_bits: u32,
    /// The network's layer sizes (one entry for one layer).
    pub layers: Vec<usize>,
    pub initial_weights: SameWeights,
    pub float_trained_weights_quantized: SameWeights,
    /// Absent when the float run uses the seed-compatible rule, which fixed point does not have.
    pub weight_error_after_training: Option<WeightError>,
    pub accuracy_float: f64,
    pub accuracy_fixed: Option<f64>,
    /// Accuracy of fixed-point inference with the float-trained weights quantized.
    pub accuracy_fixed_with_float_weights: f64,
    pub seconds: f64,
}

fn same_weights(float: &Model, fixed: &Model, images: &[&[u8]]) -> SameWeights {
    let a = float.infer(images);
    let b = fixed.infer(images);
    let n = images.len().max(1) as f64;
    SameWeights {
        images: images.len(),
        same_winner: a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x.winner == y.winner)
            .count() as f64
            / n,
        same_spike_counts: a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x.spike_counts() == y.spike_counts())
            .count() as f64
            / n,
        float_winners: a.iter().filter(|x| x.winner.is_some()).count(),
    }
}

/// Fixed-point inference network with the float network's weights rounded into the format,
/// layer by layer. Inference does not depend on the STDP depression rule, so float runs of the
/// seed-compatible rule can be measured too: the fixed network always carries the corrected
/// rule the hardware implements.
fn quantized(cfg: &SnnConfig, float: &Model) -> Result<Model> {
    let cfg = SnnConfig {
        depression_bound: DepressionBound::WMin,
        ..cfg.clone()
    };
    let nets = float
        .layers_f64()
        .iter()
        .enumerate()
        .map(|(l, (w, _))| {
            let c = cfg.layer_config(l);
            fixed_network(&c, w, true, Path::new("float-trained weights"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Model::Fixed(Stack::new(&cfg, nets)?))
}

/// Every layer's weights, one after the other.
fn all_weights(m: &Model) -> Vec<f64> {
    m.layers_f64()
        .into_iter()
        .flat_map(|(w, _)| w.into_iter())
        .collect()
}

pub fn run(a: AgreeArgs) -> Result<()> {
    let start = Instant::now();
    let train =
        Inputs::resolve(&a.data, Split::Train)?.load_labelled(Some(a.train_limit), a.classes)?;
    let test = Inputs::resolve(&a.data, Split::Test)?.load_labelled(Some(a.limit), a.classes)?;
    data::labels(&train, "labelling")?;
    data::labels(&test, "scoring")?;
    let mut base = a.config.base(None)?;
    if let Some(s) = a.seed {
        base.cfg.seed = s;
    }
    let sizes = match (&a.layers, a.neurons) {
        (Some(l), _) => l.clone(),
        (None, Some(n)) => vec![n],
        (None, None) => base.cfg.layer_sizes(),
    };
    let cfg = base.finish_layers(data::size(&train), &sizes)?;
    let test_px = data::pixels(&test);

    let mut float = Model::random(ArithKind::Float, &cfg)?;
    let initial = same_weights(&float, &quantized(&cfg, &float)?, &test_px);

    let train_px = data::pixels(&train);
    float.train(&train_px, |_, _, _, _| {});
    let fixed = if cfg.depression_bound == DepressionBound::WMin {
        let mut fixed = Model::random(ArithKind::Fixed, &cfg)?;
        fixed.train(&train_px, |_, _, _, _| {});
        Some(fixed)
    } else {
        None
    };
    let float_q = quantized(&cfg, &float)?;
    let trained = same_weights(&float, &float_q, &test_px);

    let report = AgreeReport {
        data: train.source.clone(),
        train_images: train.len(),
        test_images: test.len(),
        frac_bits: cfg.fixed.frac_bits,
        weight_bits: cfg.fixed.weight_bits,
        layers: cfg.layer_sizes(),
        initial_weights: initial,
        float_trained_weights_quantized: trained,
        weight_error_after_training: fixed.as_ref().map(|f| {
            let (a, b) = (all_weights(&float), all_weights(f));
            let diff: Vec<f64> = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).collect();
            WeightError {
                max_abs: diff.iter().cloned().fold(0.0, f64::max),
                mean_abs: diff.iter().sum::<f64>() / diff.len().max(1) as f64,
            }
        }),
        accuracy_float: evaluate(&float, &train, &test, a.classes)?
            .evaluation
            .accuracy,
        accuracy_fixed: match &fixed {
            Some(f) => Some(evaluate(f, &train, &test, a.classes)?.evaluation.accuracy),
            None => None,
        },
        accuracy_fixed_with_float_weights: evaluate(&float_q, &train, &test, a.classes)?
            .evaluation
            .accuracy,
        seconds: start.elapsed().as_secs_f64(),
    };
    if a.json {
        print_json(&report)
    } else {
        println!(
            "fixed vs float on {} test images ({} training):\n  same winner, same weights: {:.4} (initial), {:.4} (float-trained, quantized)",
            report.test_images,
            report.train_images,
            report.initial_weights.same_winner,
            report.float_trained_weights_quantized.same_winner,
        );
        if let Some(e) = &report.weight_error_after_training {
            println!(
                "  weight error after training: max {:.4}, mean {:.4}",
                e.max_abs, e.mean_abs
            );
        }
        let fixed = report
            .accuracy_fixed
            .map_or("n/a (seed-compatible rule is float only)".into(), |a| {
                format!("{a:.4}")
            });
        println!(
            "  accuracy: float {:.4}, fixed {fixed}, fixed inference with quantized float weights {:.4}",
            report.accuracy_float, report.accuracy_fixed_with_float_weights
        );
        Ok(())
    }
}
