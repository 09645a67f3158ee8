//! The UART wrapper end to end in Verilator: a C++ host plays the serial line (load
//! weights, train on one image, infer another, read the weights back) and the bytes that come
//! back must be exactly what the cycle model (`snn_sim::Machine`) computes: winners, cycle
//! counts and the weights after STDP. The small preset (16 x 16 inputs, N = 4, 36-bit words,
//! 5 bytes per word) at 4 clocks per bit keeps it to about 150,000 simulated cycles. The cycle
//! counts the FPGA reports exclude the cycles the core waited for pixels from the slow line,
//! so they equal the cycle model's exactly. A second run plays a wrapper generated with initial
//! weights (the inference-only bitstream of `snn fpga --init-weights`) without any `W` request.

use snn_arch::{MemLayout, Word};
use snn_core::config::SnnConfig;
use snn_core::fixed::FixedFormat;
use snn_fpga::flow::{run, FlowOptions, Target};
use snn_fpga::wrapper::host::{cmd, Host};
use snn_fpga::wrapper::top::{generate_top, TOP};
use snn_fpga::wrapper::uart_rx::UartRx;
use snn_fpga::wrapper::uart_tx::UartTx;
use snn_sim::Machine;
use snn_testkit::Lcg;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Clocks per UART bit in the test (the smallest the receiver accepts).
const DIV: u64 = 4;

/// A few bright blobs on black: the inputs spike at several periods, so training changes weights.
fn image(rng: &mut Lcg, h: usize, w: usize) -> Vec<u8> {
    let mut img = vec![0u8; h * w];
    for _ in 0..3 {
        let (cy, cx) = (
            ((rng.next_u64() >> 33) % h as u64) as i64,
            ((rng.next_u64() >> 33) % w as u64) as i64,
        );
        for (i, px) in img.iter_mut().enumerate() {
            let d2 = (i / w) as i64 - cy;
            let d2 = d2 * d2 + ((i % w) as i64 - cx).pow(2);
            let v = 255.0 * (-(d2 as f64) / 6.0).exp();
            *px = px.saturating_add(v as u8);
        }
    }
    img
}

/// A weight word as the protocol sends it: `B` bytes, most significant first.
fn word_bytes(word: &Word, bits: usize) -> Vec<u8> {
    let bytes = bits.div_ceil(8);
    let padded = format!("{:0>width$}", word.to_hex(), width = 2 * bytes);
    (0..bytes)
        .map(|k| u8::from_str_radix(&padded[2 * k..2 * k + 2], 16).unwrap())
        .collect()
}

/// Every word of `cfg`'s weight memory holding `w` (`N x M`, row-major), in address order.
fn all_words(cfg: &SnnConfig, w: &[i32]) -> Vec<u8> {
    let layout = MemLayout::new(cfg);
    let rows: Vec<Vec<i32>> = w.chunks(cfg.inputs()).map(<[i32]>::to_vec).collect();
    let words = layout.words(&rows).unwrap();
    words
        .iter()
        .flat_map(|x| word_bytes(x, layout.word_bits()))
        .collect()
}

fn result_bytes(winner: Option<usize>, cycles: u64) -> Vec<u8> {
    let w = winner.unwrap_or(0);
    let mut v = vec![w as u8, winner.is_some() as u8 | ((w >> 8) << 1) as u8];
    v.extend_from_slice(&(cycles as u32).to_be_bytes());
    v
}

/// One lane per neuron (`SnnConfig::small()`) and lane groups (10 neurons in lanes of 4: the
/// host port then carries `G * M` words of 4 lanes).
#[test]
fn uart_host_protocol_matches_the_cycle_model() {
    if !snn_testkit::tools(
        "uart_host_protocol_matches_the_cycle_model",
        &["verilator", "make", "c++"],
    ) {
        return;
    }
    protocol_case("wrapper", &SnnConfig::small());
    protocol_case("wrapper-lanes", &snn_hdl::presets::small_lanes());
}

