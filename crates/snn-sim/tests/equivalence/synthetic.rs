//! Made-up images on the default (28x28, N = 10) and small (16x16, N = 4) configurations and on
//! edge sizes, training then inference.

use crate::common::{edge_images, random_image, Pair};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use snn_core::prelude::*;
use snn_sim::prelude::*;

fn images(cfg: &SnnConfig, seed: u64, random: usize) -> Vec<Vec<u8>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut v = edge_images(cfg.height, cfg.width);
    v.extend((0..random).map(|_| random_image(&mut rng, cfg.height, cfg.width)));
    v
}

/// Trains on the images, then infers on them with the learned weights.
fn train_then_infer(cfg: &SnnConfig, seed: u64, random: usize) {
    let imgs = images(cfg, seed, random);
    let mut pair = Pair::new(cfg);
    let trained = pair.run_all(&imgs, true);
    let inferred = pair.run_all(&imgs, false);
    assert!(
        trained.iter().chain(&inferred).any(|c| c.spikes > 0),
        "the images should make neurons fire"
    );
}

#[test]
fn default_configuration() {
    train_then_infer(&SnnConfig::default(), 1, 25);
}

#[test]
fn pixel_code() {
    // SPEC section 11's `pixel` code: stage 2 passes each window's centre pixel, classified by
    // the pixel table; with the seed's constants and with the learning preset's mechanisms.
    for (cfg, seed) in [(SnnConfig::small(), 7), (SnnConfig::learning(), 8)] {
        let cfg = SnnConfig {
            encoding: Encoding::Pixel,
            ..cfg
        };
        assert!(HwParams::new(&cfg).unwrap().pixel_code);
        train_then_infer(&cfg, seed, 12);
    }
}

#[test]
fn homeostasis_with_learned_thresholds() {
    // The learning preset's homeostasis with thresholds as training leaves them (different per
    // neuron, up to about 300 potential units): the WTA compares shown - theta, Fire pot >= thr +
    // theta, and theta moves after every training image.
    let cfg = SnnConfig {
        norm_target: 0.0,
        ..SnnConfig::learning()
    };
    homeostasis_run(&cfg);
}

#[test]
fn learning_preset_with_row_normalization() {
    // Homeostasis and subtractive normalization of the winner's row together (the default
    // preset): the row sums come from Ingest's pass and the writes' tracking.
    homeostasis_run(&SnnConfig::learning());
    homeostasis_run(&SnnConfig {
        norm_target: 20.0,
        neurons: 3,
        ..SnnConfig::small()
    });
}

#[test]
fn row_normalization_when_thresh_lasts_one_cycle() {
    // T = 1 (shortest period 1): Thresh's only cycle writes the sweep's last word back, Divide's
    // first adds it to the row sums. Few inputs, so that one word moves `delta`.
    train_then_infer(
        &SnnConfig {
            t_steps: 1,
            stdp_window: [2, 2],
            rate_range: [1.0, 1e6],
            height: 4,
            width: 4,
            norm_target: 5.0,
            neurons: 3,
            // Strong weights and a low threshold: neurons fire at t = 1 and win.
            w_init: [0.8, 1.4],
            threshold_divisor: 4,
            ..SnnConfig::small()
        },
        5,
        20,
    );
}

fn homeostasis_run(cfg: &SnnConfig) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let imgs = images(cfg, 7, 30);
    let mut pair = Pair::new(cfg);
    let cap = cfg.theta_max as i32;
    for scale in [0, 2, 40, 300].map(|s| s.min(cap)) {
        let theta: Vec<i32> = (0..cfg.neurons)
            .map(|_| rng.gen_range(0..=scale * 256))
            .collect();
        pair.set_theta(&theta);
        pair.run_all(&imgs, true);
        pair.run_all(&imgs, false);
    }
    if cfg.theta_max > 0.0 {
        assert!(pair.dut.theta().iter().any(|&t| t > 0));
    }
}

#[test]
fn small_configuration() {
    train_then_infer(&SnnConfig::small(), 2, 40);
}

#[test]
fn one_neuron() {
    train_then_infer(
        &SnnConfig {
            neurons: 1,
            ..SnnConfig::small()
        },
        3,
        20,
    );
}

#[test]
fn many_neurons_fire_together() {
    // Identical weights: every neuron reaches the threshold at the same step, so STDP walks N
    // neurons back to back (the case the drain cycle between walks exists for).
    let cfg = SnnConfig {
        neurons: 6,
        w_init: [0.3, 0.3],
        ..SnnConfig::small()
    };
    train_then_infer(&cfg, 4, 20);
}

#[test]
fn hundred_neurons() {
    // N = 100 needs the 128-bit spike mask and stdp_mask: neurons above 63 must fire, win and be
    // walked by STDP (the all-black image makes all 100 fire at every step).
    let cfg = SnnConfig {
        neurons: 100,
        ..SnnConfig::small()
    };
    let imgs = images(&cfg, 6, 12);
    let mut pair = Pair::new(&cfg);
    pair.run_all(&imgs, true);
    pair.run_all(&imgs, false);
    let results: Vec<Presentation<i32>> = imgs
        .iter()
        .map(|px| pair.dut.run_image(px, false).unwrap())
        .collect();
    assert!(
        results.iter().any(|r| r.winner.is_some_and(|w| w >= 64)),
        "some winner should be above 63"
    );
    assert!(results[0].spike_times[64..].iter().all(|s| s.len() == 200));
}

