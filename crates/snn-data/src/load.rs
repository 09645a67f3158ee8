//! Turning a user-supplied path into a [`Dataset`], whatever kind of input it names.
//!
//! Loading happens in two steps: [`resolve`] finds out what a path names and which files a load
//! will read (cheap: file headers and folder listings only), and [`Source::load`] reads them.
//! Commands resolve their inputs first so that they can refuse, before any work, an output path
//! that would overwrite one of the files they read.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::folder::{self, PngListing};
use crate::idx::{self, Kind};
use crate::{builtin, png, Dataset, Split};

/// What a data path names, and the files loading it reads.
#[derive(Clone, Debug)]
pub enum Source {
    /// The procedural digit set of one split.
    Builtin(Split),
    /// An MNIST IDX image file, with the label file beside it when there is one.
    Idx {
        images: PathBuf,
        labels: Option<PathBuf>,
    },
    /// One PNG image.
    Png(PathBuf),
    /// A folder of PNG files, flat or in class subfolders.
    PngFolder(PngListing),
}

/// Finds out what `path` names (see [`load`] for the kinds), reading only file headers and
/// folder listings.
pub fn resolve(path: &str, split: Split) -> Result<Source> {
    if path == "builtin" {
        return Ok(Source::Builtin(split));
    }
    if let Some(which) = path.strip_prefix("builtin:") {
        let split = which.parse::<Split>().with_context(|| {
            format!("{path}: expected \"builtin\", \"builtin:train\" or \"builtin:test\"")
        })?;
        return Ok(Source::Builtin(split));
    }
    let p = Path::new(path);
    let meta = std::fs::metadata(p).with_context(|| format!("{path}: no such file or folder"))?;
    if meta.is_dir() {
        return Ok(match mnist_images_in(p, split)? {
            Some(images) => idx_source(images),
            None => Source::PngFolder(folder::list_png_folder(p)?),
        });
    }
    match idx::sniff(p)? {
        Some(Kind::Images) => Ok(idx_source(p.to_path_buf())),
        Some(Kind::Labels) => bail!(
            "{path}: is a label file; pass the images file (for example {})",
            labels_to_images_name(p).unwrap_or_else(|| "train-images-idx3-ubyte.gz".into())
        ),
        None => {
            let head = read_head(p, 8)?;
            idx::refuse_idx_lookalike(p, &head)?;
            if !png::has_signature(&head) {
                bail!(
                    "{path}: neither a PNG image nor an MNIST IDX file ({})",
                    png::describe_start(&head)
                );
            }
            Ok(Source::Png(p.to_path_buf()))
        }
    }
}

impl Source {
    /// Every file a load of this source reads (none for the built-in digits).
    pub fn files(&self) -> Vec<&Path> {
        match self {
            Source::Builtin(_) => Vec::new(),
            Source::Idx { images, labels } => std::iter::once(images.as_path())
                .chain(labels.as_deref())
                .collect(),
            Source::Png(p) => vec![p.as_path()],
            Source::PngFolder(listing) => listing.files.iter().map(PathBuf::as_path).collect(),
        }
    }

    /// Where label `index` of this source comes from, for messages: the label file, the class
    /// subfolder, or the built-in set. `None` for unlabelled sources.
    pub fn label_origin(&self, index: usize) -> Option<String> {
        match self {
            Source::Builtin(split) => Some(format!("builtin:{split}")),
            Source::Idx { labels, .. } => labels.as_ref().map(|l| l.display().to_string()),
            Source::Png(_) => None,
            Source::PngFolder(listing) => listing.labels.as_ref().and_then(|_| {
                let file = listing.files.get(index)?;
                Some(file.parent().unwrap_or(file).display().to_string())
            }),
        }
    }

    /// Reads the images (and labels); `name` is the path the user gave, for the set's `source`.
    pub fn load(&self, name: &str) -> Result<Dataset> {
        match self {
            Source::Builtin(split) => Ok(builtin_split(*split)),
            Source::Idx { images, labels } => load_idx_images(images, labels.as_deref()),
            Source::Png(p) => Ok(Dataset {
                images: vec![png::read(p)?],
                labels: None,
                source: name.to_string(),
            }),
            Source::PngFolder(listing) => listing.load(),
        }
    }
}

/// Loads one input, dispatching on what it is:
/// - `"builtin"`, `"builtin:train"`, `"builtin:test"`: the procedural digit set
///   ([`builtin::digits`] with the default count for the split and [`builtin::DEFAULT_SEED`]);
///   plain `"builtin"` uses `split`. (Write `./builtin` for a folder of that name.)
/// - an MNIST IDX image file, gzipped or not: its images, plus labels when the matching label
///   file (`X-images-idx3-ubyte[.gz]` -> `X-labels-idx1-ubyte[.gz]`) is beside it;
/// - an IDX label file, or an IDX file of another type: an error saying what it is;
/// - a folder holding MNIST files: the images (and labels) of `split`;
/// - a PNG file: one unlabelled image;
/// - a folder of PNGs: unlabelled, in file-name order; a folder of subfolders named `0`, `1`, ...
///   holding PNGs: labelled by subfolder, in numeric then file-name order.
pub fn load(path: &str, split: Split) -> Result<Dataset> {
    resolve(path, split)?.load(path)
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

/// The first `n` bytes of a file (fewer when it is shorter).
fn read_head(path: &Path, n: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(n).read_to_end(&mut head))
        .with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(head)
}

fn builtin_split(split: Split) -> Dataset {
    let count = match split {
        Split::Train => builtin::DEFAULT_TRAIN,
        Split::Test => builtin::DEFAULT_TEST,
    };
    builtin::digits(split, count, builtin::DEFAULT_SEED)
}

fn idx_source(images: PathBuf) -> Source {
    let labels = labels_beside(&images);
    Source::Idx { images, labels }
}

/// Images from an IDX file, labelled from `labels_path` when given.
fn load_idx_images(images_path: &Path, labels_path: Option<&Path>) -> Result<Dataset> {
    let images = idx::read_images(images_path)?;
    let labels = match labels_path {
        Some(labels_path) => {
            let labels = idx::read_labels(labels_path)?;
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
