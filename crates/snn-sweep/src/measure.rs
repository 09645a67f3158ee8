//! Running one point: train the golden model, label and score it, count the cycle model's
//! cycles, and synthesize its design. Everything here is single-threaded and seeded, so a point
//! gives the same record whichever worker runs it and whatever else runs beside it.

use crate::record::{Cycles, Outcome, Record, Seconds};
use crate::spec::{ArithKind, DataSpec};
use crate::synth::SynthCache;
use anyhow::Result;
use snn_core::metrics;
use snn_core::prelude::*;
use snn_sim::Machine;
use std::collections::BTreeMap;
use std::time::Instant;

/// Presentations the "no winner recently" measure looks back over.
pub const RECENT: usize = 1000;

/// The images of a sweep, loaded once and shared by every point.
pub struct Data {
    pub train: Vec<Vec<u8>>,
    pub train_labels: Vec<u8>,
    pub test: Vec<Vec<u8>>,
    pub test_labels: Vec<u8>,
    /// Labelling uses the first `label` training images.
    pub label: usize,
    pub size: (usize, usize),
}

/// What training and evaluation measured.
struct Learned {
    accuracy: Option<f64>,
    correct: Option<usize>,
    tested: usize,
    no_prediction: Option<usize>,
    per_class: Option<Vec<f64>>,
    presentations: usize,
    no_winner: usize,
    no_winner_last: usize,
    never_won: usize,
    theta: (f64, f64),
    /// Trained weights and adaptive thresholds as reals, for the cycle model.
    weights: ndarray::Array2<f64>,
    theta_values: Vec<f64>,
    train_s: f64,
    eval_s: f64,
}

fn learn<A: Arith>(mut net: Network<A>, data: &Data) -> Learned {
    let cfg = net.cfg.clone();
    let start = Instant::now();
    let images: Vec<&[u8]> = data.train.iter().map(Vec::as_slice).collect();
    let mut wins = vec![0usize; cfg.neurons];
    // Winner flags of the most recent presentations, as a ring.
    let mut recent = vec![false; RECENT];
    let (mut presentations, mut no_winner) = (0usize, 0usize);
    for epoch in 0..cfg.epochs {
        let arith = net.epoch_arith(epoch);
        for k in net.epoch_order(images.len(), epoch) {
            let p = net.train_image(&arith, images[k]);
            match p.winner {
                Some(j) => wins[j] += 1,
                None => no_winner += 1,
            }
            recent[presentations % RECENT] = p.winner.is_none();
            presentations += 1;
        }
    }
    let train_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut eval = (None, None, None, None);
    if !data.test.is_empty() {
        let mut counts = |set: &[Vec<u8>]| -> Vec<Vec<u32>> {
            set.iter()
                .map(|px| net.present(px, PresentOptions::default()).spike_counts())
                .collect()
        };
        let label_counts = counts(&data.train[..data.label]);
        let test_counts = counts(&data.test);
        let labels = &data.train_labels[..data.label];
        let classes = labels
            .iter()
            .chain(&data.test_labels)
            .map(|&l| l as usize + 1)
            .max()
            .unwrap_or(0)
            .max(10);
        let neuron_labels = metrics::label_neurons(&label_counts, labels, classes);
        let predictions: Vec<Option<u8>> = test_counts
            .iter()
            .map(|c| metrics::predict(c, &neuron_labels))
            .collect();
        let e = metrics::evaluate(&predictions, &data.test_labels, classes);
        eval = (
            Some(e.accuracy),
            Some(e.correct),
            Some(e.no_prediction),
            Some(e.per_class.iter().map(|c| c.accuracy).collect()),
        );
    }
    let theta = net.theta_f64();
    let fold = |f: fn(f64, f64) -> f64, init| theta.iter().copied().fold(init, f);
    Learned {
        accuracy: eval.0,
        correct: eval.1,
        tested: data.test.len(),
        no_prediction: eval.2,
        per_class: eval.3,
        presentations,
        no_winner,
        no_winner_last: recent[..presentations.min(RECENT)]
            .iter()
            .filter(|&&x| x)
            .count(),
        never_won: wins.iter().filter(|&&w| w == 0).count(),
        theta: (
            fold(f64::min, f64::INFINITY),
            fold(f64::max, f64::NEG_INFINITY),
        ),
        weights: net.weights_f64(),
        theta_values: theta.clone(),
        train_s,
        eval_s: start.elapsed().as_secs_f64(),
    }
}

