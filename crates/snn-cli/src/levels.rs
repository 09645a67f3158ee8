//! The hardware-faithful levels behind one interface: the golden fixed-point model, the
//! cycle-accurate model and the generated RTL in Verilator or Icarus. Each runs the same images
//! from the same raw weights and returns every field the levels must agree on.

use crate::cleanup::Temporary;
use crate::config::{ConfigArgs, Weights};
use crate::data::{Inputs, SplitArg};
use crate::flags::at_least_one;
use crate::model::fixed_network;
use crate::paths::IoPlan;
use crate::progress::{Progress, Steps};
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde_json::Value;
use snn_core::prelude::*;
use snn_fpga::flow::LogFollower;
use snn_rtlsim::{RtlRun, RunOptions, Simulator};
use snn_sim::Machine;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    #[arg(long, value_name = "K", value_parser = at_least_one)]
    pub limit: Option<usize>,
    /// Round and clamp weights the fixed-point format cannot hold instead of failing.
    #[arg(long)]
    pub quantize: bool,
    /// Generated Verilog for the verilator and icarus levels; the `.json` report beside it
    /// (as `snn generate` writes it) must describe the same configuration.
    #[arg(long, value_name = "FILE", default_value = "hdl/snn_core.v")]
    pub hdl: PathBuf,
    #[command(flatten)]
    pub config: ConfigArgs,
}

impl Presentations {
    /// The files these presentations read (the Verilog and its report when `rtl`), for the
    /// command's [`IoPlan`].
    pub fn plan(&self, inputs: &Inputs, rtl: bool) -> IoPlan {
        let plan = self
            .config
            .plan(inputs.plan(IoPlan::new().input("--weights", &self.weights), "--data"));
        if rtl {
            plan.input("--hdl", &self.hdl)
                .input("--hdl", &self.hdl.with_extension("json"))
        } else {
            plan
        }
    }
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
    /// Whether this level simulates the generated Verilog.
    pub fn is_rtl(self) -> bool {
        matches!(self, HwLevel::Verilator | HwLevel::Icarus)
    }

    pub fn name(self) -> &'static str {
        match self {
            HwLevel::GoldenFixed => "golden-fixed",
            HwLevel::Cycle => "cycle",
            HwLevel::Verilator => "verilator",
            HwLevel::Icarus => "icarus",
        }
    }
}

pub struct LevelRun {
    pub level: HwLevel,
    /// What each image produced at the output layer (`cycles` only at the clocked levels: with
    /// several layers, the image's, every layer's summed).
    pub images: Vec<Presentation<i32>>,
    /// A network of several layers: per image, the presentations of the layers below the
    /// output, from the first; empty for one layer.
    pub hidden: Vec<Vec<Presentation<i32>>>,
    /// Each layer's `(neurons, inputs)`, from the first: how the weights and theta below are
    /// laid out, layer after layer.
    pub shapes: Vec<(usize, usize)>,
    /// Raw weights (neuron-major, `N*M` per layer) after each image, when learning; empty
    /// otherwise.
    pub weights_after: Vec<Vec<i32>>,
    /// Raw weights after the last image (neuron-major).
    pub final_weights: Vec<i32>,
    /// Raw theta (one per neuron) after each image when learning, and after the last; empty
    /// without homeostasis.
    pub theta_after: Vec<Vec<i32>>,
    pub final_theta: Vec<i32>,
    /// Wall time of the presentations (simulator builds excluded).
    pub seconds: f64,
}

/// The weights file as raw fixed-point values (neuron-major), checked against the format.
pub fn raw_weights(cfg: &SnnConfig, w: &Weights, quantize: bool) -> Result<Vec<i32>> {
    let net = fixed_network(cfg, &w.file.to_array(), quantize, &w.path)?;
    Ok(net.weights.iter().copied().collect())
}

/// The weights file's `theta` as raw fixed-point values (one per neuron; all 0 when the file
/// has none), checked against the format; empty without homeostasis.
pub fn raw_theta(cfg: &SnnConfig, w: &Weights, quantize: bool) -> Result<Vec<i32>> {
    if !snn_arch::HwParams::new(cfg)?.homeostasis {
        return Ok(Vec::new());
    }
    let mut net = fixed_network(cfg, &w.file.to_array(), quantize, &w.path)?;
    net.set_theta(&w.file.theta_or_zero(), quantize)
        .with_context(|| {
            format!(
                "{}: theta does not fit the fixed-point model",
                w.path.display()
            )
        })?;
    Ok(net.theta)
}

