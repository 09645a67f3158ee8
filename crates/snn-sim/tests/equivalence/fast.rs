//! `Machine::run_image` and `Machine::advance` (whole phases per call when nothing observes the
//! machine) against plain stepping: after every `advance` call, and at the end of every image,
//! every register and memory of every block, the cycle counter and the per-image results must be
//! those of a machine clocked one `step()` at a time.

use crate::common::{edge_images, random_image};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use snn_core::prelude::*;
use snn_sim::prelude::*;
use std::fmt::Debug;

/// The first difference of two values' `Debug` text, with some context.
fn debug_difference<T: Debug>(a: &T, b: &T) -> String {
    let (a, b) = (format!("{a:?}"), format!("{b:?}"));
    let k = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = k.saturating_sub(80);
    let cut = |s: &str| s[from..(k + 40).min(s.len())].to_string();
    format!("...{} (fast) vs ...{} (stepped)", cut(&a), cut(&b))
}

/// Every register and memory of the two machines, block by block, and their cycle counters:
/// `Err` names the first block that differs.
fn same_state(fast: &Machine, slow: &Machine) -> Result<(), String> {
    fn block<T: Debug + PartialEq>(name: &str, a: &T, b: &T) -> Result<(), String> {
        if a == b {
            Ok(())
        } else {
            Err(format!("{name}: {}", debug_difference(a, b)))
        }
    }
    block("cycle", &fast.now(), &slow.now())?;
    block("control", fast.control(), slow.control())?;
    block("spike_gen", fast.spike_gen(), slow.spike_gen())?;
    block("neuron", fast.neurons(), slow.neurons())?;
    block("wta", fast.wta(), slow.wta())?;
    block("stdp", fast.stdp(), slow.stdp())?;
    block("weight_mem", fast.weight_mem(), slow.weight_mem())
}

/// Clocks `slow` one edge at a time until it reaches `now`, recording its spikes and `done`.
fn step_to(slow: &mut Machine, now: Cycle, spikes: &mut [Vec<u32>]) -> Option<DoneEvent> {
    let mut done = None;
    while slow.now() < now {
        let ev = slow.step();
        if let Some(s) = ev.spike {
            for (j, times) in spikes.iter_mut().enumerate() {
                if s.mask.get(j) {
                    times.push(s.t);
                }
            }
        }
        done = done.or(ev.done);
    }
    done
}

/// Three machines with the same weights: `fast` presents each image with `run_image`, `phased`
/// with `advance` calls, each followed by the comparison with `slow`, stepped to the same
/// cycle. Returns the number of comparisons made.
fn check(cfg: &SnnConfig, images: &[(Vec<u8>, bool)], what: &str) -> usize {
    let weights = Network::with_random_weights(FixedArith::new(cfg).unwrap(), cfg).weights;
    let machine = || {
        let mut m = Machine::new(cfg).unwrap();
        m.load_weights(weights.as_slice().unwrap()).unwrap();
        m
    };
    let (mut fast, mut phased, mut slow) = (machine(), machine(), machine());
    let mut comparisons = 0;
    for (k, (px, learn)) in images.iter().enumerate() {
        let at = |cycle: Cycle| format!("{what}, image {k} (learn {learn}), cycle {}", cycle.0);
        let got = fast.run_image(px, *learn).unwrap();
        phased.load_image(px).unwrap();
        phased.start(*learn).unwrap();
        slow.load_image(px).unwrap();
        slow.start(*learn).unwrap();
        let mut spikes = vec![Vec::new(); cfg.neurons];
        let done = loop {
            let state = phased.state();
            let ev = phased.advance();
            let done = step_to(&mut slow, phased.now(), &mut spikes);
            if let Err(e) = same_state(&phased, &slow) {
                panic!("{} after advance from {state:?}: {e}", at(slow.now()));
            }
            comparisons += 1;
            assert_eq!(ev.done, done, "{}: done event", at(slow.now()));
            if let Some(d) = done {
                break d;
            }
        };
        let want = Presentation {
            winner: done.winner.map(|w| w as usize),
            inhibit_step: slow.inhibit_step(),
            spike_times: spikes,
            final_potentials: slow.potentials(),
            threshold: slow.threshold(),
            peak_count: slow.control().peak,
            cycles: Some(done.cycles as u64),
            trace: None,
        };
        assert_eq!(got, want, "{}: run_image's result", at(slow.now()));
        if let Err(e) = same_state(&fast, &slow) {
            panic!("{} after run_image: {e}", at(slow.now()));
        }
        comparisons += 1;
    }
    comparisons
}

