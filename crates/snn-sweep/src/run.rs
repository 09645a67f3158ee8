//! Running a sweep: load the data, build and check every point, claim the output folder, then
//! run the points of this shard that are not finished yet on a pool of `jobs` threads, appending
//! each record as it finishes.

use crate::measure::{run_point, Data, Shared};
use crate::points::{plan, Plan};
use crate::results::{claim, Appender, Meta};
use crate::spec::Spec;
use crate::synth::SynthCache;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use snn_data::Split;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

/// `--shard I/N`: this run takes points `I-1, I-1+N, I-1+2N, ...` (I counts from 1, as Slurm's
/// array indices usually do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        let parsed = s.split_once('/').and_then(|(i, n)| {
            Some((
                i.trim().parse::<usize>().ok()?,
                n.trim().parse::<usize>().ok()?,
            ))
        });
        match parsed {
            Some((i, n)) if n >= 1 && (1..=n).contains(&i) => Ok(Shard { index: i, count: n }),
            Some((i, n)) => bail!("--shard {s}: I/N needs 1 <= I <= N, got I = {i}, N = {n}"),
            None => bail!("--shard {s}: expected I/N, for example 1/4 (this run takes every N-th point, starting with point I-1)"),
        }
    }
}

impl Shard {
    pub fn takes(&self, index: usize) -> bool {
        index % self.count == self.index - 1
    }
}

pub struct RunOptions {
    pub jobs: usize,
    pub shard: Option<Shard>,
    /// Progress on stderr (a bar on a terminal, a line per point otherwise).
    pub progress: bool,
}

/// What a run did.
#[derive(Debug, PartialEq)]
pub struct Summary {
    /// Points of the whole sweep.
    pub points: usize,
    /// Points of this shard.
    pub in_shard: usize,
    /// Of those, already finished before this run.
    pub skipped: usize,
    pub ran: usize,
}

/// Pixels, labels and image size of the first images of a split.
struct Images {
    pixels: Vec<Vec<u8>>,
    labels: Vec<u8>,
    size: (usize, usize),
}

/// First `k` images of `split`, or an error naming the `[data]` key that asks for too many.
fn take(path: &str, split: Split, k: usize, key: &str) -> Result<Images> {
    let ds = snn_data::load_all(&[path.to_string()], split)?;
    if ds.len() < k {
        bail!(
            "[data] {key} = {k}: {} holds only {} {} images",
            ds.source,
            ds.len(),
            if split == Split::Train {
                "training"
            } else {
                "test"
            }
        );
    }
    let ds = ds.limit(Some(k));
    let labels = ds
        .labels
        .clone()
        .with_context(|| format!("{}: has no labels; a sweep labels and scores its points (MNIST with its label files, class-numbered PNG folders, or builtin)", ds.source))?;
    let size = ds.image_size().unwrap_or((0, 0));
    Ok(Images {
        pixels: ds.images.into_iter().map(|i| i.pixels).collect(),
        labels,
        size,
    })
}

/// Loads the data `spec` asks for from `path` (an MNIST folder, `builtin`, ...).
pub fn load_data(spec: &Spec, path: &str) -> Result<Data> {
    let d = &spec.data;
    let train = take(path, Split::Train, d.train, "train")?;
    let test = if d.test > 0 {
        take(path, Split::Test, d.test, "test")?
    } else {
        Images {
            pixels: Vec::new(),
            labels: Vec::new(),
            size: train.size,
        }
    };
    if test.size != train.size {
        bail!(
            "{path}: test images are {}x{} but training images {}x{}",
            test.size.0,
            test.size.1,
            train.size.0,
            train.size.1
        );
    }
    Ok(Data {
        train: train.pixels,
        train_labels: train.labels,
        test: test.pixels,
        test_labels: test.labels,
        label: d.label_count(),
        size: train.size,
    })
}

/// Everything checked before any point runs: data, every point's configuration, the measures.
pub struct Prepared {
    pub data: Data,
    pub plan: Plan,
    pub meta: Meta,
}

