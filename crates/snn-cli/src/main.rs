//! `snn`: the command line of the spiking-network accelerator project.
//!
//! Every subcommand lives in its own file under `cmd/`; the shared pieces (configuration with CLI
//! overrides, data loading, the golden models behind one type, progress bars, JSON output) sit
//! beside this file so that all commands accept the same flags and fail the same way.

mod cmd;
mod config;
mod data;
mod levels;
mod model;
mod output;
mod progress;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "snn",
    version,
    about = "Spiking neural network with STDP learning: golden models, cycle-accurate model and tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Encode(cmd::encode::EncodeArgs),
    Agree(cmd::agree::AgreeArgs),
    Train(cmd::train::TrainArgs),
    Eval(cmd::eval::EvalArgs),
    Reconstruct(cmd::reconstruct::ReconstructArgs),
    Plot(cmd::plot::PlotArgs),
    Simulate(cmd::simulate::SimulateArgs),
    Compare(cmd::compare::CompareArgs),
    Generate(cmd::generate::GenerateArgs),
    Export(cmd::export::ExportArgs),
    Import(cmd::export::ImportArgs),
    Fpga(cmd::fpga::FpgaArgs),
    Demo(cmd::demo::DemoArgs),
    Data(cmd::data::DataCommand),
    Sweep(cmd::sweep::SweepArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Encode(a) => cmd::encode::run(a),
        Command::Agree(a) => cmd::agree::run(a),
        Command::Train(a) => cmd::train::run(a),
        Command::Eval(a) => cmd::eval::run(a),
        Command::Reconstruct(a) => cmd::reconstruct::run(a),
        Command::Plot(a) => cmd::plot::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
        Command::Compare(a) => cmd::compare::run(a),
        Command::Generate(a) => cmd::generate::run(a),
        Command::Export(a) => cmd::export::export(a),
        Command::Import(a) => cmd::export::import(a),
        Command::Fpga(a) => cmd::fpga::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Data(a) => cmd::data::run(a),
        Command::Sweep(a) => cmd::sweep::run(a),
    };
    if let Err(e) = result {
        // `{:#}` prints the whole context chain on one line: "<file>: <problem>: <cause>".
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}
