//! Mean cycles per image of the cycle model on MNIST, and the simulation speed in simulated
//! cycles per second of `Machine::run_image` (whole phases at once, `Machine::advance`; the
//! cycle counts are those of stepping every edge).
//!
//! `cargo run --release -p snn-sim --example cycles -- PATH COUNT [CONFIG]`: PATH is an IDX
//! image file (gzip or plain) or a folder holding `t10k-images-idx3-ubyte.gz`; the first COUNT
//! images are presented once with learning (from the golden model's initial weights), then once
//! for inference with the learned weights. CONFIG is a configuration TOML (default: the `seed`
//! preset, N = 10).

use anyhow::{bail, Context, Result};
use flate2::read::GzDecoder;
use snn_core::prelude::*;
use snn_sim::Machine;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

fn read_images(path: &Path, count: usize) -> Result<Vec<Vec<u8>>> {
    let file = if path.is_dir() {
        path.join("t10k-images-idx3-ubyte.gz")
    } else {
        path.to_path_buf()
    };
    let raw = std::fs::read(&file).with_context(|| format!("{}: cannot read", file.display()))?;
    let mut data = Vec::new();
    if raw.starts_with(&[0x1f, 0x8b]) {
        GzDecoder::new(&raw[..])
            .read_to_end(&mut data)
            .with_context(|| format!("{}: bad gzip", file.display()))?;
    } else {
        data = raw;
    }
    let word = |k: usize| u32::from_be_bytes(data[k..k + 4].try_into().unwrap()) as usize;
    if data.len() < 16 || word(0) != 0x803 || word(8) != 28 || word(12) != 28 {
        bail!("{}: not an IDX file of 28x28 images", file.display());
    }
    let count = count.min(word(4)).min((data.len() - 16) / 784);
    Ok(data[16..16 + count * 784]
        .chunks_exact(784)
        .map(<[u8]>::to_vec)
        .collect())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, count, cfg) = match args.as_slice() {
        [path, count] => (path, count, SnnConfig::seed()),
        [path, count, config] => (path, count, SnnConfig::from_toml_file(Path::new(config))?),
        _ => {
            bail!("usage: cycles PATH COUNT [CONFIG] (PATH: an MNIST IDX image file or its folder)")
        }
    };
    let count: usize = count.parse().context("COUNT must be a number")?;
    let images = read_images(Path::new(path), count)?;
    let gold = Network::with_random_weights(FixedArith::new(&cfg)?, &cfg);
    let mut m = Machine::new(&cfg)?;
    m.load_weights(gold.weights.as_slice().expect("standard layout"))?;
    for (name, learn) in [("training", true), ("inference", false)] {
        let start = Instant::now();
        let mut total = 0u64;
        for px in &images {
            total += m.run_image(px, learn)?.cycles.expect("a clocked level");
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name}: {} images, mean {:.1} cycles/image, {:.1} M simulated cycles/s",
            images.len(),
            total as f64 / images.len() as f64,
            total as f64 / secs / 1e6
        );
    }
    Ok(())
}
