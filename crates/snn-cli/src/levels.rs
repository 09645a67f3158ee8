//! The hardware-faithful levels behind one interface: the golden fixed-point model, the
//! cycle-accurate model and the generated RTL in Verilator or Icarus. Each runs the same images
//! from the same raw weights and returns every field the levels must agree on.

use crate::config::{ConfigArgs, Weights};
use crate::data::SplitArg;
use crate::model::fixed_network;
use crate::progress::Progress;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use snn_core::prelude::*;
use snn_rtlsim::{RunOptions, Simulator};
use snn_sim::Machine;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `snn simulate` and `snn compare` present, and how: one set of flags for both commands.
#[derive(Args, Debug)]
pub struct Presentations {
    /// Weights to load (the RTL levels load them through the host port).
    #[arg(long, value_name = "W.json")]
    pub weights: PathBuf,
    /// Images, presented in the order given (see `snn train --help`).
    #[arg(long, value_name = "D", num_args = 1.., required = true)]
    pub data: Vec<String>,
    /// Which split of MNIST folders and builtin to use.
    #[arg(long, value_enum, default_value = "test")]
    pub split: SplitArg,
    /// Use only the first K images.
    #[arg(long, value_name = "K")]
    pub limit: Option<usize>,
    /// Round and clamp weights the fixed-point format cannot hold instead of failing.
    #[arg(long)]
    pub quantize: bool,
    /// Generated Verilog for the verilator and icarus levels.
    #[arg(long, value_name = "FILE", default_value = "hdl/snn_core.v")]
    pub hdl: PathBuf,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Levels that compute in the hardware's fixed point.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HwLevel {
    GoldenFixed,
    Cycle,
    Verilator,
    Icarus,
}

impl HwLevel {
    pub fn name(self) -> &'static str {
        match self {
            HwLevel::GoldenFixed => "golden-fixed",
            HwLevel::Cycle => "cycle",
            HwLevel::Verilator => "verilator",
            HwLevel::Icarus => "icarus",
        }
    }
}

/// Everything one presentation produced at one level.
#[derive(Clone, Debug, PartialEq)]
pub struct FullImage {
    pub winner: Option<usize>,
    pub inhibit_step: Option<u32>,
    pub spike_times: Vec<Vec<u32>>,
    pub threshold: i32,
    pub peak_count: u32,
    pub final_potentials: Vec<i32>,
    /// Clocked levels only.
    pub cycles: Option<u64>,
    /// Raw weights (neuron-major, `N*M`) after this image, when learning.
    pub weights_after: Option<Vec<i32>>,
}

pub struct LevelRun {
    pub level: HwLevel,
    pub images: Vec<FullImage>,
    /// Raw weights after the last image (neuron-major).
    pub final_weights: Vec<i32>,
    /// Wall time of the presentations (simulator builds excluded).
    pub seconds: f64,
}

/// The weights file as raw fixed-point values (neuron-major), checked against the format.
pub fn raw_weights(cfg: &SnnConfig, w: &Weights, quantize: bool) -> Result<Vec<i32>> {
    let net = fixed_network(cfg, &w.file.to_array(), quantize, &w.path)?;
    Ok(net.weights.iter().copied().collect())
}

/// Runs `images` at `level` from `raw` weights.
pub fn run(
    level: HwLevel,
    cfg: &SnnConfig,
    raw: &[i32],
    images: &[&[u8]],
    learn: bool,
    hdl: &Path,
    quiet: bool,
) -> Result<LevelRun> {
    let start = Instant::now();
    let mut progress = Progress::new(images.len() as u64, level.name(), quiet);
    let (images, final_weights, seconds) = match level {
        HwLevel::GoldenFixed => {
            let arith = FixedArith::new(cfg)?;
            let weights =
                ndarray::Array2::from_shape_vec((cfg.neurons, cfg.inputs()), raw.to_vec())?;
            let mut net = Network::from_parts(arith, cfg, weights);
            let mut out = Vec::with_capacity(images.len());
            for px in images {
                let p = net.present(
                    px,
                    PresentOptions {
                        learn,
                        record: false,
                    },
                );
                out.push(FullImage {
                    winner: p.winner,
                    inhibit_step: p.inhibit_step,
                    spike_times: p.spike_times,
                    threshold: p.threshold,
                    peak_count: p.peak_count,
                    final_potentials: p.final_potentials,
                    cycles: None,
                    weights_after: learn.then(|| net.weights.iter().copied().collect()),
                });
                progress.inc(1);
            }
            let w = net.weights.iter().copied().collect();
            (out, w, start.elapsed().as_secs_f64())
        }
        HwLevel::Cycle => {
            let mut machine =
                Machine::new(cfg).context("configuration not supported by the cycle model")?;
            machine.load_weights(raw)?;
            let mut out = Vec::with_capacity(images.len());
            for (k, px) in images.iter().enumerate() {
                let r = machine
                    .run_image(px, learn)
                    .with_context(|| format!("cycle model, image {k}"))?;
                out.push(FullImage {
                    winner: r.winner,
                    inhibit_step: r.inhibit_step,
                    spike_times: r.spike_times,
                    threshold: r.threshold,
                    peak_count: r.peak_count,
                    final_potentials: r.final_potentials,
                    cycles: Some(r.cycles),
                    weights_after: learn.then(|| machine.weights()),
                });
                progress.inc(1);
            }
            (out, machine.weights(), start.elapsed().as_secs_f64())
        }
        HwLevel::Verilator | HwLevel::Icarus => {
            let sim = if level == HwLevel::Verilator {
                Simulator::Verilator
            } else {
                Simulator::Icarus
            };
            let rows: Vec<Vec<i32>> = raw.chunks(cfg.inputs()).map(<[i32]>::to_vec).collect();
            let owned: Vec<Vec<u8>> = images.iter().map(|p| p.to_vec()).collect();
            let opts = RunOptions {
                dump_every: learn,
                ..RunOptions::default()
            };
            let r = snn_rtlsim::run(sim, hdl, cfg, &rows, &owned, learn, &opts)
                .with_context(|| format!("{}: {} run failed", hdl.display(), level.name()))?;
            progress.inc(images.len() as u64);
            let flat = |w: &Vec<Vec<i32>>| w.iter().flatten().copied().collect::<Vec<i32>>();
            let out = r
                .images
                .iter()
                .enumerate()
                .map(|(k, i)| FullImage {
                    winner: i.winner,
                    inhibit_step: i.inhibit_step,
                    spike_times: i.spike_times.clone(),
                    threshold: i.threshold,
                    peak_count: i.peak_count,
                    final_potentials: i.final_potentials.clone(),
                    cycles: Some(i.cycles),
                    weights_after: r.weights_after.as_ref().map(|w| flat(&w[k])),
                })
                .collect();
            (out, flat(&r.final_weights), r.wall_seconds)
        }
    };
    progress.finish();
    Ok(LevelRun {
        level,
        images,
        final_weights,
        seconds,
    })
}
