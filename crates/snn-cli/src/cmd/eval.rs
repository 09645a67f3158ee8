//! `snn eval`: label the neurons on one labelled set, classify another, report accuracy
//! (SPEC section 7).

use crate::config::{check_size, ConfigArgs, Weights};
use crate::data::{self, Inputs, SplitArg, DEFAULT_CLASSES};
use crate::flags::{at_least_one, class_count};
use crate::model::{ArithArgs, Model};
use crate::output::{print_json, show};
use crate::progress::Progress;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use snn_core::metrics::{self, Evaluation};
use snn_data::{Dataset, Split};
use std::path::PathBuf;

/// Label the neurons, classify held-out images and report accuracy and the confusion matrix.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Trained weights.
    #[arg(long, value_name = "W.json")]
    pub weights: PathBuf,
    /// Labelled images to classify.
    #[arg(long, value_name = "D", num_args = 1.., required = true)]
    pub data: Vec<String>,
    /// Which split of MNIST folders and builtin to classify.
    #[arg(long, value_enum, default_value = "test")]
    pub split: SplitArg,
    /// Labelled images that give the neurons their labels (their TRAIN split when they are an
    /// MNIST folder or builtin). Default: the training split of --data, which for a file or PNG
    /// folder is --data itself.
    #[arg(long, value_name = "D2", num_args = 1..)]
    pub label_data: Option<Vec<String>>,
    /// Use only the first K images of each set.
    #[arg(long, value_name = "K", value_parser = at_least_one)]
    pub limit: Option<usize>,
    /// Number of classes (1 to 256): every label must be below it.
    #[arg(long, value_name = "C", default_value_t = DEFAULT_CLASSES, value_parser = class_count)]
    pub classes: usize,
    #[command(flatten)]
    pub arith: ArithArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Machine-readable report.
    #[arg(long)]
    pub json: bool,
}

/// Labelling and scoring of one network.
#[derive(Serialize)]
pub struct EvalReport {
    pub level: &'static str,
    pub data: String,
    pub label_data: String,
    pub label_images: usize,
    /// Class of each neuron (`null`: it never spiked on the labelling set).
    pub neuron_labels: Vec<Option<u8>>,
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// Spike counts of every image. With a progress bar named `what`, in chunks so that the bar
/// moves (each chunk runs in parallel over its images); without, in one parallel pass.
fn spike_counts(model: &Model, ds: &Dataset, what: Option<&str>) -> Vec<Vec<u32>> {
    const CHUNK: usize = 2048;
    let images = data::pixels(ds);
    let counts = |chunk: &[&[u8]]| -> Vec<Vec<u32>> {
        model
            .infer(chunk)
            .iter()
            .map(|o| o.spike_counts())
            .collect()
    };
    let Some(what) = what else {
        return counts(&images);
    };
    let mut progress = Progress::new(images.len() as u64, what);
    let mut all = Vec::with_capacity(images.len());
    for chunk in images.chunks(CHUNK) {
        all.extend(counts(chunk));
        progress.inc(chunk.len() as u64);
    }
    progress.finish();
    all
}

/// A labelling set and a test set, checked once, that score any network of their image size
/// (SPEC section 7): `snn eval` scores one, `snn train --eval-every` one every K images.
pub struct Scorer<'a> {
    label_set: &'a Dataset,
    label_labels: &'a [u8],
    test_set: &'a Dataset,
    test_labels: &'a [u8],
    classes: usize,
}

impl<'a> Scorer<'a> {
    /// Both sets must be labelled, with labels below `classes` ([`Inputs::load_labelled`]
    /// checks them).
    pub fn new(label_set: &'a Dataset, test_set: &'a Dataset, classes: usize) -> Result<Self> {
        Ok(Scorer {
            label_labels: data::labels(label_set, "labelling the neurons")?,
            test_labels: data::labels(test_set, "scoring")?,
            label_set,
            test_set,
            classes,
        })
    }

    /// Labels the neurons on the labelling set and scores the test set, with progress bars.
    pub fn report(&self, model: &Model) -> EvalReport {
        let (neuron_labels, evaluation) = self.score(model, true);
        EvalReport {
            level: model.level(),
            data: self.test_set.source.clone(),
            label_data: self.label_set.source.clone(),
            label_images: self.label_set.len(),
            neuron_labels,
            evaluation,
        }
    }

    /// The test accuracy (a fraction), quietly: a measurement in the middle of other work.
    pub fn accuracy(&self, model: &Model) -> f64 {
        self.score(model, false).1.accuracy
    }

    fn score(&self, model: &Model, progress: bool) -> (Vec<Option<u8>>, Evaluation) {
        let bar = |what| progress.then_some(what);
        let neuron_labels = metrics::label_neurons(
            &spike_counts(model, self.label_set, bar("labelling")),
            self.label_labels,
            self.classes,
        );
        let predictions: Vec<Option<u8>> = spike_counts(model, self.test_set, bar("classifying"))
            .iter()
            .map(|c| metrics::predict(c, &neuron_labels))
            .collect();
        let evaluation = metrics::evaluate(&predictions, self.test_labels, self.classes);
        (neuron_labels, evaluation)
    }
}

/// Labels the neurons on `label_set` and scores `test_set` (see [`Scorer::new`]).
pub fn evaluate(
    model: &Model,
    label_set: &Dataset,
    test_set: &Dataset,
    classes: usize,
) -> Result<EvalReport> {
    Ok(Scorer::new(label_set, test_set, classes)?.report(model))
}

/// Prints the human-readable form of a report.
pub fn print_summary(r: &EvalReport) {
    let e = &r.evaluation;
    println!(
        "accuracy {:.2}% ({} of {} correct, {} without prediction) on {} ({})",
        100.0 * e.accuracy,
        e.correct,
        e.total,
        e.no_prediction,
        r.data,
        r.level
    );
    let labels: Vec<String> = r
        .neuron_labels
        .iter()
        .map(|l| l.map_or("-".into(), |c| c.to_string()))
        .collect();
    println!(
        "neuron labels (from {} images of {}): {}",
        r.label_images,
        r.label_data,
        labels.join(" ")
    );
    let per_class: Vec<String> = e
        .per_class
        .iter()
        .filter(|c| c.total > 0)
        .map(|c| format!("{}:{:.0}%", c.class, 100.0 * c.accuracy))
        .collect();
    println!("per class: {}", per_class.join(" "));
}

pub fn run(a: EvalArgs) -> Result<()> {
    let w = Weights::load(&a.weights)?;
    let test_set = Inputs::resolve(&a.data, a.split.into())?.load_labelled(a.limit, a.classes)?;
    check_size(&test_set.source, data::size(&test_set), &w)?;
    let label_paths = a.label_data.as_ref().unwrap_or(&a.data);
    let label_set =
        Inputs::resolve(label_paths, Split::Train)?.load_labelled(a.limit, a.classes)?;
    check_size(&label_set.source, data::size(&label_set), &w)?;
    let cfg = a.config.base(Some(&w))?.finish_for(&w)?;
    let kind = a.arith.kind(Some(&w.file));
    let model = Model::from_file(kind, &cfg, &w.file, a.arith.quantize, &w.path)?;
    let report = evaluate(&model, &label_set, &test_set, a.classes)?;
    if a.json {
        #[derive(Serialize)]
        struct WithWeights<'a> {
            weights: String,
            #[serde(flatten)]
            report: &'a EvalReport,
        }
        return print_json(&WithWeights {
            weights: show(&a.weights),
            report: &report,
        });
    }
    print_summary(&report);
    Ok(())
}
