//! The generator's entry points: the Verilog of `snn_core` for a configuration, and the files
//! `snn_core.v` + `snn_core.json` (the JSON config report of `HwParams`, for `sim/`).
//!
//! Optionally the weight memory starts with a trained network's weights (`snn generate
//! --init-weights`): the Verilog then carries them in the RAM's `initial` block, synthesis makes
//! them block-RAM init values, and the core classifies from power-up without a weight load.
//! Without initial weights the output is exactly the committed `hdl/snn_core.v`.

use crate::presets::{generate_preset, PRESETS};
use anyhow::{anyhow, bail, ensure, Context, Result};
use snn_arch::limits::check_rtl;
use snn_arch::HwParams;
use snn_core::atomic::write_atomic;
use snn_core::config::SnnConfig;
use std::path::{Path, PathBuf};

/// Name of the top module and stem of the generated files.
pub const TOP: &str = "snn_core";

/// Lint-clean Verilog-2005 of the accelerator for `cfg`, top module `snn_core`, weight memory
/// all zero. The widths (`N`, `WB`, `PB`, `AW`) must be those of a compiled preset; the error
/// lists them.
pub fn generate_verilog(cfg: &SnnConfig) -> Result<String> {
    generate_verilog_with_weights(cfg, None)
}

/// As [`generate_verilog`]; with `init` (raw fixed-point weights `N x M`, `init[j][i]` = weight
/// of neuron `j` on input `i`, as `snn export` writes them) the weight memory starts with them.
pub fn generate_verilog_with_weights(cfg: &SnnConfig, init: Option<&[Vec<i32>]>) -> Result<String> {
    generate_verilog_with_state(cfg, init, None)
}

/// As [`generate_verilog_with_weights`]; with `theta` (raw, one per neuron; homeostasis only)
/// the theta registers start with it, the learned state that travels with the weights.
pub fn generate_verilog_with_state(
    cfg: &SnnConfig,
    init: Option<&[Vec<i32>]>,
    theta: Option<&[i32]>,
) -> Result<String> {
    let p = HwParams::new(cfg)?;
    check_rtl(&p)?;
    if let Some(raw) = init {
        check_initial_weights(&p, raw)?;
    }
    if let Some(theta) = theta {
        check_initial_theta(&p, theta)?;
    }
    let theta: Vec<u64> = theta
        .unwrap_or_default()
        .iter()
        .map(|&x| x as u64)
        .collect();
    generate_preset(&p, TOP, init, &theta).ok_or_else(|| {
        let list: Vec<String> = PRESETS
            .iter()
            .map(|s| {
                let shape = shape(s.n, s.lanes, s.wb, s.pb, s.aw, s.homeostasis, s.normalization);
                format!("{} ({shape})", s.name)
            })
            .collect();
        let (w, pb) = (p.widths.weight as usize, p.widths.potential as usize);
        let this = shape(p.n, p.lanes, w, pb, p.aw as usize, p.homeostasis, p.normalization);
        anyhow!(
            "no compiled HDL preset has the widths of this configuration ({this}); compiled presets: {}",
            list.join("; ")
        )
    })
}

/// What a compiled width set must match, in words: the sizes and widths, then the mechanisms
/// that add hardware (lanes only when fewer than the neurons).
fn shape(n: usize, lanes: usize, wb: usize, pb: usize, aw: usize, h: bool, nz: bool) -> String {
    let mut s = format!("N = {n}");
    if lanes < n {
        s += &format!(", P = {lanes}");
    }
    s += &format!(", WB = {wb}, PB = {pb}, AW = {aw}");
    if h {
        s += ", homeostasis";
    }
    if nz {
        s += ", row normalization";
    }
    s
}

/// Initial weights must be `N x M` raw values inside `[w_min, w_max]`: the potentials are proven
/// not to overflow only for weights within those bounds, and STDP's distances `w_max - w`,
/// `w - w_min` are unsigned. The error names the neuron and input (callers add the file).
pub fn check_initial_weights(p: &HwParams, raw: &[Vec<i32>]) -> Result<()> {
    ensure!(
        raw.len() == p.n,
        "initial weights for {} neurons, the configuration has {}",
        raw.len(),
        p.n
    );
    let (lo, hi) = (p.format.w_min, p.format.w_max);
    for (j, row) in raw.iter().enumerate() {
        ensure!(
            row.len() == p.m,
            "initial weights of neuron {j} cover {} inputs, the configuration has {}",
            row.len(),
            p.m
        );
        if let Some(i) = row.iter().position(|w| !(lo..=hi).contains(w)) {
            bail!(
                "initial weight of neuron {j}, input {i} is {} (raw fixed point), outside [w_min, w_max] = [{lo}, {hi}]",
                row[i]
            );
        }
    }
    Ok(())
}

/// Initial theta must be one raw value per neuron in `[0, theta_max]`, and only for a
/// configuration with homeostasis (which has the registers). The error names the neuron.
pub fn check_initial_theta(p: &HwParams, theta: &[i32]) -> Result<()> {
    ensure!(
        p.homeostasis,
        "initial theta for a configuration without homeostasis (theta_max = 0)"
    );
    ensure!(
        theta.len() == p.n,
        "initial theta for {} neurons, the configuration has {}",
        theta.len(),
        p.n
    );
    let max = p.format.theta_max;
    if let Some(j) = theta.iter().position(|x| !(0..=max).contains(x)) {
        bail!(
            "initial theta of neuron {j} is {} (raw fixed point), outside [0, theta_max] = [0, {max}]",
            theta[j]
        );
    }
    Ok(())
}

