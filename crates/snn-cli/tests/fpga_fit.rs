//! Fit before you build: `snn fpga` refuses a configuration the estimate says cannot fit the
//! part before it writes anything or starts a tool, and `--plan` reports the largest N per lane
//! count. No real tool runs here: a stand-in `yosys` on PATH records any call.

use std::path::{Path, PathBuf};

mod common;
use common::{assert_documented, command, fails, ok, ok_json};
use snn_core::config::SnnConfig;
use snn_fpga::fit::plan::{try_fit, LANES};
use snn_fpga::flow::Target;

/// A folder with a `yosys` that leaves a mark when called, to put first on PATH.
fn marking_yosys(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let yosys = bin.join("yosys");
    let script = format!(
        "#!/bin/sh\ntouch {}\nexit 1\n",
        dir.join("yosys-ran").display()
    );
    std::fs::write(&yosys, script).unwrap();
    std::fs::set_permissions(&yosys, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn a_core_that_cannot_fit_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("n100.toml"), "preset = \"seed\"\nneurons = 100\n").unwrap();
    let args = ["fpga", "--target", "ice40-hx8k", "--config", "n100.toml"];
    // The message, exit 1, and flags the command has.
    fails(
        d,
        &args,
        &[
            "weight_mem needs 1,024,000 bits (1,024 x 1000) in 250 SB_RAM40_4K",
            "the memories need 257 SB_RAM40_4K",
            "iCE40HX8K-CT256 (ice40-hx8k) has 32 (131,072 bits)",
            "--force",
        ],
    );
    // No tool started, no folder left, with the default folder and with --out.
    let bin = marking_yosys(d);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    for extra in [&[][..], &["--out", "out"][..]] {
        let out = command(d, &[&args[..], extra].concat())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
    }
    assert!(!d.join("out").exists() && !d.join("fpga-out").exists());
    assert!(!d.join("yosys-ran").exists(), "a tool ran");
}

#[test]
fn a_core_over_the_luts_is_refused_and_one_that_may_not_fit_is_warned() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // N = 100 on the Artix-7: its memories fit (29 of 50 RAMB36), its logic does not (25,466
    // LUTs measured, 20,800 on the part).
    std::fs::write(d.join("n100.toml"), "preset = \"seed\"\nneurons = 100\n").unwrap();
    fails(
        d,
        &["fpga", "--target", "xc7a35t", "--config", "n100.toml"],
        &[
            "the logic is estimated at",
            "XC7A35T-1CSG324 (xc7a35t) has 20,800",
        ],
    );
    assert!(!d.join("fpga-out").exists());
    // Past the estimate the flow starts: the stand-in yosys is reached (and fails).
    let bin = marking_yosys(d);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = |args: &[&str]| {
        let _ = std::fs::remove_file(d.join("yosys-ran"));
        let base = [
            "fpga",
            "--target",
            "ice40-hx8k",
            "--no-place",
            "--cycle-images",
            "1",
        ];
        let out = command(d, &[&base[..], args].concat())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            d.join("yosys-ran").exists(),
            "{args:?}: the flow did not start"
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // The `default` core needs 33 of the HX8K's 32 block RAMs (tag_mem is the 33rd): --force.
    let err = run(&["--preset", "default", "--force"]);
    assert!(
        err.contains("warning: --force: does not fit: the memories need 33 SB_RAM40_4K"),
        "{err}"
    );
    // The homeostasis-only core (7,656 LUT4 measured, 7,680 on the part) may not fit.
    std::fs::write(
        d.join("theta.toml"),
        "preset = \"default\"\nnorm_target = 0.0\n",
    )
    .unwrap();
    let err = run(&["--config", "theta.toml"]);
    assert!(
        err.contains("warning: may not fit: the logic is estimated at"),
        "{err}"
    );
}

/// Each reported N fits and the next does not, by the estimator itself; the JSON has the
/// documented keys, and the text says when N stops at the model's limit rather than the part.
#[test]
fn the_plan_reports_the_largest_n_that_fits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = ok_json(
        d,
        &[
            "fpga",
            "--plan",
            "--target",
            "ice40-up5k",
            "--preset",
            "seed",
            "--json",
        ],
    );
    assert_documented("## `snn fpga --plan", &plan);
    let rows = plan["rows"].as_array().unwrap();
    assert_eq!(rows.len(), LANES.len());
    let (seed, target) = (SnnConfig::seed(), Target::Ice40Up5k);
    let mut fitting = 0;
    for (row, lanes) in rows.iter().zip(LANES) {
        assert_eq!(row["lanes"], lanes);
        match row["neurons"].as_u64() {
            Some(n) => {
                let n = n as usize;
                fitting += 1;
                let e = try_fit(target, &seed, n, lanes).unwrap();
                assert_eq!(row["brams"].as_f64(), Some(e.brams));
                if n < 128 {
                    assert!(try_fit(target, &seed, n + 1, lanes).is_err(), "P = {lanes}");
                }
            }
            None => assert!(try_fit(target, &seed, lanes, lanes).is_err(), "P = {lanes}"),
        }
    }
    // P = N = 10 needs 32 block RAMs of 30 (measured: 32); few lanes fit with the weights in
    // the four SPRAMs.
    assert!(fitting > 0 && rows[5]["neurons"].is_null());
    let n1 = rows[0]["neurons"].as_u64().unwrap() as usize;
    let spram = try_fit(target, &seed, n1, LANES[0]).unwrap().spram;
    assert!(spram > 0 && rows[0]["spram"] == spram, "{}", rows[0]);
    let text = ok(
        d,
        &["fpga", "--plan", "--target", "ecp5-85f", "--preset", "seed"],
    );
    // The 85F holds a few hundred neurons in lanes: its block RAM stops N, not the model.
    assert!(!text.contains("model's limit"), "{text}");
    assert!(text.contains("| block RAM"), "{text}");
    assert!(text.contains("LFE5U-85F-6BG381"), "{text}");
}
