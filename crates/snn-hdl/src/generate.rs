//! The generator's entry points: the Verilog of `snn_core` for a configuration, and the files
//! `snn_core.v` + `snn_core.json` (the JSON config report of `HwParams`, for `sim/`).

use crate::presets::{generate_preset, PRESETS};
use anyhow::{anyhow, bail, Context, Result};
use snn_core::atomic::write_atomic;
use snn_core::config::SnnConfig;
use snn_sim::params::HwParams;
use std::path::{Path, PathBuf};

/// Name of the top module and stem of the generated files.
pub const TOP: &str = "snn_core";

/// Lint-clean Verilog-2005 of the accelerator for `cfg`, top module `snn_core`. The widths
/// (`N`, `WB`, `PB`, `AW`) must be those of a compiled preset; the error lists them.
pub fn generate_verilog(cfg: &SnnConfig) -> Result<String> {
    let p = HwParams::new(cfg)?;
    check_rtl_limits(&p)?;
    generate_preset(&p, TOP).ok_or_else(|| {
        let list: Vec<String> = PRESETS
            .iter()
            .map(|s| format!("{} (N = {}, WB = {}, PB = {}, AW = {})", s.name, s.n, s.wb, s.pb, s.aw))
            .collect();
        anyhow!(
            "no compiled HDL preset has the widths of this configuration (N = {}, WB = {}, PB = {}, AW = {}); compiled presets: {}",
            p.n,
            p.widths.weight,
            p.widths.potential,
            p.aw,
            list.join("; ")
        )
    })
}

/// The RTL's own register widths, on top of what `HwParams` (shared with the cycle model) accepts.
/// Checked here so that a configuration beyond them is an error naming the limit; the blocks'
/// constructors assert the same conditions as invariants.
pub fn check_rtl_limits(p: &HwParams) -> Result<()> {
    use crate::control::{KMAX, STEP_W};
    use crate::spike_gen::LB_AW;
    let steps = p.t_steps + p.t_ref.max(p.whi) + 1;
    let limits = [
        (p.k as usize <= KMAX, format!("K = floor(T / shortest period) = {} exceeds {KMAX} (the class masks are {KMAX} bits)", p.k)),
        (steps < 1 << STEP_W, format!("T + max(t_ref, window end) + 1 = {steps} must be below {} (the step registers are {STEP_W} bits)", 1 << STEP_W)),
        (p.nc < 255, format!("{} period classes do not fit the 8-bit class register (at most 254)", p.nc)),
        (p.width + 2 <= 1 << LB_AW, format!("width {} exceeds the line buffer's {} columns", p.width, (1usize << LB_AW) - 2)),
        (p.height + 2 <= 1 << 8, format!("height {} exceeds the 8-bit scan row (at most 254)", p.height)),
        (p.n * p.widths.weight as usize <= 128, format!("N x weight_bits = {} exceeds 128-bit weight words", p.n * p.widths.weight as usize)),
        (p.qb < p.widths.potential, format!("the threshold quotient needs {} bits, more than potential_bits = {}", p.qb, p.widths.potential)),
        (p.m < 1 << 16, format!("M = {} inputs exceed the 16-bit counters", p.m)),
        (p.threshold_divisor < 1 << 15, format!("threshold_divisor {} exceeds the divider's 15 bits", p.threshold_divisor)),
    ];
    for (ok, why) in limits {
        if !ok {
            bail!("configuration beyond the RTL's limits: {why}");
        }
    }
    Ok(())
}

/// Writes `snn_core.v` and `snn_core.json` into `out_dir` (created if needed), each atomically
/// (`snn_core::atomic`), so a reader never sees a partial file. Returns both paths.
pub fn write_hdl(cfg: &SnnConfig, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let verilog = generate_verilog(cfg)?;
    let report = HwParams::new(cfg)?.to_json() + "\n";
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let mut written = Vec::new();
    for (ext, text) in [("v", verilog), ("json", report)] {
        let path = out_dir.join(format!("{TOP}.{ext}"));
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn configurations_beyond_the_rtl_are_errors_naming_the_limit() {
        let cfg = SnnConfig {
            t_steps: 240,
            ..SnnConfig::default()
        };
        let err = generate_verilog(&cfg).unwrap_err().to_string();
        assert!(err.contains("step registers"), "{err}");
        check_rtl_limits(&HwParams::new(&SnnConfig::default()).unwrap()).unwrap();
        check_rtl_limits(&HwParams::new(&SnnConfig::small()).unwrap()).unwrap();
    }
}
