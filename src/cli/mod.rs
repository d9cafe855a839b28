//! Command-line shell: argument parsing, file reading and exit codes. The work itself
//! happens in the library.

mod input;
mod inspect;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes shared by every subcommand.
pub const EXIT_OK: u8 = 0;
pub const EXIT_UNREADABLE: u8 = 2;

#[derive(Parser)]
#[command(name = "planscope", version, about = "Verify, repair and draw parallel deployment plans for MoE models")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a plan's format, node and edge counts, and GPUs used.
    Inspect {
        /// A plan file: JSON (any corpus dialect or planscope's own) or Graphviz DOT.
        file: PathBuf,
        /// Print `{"format","nodes","edges","gpus_used"}` as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Inspect { file, json } => inspect::run(&file, json),
    };
    ExitCode::from(code)
}
