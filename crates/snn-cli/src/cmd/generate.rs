//! `snn generate`: the Verilog of the accelerator for a configuration, from the rust-hdl blocks,
//! optionally with trained weights baked into the weight memory (an inference-only core).

use crate::config::{ConfigArgs, Weights};
use crate::model::fixed_network;
use crate::output::{print_json, show};
use crate::paths::IoPlan;
use anyhow::Result;
use clap::Args;
use snn_core::config::SnnConfig;
use std::path::PathBuf;

/// Generate synthesizable Verilog (`snn_core.v`) and its configuration report (`snn_core.json`).
#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub init: InitArgs,
    /// Output folder (created when missing).
    #[arg(long, value_name = "DIR", default_value = "hdl")]
    pub out: PathBuf,
    /// Print the width sets the generator is compiled for (a configuration must match one:
    /// its N, weight, potential, address and theta widths, homeostasis and normalization) and
    /// stop; with --json as JSON.
    #[arg(long)]
    pub list_presets: bool,
    /// With --list-presets: print JSON.
    #[arg(long, requires = "list_presets")]
    pub json: bool,
}

/// The files `snn generate` writes into its folder.
const FILES: [&str; 2] = ["snn_core.v", "snn_core.json"];

/// Initial contents of the weight memory (shared by `generate` and `fpga`).
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Trained weights the weight memory starts with, written into the Verilog as block-RAM
    /// init values, so the core classifies without a weight load: a weights file (.json; its
    /// stored configuration applies unless --config is given) or an image as `snn export`
    /// writes it (.mem/.hex, .coe, .mif; the configuration gives its shape).
    #[arg(long, value_name = "W.mem|W.json")]
    pub init_weights: Option<PathBuf>,
    /// Round and clamp .json weights the fixed-point format cannot hold exactly instead of
    /// failing (the core then classifies like the golden fixed model on the rounded weights).
    #[arg(long, alias = "saturate", requires = "init_weights")]
    pub quantize: bool,
}

impl InitArgs {
    /// Adds the initial weights to the command's inputs.
    pub fn plan(&self, plan: IoPlan) -> IoPlan {
        plan.input_opt("--init-weights", self.init_weights.as_deref())
    }

    /// The configuration (sizes from a .json weights file when there is one) and the raw
    /// initial weights (`N x M`), if any.
    pub fn resolve(&self, config: &ConfigArgs) -> Result<(SnnConfig, Option<Vec<Vec<i32>>>)> {
        let json = self
            .init_weights
            .as_deref()
            .filter(|p| snn_fpga::bram::is_weights_file(p));
        let weights = json.map(Weights::load).transpose()?;
        if let Some(w) = &weights {
            w.one_layer("snn generate --init-weights")?;
        }
        let base = config.base(weights.as_ref())?;
        let (size, n) = match &weights {
            Some(w) => (w.size(), w.file.neurons),
            None => ((base.cfg.height, base.cfg.width), base.cfg.neurons),
        };
        let cfg = base.finish(size, n)?;
        if let Some(w) = &weights {
            // The golden fixed-point model's check, whose message names this command's flag.
            fixed_network(&cfg, &w.file.to_array(), self.quantize, &w.path)?;
        }
        let init = self
            .init_weights
            .as_deref()
            .map(|p| snn_fpga::bram::initial_weights(p, &cfg, self.quantize))
            .transpose()?;
        Ok((cfg, init))
    }

    /// With homeostasis, the raw theta the core starts with: the .json weights file's `theta`,
    /// or the theta image beside a weight image (`w.mem` -> `w.theta.mem`), if any.
    pub fn theta(&self, cfg: &SnnConfig) -> Result<Option<Vec<i32>>> {
        match self.init_weights.as_deref() {
            Some(p) => snn_fpga::bram::initial_theta(p, cfg, self.quantize),
            None => Ok(None),
        }
    }
}

pub fn run(a: GenerateArgs) -> Result<()> {
    if a.list_presets {
        return list_presets(a.json);
    }
    let files = FILES.map(String::from);
    a.init
        .plan(a.config.plan(IoPlan::new()))
        .output_folder("--out", &a.out, &files)
        .check()?;
    let (cfg, init) = a.init.resolve(&a.config)?;
    let theta = a.init.theta(&cfg)?;
    for path in
        snn_hdl::generate::write_hdl_with_state(&cfg, &a.out, init.as_deref(), theta.as_deref())?
    {
        println!("wrote {}", show(&path));
    }
    if theta.is_some() {
        println!("theta registers start with the theta stored with the initial weights");
    }
    if let Some(p) = &a.init.init_weights {
        println!(
            "weight memory starts with {} ({} neurons x {} inputs)",
            show(p),
            cfg.neurons,
            cfg.inputs()
        );
    }
    Ok(())
}

/// `--list-presets`: the compiled width sets, the configuration each comes from.
fn list_presets(json: bool) -> Result<()> {
    let presets = snn_hdl::presets::PRESETS;
    if json {
        return print_json(&presets);
    }
    println!("The generator is compiled for these width sets; a configuration must match one (snn generate lists them when none does):");
    let w = presets
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!(
        "{:<w$} |   N |   P | WB | PB | AW | TB | homeostasis | normalization",
        "preset"
    );
    for s in presets {
        let yes = |b: bool| if b { "yes" } else { "no" };
        let tb = if s.homeostasis {
            s.tb.to_string()
        } else {
            "-".into()
        };
        println!(
            "{:<w$} | {:>3} | {:>3} | {:>2} | {:>2} | {:>2} | {:>2} | {:<11} | {}",
            s.name,
            s.n,
            s.lanes,
            s.wb,
            s.pb,
            s.aw,
            tb,
            yes(s.homeostasis),
            yes(s.normalization)
        );
    }
    println!("(a preset's configuration: its SnnConfig constructor, or configs/<preset>.toml; P is the lane count, P < N a lane core: docs/ARCHITECTURE.md, \"Neuron lanes\")");
    Ok(())
}
