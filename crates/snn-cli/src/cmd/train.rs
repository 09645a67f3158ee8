//! `snn train`: STDP learning over one or more data sets, written to a weights file.

use crate::config::{check_size, ConfigArgs, Weights};
use crate::data::{self, Inputs, SplitArg};
use crate::flags::at_least_one;
use crate::model::{ArithArgs, Model};
use crate::output::{print_json, save_weights, show, write_json};
use crate::paths::IoPlan;
use crate::progress::Progress;
use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Train the network with STDP and write its weights.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Training data, presented in the order given: MNIST IDX files or folders, PNG files,
    /// PNG folders (class subfolders give labels), or builtin[:train|:test].
    #[arg(long, value_name = "D", num_args = 1.., required = true)]
    pub data: Vec<String>,
    /// Which split of MNIST folders and builtin to use.
    #[arg(long, value_enum, default_value = "train")]
    pub split: SplitArg,
    /// Use only the first K images.
    #[arg(long, value_name = "K", value_parser = at_least_one)]
    pub limit: Option<usize>,
    /// Output neurons (default: 10, or the count of --init-weights).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub neurons: Option<usize>,
    /// Passes over the training images (default: the configuration's, 1).
    #[arg(long, value_name = "E", value_parser = at_least_one)]
    pub epochs: Option<usize>,
    /// Seed of the initial weights (and of the shuffle, when the config enables it).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Start from these weights instead of random ones (they fix the image size and neurons).
    #[arg(long, value_name = "W.json")]
    pub init_weights: Option<PathBuf>,
    #[command(flatten)]
    pub arith: ArithArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Weights file to write (missing folders are created).
    #[arg(long, value_name = "W.json")]
    pub out: PathBuf,
    /// Also write, per presentation, the WTA winner, inhibition step and spike times.
    #[arg(long, value_name = "T.json")]
    pub trace: Option<PathBuf>,
    /// Machine-readable report.
    #[arg(long)]
    pub json: bool,
}

/// One presentation in the trace file.
#[derive(Serialize)]
pub struct TraceEntry {
    pub epoch: usize,
    /// Index of the image in the training data.
    pub index: usize,
    pub winner: Option<usize>,
    pub inhibit_step: Option<u32>,
    pub spike_times: Vec<Vec<u32>>,
}

#[derive(Serialize)]
struct TraceFile<'a> {
    level: &'static str,
    presentations: &'a [TraceEntry],
}

/// What a training run did.
#[derive(Serialize)]
pub struct TrainStats {
    pub level: &'static str,
    pub images: usize,
    pub epochs: usize,
    pub presentations: usize,
    /// Presentations where no neuron crossed the threshold (no winner, no learning).
    pub no_winner: usize,
    pub seconds: f64,
    pub images_per_second: f64,
}

/// Trains `model` on `images` (with a progress bar), keeping the trace if asked.
pub fn train(
    model: &mut Model,
    images: &[&[u8]],
    keep_trace: bool,
) -> (TrainStats, Vec<TraceEntry>) {
    let epochs = model.cfg().epochs;
    let total = images.len() * epochs;
    let mut progress = Progress::new(total as u64, "training");
    let mut trace = Vec::new();
    let mut no_winner = 0;
    let start = Instant::now();
    model.train(images, |epoch, index, o| {
        no_winner += usize::from(o.winner.is_none());
        if keep_trace {
            trace.push(TraceEntry {
                epoch,
                index,
                winner: o.winner,
                inhibit_step: o.inhibit_step,
                spike_times: o.spike_times,
            });
        }
        progress.inc(1);
    });
    progress.finish();
    let seconds = start.elapsed().as_secs_f64();
    let stats = TrainStats {
        level: model.level(),
        images: images.len(),
        epochs,
        presentations: total,
        no_winner,
        seconds,
        images_per_second: if seconds > 0.0 {
            total as f64 / seconds
        } else {
            0.0
        },
    };
    (stats, trace)
}

#[derive(Serialize)]
struct TrainReport {
    weights: String,
    trace: Option<String>,
    data: String,
    height: usize,
    width: usize,
    neurons: usize,
    #[serde(flatten)]
    stats: TrainStats,
}

pub fn run(a: TrainArgs) -> Result<()> {
    let inputs = Inputs::resolve(&a.data, a.split.into())?;
    let plan = a.config.plan(inputs.plan(IoPlan::new(), "--data"));
    plan.input_opt("--init-weights", a.init_weights.as_deref())
        .output("--out", &a.out)
        .output_opt("--trace", a.trace.as_deref())
        .check()?;
    let ds = inputs.load(a.limit)?;
    let size = data::size(&ds);
    let init = a.init_weights.as_deref().map(Weights::load).transpose()?;
    let mut base = a.config.base(init.as_ref())?;
    let neurons = match (&init, a.neurons) {
        (Some(w), Some(n)) if n != w.file.neurons => {
            bail!(
                "--neurons {n} contradicts {}, which holds {} neurons",
                w.path.display(),
                w.file.neurons
            )
        }
        (Some(w), _) => w.file.neurons,
        (None, n) => n.unwrap_or(base.cfg.neurons),
    };
    if let Some(w) = &init {
        check_size(&ds.source, size, w)?;
    }
    if let Some(e) = a.epochs {
        base.cfg.epochs = e;
    }
    if let Some(s) = a.seed {
        base.cfg.seed = s;
    }
    let cfg = base.finish(size, neurons)?;
    let kind = a.arith.kind(init.as_ref().map(|w| &w.file));
    let mut model = match &init {
        Some(w) => {
            let mut m =
                Model::with_weights(kind, &cfg, &w.file.to_array(), a.arith.quantize, &w.path)?;
            m.set_theta(&w.file, a.arith.quantize, &w.path)?;
            m
        }
        None => Model::random(kind, &cfg)?,
    };
    let images = data::pixels(&ds);
    let (stats, trace) = train(&mut model, &images, a.trace.is_some());
    save_weights(&model.weights_file(), &a.out)?;
    if let Some(path) = &a.trace {
        write_json(
            path,
            &TraceFile {
                level: model.level(),
                presentations: &trace,
            },
        )?;
    }
    let report = TrainReport {
        weights: show(&a.out),
        trace: a.trace.as_deref().map(show),
        data: ds.source.clone(),
        height: size.0,
        width: size.1,
        neurons,
        stats,
    };
    if a.json {
        return print_json(&report);
    }
    println!(
        "trained {} neurons ({}) on {} images x {} epoch(s) of {}x{} in {:.2} s ({:.0} images/s); {} presentation(s) had no winner",
        neurons,
        report.stats.level,
        report.stats.images,
        report.stats.epochs,
        size.0,
        size.1,
        report.stats.seconds,
        report.stats.images_per_second,
        report.stats.no_winner
    );
    println!("weights written to {}", report.weights);
    if let Some(t) = &report.trace {
        println!("trace written to {t}");
    }
    Ok(())
}
