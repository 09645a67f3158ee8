//! Every step of SPEC sections 2 to 6 pinned on tiny cases whose expected values were computed by
//! hand; the arithmetic is written beside each expectation.
//!
//! Most cases use the 1x5 image `[255, 0, 0, 0, 0]`: its receptive-field sums are
//! `S = [8*255, 5*255, 1*255, 0, 0] = [2040, 1275, 255, 0, 0]` (kernel row 2 is `[1, 5, 8, 5, 1]/8`,
//! the other rows fall outside the image), i.e. potentials `[1.0, 0.625, 0.125, 0, 0]`. With
//! `period_numerator = 60` instead of 600 the periods are short enough for a 20-step presentation:
//!
//! - pot 1.0:   rate = 19/3.85 * (1.0 + 1.069) + 1 = 11.2106, 60 / 11.2106 = 5.352 -> period 6
//! - pot 0.625: rate = 19/3.85 * 1.694 + 1 = 9.36,          60 / 9.36 = 6.410    -> period 7
//! - pot 0.125: rate = 19/3.85 * 1.194 + 1 = 6.8925,        60 / 6.8925 = 8.705  -> period 9
//! - pot 0:     never spikes (inputs 3 and 4 are silent).
//!
//! Float cases use dyadic values (leak 0.25, p_min -2, weights in quarters) so that expected
//! potentials are exact and compared with `==`.

use ndarray::Array2;
use snn_core::prelude::*;
use snn_core::spike_gen::{period_of_potential, rf_sums, RF_KERNEL_X8};
use snn_core::{neuron, stdp};
use std::sync::Mutex;

const IMG: [u8; 5] = [255, 0, 0, 0, 0];

/// The 1x5 configuration of the module documentation: T steps, `neurons` neurons, leak 0.25,
/// p_min -2, t_ref 5, every other parameter at its SPEC default.
fn tiny(t_steps: u32, neurons: usize) -> SnnConfig {
    let cfg = SnnConfig {
        height: 1,
        width: 5,
        neurons,
        t_steps,
        period_numerator: 60.0,
        leak: 0.25,
        p_min: -2.0,
        t_ref: 5,
        ..SnnConfig::default()
    };
    cfg.validate().unwrap();
    cfg
}

fn float_net(cfg: &SnnConfig, rows: &[[f64; 5]]) -> Network<FloatArith> {
    let w = Array2::from_shape_fn((rows.len(), 5), |(j, i)| rows[j][i]);
    Network::with_weights(FloatArith::new(cfg), cfg, &w, false).unwrap()
}

fn fixed_net(cfg: &SnnConfig, rows: &[[i32; 5]]) -> Network<FixedArith> {
    let mut net = Network::with_random_weights(FixedArith::new(cfg).unwrap(), cfg);
    net.weights = Array2::from_shape_fn((rows.len(), 5), |(j, i)| rows[j][i]);
    net
}

fn record() -> PresentOptions {
    PresentOptions {
        learn: false,
        record: true,
    }
}