/// Runs `images` at `level` from raw weights and theta (`state`; theta empty without
/// homeostasis).
pub fn run(
    level: HwLevel,
    cfg: &SnnConfig,
    (raw, theta): (&[i32], &[i32]),
    images: &[&[u8]],
    learn: bool,
    hdl: &Path,
) -> Result<LevelRun> {
    let start = Instant::now();
    let mut progress = Progress::new(images.len() as u64, level.name());
    let mut weights_after = Vec::new();
    let mut theta_after = Vec::new();
    let (images, final_weights, final_theta, seconds) = match level {
        HwLevel::GoldenFixed => {
            let arith = FixedArith::new(cfg)?;
            let weights =
                ndarray::Array2::from_shape_vec((cfg.neurons, cfg.inputs()), raw.to_vec())?;
            let mut net = Network::from_parts(arith, cfg, weights);
            if !theta.is_empty() {
                net.theta = theta.to_vec();
            }
            let mut out = Vec::with_capacity(images.len());
            for px in images {
                out.push(net.present(
                    px,
                    PresentOptions {
                        learn,
                        record: false,
                    },
                ));
                if learn {
                    weights_after.push(net.weights.iter().copied().collect());
                    if !theta.is_empty() {
                        theta_after.push(net.theta.clone());
                    }
                }
                progress.inc(1);
            }
            let w = net.weights.iter().copied().collect();
            let th = if theta.is_empty() {
                Vec::new()
            } else {
                net.theta.clone()
            };
            (out, w, th, start.elapsed().as_secs_f64())
        }
        HwLevel::Cycle => {
            let mut machine =
                Machine::new(cfg).context("configuration not supported by the cycle model")?;
            machine.load_weights(raw)?;
            if !theta.is_empty() {
                machine.load_theta(theta)?;
            }
            let mut out = Vec::with_capacity(images.len());
            for (k, px) in images.iter().enumerate() {
                out.push(
                    machine
                        .run_image(px, learn)
                        .with_context(|| format!("cycle model, image {k}"))?,
                );
                if learn {
                    weights_after.push(machine.weights());
                    if !theta.is_empty() {
                        theta_after.push(machine.theta());
                    }
                }
                progress.inc(1);
            }
            let th = if theta.is_empty() {
                Vec::new()
            } else {
                machine.theta()
            };
            (out, machine.weights(), th, start.elapsed().as_secs_f64())
        }
        HwLevel::Verilator | HwLevel::Icarus => {
            let rows: Vec<Vec<i32>> = raw.chunks(cfg.inputs()).map(<[i32]>::to_vec).collect();
            let r = run_rtl(
                level,
                hdl,
                cfg,
                (&rows, theta),
                images,
                learn,
                &mut progress,
            )
            .with_context(|| format!("{}: {} run failed", hdl.display(), level.name()))?;
            let flat = |w: &Vec<Vec<i32>>| w.iter().flatten().copied().collect::<Vec<i32>>();
            if let Some(after) = &r.weights_after {
                weights_after = after.iter().map(flat).collect();
            }
            if learn {
                theta_after = r
                    .images
                    .iter()
                    .filter(|i| !i.theta.is_empty())
                    .map(|i| i.theta.clone())
                    .collect();
            }
            let th = r
                .images
                .last()
                .map_or_else(|| theta.to_vec(), |i| i.theta.clone());
            let out = r.images.into_iter().map(|i| i.outcome).collect();
            (out, flat(&r.final_weights), th, r.wall_seconds)
        }
    };
    progress.finish();
    Ok(LevelRun {
        level,
        images,
        hidden: Vec::new(),
        shapes: vec![(cfg.neurons, cfg.inputs())],
        weights_after,
        final_weights,
        theta_after,
        final_theta,
        seconds,
    })
}