/// The hardware's raw weights for `w` (rounded and clamped to its format: exact for weights a
/// fixed-point run produced).
fn raw(cfg: &SnnConfig, w: &ndarray::Array2<f64>) -> Result<Vec<i32>> {
    let a = FixedArith::new(cfg)?;
    w.iter().map(|&x| a.weight_from_f64(x, true)).collect()
}

/// A trained network as the hardware's raw weights and thresholds.
struct Trained<'a> {
    weights: &'a ndarray::Array2<f64>,
    theta: &'a [f64],
}

/// Mean cycles per image of the cycle model: training from the initial weights (theta 0) on the
/// first `k` training images, inference with the trained weights and thresholds on the first
/// `k` test images.
fn cycles(
    cfg: &SnnConfig,
    initial: &ndarray::Array2<f64>,
    trained: Trained,
    data: &Data,
    k: usize,
) -> Result<Cycles> {
    let arith = FixedArith::new(cfg)?;
    let zero = vec![0.0; cfg.neurons];
    let mean =
        |w: &ndarray::Array2<f64>, theta: &[f64], images: &[Vec<u8>], learn: bool| -> Result<f64> {
            let mut m = Machine::new(cfg)?;
            m.load_weights(&raw(cfg, w)?)?;
            let theta: Vec<i32> = theta
                .iter()
                .map(|&x| arith.theta_from_f64(x, true))
                .collect::<Result<_>>()?;
            m.load_theta(&theta)?;
            let images = &images[..k.min(images.len())];
            let mut total = 0u64;
            for px in images {
                total += m.run_image(px, learn)?.cycles.expect("a clocked level");
            }
            Ok(total as f64 / images.len().max(1) as f64)
        };
    let test = if data.test.is_empty() {
        &data.train
    } else {
        &data.test
    };
    Ok(Cycles {
        images: k.min(data.train.len()).min(test.len()),
        training: mean(initial, &zero, &data.train, true)?,
        inference: mean(trained.weights, trained.theta, test, false)?,
    })
}

/// What every point of a sweep shares.
pub struct Shared<'a> {
    pub data: &'a Data,
    pub spec: &'a DataSpec,
    /// Images the cycle model presents (0: none).
    pub cycle_images: usize,
    pub synth: &'a SynthCache,
    /// The sweep's hash, stamped on every record.
    pub hash: &'a str,
}

/// Measures one point.
pub fn run_point(
    index: usize,
    point: serde_json::Value,
    cfg: &SnnConfig,
    sh: &Shared,
) -> Result<Record> {
    let data = sh.data;
    let (learned, initial) = match sh.spec.arith {
        ArithKind::Float => {
            let net = Network::with_random_weights(FloatArith::new(cfg), cfg);
            let w0 = net.weights_f64();
            (learn(net, data), w0)
        }
        ArithKind::Fixed => {
            let net = Network::with_random_weights(FixedArith::new(cfg)?, cfg);
            let w0 = net.weights_f64();
            (learn(net, data), w0)
        }
    };
    let start = Instant::now();
    let cycles = (sh.cycle_images > 0).then(|| {
        let trained = Trained {
            weights: &learned.weights,
            theta: &learned.theta_values,
        };
        match self::cycles(cfg, &initial, trained, data, sh.cycle_images) {
            Ok(c) => Outcome::Ok(c),
            Err(e) => Outcome::Failed {
                error: format!("cycle model: {e:#}"),
            },
        }
    });
    let cycles_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let inference = cycles.as_ref().and_then(Outcome::ok).map(|c| c.inference);
    let synth: BTreeMap<String, _> = sh.synth.measure(cfg, inference);
    Ok(Record {
        index,
        point,
        accuracy: learned.accuracy,
        correct: learned.correct,
        tested: learned.tested,
        no_prediction: learned.no_prediction,
        per_class: learned.per_class,
        neurons: cfg.neurons,
        presentations: learned.presentations,
        no_winner: learned.no_winner,
        no_winner_last_1000: learned.no_winner_last,
        never_won: learned.never_won,
        theta_min: learned.theta.0,
        theta_max: learned.theta.1,
        cycles,
        synth,
        seconds: Seconds {
            train: learned.train_s,
            eval: learned.eval_s,
            cycles: cycles_s,
            synth: start.elapsed().as_secs_f64(),
        },
        spec: sh.hash.to_string(),
    })
}
