//! Properties of the golden models over random small configurations and random images.
//!
//! The central one compares the event-driven presentation (`control::present`, which walks a
//! precomputed spike raster and, for STDP, only the steps inside the window) with a literal
//! transcription of SPEC sections 4 to 6 and 10 written here: every input tested at every step,
//! STDP input by input and distance by distance, then penalty, row normalization and homeostasis.
//! They must agree bit for bit, in both arithmetics and for every input code.

use ndarray::Array2;
use proptest::prelude::*;
use snn_core::prelude::*;
use snn_core::spike_gen::{
    period_of_potential, pixel_period, rf_sums, Lfsr32, PeriodTable, BERNOULLI_STREAM,
    PHASE_STREAM, RF_KERNEL_X8, RF_SCALE, RF_SUM_MAX, RF_SUM_MIN,
};

/// A random valid configuration small enough for hundreds of cases: up to 6x6 inputs, 1 to 4
/// neurons, up to 80 steps, and periods from 1 step up (so several spikes of one input can fall
/// inside one STDP window, which is where the order of updates matters).
fn small_config() -> impl Strategy<Value = SnnConfig> {
    (
        (1usize..=6, 1usize..=6, 1usize..=4, 1u32..=80),
        (5.0f64..=600.0, 0u32..=40, 0.0f64..=0.5, 1u32..=4),
        (2u32..=5, 0u32..=20, 0.0f64..=0.3, 0.0f64..=0.2),
        (-5.0f64..=-0.25, any::<u64>(), 0.0f64..=1.0),
        (
            prop_oneof![Just(0.0f64), 0.0f64..=2.0],
            0.0f64..=0.5,
            0.0f64..=8.0,
            prop_oneof![Just(None), (-1.0f64..=1.0).prop_map(Some)],
            prop::sample::select(Encoding::ALL.to_vec()),
        ),
    )
        .prop_map(
            |(
                (height, width, neurons, t_steps),
                (numerator, t_ref, leak, divisor),
                (lo, span, sigma, penalty),
                (p_min, seed, a_scale),
                (theta_plus, theta_minus, theta_max, norm, encoding),
            )| {
                let inputs = (height * width) as f64;
                SnnConfig {
                    theta_plus: theta_plus.min(theta_max),
                    theta_minus,
                    theta_max,
                    // A row-sum target anywhere between all-w_min and all-w_max (1.0 scale).
                    norm_target: norm.map_or(0.0, |x| ((x * 1.35 + 0.15) * inputs).max(0.01)),
                    encoding,
                    height,
                    width,
                    neurons,
                    t_steps,
                    period_numerator: numerator,
                    t_ref,
                    leak,
                    threshold_divisor: divisor,
                    stdp_window: [lo, lo + span],
                    sigma,
                    penalty,
                    p_min,
                    seed,
                    a_plus: 0.8 * a_scale + 0.2,
                    a_minus: 0.3 * a_scale + 0.1,
                    w_init: [-1.2, 1.5],
                    ..SnnConfig::default()
                }
            },
        )
        .prop_filter("valid configuration", |cfg| cfg.validate().is_ok())
}