fn learn() -> PresentOptions {
    PresentOptions {
        learn: true,
        record: true,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

// ---------------------------------------------------------------- SPEC 2: receptive field

#[test]
fn one_centre_pixel_gives_the_kernel_itself() {
    // Only pixel (2, 2) is lit, so input (r, c) sees it at kernel position (4 - r, 4 - c), and the
    // kernel is symmetric: S(r, c) = 8 * kernel[r][c] * 255.
    let mut px = [0u8; 25];
    px[12] = 255;
    let s = rf_sums(&px, 5, 5);
    for i in 0..25 {
        assert_eq!(s[i], RF_KERNEL_X8[i / 5][i % 5] * 255, "input {i}");
    }
    let cfg = SnnConfig {
        height: 5,
        width: 5,
        ..SnnConfig::default()
    };
    let net = Network::with_random_weights(FloatArith::new(&cfg), &cfg);
    let e = net.encode(&px);
    // pot = S / 2040: 2040/2040 = 1.0, 1275/2040 = 0.625, 255/2040 = 0.125, -1020/2040 = -0.5.
    assert_eq!(
        (
            e.potential(12),
            e.potential(7),
            e.potential(2),
            e.potential(0)
        ),
        (1.0, 0.625, 0.125, -0.5)
    );
}

#[test]
fn receptive_field_uses_true_division_and_ignores_outside_pixels() {
    // 1x1 image of 100: only the centre tap is inside: S = 8 * 100 = 800, pot = 800/2040 = 0.39216
    // (the original integer division made this 100/255 -> 0 and silenced the input).
    let cfg = SnnConfig {
        height: 1,
        width: 1,
        ..SnnConfig::default()
    };
    let net = Network::with_random_weights(FloatArith::new(&cfg), &cfg);
    let e = net.encode(&[100]);
    assert_eq!(e.sums, vec![800]);
    assert!(close(e.potential(0), 100.0 / 255.0));
    // rate = 19/3.85 * (0.39216 + 1.069) + 1 = 8.2109, 600 / 8.2109 = 73.07 -> 74.
    assert_eq!(e.periods, vec![Some(74)]);
    // A white 5x5 image: the corner input (0, 0) sees kernel rows 2..4, columns 2..4:
    // (8 + 5 + 1) + (5 + 1 - 1) + (1 - 1 - 4) = 15, so S = 15 * 255 = 3825; the centre sees the
    // whole kernel, 36 - 24 = 12, so S = 12 * 255 = 3060.
    let s = rf_sums(&[255; 25], 5, 5);
    assert_eq!((s[0], s[12]), (3825, 3060));
}

// ---------------------------------------------------------------- SPEC 3-4: spikes, threshold

#[test]
fn periods_spike_times_and_threshold_of_one_centre_pixel() {
    let cfg = SnnConfig {
        height: 5,
        width: 5,
        ..SnnConfig::default()
    };
    let net = Network::with_random_weights(FloatArith::new(&cfg), &cfg);
    let mut px = [0u8; 25];
    px[12] = 255;
    let e = net.encode(&px);
    // pot 1.0: 600 / 11.2106 = 53.52 -> 54; pot 0.625: 600 / 9.36 = 64.10 -> 65;
    // pot 0.125: 600 / 6.8925 = 87.05 -> 88; negative and zero potentials never spike.
    for i in 0..25 {
        let expected = match RF_KERNEL_X8[i / 5][i % 5] {
            8 => Some(54),
            5 => Some(65),
            1 => Some(88),
            _ => None,
        };
        assert_eq!(e.periods[i], expected, "input {i}");
    }
    assert_eq!(e.spike_times(12), vec![54, 108, 162]);
    assert_eq!(e.spike_times(7), vec![65, 130, 195]);
    assert_eq!(e.spike_times(2), vec![88, 176]);
    assert!(e.spike_times(0).is_empty() && !e.ever_spikes(0));
    // The eight inputs of kernel value 1/8 spike together at 88 and 176: the peak is 8.
    assert_eq!(e.inputs_at(88), &[2, 6, 8, 10, 14, 16, 18, 22]);
    assert_eq!(e.inputs_at(0), &[] as &[u32]);
    assert_eq!(e.peak_count, 8);
    assert_eq!(e.total_spikes(), 3 + 4 * 3 + 8 * 2);
    // threshold = 8 / 3 (float); fixed: floor((8 << 8) / 3) = floor(2048 / 3) = 682.
    assert!(close(
        FloatArith::new(&cfg).threshold(e.peak_count),
        8.0 / 3.0
    ));
    assert_eq!(FixedArith::new(&cfg).unwrap().threshold(e.peak_count), 682);
}

#[test]
fn period_ends_of_the_rate_range() {
    let cfg = SnnConfig::default();
    // Smallest positive S = 1: pot = 1/2040, rate = 19/3.85 * 1.06949 + 1 = 6.278,
    // 600 / 6.278 = 95.57 -> 96 (the longest period).
    assert_eq!(period_of_potential(&cfg, 1.0 / 2040.0), Some(96));
    // pot >= 2.781 clamps the rate to 20: 600 / 20 = 30 exactly (the shortest period).
    assert_eq!(period_of_potential(&cfg, 2.781), Some(30));
    assert_eq!(period_of_potential(&cfg, 4.5), Some(30));
    assert_eq!(period_of_potential(&cfg, 0.0), None);
}

#[test]
fn the_tiny_image_raster() {
    let cfg = tiny(20, 2);
    let e = float_net(&cfg, &[[0.0; 5]; 2]).encode(&IMG);
    assert_eq!(e.sums, vec![2040, 1275, 255, 0, 0]);
    assert_eq!(e.periods, vec![Some(6), Some(7), Some(9), None, None]);
    // Step 18 has inputs 0 (6 * 3) and 2 (9 * 2): the peak is 2, every other step has at most 1.
    assert_eq!(e.inputs_at(18), &[0, 2]);
    assert_eq!(e.peak_count, 2);
}

// ---------------------------------------------------------------- SPEC 5: one presentation

/// The full scenario of SPEC 5 on two neurons, float. T = 20, threshold = 2/3.
#[test]
fn presentation_step_by_step_float() {
    let cfg = tiny(20, 2);
    let mut net = float_net(
        &cfg,
        &[[0.5, 0.5, -1.0, 0.0, 0.0], [0.75, 1.0, 0.5, 0.0, 0.0]],
    );
    let p = net.present(&IMG, record());
    assert!(close(p.threshold, 2.0 / 3.0));
    #[rustfmt::skip]
    let expected: [[f64; 2]; 20] = [
        // t = 1..5: no input; P = 0 is not above rest, so no leak.
        [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0],
        // t = 6, input 0: n0 = 0 + 0.5 - 0.25 = 0.25; n1 = 0 + 0.75 - 0.25 = 0.5.
        // max shown 0.5 is not > 2/3: no WTA; neither reaches 2/3: no spike.
        [0.25, 0.5],
        // t = 7, input 1: n0 = 0.25 + 0.5 - 0.25 = 0.5; n1 = 0.5 + 1.0 - 0.25 = 1.25.
        // WTA: 1.25 > 2/3, winner 1, n0 := p_min = -2. Fire: n1 spikes (1.25 >= 2/3), P = 0,
        // t_rest = 7 + 5 = 12. n0 = -2 is not below p_min: kept.
        [-2.0, 0.0],
        // t = 8: n0 = -2 (not above rest: no leak); n1 refractory.
        [-2.0, 0.0],
        // t = 9, input 2: n0 = -2 - 1.0 = -3 < p_min -> reset to 0 in the fire step.
        // n1 is refractory and does not see its +0.5.
        [0.0, 0.0],
        // t = 10, 11: nothing.
        [0.0, 0.0], [0.0, 0.0],
        // t = 12, input 0: n0 = 0 + 0.5 - 0.25 = 0.25; n1 has t_rest = 12, not < 12: still frozen,
        // its 0.75 is lost.
        [0.25, 0.0],
        // t = 13: n0 = 0.25 - 0.25 = 0; n1 integrates again: 0, no leak.
        [0.0, 0.0],
        // t = 14, input 1: n0 = 0 + 0.5 - 0.25 = 0.25; n1 = 0 + 1.0 - 0.25 = 0.75 >= 2/3: spikes
        // (WTA is over for this image), t_rest = 19.
        [0.25, 0.0],
        // t = 15: n0 = 0.25 - 0.25 = 0. t = 16, 17: 0.
        [0.0, 0.0], [0.0, 0.0], [0.0, 0.0],
        // t = 18, inputs 0 and 2: n0 = 0 + (0.5 - 1.0) = -0.5 (below rest: no leak).
        [-0.5, 0.0],
        // t = 19: unchanged (n1 still refractory: 19 is not < 19). t = 20: n1 integrates 0.
        [-0.5, 0.0], [-0.5, 0.0],
    ];
    let trace = p.trace.as_ref().unwrap();
    for (t, row) in trace.iter().enumerate() {
        assert_eq!(row.as_slice(), &expected[t], "t = {}", t + 1);
    }
    assert_eq!((p.winner, p.inhibit_step), (Some(1), Some(7)));
    assert_eq!(p.spike_times, vec![vec![], vec![7, 14]]);
    assert_eq!(p.final_potentials, vec![-0.5, 0.0]);
    assert_eq!(p.peak_count, 2);
}

/// The same scenario in fixed point: every value above is a multiple of 1/256, so the raw trace
/// is the float trace times 256 (leak 0.25 -> 64, p_min -2 -> -512) and the threshold is
/// floor((2 << 8) / 3) = floor(170.67) = 170.
#[test]
fn presentation_step_by_step_fixed() {
    let cfg = tiny(20, 2);
    let mut net = fixed_net(&cfg, &[[128, 128, -256, 0, 0], [192, 256, 128, 0, 0]]);
    let p = net.present(&IMG, record());
    assert_eq!(p.threshold, 170);
    let float = [
        [0.0, 0.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [0.25, 0.5],
        [-2.0, 0.0],
        [-2.0, 0.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [0.25, 0.0],
        [0.0, 0.0],
        [0.25, 0.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [-0.5, 0.0],
        [-0.5, 0.0],
        [-0.5, 0.0],
    ];
    let trace = p.trace.as_ref().unwrap();
    for (t, row) in trace.iter().enumerate() {
        let raw: Vec<i32> = float[t].iter().map(|x| (x * 256.0) as i32).collect();
        assert_eq!(row, &raw, "t = {}", t + 1);
    }
    // t = 6: 192 - 64 = 128 <= 170 (no WTA); t = 7: 128 + 256 - 64 = 320 > 170.
    assert_eq!((p.winner, p.inhibit_step), (Some(1), Some(7)));
    assert_eq!(p.spike_times, vec![vec![], vec![7, 14]]);
}

/// WTA needs a potential strictly above the threshold; the fire check needs only "at least".
/// Inhibition also hits a refractory neuron. T = 20, threshold_divisor 2: threshold = 2/2 = 1.0.
#[test]
fn equal_to_threshold_fires_without_wta_and_inhibition_hits_refractory_neurons() {
    let cfg = SnnConfig {
        threshold_divisor: 2,
        ..tiny(20, 2)
    };
    let mut net = float_net(
        &cfg,
        &[[1.25, 0.0, 0.0, 0.0, 0.0], [0.0, 1.5, 0.0, 0.0, 0.0]],
    );
    let p = net.present(&IMG, record());
    assert_eq!(p.threshold, 1.0);
    let trace = p.trace.as_ref().unwrap();
    // t = 6: n0 = 1.25 - 0.25 = 1.0: not > 1.0, so no WTA; but 1.0 >= 1.0: n0 spikes, t_rest 11.
    assert_eq!(p.spike_times[0], vec![6]);
    assert_eq!(trace[5], vec![0.0, 0.0]);
    // t = 7: n1 = 1.5 - 0.25 = 1.25 > 1.0: WTA, winner 1; n0, refractory, is set to p_min too.
    assert_eq!((p.winner, p.inhibit_step), (Some(1), Some(7)));
    assert_eq!(trace[6], vec![-2.0, 0.0]);
    // t = 8..11: n0 refractory and at -2 (frozen); t = 12, input 0: n0 = -2 + 1.25 = -0.75, below
    // rest, so no leak; it never recovers enough to spike again in this image.
    assert_eq!(trace[10], vec![-2.0, 0.0]);
    assert_eq!(trace[11], vec![-0.75, 0.0]);
    // t = 14: n1 = 0 + 1.5 - 0.25 = 1.25: its second spike. t = 18, input 0: n0 = -0.75 + 1.25 -
    // 0.25 = 0.25; t = 19: 0.
    assert_eq!(p.spike_times[1], vec![7, 14]);
    assert_eq!(trace[17], vec![0.25, 0.0]);
    assert_eq!(p.final_potentials, vec![0.0, 0.0]);
}

/// On a tie the winner is the lowest index; the other is inhibited and stays silent.
#[test]
fn wta_tie_goes_to_the_lowest_index() {
    let cfg = tiny(20, 2);
    let mut net = float_net(&cfg, &[[1.0, 0.0, 0.0, 0.0, 0.0]; 2]);
    let p = net.present(&IMG, record());
    // t = 6: both at 1.0 - 0.25 = 0.75 > 2/3: winner 0, n1 := -2; n0 spikes.
    assert_eq!((p.winner, p.inhibit_step), (Some(0), Some(6)));
    // n0 spikes again at 12 and 18 (0 + 1.0 - 0.25 = 0.75 each time, t_rest 11 then 17).
    assert_eq!(p.spike_times, vec![vec![6, 12, 18], vec![]]);
    // n1: -2, then -2 + 1.0 = -1.0 at 12, -1.0 + 1.0 = 0 at 18 (no leak at rest).
    let trace = p.trace.as_ref().unwrap();
    assert_eq!((trace[5][1], trace[11][1], trace[17][1]), (-2.0, -1.0, 0.0));
}

/// With no input spike at all the peak is 0, so the threshold is 0 and `P = 0 >= 0`: SPEC applies
/// the fire check to every neuron, refractory or not, so every neuron spikes at every step. No
/// shown potential is > 0, so there is no winner, and training changes nothing.
#[test]
fn a_blank_image_makes_every_neuron_spike_at_every_step() {
    let cfg = tiny(20, 3);
    let steps: Vec<u32> = (1..=20).collect();
    let rows = [[0.25, -0.5, 1.0, 0.0, -1.0]; 3];
    let mut net = float_net(&cfg, &rows);
    let before = net.weights.clone();
    let p = net.present(&[0; 5], learn());
    assert_eq!((p.peak_count, p.threshold, p.winner), (0, 0.0, None));
    assert_eq!(p.spike_times, vec![steps.clone(); 3]);
    assert_eq!(net.weights, before);

    let mut net = fixed_net(&cfg, &[[64, -128, 256, 0, -256]; 3]);
    let before = net.weights.clone();
    let p = net.present(&[0; 5], learn());
    assert_eq!((p.peak_count, p.threshold, p.winner), (0, 0, None));
    assert_eq!(p.spike_times, vec![steps; 3]);
    assert_eq!(net.weights, before);
}

/// The neuron block on its own: a refractory neuron keeps potential and shown potential, whatever
/// its inputs; a free one integrates, leaks and publishes.
#[test]
fn a_refractory_neuron_is_frozen() {
    let a = FloatArith::new(&tiny(20, 1));
    let row = [1.0, 0.5, 0.0, 0.0, 0.0];
    let mut s = neuron::NeuronState {
        potential: -1.5,
        t_rest: 9,
        shown: 0.75,
    };
    neuron::integrate(&a, &mut s, 9, &row, &[0, 1]);
    assert_eq!(
        s,
        neuron::NeuronState {
            potential: -1.5,
            t_rest: 9,
            shown: 0.75
        }
    );
    // t = 10 > t_rest: -1.5 + (1.0 + 0.5) = 0, not above rest, so no leak; shown follows.
    neuron::integrate(&a, &mut s, 10, &row, &[0, 1]);
    assert_eq!(
        s,
        neuron::NeuronState {
            potential: 0.0,
            t_rest: 9,
            shown: 0.0
        }
    );
    // t = 11: 0 + 1.0 = 1.0 > 0: leak 0.25 -> 0.75.
    neuron::integrate(&a, &mut s, 11, &row, &[0]);
    assert_eq!((s.potential, s.shown), (0.75, 0.75));
    // Fire at >= threshold: reset to rest, refractory until t + t_ref.
    assert_eq!(neuron::fire(&a, &mut s, 11, 5, 0.75), neuron::Fire::Spike);
    assert_eq!((s.potential, s.t_rest, s.shown), (0.0, 16, 0.75));
    // Below p_min (-2): reset to rest; exactly p_min: kept.
    s.potential = -2.0;
    assert_eq!(neuron::fire(&a, &mut s, 12, 5, 0.75), neuron::Fire::None);
    s.potential = -2.25;
    assert_eq!(neuron::fire(&a, &mut s, 12, 5, 0.75), neuron::Fire::Floor);
    assert_eq!(s.potential, 0.0);
}

// ---------------------------------------------------------------- SPEC 6: STDP

/// An arithmetic that records every STDP update instead of computing it. The weight of input `i`
/// is `i` and updates leave it unchanged, so the log says which input each update was for.
#[derive(Default)]
struct Recorder {
    log: Mutex<Vec<(usize, i32)>>,
}

impl Arith for Recorder {
    type W = f64;
    type P = f64;
    fn level(&self) -> &'static str {
        "recorder"
    }
    fn p_rest(&self) -> f64 {
        0.0
    }
    fn p_min(&self) -> f64 {
        -1.0
    }
    fn threshold(&self, peak: u32) -> f64 {
        peak as f64
    }
    fn integrate(&self, p: f64, _: &[f64], _: &[u32]) -> f64 {
        p
    }
    fn leak(&self, p: f64) -> f64 {
        p
    }
    /// Logged as `-d`: the input spiked `d` steps before the output spike.
    fn potentiate(&self, w: f64, d: u32) -> f64 {
        self.log.lock().unwrap().push((w as usize, -(d as i32)));
        w
    }
    /// Logged as `+d`: the input spiked `d` steps after the output spike.
    fn depress(&self, w: f64, d: u32) -> f64 {
        self.log.lock().unwrap().push((w as usize, d as i32));
        w
    }
    fn penalize(&self, w: f64) -> f64 {
        w
    }
    fn weight_to_f64(&self, w: f64) -> f64 {
        w
    }
    fn potential_to_f64(&self, p: f64) -> f64 {
        p
    }
    fn weight_from_f64(&self, x: f64, _: bool) -> anyhow::Result<f64> {
        Ok(x)
    }
    fn initial_weight(&self, x: f64) -> f64 {
        x
    }
    fn wta_value(&self, shown: f64, theta: f64) -> f64 {
        shown - theta
    }
    fn fire_threshold(&self, threshold: f64, theta: f64) -> f64 {
        threshold + theta
    }
    fn theta_zero(&self) -> f64 {
        0.0
    }
    fn theta_update(&self, theta: f64, _: bool) -> f64 {
        theta
    }
    fn normalizes(&self) -> bool {
        false
    }
    fn normalize_row(&self, _: &mut [f64]) {}
    fn with_sigma_halvings(&self, _: u32) -> Self {
        Recorder::default()
    }
    fn theta_from_f64(&self, x: f64, _: bool) -> anyhow::Result<f64> {
        Ok(x)
    }
}

/// The signed distances `t' - t` that STDP visits for each input, in the order each input sees
/// them, for an output spike at `t` in a `t_steps` presentation of the tiny image.
fn stdp_visits(t_steps: u32, t: u32) -> Vec<Vec<i32>> {
    let cfg = tiny(t_steps, 1);
    let enc = float_net(&cfg, &[[0.0; 5]]).encode(&IMG);
    let rec = Recorder::default();
    let mut row = [0.0, 1.0, 2.0, 3.0, 4.0];
    stdp::update_row(&rec, &mut row, &enc, t, cfg.stdp_window);
    let mut per_input = vec![Vec::new(); 5];
    for (i, d) in rec.log.into_inner().unwrap() {
        per_input[i].push(d);
    }
    per_input
}

/// Spike trains with T = 30: input 0 at 6, 12, 18, 24, 30; input 1 at 7, 14, 21, 28; input 2 at
/// 9, 18, 27; inputs 3 and 4 never. For each input: potentiation d = 2, 3, ... 20 (nearest first),
/// then depression d = 2, 3, ... 20; distances 0 and 1 and beyond 20 are never visited.
#[test]
fn stdp_visits_the_window_in_spec_order() {
    // t = 14. In 0: 12 (-2), 6 (-8), then 18 (+4), 24 (+10), 30 (+16).
    // In 1: 7 (-7); 14 itself (0) is ignored; 21 (+7), 28 (+14). In 2: 9 (-5), 18 (+4), 27 (+13).
    assert_eq!(
        stdp_visits(30, 14),
        vec![
            vec![-2, -8, 4, 10, 16],
            vec![-7, 7, 14],
            vec![-5, 4, 13],
            vec![],
            vec![]
        ]
    );
    // t = 13: 12 (t - 1) and 14 (t + 1) are ignored.
    // In 0: 6 (-7), 18 (+5), 24 (+11), 30 (+17). In 1: 7 (-6), 21 (+8), 28 (+15).
    // In 2: 9 (-4), 18 (+5), 27 (+14).
    assert_eq!(
        stdp_visits(30, 13),
        vec![
            vec![-7, 5, 11, 17],
            vec![-6, 8, 15],
            vec![-4, 5, 14],
            vec![],
            vec![]
        ]
    );
    // t = 8: the window reaches back to step 0, which never spikes (input 0 would be at d = -8).
    // In 0: 6 (-2), 12 (+4), 18 (+10), 24 (+16); 30 is 22 away. In 1: 7 is t - 1; 14 (+6), 21 (+13),
    // 28 (+20, the last distance of the window). In 2: 9 is t + 1; 18 (+10), 27 (+19).
    assert_eq!(
        stdp_visits(30, 8),
        vec![
            vec![-2, 4, 10, 16],
            vec![6, 13, 20],
            vec![10, 19],
            vec![],
            vec![]
        ]
    );
    // t = 28: in 1, 7 is 21 steps back (outside); 28 itself is ignored.
    // In 0: 24 (-4), 18 (-10), 12 (-16) (6 is 22 back), 30 (+2). In 1: 21 (-7), 14 (-14).
    // In 2: 27 is t - 1; 18 (-10), 9 (-19).
    assert_eq!(
        stdp_visits(30, 28),
        vec![
            vec![-4, -10, -16, 2],
            vec![-7, -14],
            vec![-10, -19],
            vec![],
            vec![]
        ]
    );
    // The look-ahead stops at T: with T = 40 the same spike at t = 28 also sees 36 (in 0, +8),
    // 35 (in 1, +7) and 36 (in 2, +8), spikes that do not exist when T = 30.
    assert_eq!(
        stdp_visits(40, 28),
        vec![
            vec![-4, -10, -16, 2, 8],
            vec![-7, -14, 7],
            vec![-10, -19, 8],
            vec![],
            vec![]
        ]
    );
}

/// Input 0 at t = 14 (T = 30) compounds five updates: potentiation at d = 2, 8, then depression at
/// d = 4, 10, 16, each on the result of the previous one. Float, w starting at 0.2.
#[test]
fn stdp_compounds_potentiation_then_depression_float() {
    let cfg = tiny(30, 1);
    let a = FloatArith::new(&cfg);
    let enc = float_net(&cfg, &[[0.0; 5]]).encode(&IMG);
    let mut row = [0.2; 5];
    stdp::update_row(&a, &mut row, &enc, 14, cfg.stdp_window);
    // update(w, x) = w + sigma * x * (w_max - w) for x > 0, w + sigma * x * (w - w_min) for x < 0.
    let pot = |w: f64, d: f64| w + 0.1 * (0.3 * (-d / 5.0).exp()) * (1.5 - w);
    let dep = |w: f64, d: f64| w + 0.1 * (-0.8 * (-d / 8.0).exp()) * (w + 1.2);
    // d=-2: 0.2 + 0.03 * 0.670320 * 1.3 = 0.2261425
    // d=-8: + 0.03 * 0.201897 * (1.5 - 0.2261425) = 0.0077156 -> 0.2338581
    // d=+4: - 0.08 * 0.606531 * (0.2338581 + 1.2) = 0.0695743 -> 0.1642838
    // d=+10: - 0.08 * 0.286505 * 1.3642838 = 0.0312699 -> 0.1330139
    // d=+16: - 0.08 * 0.135335 * 1.3330139 = 0.0144323 -> 0.1185816
    let w0 = dep(dep(dep(pot(pot(0.2, 2.0), 8.0), 4.0), 10.0), 16.0);
    assert!(
        close(row[0], w0) && (w0 - 0.1185816).abs() < 1e-7,
        "{} vs {w0}",
        row[0]
    );
    // The other order (depression first) gives a different weight: the order is observable.
    let dep_first = pot(pot(dep(dep(dep(0.2, 4.0), 10.0), 16.0), 2.0), 8.0);
    assert!((dep_first - w0).abs() > 1e-4);
    // Input 1: d=-7, +7, +14; input 2: d=-5, +4, +13; inputs 3, 4: untouched.
    assert!(close(row[1], dep(dep(pot(0.2, 7.0), 7.0), 14.0)));
    assert!(close(row[2], dep(dep(pot(0.2, 5.0), 4.0), 13.0)));
    assert_eq!((row[3], row[4]), (0.2, 0.2));
}

/// The same five updates in fixed point (frac_bits 8, lut_frac_bits 16), raw integers by hand:
/// w_max = round(1.5 * 256) = 384, w_min = round(-1.2 * 256) = round(-307.2) = -307,
/// lut_pot[d] = round(0.03 * exp(-d/5) * 65536), lut_dep[d] = round(0.08 * exp(-d/8) * 65536),
/// step = (lut * dist + 32768) >> 16, i.e. lut * dist / 65536 rounded half up.
#[test]
fn stdp_compounds_potentiation_then_depression_fixed() {
    let cfg = tiny(30, 1);
    let a = FixedArith::new(&cfg).unwrap();
    let f = &a.format;
    // lut_pot[2] = 0.03 * 0.670320 * 65536 = 1317.9 -> 1318; lut_pot[8] = 0.03 * 0.201897 * 65536 = 396.9 -> 397
    // lut_dep[4] = 0.08 * 0.606531 * 65536 = 3179.97 -> 3180; lut_dep[10] = 0.08 * 0.286505 * 65536 = 1502.1 -> 1502
    // lut_dep[16] = 0.08 * 0.135335 * 65536 = 709.55 -> 710
    assert_eq!((f.lut_pot[0], f.lut_pot[6]), (1318, 397));
    assert_eq!(
        (f.lut_dep[2], f.lut_dep[8], f.lut_dep[14]),
        (3180, 1502, 710)
    );
    let enc = fixed_net(&cfg, &[[0; 5]]).encode(&IMG);
    let mut row = [51; 5]; // 0.2 * 256 = 51.2 -> 51
    stdp::update_row(&a, &mut row, &enc, 14, cfg.stdp_window);
    // d=-2: dist 384 - 51 = 333; 1318 * 333 = 438894; 438894 / 65536 = 6.70 -> 7 -> 58
    // d=-8: dist 326; 397 * 326 = 129422; / 65536 = 1.97 -> 2 -> 60
    // d=+4: dist 60 + 307 = 367; 3180 * 367 = 1167060; / 65536 = 17.81 -> 18 -> 42
    // d=+10: dist 349; 1502 * 349 = 524198; / 65536 = 7.999 -> 8 -> 34
    // d=+16: dist 341; 710 * 341 = 242110; / 65536 = 3.69 -> 4 -> 30
    assert_eq!(row[0], 30);
    assert_eq!((row[3], row[4]), (51, 51));
}

/// SPEC 6's seed-compatibility rule: `(w - |w_min|)` in the depression branch raises a weight
/// below |w_min| = 1.2 and lowers one above it; the corrected rule always lowers it.
#[test]
fn abs_w_min_depression_raises_weights_below_1_2() {
    let cfg = SnnConfig {
        depression_bound: DepressionBound::AbsWMin,
        ..tiny(30, 1)
    };
    let compat = FloatArith::new(&cfg);
    let fixed = FloatArith::new(&tiny(30, 1));
    // d = 4: sigma * rl = 0.1 * -0.8 * exp(-0.5) = -0.0485225.
    // corrected: 0.2 - 0.0485225 * (0.2 + 1.2) = 0.2 - 0.0679315 = 0.1320685
    // compat:    0.2 - 0.0485225 * (0.2 - 1.2) = 0.2 + 0.0485225 = 0.2485225
    // compat:    1.4 - 0.0485225 * (1.4 - 1.2) = 1.4 - 0.0097045 = 1.3902955
    assert!((fixed.depress(0.2, 4) - 0.1320685).abs() < 1e-7);
    assert!((compat.depress(0.2, 4) - 0.2485225).abs() < 1e-7);
    assert!((compat.depress(1.4, 4) - 1.3902955).abs() < 1e-7);
    // Potentiation is the same in both.
    assert_eq!(compat.potentiate(0.2, 4), fixed.potentiate(0.2, 4));
    // The hardware implements only the corrected rule.
    let err = FixedArith::new(&cfg).unwrap_err().to_string();
    assert!(err.contains("abs_w_min"), "{err}");
}

#[test]
fn penalty_is_floored_at_w_min() {
    let f = FloatArith::new(&SnnConfig::default());
    // 0.3 - 0.06 = 0.24; -1.18 - 0.06 = -1.24 -> floor -1.2; -1.2 stays.
    assert!(close(f.penalize(0.3), 0.24));
    assert_eq!((f.penalize(-1.18), f.penalize(-1.2)), (-1.2, -1.2));
    // Fixed: penalty round(0.06 * 256) = round(15.36) = 15; w_min = -307.
    let x = FixedArith::new(&SnnConfig::default()).unwrap();
    assert_eq!(
        (x.penalize(77), x.penalize(-302), x.penalize(-307)),
        (62, -307, -307)
    );
}

/// Training on one image: STDP at each output spike of neuron 1 (its weights change between its
/// two spikes, which is why the second potential is what it is), then the end-of-image penalty on
/// the winner's silent inputs. T = 16: input 0 at 6, 12; input 1 at 7, 14; input 2 at 9; peak 1,
/// threshold 1/3.
#[test]
fn training_presentation_float() {
    let cfg = tiny(16, 2);
    let row0 = [0.25, 0.25, 0.25, 0.3, -1.18];
    let mut net = float_net(&cfg, &[row0, [0.5, 1.0, 0.0, 0.0, -1.18]]);
    let p = net.present(&IMG, learn());
    // t = 6: n0 = 0.25 - 0.25 = 0; n1 = 0.5 - 0.25 = 0.25. t = 7: n0 = 0.25 - 0.25 = 0;
    // n1 = 0.25 + 1.0 - 0.25 = 1.0 > 1/3: winner 1, spike at 7.
    assert_eq!((p.winner, p.inhibit_step), (Some(1), Some(7)));
    let pot = |w: f64, d: f64| w + 0.1 * (0.3 * (-d / 5.0).exp()) * (1.5 - w);
    let dep = |w: f64, d: f64| w + 0.1 * (-0.8 * (-d / 8.0).exp()) * (w + 1.2);
    // STDP at t = 7: in 0: 6 is t - 1, 12 is +5; in 1: 14 is +7; in 2: 9 is +2.
    // w11 = 1.0 - 0.08 * exp(-7/8) * 2.2 = 1.0 - 0.08 * 0.416862 * 2.2 = 0.9266323.
    // t = 14 (n1 free since 13): 0 + 0.9266323 - 0.25 = 0.6766323 >= 1/3: second spike.
    assert_eq!(p.spike_times, vec![vec![], vec![7, 14]]);
    let trace = p.trace.as_ref().unwrap();
    assert_eq!(trace[13], vec![-1.25, 0.0]); // n0: -2 + 0.25 (t = 9) + 0.25 (12) + 0.25 (14)
                                             // STDP at t = 14: in 0: 12 (-2), 6 (-8); in 1: 7 (-7); in 2: 9 (-5). Nothing after 14 in T = 16.
                                             // w10: 0.5 -> dep 5: - 0.08 * 0.535261 * 1.7 = 0.4272044 -> pot 2: + 0.03 * 0.670320 *
                                             //   1.0727956 = 0.4487779 -> pot 8: + 0.03 * 0.201897 * 1.0512221 = 0.4551451
                                             // w11: 0.9266323 -> pot 7: + 0.03 * 0.246597 * 0.5733677 = 0.9308740
                                             // w12: 0.0 -> dep 2: - 0.08 * 0.778801 * 1.2 = -0.0747649 -> pot 5: + 0.03 * 0.367879 * 1.5747649 = -0.0573852
                                             // Penalty (winner 1, silent inputs 3, 4): 0 - 0.06 = -0.06; -1.18 - 0.06 = -1.24 -> -1.2.
    let w = net.weights.row(1).to_vec();
    let expected = [
        pot(pot(dep(0.5, 5.0), 2.0), 8.0),
        pot(dep(1.0, 7.0), 7.0),
        pot(dep(0.0, 2.0), 5.0),
        -0.06,
        -1.2,
    ];
    for i in 0..5 {
        assert!(
            close(w[i], expected[i]),
            "w1{i}: {} vs {}",
            w[i],
            expected[i]
        );
    }
    assert!(
        (w[0] - 0.4551451).abs() < 1e-7
            && (w[1] - 0.9308740).abs() < 1e-7
            && (w[2] + 0.0573852).abs() < 1e-7
    );
    // Neuron 0 neither spiked nor won: unchanged (no penalty on its -1.18 either).
    assert_eq!(net.weights.row(0).to_vec(), row0.to_vec());
}

/// The same training presentation in fixed point with the default leak and p_min:
/// leak = round(0.15 * 256) = round(38.4) = 38, p_min = -500 * 256 = -128000, threshold
/// floor(256 / 3) = 85, penalty 15, w_min -307, w_max 384.
#[test]
fn training_presentation_fixed() {
    let cfg = SnnConfig {
        leak: 0.15,
        p_min: -500.0,
        ..tiny(16, 2)
    };
    let row0 = [64, 64, 64, 77, -302];
    let mut net = fixed_net(&cfg, &[row0, [64, 256, 0, 0, -302]]);
    let p = net.present(&IMG, learn());
    assert_eq!(p.threshold, 85);
    let trace = p.trace.as_ref().unwrap();
    // t = 6: n0 = 64 - 38 = 26, n1 = 64 - 38 = 26.
    assert_eq!(trace[5], vec![26, 26]);
    // t = 7: n0 = 26 + 64 - 38 = 52; n1 = 26 + 256 - 38 = 244 > 85: winner 1, n0 := -128000, n1 spikes.
    assert_eq!(trace[6], vec![-128000, 0]);
    assert_eq!((p.winner, p.inhibit_step), (Some(1), Some(7)));
    // t = 9, 12, 14: n0 gains 64 each time, below rest so no leak: -127936, -127872, -127808.
    assert_eq!(
        (trace[8][0], trace[11][0], trace[13][0]),
        (-127936, -127872, -127808)
    );
    // STDP at t = 7 (lut_dep[5] = 0.08 * 0.535261 * 65536 = 2806.3 -> 2806, lut_dep[7] = 2185.6 -> 2186,
    // lut_dep[2] = 4083.2 -> 4083):
    // w10 = 64, d=+5: dist 64 + 307 = 371, 2806 * 371 = 1041026, / 65536 = 15.88 -> 16 -> 48
    // w11 = 256, d=+7: dist 563, 2186 * 563 = 1230718, / 65536 = 18.78 -> 19 -> 237
    // w12 = 0, d=+2: dist 307, 4083 * 307 = 1253481, / 65536 = 19.13 -> 19 -> -19
    // t = 14: n1 = 0 + 237 - 38 = 199 >= 85: second spike.
    assert_eq!(p.spike_times, vec![vec![], vec![7, 14]]);
    // STDP at t = 14 (lut_pot[2] = 1318, lut_pot[5] = 0.03 * 0.367879 * 65536 = 723.3 -> 723,
    // lut_pot[7] = 484.8 -> 485, lut_pot[8] = 397):
    // w10 = 48, d=-2: dist 384 - 48 = 336, 1318 * 336 = 442848, / 65536 = 6.76 -> 7 -> 55;
    //   d=-8: dist 329, 397 * 329 = 130613, / 65536 = 1.99 -> 2 -> 57
    // w11 = 237, d=-7: dist 147, 485 * 147 = 71295, / 65536 = 1.09 -> 1 -> 238
    // w12 = -19, d=-5: dist 403, 723 * 403 = 291369, / 65536 = 4.45 -> 4 -> -15
    // Penalty: 0 - 15 = -15; max(-302 - 15, -307) = -307.
    assert_eq!(net.weights.row(1).to_vec(), vec![57, 238, -15, -15, -307]);
    assert_eq!(net.weights.row(0).to_vec(), row0.to_vec());
}

// ---------------------------------------------------------------- SPEC 10: homeostasis, normalization

/// The tiny configuration with divisor 2 (peak 2 at t = 18: threshold 1.0) and the given theta
/// constants and row-sum target.
fn tiny_homeostatic(theta: [f64; 3], norm_target: f64) -> SnnConfig {
    let cfg = SnnConfig {
        threshold_divisor: 2,
        theta_plus: theta[0],
        theta_minus: theta[1],
        theta_max: theta[2],
        norm_target,
        ..tiny(20, 2)
    };
    cfg.validate().unwrap();
    cfg
}

#[test]
fn theta_moves_the_wta_and_fire_thresholds_float() {
    // Neuron 0 sees input 0 (t = 6, 12, 18), neuron 1 input 1 (t = 7, 14), both with weight 1.5.
    let cfg = tiny_homeostatic([0.5, 0.125, 4.0], 0.0);
    let mut net = float_net(
        &cfg,
        &[[1.5, 0.0, 0.0, 0.0, 0.0], [0.0, 1.5, 0.0, 0.0, 0.0]],
    );
    // theta = 0: t = 6, P0 = 1.5 - 0.25 = 1.25 > 1.0: neuron 0 wins at 6 and fires.
    let p = net.present(&IMG, record());
    assert_eq!((p.winner, p.inhibit_step), (Some(0), Some(6)));
    // theta = [0.5, 0]: at t = 6, 1.25 - 0.5 = 0.75 is not above 1.0 and 1.25 < 1.0 + 0.5: no
    // spike. t = 7: P0 = 1.0 (leak), P1 = 1.25; WTA values 0.5 and 1.25: neuron 1 wins at 7,
    // neuron 0 goes to p_min, neuron 1 fires (1.25 >= 1.0).
    net.theta = vec![0.5, 0.0];
    let p = net.present(&IMG, record());
    assert_eq!((p.winner, p.inhibit_step), (Some(1), Some(7)));
    assert_eq!(p.spike_times[1][0], 7);
    assert!(p.spike_times[0].is_empty());
    // theta = [0.5, 0.25]: at t = 7 the WTA value 1.25 - 0.25 = 1.0 is not strictly above the
    // threshold, but P1 = 1.25 >= 1.0 + 0.25 fires: a spike without a winner (SPEC 10: strict
    // WTA, >= for fire). At t = 14 P1 = 1.25 again (refractory until 12, then 0 + 1.5 - 0.25):
    // the same. Neuron 0 never reaches 1.5.
    net.theta = vec![0.5, 0.25];
    let p = net.present(&IMG, record());
    assert_eq!(p.winner, None);
    assert_eq!(p.spike_times, vec![vec![], vec![7, 14]]);
    // Inference leaves theta alone.
    assert_eq!(net.theta, vec![0.5, 0.25]);
}

#[test]
fn theta_update_after_training_images() {
    let cfg = SnnConfig {
        sigma: 0.0,
        penalty: 0.0,
        ..tiny_homeostatic([0.5, 0.125, 0.5], 0.0)
    };
    let mut net = float_net(
        &cfg,
        &[[1.5, 0.0, 0.0, 0.0, 0.0], [0.0, 1.5, 0.0, 0.0, 0.0]],
    );
    net.theta = vec![0.0625, 0.25];
    // Neuron 0 wins at t = 6 (1.25 - 0.0625 > 1.0). Then theta0 = 0.0625 - 0.125 + 0.5 = 0.4375,
    // theta1 = 0.25 - 0.125 = 0.125.
    let p = net.present(&IMG, learn());
    assert_eq!(p.winner, Some(0));
    assert_eq!(net.theta, vec![0.4375, 0.125]);
    // Again: at t = 6, 1.25 - 0.4375 = 0.8125 is not above 1.0; at t = 7 neuron 1 shows
    // 1.25 - 0.125 = 1.125 and wins. theta0 = 0.4375 - 0.125 = 0.3125; theta1 = 0.125 - 0.125 +
    // 0.5 = 0.5, exactly theta_max.
    let p = net.present(&IMG, learn());
    assert_eq!(p.winner, Some(1));
    assert_eq!(net.theta, vec![0.3125, 0.5]);
    // Neuron 1 with inputs 0 and 1 (P1 = 2.5 at t = 7) wins again: 0.5 - 0.125 + 0.5 = 0.875 is
    // capped at theta_max = 0.5; neuron 0's 0.0625 - 0.125 floors at 0.
    net.weights.row_mut(0).fill(0.0);
    net.weights[[1, 0]] = 1.5;
    net.theta = vec![0.0625, 0.5];
    let p = net.present(&IMG, learn());
    assert_eq!((p.winner, p.inhibit_step), (Some(1), Some(7)));
    assert_eq!(net.theta, vec![0.0, 0.5]);
}

#[test]
fn penalty_then_subtractive_normalization_float_and_fixed() {
    // sigma = 0: STDP leaves weights unchanged, so only the end of the image moves them.
    let cfg = SnnConfig {
        sigma: 0.0,
        penalty: 0.25,
        ..tiny_homeostatic([0.5, 0.125, 4.0], 3.5)
    };
    let mut net = float_net(&cfg, &[[0.0; 5], [0.0, 1.5, 0.0, 0.0, 0.0]]);
    let p = net.present(&IMG, learn());
    assert_eq!(p.winner, Some(1));
    // Penalty on the silent inputs 3 and 4: row [0, 1.5, 0, -0.25, -0.25], sum 1.0.
    // delta = (3.5 - 1.0) / 5 = 0.5: [0.5, 2.0 -> 1.5 (w_max), 0.5, 0.25, 0.25].
    assert_eq!(net.weights.row(1).to_vec(), vec![0.5, 1.5, 0.5, 0.25, 0.25]);
    assert_eq!(
        net.weights.row(0).to_vec(),
        vec![0.0; 5],
        "only the winner's row"
    );
    assert_eq!(net.theta, vec![0.0, 0.375]);

    // Fixed point, F = 8: penalty 64, row [0, 384, 0, -64, -64], sum 256, S = 896, diff 640.
    // M = 5: K = bits(5) + 15 = 18, R = round(2^18 / 5) = 52429;
    // delta = (640 * 52429 + 2^17) >> 18 = 33685632 >> 18 = 128 (128.5005 rounded down).
    let mut net = fixed_net(&cfg, &[[0; 5], [0, 384, 0, 0, 0]]);
    let f = &net.arith.format;
    assert_eq!(
        (f.norm_shift, f.norm_recip, f.norm_target),
        (18, 52429, 896)
    );
    let p = net.present(&IMG, learn());
    assert_eq!(p.winner, Some(1));
    assert_eq!(net.weights.row(1).to_vec(), vec![128, 384, 128, 64, 64]);
    assert_eq!(net.theta, vec![0, 96]);
}

#[test]
fn sigma_halving_shifts_the_learning_rate_per_epoch() {
    let cfg = SnnConfig {
        sigma_halving_epochs: 2,
        epochs: 5,
        ..tiny(20, 1)
    };
    let net = float_net(&cfg, &[[0.0; 5]]);
    let halvings: Vec<u32> = (0..5).map(|e| net.sigma_halvings(e)).collect();
    assert_eq!(halvings, vec![0, 0, 1, 1, 2]);
    // Float: a potentiation step of w = 0 at d = 2 is sigma * a_minus * e^-0.4 * 1.5, halved.
    let full = net.arith.potentiate(0.0, 2);
    assert!(close(net.epoch_arith(4).potentiate(0.0, 2), full / 4.0));
    let fixed = fixed_net(&cfg, &[[0; 5]]);
    let lut = fixed.arith.format.lut_pot[0];
    assert_eq!(fixed.epoch_arith(2).format.lut_pot[0], lut >> 1);
}
