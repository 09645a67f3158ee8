//! `snn simulate`: the same presentations at any level of the project (golden float, golden fixed
//! point, cycle-accurate model), reported in ONE JSON schema so that levels can be compared byte
//! for byte: `{"level", "config", ..., "images": [{"index", "winner", "spike_times", "cycles"}]}`,
//! with the same keys at every level (`cycles` is `null` for the levels without a clock); the
//! schema is in docs/JSON.md.

use crate::cleanup::Temporary;
use crate::config::{check_size, Weights};
use crate::data::{self, Inputs};
use crate::levels::{self, HwLevel, Presentations};
use crate::model::{fixed_network, ArithKind, Model};
use crate::output::{create_parent, print_json, save_weights, show};
use crate::progress::Progress;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use ndarray::Array2;
use serde::Serialize;
use snn_core::prelude::*;
use snn_sim::{Machine, Stack as CoreStack, VcdWriter};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Present images at one level of the project and report winners and spike times.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Which model runs the presentations.
    #[arg(long, value_enum)]
    pub level: Level,
    #[command(flatten)]
    pub inputs: Presentations,
    /// Learn: STDP image by image, each image once in data order; needs --out.
    #[arg(long, requires = "out")]
    pub train: bool,
    /// Where --train writes the learned weights (missing folders are created).
    #[arg(long, value_name = "W2.json", requires = "train")]
    pub out: Option<PathBuf>,
    /// Value-change dump of every cycle (cycle level only; large: use --limit).
    #[arg(long, value_name = "out.vcd")]
    pub vcd: Option<PathBuf>,
    /// Print the JSON report (otherwise a summary).
    #[arg(long)]
    pub json: bool,
}

/// The levels; their names are those of the JSON `level` field and of weights files' `arith`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Golden model, SPEC arithmetic in f64.
    Golden,
    /// Golden model in the hardware's fixed point.
    GoldenFixed,
    /// Cycle-accurate model of the accelerator (snn-sim).
    Cycle,
    /// The generated Verilog (`--hdl`) in Verilator.
    Verilator,
    /// The generated Verilog (`--hdl`) in Icarus.
    Icarus,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Golden => "golden",
            Level::GoldenFixed => "golden-fixed",
            Level::Cycle => "cycle",
            Level::Verilator => "verilator",
            Level::Icarus => "icarus",
        }
    }

    /// The hardware-faithful level this is, `None` for the float golden model.
    fn hw(self) -> Option<HwLevel> {
        match self {
            Level::Golden => None,
            Level::GoldenFixed => Some(HwLevel::GoldenFixed),
            Level::Cycle => Some(HwLevel::Cycle),
            Level::Verilator => Some(HwLevel::Verilator),
            Level::Icarus => Some(HwLevel::Icarus),
        }
    }
}

/// One presentation, identical in form at every level.
#[derive(Serialize, Debug, PartialEq)]
pub struct ImageRecord {
    pub index: usize,
    pub winner: Option<usize>,
    pub spike_times: Vec<Vec<u32>>,
    /// Clock cycles of the presentation; `null` at the levels without a clock.
    pub cycles: Option<u64>,
}

#[derive(Serialize)]
struct SimReport<'a> {
    level: &'static str,
    config: &'a SnnConfig,
    weights: String,
    data: String,
    weights_out: Option<String>,
    vcd: Option<String>,
    /// Mean cycles per image; `null` at the levels without a clock.
    mean_cycles: Option<f64>,
    images: Vec<ImageRecord>,
}

/// What a level produced: one record per image and the weights (and with homeostasis theta)
/// afterwards.
struct Run {
    images: Vec<ImageRecord>,
    weights: Array2<f64>,
    theta: Option<Vec<f64>>,
    /// A network of several layers: its weights file (every layer's weights and theta).
    layers: Option<WeightsFile>,
}

