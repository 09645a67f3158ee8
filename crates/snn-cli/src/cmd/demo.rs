//! `snn demo`: the project's main job on its embedded defaults, end to end: data, training,
//! labelling and evaluation, the weights file and the weight pictures, Verilog generation, and the
//! hardware levels (golden fixed point, cycle-accurate model, the generated RTL in Verilator)
//! checked bit for bit on the trained network and on on-chip learning.
//!
//! Everything runs the `default` preset (SPEC section 10: balanced STDP, homeostasis, row
//! normalization) in the hardware's fixed point, so the network trained in software is the one
//! the generated core runs: its weights and adaptive thresholds go to every hardware level as
//! they are, and on-chip learning is checked from the seeded initial weights.
//!
//! The job is a list of steps run in order over one shared [`Demo`] state, each reporting what it
//! did.

use crate::cmd::{compare, eval, reconstruct, train};
use crate::data::{self, Inputs, DEFAULT_CLASSES};
use crate::levels::{self, HwLevel};
use crate::model::{ArithKind, Model};
use crate::output::{ensure_dir, print_json, save_weights, show, write_json};
use crate::paths::IoPlan;
use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use snn_core::config::SnnConfig;
use snn_data::{Dataset, Split};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Train on the built-in digits (or MNIST when found), evaluate, and write weights and pictures.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Folder for everything the demo writes.
    #[arg(long, value_name = "DIR", default_value = "demo-out")]
    pub out: PathBuf,
    /// MNIST folder to use (default: $SNN_MNIST_DIR, else ../shared/data/mnist when present).
    #[arg(long, value_name = "DIR", conflicts_with = "builtin")]
    pub mnist: Option<PathBuf>,
    /// Use the built-in digits even when MNIST is found.
    #[arg(long)]
    pub builtin: bool,
    /// Machine-readable report.
    #[arg(long)]
    pub json: bool,
}

/// MNIST training images the demo uses: one full epoch, the figure the README's "Learning"
/// section reports (a few seconds in a release build).
const MNIST_TRAIN: usize = 60_000;
/// MNIST test images the demo scores.
const MNIST_TEST: usize = 1000;

/// A step: works on the shared state and returns a one-line summary of what it did.
type Step = fn(&mut Demo) -> Result<String>;

/// The steps, in order.
const STEPS: &[(&str, Step)] = &[
    ("data", step_data),
    ("train", step_train),
    ("evaluate", step_evaluate),
    ("save", step_save),
    ("pictures", step_pictures),
    ("generate", step_generate),
    ("hardware", step_hardware),
    ("on-chip", step_on_chip),
];

/// Test images the hardware levels present (the cycle model and Verilator run them one by one).
const HW_IMAGES: usize = 200;
/// Training presentations of the on-chip learning check.
const ON_CHIP_IMAGES: usize = 20;

/// State the steps share.
struct Demo {
    out: PathBuf,
    /// The MNIST folder, when the demo runs on MNIST.
    mnist: Option<PathBuf>,
    train_set: Dataset,
    test_set: Dataset,
    model: Option<Model>,
    evaluation: Option<eval::EvalReport>,
    /// The configuration the hardware runs (corrected STDP rule).
    hw_cfg: Option<SnnConfig>,
    /// The generated Verilog.
    hdl: Option<PathBuf>,
    report: DemoReport,
}

#[derive(Serialize, Default)]
struct DemoReport {
    out: String,
    data: String,
    train_images: usize,
    test_images: usize,
    accuracy: Option<f64>,
    files: Vec<String>,
    steps: Vec<StepReport>,
    seconds: f64,
}

#[derive(Serialize)]
struct StepReport {
    name: &'static str,
    seconds: f64,
    summary: String,
}

