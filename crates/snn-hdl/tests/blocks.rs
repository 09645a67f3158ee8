//! Whole-design checks of the generated `snn_core`: lint, Icarus, Yosys.

use snn_core::config::SnnConfig;
use snn_hdl::generate::{generate_verilog, write_hdl};
use snn_hdl::verilog::{check_iverilog, lint_verilator, synth_ice40, tools_or_skip};
use std::path::PathBuf;

fn out_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn small_top_lints() {
    if !tools_or_skip("small_top_lints", &["verilator", "iverilog"]) {
        return;
    }
    let dir = out_dir("small_top");
    let files = write_hdl(&SnnConfig::small(), &dir).unwrap();
    lint_verilator(&files[0], "snn_core").unwrap();
    check_iverilog(&files[0]).unwrap();
}

#[test]
fn default_top_synthesizes() {
    if !tools_or_skip("default_top_synthesizes", &["yosys"]) {
        return;
    }
    let dir = out_dir("default_top");
    let files = write_hdl(&SnnConfig::default(), &dir).unwrap();
    let r = synth_ice40(&files[0], "snn_core").unwrap();
    println!("{r:?}");
    assert_eq!(r.latches, 0);
}

#[test]
fn unknown_widths_list_the_presets() {
    let cfg = SnnConfig { neurons: 3, ..SnnConfig::small() };
    let err = generate_verilog(&cfg).unwrap_err().to_string();
    assert!(err.contains("small") && err.contains("default"), "{err}");
}
