//! `snn fpga --plan`: the largest N per lane count that fits a part by the estimate, as a table
//! (or `--json`), without synthesis.

use crate::output::print_json;
use anyhow::Result;
use snn_core::prelude::*;
use snn_fpga::fit::grouped;
use snn_fpga::fit::plan::{plan, Limit};
use snn_fpga::flow::Target;

/// What stopped N, in the table's last column.
fn limit(l: Limit) -> &'static str {
    match l {
        Limit::MaxN => "MAX_N (model)",
        Limit::Memory => "block RAM",
        Limit::Luts => "LUTs",
        Limit::Config => "configuration",
    }
}

/// Block RAMs, and the UP5K's SPRAMs when the weights are in them.
fn blocks(brams: f64, spram: Option<u64>) -> String {
    match spram {
        Some(s) if s > 0 => format!("{brams} + {s} SPRAM"),
        _ => brams.to_string(),
    }
}

pub fn print(target: Target, cfg: &SnnConfig, json: bool) -> Result<()> {
    let plan = plan(target, cfg);
    if json {
        return print_json(&plan);
    }
    println!(
        "Largest N per lane count P on the {} ({target}: {} {}, {} LUTs), estimated without synthesis for {} x {} inputs:",
        plan.part,
        plan.brams,
        plan.block_unit,
        grouped(plan.luts),
        cfg.height,
        cfg.width
    );
    println!(
        "{:>7} | {:>9} | {:>17} | {:>15} | limited by (the next N, or N = P)",
        "lanes P", "largest N", plan.block_unit, "LUTs (estimate)"
    );
    for r in &plan.rows {
        let (n, brams, luts) = match (r.neurons, r.brams, r.luts) {
            (Some(n), Some(b), Some(l)) => (n.to_string(), blocks(b, r.spram), l.to_string()),
            _ => ("none".into(), "-".into(), "-".into()),
        };
        println!(
            "{:>7} | {n:>9} | {brams:>17} | {luts:>15} | {}",
            r.lanes,
            limit(r.limit)
        );
    }
    let at_max: Vec<String> = plan
        .rows
        .iter()
        .filter(|r| r.limit == Limit::MaxN)
        .map(|r| r.lanes.to_string())
        .collect();
    if !at_max.is_empty() {
        println!(
            "N = {} is the model's limit (snn_arch::MAX_N: the neuron masks), not the part's, for P = {}.",
            plan.max_n,
            at_max.join(", ")
        );
    }
    println!("P < N is estimated from the lane cores placed and routed on the ECP5 85F (their machinery's LUTs per neuron, scaled to other families by the seed core's counts), not measured at each row.");
    Ok(())
}