pub fn run(a: SimulateArgs) -> Result<()> {
    if a.vcd.is_some() && a.level != Level::Cycle {
        bail!(
            "--vcd needs --level cycle: the {} model has no clock",
            a.level.name()
        );
    }
    let inputs = Inputs::resolve(&a.inputs.data, a.inputs.split.into())?;
    a.inputs
        .plan(&inputs, a.level.hw().is_some_and(HwLevel::is_rtl))
        .output_opt("--out", a.out.as_deref())
        .output_opt("--vcd", a.vcd.as_deref())
        .check()?;
    let w = Weights::load(&a.inputs.weights)?;
    if !matches!(a.level, Level::Golden | Level::GoldenFixed | Level::Cycle) {
        w.one_layer(&format!("snn simulate --level {}", a.level.name()))?;
    }
    let ds = inputs.load(a.inputs.limit)?;
    check_size(&ds.source, data::size(&ds), &w)?;
    let cfg = a.inputs.config.base(Some(&w))?.finish_for(&w)?;
    if a.level.hw().is_some_and(HwLevel::is_rtl) {
        levels::check_hdl(&a.inputs.hdl, &cfg)?;
    }
    if a.level != Level::Golden && cfg.depression_bound != DepressionBound::WMin {
        bail!(
            "{}: the configuration uses depression_bound = abs_w_min, which only --level golden implements; pass --depression-bound w-min to run level {}",
            w.path.display(),
            a.level.name()
        );
    }
    let images = data::pixels(&ds);
    let run = match a.level {
        Level::Golden => run_golden(ArithKind::Float, &cfg, &w, &a, &images)?,
        Level::GoldenFixed => run_golden(ArithKind::Fixed, &cfg, &w, &a, &images)?,
        Level::Cycle if w.layer_sizes().len() > 1 => run_cycle_layers(&cfg, &w, &a, &images)?,
        Level::Cycle => run_cycle(&cfg, &w, &a, &images)?,
        Level::Verilator => run_rtl(HwLevel::Verilator, &cfg, &w, &a, &images)?,
        Level::Icarus => run_rtl(HwLevel::Icarus, &cfg, &w, &a, &images)?,
    };
    if let Some(out) = &a.out {
        let mut wf = run.layers.clone().unwrap_or_else(|| WeightsFile {
            theta: run.theta.clone(),
            ..WeightsFile::new(cfg.height, cfg.width, &run.weights)
        });
        wf.arith = Some(a.level.name().to_string());
        wf.config = Some(cfg.clone());
        save_weights(&wf, out)?;
    }
    let cycles: Vec<u64> = run.images.iter().filter_map(|r| r.cycles).collect();
    let report = SimReport {
        level: a.level.name(),
        config: &cfg,
        weights: show(&a.inputs.weights),
        data: ds.source.clone(),
        weights_out: a.out.as_deref().map(show),
        vcd: a.vcd.as_deref().map(show),
        mean_cycles: (!cycles.is_empty())
            .then(|| cycles.iter().sum::<u64>() as f64 / cycles.len() as f64),
        images: run.images,
    };
    if a.json {
        return print_json(&report);
    }
    let with_winner = report.images.iter().filter(|r| r.winner.is_some()).count();
    println!(
        "{}: {} image(s) of {}, {} with a winner",
        report.level,
        report.images.len(),
        report.data,
        with_winner
    );
    if let Some(c) = report.mean_cycles {
        println!("mean cycles per image: {c:.1}");
    }
    for (what, path) in [
        ("learned weights", &report.weights_out),
        ("VCD", &report.vcd),
    ] {
        if let Some(p) = path {
            println!("{what} written to {p}");
        }
    }
    println!("(--json prints every image's winner and spike times)");
    Ok(())
}

