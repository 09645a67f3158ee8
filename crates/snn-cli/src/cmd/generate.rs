//! `snn generate`: the Verilog of the accelerator for a configuration, from the rust-hdl blocks.

use crate::config::ConfigArgs;
use crate::output::show;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Generate synthesizable Verilog (`snn_core.v`) and its configuration report (`snn_core.json`).
#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "hdl")]
    pub out: PathBuf,
}

pub fn run(a: GenerateArgs) -> Result<()> {
    let base = a.config.base(None)?;
    let (h, w, n) = (base.cfg.height, base.cfg.width, base.cfg.neurons);
    let cfg = base.finish((h, w), n)?;
    for path in snn_hdl::generate::write_hdl(&cfg, &a.out)? {
        println!("wrote {}", show(&path));
    }
    Ok(())
}
