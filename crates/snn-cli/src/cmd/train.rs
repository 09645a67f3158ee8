//! `snn train`: STDP learning over one or more data sets, written to a weights file, watched as
//! it learns (see `watch`): per epoch and at the end, the presentations without a winner, the
//! neurons that never won and the theta range; with `--eval-every K --label-data D` the test
//! accuracy every K images, and `--curve` writes those points for `snn plot --curve`.

use crate::cmd::eval::Scorer;
use crate::config::{check_size, ConfigArgs, Weights};
use crate::data::{self, Inputs, SplitArg, DEFAULT_CLASSES};
use crate::flags::{at_least_one, class_count};
use crate::model::{ArithArgs, Model};
use crate::output::{print_json, save_weights, show, write_json};
use crate::paths::IoPlan;
use crate::progress::Progress;
use crate::watch::{CurvePoint, EpochStats, ThetaStats, Watch};
use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;
use snn_data::{Dataset, Split};
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
    #[arg(long, value_name = "N", value_parser = at_least_one, conflicts_with = "layers")]
    pub neurons: Option<usize>,
    /// Several layers (SPEC section 12), e.g. `--layers 64,16,10`: each trained with STDP on
    /// the output spike trains of the one below; the last classifies.
    #[arg(long, value_name = "N1,N2,...", value_delimiter = ',', num_args = 1.., value_parser = at_least_one)]
    pub layers: Option<Vec<usize>>,
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
    /// Measure the test accuracy every K training presentations (counted over all epochs) and
    /// at each epoch's end, labelling the neurons on --label-data (required) and scoring
    /// --test-data; each measurement also records the share of the last K presentations without
    /// a winner, the neurons that never won and the theta range (the points of --curve).
    #[arg(long, value_name = "K", value_parser = at_least_one, requires = "label_data")]
    pub eval_every: Option<usize>,
    /// Labelled images that label the neurons at each measurement of --eval-every (their TRAIN
    /// split when they are an MNIST folder or builtin), as `snn eval --label-data` does.
    #[arg(long, value_name = "D", num_args = 1.., requires = "eval_every")]
    pub label_data: Option<Vec<String>>,
    /// Labelled images the accuracy is scored on (their TEST split when they are an MNIST
    /// folder or builtin). Default: --label-data's test split, which for a file or PNG folder
    /// is --label-data itself.
    #[arg(long, value_name = "D", num_args = 1.., requires = "label_data")]
    pub test_data: Option<Vec<String>>,
    /// Label on the first K images of --label-data and score the first K of --test-data at each
    /// measurement: cheap enough to take often; `snn eval` gives the figure on every image.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_EVAL_LIMIT, value_parser = at_least_one, requires = "label_data")]
    pub eval_limit: usize,
    /// Number of classes (1 to 256) of the labels of --label-data and --test-data.
    #[arg(long, value_name = "C", default_value_t = DEFAULT_CLASSES, value_parser = class_count, requires = "label_data")]
    pub classes: usize,
    /// Write the learning curve (JSON, see docs/JSON.md): a point every --eval-every
    /// presentations and at each epoch's end.
    #[arg(long, value_name = "curve.json", requires = "eval_every")]
    pub curve: Option<PathBuf>,
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
    /// The output layer's winner.
    pub winner: Option<usize>,
    /// Every layer's winner, from the first (networks of several layers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winners: Option<Vec<Option<usize>>>,
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
    /// Neurons that won no presentation of the whole run.
    pub never_won: usize,
    /// The adaptive thresholds at the end, `null` without homeostasis.
    pub theta: Option<ThetaStats>,
    /// Test accuracy at the end (a fraction), `null` without `--eval-every`.
    pub accuracy: Option<f64>,
    pub per_epoch: Vec<EpochStats>,
    /// Warnings given during training (also on stderr), e.g. that learning has stopped.
    pub warnings: Vec<String>,
    /// Training time, without the measurements of `--eval-every`.
    pub seconds: f64,
    /// Time spent measuring the accuracy.
    pub eval_seconds: f64,
    pub images_per_second: f64,
}

/// How to watch a run (`--eval-every`): the test accuracy from `scorer` every `every`
/// presentations and at each epoch's end, each a point of the curve.
pub struct Watching<'a> {
    pub every: usize,
    pub scorer: Scorer<'a>,
}

/// Trains `model` on `images` (with a progress bar), keeping the trace if asked.
pub fn train(
    model: &mut Model,
    images: &[&[u8]],
    keep_trace: bool,
) -> (TrainStats, Vec<TraceEntry>) {
    let (stats, trace, _) = train_watched(model, images, keep_trace, None);
    (stats, trace)
}

