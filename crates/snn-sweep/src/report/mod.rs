//! `snn sweep report DIR --out REPORT/`: a CSV of every point, figures (accuracy against each
//! varied key, a heatmap of two keys, Pareto fronts of accuracy against cost) and a Markdown
//! summary that shows them with the best points and the effect of each key.

mod analysis;
mod csv;
mod markdown;
mod plots;

use crate::record::Record;
use crate::results::{read, read_meta, Meta};
use anyhow::{bail, Context, Result};
use std::path::Path;

pub use analysis::{effects, Effect};

/// A finished sweep as the report sees it.
pub struct Sweep {
    pub meta: Meta,
    /// Records in point order.
    pub records: Vec<Record>,
}

impl Sweep {
    pub fn load(dir: &Path) -> Result<Self> {
        let meta = read_meta(dir)?.with_context(|| {
            format!(
                "{}: no sweep.json: not a sweep output folder",
                dir.display()
            )
        })?;
        let mut records = Vec::new();
        for line in read(dir, Some(&meta.hash), false)? {
            let r: Record = serde_json::from_value(line.json).with_context(|| {
                format!(
                    "{}: point {}: not a result record",
                    dir.display(),
                    line.index
                )
            })?;
            records.push(r);
        }
        records.sort_by_key(|r| r.index);
        records.dedup_by_key(|r| r.index);
        if records.is_empty() {
            bail!("{}: no finished point to report", dir.display());
        }
        Ok(Sweep { meta, records })
    }

    /// The value of `key` at a record, if the record's point sets it.
    pub fn value<'a>(r: &'a Record, key: &str) -> Option<&'a serde_json::Value> {
        r.point.get(key)
    }
}

/// What `report` wrote.
pub struct Written {
    pub files: Vec<String>,
}

/// Writes the report of the sweep in `dir` into `out`; `heatmap` picks the two keys of the
/// heatmap (default: the first two keys varied together).
pub fn report(dir: &Path, out: &Path, heatmap: Option<(String, String)>) -> Result<Written> {
    let sweep = Sweep::load(dir)?;
    if let Some((a, b)) = &heatmap {
        for k in [a, b] {
            if !sweep.meta.keys.contains(k) {
                bail!(
                    "--heatmap {a},{b}: {k} is not a varied key of this sweep ({})",
                    sweep.meta.keys.join(", ")
                );
            }
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let mut files = vec![csv::write(&sweep, out)?];
    let figures = plots::write_all(&sweep, out, heatmap)?;
    files.extend(figures.iter().map(|f| f.file.clone()));
    files.push(markdown::write(&sweep, out, &figures)?);
    Ok(Written { files })
}

/// A written figure: its file name in the report folder and what it shows.
pub struct Figure {
    pub file: String,
    pub title: String,
}

/// `fixed.weight_bits` -> `fixed-weight_bits`, for file names.
fn slug(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A JSON value as a short label (`0.05`, `seed`, `[0.0, 0.4]`).
pub fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => {
            format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}
