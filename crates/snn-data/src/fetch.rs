//! Downloading the four MNIST files from public mirrors, with MD5 verification.
//!
//! Files are streamed into a temporary file beside the destination while their MD5 is computed,
//! and only renamed into place when the checksum matches, so an interrupted or corrupted download
//! never leaves a file that looks complete. Files already present with the right checksum are not
//! downloaded again, which makes the fetch safe to re-run.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use md5::{Digest, Md5};

use snn_core::atomic::{persist, temp_file_beside};

/// Base URLs tried in order; each must hold the four files under their standard names.
pub const DEFAULT_MIRRORS: &[&str] = &[
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

/// The standard MNIST files and the MD5 of each gzip file as originally distributed (the sums
/// published by torchvision and many other loaders).
pub const FILES: [(&str, &str); 4] = [
    (
        "train-images-idx3-ubyte.gz",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    ),
    (
        "train-labels-idx1-ubyte.gz",
        "d53e105ee54ea40749a09fcbcd1e9432",
    ),
    (
        "t10k-images-idx3-ubyte.gz",
        "9fb629c4189551a2d022fa330f9573f3",
    ),
    (
        "t10k-labels-idx1-ubyte.gz",
        "ec29112dd5afa0611ce80d1b7f02629c",
    ),
];

/// Downloads the four MNIST files ([`FILES`]) into `out_dir` (created if needed), trying
/// `mirrors` in order, or [`DEFAULT_MIRRORS`] when `mirrors` is empty. Returns the paths of the
/// four files. Shows a progress bar on stderr when `progress` is set.
pub fn fetch_mnist(out_dir: &Path, mirrors: &[String], progress: bool) -> Result<Vec<PathBuf>> {
    let defaults: Vec<String>;
    let mirrors = if mirrors.is_empty() {
        defaults = DEFAULT_MIRRORS.iter().map(|m| m.to_string()).collect();
        &defaults
    } else {
        mirrors
    };
    let files: Vec<(String, String)> = FILES
        .iter()
        .map(|(n, m)| (n.to_string(), m.to_string()))
        .collect();
    fetch_files(out_dir, mirrors, &files, progress)
}

/// Downloads each `(file name, expected lowercase hex MD5)` of `files` into `out_dir`: a file
/// already there with the right MD5 is kept; otherwise each mirror base URL is tried in order
/// until one serves the file with the right MD5. Fails, naming every mirror's problem, if none
/// does. [`fetch_mnist`] is this with the standard MNIST table; tests and other data sets pass
/// their own.
pub fn fetch_files(
    out_dir: &Path,
    mirrors: &[String],
    files: &[(String, String)],
    progress: bool,
) -> Result<Vec<PathBuf>> {
    if mirrors.is_empty() {
        bail!("no download mirrors given");
    }
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("{}: cannot create folder", out_dir.display()))?;
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(15))
        .timeout_read(Duration::from_secs(60))
        .build();
    let mut paths = Vec::with_capacity(files.len());
    for (name, md5) in files {
        let dest = out_dir.join(name);
        let md5 = md5.to_ascii_lowercase();
        if dest.is_file() && md5_of_file(&dest)? == md5 {
            if progress {
                eprintln!("{}: already present, MD5 ok", dest.display());
            }
            paths.push(dest);
            continue;
        }
        let mut problems = Vec::new();
        let mut done = false;
        for mirror in mirrors {
            let url = format!("{}/{name}", mirror.trim_end_matches('/'));
            match download(&agent, &url, &dest, &md5, progress) {
                Ok(()) => {
                    done = true;
                    break;
                }
                Err(e) => problems.push(format!("  {url}: {e:#}")),
            }
        }
        if !done {
            bail!(
                "{name}: could not download from any mirror:\n{}",
                problems.join("\n")
            );
        }
        paths.push(dest);
    }
    Ok(paths)
}

/// Streams `url` into a temporary file beside `dest`, renaming it onto `dest` only if its MD5 is
/// `md5`. On any failure the temporary file is deleted (by `NamedTempFile`'s drop).
fn download(agent: &ureq::Agent, url: &str, dest: &Path, md5: &str, progress: bool) -> Result<()> {
    let response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Status(code, r) => anyhow::anyhow!("HTTP {code} {}", r.status_text()),
        ureq::Error::Transport(t) => anyhow::anyhow!("{t}"),
    })?;
    let total = response
        .header("Content-Length")
        .and_then(|v| v.parse::<u64>().ok());
    let bar = if progress {
        new_bar(dest, total)
    } else {
        ProgressBar::hidden()
    };
    let mut reader = response.into_reader();
    let mut tmp = temp_file_beside(dest)?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).context("download interrupted")?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        tmp.write_all(&buf[..n])
            .with_context(|| format!("{}: cannot write temporary file", dest.display()))?;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    let got = format!("{:x}", hasher.finalize());
    if got != md5 {
        bail!("MD5 mismatch: expected {md5}, got {got}");
    }
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("{}: cannot flush temporary file", dest.display()))?;
    persist(tmp, dest)
}

fn new_bar(dest: &Path, total: Option<u64>) -> ProgressBar {
    let name = dest
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let (bar, template) = match total {
        Some(len) => (
            ProgressBar::new(len),
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{msg} {spinner} {bytes} {bytes_per_sec}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(name);
    bar
}

/// Lowercase hex MD5 of a file's contents, streamed so large files need little memory.
fn md5_of_file(path: &Path) -> Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut hasher = Md5::new();
    std::io::copy(&mut file, &mut hasher)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(format!("{:x}", hasher.finalize()))
}
