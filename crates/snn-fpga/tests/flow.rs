//! The flow on a small self-written design (a counter and a RAM initialised from an exported
//! weight image), so that every tool runs in seconds; synthesis of the generated core when
//! `hdl/snn_core.v` exists; and the whole ECP5 flow on the seed core behind its UART wrapper.

use snn_core::config::SnnConfig;
use snn_fpga::bram::{write_image, MemFormat};
use snn_fpga::flow::{run, Constraints, CyclesPerImage, FlowOptions, FpgaReport, Target};
use snn_fpga::wrapper::top::{write_top, TOP};
use std::path::{Path, PathBuf};

/// Whether `test` cannot run for a missing tool (`snn_testkit::tools`: skips, fails under CI).
fn skip(test: &str, tools: &[&str]) -> bool {
    !snn_testkit::tools(test, tools)
}

/// A 24-bit counter on eight LEDs and a 256 x 16 RAM (two 8-bit lanes, the weight-memory
/// layout with N = 2, WB = 8) loaded by `$readmemh` from `weights.mem`, with a 16 x 16 multiply
/// of the two lanes of the word read (a DSP on the UP5K).
const DEMO: &str = r#"
module demo (input clock, input we, input [7:0] addr, input [15:0] wdata,
             output reg [31:0] prod, output [7:0] led);
  reg [15:0] mem [0:255];
  reg [15:0] rdata;
  reg [23:0] count = 24'd0;
  initial $readmemh("weights.mem", mem);
  always @(posedge clock) begin
    count <= count + 24'd1;
    if (we) mem[addr] <= wdata;
    rdata <= mem[addr];
    prod <= {{8{rdata[15]}}, rdata[15:8]} * {{8{rdata[7]}}, rdata[7:0]};
  end
  assign led = count[23:16];
endmodule
"#;

fn demo(dir: &Path) -> PathBuf {
    let weights: Vec<Vec<i32>> = (0..2)
        .map(|j| (0..256).map(|i| (i * 7 + j * 3) % 256 - 128).collect())
        .collect();
    write_image(
        &dir.join("weights.mem"),
        &weights,
        &snn_arch::MemLayout::of(&weights, 8),
        MemFormat::Mem,
    )
    .unwrap();
    let v = dir.join("demo.v");
    std::fs::write(&v, DEMO).unwrap();
    v
}

/// A fresh folder `snn-fpga/<name>` with the demo in it (folder and Verilog), or `None` when
/// `test` cannot run for want of one of `tools`.
fn demo_for(test: &str, tools: &[&str], name: &str) -> Option<(PathBuf, PathBuf)> {
    if skip(test, tools) {
        return None;
    }
    let dir = snn_testkit::workdir(&format!("snn-fpga/{name}"));
    let v = demo(&dir);
    Some((dir, v))
}

/// The constraints file pinned the demo's LEDs and left its RAM ports to nextpnr, which listed
/// them.
fn leds_pinned_and_ram_ports_listed(r: &FpgaReport) -> bool {
    r.unconstrained_ports.contains(&"we".to_string())
        && !r.unconstrained_ports.iter().any(|p| p.starts_with("led"))
}

#[test]
fn ice40_hx8k_places_routes_and_packs_a_small_design() {
    let Some((dir, v)) = demo_for(
        "ice40_hx8k_places_routes_and_packs_a_small_design",
        &Target::Ice40Hx8k.tools(true),
        "hx8k",
    ) else {
        return;
    };
    // Clock and LEDs on the breakout board's pins; the RAM ports are left to nextpnr.
    let pcf = dir.join("demo.pcf");
    let leds = ["B5", "B4", "A2", "A1", "C5", "C4", "B3", "C3"];
    let mut text = "set_io clock J3\n".to_string();
    for (k, p) in leds.iter().enumerate() {
        text += &format!("set_io led[{k}] {p}\n");
    }
    std::fs::write(&pcf, text).unwrap();
    let opts = FlowOptions {
        constraints: Constraints::File(pcf),
        cycles: Some(CyclesPerImage {
            inference: 2000.0,
            training: 8000.0,
        }),
        out_dir: Some(dir.join("out")),
        ..FlowOptions::default()
    };
    let r = run(Target::Ice40Hx8k, &v, "demo", &opts).unwrap();
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
    assert!(r.placed);
    assert_eq!(r.brams, 1.0, "the 256 x 16 RAM is one SB_RAM40_4K");
    assert_eq!(r.latches, 0);
    assert_eq!(r.dsps, 0, "the HX8K has no DSP");
    assert!(r.ffs >= 24 + 32, "counter and product registers: {}", r.ffs);
    assert!(
        r.luts > 100,
        "the 8 x 8 multiply is built from LUTs: {}",
        r.luts
    );
    let fmax = r.fmax_mhz.unwrap();
    assert!(fmax > 20.0, "{fmax}");
    assert_eq!(r.timing_met, Some(fmax >= 50.0));
    assert_eq!(r.utilization["ICESTORM_RAM"].used, 1);
    assert!(r.utilization["ICESTORM_LC"].used > 0);
    assert!(leds_pinned_and_ram_ports_listed(&r));
    let ips = r.inference_images_per_s.unwrap();
    assert!((ips - fmax * 1e6 / 2000.0).abs() < 1e-6 * ips);
    assert!((r.training_images_per_s.unwrap() - fmax * 1e6 / 8000.0).abs() < 1e-6 * ips);
    let bin = r.bitstream.unwrap();
    // An HX8K bitstream is about 132 kB whatever the design.
    assert!(
        std::fs::metadata(&bin).unwrap().len() > 100_000,
        "{}",
        bin.display()
    );
    assert!(dir.join("out/report.json").is_file());
    assert!(r.tool_seconds.contains_key("nextpnr-ice40"));
}