/// The MNIST folder to use: `--mnist`, else `$SNN_MNIST_DIR`, else `../shared/data/mnist`, when it
/// holds the training images.
fn find_mnist(a: &DemoArgs) -> Option<PathBuf> {
    if a.builtin {
        return None;
    }
    if let Some(dir) = &a.mnist {
        return Some(dir.clone());
    }
    let candidates = std::env::var_os("SNN_MNIST_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("../shared/data/mnist")]);
    candidates.into_iter().find(|d| has_mnist(d))
}

fn has_mnist(dir: &Path) -> bool {
    ["train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"]
        .iter()
        .any(|n| dir.join(n).is_file())
}

fn step_data(d: &mut Demo) -> Result<String> {
    let (path, limits) = match &d.mnist {
        Some(dir) => (
            dir.display().to_string(),
            (Some(MNIST_TRAIN), Some(MNIST_TEST)),
        ),
        None => ("builtin".to_string(), (None, None)),
    };
    let load = |split, limit| {
        Inputs::resolve(std::slice::from_ref(&path), split)?.load_labelled(limit, DEFAULT_CLASSES)
    };
    let (train_set, test_set) = (load(Split::Train, limits.0)?, load(Split::Test, limits.1)?);
    d.report.data = if d.mnist.is_some() {
        format!("MNIST ({})", train_set.source)
    } else {
        "built-in digits".into()
    };
    d.report.train_images = train_set.len();
    d.report.test_images = test_set.len();
    let summary = format!(
        "{}: {} training and {} test images",
        d.report.data,
        train_set.len(),
        test_set.len()
    );
    d.train_set = train_set;
    d.test_set = test_set;
    Ok(summary)
}

fn step_train(d: &mut Demo) -> Result<String> {
    let cfg = SnnConfig {
        height: data::size(&d.train_set).0,
        width: data::size(&d.train_set).1,
        ..SnnConfig::learning()
    };
    cfg.validate().context("the default preset")?;
    d.hw_cfg = Some(cfg.clone());
    let mut model = Model::random(ArithKind::Fixed, &cfg)?;
    let (stats, _) = train::train(&mut model, &data::pixels(&d.train_set), false);
    d.model = Some(model);
    Ok(format!(
        "{} neurons, {} presentation(s) in {:.2} s ({:.0} images/s), fixed point, default preset (homeostasis, row normalization)",
        cfg.neurons, stats.presentations, stats.seconds, stats.images_per_second
    ))
}

fn step_evaluate(d: &mut Demo) -> Result<String> {
    let model = d.model.as_ref().context("no trained model")?;
    let r = eval::evaluate(model, &d.train_set, &d.test_set, DEFAULT_CLASSES)?;
    let e = &r.evaluation;
    let summary = format!(
        "accuracy {:.2}% ({} of {} test images; neurons labelled on the {} training images)",
        100.0 * e.accuracy,
        e.correct,
        e.total,
        r.label_images
    );
    d.report.accuracy = Some(e.accuracy);
    d.evaluation = Some(r);
    Ok(summary)
}

fn step_save(d: &mut Demo) -> Result<String> {
    let model = d.model.as_ref().context("no trained model")?;
    let mut wf = model.weights_file();
    wf.labels = d.evaluation.as_ref().map(|r| r.neuron_labels.clone());
    let weights = d.out.join("weights.json");
    save_weights(&wf, &weights)?;
    let mut written = vec![weights];
    if let Some(r) = &d.evaluation {
        let path = d.out.join("eval.json");
        write_json(&path, r)?;
        written.push(path);
    }
    let summary = written
        .iter()
        .map(|p| show(p))
        .collect::<Vec<_>>()
        .join(", ");
    d.report.files.extend(written.iter().map(|p| show(p)));
    Ok(summary)
}

fn step_pictures(d: &mut Demo) -> Result<String> {
    let model = d.model.as_ref().context("no trained model")?;
    let cfg = model.cfg();
    let dir = d.out.join("weights");
    let mut wf = model.weights_file();
    wf.labels = d.evaluation.as_ref().map(|r| r.neuron_labels.clone());
    let files =
        reconstruct::write_pictures(&wf, cfg.w_min, cfg.w_max, &dir, reconstruct::DEFAULT_SCALE)?;
    d.report.files.extend(files.iter().map(|p| show(p)));
    Ok(format!(
        "{} neuron pictures and grid.png in {}",
        files.len() - 1,
        dir.display()
    ))
}

fn step_generate(d: &mut Demo) -> Result<String> {
    let cfg = d.hw_cfg.as_ref().context("no configuration")?;
    let files = snn_hdl::generate::write_hdl(cfg, &d.out.join("hdl"))?;
    let verilog = files[0].clone();
    let lines = std::fs::read_to_string(&verilog)?.lines().count();
    d.report.files.extend(files.iter().map(|p| show(p)));
    d.hdl = Some(verilog.clone());
    Ok(format!(
        "{} ({lines} lines of Verilog-2005, top module snn_core)",
        show(&verilog)
    ))
}

/// The levels the demo compares: Verilator only when installed (`scripts/install-tools.sh`).
fn hw_levels() -> (Vec<HwLevel>, &'static str) {
    if snn_rtlsim::Simulator::Verilator.available() {
        (
            vec![HwLevel::GoldenFixed, HwLevel::Cycle, HwLevel::Verilator],
            "",
        )
    } else {
        (
            vec![HwLevel::GoldenFixed, HwLevel::Cycle],
            " (verilator not installed: RTL level skipped)",
        )
    }
}

/// Runs `levels` on `images` and summarises their agreement; a mismatch fails the demo.
fn agree(d: &Demo, state: (&[i32], &[i32]), images: &[&[u8]], learn: bool) -> Result<String> {
    let cfg = d.hw_cfg.as_ref().context("no configuration")?;
    let hdl = d.hdl.as_ref().context("no Verilog")?;
    let (levels, note) = hw_levels();
    let runs = levels
        .iter()
        .map(|&l| levels::run(l, cfg, state, images, learn, hdl))
        .collect::<Result<Vec<_>>>()?;
    let (summaries, mismatch) = compare::check(&runs);
    if let Some(m) = mismatch {
        anyhow::bail!(
            "levels disagree: image {}, {} vs {}: {} = {} (reference {})",
            m.image,
            m.level,
            m.reference,
            m.signal,
            m.value,
            m.reference_value
        );
    }
    let names: Vec<&str> = summaries.iter().map(|s| s.level).collect();
    let cycles = summaries.iter().find_map(|s| s.mean_cycles).unwrap_or(0.0);
    let speed: Vec<String> = summaries
        .iter()
        .map(|s| format!("{} {:.0} images/s", s.level, s.images_per_second))
        .collect();
    Ok(format!(
        "{} image(s), {} agree bit for bit{}; mean {cycles:.0} cycles/image; {}",
        images.len(),
        names.join(" = "),
        if learn {
            " (every weight and theta after every image)"
        } else {
            ""
        },
        speed.join(", ")
    ) + note)
}

/// The raw weights (neuron-major) and theta of a fixed-point model.
fn raw_state(model: &Model) -> Result<(Vec<i32>, Vec<i32>)> {
    let Model::Fixed(net) = model else {
        anyhow::bail!("the demo trains in fixed point")
    };
    let net = &net.layers[0];
    Ok((net.weights.iter().copied().collect(), net.theta.clone()))
}

fn step_hardware(d: &mut Demo) -> Result<String> {
    let (raw, theta) = raw_state(d.model.as_ref().context("no trained model")?)?;
    let images = data::pixels(&d.test_set);
    let images = &images[..images.len().min(HW_IMAGES)];
    Ok(format!(
        "inference of the trained network (weights and theta): {}",
        agree(d, (&raw, &theta), images, false)?
    ))
}

fn step_on_chip(d: &mut Demo) -> Result<String> {
    let cfg = d.hw_cfg.clone().context("no configuration")?;
    let (raw, theta) = raw_state(&Model::random(ArithKind::Fixed, &cfg)?)?;
    let images = data::pixels(&d.train_set);
    let images = &images[..images.len().min(ON_CHIP_IMAGES)];
    Ok(format!(
        "STDP learning with homeostasis and normalization from the seeded initial weights: {}",
        agree(d, (&raw, &theta), images, true)?
    ))
}

pub fn run(a: DemoArgs) -> Result<()> {
    IoPlan::new()
        .output_folder(
            "--out",
            &a.out,
            &["weights.json".into(), "eval.json".into()],
        )
        .check()?;
    ensure_dir(&a.out)?;
    let start = Instant::now();
    let mut d = Demo {
        out: a.out.clone(),
        mnist: find_mnist(&a),
        train_set: Dataset::default(),
        test_set: Dataset::default(),
        model: None,
        evaluation: None,
        hw_cfg: None,
        hdl: None,
        report: DemoReport {
            out: show(&a.out),
            ..DemoReport::default()
        },
    };
    for &(name, step) in STEPS {
        let t0 = Instant::now();
        let summary = step(&mut d).with_context(|| format!("demo step {name}"))?;
        if !a.json {
            println!("{name:>9}: {summary}");
        }
        d.report.steps.push(StepReport {
            name,
            seconds: t0.elapsed().as_secs_f64(),
            summary,
        });
    }
    d.report.seconds = start.elapsed().as_secs_f64();
    if a.json {
        return print_json(&d.report);
    }
    println!(
        "done in {:.1} s; {} files written under {}",
        d.report.seconds,
        d.report.files.len(),
        a.out.display()
    );
    Ok(())
}