/// Runs `images` at `level` (golden-fixed or cycle: the RTL runs one layer) through a network
/// of several layers, `net` (the weights file's, in fixed point), each level from its own copy.
pub fn run_layers(
    level: HwLevel,
    cfg: &SnnConfig,
    net: impl Fn() -> Result<Stack<FixedArith>>,
    images: &[&[u8]],
    learn: bool,
) -> Result<LevelRun> {
    if level.is_rtl() {
        bail!(
            "the {} level runs networks of one layer (several layers run at golden-fixed and cycle)",
            level.name()
        );
    }
    let start = Instant::now();
    let mut gold = net()?;
    let homeostasis = snn_arch::HwParams::new(&cfg.layer_config(0))?.homeostasis;
    let mut core = match level {
        HwLevel::Cycle => {
            let mut core = snn_sim::Stack::new(cfg)
                .context("configuration not supported by the cycle model")?;
            for (l, layer) in gold.layers.iter().enumerate() {
                let m = core.layer_mut(l);
                m.load_weights(layer.weights.as_slice().expect("standard layout"))?;
                m.load_theta(&layer.theta)?;
            }
            Some(core)
        }
        _ => None,
    };
    // Every layer's weights and (with homeostasis) theta, layer after layer.
    let state = |gold: &Stack<FixedArith>, core: &Option<snn_sim::Stack>| -> (Vec<i32>, Vec<i32>) {
        let (mut w, mut th) = (Vec::new(), Vec::new());
        match core {
            Some(core) => core.layers().iter().for_each(|m| {
                w.extend(m.weights());
                th.extend(m.theta());
            }),
            None => gold.layers.iter().for_each(|n| {
                w.extend(n.weights.iter().copied());
                th.extend(n.theta.iter().copied());
            }),
        }
        (w, if homeostasis { th } else { Vec::new() })
    };
    let mut progress = Progress::new(images.len() as u64, level.name());
    let (mut out, mut hidden) = (Vec::with_capacity(images.len()), Vec::new());
    let (mut weights_after, mut theta_after) = (Vec::new(), Vec::new());
    let opts = PresentOptions {
        learn,
        record: false,
    };
    for (k, px) in images.iter().enumerate() {
        let mut layers = match core.as_mut() {
            Some(core) => core
                .run_image(px, learn)
                .with_context(|| format!("cycle model, image {k}"))?,
            None => gold.present(px, opts),
        };
        let mut last = layers.pop().expect("one layer at least");
        if core.is_some() {
            last.cycles = Some(layers.iter().chain([&last]).filter_map(|p| p.cycles).sum());
        }
        out.push(last);
        hidden.push(layers);
        if learn {
            let (w, th) = state(&gold, &core);
            weights_after.push(w);
            if homeostasis {
                theta_after.push(th);
            }
        }
        progress.inc(1);
    }
    progress.finish();
    let (final_weights, final_theta) = state(&gold, &core);
    Ok(LevelRun {
        level,
        images: out,
        hidden,
        shapes: gold
            .layers
            .iter()
            .map(|n| (n.weights.nrows(), n.weights.ncols()))
            .collect(),
        weights_after,
        final_weights,
        theta_after,
        final_theta,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// How often the RTL results file is read for progress.
const POLL: Duration = Duration::from_millis(250);

/// The generated Verilog in a simulator: the build (cached after the first) is reported as a
/// step, the image loop moves `progress` as the harness writes each image's results, and the
/// run directory is removed if a signal ends the command.
fn run_rtl(
    level: HwLevel,
    hdl: &Path,
    cfg: &SnnConfig,
    (rows, theta): (&[Vec<i32>], &[i32]),
    images: &[&[u8]],
    learn: bool,
    progress: &mut Progress,
) -> Result<snn_rtlsim::RtlResult> {
    let sim = if level == HwLevel::Verilator {
        Simulator::Verilator
    } else {
        Simulator::Icarus
    };
    let owned: Vec<Vec<u8>> = images.iter().map(|p| p.to_vec()).collect();
    let opts = RunOptions {
        dump_every: learn,
        theta: (!theta.is_empty()).then(|| theta.to_vec()),
        ..RunOptions::default()
    };
    let (run, _dir) = Temporary::create(|| {
        let run = RtlRun::create(cfg, rows, &owned, learn, &opts)?;
        let dir = run.dir().to_path_buf();
        Ok((run, dir))
    })?;
    let steps = Steps::new(level.name());
    steps.step(&format!(
        "building the simulator of {} (cached after the first build)",
        hdl.display()
    ));
    run.build(sim, hdl)?;
    steps.finish();
    let results = run.dir().join("results.txt");
    std::thread::scope(|s| {
        let running = s.spawn(|| run.execute(sim, hdl));
        let mut counter = ImageCounter::new(&results);
        while !running.is_finished() {
            std::thread::sleep(POLL);
            progress.set(counter.images_started());
        }
        running.join().expect("the simulator thread does not panic")
    })
}

/// Counts the images the harness has started, from the `image K ...` lines it appends to its
/// results file (`sim/README.md`).
struct ImageCounter {
    results: LogFollower,
    images: u64,
}

impl ImageCounter {
    fn new(results: &Path) -> Self {
        ImageCounter {
            results: LogFollower::new(results),
            images: 0,
        }
    }

    fn images_started(&mut self) -> u64 {
        let lines = self.results.new_lines();
        self.images += lines.iter().filter(|l| l.starts_with("image ")).count() as u64;
        self.images
    }
}

/// Fails, before any simulator is built, when the report beside the Verilog (`snn_core.json`
/// for `snn_core.v`, as `snn generate` writes them) describes another configuration than `cfg`:
/// weights of another shape would otherwise surface only after minutes of Verilator build.
pub fn check_hdl(hdl: &Path, cfg: &SnnConfig) -> Result<()> {
    if !hdl.is_file() {
        bail!(
            "{}: no such Verilog file (snn generate writes it)",
            hdl.display()
        );
    }
    let report = hdl.with_extension("json");
    let text = std::fs::read_to_string(&report).with_context(|| {
        format!(
            "{}: cannot read the configuration report beside {} (snn generate writes both)",
            report.display(),
            hdl.display()
        )
    })?;
    let found: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a configuration report (JSON)", report.display()))?;
    let wanted: Value = serde_json::from_str(&snn_arch::HwParams::new(cfg)?.to_json())
        .expect("the report of a configuration is JSON");
    let mut differ = Vec::new();
    differences("", &found, &wanted, &mut differ);
    if !differ.is_empty() {
        bail!(
            "{}: the Verilog was generated for another configuration than these weights and options: {}; generate it for them with snn generate",
            report.display(),
            differ[..differ.len().min(6)].join(", ")
        );
    }
    Ok(())
}

/// The keys (dotted paths) where `found` differs from `wanted`, with both values: the values
/// that differ first (the shape, `n`, `height`, `width`, leads), then the keys `found` lacks (a
/// report from another version of the generator).
fn differences(path: &str, found: &Value, wanted: &Value, out: &mut Vec<String>) {
    let mut missing = Vec::new();
    walk(path, found, wanted, out, &mut missing);
    out.append(&mut missing);
}

fn walk(
    path: &str,
    found: &Value,
    wanted: &Value,
    out: &mut Vec<String>,
    missing: &mut Vec<String>,
) {
    match (found, wanted) {
        (Value::Object(f), Value::Object(w)) => {
            for (k, wv) in w {
                let key = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match f.get(k) {
                    Some(fv) => walk(&key, fv, wv, out, missing),
                    None => missing.push(format!("{key} missing")),
                }
            }
        }
        (f, w) if f != w => out.push(format!(
            "{path} = {} (the run needs {})",
            brief(f),
            brief(w)
        )),
        _ => {}
    }
}

/// A JSON value for a message, long arrays summarised.
fn brief(v: &Value) -> String {
    match v {
        Value::Array(a) if a.len() > 4 => format!("[{} values]", a.len()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Progress follows the results file as the harness appends to it, a partial line at a time.
    #[test]
    fn images_are_counted_as_the_results_grow() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.txt");
        let mut counter = ImageCounter::new(&path);
        assert_eq!(counter.images_started(), 0, "no file yet");
        let mut f = std::fs::File::create(&path).unwrap();
        write!(
            f,
            "image 0 learn=0\nspike t=3 mask=1\nresult winner_valid=1\nimage 1 le"
        )
        .unwrap();
        f.flush().unwrap();
        assert_eq!(counter.images_started(), 1);
        write!(f, "arn=0\nresult winner_valid=0\nimage 2 learn=0\n").unwrap();
        f.flush().unwrap();
        assert_eq!(counter.images_started(), 3);
        assert_eq!(counter.images_started(), 3);
    }
}
