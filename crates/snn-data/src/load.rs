//! Turning a user-supplied path into a [`Dataset`], whatever kind of input it names.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::idx::{self, Kind};
use crate::{builtin, folder, png, Dataset, Split};

/// Loads one input, dispatching on what it is:
/// - `"builtin"`, `"builtin:train"`, `"builtin:test"`: the procedural digit set
///   ([`builtin::digits`] with the default count for the split and [`builtin::DEFAULT_SEED`]);
///   plain `"builtin"` uses `split`. (Write `./builtin` for a folder of that name.)
/// - an MNIST IDX image file, gzipped or not: its images, plus labels when the matching label
///   file (`X-images-idx3-ubyte[.gz]` -> `X-labels-idx1-ubyte[.gz]`) is beside it;
/// - an IDX label file: an error, since labels alone cannot be presented to the network;
/// - a folder holding MNIST files: the images (and labels) of `split`;
/// - a PNG file: one unlabelled image;
/// - a folder of PNGs: unlabelled, in file-name order; a folder of subfolders named `0`, `1`, ...
///   holding PNGs: labelled by subfolder, in numeric then file-name order.
pub fn load(path: &str, split: Split) -> Result<Dataset> {
    if path == "builtin" {
        return Ok(builtin_split(split));
    }
    if let Some(which) = path.strip_prefix("builtin:") {
        let split = which.parse::<Split>().with_context(|| {
            format!("{path}: expected \"builtin\", \"builtin:train\" or \"builtin:test\"")
        })?;
        return Ok(builtin_split(split));
    }
    let p = Path::new(path);
    let meta = std::fs::metadata(p).with_context(|| format!("{path}: no such file or folder"))?;
    if meta.is_dir() {
        return match mnist_images_in(p, split)? {
            Some(images) => load_idx_images(&images),
            None => folder::load_png_folder(p),
        };
    }
    match idx::sniff(p)? {
        Some(Kind::Images) => load_idx_images(p),
        Some(Kind::Labels) => bail!(
            "{path}: is a label file; pass the images file (for example {})",
            labels_to_images_name(p).unwrap_or_else(|| "train-images-idx3-ubyte.gz".into())
        ),
        None => {
            let img = png::read(p)?;
            Ok(Dataset {
                images: vec![img],
                labels: None,
                source: path.to_string(),
            })
        }
    }
}

/// Loads several inputs in the given order and concatenates them (see [`Dataset::concat`]).
pub fn load_all(paths: &[String], split: Split) -> Result<Dataset> {
    if paths.is_empty() {
        bail!("no input given: pass at least one data path (an MNIST file or folder, a PNG or PNG folder, or \"builtin\")");
    }
    let sets = paths
        .iter()
        .map(|p| load(p, split))
        .collect::<Result<Vec<_>>>()?;
    Dataset::concat(sets)
}

fn builtin_split(split: Split) -> Dataset {
    let count = match split {
        Split::Train => builtin::DEFAULT_TRAIN,
        Split::Test => builtin::DEFAULT_TEST,
    };
    builtin::digits(split, count, builtin::DEFAULT_SEED)
}

/// Images from an IDX file, labelled when the matching label file sits beside it.
fn load_idx_images(images_path: &Path) -> Result<Dataset> {
    let images = idx::read_images(images_path)?;
    let labels = match labels_beside(images_path) {
        Some(labels_path) => {
            let labels = idx::read_labels(&labels_path)?;
            if labels.len() != images.len() {
                bail!(
                    "label count mismatch: {} holds {} labels but {} holds {} images",
                    labels_path.display(),
                    labels.len(),
                    images_path.display(),
                    images.len()
                );
            }
            Some(labels)
        }
        None => None,
    };
    Ok(Dataset {
        images,
        labels,
        source: images_path.display().to_string(),
    })
}

/// The label file belonging to an image file: the same name with "images" -> "labels" and
/// "idx3" -> "idx1" (covering both `train-images-idx3-ubyte` and the `train-images.idx3-ubyte`
/// spelling of some mirrors), gzipped or not, whichever exists.
fn labels_beside(images_path: &Path) -> Option<PathBuf> {
    let name = images_path.file_name()?.to_str()?;
    if !name.contains("images") {
        return None;
    }
    let stem = name
        .strip_suffix(".gz")
        .unwrap_or(name)
        .replace("images", "labels")
        .replace("idx3", "idx1");
    [format!("{stem}.gz"), stem]
        .into_iter()
        .map(|n| images_path.with_file_name(n))
        .find(|p| p.is_file())
}

fn labels_to_images_name(labels_path: &Path) -> Option<String> {
    let name = labels_path.file_name()?.to_str()?;
    name.contains("labels")
        .then(|| name.replace("labels", "images").replace("idx1", "idx3"))
}

/// The MNIST image file of `split` inside `dir`, if `dir` holds MNIST files. A folder with MNIST
/// files of the other split only is an error rather than silently "not MNIST".
fn mnist_images_in(dir: &Path, split: Split) -> Result<Option<PathBuf>> {
    let find = |prefix: &str| {
        ["-images-idx3-ubyte", "-images.idx3-ubyte"]
            .iter()
            .flat_map(|base| [format!("{prefix}{base}.gz"), format!("{prefix}{base}")])
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    };
    let (wanted, other) = match split {
        Split::Train => ("train", "t10k"),
        Split::Test => ("t10k", "train"),
    };
    if let Some(found) = find(wanted) {
        return Ok(Some(found));
    }
    if let Some(other_file) = find(other) {
        bail!(
            "{}: holds MNIST file {} but no {wanted}-images-idx3-ubyte[.gz] for the {split} split",
            dir.display(),
            other_file.display()
        );
    }
    Ok(None)
}
