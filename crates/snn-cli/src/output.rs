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

/// `message` with every number of more than [`LONG_NUMBER`] digits written in scientific
/// notation. Messages quote values from weights files, configuration files and flags, and
/// Rust's `{}` writes a float such as 1e308 with all its 309 digits; every error passes here.
pub fn compact_numbers(message: &str) -> String {
    let bytes = message.as_bytes();
    let mut out = String::with_capacity(message.len());
    let mut k = 0;
    while k < bytes.len() {
        let starts_number = bytes[k].is_ascii_digit()
            && (k == 0 || !(bytes[k - 1].is_ascii_alphanumeric() || bytes[k - 1] == b'_'));
        if !starts_number {
            let c = message[k..]
                .chars()
                .next()
                .expect("k is on a char boundary");
            out.push(c);
            k += c.len_utf8();
            continue;
        }
        let mut end = k;
        while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
            end += 1;
        }
        let text = message[k..end].trim_end_matches('.');
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        match text.parse::<f64>() {
            Ok(x) if digits > LONG_NUMBER => out.push_str(&format!("{x:e}")),
            _ => out.push_str(text),
        }
        k += text.len();
    }
    out
}

/// Digits beyond which a number in a message is written in scientific notation.
/// Beyond any float Rust prints in positional notation without need (17 significant digits and
/// a few leading zeros): 1e21 and 1e-7 of full precision are the first ones compacted.
const LONG_NUMBER: usize = 21;

/// A path for messages and reports.
pub fn show(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::compact_numbers;

    #[test]
    fn long_numbers_are_written_compactly() {
        let huge = format!("weight {} lies outside [w_min, w_max] = [-1.2, 1.5]", 1e308);
        assert_eq!(
            compact_numbers(&huge),
            "weight 1e308 lies outside [w_min, w_max] = [-1.2, 1.5]"
        );
        let tiny = format!("leak {} and -{}.", 1e-300, 2.5e-30);
        assert_eq!(compact_numbers(&tiny), "leak 1e-300 and -2.5e-30.");
        // Numbers Rust prints in full without need stay as they are.
        let plain = "w.json:12: 784 words, -0.02070018652293956 and 18446744073709551615 at t10k-images-idx3-ubyte";
        assert_eq!(compact_numbers(plain), plain);
    }
}