/// [`train`], watched as `watching` says when given; also returns the curve's points.
pub fn train_watched(
    model: &mut Model,
    images: &[&[u8]],
    keep_trace: bool,
    watching: Option<&Watching>,
) -> (TrainStats, Vec<TraceEntry>, Vec<CurvePoint>) {
    let epochs = model.cfg().epochs;
    let total = images.len() * epochs;
    let mut progress = Progress::new(total as u64, "training");
    let mut trace = Vec::new();
    let mut watch = Watch::new(model.cfg().neurons, images.len(), watching.map(|w| w.every));
    let mut eval_seconds = 0.0;
    let start = Instant::now();
    model.train(images, |epoch, index, mut layers, now| {
        let winners = (layers.len() > 1).then(|| layers.iter().map(|o| o.winner).collect());
        let o = layers.pop().expect("one layer at least");
        let news = watch.presented(epoch, o.winner, o.threshold, now, |m| {
            let t = Instant::now();
            let w = watching.expect("Watch measures only at the points --eval-every asks for");
            let accuracy = w.scorer.accuracy(m);
            eval_seconds += t.elapsed().as_secs_f64();
            accuracy
        });
        if let Some(w) = news.warning {
            progress.suspend(|| eprintln!("warning: {w}"));
        }
        if let Some(a) = news.accuracy {
            progress.note(&format!("training (accuracy {:.1}%)", 100.0 * a));
        }
        if keep_trace {
            trace.push(TraceEntry {
                epoch,
                index,
                winner: o.winner,
                winners,
                inhibit_step: o.inhibit_step,
                spike_times: o.spike_times,
            });
        }
        progress.inc(1);
    });
    progress.finish();
    let seconds = start.elapsed().as_secs_f64() - eval_seconds;
    let stats = TrainStats {
        level: model.level(),
        images: images.len(),
        epochs,
        presentations: total,
        no_winner: watch.no_winner,
        never_won: watch.never_won(),
        theta: ThetaStats::of(model),
        accuracy: watch.epochs.last().and_then(|e| e.accuracy),
        per_epoch: watch.epochs,
        warnings: watch.warnings,
        seconds,
        eval_seconds,
        images_per_second: if seconds > 0.0 {
            total as f64 / seconds
        } else {
            0.0
        },
    };
    (stats, trace, watch.points)
}

/// Images labelled and scored at each measurement of `--eval-every` when `--eval-limit` is not
/// given: at N = 100 a measurement then costs about as much as training 2,000 images.
const DEFAULT_EVAL_LIMIT: usize = 1000;

#[derive(Serialize)]
struct TrainReport {
    weights: String,
    trace: Option<String>,
    curve: Option<String>,
    data: String,
    /// The sets of the accuracy measurements (`null` without `--label-data`).
    label_data: Option<String>,
    test_data: Option<String>,
    height: usize,
    width: usize,
    neurons: usize,
    #[serde(flatten)]
    stats: TrainStats,
}

/// The `--curve` file.
#[derive(Serialize)]
struct CurveFile<'a> {
    level: &'static str,
    data: &'a str,
    /// Training images per epoch, and epochs.
    images: usize,
    epochs: usize,
    neurons: usize,
    eval_every: usize,
    label_data: &'a str,
    test_data: &'a str,
    /// Images labelled and scored at each measurement.
    label_images: usize,
    test_images: usize,
    points: &'a [CurvePoint],
}

/// The measurements of `--eval-every`: every how many presentations, and the labelling and
/// test sets of `--label-data` and `--test-data`, resolved.
struct EvalInputs {
    every: usize,
    label: Inputs,
    test: Inputs,
}

impl EvalInputs {
    /// `None` without `--eval-every` (clap asks for `--label-data` with it, and refuses the
    /// other measurement flags without it).
    fn resolve(a: &TrainArgs) -> Result<Option<Self>> {
        let (Some(every), Some(label)) = (a.eval_every, &a.label_data) else {
            return Ok(None);
        };
        let test = a.test_data.as_ref().unwrap_or(label);
        Ok(Some(EvalInputs {
            every,
            label: Inputs::resolve(label, Split::Train)?,
            test: Inputs::resolve(test, Split::Test)?,
        }))
    }

    /// Loads both sets (`limit` images each), which must hold images of `size`.
    fn load(
        &self,
        limit: usize,
        classes: usize,
        size: (usize, usize),
    ) -> Result<(Dataset, Dataset)> {
        let load = |inputs: &Inputs, flag: &str| -> Result<Dataset> {
            let ds = inputs.load_labelled(Some(limit), classes)?;
            let got = data::size(&ds);
            if got != size {
                bail!(
                    "{flag} {}: images are {}x{} but the network is trained on {}x{} images",
                    ds.source,
                    got.0,
                    got.1,
                    size.0,
                    size.1
                );
            }
            Ok(ds)
        };
        Ok((
            load(&self.label, "--label-data")?,
            load(&self.test, "--test-data")?,
        ))
    }
}