#[test]
fn synthesis_only_targets_report_utilization() {
    let Some((dir, v)) = demo_for(
        "synthesis_only_targets_report_utilization",
        &["yosys"],
        "synth",
    ) else {
        return;
    };
    for t in [
        Target::Ice40Up5k,
        Target::Xc7a35t,
        Target::Ecp5,
        Target::Ecp5U85f,
    ] {
        let opts = FlowOptions {
            place: false,
            out_dir: Some(dir.join(t.name())),
            ..FlowOptions::default()
        };
        let r = run(t, &v, "demo", &opts).unwrap();
        println!(
            "{t}: luts {} ffs {} brams {} dsps {} cells {:?}",
            r.luts, r.ffs, r.brams, r.dsps, r.cells
        );
        assert!(
            !r.placed
                && r.fmax_mhz.is_none()
                && r.bitstream.is_none()
                && r.inference_images_per_s.is_none()
        );
        assert!(r.luts > 0 && r.ffs >= 24, "{t}");
        assert_eq!(r.latches, 0);
        match t {
            // -dsp: the multiply becomes one SB_MAC16.
            Target::Ice40Up5k => assert_eq!((r.dsps, r.brams), (1, 1.0)),
            Target::Ecp5 | Target::Ecp5U85f => assert_eq!((r.dsps, r.brams), (1, 1.0)),
            // Yosys puts a 4 kbit RAM in LUT-RAM on 7-series; the multiply in a DSP48E1.
            Target::Xc7a35t => assert_eq!(r.dsps, 1),
            Target::Ice40Hx8k => unreachable!(),
        }
    }
}

/// What an ECP5 report must say after place and route: nextpnr's counts agree with Yosys' (its
/// LUT4s and DFFs before packing, its block RAMs and multipliers after), a routed clock, and a
/// bitstream of the part's size (ecppack writes every frame: about 0.6 MB for the 25F).
fn check_ecp5_placed(r: &FpgaReport) {
    let used = |k: &str| r.utilization.get(k).map(|u| u.used);
    assert!(r.placed);
    assert_eq!(r.latches, 0);
    assert_eq!(used("Total LUT4s"), Some(r.luts));
    assert_eq!(used("Total DFFs"), Some(r.ffs));
    assert_eq!(used("DP16KD").map(|b| b as f64), Some(r.brams));
    assert_eq!(used("MULT18X18D"), Some(r.dsps));
    assert!(used("TRELLIS_COMB").unwrap() >= r.luts);
    let fmax = r.fmax_mhz.unwrap();
    assert!(fmax > 0.0);
    assert_eq!(r.timing_met, Some(fmax >= r.freq_mhz.unwrap()));
    let bit = r.bitstream.as_ref().unwrap();
    assert_eq!(bit.extension().unwrap(), "bit");
    assert!(
        std::fs::metadata(bit).unwrap().len() > 500_000,
        "{}",
        bit.display()
    );
}

/// The demo on the ULX3S board file, 25F and 85F: clock and LEDs on its pins, the RAM ports
/// (not in the file) placed by nextpnr and listed; its 67 I/Os fit the 197 of the CABGA381.
#[test]
fn ecp5_places_routes_and_packs_a_small_design() {
    let Some((dir, v)) = demo_for(
        "ecp5_places_routes_and_packs_a_small_design",
        &Target::Ecp5.tools(true),
        "ecp5",
    ) else {
        return;
    };
    for t in [Target::Ecp5, Target::Ecp5U85f] {
        let out = dir.join(t.name());
        let opts = FlowOptions {
            out_dir: Some(out.clone()),
            ..FlowOptions::default()
        };
        let r = run(t, &v, "demo", &opts).unwrap();
        println!("{}", serde_json::to_string_pretty(&r).unwrap());
        check_ecp5_placed(&r);
        assert_eq!((r.brams, r.dsps), (1.0, 1));
        assert_eq!(r.utilization["DP16KD"].available as f64, r.capacity.brams);
        // The board file's FREQUENCY constraint (25 MHz) is the target, not --freq (50).
        assert_eq!(r.freq_mhz, Some(25.0));
        assert!(leds_pinned_and_ram_ports_listed(&r));
        for f in t.products("demo", true) {
            assert!(out.join(&f).is_file(), "{f}");
        }
    }
}

