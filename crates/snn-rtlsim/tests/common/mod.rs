//! Helpers shared by the harness and co-simulation tests: simulator checks, test images, and the
//! field-by-field comparison of what two levels produced for one image.
#![allow(dead_code)] // each test binary uses a different subset of these helpers

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use snn_rtlsim::Simulator;

/// True when `sim` can run; otherwise the test skips (fails under `CI=true`).
pub fn have(sim: Simulator, test: &str) -> bool {
    snn_testkit::available(test, sim.available(), &format!("{sim} (or its compiler)"))
}

/// `count` MNIST-like images: a few bright Gaussian strokes on black, anti-aliased, seeded.
/// They exercise what real digits do (silent background, saturated centres, grey edges) without
/// needing the data set.
pub fn blobs(seed: u64, count: usize, height: usize, width: usize) -> Vec<Vec<u8>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let mut img = vec![0f64; height * width];
            for _ in 0..rng.gen_range(2..=4) {
                let (cy, cx) = (
                    rng.gen_range(0.2..0.8) * height as f64,
                    rng.gen_range(0.2..0.8) * width as f64,
                );
                let (dy, dx) = (
                    rng.gen_range(-0.3..0.3) * height as f64,
                    rng.gen_range(-0.3..0.3) * width as f64,
                );
                let s = rng.gen_range(0.04..0.08) * height.max(width) as f64;
                for k in 0..=8 {
                    let f = k as f64 / 8.0 - 0.5;
                    let (py, px) = (cy + f * dy, cx + f * dx);
                    for (i, v) in img.iter_mut().enumerate() {
                        let (y, x) = ((i / width) as f64, (i % width) as f64);
                        let d2 = (y - py).powi(2) + (x - px).powi(2);
                        *v += 255.0 * (-d2 / (2.0 * s * s)).exp();
                    }
                }
            }
            img.iter()
                .map(|v| v.round().clamp(0.0, 255.0) as u8)
                .collect()
        })
        .collect()
}

/// The first weight that differs, as "neuron j, input i: rtl X, other Y".
pub fn first_weight_difference(rtl: &[Vec<i32>], o: &[Vec<i32>], other: &str) -> Option<String> {
    for (j, (a, b)) in rtl.iter().zip(o).enumerate() {
        if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
            return Some(format!(
                "weight of neuron {j}, input {i}: rtl {}, {other} {}",
                a[i], b[i]
            ));
        }
    }
    None
}