fn protocol_case(name: &str, cfg: &SnnConfig) {
    let cfg = cfg.clone();
    let (n, m) = (cfg.neurons, cfg.inputs());
    let layout = MemLayout::new(&cfg);
    let fmt = FixedFormat::new(&cfg).unwrap();
    let mut rng = Lcg::new(7);
    let weights: Vec<i32> = (0..n * m)
        .map(|_| fmt.w_min + ((rng.next_u64() >> 33) % (fmt.w_max - fmt.w_min + 1) as u64) as i32)
        .collect();
    let train = image(&mut rng, cfg.height, cfg.width);
    let infer = image(&mut rng, cfg.height, cfg.width);

    // What the cycle model does with the same requests.
    let mut machine = Machine::new(&cfg).unwrap();
    machine.load_weights(&weights).unwrap();
    let r_train = machine.run_image(&train, true).unwrap();
    let r_infer = machine.run_image(&infer, false).unwrap();
    let after = machine.weights();
    assert_ne!(
        after, weights,
        "the training image must change some weights for the read-back to mean anything"
    );

    // Requests, and how many answer bytes to wait for before the next one (the protocol is
    // request / response: a request sent while the FPGA is still answering would be lost).
    let mut segments: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut expect = Vec::new();
    let mut req = vec![cmd::WRITE];
    req.extend(all_words(&cfg, &weights));
    expect.push(cmd::ACK);
    segments.push((req, expect.len()));
    for (img, learn, r) in [(&train, true, &r_train), (&infer, false, &r_infer)] {
        let mut req = vec![if learn { cmd::LEARN } else { cmd::INFER }];
        req.extend_from_slice(img);
        expect.extend(result_bytes(r.winner, r.cycles.unwrap()));
        segments.push((req, expect.len()));
    }
    segments.push((
        vec![cmd::READ],
        expect.len() + layout.depth() * layout.word_bits().div_ceil(8),
    ));
    expect.extend(all_words(&cfg, &after));
    // Unknown requests; and the theta requests, which a core without homeostasis lacks.
    for req in [b'x', cmd::THETA_WRITE, cmd::THETA_READ] {
        segments.push((vec![req], expect.len() + 1));
        expect.push(cmd::UNKNOWN);
    }

    // DIV clocks per bit: a DIV Hz clock at 1 baud.
    let verilog = generate_top(&cfg, DIV, 1, None).unwrap();
    let got = run_wrapper(name, &verilog, &segments, machine.cycle_bound());
    assert_eq!(got.len(), expect.len());
    let results = 1..13;
    assert_eq!(
        got[..13],
        expect[..13],
        "ack and results (winner, valid, cycles) for train then infer: {:?} / {:?}",
        &got[results.clone()],
        &expect[results]
    );
    assert_eq!(got, expect, "weights read back after training");
}

/// `theta` as the `T` and `H` requests carry it: `bytes` per neuron, most significant first.
fn theta_bytes(theta: &[i32], bytes: usize) -> Vec<u8> {
    theta
        .iter()
        .flat_map(|&t| (t as u32).to_be_bytes()[4 - bytes..].to_vec())
        .collect()
}

/// With homeostasis the host restores and saves the whole learned state: weights (`W`) and
/// theta (`T`) loaded, a training image and an inference image whose results depend on both,
/// then theta (`H`) and the weights (`R`) read back, all as the cycle model computes them; with
/// one lane per neuron and in lane groups (the thetas in the lane state's memories).
#[test]
fn uart_theta_requests_restore_and_save_the_learned_state() {
    if !snn_testkit::tools(
        "uart_theta_requests_restore_and_save_the_learned_state",
        &["verilator", "make", "c++"],
    ) {
        return;
    }
    theta_case("wrapper_theta", &snn_hdl::presets::small_theta());
    theta_case(
        "wrapper_lanes_theta",
        &snn_hdl::presets::small_lanes_theta(),
    );
}

