//! Tests of the harnesses themselves, against a toy core with the ports of `snn_core`.
//!
//! The toy is not an SNN: it does a few simple, fully specified things with every port (weights
//! in and out through the host port, potentials through pot_sel, spikes, result registers, the
//! pixel handshake, a learning mode that rewrites weights), and [`expect`] computes what it must
//! produce. Agreement in both simulators proves the file plumbing, the clocking and the wide-port
//! handling of the harnesses independently of the real core. Three shapes put `host_wdata` in
//! each Verilator storage class: 15 bits (`SData`), 36 bits (`QData`), 100 bits (`VlWide<4>`).

mod common;

use common::{blobs, have};
use snn_core::config::{FixedConfig, SnnConfig};
use snn_core::control::Presentation;
use snn_rtlsim::{run, Dims, RtlImage, RtlResult, RunOptions, Simulator, TraceCycle};
use std::path::PathBuf;

/// The toy core. Idle (state 0): host writes/reads `mem` (registered read). `start` clears the
/// potentials and counters and enters Ingest (state 1), where each taken pixel `p` at index `i`:
/// adds lane `j` of word `i` to `pot[j]` if `p >= 128`; emits a spike (next cycle) with
/// `t = i + 1` and mask bit `j` = bit `j % 8` of `p` if `p >= 200`; when learning, adds +1 to lane
/// `j` of word `i` if bit `j % 8` of `p` is set, else -1 (wrapping). `threshold` sums the pixels,
/// `peak` is the largest. After the last pixel: Done (state 13) for one cycle, which sets the
/// first argmax of `pot` as winner (valid when positive) and the spike count as `inhibit_step`.
/// `cycles` counts every cycle outside Idle.
fn toy_verilog(d: &Dims) -> String {
    format!(
        r#"module snn_core #(parameter N = {n}, parameter WB = {wb}, parameter PB = {pb}, parameter AW = {aw}, parameter M = {m}) (
  input wire clock, input wire start, input wire learn,
  input wire [7:0] pix_data, input wire pix_valid, output wire pix_ready,
  input wire host_we, input wire [AW-1:0] host_addr, input wire [N*WB-1:0] host_wdata,
  output reg [N*WB-1:0] host_rdata,
  input wire [7:0] pot_sel, output wire [PB-1:0] pot_out,
  output wire busy, output wire done, output reg [7:0] winner, output reg winner_valid,
  output reg [15:0] inhibit_step, output reg [31:0] cycles, output reg [PB-1:0] threshold,
  output reg [15:0] peak, output reg spike_valid, output reg [N-1:0] spike_mask,
  output reg [15:0] spike_t, output wire [4:0] state, output wire [15:0] t);
  reg [N*WB-1:0] mem [0:M-1];
  reg signed [PB-1:0] pot [0:N-1];
  reg [4:0] st = 0;
  reg lrn = 0;
  reg [15:0] taken = 0, nspk = 0;
  reg [N*WB-1:0] w;
  reg signed [PB-1:0] best;
  reg [7:0] bj;
  integer j;
  assign state = st;
  assign t = taken;
  assign busy = st != 0;
  assign done = st == 13;
  assign pix_ready = st == 1;
  assign pot_out = pot[pot_sel];
  initial begin
    for (j = 0; j < N; j = j + 1) pot[j] = 0;
    host_rdata = 0; winner = 0; winner_valid = 0; inhibit_step = 0; cycles = 0; threshold = 0;
    peak = 0; spike_valid = 0; spike_mask = 0; spike_t = 0;
  end
  always @(posedge clock) begin
    spike_valid <= 0;
    if (st != 0) cycles <= cycles + 1;
    case (st)
      0: begin
        if (host_we) mem[host_addr] <= host_wdata;
        host_rdata <= mem[host_addr];
        if (start) begin
          st <= 1; lrn <= learn; taken <= 0; nspk <= 0; cycles <= 0; threshold <= 0; peak <= 0;
          for (j = 0; j < N; j = j + 1) pot[j] <= 0;
        end
      end
      1: if (pix_valid) begin
        w = mem[taken];
        if (pix_data >= 128)
          for (j = 0; j < N; j = j + 1) pot[j] <= pot[j] + {{{{(PB-WB){{w[j*WB+WB-1]}}}}, w[j*WB +: WB]}};
        if (pix_data >= 200) begin
          spike_valid <= 1; spike_t <= taken + 1; nspk <= nspk + 1;
          for (j = 0; j < N; j = j + 1) spike_mask[j] <= pix_data[j % 8];
        end
        if (lrn) begin
          for (j = 0; j < N; j = j + 1) w[j*WB +: WB] = w[j*WB +: WB] + (pix_data[j % 8] ? 1 : {{WB{{1'b1}}}});
          mem[taken] <= w;
        end
        threshold <= threshold + pix_data;
        if (pix_data > peak) peak <= pix_data;
        taken <= taken + 1;
        if (taken == M - 1) st <= 13;
      end
      13: begin
        best = pot[0]; bj = 0;
        for (j = 1; j < N; j = j + 1) if (pot[j] > best) begin best = pot[j]; bj = j; end
        winner <= bj; winner_valid <= best > 0; inhibit_step <= nspk; st <= 0;
      end
      default: st <= 0;
    endcase
  end
endmodule
"#,
        n = d.n,
        wb = d.wb,
        pb = d.pb,
        aw = d.aw,
        m = d.m
    )
}

/// Two's-complement wrap of `x` to `bits` bits.
fn wrap(x: i64, bits: u32) -> i64 {
    let s = 64 - bits;
    (x << s) >> s
}

/// What the toy core must produce: the images and the weights after each.
fn expect(
    d: &Dims,
    weights: &[Vec<i32>],
    images: &[Vec<u8>],
    learn: bool,
    stall: u64,
) -> (Vec<RtlImage>, Vec<Vec<Vec<i32>>>) {
    let mut w: Vec<Vec<i32>> = weights.to_vec();
    let mut out = Vec::new();
    let mut after = Vec::new();
    for img in images {
        let mut pot = vec![0i64; d.n];
        let mut spike_times = vec![Vec::new(); d.n];
        let (mut nspk, mut sum, mut peak) = (0u32, 0i64, 0u32);
        for (i, &p) in img.iter().enumerate() {
            for j in 0..d.n {
                let bit = (p >> (j % 8)) & 1 == 1;
                if p >= 128 {
                    pot[j] = wrap(pot[j] + w[j][i] as i64, d.pb);
                }
                if p >= 200 && bit {
                    spike_times[j].push(i as u32 + 1);
                }
                if learn {
                    w[j][i] = wrap(w[j][i] as i64 + if bit { 1 } else { -1 }, d.wb) as i32;
                }
            }
            nspk += (p >= 200) as u32;
            sum = wrap(sum + p as i64, d.pb);
            peak = peak.max(p as u32);
        }
        // Ingest cycles: the stall knob drops pix_valid on every stall-th cycle.
        let (mut c, mut taken) = (0u64, 0usize);
        while taken < img.len() {
            taken += (stall == 0 || c % stall != stall - 1) as usize;
            c += 1;
        }
        let best = (0..d.n).fold(0, |b, j| if pot[j] > pot[b] { j } else { b });
        let valid = pot[best] > 0;
        out.push(RtlImage {
            outcome: Presentation {
                winner: valid.then_some(best),
                inhibit_step: valid.then_some(nspk),
                spike_times,
                final_potentials: pot.iter().map(|&p| p as i32).collect(),
                threshold: sum as i32,
                peak_count: peak,
                cycles: Some(c + 1),
                trace: None,
            },
            busy_cycles: c + 1,
            theta: Vec::new(),
            trace: None,
        });
        after.push(w.clone());
    }
    (out, after)
}

/// A configuration with the given shape; only the fields the harness reads matter to the toy.
fn shape(h: usize, w: usize, n: usize, wb: u32, pb: u32) -> SnnConfig {
    SnnConfig {
        height: h,
        width: w,
        neurons: n,
        fixed: FixedConfig {
            weight_bits: wb,
            potential_bits: pb,
            ..FixedConfig::default()
        },
        ..SnnConfig::default()
    }
}

/// Writes the toy for `cfg` into the build folder (stable path, so Verilator's cache hits).
fn toy_file(cfg: &SnnConfig) -> PathBuf {
    let d = Dims::new(cfg).unwrap();
    let dir = snn_rtlsim::default_build_root().join("toy");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("toy_n{}_wb{}_pb{}_m{}.v", d.n, d.wb, d.pb, d.m));
    let text = toy_verilog(&d);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&path, text).unwrap();
    }
    path
}

/// Weights spread over the whole range, negative values and extremes included.
fn weights(d: &Dims, seed: i64) -> Vec<Vec<i32>> {
    let (lo, hi) = d.layout().lane_range();
    (0..d.n)
        .map(|j| {
            (0..d.m)
                .map(|i| {
                    (lo as i64
                        + ((j as i64 * 131 + i as i64 * 71 + seed * 17) % (hi - lo + 1) as i64))
                        as i32
                })
                .collect()
        })
        .collect()
}

fn check(sim: Simulator, got: &RtlResult, want: &(Vec<RtlImage>, Vec<Vec<Vec<i32>>>), what: &str) {
    for (k, (g, w)) in got.images.iter().zip(&want.0).enumerate() {
        let g = RtlImage {
            trace: None,
            ..g.clone()
        };
        assert_eq!(&g, w, "{sim} {what}: image {k}");
    }
    assert_eq!(got.images.len(), want.0.len(), "{sim} {what}: image count");
    assert_eq!(
        &got.final_weights,
        want.1.last().unwrap(),
        "{sim} {what}: final weights"
    );
    if let Some(after) = &got.weights_after {
        assert_eq!(after, &want.1, "{sim} {what}: weights after each image");
    }
}

/// Every shape, learning with per-image weight dumps, in `sim`; returns the results per shape.
fn shapes_in(sim: Simulator) -> Vec<RtlResult> {
    let shapes = [
        shape(3, 3, 3, 5, 12),
        shape(4, 5, 4, 9, 20),
        shape(5, 5, 10, 10, 20),
    ];
    let mut all = Vec::new();
    for (s, cfg) in shapes.iter().enumerate() {
        let d = Dims::new(cfg).unwrap();
        let w = weights(&d, s as i64);
        let mut images = blobs(s as u64, 3, cfg.height, cfg.width);
        images.push(vec![255; d.m]);
        let opts = RunOptions {
            dump_every: true,
            ..RunOptions::default()
        };
        let got = run(sim, &toy_file(cfg), cfg, &w, &images, true, &opts).unwrap();
        check(
            sim,
            &got,
            &expect(&d, &w, &images, true, 0),
            &format!("shape {s} learning"),
        );
        assert_eq!(
            got.simulated_cycles,
            got.images
                .iter()
                .map(|i| i.outcome.cycles.unwrap() + 1 + d.m as u64 + 1)
                .sum::<u64>()
                + 2 * d.m as u64
                + 1
        );
        let got_inf = run(
            sim,
            &toy_file(cfg),
            cfg,
            &w,
            &images,
            false,
            &RunOptions::default(),
        )
        .unwrap();
        check(
            sim,
            &got_inf,
            &expect(&d, &w, &images, false, 0),
            &format!("shape {s} inference"),
        );
        assert!(got_inf.weights_after.is_none() && got_inf.run_dir.is_none());
        all.push(got);
    }
    all
}

#[test]
fn verilator_and_icarus_agree_with_the_toy_model_and_each_other() {
    let (v, i) = (Simulator::Verilator, Simulator::Icarus);
    if !have(v, "harness") || !have(i, "harness") {
        return;
    }
    let from_v = shapes_in(v);
    let from_i = shapes_in(i);
    for (a, b) in from_v.iter().zip(&from_i) {
        assert_eq!(
            (&a.images, &a.weights_after, &a.final_weights),
            (&b.images, &b.weights_after, &b.final_weights)
        );
    }
}

/// Stalls, trace and hang detection, in one simulator (they use no port the shapes test misses).
fn knobs_in(sim: Simulator) {
    let cfg = shape(4, 5, 4, 9, 20);
    let d = Dims::new(&cfg).unwrap();
    let w = weights(&d, 1);
    let images = blobs(7, 2, cfg.height, cfg.width);
    let verilog = toy_file(&cfg);

    let opts = RunOptions {
        stall: 3,
        trace: true,
        ..RunOptions::default()
    };
    let got = run(sim, &verilog, &cfg, &w, &images, true, &opts).unwrap();
    let want = expect(&d, &w, &images, true, 3);
    check(sim, &got, &want, "stall 3");
    assert!(
        got.images[0].outcome.cycles.unwrap() > d.m as u64 + 1,
        "{sim}: stalls must cost cycles"
    );
    for (k, im) in got.images.iter().enumerate() {
        let tr = im.trace.as_ref().unwrap();
        assert_eq!(
            Some(tr.len() as u64),
            im.outcome.cycles,
            "{sim} image {k}: one trace line per busy cycle"
        );
        assert_eq!(tr[0], TraceCycle { state: 1, t: 0 }, "{sim} image {k}");
        assert_eq!(
            tr.last().unwrap(),
            &TraceCycle {
                state: 13,
                t: d.m as u16
            },
            "{sim} image {k}"
        );
    }

    let hung = RunOptions {
        max_cycles: 5,
        ..RunOptions::default()
    };
    let err = format!(
        "{:#}",
        run(sim, &verilog, &cfg, &w, &images, false, &hung).unwrap_err()
    );
    assert!(
        err.contains("image=0") && err.contains("no done within max_cycles"),
        "{sim}: {err}"
    );
}

#[test]
fn icarus_knobs_stall_trace_timeout_and_vcd() {
    let sim = Simulator::Icarus;
    if !have(sim, "icarus knobs") {
        return;
    }
    knobs_in(sim);
    vcd_in(sim);
}

#[test]
fn verilator_knobs_stall_trace_timeout_and_vcd() {
    let sim = Simulator::Verilator;
    if !have(sim, "verilator knobs") {
        return;
    }
    knobs_in(sim);
    vcd_in(sim);
}

/// A VCD lands in the kept run directory, which the result names.
fn vcd_in(sim: Simulator) {
    let cfg = shape(3, 3, 3, 5, 12);
    let d = Dims::new(&cfg).unwrap();
    let images = blobs(3, 1, 3, 3);
    let opts = RunOptions {
        vcd: true,
        ..RunOptions::default()
    };
    let got = run(
        sim,
        &toy_file(&cfg),
        &cfg,
        &weights(&d, 0),
        &images,
        false,
        &opts,
    )
    .unwrap();
    let dir = got.run_dir.clone().expect("a VCD run keeps its directory");
    let vcd = std::fs::read_to_string(dir.join("dump.vcd")).unwrap();
    assert!(
        vcd.contains("pix_ready") && vcd.contains("host_wdata"),
        "{sim}: VCD lacks the ports"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn scripts_run_a_kept_run_directory_by_hand() {
    let sim = Simulator::Icarus;
    if !have(sim, "scripts") {
        return;
    }
    let cfg = shape(3, 3, 3, 5, 12);
    let d = Dims::new(&cfg).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let images = blobs(5, 2, 3, 3);
    let opts = RunOptions {
        run_dir: Some(dir.path().to_path_buf()),
        ..RunOptions::default()
    };
    let verilog = toy_file(&cfg);
    let got = run(sim, &verilog, &cfg, &weights(&d, 2), &images, true, &opts).unwrap();
    assert_eq!(got.run_dir.as_deref(), Some(dir.path()));
    let first = std::fs::read_to_string(dir.path().join("results.txt")).unwrap();
    let status = std::process::Command::new("bash")
        .arg(sim.script())
        .arg(&verilog)
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("results.txt")).unwrap(),
        first
    );
}
