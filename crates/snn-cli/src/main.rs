//! `snn`: the command line of the spiking-network accelerator project.
//!
//! Every subcommand lives in its own file under `cmd/`; the shared pieces (configuration with CLI
//! overrides, data loading, the golden models behind one type, progress bars, JSON output) sit
//! beside this file so that all commands accept the same flags and fail the same way.

mod cleanup;
mod cmd;
mod config;
mod data;
mod flags;
mod levels;
mod model;
mod output;
mod paths;
mod progress;
mod text;
mod watch;

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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print and exit 0 through clap.
        Err(e) if !e.use_stderr() => e.exit(),
        // Usage errors fail like every other bad input: one `Error:` message, exit code 1.
        Err(e) => fail(e.render().to_string().trim_start_matches("error: ")),
    };
    if let Err(e) = cleanup::install() {
        fail(&format!("{e:#}"));
    }
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
        if cleanup::interrupted() {
            // The error comes from the signal (a tool it ended): the handler ends the process.
            loop {
                std::thread::park();
            }
        }
        // `{:#}` prints the whole context chain on one line: "<file>: <problem>: <cause>".
        fail(&format!("{e:#}"));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("Error: {}", output::compact_numbers(message.trim_end()));
    std::process::exit(1);
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every argument of every command explains itself in `--help`.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(format!("{path} {} (the command)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        let cmd = Cli::command();
        cmd.clone().debug_assert();
        walk(&cmd, "snn", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
    }
}