/// Images of a configuration's size: pixels are 0 (silent neighbourhoods) half of the time.
fn images(
    cfg: &SnnConfig,
    count: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<Vec<u8>>> {
    let pixel = prop_oneof![Just(0u8), any::<u8>()];
    prop::collection::vec(prop::collection::vec(pixel, cfg.inputs()), count)
}

fn config_and_images() -> impl Strategy<Value = (SnnConfig, Vec<Vec<u8>>)> {
    small_config().prop_flat_map(|cfg| {
        let imgs = images(&cfg, 1..=5);
        (Just(cfg), imgs)
    })
}

/// SPEC sections 4 to 6 and 10, transcribed literally (slow on purpose: no raster, no event
/// lists).
fn reference_present<A: Arith>(
    a: &A,
    cfg: &SnnConfig,
    w: &mut Array2<A::W>,
    theta: &mut [A::P],
    enc: &Encoded,
    learn: bool,
) -> Presentation<A::P> {
    let (n, m, t_max) = (cfg.neurons, cfg.inputs(), cfg.t_steps);
    let spikes = |i: usize, t: u32| enc.spikes_at(i, t);
    let peak_count = (0..=t_max)
        .map(|t| (0..m).filter(|&i| spikes(i, t)).count() as u32)
        .max()
        .unwrap();
    let threshold = a.threshold(peak_count);
    let mut p = vec![a.p_rest(); n];
    let mut t_rest = vec![-1i64; n];
    let mut shown = vec![a.p_rest(); n];
    let mut winner = None;
    let mut inhibit_step = None;
    let mut spike_times = vec![Vec::new(); n];
    let mut trace = Vec::new();
    for t in 1..=t_max {
        let inputs: Vec<u32> = (0..m as u32).filter(|&i| spikes(i as usize, t)).collect();
        for j in 0..n {
            if t_rest[j] < t as i64 {
                let row = w.row(j).to_vec();
                p[j] = a.leak(a.integrate(p[j], &row, &inputs));
                shown[j] = p[j];
            }
        }
        if winner.is_none() {
            let seen: Vec<A::P> = (0..n).map(|j| a.wta_value(shown[j], theta[j])).collect();
            let mut best = 0;
            for j in 1..n {
                if seen[j] > seen[best] {
                    best = j;
                }
            }
            if seen[best] > threshold {
                winner = Some(best);
                inhibit_step = Some(t);
                for (j, pj) in p.iter_mut().enumerate() {
                    if j != best {
                        *pj = a.p_min();
                    }
                }
            }
        }
        for j in 0..n {
            if p[j] >= a.fire_threshold(threshold, theta[j]) {
                p[j] = a.p_rest();
                t_rest[j] = t as i64 + cfg.t_ref as i64;
                spike_times[j].push(t);
                if learn {
                    let [lo, hi] = cfg.stdp_window;
                    for i in 0..m {
                        for d in lo..=hi {
                            if t > d && spikes(i, t - d) {
                                w[[j, i]] = a.potentiate(w[[j, i]], d);
                            }
                        }
                        for d in lo..=hi {
                            if t + d <= t_max && spikes(i, t + d) {
                                w[[j, i]] = a.depress(w[[j, i]], d);
                            }
                        }
                    }
                }
            } else if p[j] < a.p_min() {
                p[j] = a.p_rest();
            }
        }
        trace.push(p.clone());
    }
    if learn {
        if let Some(win) = winner {
            for i in 0..m {
                if !(1..=t_max).any(|t| spikes(i, t)) {
                    w[[win, i]] = a.penalize(w[[win, i]]);
                }
            }
            if cfg.norm_target > 0.0 {
                let mut row = w.row(win).to_vec();
                a.normalize_row(&mut row);
                w.row_mut(win).assign(&ndarray::ArrayView1::from(&row));
            }
        }
        for (j, th) in theta.iter_mut().enumerate() {
            *th = a.theta_update(*th, winner == Some(j));
        }
    }
    Presentation {
        winner,
        inhibit_step,
        spike_times,
        final_potentials: trace.last().cloned().unwrap_or_default(),
        threshold,
        peak_count,
        cycles: None,
        trace: Some(trace),
    }
}

/// Trains `images` one presentation at a time in both implementations, comparing every
/// presentation and the weights after each.
fn same_as_reference<A: Arith>(
    arith: A,
    cfg: &SnnConfig,
    images: &[Vec<u8>],
    learn: bool,
) -> Result<(), TestCaseError> {
    let mut net = Network::with_random_weights(arith, cfg);
    let mut weights = net.weights.clone();
    let mut theta = net.theta.clone();
    for (k, px) in images.iter().enumerate() {
        let enc = net.encode(px);
        let expected = reference_present(&net.arith, cfg, &mut weights, &mut theta, &enc, learn);
        let got = net.present(
            px,
            PresentOptions {
                learn,
                record: true,
            },
        );
        prop_assert_eq!(&got, &expected, "image {}", k);
        prop_assert_eq!(&net.weights, &weights, "weights after image {}", k);
        prop_assert_eq!(&net.theta, &theta, "theta after image {}", k);
    }
    Ok(())
}

/// The receptive field as SPEC section 2 states it: every tap tested against the image border.
fn reference_rf(px: &[u8], h: usize, w: usize) -> Vec<i32> {
    let mut out = vec![0; h * w];
    for r in 0..h as isize {
        for c in 0..w as isize {
            for m in 0..5isize {
                for n in 0..5isize {
                    let (rr, cc) = (r + m - 2, c + n - 2);
                    if (0..h as isize).contains(&rr) && (0..w as isize).contains(&cc) {
                        out[(r * w as isize + c) as usize] += RF_KERNEL_X8[m as usize][n as usize]
                            * px[(rr * w as isize + cc) as usize] as i32;
                    }
                }
            }
        }
    }
    out
}

/// SPEC section 11 transcribed: the spike times of input `i` under the configuration's code.
fn reference_train(cfg: &SnnConfig, px: &[u8], i: usize) -> Vec<u32> {
    let t_max = cfg.t_steps;
    let period = match cfg.encoding {
        Encoding::Pixel => pixel_period(cfg, px[i]),
        _ => period_of_potential(cfg, rf_sums(px, cfg.height, cfg.width)[i] as f64 / RF_SCALE),
    };
    let Some(p) = period else { return Vec::new() };
    let nth_draw = |stream: u64, k: usize| {
        let mut lfsr = Lfsr32::new(cfg.seed, stream);
        (0..=k).map(|_| lfsr.draw16()).last().unwrap()
    };
    match cfg.encoding {
        Encoding::Rate | Encoding::Pixel => (1..=t_max).filter(|t| t % p == 0).collect(),
        Encoding::Phased => {
            let phase = 1 + nth_draw(PHASE_STREAM, i) as u32 % p;
            (1..=t_max)
                .filter(|&t| t >= phase && (t - phase) % p == 0)
                .collect()
        }
        Encoding::Bernoulli => (1..=t_max)
            .filter(|&t| {
                let draw = nth_draw(BERNOULLI_STREAM, (t as usize - 1) * cfg.inputs() + i);
                (draw as f64) < 65536.0 / p as f64
            })
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_code_matches_its_literal_definition((cfg, imgs) in config_and_images()) {
        let net = Network::with_random_weights(FloatArith::new(&cfg), &cfg);
        for px in &imgs {
            let enc = net.encode(px);
            for i in 0..cfg.inputs() {
                prop_assert_eq!(enc.spike_times(i), reference_train(&cfg, px, i), "input {} ({:?})", i, cfg.encoding);
            }
        }
    }
}

proptest! {
    #[test]
    fn presentation_matches_the_literal_spec_float((cfg, imgs) in config_and_images(), learn in any::<bool>()) {
        same_as_reference(FloatArith::new(&cfg), &cfg, &imgs, learn)?;
    }

    #[test]
    fn presentation_matches_the_literal_spec_fixed((cfg, imgs) in config_and_images(), learn in any::<bool>()) {
        same_as_reference(FixedArith::new(&cfg).unwrap(), &cfg, &imgs, learn)?;
    }

    #[test]
    fn receptive_field_matches_the_literal_sum(h in 1usize..=9, w in 1usize..=9, seed in any::<u64>()) {
        let px: Vec<u8> = (0..h * w).map(|k| (seed.rotate_left(k as u32 * 7) as u8) & if k % 3 == 0 { 0 } else { 0xff }).collect();
        prop_assert_eq!(rf_sums(&px, h, w), reference_rf(&px, h, w));
    }

    #[test]
    fn weights_stay_within_bounds_float((cfg, imgs) in config_and_images()) {
        let cfg = SnnConfig { epochs: 3, ..cfg };
        let mut net = Network::with_random_weights(FloatArith::new(&cfg), &cfg);
        let imgs: Vec<&[u8]> = imgs.iter().map(Vec::as_slice).collect();
        net.train(&imgs, |_, _, _| {});
        for &w in net.weights.iter() {
            prop_assert!(w >= cfg.w_min && w <= cfg.w_max, "weight {} outside [{}, {}]", w, cfg.w_min, cfg.w_max);
        }
    }

    #[test]
    fn weights_stay_within_bounds_fixed((cfg, imgs) in config_and_images()) {
        let cfg = SnnConfig { epochs: 3, ..cfg };
        let mut net = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg);
        let (lo, hi) = (net.arith.format.w_min, net.arith.format.w_max);
        let imgs: Vec<&[u8]> = imgs.iter().map(Vec::as_slice).collect();
        net.train(&imgs, |_, _, _| {});
        for &w in net.weights.iter() {
            prop_assert!(w >= lo && w <= hi, "raw weight {} outside [{}, {}]", w, lo, hi);
        }
    }

    /// Every fixed STDP step moves a weight towards the bound it approaches and never past it,
    /// whatever the widths and learning constants (within what `validate` accepts).
    #[test]
    fn fixed_stdp_never_crosses_a_bound(
        cfg in small_config(),
        frac_bits in 4u32..=10,
        lut_frac_bits in 8u32..=20,
        w_pick in any::<prop::sample::Index>(),
        d_pick in any::<prop::sample::Index>(),
    ) {
        let mut cfg = cfg;
        cfg.fixed = FixedConfig { frac_bits, weight_bits: frac_bits + 3, potential_bits: 32, lut_frac_bits, ..FixedConfig::default() };
        prop_assume!(cfg.validate().is_ok());
        let f = FixedFormat::new(&cfg).unwrap();
        let w = f.w_min + w_pick.index((f.w_max - f.w_min + 1) as usize) as i32;
        let [lo, hi] = cfg.stdp_window;
        let d = lo + d_pick.index((hi - lo + 1) as usize) as u32;
        let (up, down) = (f.potentiate(w, d), f.depress(w, d));
        prop_assert!(w <= up && up <= f.w_max, "potentiate({}, {}) = {}", w, d, up);
        prop_assert!(f.w_min <= down && down <= w, "depress({}, {}) = {}", w, d, down);
        prop_assert!(f.penalize(w) >= f.w_min && f.penalize(w) <= w);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The seed fixes the initial weights, so training the same images twice gives the same
    /// weights, bit for bit (shuffled order included).
    #[test]
    fn the_same_seed_gives_identical_weights((cfg, imgs) in config_and_images(), shuffle in any::<bool>()) {
        let cfg = SnnConfig { epochs: 2, shuffle, ..cfg };
        let imgs: Vec<&[u8]> = imgs.iter().map(Vec::as_slice).collect();
        let run_float = || {
            let mut net = Network::with_random_weights(FloatArith::new(&cfg), &cfg);
            net.train(&imgs, |_, _, _| {});
            net.weights
        };
        let (a, b) = (run_float(), run_float());
        prop_assert!(a.iter().zip(b.iter()).all(|(x, y)| x.to_bits() == y.to_bits()));
        let run_fixed = || {
            let mut net = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg);
            net.train(&imgs, |_, _, _| {});
            net.weights
        };
        prop_assert_eq!(run_fixed(), run_fixed());
    }

    /// Inference is parallel over images; its results must not depend on the thread count, and
    /// equal one presentation per image in order.
    #[test]
    fn inference_is_independent_of_the_thread_count(cfg in small_config(), seed in any::<u64>()) {
        let imgs: Vec<Vec<u8>> = (0..40u64)
            .map(|k| (0..cfg.inputs() as u64).map(|i| ((seed ^ k.wrapping_mul(0x9E37_79B9)).rotate_left(i as u32) % 7 * 40) as u8).collect())
            .collect();
        let imgs: Vec<&[u8]> = imgs.iter().map(Vec::as_slice).collect();
        let pool = |threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let net = Network::with_random_weights(FloatArith::new(&cfg), &cfg);
        let one = pool(1).install(|| net.infer(&imgs));
        let two = pool(2).install(|| net.infer(&imgs));
        prop_assert_eq!(&one, &two);
        let mut seq = Network::with_random_weights(FloatArith::new(&cfg), &cfg);
        let in_order: Vec<_> = imgs.iter().map(|px| seq.present(px, PresentOptions::default())).collect();
        prop_assert_eq!(&one, &in_order);
        let net = Network::with_random_weights(FixedArith::new(&cfg).unwrap(), &cfg);
        prop_assert_eq!(pool(1).install(|| net.infer(&imgs)), pool(2).install(|| net.infer(&imgs)));
    }

    /// The period table (integer comparisons, what the hardware uses) equals the spec's float
    /// formula for random rate mappings, at every reachable receptive-field sum.
    #[test]
    fn period_table_equals_the_float_formula(
        x0 in -3.0f64..0.0, span in 0.5f64..6.0, r0 in 0.5f64..5.0, rspan in 0.0f64..40.0, numerator in 1.0f64..2000.0,
    ) {
        let cfg = SnnConfig { pot_range: [x0, x0 + span], rate_range: [r0, r0 + rspan], period_numerator: numerator, ..SnnConfig::default() };
        let table = PeriodTable::new(&cfg);
        for s in RF_SUM_MIN..=RF_SUM_MAX {
            prop_assert_eq!(table.period(s), period_of_potential(&cfg, s as f64 / RF_SCALE), "S = {}", s);
        }
    }
}