/// The golden models: in parallel over images for inference, image by image when learning.
fn run_golden(
    kind: ArithKind,
    cfg: &SnnConfig,
    w: &Weights,
    a: &SimulateArgs,
    images: &[&[u8]],
) -> Result<Run> {
    let mut model = Model::from_file(kind, cfg, &w.file, a.inputs.quantize, &w.path)?;
    let record = |index: usize, winner, spike_times| ImageRecord {
        index,
        winner,
        spike_times,
        cycles: None,
    };
    let records = if a.train {
        let mut progress = Progress::new(images.len() as u64, "simulating");
        let mut out = Vec::with_capacity(images.len());
        for (k, px) in images.iter().enumerate() {
            let o = model.present(
                px,
                PresentOptions {
                    learn: true,
                    record: false,
                },
            );
            out.push(record(k, o.winner, o.spike_times));
            progress.inc(1);
        }
        progress.finish();
        out
    } else {
        model
            .infer(images)
            .into_iter()
            .enumerate()
            .map(|(k, o)| record(k, o.winner, o.spike_times))
            .collect()
    };
    Ok(Run {
        images: records,
        weights: model.weights_f64(),
        theta: (cfg.theta_max > 0.0).then(|| model.theta_f64()),
        layers: (model.depth() > 1).then(|| model.weights_file()),
    })
}

/// The cycle-accurate model, one image after the other as the hardware runs them.
fn run_cycle(cfg: &SnnConfig, w: &Weights, a: &SimulateArgs, images: &[&[u8]]) -> Result<Run> {
    let net = fixed_network(cfg, &w.file.to_array(), a.inputs.quantize, &w.path)?;
    let mut machine = Machine::new(cfg).with_context(|| {
        format!(
            "{}: configuration not supported by the cycle model",
            w.path.display()
        )
    })?;
    let raw: Vec<i32> = net.weights.iter().copied().collect();
    machine
        .load_weights(&raw)
        .with_context(|| format!("{}: cannot load the weights", w.path.display()))?;
    let theta = levels::raw_theta(cfg, w, a.inputs.quantize)?;
    if !theta.is_empty() {
        machine
            .load_theta(&theta)
            .with_context(|| format!("{}: cannot load theta", w.path.display()))?;
    }
    let vcd = match &a.vcd {
        Some(path) => Some(attach_vcd(&mut machine, path)?),
        None => None,
    };
    let mut progress = Progress::new(images.len() as u64, "simulating");
    let mut records = Vec::with_capacity(images.len());
    for (k, px) in images.iter().enumerate() {
        let r = machine
            .run_image(px, a.train)
            .with_context(|| format!("image {k}"))?;
        records.push(ImageRecord {
            index: k,
            winner: r.winner,
            spike_times: r.spike_times,
            cycles: r.cycles,
        });
        progress.inc(1);
    }
    progress.finish();
    if let (Some((tmp, _registered)), Some(path)) = (vcd, &a.vcd) {
        machine
            .finish_observer()
            .with_context(|| format!("{}: cannot write the VCD", path.display()))?;
        // Dropping the observer closes the file before it is renamed into place.
        drop(machine.take_observer());
        tmp.persist(path).with_context(|| {
            format!(
                "{}: cannot rename the temporary file into place",
                path.display()
            )
        })?;
    }
    let format = &net.arith.format;
    let weights = machine
        .weights()
        .iter()
        .map(|&x| format.to_f64(x))
        .collect::<Vec<f64>>();
    let weights = Array2::from_shape_vec((cfg.neurons, cfg.inputs()), weights)
        .expect("the machine holds N x M weights");
    let theta =
        (!theta.is_empty()).then(|| machine.theta().iter().map(|&x| format.to_f64(x)).collect());
    Ok(Run {
        images: records,
        weights,
        theta,
        layers: None,
    })
}

