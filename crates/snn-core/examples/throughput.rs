//! Throughput of the golden models on MNIST (N = 10, 28x28), for the `seed` and `default`
//! presets side by side.
//!
//! ```text
//! cargo run --release -p snn-core --example throughput -- [MNIST_DIR] [K]
//! ```
//!
//! Trains a fresh network on the first `K` training images (one thread: training is sequential
//! by nature, every image changes the weights the next one sees), then infers the first `K` test
//! images in parallel over images (rayon; `RAYON_NUM_THREADS` sets the thread count), for the
//! float and the fixed arithmetic, and prints images per second for each phase.
//!
//! It also prints a fingerprint of the trained weights and of the inference spike times, so that
//! a change meant to be a pure optimisation can be checked to leave every result bit-identical.
//! `MNIST_DIR` (default `/work/shared/data/mnist`) holds the standard IDX files, gzip-compressed.

use anyhow::{bail, Context, Result};
use flate2::read::GzDecoder;
use snn_core::prelude::*;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

/// The images of an IDX3 file (`.gz`), concatenated row-major, 28x28 each.
fn read_idx_images(path: &Path) -> Result<Vec<Vec<u8>>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut data = Vec::new();
    GzDecoder::new(file)
        .read_to_end(&mut data)
        .with_context(|| format!("{}: not a gzip file", path.display()))?;
    let be = |at: usize| {
        u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]) as usize
    };
    if data.len() < 16 || be(0) != 0x0803 {
        bail!(
            "{}: not an IDX3 image file (magic 0x00000803)",
            path.display()
        );
    }
    let (count, rows, cols) = (be(4), be(8), be(12));
    if (rows, cols) != (28, 28) || data.len() != 16 + count * rows * cols {
        bail!(
            "{}: expected {count} images of 28x28 and {} bytes, found {rows}x{cols} and {} bytes",
            path.display(),
            16 + count * rows * cols,
            data.len()
        );
    }
    Ok(data[16..]
        .chunks_exact(rows * cols)
        .map(<[u8]>::to_vec)
        .collect())
}

/// FNV-1a over 64-bit words: a stable fingerprint (unlike `DefaultHasher`, which may change
/// between Rust releases) to compare runs before and after an optimisation.
fn fnv1a(words: impl IntoIterator<Item = u64>) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for w in words {
        for b in w.to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// Trains on `train` and infers `test` with arithmetic `arith`, printing the rates.
fn run<A: Arith>(preset: &str, arith: A, cfg: &SnnConfig, train: &[&[u8]], test: &[&[u8]]) {
    let level = format!("{preset}/{}", arith.level());
    let mut net = Network::with_random_weights(arith, cfg);
    let start = Instant::now();
    net.train(train, |_, _, _| {});
    let train_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let results = net.infer(test);
    let infer_s = start.elapsed().as_secs_f64();
    let weights = fnv1a(net.weights_f64().iter().map(|w| w.to_bits()));
    let spikes = fnv1a(results.iter().flat_map(|p| {
        p.spike_times
            .iter()
            .flat_map(|s| s.iter().map(|&t| t as u64).chain([u64::MAX]))
    }));
    println!(
        "{level:<20} train {:>6} images {:>7.3} s {:>9.0} images/s | infer {:>6} images {:>7.3} s {:>9.0} images/s | weights {weights:016x} spikes {spikes:016x}",
        train.len(),
        train_s,
        train.len() as f64 / train_s,
        test.len(),
        infer_s,
        test.len() as f64 / infer_s,
    );
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "/work/shared/data/mnist".to_string());
    let k: usize = match args.next() {
        Some(s) => s
            .parse()
            .with_context(|| format!("K must be a number of images, got {s:?}"))?,
        None => 10_000,
    };
    let dir = Path::new(&dir);
    let train = read_idx_images(&dir.join("train-images-idx3-ubyte.gz"))?;
    let test = read_idx_images(&dir.join("t10k-images-idx3-ubyte.gz"))?;
    if k == 0 || k > train.len().min(test.len()) {
        bail!("K must be in 1..={}, got {k}", train.len().min(test.len()));
    }
    let train: Vec<&[u8]> = train[..k].iter().map(Vec::as_slice).collect();
    let test: Vec<&[u8]> = test[..k].iter().map(Vec::as_slice).collect();
    println!(
        "N = 10, 28x28, T = 200, rayon threads = {}",
        rayon::current_num_threads()
    );
    for preset in ["seed", "default"] {
        let cfg = SnnConfig::preset(preset)?;
        run(preset, FloatArith::new(&cfg), &cfg, &train, &test);
        run(preset, FixedArith::new(&cfg)?, &cfg, &train, &test);
    }
    Ok(())
}
