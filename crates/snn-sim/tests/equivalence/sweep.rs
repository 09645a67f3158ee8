//! A random-configuration sweep: sizes 5x5..16x16, 1..6 neurons, widths, steps, refractory
//! time, window, rates, divisor and penalty drawn from seeds; golden fixed vs cycle on a few
//! trained and inferred images each.

use crate::common::{edge_images, random_image, Pair};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use snn_core::prelude::*;
use snn_sim::prelude::*;

pub fn random_config(rng: &mut ChaCha8Rng, seed: u64) -> SnnConfig {
    let mut cfg = SnnConfig {
        height: rng.gen_range(5..=16),
        width: rng.gen_range(5..=16),
        neurons: rng.gen_range(1..=6),
        t_steps: rng.gen_range(40..=260),
        t_ref: rng.gen_range(0..=40),
        threshold_divisor: rng.gen_range(1..=4),
        stdp_window: [rng.gen_range(2..=4), rng.gen_range(8..=22)],
        rate_range: [1.0, rng.gen_range(12.0..=30.0)],
        leak: rng.gen_range(0.0..0.4),
        penalty: rng.gen_range(0.0..0.2),
        sigma: rng.gen_range(0.0..0.2),
        w_init: [rng.gen_range(-0.5..0.2), rng.gen_range(0.3..0.8)],
        p_min: rng.gen_range(-600.0..-2.0),
        seed,
        ..SnnConfig::default()
    };
    if rng.gen_bool(0.5) {
        // Homeostasis: wins raise theta by up to 2, every image lowers it, capped at theta_max.
        cfg.theta_max = rng.gen_range(2.0..40.0);
        cfg.theta_plus = rng.gen_range(0.0..2.0);
        cfg.theta_minus = rng.gen_range(0.0..0.3);
    }
    if rng.gen_bool(0.5) {
        // Row normalization to a sum anywhere between all-w_min and all-w_max rows.
        let m = (cfg.height * cfg.width) as f64;
        cfg.norm_target = m * rng.gen_range(0.05..1.4);
    }
    cfg.fixed.frac_bits = rng.gen_range(5..=10);
    cfg.fixed.theta_bits = 18;
    cfg.fixed.lut_frac_bits = rng.gen_range(10..=18);
    let w_raw = (cfg.w_max * (1u64 << cfg.fixed.frac_bits) as f64).round() as u64;
    cfg.fixed.weight_bits = 64 - w_raw.leading_zeros() + 1 + rng.gen_range(0..=2);
    cfg.fixed.potential_bits = (8..=32)
        .find(|&b| {
            let mut c = cfg.clone();
            c.fixed.potential_bits = b;
            FixedFormat::new(&c).is_ok()
        })
        .expect("some width holds the potentials")
        + rng.gen_range(0..=2);
    cfg
}

#[test]
fn random_configurations() {
    let mut accepted = 0;
    let mut rejected = Vec::new();
    for seed in 0..40u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let cfg = random_config(&mut rng, seed);
        if let Err(e) = HwParams::new(&cfg) {
            rejected.push(format!("seed {seed}: {e:#}"));
            continue;
        }
        accepted += 1;
        let mut imgs = edge_images(cfg.height, cfg.width);
        imgs.extend((0..6).map(|_| random_image(&mut rng, cfg.height, cfg.width)));
        let mut pair = Pair::new(&cfg);
        for (k, px) in imgs.iter().enumerate() {
            let learn = k % 3 != 2;
            if let Err(e) = pair.present(px, learn) {
                panic!(
                    "seed {seed} ({}x{}, N = {}, T = {}, t_ref = {}): {e}",
                    cfg.height, cfg.width, cfg.neurons, cfg.t_steps, cfg.t_ref
                );
            }
        }
    }
    println!("random configurations: {accepted} accepted, rejected: {rejected:?}");
    assert!(
        accepted >= 30,
        "too few accepted configurations: {rejected:?}"
    );
}
