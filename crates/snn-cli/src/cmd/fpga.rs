//! `snn fpga`: the open FPGA flow on the generated design behind its UART wrapper
//! (`snn_fpga_top`, the module the boards' constraint files pin out): Yosys synthesis, and for
//! iCE40 and ECP5 nextpnr place and route plus the bitstream packer (icepack, ecppack), with a
//! report of utilization, Fmax and the images per second that clock gives at the cycle model's
//! mean cycles per image. With
//! `--init-weights` the weight memory starts with trained weights: an inference-ready bitstream.
//!
//! Before any of that it estimates the configuration's block RAMs and LUTs on the part
//! (`snn_fpga::fit`) and refuses one that cannot fit, in milliseconds rather than after minutes
//! of synthesis; `--plan` prints the largest N per lane count instead of building.

use crate::cmd::fpga_plan;
use crate::cmd::generate::InitArgs;
use crate::config::ConfigArgs;
use crate::flags::{at_least_one, positive};
use crate::levels::{self, HwLevel};
use crate::output::{print_json, show};
use crate::paths::IoPlan;
use crate::progress::Steps;
use anyhow::{Context, Result};
use clap::Args;
use snn_arch::HwParams;
use snn_core::prelude::*;
use snn_fpga::fit::Estimate;
use snn_fpga::flow::{
    default_build_root, run as flow, CyclesPerImage, FlowOptions, Progress, Target,
};
use snn_fpga::wrapper::top::{write_top, TOP};
use std::path::PathBuf;
use std::sync::Arc;

/// Synthesize (and for iCE40 and ECP5 place, route and pack) the accelerator for an FPGA.
#[derive(Args, Debug)]
pub struct FpgaArgs {
    /// ice40-hx8k, ice40-up5k, ecp5 (LFE5U-25F), ecp5-85f (LFE5U-85F) (placed and routed),
    /// xc7a35t (synthesis only).
    #[arg(long)]
    pub target: String,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub init: InitArgs,
    /// Stop after synthesis (utilization only; seconds instead of minutes).
    #[arg(long)]
    pub no_place: bool,
    /// Clock nextpnr aims for, MHz, where the board file sets none (the ECP5 file sets its
    /// 25 MHz oscillator, which nextpnr times against instead).
    #[arg(long, default_value_t = 50.0, value_parser = positive)]
    pub freq: f64,
    /// UART baud rate of the wrapper.
    #[arg(long, default_value_t = 115_200, value_parser = clap::value_parser!(u32).range(1..))]
    pub baud: u32,
    /// Images (built-in digits) the cycle model runs to measure mean cycles per image.
    #[arg(long, default_value_t = 100, value_parser = at_least_one)]
    pub cycle_images: usize,
    /// Output folder, created when missing (default: snn_fpga_top-<target> in $SNN_FPGA_BUILD
    /// when set, else in fpga-out in the current directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the report as JSON (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Build even when the estimate says the design cannot fit the part (for experiments).
    #[arg(long)]
    pub force: bool,
    /// Print, without synthesis, the largest N that fits the part for each lane count P (the
    /// configuration's image size, widths and options; N up to the model's limit), and stop.
    #[arg(long, conflicts_with_all = ["init_weights", "no_place", "out", "force"])]
    pub plan: bool,
}

/// The files the command writes into its folder: the wrapper's Verilog and the flow's products.
fn files(target: Target, place: bool) -> Vec<String> {
    let mut f = vec![format!("{TOP}.v")];
    f.extend(target.products(TOP, place));
    f
}