/// Like [`check`], but `phased` alternates a random number of `step()` calls with `advance()`,
/// so that phases are also entered after their first edge (where `advance` falls back to the
/// handlers of `step` until the phase's shortcut applies).
fn check_interleaved(cfg: &SnnConfig, images: &[(Vec<u8>, bool)], seed: u64) {
    let weights = Network::with_random_weights(FixedArith::new(cfg).unwrap(), cfg).weights;
    let machine = || {
        let mut m = Machine::new(cfg).unwrap();
        m.load_weights(weights.as_slice().unwrap()).unwrap();
        m
    };
    let (mut phased, mut slow) = (machine(), machine());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for (k, (px, learn)) in images.iter().enumerate() {
        for m in [&mut phased, &mut slow] {
            m.load_image(px).unwrap();
            m.start(*learn).unwrap();
        }
        let mut spikes = vec![Vec::new(); cfg.neurons];
        loop {
            let state = phased.state();
            let ev = if rng.gen_bool(0.5) {
                phased.advance()
            } else {
                let mut ev = Events::default();
                for _ in 0..rng.gen_range(1..40) {
                    ev = phased.step();
                    if ev.done.is_some() {
                        break;
                    }
                }
                ev
            };
            let done = step_to(&mut slow, phased.now(), &mut spikes);
            if let Err(e) = same_state(&phased, &slow) {
                panic!("image {k}, cycle {}, from {state:?}: {e}", slow.now().0);
            }
            assert_eq!(ev.done, done);
            if done.is_some() {
                break;
            }
        }
    }
}

/// Edge images and made-up ones, trained then inferred.
fn made_up(cfg: &SnnConfig, seed: u64, random: usize) -> Vec<(Vec<u8>, bool)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut imgs = edge_images(cfg.height, cfg.width);
    imgs.extend((0..random).map(|_| random_image(&mut rng, cfg.height, cfg.width)));
    let train = imgs.iter().map(|px| (px.clone(), true));
    let infer = imgs.iter().map(|px| (px.clone(), false));
    train.chain(infer).collect()
}

#[test]
fn the_state_comparison_sees_one_weight() {
    let cfg = SnnConfig::small();
    let a = Machine::new(&cfg).unwrap();
    let mut b = Machine::new(&cfg).unwrap();
    assert_eq!(same_state(&a, &b), Ok(()));
    let mut w = b.weights();
    w[77] = 1;
    b.load_weights(&w).unwrap();
    let err = same_state(&a, &b).unwrap_err();
    assert!(err.starts_with("weight_mem"), "{err}");
}

/// Row normalization (its sweep, pending updates and NormMul) on a small core.
fn small_normalized() -> SnnConfig {
    SnnConfig {
        norm_target: 20.0,
        neurons: 3,
        ..SnnConfig::small()
    }
}

#[test]
fn made_up_images_on_several_configurations() {
    let configs = [
        ("default", SnnConfig::default()),
        ("small", SnnConfig::small()),
        ("learning preset", SnnConfig::learning()),
        ("small, normalized", small_normalized()),
        (
            "one neuron",
            SnnConfig {
                neurons: 1,
                ..SnnConfig::small()
            },
        ),
        (
            "100 neurons",
            SnnConfig {
                neurons: 100,
                ..SnnConfig::small()
            },
        ),
        (
            "identical weights",
            SnnConfig {
                neurons: 6,
                w_init: [0.3, 0.3],
                ..SnnConfig::small()
            },
        ),
        (
            "1x1",
            SnnConfig {
                height: 1,
                width: 1,
                neurons: 3,
                ..SnnConfig::small()
            },
        ),
        (
            "3x12",
            SnnConfig {
                height: 3,
                width: 12,
                t_steps: 150,
                ..SnnConfig::small()
            },
        ),
        // The sweep's last two inputs in different image rows: the next to last is summed before
        // the last is read.
        (
            "12x1, normalized",
            SnnConfig {
                height: 12,
                width: 1,
                norm_target: 5.0,
                ..small_normalized()
            },
        ),
        // Thresh lasts one cycle: the sweep's last word is summed in Divide's first.
        (
            "T = 1, normalized",
            SnnConfig {
                t_steps: 1,
                stdp_window: [2, 2],
                rate_range: [1.0, 1e6],
                ..small_normalized()
            },
        ),
    ];
    for (seed, (name, cfg)) in configs.iter().enumerate() {
        let n = check(cfg, &made_up(cfg, seed as u64, 12), name);
        assert!(n > 100, "{name}: only {n} comparisons");
    }
}

#[test]
fn phases_entered_after_their_first_edge() {
    for (seed, cfg) in [
        SnnConfig::default(),
        SnnConfig::small(),
        SnnConfig::learning(),
        small_normalized(),
    ]
    .iter()
    .enumerate()
    {
        for round in 0..4 {
            let seed = 10 * seed as u64 + round;
            check_interleaved(cfg, &made_up(cfg, seed, 6), seed);
        }
    }
}

#[test]
fn random_configurations() {
    for seed in 0..40u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let cfg = crate::sweep::random_config(&mut rng, seed);
        if HwParams::new(&cfg).is_err() {
            continue;
        }
        check(&cfg, &made_up(&cfg, seed, 4), &format!("seed {seed}"));
    }
}

#[test]
fn mnist_images() {
    let Some(train) =
        snn_testkit::mnist_images("fast_mnist_images", "train-images-idx3-ubyte.gz", 100)
    else {
        return;
    };
    let Some(test) =
        snn_testkit::mnist_images("fast_mnist_images", "t10k-images-idx3-ubyte.gz", 100)
    else {
        return;
    };
    let images: Vec<(Vec<u8>, bool)> = train
        .into_iter()
        .map(|px| (px, true))
        .chain(test.into_iter().map(|px| (px, false)))
        .collect();
    let n = check(&SnnConfig::default(), &images, "MNIST");
    println!("MNIST: 100 training and 100 inference images, {n} state comparisons");
}
