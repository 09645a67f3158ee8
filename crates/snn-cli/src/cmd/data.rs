//! `snn data`: getting data sets onto the machine.

use crate::output::{print_json, show};
use crate::paths::IoPlan;
use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Data set tools.
#[derive(Args, Debug)]
pub struct DataCommand {
    #[command(subcommand)]
    pub command: DataSub,
}

#[derive(Subcommand, Debug)]
pub enum DataSub {
    Fetch(FetchArgs),
}

/// Download the four MNIST files (MD5-verified, written atomically; present files are kept).
#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Folder for the files (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Mirror base URL, tried in the order given (repeatable). Default: the usual public mirrors.
    #[arg(long = "mirror", value_name = "URL")]
    pub mirrors: Vec<String>,
    /// Machine-readable list of the files.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct FetchReport {
    files: Vec<String>,
}

pub fn run(a: DataCommand) -> Result<()> {
    match a.command {
        DataSub::Fetch(f) => fetch(f),
    }
}

fn fetch(a: FetchArgs) -> Result<()> {
    let files: Vec<String> = snn_data::fetch::FILES
        .iter()
        .map(|(f, _)| f.to_string())
        .collect();
    IoPlan::new()
        .output_folder("--out", &a.out, &files)
        .check()?;
    let progress = std::io::stderr().is_terminal();
    let files = snn_data::fetch::fetch_mnist(&a.out, &a.mirrors, progress)?;
    let report = FetchReport {
        files: files.iter().map(|p| show(p)).collect(),
    };
    if a.json {
        return print_json(&report);
    }
    println!(
        "MNIST is in {} ({} files)",
        a.out.display(),
        report.files.len()
    );
    Ok(())
}