pub fn prepare(spec: &Spec, data_path: &str) -> Result<Prepared> {
    let data = load_data(spec, data_path)?;
    let plan =
        plan(spec, data.size).with_context(|| format!("{}: invalid sweep", spec.path.display()))?;
    spec.measure.targets()?;
    let meta = Meta {
        hash: plan.hash.clone(),
        spec_file: spec.path.display().to_string(),
        spec: spec.text.clone(),
        data: data_path.to_string(),
        keys: spec.keys(),
        log_keys: spec
            .grids
            .iter()
            .flatten()
            .filter(|a| a.is_log())
            .map(|a| a.key.clone())
            .collect(),
        points: plan.points.len(),
        train: spec.data.train,
        label: Some(spec.data.label_count()),
        test: spec.data.test,
        epochs: spec.data.epochs,
        arith: format!("{:?}", spec.data.arith).to_lowercase(),
        base: spec.base_name.clone(),
    };
    Ok(Prepared { data, plan, meta })
}

/// Runs the sweep into `out` (see the module doc).
pub fn run(spec: &Spec, data_path: &str, out: &Path, opts: &RunOptions) -> Result<Summary> {
    if opts.jobs == 0 {
        bail!("--jobs 0: give at least 1");
    }
    let prep = prepare(spec, data_path)?;
    let done: BTreeSet<usize> = claim(out, &prep.meta)?.iter().map(|l| l.index).collect();
    let plan = &prep.plan;
    let mine: Vec<usize> = (0..plan.points.len())
        .filter(|&i| opts.shard.is_none_or(|s| s.takes(i)))
        .collect();
    let pending: Vec<usize> = mine.iter().copied().filter(|i| !done.contains(i)).collect();
    let summary = Summary {
        points: plan.points.len(),
        in_shard: mine.len(),
        skipped: mine.len() - pending.len(),
        ran: pending.len(),
    };
    if pending.is_empty() {
        return Ok(summary);
    }
    let synth = SynthCache::new(
        spec.measure.targets()?,
        spec.measure.place,
        spec.measure.freq_mhz,
        out.join("synth"),
    );
    let shared = Shared {
        data: &prep.data,
        spec: &spec.data,
        cycle_images: spec.measure.cycles,
        synth: &synth,
        hash: &plan.hash,
    };
    let appender = Appender::open(out)?;
    let progress = Progress::new(pending.len(), opts.progress);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()
        .context("cannot start the worker threads")?;
    pool.install(|| {
        // par_bridge hands points out in order, so a killed sweep has finished a prefix (more or
        // less) and the progress reads naturally.
        pending
            .into_iter()
            .par_bridge()
            .try_for_each(|i| -> Result<()> {
                let p = &plan.points[i];
                let start = Instant::now();
                let r = run_point(i, p.json(), &plan.configs[i], &shared)
                    .with_context(|| format!("point {i} ({})", p.label()))?;
                appender.append(&r)?;
                let acc = r
                    .accuracy
                    .map_or(String::new(), |a| format!("accuracy {:.2}%, ", 100.0 * a));
                progress.done(&format!(
                    "point {i} ({}): {acc}{:.1} s",
                    p.label(),
                    start.elapsed().as_secs_f64()
                ));
                Ok(())
            })
    })?;
    progress.finish();
    Ok(summary)
}

/// Progress on stderr with an ETA: an indicatif bar on a terminal, else one line per point (batch
/// logs).
struct Progress {
    bar: ProgressBar,
    lines: bool,
}

impl Progress {
    fn new(len: usize, on: bool) -> Self {
        let terminal = on && std::io::stderr().is_terminal();
        let target = if terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(len as u64), target);
        bar.set_style(
            ProgressStyle::with_template(
                "sweep [{bar:30}] {pos}/{len} points, {elapsed} elapsed, eta {eta}  {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Progress {
            bar,
            lines: on && !terminal,
        }
    }

    fn done(&self, what: &str) {
        self.bar.inc(1);
        if self.lines {
            eprintln!(
                "[{}/{}] {what}; eta {}",
                self.bar.position(),
                self.bar.length().unwrap_or(0),
                indicatif::HumanDuration(self.bar.eta())
            );
        } else {
            self.bar.set_message(what.to_string());
        }
    }

    fn finish(self) {
        self.bar.finish_and_clear();
    }
}
