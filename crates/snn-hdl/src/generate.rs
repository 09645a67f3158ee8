//! The generator's entry points: the Verilog of `snn_core` for a configuration, and the files
//! `snn_core.v` + `snn_core.json` (the JSON config report of `HwParams`, for `sim/`).

use crate::presets::{generate_preset, PRESETS};
use anyhow::{anyhow, Context, Result};
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
