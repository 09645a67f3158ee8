//! Writing results: JSON on stdout and files written atomically, so that a failing command never
//! leaves a half-written output behind.

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::Path;

/// Prints `value` as pretty JSON on stdout (field order is the struct order: deterministic).
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("cannot serialize the report")?
    );
    Ok(())
}

/// Writes `value` as pretty JSON to `path` through a temporary file and a rename.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .with_context(|| format!("{}: cannot serialize", path.display()))?;
    snn_data::write_atomic(path, text.as_bytes())
}

/// Creates `dir` (and its parents) when missing.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create folder", dir.display()))
}

/// A path for messages and reports.
pub fn show(path: &Path) -> String {
    path.display().to_string()
}