fn theta_case(name: &str, cfg: &SnnConfig) {
    let cfg = cfg.clone();
    let (n, m) = (cfg.neurons, cfg.inputs());
    let bt = (cfg.fixed.theta_bits as usize).div_ceil(8);
    let fmt = FixedFormat::new(&cfg).unwrap();
    let mut rng = Lcg::new(13);
    let weights: Vec<i32> = (0..n * m)
        .map(|_| fmt.w_min + ((rng.next_u64() >> 33) % (fmt.w_max - fmt.w_min + 1) as u64) as i32)
        .collect();
    let theta: Vec<i32> = (0..n)
        .map(|_| ((rng.next_u64() >> 33) % (fmt.theta_max as u64 + 1)) as i32)
        .collect();
    assert!(
        theta.iter().any(|&t| t > 255),
        "some theta needs both bytes"
    );
    let train = image(&mut rng, cfg.height, cfg.width);
    let infer = image(&mut rng, cfg.height, cfg.width);
    let mut machine = Machine::new(&cfg).unwrap();
    machine.load_weights(&weights).unwrap();
    machine.load_theta(&theta).unwrap();
    let r_train = machine.run_image(&train, true).unwrap();
    let r_infer = machine.run_image(&infer, false).unwrap();
    assert_ne!(machine.theta(), theta, "training must move theta");

    let mut segments: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut expect = Vec::new();
    for (req, data) in [
        (cmd::WRITE, all_words(&cfg, &weights)),
        (cmd::THETA_WRITE, theta_bytes(&theta, bt)),
    ] {
        segments.push(([vec![req], data].concat(), expect.len() + 1));
        expect.push(cmd::ACK);
    }
    for (img, learn, r) in [(&train, true, &r_train), (&infer, false, &r_infer)] {
        let req = if learn { cmd::LEARN } else { cmd::INFER };
        expect.extend(result_bytes(r.winner, r.cycles.unwrap()));
        segments.push(([&[req][..], img].concat(), expect.len()));
    }
    expect.extend(theta_bytes(&machine.theta(), bt));
    segments.push((vec![cmd::THETA_READ], expect.len()));
    expect.extend(all_words(&cfg, &machine.weights()));
    segments.push((vec![cmd::READ], expect.len()));

    let verilog = generate_top(&cfg, DIV, 1, None).unwrap();
    let got = run_wrapper(name, &verilog, &segments, machine.cycle_bound());
    assert_eq!(got.len(), expect.len());
    assert_eq!(
        got[..14],
        expect[..14],
        "acks, then train and infer results"
    );
    let th = 14..14 + n * bt;
    assert_eq!(
        got[th.clone()],
        expect[th],
        "theta read back after training"
    );
    assert_eq!(got, expect, "weights read back after training");
}

/// A wrapper generated with initial weights (an inference-only bitstream) classifies and reads
/// back those weights without ever receiving a `W` request.
#[test]
fn wrapper_with_initial_weights_needs_no_weight_load() {
    if !snn_testkit::tools(
        "wrapper_with_initial_weights_needs_no_weight_load",
        &["verilator", "make", "c++"],
    ) {
        return;
    }
    let cfg = SnnConfig::small();
    let (n, m) = (cfg.neurons, cfg.inputs());
    let fmt = FixedFormat::new(&cfg).unwrap();
    let mut rng = Lcg::new(11);
    let weights: Vec<i32> = (0..n * m)
        .map(|_| fmt.w_min + ((rng.next_u64() >> 33) % (fmt.w_max - fmt.w_min + 1) as u64) as i32)
        .collect();
    let images = [
        image(&mut rng, cfg.height, cfg.width),
        image(&mut rng, cfg.height, cfg.width),
    ];
    let mut machine = Machine::new(&cfg).unwrap();
    machine.load_weights(&weights).unwrap();
    let mut segments: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut expect = Vec::new();
    for img in &images {
        let r = machine.run_image(img, false).unwrap();
        let mut req = vec![cmd::INFER];
        req.extend_from_slice(img);
        expect.extend(result_bytes(r.winner, r.cycles.unwrap()));
        segments.push((req, expect.len()));
    }
    assert!(
        expect.chunks(6).any(|r| r[1] == 1),
        "no image has a winner: the comparison would not show the weights were there"
    );
    let layout = MemLayout::new(&cfg);
    segments.push((
        vec![cmd::READ],
        expect.len() + layout.depth() * layout.word_bits().div_ceil(8),
    ));
    expect.extend(all_words(&cfg, &weights));
    let raw: Vec<Vec<i32>> = weights.chunks(m).map(<[i32]>::to_vec).collect();
    let verilog = generate_top(&cfg, DIV, 1, Some(&raw)).unwrap();
    let got = run_wrapper("wrapper_init", &verilog, &segments, machine.cycle_bound());
    assert_eq!(
        got[..12],
        expect[..12],
        "results (winner, valid, cycles) of both images"
    );
    assert_eq!(got, expect, "the initial weights read back");
}

