//! Neuron lanes (`lanes = P < N`, docs/ARCHITECTURE.md "Neuron lanes"): the golden fixed model
//! does not know about them, so the cycle model must give its spikes, potentials, winners,
//! weights and theta after every image for any P, in the cycles the doc's formula predicts.

use crate::common::{edge_images, random_image, Pair};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use snn_core::prelude::*;
use snn_sim::prelude::*;

/// Trains on the images, then infers on them with the learned weights; returns the spikes.
fn train_then_infer(cfg: &SnnConfig, seed: u64, random: usize) -> u32 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut imgs = edge_images(cfg.height, cfg.width);
    imgs.extend((0..random).map(|_| random_image(&mut rng, cfg.height, cfg.width)));
    let mut pair = Pair::new(cfg);
    let trained = pair.run_all(&imgs, true);
    let inferred = pair.run_all(&imgs, false);
    trained.iter().chain(&inferred).map(|c| c.spikes).sum()
}

/// The three learning set-ups of the hardware: the seed's (penalty walk), homeostasis alone,
/// homeostasis with row normalization (the `default` preset's Sum walk and sweep).
fn base(kind: u8) -> SnnConfig {
    match kind {
        0 => SnnConfig::small(),
        1 => SnnConfig {
            norm_target: 0.0,
            ..SnnConfig::learning()
        },
        _ => SnnConfig::learning(),
    }
}

#[test]
fn default_preset_with_ten_lanes_of_thirty_neurons() {
    let cfg = SnnConfig {
        neurons: 30,
        lanes: Some(10),
        ..SnnConfig::learning()
    };
    assert!(
        train_then_infer(&cfg, 3, 8) > 0,
        "the images should make neurons fire"
    );
}

#[test]
fn lanes_that_do_not_divide_the_neurons() {
    // N = 10 in groups of 4: the last group has two padding lanes.
    for kind in 0..3 {
        let cfg = SnnConfig {
            neurons: 10,
            lanes: Some(4),
            ..base(kind)
        };
        assert!(train_then_infer(&cfg, 11 + kind as u64, 6) > 0);
    }
}

#[test]
fn more_neurons_than_a_word_has_lanes() {
    // N = 300 > MAX_LANES in 3 groups of 128 (the last of 44): masks beyond 128 bits, spikes
    // and winners among neurons 128 and up.
    let cfg = SnnConfig {
        neurons: 300,
        lanes: Some(128),
        ..SnnConfig::learning()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(300);
    let mut pair = Pair::new(&cfg);
    let mut high = 0;
    for _ in 0..8 {
        let px = random_image(&mut rng, cfg.height, cfg.width);
        pair.present(&px, true).unwrap_or_else(|e| panic!("{e}"));
        high += usize::from(pair.dut.winner().is_some_and(|w| w >= 128));
    }
    assert!(high > 0, "no winner among neurons 128 and up");
    let no_lanes = SnnConfig { lanes: None, ..cfg };
    let err = HwParams::new(&no_lanes).unwrap_err().to_string();
    assert!(err.contains("use lanes = 100"), "{err}");
}

#[test]
fn one_lane_for_all_neurons() {
    let cfg = SnnConfig {
        neurons: 5,
        lanes: Some(1),
        ..base(2)
    };
    assert!(train_then_infer(&cfg, 5, 6) > 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Random shapes (N, P, H, W, T) and learning set-ups within the hardware's limits.
    #[test]
    fn random_shapes_match_golden_fixed(
        n in 1usize..=16,
        lanes in 1usize..=16,
        h in 4usize..=12,
        w in 4usize..=12,
        t in 60u32..=200,
        kind in 0u8..3,
        seed in any::<u64>(),
    ) {
        let cfg = SnnConfig {
            neurons: n,
            lanes: Some(1 + (lanes - 1) % n),
            height: h,
            width: w,
            t_steps: t,
            seed,
            ..base(kind)
        };
        prop_assume!(HwParams::new(&cfg).is_ok());
        train_then_infer(&cfg, seed, 3);
    }
}