/// Writes `snn_core.v` and `snn_core.json` into `out_dir` (created if needed), each atomically
/// (`snn_core::atomic`), so a reader never sees a partial file. Returns both paths.
pub fn write_hdl(cfg: &SnnConfig, out_dir: &Path) -> Result<Vec<PathBuf>> {
    write_hdl_with_weights(cfg, out_dir, None)
}

/// As [`write_hdl`], the weight memory starting with `init` ([`generate_verilog_with_weights`]).
pub fn write_hdl_with_weights(
    cfg: &SnnConfig,
    out_dir: &Path,
    init: Option<&[Vec<i32>]>,
) -> Result<Vec<PathBuf>> {
    write_hdl_with_state(cfg, out_dir, init, None)
}

/// As [`write_hdl_with_weights`], theta starting with `theta` ([`generate_verilog_with_state`]).
pub fn write_hdl_with_state(
    cfg: &SnnConfig,
    out_dir: &Path,
    init: Option<&[Vec<i32>]>,
    theta: Option<&[i32]>,
) -> Result<Vec<PathBuf>> {
    let verilog = generate_verilog_with_state(cfg, init, theta)?;
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
    }

    #[test]
    fn initial_theta_needs_homeostasis_and_values_in_range() {
        let seed = HwParams::new(&SnnConfig::default()).unwrap();
        let e = check_initial_theta(&seed, &[0; 10])
            .unwrap_err()
            .to_string();
        assert!(e.contains("without homeostasis"), "{e}");
        let p = HwParams::new(&crate::presets::small_theta()).unwrap();
        let max = p.format.theta_max;
        check_initial_theta(&p, &[0, 1, max, 7]).unwrap();
        let e = check_initial_theta(&p, &[0, max + 1, 0, 0])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("neuron 1") && e.contains(&max.to_string()),
            "{e}"
        );
        let e = check_initial_theta(&p, &[0, -1, 0, 0])
            .unwrap_err()
            .to_string();
        assert!(e.contains("neuron 1"), "{e}");
        let e = check_initial_theta(&p, &[0; 3]).unwrap_err().to_string();
        assert!(e.contains("3 neurons"), "{e}");
    }
}

#[cfg(test)]
mod init_tests {
    use super::*;
    use crate::weight_mem::pack_words;

    /// Deterministic raw weights inside `[w_min, w_max]` for `cfg`.
    fn raw(cfg: &SnnConfig) -> Vec<Vec<i32>> {
        let f = HwParams::new(cfg).unwrap().format;
        let span = (f.w_max - f.w_min + 1) as usize;
        (0..cfg.neurons)
            .map(|j| {
                (0..cfg.inputs())
                    .map(|i| f.w_min + ((i * 7919 + j * 104_729) % span) as i32)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn initial_weights_of_the_wrong_shape_or_range_are_errors() {
        let cfg = SnnConfig::small();
        let p = HwParams::new(&cfg).unwrap();
        let mut w = raw(&cfg);
        check_initial_weights(&p, &w).unwrap();
        let err = check_initial_weights(&p, &w[..3]).unwrap_err().to_string();
        assert!(err.contains("3 neurons") && err.contains("has 4"), "{err}");
        w[2].pop();
        let err = check_initial_weights(&p, &w).unwrap_err().to_string();
        assert!(err.contains("neuron 2 cover 255 inputs"), "{err}");
        let mut w = raw(&cfg);
        w[1][17] = p.format.w_max + 1;
        let err = generate_verilog_with_weights(&cfg, Some(&w))
            .unwrap_err()
            .to_string();
        assert!(err.contains("neuron 1, input 17"), "{err}");
    }

    /// The words appear in the weight memory's `initial` block, one per input, and nowhere
    /// else; without them the output is what `generate_verilog` writes.
    #[test]
    fn initial_weights_land_in_the_weight_memory() {
        let cfg = SnnConfig::small();
        let w = raw(&cfg);
        let plain = generate_verilog(&cfg).unwrap();
        assert_eq!(generate_verilog_with_weights(&cfg, None).unwrap(), plain);
        let init = generate_verilog_with_weights(&cfg, Some(&w)).unwrap();
        let words = pack_words::<36>(&w, 9, 4);
        // Word assignments at a constant address (the zero fill is a loop over `mem[i[8:0]]`).
        let words_in = |v: &str| -> Vec<String> {
            v.lines()
                .map(str::trim)
                .filter(|l| {
                    l.starts_with("mem[") && l[4..].starts_with(|c: char| c.is_ascii_digit())
                })
                .map(String::from)
                .collect()
        };
        let want: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, x)| format!("mem[{i}] = 36'h{x:x};"))
            .collect();
        assert_eq!(words_in(&init), want);
        assert!(words_in(&plain).is_empty(), "no initial words without init");
    }
}
