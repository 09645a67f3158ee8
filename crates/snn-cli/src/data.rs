//! Data flags and loading shared by the commands that present images.

use anyhow::{bail, Result};
use clap::ValueEnum;
use snn_data::{Dataset, Split};

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

/// Loads `paths` in the given order, keeps the first `limit` images, and refuses an empty set:
/// every command that takes data has nothing meaningful to do without an image.
pub fn load(paths: &[String], split: Split, limit: Option<usize>) -> Result<Dataset> {
    let ds = snn_data::load_all(paths, split)?.limit(limit);
    if ds.is_empty() {
        bail!("{}: holds no images", ds.source);
    }
    Ok(ds)
}

/// The image size of a non-empty set (see [`load`]).
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
