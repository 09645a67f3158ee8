//! Training and inference throughput of the golden models (N = 10, 28x28) on synthetic
//! MNIST-like digits, so the benchmark needs no data files: `cargo bench -p snn-core --bench
//! golden`. Criterion reports images per second ("elem/s"). Both presets run side by side:
//! `seed` (SPEC section 1) and `default` (homeostasis and row normalization, SPEC section 10).
//!
//! The images are drawn from a seeded RNG, so every run measures the same work.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use snn_core::prelude::*;

/// Training images per measured iteration (trained in order, weights carried over).
const TRAIN_BATCH: usize = 200;
/// Inference images per measured iteration (rayon over images).
const INFER_BATCH: usize = 2000;

/// A 28x28 digit-like image: two to four strokes (line segments and arcs) in the central 20x20
/// box, with a soft edge like MNIST's anti-aliased pen. The stroke width is tuned so that the
/// work matches MNIST: over 2,000 images, 18.5% of pixels lit, ~630 input spikes and a peak of 24
/// per image, against 18.0%, ~600 and 24.5 for the first 2,000 MNIST test images.
fn synthetic_digit(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut px = vec![0u8; 28 * 28];
    let mut points: Vec<(f64, f64)> = Vec::new();
    for _ in 0..rng.gen_range(2..=4) {
        if rng.gen_bool(0.5) {
            let (x0, y0, x1, y1) = (
                rng.gen_range(4.0..24.0),
                rng.gen_range(4.0..24.0),
                rng.gen_range(4.0..24.0),
                rng.gen_range(4.0..24.0),
            );
            points.extend((0..=40).map(|k| {
                let u = k as f64 / 40.0;
                (x0 + u * (x1 - x0), y0 + u * (y1 - y0))
            }));
        } else {
            let (cx, cy, r) = (
                rng.gen_range(9.0..19.0),
                rng.gen_range(9.0..19.0),
                rng.gen_range(3.0..7.0),
            );
            let (a0, span) = (
                rng.gen_range(0.0..std::f64::consts::TAU),
                rng.gen_range(2.0..std::f64::consts::TAU),
            );
            points.extend((0..=60).map(|k| {
                let a = a0 + span * k as f64 / 60.0;
                (cx + r * a.cos(), cy + r * a.sin())
            }));
        }
    }
    let width = rng.gen_range(0.4..0.9);
    for (i, p) in px.iter_mut().enumerate() {
        let (x, y) = ((i % 28) as f64, (i / 28) as f64);
        let dist = points
            .iter()
            .map(|&(px, py)| (px - x).hypot(py - y))
            .fold(f64::INFINITY, f64::min);
        *p = (255.0 * (1.0 - (dist - width).max(0.0))).clamp(0.0, 255.0) as u8;
    }
    px
}

fn digits(count: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count).map(|_| synthetic_digit(&mut rng)).collect()
}

fn bench_arith<A: Arith + Clone>(c: &mut Criterion, name: &str, arith: A, cfg: &SnnConfig) {
    let train = digits(TRAIN_BATCH, 1);
    let train: Vec<&[u8]> = train.iter().map(Vec::as_slice).collect();
    let test = digits(INFER_BATCH, 2);
    let test: Vec<&[u8]> = test.iter().map(Vec::as_slice).collect();
    // Every measured batch trains a fresh network: carried over, the default preset's theta would
    // keep rising batch after batch until no neuron wins and training measures only inference.
    let fresh = || Network::with_random_weights(arith.clone(), cfg);
    let mut g = c.benchmark_group("train");
    g.throughput(Throughput::Elements(TRAIN_BATCH as u64));
    g.bench_function(name, |b| {
        b.iter_batched(
            fresh,
            |mut net| net.train(&train, |_, _, _| {}),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut net = fresh();
    net.train(&train, |_, _, _| {});

    let mut g = c.benchmark_group("infer");
    g.throughput(Throughput::Elements(INFER_BATCH as u64));
    g.bench_function(name, |b| b.iter(|| net.infer(&test)));
    g.finish();
}

fn golden(c: &mut Criterion) {
    for preset in ["seed", "default"] {
        let cfg = SnnConfig::preset(preset).expect("built-in preset");
        bench_arith(c, &format!("{preset}/float"), FloatArith::new(&cfg), &cfg);
        bench_arith(
            c,
            &format!("{preset}/fixed"),
            FixedArith::new(&cfg).expect("presets are valid"),
            &cfg,
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = golden
}
criterion_main!(benches);