pub fn run(a: TrainArgs) -> Result<()> {
    let inputs = Inputs::resolve(&a.data, a.split.into())?;
    let eval_inputs = EvalInputs::resolve(&a)?;
    let mut plan = a.config.plan(inputs.plan(IoPlan::new(), "--data"));
    if let Some(e) = &eval_inputs {
        plan = e
            .test
            .plan(e.label.plan(plan, "--label-data"), "--test-data");
    }
    plan.input_opt("--init-weights", a.init_weights.as_deref())
        .output("--out", &a.out)
        .output_opt("--trace", a.trace.as_deref())
        .output_opt("--curve", a.curve.as_deref())
        .check()?;
    let ds = inputs.load(a.limit)?;
    let size = data::size(&ds);
    let eval_sets = eval_inputs
        .map(|e| -> Result<_> {
            let (label, test) = e.load(a.eval_limit, a.classes, size)?;
            Ok((e.every, label, test))
        })
        .transpose()?;
    let init = a.init_weights.as_deref().map(Weights::load).transpose()?;
    let mut base = a.config.base(init.as_ref())?;
    let asked = a.layers.clone().or(a.neurons.map(|n| vec![n]));
    let layers = match (&init, asked) {
        (Some(w), Some(l)) if l != w.layer_sizes() => {
            bail!(
                "{} {} contradicts {}, which holds layers {:?}",
                if a.layers.is_some() {
                    "--layers"
                } else {
                    "--neurons"
                },
                l.iter().map(usize::to_string).collect::<Vec<_>>().join(","),
                w.path.display(),
                w.layer_sizes()
            )
        }
        (Some(w), _) => w.layer_sizes(),
        (None, l) => l.unwrap_or_else(|| base.cfg.layer_sizes()),
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
    let cfg = base.finish_layers(size, &layers)?;
    let neurons = cfg.neurons;
    let kind = a.arith.kind(init.as_ref().map(|w| &w.file));
    let mut model = match &init {
        Some(w) => Model::from_file(kind, &cfg, &w.file, a.arith.quantize, &w.path)?,
        None => Model::random(kind, &cfg)?,
    };
    let images = data::pixels(&ds);
    let watching = eval_sets
        .as_ref()
        .map(|(every, label, test)| -> Result<_> {
            Ok(Watching {
                every: *every,
                scorer: Scorer::new(label, test, a.classes)?,
            })
        })
        .transpose()?;
    let (stats, trace, points) =
        train_watched(&mut model, &images, a.trace.is_some(), watching.as_ref());
    save_weights(&model.weights_file(), &a.out)?;
    if let (Some(path), Some((every, label, test))) = (&a.curve, &eval_sets) {
        write_json(
            path,
            &CurveFile {
                level: model.level(),
                data: &ds.source,
                images: images.len(),
                epochs: stats.epochs,
                neurons,
                eval_every: *every,
                label_data: &label.source,
                test_data: &test.source,
                label_images: label.len(),
                test_images: test.len(),
                points: &points,
            },
        )?;
    }
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
        curve: a.curve.as_deref().map(show),
        data: ds.source.clone(),
        label_data: eval_sets.as_ref().map(|(_, l, _)| l.source.clone()),
        test_data: eval_sets.as_ref().map(|(_, _, t)| t.source.clone()),
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
    for e in &report.stats.per_epoch {
        println!("epoch {}: {}", e.epoch + 1, epoch_line(e, neurons));
    }
    println!(
        "{} of {neurons} neuron(s) never won{}",
        report.stats.never_won,
        theta_text(report.stats.theta)
    );
    println!("weights written to {}", report.weights);
    if let Some(t) = &report.trace {
        println!("trace written to {t}");
    }
    if let Some(c) = &report.curve {
        println!("curve written to {c}");
    }
    Ok(())
}

/// One epoch of the text report.
fn epoch_line(e: &EpochStats, neurons: usize) -> String {
    let accuracy = e.accuracy.map_or(String::new(), |a| {
        format!(", test accuracy {:.2}%", 100.0 * a)
    });
    format!(
        "{} of {} presentation(s) without a winner, {} of {neurons} neuron(s) won nothing, {} never won so far{}{accuracy}",
        e.no_winner,
        e.presentations,
        e.idle,
        e.never_won,
        theta_text(e.theta)
    )
}

/// The thresholds for the text report: nothing without homeostasis.
fn theta_text(theta: Option<ThetaStats>) -> String {
    theta.map_or(String::new(), |t| format!("; {t}"))
}