#[test]
fn back_to_back_walks_never_read_a_word_in_flight() {
    // Input 10 is the only input of period 40 and input 11 (period 60) carries weight thr + leak
    // in both neurons, so both reach exactly thr at t = 60 (no WTA: not strictly above) and fire
    // together. Neuron 0's walk (m = 40..=80) ends by reading input 10 at m = 80 (the last class
    // of that step) and neuron 1's walk starts by reading it at m = 40: without the StdpDrain
    // cycle between the walks that read would return the word before neuron 0's write.
    let cfg = SnnConfig {
        height: 5,
        width: 5,
        neurons: 2,
        ..SnnConfig::default()
    };
    let mut px = vec![0u8; 25];
    (px[5], px[10], px[15]) = (127, 245, 215);
    let f = FixedFormat::new(&cfg).unwrap();
    let mut gold = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg);
    let enc = gold.encode(&px);
    let thr = f.threshold(enc.peak_count);
    assert_eq!((enc.periods[10], enc.periods[11]), (Some(40), Some(60)));
    assert_eq!(enc.periods.iter().filter(|&&p| p == Some(40)).count(), 1);
    gold.weights.fill(0);
    gold.weights.column_mut(11).fill(thr + f.leak);
    let mut pair = Pair::with_network(gold);
    pair.present(&px, true).unwrap_or_else(|e| panic!("{e}"));
    let spikes = pair.dut.run_image(&px, false).unwrap().spike_times;
    assert!(spikes.iter().all(|s| s.first() == Some(&60)), "{spikes:?}");
}

#[test]
fn all_black_image_fires_at_every_step() {
    // Nothing spikes: the threshold is 0 and every potential stays at rest = 0 >= 0. The fire
    // check applies to refractory neurons too (SPEC 5.3), so every neuron fires at every step;
    // no shown potential is ever above 0, so there is no winner.
    let cfg = SnnConfig::small();
    let mut m = Machine::new(&cfg).unwrap();
    let r = m.run_image(&vec![0; cfg.inputs()], false).unwrap();
    let every: Vec<u32> = (1..=cfg.t_steps).collect();
    assert_eq!((r.threshold, r.peak_count, r.winner), (0, 0, None));
    assert!(
        r.spike_times.iter().all(|s| *s == every),
        "{:?}",
        r.spike_times
    );
    assert!(m
        .free_at()
        .iter()
        .all(|&f| f == cfg.t_steps + cfg.t_ref + 1));
}

#[test]
fn run_image_reports_what_the_golden_presentation_reports() {
    let cfg = SnnConfig::small();
    let mut gold = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg);
    let mut m = Machine::new(&cfg).unwrap();
    m.load_weights(gold.weights.as_slice().unwrap()).unwrap();
    for (k, px) in images(&cfg, 5, 10).iter().enumerate() {
        let learn = k % 2 == 0;
        let g = gold.present(
            px,
            PresentOptions {
                learn,
                record: false,
            },
        );
        let d = m.run_image(px, learn).unwrap();
        assert_eq!(g.first_difference(&d), None, "image {k}");
        assert!(d.cycles.is_some_and(|c| c <= m.cycle_bound()));
        assert_eq!(m.weights(), gold.weights.as_slice().unwrap(), "image {k}");
        assert_eq!(m.state(), FsmState::Idle);
    }
}

#[test]
fn host_port_misuse_is_an_error() {
    let cfg = SnnConfig::small();
    let mut m = Machine::new(&cfg).unwrap();
    assert!(m.start(false).is_err(), "start without an image");
    assert!(m.load_image(&[0; 3]).is_err());
    assert!(m.load_weights(&[0; 3]).is_err());
    let f = FixedFormat::new(&cfg).unwrap();
    let mut w = vec![0; cfg.neurons * cfg.inputs()];
    w[5] = f.w_max + 1;
    let err = m.load_weights(&w).unwrap_err().to_string();
    assert!(err.contains("neuron 0, input 5"), "{err}");
    m.load_image(&vec![0; cfg.inputs()]).unwrap();
    m.start(true).unwrap();
    m.step();
    assert_eq!(m.state(), FsmState::Ingest);
    assert!(m
        .load_weights(&vec![0; cfg.neurons * cfg.inputs()])
        .unwrap_err()
        .to_string()
        .contains("Idle"));
}

#[test]
fn host_writes_win_over_a_pending_update() {
    // A training image with a winner leaves its row's penalty and normalization to the next
    // image's sweep; weights the host writes before that are final (tag_mem's skip bit), and
    // the host port reads the logical weights in between.
    let cfg = SnnConfig {
        norm_target: 20.0,
        neurons: 3,
        ..SnnConfig::small()
    };
    let imgs = images(&cfg, 3, 20);
    let mut pair = Pair::new(&cfg);
    let before = pair.dut.weights();
    let k = imgs
        .iter()
        .position(|px| {
            pair.present(px, true).unwrap();
            pair.dut.stdp().upd
        })
        .expect("some training image has a winner");
    let raw: Vec<i32> = (0..cfg.height * cfg.width)
        .flat_map(|i| pair.dut.weight_mem().word(i).to_vec())
        .collect();
    let shown: Vec<i32> = (0..cfg.height * cfg.width)
        .flat_map(|i| (0..cfg.neurons).map(move |j| (i, j)))
        .map(|(i, j)| pair.dut.weight(j, i))
        .collect();
    assert_ne!(raw, shown, "the update is pending in the memory");
    assert_ne!(pair.dut.weights(), before);
    let written = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg).weights;
    pair.set_weights(written.as_slice().unwrap());
    assert_eq!(pair.dut.weights(), written.as_slice().unwrap());
    // The next images run on the written weights, bit for bit with the golden model.
    pair.run_all(&imgs[k + 1..], false);
    pair.run_all(&imgs[k + 1..], true);
}
