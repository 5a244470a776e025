//! The `xdas` command-line tool.
//!
//! Subcommands grow with the project; today: `demo`, which generates the synthetic
//! wavefront data sets and prints what they hold.

mod demo;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "xdas",
    version,
    about = "Fast, trustworthy tools for Distributed Acoustic Sensing data"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the synthetic wavefront data sets and print a summary of them.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // one readable line, the causes joined
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("xdas: error: {}", msg.join(": "));
            ExitCode::FAILURE
        }
    }
}