/// Mean cycles per image of the cycle model, inference and training, on the built-in digits,
/// starting from `init` (`N x M`) when the bitstream has initial weights, else from the golden
/// model's seeded random weights (what a host would load).
fn mean_cycles(
    cfg: &SnnConfig,
    images: usize,
    init: Option<&[Vec<i32>]>,
) -> Result<CyclesPerImage> {
    let ds = snn_data::builtin::digits(snn_data::Split::Test, images.max(1), 0);
    let px: Vec<&[u8]> = ds.images.iter().map(|i| i.pixels.as_slice()).collect();
    let raw: Vec<i32> = match init {
        Some(rows) => rows.concat(),
        None => Network::with_random_weights(FixedArith::new(cfg)?, cfg)
            .weights
            .iter()
            .copied()
            .collect(),
    };
    let mean = |learn| -> Result<f64> {
        let r = levels::run(
            HwLevel::Cycle,
            cfg,
            (&raw, &[]),
            &px,
            learn,
            std::path::Path::new(""),
        )?;
        Ok(r.images.iter().filter_map(|i| i.cycles).sum::<u64>() as f64 / r.images.len() as f64)
    };
    Ok(CyclesPerImage {
        inference: mean(false)?,
        training: mean(true)?,
    })
}

/// The estimate of `cfg` on `target`; an error when it cannot fit (unless `force`, which
/// warns on stderr instead), before anything is written. A design that may not fit is a
/// warning on stderr.
fn fit_before_build(target: Target, cfg: &SnnConfig, force: bool) -> Result<Estimate> {
    let estimate = Estimate::new(target, &HwParams::new(cfg)?);
    match estimate.refusal() {
        Some(why) if force => eprintln!("warning: --force: {why}"),
        Some(why) => anyhow::bail!(
            "{why}\n(an estimate from the configuration, before synthesis: --force builds anyway; snn fpga --plan --target {target} shows what fits)"
        ),
        None => {
            if let Some(w) = estimate.warning() {
                eprintln!("warning: {w}");
            }
        }
    }
    Ok(estimate)
}

pub fn run(a: FpgaArgs) -> Result<()> {
    let target: Target = a.target.parse()?;
    if a.plan {
        let (cfg, _) = a.init.resolve(&a.config)?;
        return fpga_plan::print(target, &cfg, a.json);
    }
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| default_build_root().join(format!("{TOP}-{}", target.name())));
    a.init
        .plan(a.config.plan(IoPlan::new()))
        .output_folder("--out", &dir, &files(target, !a.no_place))
        .check()?;
    let (cfg, init) = a.init.resolve(&a.config)?;
    let estimate = fit_before_build(target, &cfg, a.force)?;
    let steps = Steps::new(&format!("fpga {}", target.name()));
    steps.step(&estimate.summary());
    steps.step("the wrapper's Verilog and the cycle model's mean cycles per image");
    let verilog = write_top(&cfg, target.board_clock_hz(), a.baud, init.as_deref(), &dir)?;
    let cycles = mean_cycles(&cfg, a.cycle_images, init.as_deref())?;
    let reporter = steps.clone();
    let opts = FlowOptions {
        place: !a.no_place,
        freq_mhz: a.freq,
        cycles: Some(cycles),
        out_dir: Some(dir),
        progress: Some(Progress(Arc::new(move |step| reporter.step(step)))),
        ..FlowOptions::default()
    };
    let report = flow(target, &verilog, TOP, &opts)
        .with_context(|| format!("{} flow on {}", target.name(), verilog.display()))?;
    steps.finish();
    if a.json {
        return print_json(&report);
    }
    println!(
        "{} ({}): {} LUTs, {} FFs, {} BRAMs, {} DSPs, {} latches",
        target.name(),
        report.capacity.part,
        report.luts,
        report.ffs,
        report.brams,
        report.dsps,
        report.latches
    );
    if let (Some(f), Some(bin)) = (report.fmax_mhz, &report.bitstream) {
        println!(
            "Fmax {f:.1} MHz (asked {}); bitstream {}",
            a.freq,
            show(bin)
        );
    }
    if let (Some(i), Some(t)) = (report.inference_images_per_s, report.training_images_per_s) {
        println!("{i:.0} inference images/s, {t:.0} training images/s at that clock");
    }
    Ok(())
}
