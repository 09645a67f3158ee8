//! The whole `snn_core` against the cycle model (`snn_sim::Machine`): the same weights, image and
//! `learn` bit, the RTL (rust-hdl's simulation of the block, or the generated Verilog in Icarus)
//! must show the model's state, step and cycle count after every clock edge, the same spikes
//! and `done`, and leave the same winner, threshold, peak, potentials and weights. Plus the
//! tool checks of the generated top: Verilator `-Wall`, Icarus, Yosys `synth_ice40`.

use rust_hdl::prelude::*;
use snn_core::config::SnnConfig;
use snn_data::builtin::digits;
use snn_data::Split;
use snn_hdl::generate::{generate_verilog, write_hdl, TOP};
use snn_hdl::presets::SmallCore;
use snn_hdl::verilog::{check_iverilog, lint_verilator, simulate_rust_hdl, synth_ice40, Cosim};
use snn_sim::{FsmState, HwParams, Machine};
use snn_testkit::{tools, XorShift};
use std::path::PathBuf;

fn out_dir(name: &str) -> PathBuf {
    snn_testkit::workdir(&format!("snn-hdl-blocks/{name}"))
}

/// Inputs of `snn_core` in declaration order (the clock excluded), as `Cosim` expects them.
const INPUTS: [&str; 8] = [
    "start",
    "learn",
    "pix_data",
    "pix_valid",
    "host_we",
    "host_addr",
    "host_wdata",
    "pot_sel",
];
/// Outputs of `snn_core` in declaration order.
const OUTPUTS: [&str; 16] = [
    "pix_ready",
    "host_rdata",
    "pot_out",
    "busy",
    "done",
    "winner",
    "winner_valid",
    "inhibit_step",
    "cycles",
    "threshold",
    "peak",
    "spike_valid",
    "spike_mask",
    "spike_t",
    "state",
    "t",
];

fn out(row: &[u128], name: &str) -> u128 {
    row[OUTPUTS.iter().position(|&n| n == name).unwrap()]
}

/// A two's-complement field of `bits` bits.
fn signed(v: u128, bits: u32) -> i64 {
    let v = v as i64;
    if v >> (bits - 1) & 1 == 1 {
        v - (1i64 << bits)
    } else {
        v
    }
}

/// What the model says about one presentation, and where it sits in the stimulus.
struct Shown {
    /// Row of the `start` pulse; row `start_row + s` is model step `s`.
    start_row: usize,
    /// Model after each step: (state, t, cycles).
    trace: Vec<(u8, u32, u32)>,
    /// Steps with a spike event: (step, mask, t); the step that ended with `done`.
    spikes: Vec<(usize, u128, u32)>,
    done_step: usize,
    winner: Option<u32>,
    inhibit_step: Option<u32>,
    threshold: i32,
    peak: u32,
    potentials: Vec<i32>,
}

/// Presentations on one core: the stimulus rows of the RTL and everything the model says.
struct Case {
    p: HwParams,
    stimulus: Vec<Vec<u128>>,
    images: Vec<Shown>,
    /// Weights after the last presentation, read back from row `weights_row` on.
    weights: Vec<i32>,
    weights_row: usize,
}

/// Digit `k` of the built-in set, cropped (centred) to the configuration's size.
fn image(cfg: &SnnConfig, k: usize) -> Vec<u8> {
    let img = &digits(Split::Test, k + 1, 7).images[k];
    let (r0, c0) = ((img.height - cfg.height) / 2, (img.width - cfg.width) / 2);
    let mut px = Vec::with_capacity(cfg.inputs());
    for r in 0..cfg.height {
        px.extend_from_slice(
            &img.pixels[(r0 + r) * img.width + c0..(r0 + r) * img.width + c0 + cfg.width],
        );
    }
    px
}