/// The seed core behind its UART wrapper (`snn fpga --target ecp5 --preset seed`), placed and
/// routed on the LFE5U-25F: about two minutes on two cores, the only run of the whole core
/// through place and route in the test suite. README lists the 85F and the `default` preset.
#[test]
fn ecp5_places_and_routes_the_seed_core() {
    if skip(
        "ecp5_places_and_routes_the_seed_core",
        &Target::Ecp5.tools(true),
    ) {
        return;
    }
    let dir = snn_testkit::workdir("snn-fpga/ecp5_seed");
    let cfg = SnnConfig::preset("seed").unwrap();
    let v = write_top(&cfg, Target::Ecp5.board_clock_hz(), 115_200, None, &dir).unwrap();
    let opts = FlowOptions {
        freq_mhz: 25.0,
        cycles: Some(CyclesPerImage {
            inference: 2000.0,
            training: 2500.0,
        }),
        out_dir: Some(dir.clone()),
        ..FlowOptions::default()
    };
    let r = run(Target::Ecp5, &v, TOP, &opts).unwrap();
    println!(
        "seed core on ECP5 25F: {} LUT4, {} FF, {} DP16KD, {} MULT18X18D, Fmax {:?} MHz, {:?}",
        r.luts, r.ffs, r.brams, r.dsps, r.fmax_mhz, r.tool_seconds
    );
    check_ecp5_placed(&r);
    // The weights alone (784 x 10 x 10 bits) need at least 5 of the 18-kbit DP16KD.
    assert!(r.brams >= 5.0, "{}", r.brams);
    assert!(
        r.unconstrained_ports.is_empty(),
        "{:?}",
        r.unconstrained_ports
    );
    let fmax = r.fmax_mhz.unwrap();
    assert!(r.timing_met.unwrap(), "the board's 25 MHz: {fmax} MHz");
    let ips = r.inference_images_per_s.unwrap();
    assert!((ips - fmax * 1e6 / 2000.0).abs() < 1e-6 * ips);
}

#[test]
fn a_design_with_more_ports_than_pins_fails_with_nextpnrs_reason() {
    let Some((dir, v)) = demo_for(
        "a_design_with_more_ports_than_pins_fails_with_nextpnrs_reason",
        &Target::Ice40Up5k.tools(true),
        "too_many_ios",
    ) else {
        return;
    };
    let opts = FlowOptions {
        constraints: Constraints::Unconstrained,
        out_dir: Some(dir.join("out")),
        ..FlowOptions::default()
    };
    // 67 I/Os on a 39-I/O package.
    let err = format!(
        "{:#}",
        run(Target::Ice40Up5k, &v, "demo", &opts).unwrap_err()
    );
    assert!(
        err.contains("nextpnr-ice40 failed") && err.contains("nextpnr.log"),
        "{err}"
    );
}

/// `hdl/snn_core.v` synthesizes for the HX8K: weights in block RAM, no latches. Synthesis only
/// (about two minutes); place and route needs the UART wrapper (`scripts/fpga.sh ice40-hx8k
/// wrapper`), because the bare core has more ports than the package has pins.
#[test]
fn generated_core_maps_to_block_ram_without_latches() {
    let hdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hdl");
    let (core, params) = (hdl.join("snn_core.v"), hdl.join("snn_core.json"));
    if !core.is_file() || !params.is_file() {
        snn_testkit::cannot_run(
            "generated_core_maps_to_block_ram_without_latches",
            &format!("{} or its .json not generated yet", core.display()),
        );
        return;
    }
    if skip(
        "generated_core_maps_to_block_ram_without_latches",
        &["yosys"],
    ) {
        return;
    }
    // The generator's report beside the Verilog says how big weight_mem is: M x N*WB bits.
    let p: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&params).unwrap()).unwrap();
    let (m, word) = (
        p["m"].as_u64().unwrap(),
        p["widths"]["word"].as_u64().unwrap(),
    );
    let dir = snn_testkit::workdir("snn-fpga/snn_core");
    let opts = FlowOptions {
        place: false,
        out_dir: Some(dir),
        ..FlowOptions::default()
    };
    let r = run(Target::Ice40Hx8k, &core, "snn_core", &opts).unwrap();
    println!(
        "snn_core on {}: luts {} ffs {} brams {} cells {:?} ({:?})",
        r.target, r.luts, r.ffs, r.brams, r.cells, r.tool_seconds
    );
    assert_eq!(r.latches, 0);
    // 4-kbit blocks can hold weight_mem in no fewer than M * N*WB / 4096 of them.
    let least = (m * word).div_ceil(4096) as f64;
    assert!(
        r.brams >= least,
        "weight memory ({m} x {word} bits) not in block RAM: {} SB_RAM40_4K",
        r.brams
    );
}
