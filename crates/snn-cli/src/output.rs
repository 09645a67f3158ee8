//! Writing results: JSON on stdout and files written atomically, so that a failing command never
//! leaves a half-written output behind. Every writer creates the missing folders of its output
//! the same way ([`create_parent`]), whichever command it serves.

use anyhow::{Context, Result};
use serde::Serialize;
use snn_core::weights::WeightsFile;
use std::path::Path;

/// Prints `value` as pretty JSON on stdout (field order is the struct order: deterministic).
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("cannot serialize the report")?
    );
    Ok(())
}

/// Creates the folders that will hold `path`, when missing.
pub fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => ensure_dir(dir),
        _ => Ok(()),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    create_parent(path)?;
    snn_data::write_atomic(path, bytes)
}

/// Writes `value` as pretty JSON to `path` through a temporary file and a rename.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .with_context(|| format!("{}: cannot serialize", path.display()))?;
    write_file(path, text.as_bytes())
}

/// Writes a weights file (atomically).
pub fn save_weights(wf: &WeightsFile, path: &Path) -> Result<()> {
    create_parent(path)?;
    wf.save(path)
}

/// Creates `dir` (and its parents) when missing.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create folder", dir.display()))
}

/// A path for messages and reports.
pub fn show(path: &Path) -> String {
    path.display().to_string()
}