/// Runs the model on the presentations and builds the RTL's stimulus: the weights through the
/// host port; per image `start`, the pixels in the cycles the model takes them and a `pot_sel`
/// sweep of the potentials; at the end a `host_addr` sweep of the weights.
fn case(cfg: &SnnConfig, shows: &[(Vec<u8>, bool)], seed: u64) -> Case {
    let p = HwParams::new(cfg).unwrap();
    let (n, m, wb) = (p.n, p.m, p.widths.weight);
    let f = &p.format;
    let mut rng = XorShift::new(seed);
    // Weights in the upper part of [w_min, w_max] so that neurons fire and STDP has work to do.
    let weights: Vec<i32> = (0..n * m)
        .map(|_| {
            let span = (f.w_max - f.w_min + 1) as u64;
            let w = f.w_min + (rng.next_u64() % span) as i32;
            w.max(f.w_min / 4)
        })
        .collect();
    let mut mach = Machine::new(cfg).unwrap();
    mach.load_weights(&weights).unwrap();
    let lane = |w: i32| (w as i64 as u128) & ((1u128 << wb) - 1);
    let word = |ws: &[i32], i: usize| {
        (0..n).fold(0u128, |acc, j| acc | lane(ws[j * m + i]) << (j as u32 * wb))
    };
    let row =
        |start: bool, learn: bool, pix: u8, we: bool, addr: usize, wdata: u128, pot_sel: usize| {
            vec![
                start as u128,
                learn as u128,
                pix as u128,
                1,
                we as u128,
                addr as u128,
                wdata,
                pot_sel as u128,
            ]
        };
    let mut stimulus: Vec<Vec<u128>> = (0..m)
        .map(|i| row(false, false, 0, true, i, word(&weights, i), 0))
        .collect();
    let mut images = Vec::new();
    for (pixels, learn) in shows {
        let start_row = stimulus.len();
        mach.load_image(pixels).unwrap();
        mach.start(*learn).unwrap();
        let mut trace = Vec::new();
        let mut spikes = Vec::new();
        let mut step = 0;
        let done_step = loop {
            let ev = mach.step();
            stimulus.push(row(
                step == 0,
                *learn,
                ev.pixel.unwrap_or(0),
                false,
                0,
                0,
                0,
            ));
            trace.push((mach.state() as u8, mach.t(), mach.cycles()));
            if let Some(sp) = ev.spike {
                spikes.push((step, sp.mask.chunk(0), sp.t));
            }
            if ev.done.is_some() {
                break step;
            }
            step += 1;
            assert!(step < 2_000_000, "model did not finish");
        };
        for j in 0..n {
            stimulus.push(row(false, false, 0, false, 0, 0, j));
        }
        images.push(Shown {
            start_row,
            trace,
            spikes,
            done_step,
            winner: mach.winner(),
            inhibit_step: mach.inhibit_step(),
            threshold: mach.threshold(),
            peak: mach.control().peak,
            potentials: mach.potentials(),
        });
    }
    let weights_row = stimulus.len();
    for i in 0..m {
        stimulus.push(row(false, false, 0, false, i, 0, 0));
    }
    Case {
        stimulus,
        images,
        weights: mach.weights(),
        weights_row,
        p,
    }
}

