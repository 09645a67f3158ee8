//! `snn sweep`: run a parameter sweep (`--spec`), merge shards (`merge`), report (`report`).
//! The work is in the `snn-sweep` crate; this file only maps flags onto it.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use snn_sweep::{RunOptions, Shard, Spec};
use std::path::PathBuf;

/// Explore accuracy, cycles and FPGA cost over many configurations (README, "Sweeps").
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub command: Option<SweepCommand>,
    /// The sweep file (TOML: base, [data], [vary], [measure]).
    #[arg(long, value_name = "SWEEP.toml", required = true)]
    pub spec: Option<PathBuf>,
    /// Images: an MNIST folder (or `builtin`); the first [data] train / test images are used.
    #[arg(long, value_name = "D", required = true)]
    pub data: Option<String>,
    /// Output folder: results.jsonl (one line per finished point) and sweep.json. Re-running
    /// the same command resumes: finished points are skipped.
    #[arg(long, value_name = "DIR", required = true)]
    pub out: Option<PathBuf>,
    /// Points run at once (each point is single-threaded).
    #[arg(long, value_name = "J", default_value_t = 1)]
    pub jobs: usize,
    /// Run only every N-th point, starting with point I-1 (I from 1 to N), e.g. one Slurm array
    /// task each; `snn sweep merge` joins the shards.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Also synthesize every point's design for this FPGA target with Yosys (LUT, FF, RAM);
    /// repeatable: ice40-hx8k, ice40-up5k, ecp5, ecp5-85f, xc7a35t.
    #[arg(long, value_name = "TARGET")]
    pub synth: Vec<String>,
    /// With --synth: place and route (iCE40, ECP5) the designs that fit, for Fmax and images/s.
    #[arg(long)]
    pub place: bool,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum SweepCommand {
    /// Join the results of shards (or partial runs) of one sweep into OUT/results.jsonl.
    Merge {
        /// Results folders.
        #[arg(value_name = "DIR", num_args = 1.., required = true)]
        dirs: Vec<PathBuf>,
        /// Folder of the joined results.jsonl.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Write results.csv, figures and a Markdown summary of a sweep's results.
    Report {
        /// Results folder.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Folder for results.csv, the figures and the summary.
        #[arg(long, value_name = "REPORT")]
        out: PathBuf,
        /// The two keys of the heatmap, KEY1,KEY2 (default: the first two keys varied together).
        #[arg(long, value_name = "KEY1,KEY2")]
        heatmap: Option<String>,
    },
}

pub fn run(a: SweepArgs) -> Result<()> {
    match a.command {
        Some(SweepCommand::Merge { dirs, out }) => {
            let n = snn_sweep::merge(&dirs, &out)?;
            println!(
                "merged {n} point(s) into {}",
                out.join("results.jsonl").display()
            );
            Ok(())
        }
        Some(SweepCommand::Report { dir, out, heatmap }) => {
            let heatmap = match heatmap {
                None => None,
                Some(h) => match h.split_once(',') {
                    Some((x, y)) => Some((x.trim().to_string(), y.trim().to_string())),
                    None => bail!("--heatmap {h}: expected two keys, KEY1,KEY2"),
                },
            };
            let w = snn_sweep::report::report(&dir, &out, heatmap)?;
            println!(
                "report written to {}: {}",
                out.display(),
                w.files.join(", ")
            );
            Ok(())
        }
        None => run_sweep(a),
    }
}

fn run_sweep(a: SweepArgs) -> Result<()> {
    let (Some(spec), Some(data), Some(out)) = (a.spec, a.data, a.out) else {
        bail!("snn sweep needs --spec, --data and --out (or the merge / report subcommand)");
    };
    // Flags first: a bad one fails before the data is even read.
    let shard = a.shard.as_deref().map(str::parse::<Shard>).transpose()?;
    if a.jobs == 0 {
        bail!("--jobs 0: give at least 1");
    }
    let mut s = Spec::from_file(&spec)?;
    s.add_measures(&a.synth, a.place)?;
    if s.measure.place && s.measure.synth.is_empty() {
        bail!("--place needs a target to place: add --synth TARGET");
    }
    let opts = RunOptions {
        jobs: a.jobs,
        shard,
        progress: !a.quiet,
    };
    let start = std::time::Instant::now();
    let sum = snn_sweep::run(&s, &data, &out, &opts)
        .with_context(|| format!("sweep {}", spec.display()))?;
    println!(
        "{} point(s) in the sweep, {} in this run{}: {} already finished, {} ran in {:.1} s; results in {}",
        sum.points,
        sum.in_shard,
        shard.map_or(String::new(), |s| format!(" (shard {}/{})", s.index, s.count)),
        sum.skipped,
        sum.ran,
        start.elapsed().as_secs_f64(),
        out.join("results.jsonl").display()
    );
    Ok(())
}
