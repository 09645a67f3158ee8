//! Co-simulation of the generated core (`hdl/snn_core.v`, default configuration) against the
//! cycle model (`snn_sim::Machine`) and the golden fixed-point model (`Network<FixedArith>`).
//!
//! Every field a presentation produces is compared image by image, in inference and in training
//! (weights after every image). The first mismatch is reported as image, field and both values;
//! against the cycle model the image is then re-simulated with the per-cycle trace, so the report
//! also names the first cycle whose `(state, t)` differs. Verilator runs ~20 images per mode,
//! Icarus (about a thousand times slower) 2.

mod common;

use common::{blobs, have, mnist_test_images};
use ndarray::Array2;
use snn_core::prelude::*;
use snn_rtlsim::{run, RtlImage, RtlResult, RunOptions, Simulator, TraceCycle};
use snn_sim::{Events, FsmState, HwParams, Machine, Observer};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The generated core for `cfg`: `$SNN_CORE_VERILOG` (to try a freshly generated file before it
/// replaces `hdl/`), else `hdl/snn_core.v`; `None` (printed) while it does not exist. The JSON
/// report beside it must describe the same hardware parameters as `cfg`.
fn core_verilog(cfg: &SnnConfig, test: &str) -> Option<PathBuf> {
    let v = std::env::var_os("SNN_CORE_VERILOG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../hdl/snn_core.v"))
        });
    if !v.is_file() {
        eprintln!(
            "SKIPPED {test}: {} does not exist yet (generate it with the snn-hdl generator)",
            v.display()
        );
        return None;
    }
    let report = v.with_extension("json");
    let want = HwParams::new(cfg).unwrap().to_json();
    let got = std::fs::read_to_string(&report).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the generator writes it beside the Verilog)",
            report.display()
        )
    });
    assert_eq!(
        got.trim(),
        want.trim(),
        "{} was generated for other parameters than this test's configuration: regenerate hdl/",
        report.display()
    );
    Some(v)
}

/// Test images: the first MNIST test digits when the data set is present, MNIST-like blobs for
/// the rest (and for all of them without the data set).
fn images(count: usize, mnist: usize, test: &str) -> Vec<Vec<u8>> {
    let mut im = mnist_test_images(mnist.min(count), test).unwrap_or_default();
    let blob_count = count - im.len();
    im.extend(blobs(42, blob_count, 28, 28));
    im
}

/// The golden model's initial weights for `cfg` (seeded), as raw `N x M` rows.
fn initial_weights(cfg: &SnnConfig) -> Vec<Vec<i32>> {
    let net = Network::with_random_weights(FixedArith::new(cfg).unwrap(), cfg);
    net.weights.rows().into_iter().map(|r| r.to_vec()).collect()
}