/// Compares the RTL's output rows with the model.
fn check(c: &Case, rows: &[Vec<u128>], what: &str) {
    let p = &c.p;
    let (n, m, wb, pb) = (p.n, p.m, p.widths.weight, p.widths.potential);
    assert_eq!(rows.len(), c.stimulus.len(), "{what}: rows");
    for (k, img) in c.images.iter().enumerate() {
        let what = format!("{what}, image {k}");
        for (s, &(state, t, cycles)) in img.trace.iter().enumerate() {
            let r = &rows[img.start_row + s];
            let got = (
                out(r, "state") as u8,
                out(r, "t") as u32,
                out(r, "cycles") as u32,
            );
            assert_eq!(
                got,
                (state, t, cycles),
                "{what}: after step {s} (state, t, cycles) differ; model state {:?}",
                FsmState::ALL[state as usize]
            );
        }
        // Combinational outputs of the cycle of step s appear after the previous edge.
        let mut got_spikes = Vec::new();
        for s in 1..=img.done_step {
            let r = &rows[img.start_row + s - 1];
            if out(r, "spike_valid") == 1 {
                got_spikes.push((s, out(r, "spike_mask"), out(r, "spike_t") as u32));
            } else {
                assert_eq!(
                    out(r, "spike_mask"),
                    0,
                    "{what}: spike_mask without spike_valid at step {s}"
                );
            }
            assert_eq!(
                out(r, "done") == 1,
                s == img.done_step,
                "{what}: done at step {s}"
            );
        }
        assert_eq!(got_spikes, img.spikes, "{what}: spikes (step, mask, t)");
        let last = &rows[img.start_row + img.done_step];
        assert_eq!(
            out(last, "winner_valid") == 1,
            img.winner.is_some(),
            "{what}: winner_valid"
        );
        if let Some(w) = img.winner {
            assert_eq!(out(last, "winner") as u32, w, "{what}: winner");
            assert_eq!(
                Some(out(last, "inhibit_step") as u32),
                img.inhibit_step,
                "{what}: inhibit_step"
            );
        }
        assert_eq!(
            signed(out(last, "threshold"), pb),
            img.threshold as i64,
            "{what}: threshold"
        );
        assert_eq!(out(last, "peak") as u32, img.peak, "{what}: peak");
        let pots_at = img.start_row + img.done_step + 1;
        let pots: Vec<i32> = (0..n)
            .map(|j| signed(out(&rows[pots_at + j], "pot_out"), pb) as i32)
            .collect();
        assert_eq!(pots, img.potentials, "{what}: final potentials");
    }
    for i in 0..m {
        let word = out(&rows[c.weights_row + i], "host_rdata");
        for j in 0..n {
            let got = signed(word >> (j as u32 * wb) & ((1 << wb) - 1), wb) as i32;
            assert_eq!(
                got,
                c.weights[j * m + i],
                "{what}: weight of neuron {j}, input {i}"
            );
        }
    }
}

/// rust-hdl's own simulation of the small top.
fn run_rust_hdl(c: &Case) -> Vec<Vec<u128>> {
    let mut uut = SmallCore::new(&c.p);
    simulate_rust_hdl(
        &mut uut,
        &c.stimulus,
        |u, r| {
            u.start.next = r[0] != 0;
            u.learn.next = r[1] != 0;
            u.pix_data.next = (r[2] as u64).into();
            u.pix_valid.next = r[3] != 0;
            u.host_we.next = r[4] != 0;
            u.host_addr.next = (r[5] as u64).into();
            u.host_wdata.next = (r[6] as u64).into();
            u.pot_sel.next = (r[7] as u64).into();
        },
        |u, clk| u.clock.next = Clock { clk },
        |u| {
            vec![
                u.pix_ready.val() as u128,
                u.host_rdata.val().to_u128(),
                u.pot_out.val().to_u128(),
                u.busy.val() as u128,
                u.done.val() as u128,
                u.winner.val().to_u128(),
                u.winner_valid.val() as u128,
                u.inhibit_step.val().to_u128(),
                u.cycles.val().to_u128(),
                u.threshold.val().to_u128(),
                u.peak.val().to_u128(),
                u.spike_valid.val() as u128,
                u.spike_mask.val().to_u128(),
                u.spike_t.val().to_u128(),
                u.state.val().to_u128(),
                u.t.val().to_u128(),
            ]
        },
    )
    .unwrap()
}

