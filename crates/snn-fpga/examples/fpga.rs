//! `scripts/fpga.sh` runs this: the flow of `snn_fpga::flow::run` on one Verilog file, the JSON
//! report on stdout. `VERILOG` may be the word `wrapper`: then `snn_fpga_top` (the UART wrapper
//! around the core, the design the board constraint files pin out) is generated first, for the
//! configuration `CONFIG` (a TOML file; default: the default configuration) with a UART at
//! `BAUD` (115200) on the target board's clock, into the output folder; with `INIT_WEIGHTS`
//! (a `.json` weights file or a `.mem`/`.hex`/`.coe`/`.mif` image) its weight memory starts with
//! those weights, so the bitstream classifies without a weight load.
//!
//! Other knobs come from the environment so the script stays a one-liner: `TOP` (default
//! `snn_core`), `FREQ` (MHz, 50), `PCF` (a constraints file, or `none`), `PLACE` (`0`: synthesis
//! only), `SEED`, `OUT` (output folder), `CYCLES_INFER` and `CYCLES_TRAIN` (mean cycles per
//! image, for the images-per-second figures).

use anyhow::{bail, Context, Result};
use snn_core::config::SnnConfig;
use snn_fpga::bram::initial_weights;
use snn_fpga::flow::{default_build_root, run, Constraints, CyclesPerImage, FlowOptions, Target};
use snn_fpga::wrapper::top::{write_top, TOP};
use std::path::PathBuf;

fn env_parse<T: std::str::FromStr>(name: &str) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse()
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{name}={v:?}: {e}")),
        _ => Ok(None),
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, verilog] = args.as_slice() else {
        bail!(
            "usage: fpga TARGET VERILOG|wrapper (targets: ice40-hx8k, ice40-up5k, xc7a35t, ecp5, ecp5-85f)"
        );
    };
    let target: Target = target.parse()?;
    let mut opts = FlowOptions::default();
    if let Some(f) = env_parse::<f64>("FREQ")? {
        opts.freq_mhz = f;
    }
    opts.place = env_parse::<u8>("PLACE")? != Some(0);
    opts.seed = env_parse("SEED")?;
    opts.out_dir = env_parse::<PathBuf>("OUT")?;
    opts.constraints = match std::env::var("PCF").as_deref() {
        Ok("none") => Constraints::Unconstrained,
        Ok(p) if !p.is_empty() => Constraints::File(p.into()),
        _ => Constraints::Board,
    };
    opts.cycles = match (
        env_parse::<f64>("CYCLES_INFER")?,
        env_parse::<f64>("CYCLES_TRAIN")?,
    ) {
        (Some(inference), Some(training)) => Some(CyclesPerImage {
            inference,
            training,
        }),
        (None, None) => None,
        _ => bail!("set both CYCLES_INFER and CYCLES_TRAIN, or neither"),
    };
    let (verilog, top) = if verilog == "wrapper" {
        let cfg = match env_parse::<PathBuf>("CONFIG")? {
            Some(p) => SnnConfig::from_toml_file(&p)?,
            None => SnnConfig::default(),
        };
        let baud = env_parse::<u32>("BAUD")?.unwrap_or(115_200);
        let init = env_parse::<PathBuf>("INIT_WEIGHTS")?
            .map(|p| initial_weights(&p, &cfg, false))
            .transpose()?;
        let dir = opts
            .out_dir
            .clone()
            .unwrap_or_else(|| default_build_root().join(format!("{TOP}-{target}")));
        let path = write_top(&cfg, target.board_clock_hz(), baud, init.as_deref(), &dir)?;
        opts.out_dir = Some(dir);
        (path, TOP.to_string())
    } else {
        (
            PathBuf::from(verilog),
            std::env::var("TOP").unwrap_or_else(|_| "snn_core".into()),
        )
    };
    let report = run(target, &verilog, &top, &opts)
        .with_context(|| format!("{target} flow on {}", verilog.display()))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