/// What every level produces for one image, in one type so one function compares any two.
#[derive(Debug)]
struct Outcome {
    winner: Option<usize>,
    inhibit_step: Option<u32>,
    spike_times: Vec<Vec<u32>>,
    final_potentials: Vec<i32>,
    threshold: i32,
    peak_count: u32,
    /// `None` for the golden model, which has no clock.
    cycles: Option<u64>,
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
fn first_difference(rtl: &Outcome, o: &Outcome, other: &str) -> Option<String> {
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
fn first_weight_difference(rtl: &[Vec<i32>], o: &[Vec<i32>], other: &str) -> Option<String> {
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

/// Records `(state, t)` after every edge outside Idle: the state of the next cycle, so the list
/// for one image is exactly the RTL trace (first cycle after `start` through the `done` cycle).
struct Recorder(Rc<RefCell<Vec<TraceCycle>>>);

impl Observer for Recorder {
    fn observe(&mut self, m: &Machine, _: &Events) {
        if m.state() != FsmState::Idle {
            self.0.borrow_mut().push(TraceCycle {
                state: m.state() as u8,
                t: m.t() as u16,
            });
        }
    }
}

/// The cycle model's run: results, per-cycle traces and weights (`N x M`) after each image.
struct ModelRun {
    images: Vec<snn_sim::ImageResult>,
    traces: Vec<Vec<TraceCycle>>,
    weights_after: Vec<Vec<Vec<i32>>>,
}

fn run_model(cfg: &SnnConfig, w: &[Vec<i32>], images: &[Vec<u8>], learn: bool) -> ModelRun {
    let mut m = Machine::new(cfg).unwrap();
    let flat: Vec<i32> = w.iter().flatten().copied().collect();
    m.load_weights(&flat).unwrap();
    let rec = Rc::new(RefCell::new(Vec::new()));
    m.set_observer(Box::new(Recorder(rec.clone())));
    let mut out = ModelRun {
        images: Vec::new(),
        traces: Vec::new(),
        weights_after: Vec::new(),
    };
    for px in images {
        out.images.push(m.run_image(px, learn).unwrap());
        out.traces.push(std::mem::take(&mut *rec.borrow_mut()));
        out.weights_after.push(
            m.weights()
                .chunks(cfg.inputs())
                .map(<[i32]>::to_vec)
                .collect(),
        );
    }
    out
}

/// The golden fixed-point model's presentations and weights after each image.
fn run_golden(
    cfg: &SnnConfig,
    w: &[Vec<i32>],
    images: &[Vec<u8>],
    learn: bool,
) -> (Vec<Presentation<i32>>, Vec<Vec<Vec<i32>>>) {
    let mut net = Network::with_random_weights(FixedArith::new(cfg).unwrap(), cfg);
    net.weights = Array2::from_shape_fn((cfg.neurons, cfg.inputs()), |(j, i)| w[j][i]);
    let mut pres = Vec::new();
    let mut after = Vec::new();
    for px in images {
        pres.push(net.present(
            px,
            PresentOptions {
                learn,
                record: false,
            },
        ));
        after.push(net.weights.rows().into_iter().map(|r| r.to_vec()).collect());
    }
    (pres, after)
}

/// One co-simulation: the core, the configuration, the initial weights, the images, the mode.
struct Case<'a> {
    sim: Simulator,
    verilog: &'a Path,
    cfg: &'a SnnConfig,
    w: Vec<Vec<i32>>,
    images: &'a [Vec<u8>],
    learn: bool,
}

/// Re-runs images `0..=k` with the trace knob and names the first cycle of image `k` whose
/// `(state, t)` differs from the cycle model's.
fn localise(c: &Case, k: usize, model: &[TraceCycle]) -> String {
    let opts = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    let rtl = match run(
        c.sim,
        c.verilog,
        c.cfg,
        &c.w,
        &c.images[..=k],
        c.learn,
        &opts,
    ) {
        Ok(r) => r,
        Err(e) => return format!("(the traced re-run failed: {e:#})"),
    };
    let tr = rtl.images[k].trace.as_ref().expect("trace requested");
    let name = |s: u8| FsmState::ALL.get(s as usize).map_or("?", |f| f.name());
    match (0..tr.len().max(model.len())).find(|&i| tr.get(i) != model.get(i)) {
        None => "the (state, t) traces agree on every cycle".into(),
        Some(i) => {
            let show = |x: Option<&TraceCycle>| {
                x.map_or("(image over)".to_string(), |x| {
                    format!("{} t={}", name(x.state), x.t)
                })
            };
            format!(
                "first differing cycle {i} of the image: rtl {}, cycle model {}",
                show(tr.get(i)),
                show(model.get(i))
            )
        }
    }
}

/// Runs `images` in `sim` and compares with both models; panics with the first mismatch.
fn cosim(
    sim: Simulator,
    verilog: &Path,
    cfg: &SnnConfig,
    images: &[Vec<u8>],
    learn: bool,
) -> RtlResult {
    let case = Case {
        sim,
        verilog,
        cfg,
        w: initial_weights(cfg),
        images,
        learn,
    };
    let opts = RunOptions {
        dump_every: learn,
        ..RunOptions::default()
    };
    let rtl = run(sim, verilog, cfg, &case.w, images, learn, &opts).unwrap();
    let model = run_model(cfg, &case.w, images, learn);
    let (gold, gold_w) = run_golden(cfg, &case.w, images, learn);
    let mode = if learn { "training" } else { "inference" };
    for (k, r) in rtl.images.iter().enumerate() {
        let ro = Outcome::from(r);
        if let Some(d) = first_difference(&ro, &Outcome::from(&model.images[k]), "cycle model") {
            panic!(
                "{sim} {mode}, image {k}: {d}; {}",
                localise(&case, k, &model.traces[k])
            );
        }
        assert_eq!(r.busy_cycles, r.cycles, "{sim} {mode}, image {k}: the cycles port disagrees with the cycles the harness saw busy");
        if let Some(d) = first_difference(&ro, &Outcome::from(&gold[k]), "golden") {
            panic!("{sim} {mode}, image {k}: {d}");
        }
        if learn {
            let after = &rtl.weights_after.as_ref().expect("dump_every")[k];
            for (other, ws) in [
                ("cycle model", &model.weights_after[k]),
                ("golden", &gold_w[k]),
            ] {
                if let Some(d) = first_weight_difference(after, ws, other) {
                    panic!("{sim} {mode}, after image {k}: {d}");
                }
            }
        }
    }
    assert_eq!(rtl.images.len(), images.len());
    let last = model.weights_after.last().unwrap();
    if let Some(d) = first_weight_difference(&rtl.final_weights, last, "cycle model") {
        panic!("{sim} {mode}, final weights: {d}");
    }
    let busy: u64 = rtl.images.iter().map(|i| i.cycles).sum();
    eprintln!(
        "{sim} {mode}: {} images, {busy} core cycles ({} simulated) in {:.2} s = {:.0} cycles/s; winners {:?}",
        images.len(),
        rtl.simulated_cycles,
        rtl.wall_seconds,
        rtl.simulated_cycles as f64 / rtl.wall_seconds,
        rtl.images.iter().map(|i| i.winner).collect::<Vec<_>>()
    );
    rtl
}

#[test]
fn verilator_inference_matches_cycle_model_and_golden() {
    let cfg = SnnConfig::default();
    let Some(v) = core_verilog(&cfg, "verilator inference") else {
        return;
    };
    if !have(Simulator::Verilator, "verilator inference") {
        return;
    }
    let rtl = cosim(
        Simulator::Verilator,
        &v,
        &cfg,
        &images(20, 10, "verilator inference"),
        false,
    );
    assert!(
        rtl.images
            .iter()
            .any(|i| i.spike_times.iter().any(|s| !s.is_empty())),
        "no image made a neuron spike: the test exercises too little"
    );
}

#[test]
fn verilator_training_matches_cycle_model_and_golden_after_every_image() {
    let cfg = SnnConfig::default();
    let Some(v) = core_verilog(&cfg, "verilator training") else {
        return;
    };
    if !have(Simulator::Verilator, "verilator training") {
        return;
    }
    let rtl = cosim(
        Simulator::Verilator,
        &v,
        &cfg,
        &images(20, 10, "verilator training"),
        true,
    );
    assert!(
        rtl.images.iter().any(|i| i.winner.is_some()),
        "no winner in training: the penalty path went unexercised"
    );
}

#[test]
fn verilator_pixel_stalls_change_only_the_cycle_count() {
    let cfg = SnnConfig::default();
    let Some(v) = core_verilog(&cfg, "verilator stalls") else {
        return;
    };
    if !have(Simulator::Verilator, "verilator stalls") {
        return;
    }
    let im = images(3, 3, "verilator stalls");
    let w = initial_weights(&cfg);
    let plain = run(
        Simulator::Verilator,
        &v,
        &cfg,
        &w,
        &im,
        true,
        &RunOptions::default(),
    )
    .unwrap();
    let stalled = run(
        Simulator::Verilator,
        &v,
        &cfg,
        &w,
        &im,
        true,
        &RunOptions {
            stall: 3,
            ..RunOptions::default()
        },
    )
    .unwrap();
    for (k, (a, b)) in plain.images.iter().zip(&stalled.images).enumerate() {
        assert!(
            b.cycles > a.cycles,
            "image {k}: stalls cost no cycles ({} vs {})",
            b.cycles,
            a.cycles
        );
        assert_eq!(b.busy_cycles, b.cycles, "image {k}");
        assert_eq!(
            RtlImage {
                cycles: 0,
                busy_cycles: 0,
                ..a.clone()
            },
            RtlImage {
                cycles: 0,
                busy_cycles: 0,
                ..b.clone()
            },
            "image {k}"
        );
    }
    assert_eq!(plain.final_weights, stalled.final_weights);
}

#[test]
fn icarus_inference_and_training_match_cycle_model_and_golden() {
    let cfg = SnnConfig::default();
    let Some(v) = core_verilog(&cfg, "icarus co-simulation") else {
        return;
    };
    if !have(Simulator::Icarus, "icarus co-simulation") {
        return;
    }
    let im = images(2, 1, "icarus co-simulation");
    cosim(Simulator::Icarus, &v, &cfg, &im, false);
    cosim(Simulator::Icarus, &v, &cfg, &im, true);
}