#[test]
fn small_core_in_rust_hdl_matches_the_cycle_model() {
    // Three presentations on one core (learning, learning, inference): the state each image
    // leaves behind (lists, neurons, winner) must not leak into the next.
    let cfg = SnnConfig::small();
    let shows = vec![
        (image(&cfg, 0), true),
        (image(&cfg, 5), true),
        (image(&cfg, 3), false),
    ];
    let c = case(&cfg, &shows, 11);
    let rows = run_rust_hdl(&c);
    check(&c, &rows, "rust-hdl, small");
    for (k, img) in c.images.iter().enumerate() {
        assert!(
            !img.spikes.is_empty(),
            "image {k}: the case should make neurons spike"
        );
        println!(
            "image {k}: {} cycles, {} spike events, winner {:?} at {:?}, thr {}, peak {}",
            img.trace.len(),
            img.spikes.len(),
            img.winner,
            img.inhibit_step,
            img.threshold,
            img.peak
        );
    }
}

#[test]
fn small_core_lints_and_runs_in_icarus_like_the_cycle_model() {
    if !tools(
        "small_core_lints_and_runs_in_icarus_like_the_cycle_model",
        &["verilator", "iverilog", "vvp"],
    ) {
        return;
    }
    let cfg = SnnConfig::small();
    let dir = out_dir("small");
    let files = write_hdl(&cfg, &dir).unwrap();
    lint_verilator(&files[0], TOP).unwrap();
    check_iverilog(&files[0]).unwrap();
    let cosim = Cosim::new(&files[0], TOP, "clock", &dir);
    let (ins, outs) = cosim.ports().unwrap();
    assert_eq!(
        ins.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        INPUTS
    );
    assert_eq!(
        outs.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        OUTPUTS
    );
    let c = case(&cfg, &[(image(&cfg, 1), true)], 5);
    let rows = cosim.run_icarus(&c.stimulus).unwrap();
    check(&c, &rows, "icarus, small");
}

#[test]
fn small_core_runs_in_verilator_like_the_cycle_model() {
    if !tools(
        "small_core_runs_in_verilator_like_the_cycle_model",
        &["verilator"],
    ) {
        return;
    }
    let cfg = SnnConfig::small();
    let dir = out_dir("small_verilator");
    let files = write_hdl(&cfg, &dir).unwrap();
    let c = case(&cfg, &[(image(&cfg, 4), true), (image(&cfg, 7), true)], 9);
    let rows = Cosim::new(&files[0], TOP, "clock", &dir)
        .run_verilator(&c.stimulus)
        .unwrap();
    check(&c, &rows, "verilator, small");
}

/// The lead's self-check of the default preset: one 28x28 digit, learning, in Icarus.
#[test]
fn default_core_runs_in_icarus_like_the_cycle_model() {
    if !tools(
        "default_core_runs_in_icarus_like_the_cycle_model",
        &["iverilog", "vvp"],
    ) {
        return;
    }
    let cfg = SnnConfig::default();
    let dir = out_dir("default_icarus");
    let files = write_hdl(&cfg, &dir).unwrap();
    let c = case(&cfg, &[(image(&cfg, 2), true)], 3);
    let img = &c.images[0];
    assert!(!img.spikes.is_empty(), "the case should make neurons spike");
    let rows = Cosim::new(&files[0], TOP, "clock", &dir)
        .run_icarus(&c.stimulus)
        .unwrap();
    check(&c, &rows, "icarus, default");
    println!(
        "default preset, one digit with learning: {} cycles, {} spike events, winner {:?} at {:?}, thr {}, peak {}",
        img.trace.len(),
        img.spikes.len(),
        img.winner,
        img.inhibit_step,
        img.threshold,
        img.peak
    );
}

#[test]
fn default_core_lints_and_synthesizes_for_ice40() {
    if !tools(
        "default_core_lints_and_synthesizes_for_ice40",
        &["verilator", "iverilog", "yosys"],
    ) {
        return;
    }
    let dir = out_dir("default_synth");
    let files = write_hdl(&SnnConfig::default(), &dir).unwrap();
    lint_verilator(&files[0], TOP).unwrap();
    check_iverilog(&files[0]).unwrap();
    let r = synth_ice40(&files[0], TOP).unwrap();
    println!(
        "snn_core (default preset) on iCE40: {} LUT4, {} FF, {} SB_RAM40_4K, {} SB_CARRY",
        r.luts, r.ffs, r.brams, r.carries
    );
    assert_eq!(r.latches, 0, "latches: {r:?}");
    assert!(
        r.brams <= 32 && r.luts <= 7680,
        "does not fit an HX8K: {r:?}"
    );
}