/// Builds `verilog` (the wrapper) with the C++ host of `tests/uart_host.cpp` in Verilator, in
/// the test folder `name`, plays `segments` (request bytes, answer bytes to wait for before the
/// next request) on the serial line and returns every byte the FPGA sent. `cycle_bound` is the
/// cycle model's bound on one image, for the time-out.
fn run_wrapper(
    name: &str,
    verilog: &str,
    segments: &[(Vec<u8>, usize)],
    cycle_bound: u64,
) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("snn-fpga")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{TOP}.v"));
    std::fs::write(&path, verilog).unwrap();
    let all: Vec<u8> = segments.iter().flat_map(|s| s.0.clone()).collect();
    std::fs::write(
        dir.join("in.mem"),
        all.iter().map(|b| format!("{b:02x}\n")).collect::<String>(),
    )
    .unwrap();
    let mut seg_text = String::new();
    for (req, wait) in segments {
        writeln!(seg_text, "{} {wait}", req.len()).unwrap();
    }
    std::fs::write(dir.join("segments.txt"), seg_text).unwrap();
    let answers = segments.last().map_or(0, |s| s.1) as u64;
    // Verilator with a C++ host (--cc --exe: the HDL notes' advice for rust-hdl output); Icarus
    // needs minutes for these 150,000 cycles of the whole core.
    let start = Instant::now();
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/uart_host.cpp");
    let build = Command::new("verilator")
        .current_dir(&dir)
        .args([
            "--cc",
            "--exe",
            "--build",
            "-O3",
            "-j",
            "2",
            "-Wno-fatal",
            "-Wno-lint",
            "-Wno-style",
        ])
        .args([
            "--top-module",
            TOP,
            "--prefix",
            "Vdut",
            "-Mdir",
            "obj",
            "-o",
            "Vdut",
            "-MAKEFLAGS",
            "OPT_FAST=-O1",
        ])
        .arg(&harness)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );
    let built = start.elapsed().as_secs_f64();
    let max_cycles = 4 * (all.len() as u64 + answers) * 10 * DIV + 4 * cycle_bound;
    let run = Command::new(dir.join("obj/Vdut"))
        .current_dir(&dir)
        .args([
            DIV.to_string(),
            "in.mem".into(),
            "segments.txt".into(),
            "out.txt".into(),
            max_cycles.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    println!(
        "verilator: build {built:.1} s, run {:.2} s, {}",
        start.elapsed().as_secs_f64() - built,
        String::from_utf8_lossy(&run.stdout).trim()
    );
    let text = std::fs::read_to_string(dir.join("out.txt")).unwrap();
    assert!(
        !text.contains("timeout") && !text.contains("framing"),
        "{}",
        &text[text.len().saturating_sub(400)..]
    );
    text.lines()
        .map(|l| u8::from_str_radix(l, 16).unwrap())
        .collect()
}

/// The wrapper's own blocks synthesize for the HX8K without latches, and stay small next to the
/// core (the iCE40 budget is tight: the default design fills 97 % of the HX8K's logic cells).
#[test]
fn wrapper_blocks_synthesize_small_and_without_latches() {
    if !snn_testkit::tools(
        "wrapper_blocks_synthesize_small_and_without_latches",
        &["yosys"],
    ) {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("snn-fpga")
        .join("wrapper_blocks");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The default core's widths: 100-bit words (13 bytes, a partial top byte), 10 address bits.
    let blocks: [(&str, String, u64); 3] = [
        (
            "host",
            snn_hdl::verilog::generate(
                &mut Host::<100, 104, 10, 8>::new(784, 784, 10, None),
                "host",
            ),
            500,
        ),
        (
            "uart_rx",
            snn_hdl::verilog::generate(&mut UartRx::new(104), "uart_rx"),
            60,
        ),
        (
            "uart_tx",
            snn_hdl::verilog::generate(&mut UartTx::new(104), "uart_tx"),
            60,
        ),
    ];
    for (name, verilog, max_luts) in blocks {
        let path = dir.join(format!("{name}.v"));
        std::fs::write(&path, verilog).unwrap();
        let opts = FlowOptions {
            place: false,
            out_dir: Some(dir.join(name)),
            ..FlowOptions::default()
        };
        let r = run(Target::Ice40Hx8k, &path, name, &opts).unwrap();
        println!("{name}: {} LUTs, {} FFs", r.luts, r.ffs);
        assert_eq!(r.latches, 0, "{name}");
        assert!(r.luts <= max_luts, "{name}: {} LUTs", r.luts);
    }
}
