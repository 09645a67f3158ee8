//! The output folder: `sweep.json` (what the sweep is) and `results.jsonl` (one line per finished
//! point, appended as points finish).
//!
//! Each line goes out in one `write` of the complete line, so a killed sweep leaves at most a torn
//! last line, which the next run cuts off (that point runs again). Every line carries the sweep's
//! hash, and a folder holding another sweep's results is refused rather than mixed in.

use crate::record::without_times;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const RESULTS: &str = "results.jsonl";
pub const META: &str = "sweep.json";

/// `sweep.json`: what the report needs to know about the sweep beyond its results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub hash: String,
    /// The sweep file's path as given, and its text.
    pub spec_file: String,
    pub spec: String,
    /// The data path as given (`--data`).
    pub data: String,
    /// Varied keys in the sweep file's order.
    pub keys: Vec<String>,
    /// Keys whose range is logarithmic.
    pub log_keys: Vec<String>,
    /// Points in the whole sweep (every shard).
    pub points: usize,
    pub train: usize,
    /// Training images that label the neurons (absent in older folders: all of them).
    #[serde(default)]
    pub label: Option<usize>,
    pub test: usize,
    pub epochs: Option<usize>,
    pub arith: String,
    pub base: String,
}

/// A results line: its point number and the whole line as read.
pub struct Line {
    pub index: usize,
    pub json: serde_json::Value,
}

fn different(path: &Path, theirs: &str, ours: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: holds results of a different sweep (sweep hash {theirs}, this sweep's is {ours}: the sweep file, a preset it uses, the data sizes or the measures differ); use another --out folder or remove it",
        path.display()
    )
}

/// Reads `dir/results.jsonl` (none: empty). A torn last line (no newline: a killed writer) is
/// cut off the file when `repair`, else ignored; any other unreadable line is an error naming it.
/// With `hash`, a line of another sweep is an error.
pub fn read(dir: &Path, hash: Option<&str>, repair: bool) -> Result<Vec<Line>> {
    let path = dir.join(RESULTS);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
    };
    let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    if complete < text.len() && repair {
        let f = OpenOptions::new()
            .write(true)
            .open(&path)
            .with_context(|| {
                format!("{}: cannot open to cut its torn last line", path.display())
            })?;
        f.set_len(complete as u64)
            .with_context(|| format!("{}: cannot cut its torn last line", path.display()))?;
        eprintln!("{}: cut a torn last line (a point that was being written when the sweep stopped; it runs again)", path.display());
    }
    let text = std::str::from_utf8(&text[..complete])
        .with_context(|| format!("{}: not UTF-8 text", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let json: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON line", path.display(), n + 1))?;
        let (Some(index), Some(spec)) = (json["index"].as_u64(), json["spec"].as_str()) else {
            bail!(
                "{}:{}: not a sweep result (no index or spec)",
                path.display(),
                n + 1
            );
        };
        if let Some(h) = hash {
            if spec != h {
                return Err(different(&path, spec, h));
            }
        }
        out.push(Line {
            index: index as usize,
            json,
        });
    }
    Ok(out)
}

/// Reads `dir/sweep.json`, if any.
pub fn read_meta(dir: &Path) -> Result<Option<Meta>> {
    let path = dir.join(META);
    match std::fs::read_to_string(&path) {
        Ok(t) => Ok(Some(serde_json::from_str(&t).with_context(|| {
            format!("{}: not a sweep description", path.display())
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", path.display())),
    }
}

/// Makes `dir` the home of the sweep `meta`: writes `sweep.json`, or checks that the one there
/// (and every results line) is this sweep's. Returns the finished lines (a torn one repaired).
pub fn claim(dir: &Path, meta: &Meta) -> Result<Vec<Line>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the output folder", dir.display()))?;
    if let Some(old) = read_meta(dir)? {
        if old.hash != meta.hash {
            return Err(different(&dir.join(META), &old.hash, &meta.hash));
        }
    }
    let lines = read(dir, Some(&meta.hash), true)?;
    write_meta(dir, meta)?;
    Ok(lines)
}

pub fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    snn_core::atomic::write_atomic(
        &dir.join(META),
        serde_json::to_string_pretty(meta)?.as_bytes(),
    )
}

/// Appends lines to `results.jsonl`, one whole line per `write`, from any thread.
pub struct Appender {
    path: PathBuf,
    file: Mutex<File>,
}

impl Appender {
    pub fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(RESULTS);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("{}: cannot open for appending", path.display()))?;
        Ok(Appender {
            path,
            file: Mutex::new(file),
        })
    }

    pub fn append<T: Serialize>(&self, value: &T) -> Result<()> {
        let mut line = serde_json::to_string(value)?;
        line.push('\n');
        let mut f = self.file.lock().expect("no panics while locked");
        f.write_all(line.as_bytes())
            .and_then(|()| f.flush())
            .and_then(|()| f.sync_data())
            .with_context(|| format!("{}: cannot append", self.path.display()))
    }
}

/// Merges the results of `inputs` (folders of shards or partial runs of one sweep) into
/// `out/results.jsonl`, sorted by point number. Results already in `out` take part; a point
/// found twice must have the same measures (wall times aside). Returns the number of points.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<usize> {
    if inputs.is_empty() {
        bail!("merge: give at least one results folder");
    }
    let mut meta: Option<(PathBuf, Meta)> = None;
    let mut dirs: Vec<PathBuf> = inputs.to_vec();
    if out.join(RESULTS).is_file() && !inputs.iter().any(|i| same_dir(i, out)) {
        dirs.push(out.to_path_buf());
    }
    let mut points: BTreeMap<usize, (PathBuf, serde_json::Value)> = BTreeMap::new();
    for dir in &dirs {
        if !dir.is_dir() {
            bail!("{}: no such results folder", dir.display());
        }
        let m = read_meta(dir)?
            .with_context(|| format!("{}: no {META}: not a sweep output folder", dir.display()))?;
        match &meta {
            None => meta = Some((dir.clone(), m)),
            Some((first, m0)) if m0.hash != m.hash => bail!(
                "{}: results of a different sweep than {} (sweep hash {} vs {}); only shards or runs of one sweep merge",
                dir.display(),
                first.display(),
                m.hash,
                m0.hash
            ),
            Some(_) => {}
        }
        let hash = &meta.as_ref().expect("set above").1.hash;
        for line in read(dir, Some(hash), false)? {
            if let Some((other, old)) = points.get(&line.index) {
                if without_times(old) != without_times(&line.json) {
                    bail!(
                        "point {} differs between {} and {} (beyond wall times): these results cannot both be right",
                        line.index,
                        other.display(),
                        dir.display()
                    );
                }
                continue;
            }
            points.insert(line.index, (dir.clone(), line.json));
        }
    }
    let (_, meta) = meta.expect("at least one input");
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let mut text = String::new();
    for (_, v) in points.values() {
        text.push_str(&serde_json::to_string(v)?);
        text.push('\n');
    }
    snn_core::atomic::write_atomic(&out.join(RESULTS), text.as_bytes())?;
    write_meta(out, &meta)?;
    Ok(points.len())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
