//! Data flags and loading shared by the commands that present images.
//!
//! Data paths are resolved first ([`Inputs::resolve`]: what each path is, which files it reads)
//! and loaded afterwards, so that a command can check its outputs against the files it reads
//! before any work.

use crate::paths::IoPlan;
use anyhow::{bail, Result};
use clap::ValueEnum;
use snn_data::{Dataset, Source, Split};
use std::path::Path;

/// `--split` values.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SplitArg {
    Train,
    Test,
}

impl From<SplitArg> for Split {
    fn from(s: SplitArg) -> Self {
        match s {
            SplitArg::Train => Split::Train,
            SplitArg::Test => Split::Test,
        }
    }
}

/// Classes of the labels when `--classes` is not given: the ten digits.
pub const DEFAULT_CLASSES: usize = 10;

/// Data paths, resolved but not read yet.
pub struct Inputs {
    parts: Vec<(String, Source)>,
}

impl Inputs {
    /// Resolves `paths` (in the order given) for `split`.
    pub fn resolve(paths: &[String], split: Split) -> Result<Self> {
        if paths.is_empty() {
            bail!("no input given: pass at least one data path (an MNIST file or folder, a PNG or PNG folder, or \"builtin\")");
        }
        let parts = paths
            .iter()
            .map(|p| Ok((p.clone(), snn_data::resolve(p, split)?)))
            .collect::<Result<_>>()?;
        Ok(Inputs { parts })
    }

    /// Adds the files these inputs read to `plan`, under `flag`.
    pub fn plan(&self, plan: IoPlan, flag: &str) -> IoPlan {
        plan.inputs(
            flag,
            self.parts
                .iter()
                .flat_map(|(_, s)| s.files())
                .collect::<Vec<&Path>>(),
        )
    }

    /// Loads the inputs in order, keeps the first `limit` images, and refuses an empty set:
    /// every command that takes data has nothing meaningful to do without an image.
    pub fn load(&self, limit: Option<usize>) -> Result<Dataset> {
        self.load_checked(limit, None)
    }

    /// As [`Inputs::load`], for a command that uses the labels: each must name one of
    /// `classes` classes (a label file of 255s would otherwise make a 256-class confusion matrix).
    pub fn load_labelled(&self, limit: Option<usize>, classes: usize) -> Result<Dataset> {
        self.load_checked(limit, Some(classes))
    }

    fn load_checked(&self, limit: Option<usize>, classes: Option<usize>) -> Result<Dataset> {
        let sets = self
            .parts
            .iter()
            .map(|(name, source)| {
                let set = source.load(name)?;
                if let (Some(classes), Some(labels)) = (classes, &set.labels) {
                    check_labels(source, labels, classes)?;
                }
                Ok(set)
            })
            .collect::<Result<Vec<_>>>()?;
        let ds = Dataset::concat(sets)?.limit(limit);
        if ds.is_empty() {
            bail!("{}: holds no images", ds.source);
        }
        Ok(ds)
    }
}

/// Fails at the first label that is not below `classes`, naming where it comes from.
fn check_labels(source: &Source, labels: &[u8], classes: usize) -> Result<()> {
    if let Some(k) = labels.iter().position(|&l| l as usize >= classes) {
        bail!(
            "{}: label {} at index {k} is not a class: the labels must be 0 to {} ({classes} classes)",
            source.label_origin(k).unwrap_or_else(|| "labels".into()),
            labels[k],
            classes - 1
        );
    }
    Ok(())
}

/// One data path (`encode IMAGE`, `plot --image`) resolved for `split`, and the split when it
/// decided what was read (plain `builtin`, an MNIST folder), for titles and reports.
pub fn resolve_one(path: &str, split: Split) -> Result<(Source, Option<Split>)> {
    let source = snn_data::resolve(path, split)?;
    let chose =
        path == "builtin" || (Path::new(path).is_dir() && matches!(source, Source::Idx { .. }));
    Ok((source, chose.then_some(split)))
}

/// The image size of a non-empty set (see [`Inputs::load`]).
pub fn size(ds: &Dataset) -> (usize, usize) {
    ds.image_size().expect("load() refuses empty sets")
}

/// Pixel slices in data order, the form the models take.
pub fn pixels(ds: &Dataset) -> Vec<&[u8]> {
    ds.images.iter().map(|i| i.pixels.as_slice()).collect()
}

/// The labels, or an error naming the set when it has none.
pub fn labels<'a>(ds: &'a Dataset, what: &str) -> Result<&'a [u8]> {
    match &ds.labels {
        Some(l) => Ok(l),
        None => bail!(
            "{}: has no labels, but {what} needs labelled images (MNIST with its label file, class-numbered PNG folders, or builtin)",
            ds.source
        ),
    }
}
