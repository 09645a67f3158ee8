//! Simulated clock cycles per second of `Machine::run_image` on a fixed set of images, inference
//! and training (criterion reports the throughput in cycles/s as "elem/s"). Without an observer,
//! `run_image` clocks whole phases at once (`Machine::advance`); the cycle counts are those of
//! stepping every edge.
//!
//! The images are the first 20 MNIST test images when present (`SNN_MNIST_DIR` or the shared
//! data folder), else 20 made-up digits-like images; the weights are the golden model's initial
//! weights of the default configuration (N = 10).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flate2::read::GzDecoder;
use snn_core::prelude::*;
use snn_sim::Machine;
use std::io::Read;
use std::path::PathBuf;

const IMAGES: usize = 20;

fn mnist_or_made_up() -> Vec<Vec<u8>> {
    let dir = std::env::var_os("SNN_MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/mnist"
            ))
        });
    if let Ok(f) = std::fs::File::open(dir.join("t10k-images-idx3-ubyte.gz")) {
        let mut gz = GzDecoder::new(f);
        let mut header = [0u8; 16];
        gz.read_exact(&mut header).expect("IDX header");
        return (0..IMAGES)
            .map(|_| {
                let mut px = vec![0u8; 784];
                gz.read_exact(&mut px).expect("IDX image");
                px
            })
            .collect();
    }
    eprintln!(
        "MNIST not found under {}: benchmarking made-up images",
        dir.display()
    );
    (0..IMAGES)
        .map(|k| {
            // A ring of varying radius and thickness, roughly a zero or a one.
            (0..784)
                .map(|p| {
                    let (y, x) = ((p / 28) as f64 - 14.0, (p % 28) as f64 - 14.0);
                    let r = (y * y / (1.0 + (k % 3) as f64) + x * x).sqrt();
                    if (r - 6.0 - (k % 4) as f64).abs() < 1.5 {
                        255
                    } else {
                        0
                    }
                })
                .collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cfg = SnnConfig::default();
    let images = mnist_or_made_up();
    let weights = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg).weights;
    let weights = weights.as_slice().unwrap();
    let mut m = Machine::new(&cfg).unwrap();
    let mut group = c.benchmark_group("cycle");
    for learn in [false, true] {
        // One pass to count the cycles of the set (deterministic: the weights are reloaded first).
        m.load_weights(weights).unwrap();
        let cycles: u64 = images
            .iter()
            .map(|px| m.run_image(px, learn).unwrap().cycles.unwrap())
            .sum();
        group.throughput(Throughput::Elements(cycles));
        group.sample_size(20);
        let name = if learn { "training" } else { "inference" };
        group.bench_function(name, |b| {
            b.iter(|| {
                m.load_weights(weights).unwrap();
                images
                    .iter()
                    .map(|px| m.run_image(px, learn).unwrap().cycles.unwrap())
                    .sum::<u64>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