/// A network of several layers in the cycle model (`snn_sim::Stack`, each layer after the
/// one below on the same core), one image after the other; an image's cycles are its layers'.
fn run_cycle_layers(
    cfg: &SnnConfig,
    w: &Weights,
    a: &SimulateArgs,
    images: &[&[u8]],
) -> Result<Run> {
    if a.vcd.is_some() {
        bail!(
            "{}: holds layers {:?}; --vcd traces a network of one layer",
            w.path.display(),
            w.layer_sizes()
        );
    }
    let mut model = Model::from_file(ArithKind::Fixed, cfg, &w.file, a.inputs.quantize, &w.path)?;
    let Model::Fixed(net) = &mut model else {
        unreachable!("a fixed-point model")
    };
    let mut stack = CoreStack::new(cfg).with_context(|| {
        format!(
            "{}: configuration not supported by the cycle model",
            w.path.display()
        )
    })?;
    for (l, layer) in net.layers.iter().enumerate() {
        let m = stack.layer_mut(l);
        m.load_weights(layer.weights.as_slice().expect("standard layout"))
            .and_then(|()| m.load_theta(&layer.theta))
            .with_context(|| format!("{}: layer {}", w.path.display(), l + 1))?;
    }
    let mut progress = Progress::new(images.len() as u64, "simulating");
    let mut records = Vec::with_capacity(images.len());
    for (k, px) in images.iter().enumerate() {
        let mut layers = stack
            .run_image(px, a.train)
            .with_context(|| format!("image {k}"))?;
        let cycles = layers.iter().filter_map(|p| p.cycles).sum();
        let out = layers.pop().expect("one layer at least");
        records.push(ImageRecord {
            index: k,
            winner: out.winner,
            spike_times: out.spike_times,
            cycles: Some(cycles),
        });
        progress.inc(1);
    }
    progress.finish();
    // The learned state back into the network, which writes the weights file.
    for (layer, m) in net.layers.iter_mut().zip(stack.layers()) {
        layer
            .weights
            .as_slice_mut()
            .expect("standard layout")
            .copy_from_slice(&m.weights());
        layer.theta = m.theta();
    }
    Ok(Run {
        images: records,
        weights: model.weights_f64(),
        theta: (cfg.theta_max > 0.0).then(|| model.theta_f64()),
        layers: Some(model.weights_file()),
    })
}

/// The generated RTL in a simulator: weights loaded and read back through the host port.
fn run_rtl(
    level: HwLevel,
    cfg: &SnnConfig,
    w: &Weights,
    a: &SimulateArgs,
    images: &[&[u8]],
) -> Result<Run> {
    let raw = levels::raw_weights(cfg, w, a.inputs.quantize)?;
    let theta = levels::raw_theta(cfg, w, a.inputs.quantize)?;
    let run = levels::run(level, cfg, (&raw, &theta), images, a.train, &a.inputs.hdl)?;
    let format = FixedFormat::new(cfg)?;
    let weights = run
        .final_weights
        .iter()
        .map(|&x| format.to_f64(x))
        .collect::<Vec<f64>>();
    Ok(Run {
        images: run
            .images
            .into_iter()
            .enumerate()
            .map(|(index, i)| ImageRecord {
                index,
                winner: i.winner,
                spike_times: i.spike_times,
                cycles: i.cycles,
            })
            .collect(),
        weights: Array2::from_shape_vec((cfg.neurons, cfg.inputs()), weights)
            .expect("N x M weights"),
        theta: (!run.final_theta.is_empty())
            .then(|| run.final_theta.iter().map(|&x| format.to_f64(x)).collect()),
        layers: None,
    })
}

/// Starts a VCD of the machine into a temporary file beside `path` (mode 0644 like every
/// output); the caller renames it into place once the run succeeded, so a failed run leaves no
/// partial VCD, and the registration removes it if a signal ends the command.
fn attach_vcd(machine: &mut Machine, path: &Path) -> Result<(tempfile::TempPath, Temporary)> {
    create_parent(path)?;
    let (file, registered) = Temporary::create(|| {
        let (file, tmp) = snn_core::atomic::temp_file_beside(path)?.into_parts();
        let at = tmp.to_path_buf();
        Ok(((file, tmp), at))
    })?;
    let (file, tmp_path) = file;
    let writer = VcdWriter::new(BufWriter::new(file), machine)
        .with_context(|| format!("{}: cannot write the VCD", path.display()))?;
    machine.set_observer(Box::new(writer));
    Ok((tmp_path, registered))
}
