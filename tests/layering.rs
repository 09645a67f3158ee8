//! The crates' normal (non-dev) dependencies keep the layering of the README's "Layout": every
//! hardware level takes the architecture from `snn-arch`, the RTL generator does not reach into
//! the cycle model, the FPGA flow not into the simulator harnesses. A dev-dependency (a lockstep
//! test of the RTL against the cycle model) is fine.

use std::collections::BTreeMap;
use std::process::Command;

/// Each workspace crate and its normal dependencies on other workspace crates.
fn workspace_dependencies() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let names: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null() && names.contains(&d["name"].as_str().unwrap()))
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn hardware_levels_share_snn_arch_and_do_not_reach_across() {
    let deps = workspace_dependencies();
    let has = |krate: &str, dep: &str| deps[krate].iter().any(|d| d == dep);
    for level in ["snn-sim", "snn-hdl", "snn-rtlsim", "snn-fpga"] {
        assert!(
            has(level, "snn-arch"),
            "{level} does not depend on snn-arch"
        );
    }
    assert_eq!(
        deps["snn-arch"],
        ["snn-core"],
        "snn-arch depends only on snn-core"
    );
    for (krate, not) in [
        ("snn-hdl", "snn-sim"),
        ("snn-fpga", "snn-rtlsim"),
        ("snn-fpga", "snn-sim"),
        ("snn-rtlsim", "snn-sim"),
        ("snn-sim", "snn-hdl"),
    ] {
        assert!(
            !has(krate, not),
            "{krate} depends on {not}: {:?}",
            deps[krate]
        );
    }
}