#[test]
fn unknown_widths_list_the_presets() {
    let cfg = SnnConfig {
        neurons: 3,
        ..SnnConfig::small()
    };
    let err = generate_verilog(&cfg).unwrap_err().to_string();
    assert!(err.contains("small") && err.contains("default"), "{err}");
}

/// The cores with homeostasis (theta cells, Bias, the wider WTA value, the theta port) are
/// lint-clean and compile in Icarus like the seed's: the small one, the `default` preset's
/// widths (without its normalization), and the small ones in lane groups (theta memories). Their blocks' synthesis without latches
/// is checked block by block (`theta`, `wta`).
#[test]
fn homeostasis_cores_lint_and_compile() {
    if !tools(
        "homeostasis_cores_lint_and_compile",
        &["verilator", "iverilog"],
    ) {
        return;
    }
    let learning = SnnConfig {
        norm_target: 0.0,
        ..SnnConfig::learning()
    };
    for (name, cfg) in [
        ("small_theta", snn_hdl::presets::small_theta()),
        ("learning_theta", learning),
        ("small_lanes_theta", snn_hdl::presets::small_lanes_theta()),
        ("small_lanes2_theta", snn_hdl::presets::small_lanes2_theta()),
    ] {
        let files = write_hdl(&cfg, &out_dir(name)).unwrap();
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(
            text.contains("input wire  theta_we;"),
            "{name}: no theta port"
        );
        lint_verilator(&files[0], TOP).unwrap();
        check_iverilog(&files[0]).unwrap();
    }
}

/// The cores with row normalization (row sums, `tag_mem`, the sweep, NormMul) are
/// lint-clean and compile in Icarus: the small one, the `default` preset (N = 10), and the
/// small ones in lane groups (the Sum walk instead of the row sums). The stdp block with
/// normalization synthesizes without latches (`stdp`'s unit test, both forms).
#[test]
fn normalization_cores_lint_and_compile() {
    if !tools(
        "normalization_cores_lint_and_compile",
        &["verilator", "iverilog"],
    ) {
        return;
    }
    for (name, cfg) in [
        ("small_norm", snn_hdl::presets::small_norm()),
        (
            "learning_n10",
            snn_hdl::presets::preset_config("default-n10").unwrap(),
        ),
        ("small_lanes_norm", snn_hdl::presets::small_lanes_norm()),
        ("small_lanes2_norm", snn_hdl::presets::small_lanes2_norm()),
    ] {
        let files = write_hdl(&cfg, &out_dir(name)).unwrap();
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("nm_acc"), "{name}: no normalization");
        let lanes = cfg.lanes.is_some_and(|l| l < cfg.neurons);
        assert_eq!(
            text.contains("wsum"),
            lanes,
            "{name}: the Sum walk with lanes only"
        );
        lint_verilator(&files[0], TOP).unwrap();
        check_iverilog(&files[0]).unwrap();
    }
}

/// The ULX3S preset's 400 neurons (`configs/ecp5-n400.toml`) need a 9-bit neuron index: the
/// core's `pot_sel` and `winner` ports widen, and Verilator `-Wall` finds every index register
/// and comparison inside at the same width (a block left at 8 bits is a WIDTH warning).
#[test]
fn wide_neuron_index_core_lints() {
    if !tools("wide_neuron_index_core_lints", &["verilator"]) {
        return;
    }
    let cfg = snn_hdl::presets::preset_config("ecp5-n400").unwrap();
    let files = write_hdl(&cfg, &out_dir("ecp5_n400")).unwrap();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    for port in ["input wire  [8:0] pot_sel;", "output reg  [8:0] winner;"] {
        assert!(text.contains(port), "no `{port}`");
    }
    lint_verilator(&files[0], TOP).unwrap();
}
