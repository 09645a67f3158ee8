//! Folders of PNG files, flat (unlabelled) or split into class subfolders (labelled).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::{png, Dataset, Image};

/// The files of a PNG folder, in load order, with their labels when the folder has class
/// subfolders. Two layouts are accepted:
/// - PNG files directly in the folder: unlabelled, in file-name order (plain byte order of the
///   names, so `10.png` sorts before `2.png`; zero-pad names to get numeric order);
/// - subfolders named by an integer label (`0`, `1`, ..., up to 255) holding PNGs: labelled,
///   subfolders in numeric order, files in name order within each.
#[derive(Clone, Debug)]
pub struct PngListing {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    /// One label per file (class-subfolder layout), `None` for a flat folder.
    pub labels: Option<Vec<u8>>,
}

/// Lists a folder of PNGs (see [`PngListing`]). Mixing both layouts is an error rather than a
/// guess, and so is a subfolder whose name is not a label: skipping it would silently drop its
/// images. Non-PNG files and hidden names (such as macOS `._x.png` side files) are ignored.
pub(crate) fn list_png_folder(dir: &Path) -> Result<PngListing> {
    let mut pngs = Vec::new();
    let mut classes: Vec<(u8, PathBuf)> = Vec::new();
    for entry in sorted_entries(dir)? {
        let Some(name) = entry
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
        else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            let Some(label) = class_label(&name) else {
                bail!(
                    "{}: a subfolder whose name is not a class label; class subfolders are named by their label, 0 to 255",
                    entry.display()
                );
            };
            if let Some((_, other)) = classes.iter().find(|(l, _)| *l == label) {
                bail!(
                    "{}: {} and {} both name class {label}",
                    dir.display(),
                    other.display(),
                    entry.display()
                );
            }
            classes.push((label, entry));
        } else if is_png_name(&name) {
            pngs.push(entry);
        }
    }

    let dir = dir.to_path_buf();
    match (pngs.is_empty(), classes.is_empty()) {
        (false, false) => bail!(
            "{}: holds both PNG files and class subfolders (such as {}); use one layout",
            dir.display(),
            classes[0].1.display()
        ),
        (false, true) => Ok(PngListing {
            dir,
            files: pngs,
            labels: None,
        }),
        (true, false) => {
            classes.sort_by_key(|(label, _)| *label);
            let mut files = Vec::new();
            let mut labels = Vec::new();
            for (label, class_dir) in &classes {
                for entry in sorted_entries(class_dir)? {
                    let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or(".");
                    if !name.starts_with('.') && is_png_name(name) && entry.is_file() {
                        files.push(entry);
                        labels.push(*label);
                    }
                }
            }
            if files.is_empty() {
                bail!("{}: the class subfolders hold no PNG files", dir.display());
            }
            Ok(PngListing {
                dir,
                files,
                labels: Some(labels),
            })
        }
        (true, true) => bail!(
            "{}: no PNG files and no class subfolders (named 0, 1, ...) found",
            dir.display()
        ),
    }
}

impl PngListing {
    /// Reads the listed images.
    pub fn load(&self) -> Result<Dataset> {
        Ok(Dataset {
            images: read_same_size(&self.files)?,
            labels: self.labels.clone(),
            source: self.dir.display().to_string(),
        })
    }
}

/// Reads PNGs, insisting that all have the size of the first, because one data set feeds one
/// network with a fixed number of inputs.
fn read_same_size(files: &[PathBuf]) -> Result<Vec<Image>> {
    let mut images: Vec<Image> = Vec::with_capacity(files.len());
    for file in files {
        let img = png::read(file)?;
        if let Some(first) = images.first() {
            if (img.height, img.width) != (first.height, first.width) {
                bail!(
                    "{}: image is {}x{} but {} (the first image) is {}x{}; all images must have the same size",
                    file.display(),
                    img.height,
                    img.width,
                    files[0].display(),
                    first.height,
                    first.width
                );
            }
        }
        images.push(img);
    }
    Ok(images)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = fs::read_dir(dir)
        .and_then(|rd| {
            rd.map(|e| e.map(|e| e.path()))
                .collect::<std::io::Result<Vec<_>>>()
        })
        .with_context(|| format!("{}: cannot list folder", dir.display()))?;
    entries.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(entries)
}

/// A class folder name is a plain decimal number that fits a `u8` label.
fn class_label(name: &str) -> Option<u8> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

fn is_png_name(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
}
