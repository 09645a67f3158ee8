//! The RTL levels from the command line: the Verilog's configuration report is checked against
//! the weights before any simulator is built, and the build is reported as a step on stderr.

use std::path::Path;

mod common;
use common::{command, fails, ok, train_fixed};

#[test]
fn verilog_of_another_shape_is_refused_before_any_build() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_fixed(d, "4", "5", "w4.json");
    // The Verilog of the default configuration, 10 neurons.
    ok(d, &["generate", "--out", "hdl10"]);
    // No simulator can even start (an empty PATH): the check must come before any build.
    let empty = d.join("no-tools");
    std::fs::create_dir(&empty).unwrap();
    for (cmd, levels) in [
        ("compare", vec!["--levels", "golden-fixed,verilator"]),
        ("simulate", vec!["--level", "icarus"]),
    ] {
        let mut args = vec![
            cmd,
            "--weights",
            "w4.json",
            "--data",
            "builtin",
            "--limit",
            "1",
            "--hdl",
            "hdl10/snn_core.v",
        ];
        args.extend(levels);
        let out = command(d, &args).env("PATH", &empty).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("snn_core.json") && err.contains("n = 10 (the run needs 4)"),
            "{err}"
        );
    }
    // A Verilog file without its report beside it.
    std::fs::copy(d.join("hdl10/snn_core.v"), d.join("alone.v")).unwrap();
    fails(
        d,
        &[
            "compare",
            "--levels",
            "golden-fixed,icarus",
            "--weights",
            "w4.json",
            "--data",
            "builtin",
            "--limit",
            "1",
            "--hdl",
            "alone.v",
        ],
        &["alone.json", "alone.v"],
    );
}

/// 16x16 class folders of three bars each, for a core small enough for Icarus.
fn bars(dir: &Path) {
    for k in 0..3usize {
        let mut px = vec![0u8; 256];
        for r in 2..14 {
            for c in 5 + k..9 + k {
                px[r * 16 + c] = 255;
            }
        }
        let img = snn_data::Image {
            height: 16,
            width: 16,
            pixels: px,
        };
        std::fs::create_dir_all(dir.join("bars")).unwrap();
        snn_data::png::write(&dir.join(format!("bars/{k}.png")), &img).unwrap();
    }
}

#[test]
fn icarus_agrees_and_its_build_is_reported() {
    if !snn_testkit::available(
        "icarus_agrees_and_its_build_is_reported",
        snn_rtlsim::Simulator::Icarus.available(),
        "icarus",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The 16x16, 4-neuron hardware preset (SnnConfig::small()).
    std::fs::write(
        d.join("small.toml"),
        "preset = \"seed\"\nheight = 16\nwidth = 16\nneurons = 4\n[fixed]\nfrac_bits = 7\nweight_bits = 9\npotential_bits = 18\nlut_frac_bits = 14\ntheta_bits = 16\n",
    )
    .unwrap();
    bars(d);
    ok(d, &["generate", "--config", "small.toml", "--out", "hdl16"]);
    ok(
        d,
        &[
            "train",
            "--data",
            "bars",
            "--config",
            "small.toml",
            "--arith",
            "fixed",
            "--out",
            "w.json",
        ],
    );
    let out = command(
        d,
        &[
            "compare",
            "--levels",
            "golden-fixed,cycle,icarus",
            "--weights",
            "w.json",
            "--data",
            "bars",
            "--limit",
            "1",
            "--hdl",
            "hdl16/snn_core.v",
            "--json",
        ],
    )
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["agree"], true, "{r}");
    assert!(
        err.contains("icarus: building the simulator of hdl16/snn_core.v"),
        "{err}"
    );
}
