//! `snn export` / `snn import`: trained weights to and from block-RAM init files laid out exactly
//! as the generated weight memory (address = input index, word = the N weights packed).

use crate::config::{ConfigArgs, Weights};
use crate::output::show;
use anyhow::Result;
use clap::{Args, ValueEnum};
use snn_fpga::bram::{self, MemFormat};
use std::path::PathBuf;

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    /// `$readmemh` text (Yosys, Icarus, Verilator, Vivado).
    Mem,
    /// Xilinx coefficient file.
    Coe,
    /// Intel memory initialization file.
    Mif,
}

impl From<FormatArg> for MemFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Mem => MemFormat::Mem,
            FormatArg::Coe => MemFormat::Coe,
            FormatArg::Mif => MemFormat::Mif,
        }
    }
}

/// Write weights as a block-RAM init file of the generated weight memory.
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(long, value_name = "W.json")]
    pub weights: PathBuf,
    /// Default: from the extension of --out (.mem/.hex, .coe, .mif).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Clamp (and round) weights the fixed-point format cannot hold instead of failing.
    #[arg(long)]
    pub saturate: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Read a block-RAM init file (.mem/.hex, .coe, .mif) back into a weights file.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The init file.
    pub file: PathBuf,
    #[arg(long, value_name = "W.json")]
    pub out: PathBuf,
    /// Neurons of the memory (default: the configuration's).
    #[arg(long, value_name = "N")]
    pub neurons: Option<usize>,
    /// Image height and width of the memory (default: the configuration's).
    #[arg(long, value_name = "H")]
    pub height: Option<usize>,
    #[arg(long, value_name = "W")]
    pub width: Option<usize>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn export(a: ExportArgs) -> Result<()> {
    let w = Weights::load(&a.weights)?;
    let cfg = a.config.base(Some(&w))?.finish(w.size(), w.file.neurons)?;
    bram::export(
        &a.weights,
        &cfg,
        &a.out,
        a.format.map(Into::into),
        a.saturate,
    )?;
    println!("wrote {}", show(&a.out));
    Ok(())
}

pub fn import(a: ImportArgs) -> Result<()> {
    let base = a.config.base(None)?;
    let size = (
        a.height.unwrap_or(base.cfg.height),
        a.width.unwrap_or(base.cfg.width),
    );
    let n = a.neurons.unwrap_or(base.cfg.neurons);
    let cfg = base.finish(size, n)?;
    bram::import(&a.file, &cfg, &a.out)?;
    println!("wrote {}", show(&a.out));
    Ok(())
}
