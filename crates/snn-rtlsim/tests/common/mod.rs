//! Helpers shared by the harness and co-simulation tests: simulator checks, test images, and the
//! field-by-field comparison of what two levels produced for one image.
#![allow(dead_code)] // each test binary uses a different subset of these helpers

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use snn_core::prelude::Presentation;
use snn_rtlsim::RtlImage;
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

/// What every level produces for one image, in one type so one function compares any two.
#[derive(Debug)]
pub struct Outcome {
    pub winner: Option<usize>,
    pub inhibit_step: Option<u32>,
    pub spike_times: Vec<Vec<u32>>,
    pub final_potentials: Vec<i32>,
    pub threshold: i32,
    pub peak_count: u32,
    /// `None` for the golden model, which has no clock.
    pub cycles: Option<u64>,
}

impl From<&RtlImage> for Outcome {
    fn from(r: &RtlImage) -> Self {
        Outcome {
            winner: r.winner,
            inhibit_step: r.inhibit_step,
            spike_times: r.spike_times.clone(),
            final_potentials: r.final_potentials.clone(),
            threshold: r.threshold,
            peak_count: r.peak_count,
            cycles: Some(r.cycles),
        }
    }
}

impl From<&snn_sim::ImageResult> for Outcome {
    fn from(r: &snn_sim::ImageResult) -> Self {
        Outcome {
            winner: r.winner,
            inhibit_step: r.inhibit_step,
            spike_times: r.spike_times.clone(),
            final_potentials: r.final_potentials.clone(),
            threshold: r.threshold,
            peak_count: r.peak_count,
            cycles: Some(r.cycles),
        }
    }
}

impl From<&Presentation<i32>> for Outcome {
    fn from(r: &Presentation<i32>) -> Self {
        Outcome {
            winner: r.winner,
            inhibit_step: r.inhibit_step,
            spike_times: r.spike_times.clone(),
            final_potentials: r.final_potentials.clone(),
            threshold: r.threshold,
            peak_count: r.peak_count,
            cycles: None,
        }
    }
}

/// The first difference, in the order the hardware produces the fields (peak and threshold
/// before the first step, spikes in time order, the winner, the potentials at the end, the
/// cycle count last), as "field: rtl X, other Y".
pub fn first_difference(rtl: &Outcome, o: &Outcome, other: &str) -> Option<String> {
    if rtl.peak_count != o.peak_count {
        return Some(format!(
            "peak_count: rtl {}, {other} {}",
            rtl.peak_count, o.peak_count
        ));
    }
    if rtl.threshold != o.threshold {
        return Some(format!(
            "threshold: rtl {}, {other} {}",
            rtl.threshold, o.threshold
        ));
    }
    // The earliest step at which the spike sets differ.
    let at = |s: &[Vec<u32>], j: usize, t: u32| s[j].contains(&t);
    let steps = rtl
        .spike_times
        .iter()
        .chain(&o.spike_times)
        .flatten()
        .copied()
        .collect::<std::collections::BTreeSet<u32>>();
    for t in steps {
        let n = rtl.spike_times.len().max(o.spike_times.len());
        let a: Vec<usize> = (0..n)
            .filter(|&j| j < rtl.spike_times.len() && at(&rtl.spike_times, j, t))
            .collect();
        let b: Vec<usize> = (0..n)
            .filter(|&j| j < o.spike_times.len() && at(&o.spike_times, j, t))
            .collect();
        if a != b {
            return Some(format!(
                "spikes at step {t}: rtl neurons {a:?}, {other} neurons {b:?}"
            ));
        }
    }
    if (rtl.winner, rtl.inhibit_step) != (o.winner, o.inhibit_step) {
        return Some(format!(
            "winner/inhibit_step: rtl {:?}/{:?}, {other} {:?}/{:?}",
            rtl.winner, rtl.inhibit_step, o.winner, o.inhibit_step
        ));
    }
    if let Some(j) = (0..rtl.final_potentials.len().max(o.final_potentials.len()))
        .find(|&j| rtl.final_potentials.get(j) != o.final_potentials.get(j))
    {
        return Some(format!(
            "final potential of neuron {j}: rtl {:?}, {other} {:?}",
            rtl.final_potentials.get(j),
            o.final_potentials.get(j)
        ));
    }
    match (rtl.cycles, o.cycles) {
        (Some(a), Some(b)) if a != b => Some(format!("cycles: rtl {a}, {other} {b}")),
        _ => None,
    }
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
