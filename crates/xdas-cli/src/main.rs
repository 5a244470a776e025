//! The `xdas` command-line tool.
//!
//! Subcommands: `process`, `convert`, `info`, `plot`, `demo` and `bench`.

mod bench;
mod demo;
mod info;
mod plot;
mod process;
mod seed;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Chunk-sized buffers (reads, filter outputs) are reused instead of faulted in afresh
/// for every chunk: on this project's VM that halves the kernel time of a run.
#[global_allocator]
static ALLOC: xdas_processing::ChunkAllocator = xdas_processing::ChunkAllocator;

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
    /// Run a pipeline over files, chunk by chunk, with checkpoints.
    Process(process::ProcessArgs),
    /// Show what files hold (engine, dims, shape, dtype, coordinates).
    Info(info::InfoArgs),
    /// Convert any readable format to native files or Zarr, chunk by chunk.
    Convert(process::ConvertArgs),
    /// End-to-end benchmark of the seed pipeline against Python xdas and the disk.
    Bench(bench::BenchArgs),
    /// Draw a waterfall image (PNG) of a file: time down, distance across.
    Plot(plot::PlotArgs),
}

fn main() -> ExitCode {
    // Reading files that another process still has open (a writer, a watcher) must not
    // fail with HDF5's "unable to lock file": this tool only reads its inputs and writes
    // files nobody else opens until they are complete.
    if std::env::var_os("HDF5_USE_FILE_LOCKING").is_none() {
        // SAFETY: at the start of `main`, before any thread exists.
        unsafe { std::env::set_var("HDF5_USE_FILE_LOCKING", "FALSE") };
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Process(args) => process::run(&args),
        Command::Info(args) => info::run(&args),
        Command::Convert(args) => process::convert(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Plot(args) => plot::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // one readable line, the causes joined
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            let line = msg.join(": ").replace("\n  ", "; ").replace('\n', "; ");
            eprintln!("xdas: error: {line}");
            ExitCode::FAILURE
        }
    }
}
