//! `xdas demo`: the project's main job end to end, on synthetic data. Writes a DAS data
//! set (~2 GB by default) to a temporary directory, runs the seed pipeline over it chunk
//! by chunk (FIR decimation ×2 along distance, 4th-order Butterworth high-pass along
//! time, square) with reading, computing and writing overlapped, checks on a window that
//! the chunked result equals a whole-array run, draws input and output, and reports the
//! throughput and where the time went.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use xdas_atoms::{AtomExt, Chunk, description};
use xdas_processing::Options;

use crate::seed::{SEED_PIPELINE, write_input};

/// Options of `xdas demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Size of the synthetic data set (e.g. 2GB, 500MB).
    #[arg(long, default_value = "2GB")]
    pub size: String,
    /// Channels of the data set.
    #[arg(long, default_value_t = 10_000)]
    pub channels: usize,
    /// Chunks of the run (DIM=SAMPLES or DIM=SIZE).
    #[arg(long, default_value = "time=500")]
    pub chunks: String,
    /// Where to write (default: a new directory under the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep the data set and the output (default: only the images and the output index
    /// are kept... everything is removed unless this is given).
    #[arg(long)]
    pub keep: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_size(s: &str) -> Result<u64> {
    let spec: xdas_processing::ChunkSpec = format!("x={s}").parse()?;
    match spec.size {
        xdas_processing::ChunkSize::Bytes(b) => Ok(b),
        xdas_processing::ChunkSize::Samples(n) => Ok(n as u64),
    }
}

/// Run the demo.
pub fn run(args: &DemoArgs) -> Result<()> {
    let bytes = parse_size(&args.size).context("--size")?;
    if args.channels < 2 {
        bail!("--channels must be at least 2");
    }
    let nx = args.channels;
    let nt = (bytes / (nx as u64 * 4)) as usize;
    if nt < 2000 {
        bail!(
            "--size {} is too small for {nx} channels (at least {} MB)",
            args.size,
            2000 * nx * 4 / 1_000_000
        );
    }
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("xdas-demo-{}", std::process::id())));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let input = dir.join("input.nc");
    let output = dir.join("output");
    let _ = std::fs::remove_dir_all(&output);
    let _ = std::fs::remove_file(crate::process::checkpoint_path(&output));
    let mb = (nt * nx * 4) as f64 / 1e6;

    println!(
        "1. writing a synthetic data set: {nt} x {nx} float32 ({mb:.0} MB), 1 kHz, 1 m channels"
    );
    let t = Instant::now();
    write_input(&input, nt, nx)?;
    println!(
        "   {} in {:.1} s",
        input.display(),
        t.elapsed().as_secs_f64()
    );

    let pipe = dir.join("seed.toml");
    std::fs::write(&pipe, SEED_PIPELINE)?;
    println!(
        "2. the seed pipeline ({}), chunks {}:",
        pipe.display(),
        args.chunks
    );
    let pipeline = description::from_toml(SEED_PIPELINE)?;
    let options = Options {
        progress: !args.quiet,
        ..Options::default()
    };
    let report = crate::process::run_pipeline(
        Box::new(pipeline),
        &[input.display().to_string()],
        &args.chunks,
        &output,
        false,
        options,
    )?;
    let w = report.wall.as_secs_f64();
    println!(
        "   {:.0} MB in, {:.0} MB out in {:.2} s: {:.0} MB/s of input",
        report.bytes_in as f64 / 1e6,
        report.bytes_out as f64 / 1e6,
        w,
        report.mb_per_s()
    );
    println!(
        "   stage busy time: read {:.0}%, compute {:.0}%, write {:.0}% of the wall time (they overlap; wall / busiest stage = {:.2})",
        100.0 * report.read_busy.as_secs_f64() / w,
        100.0 * report.compute_busy.as_secs_f64() / w,
        100.0 * report.write_busy.as_secs_f64() / w,
        report.wall_over_max_stage()
    );
    if let Some(m) = crate::seed::peak_rss_mb() {
        println!("   peak memory of this process: {m:.0} MB");
    }

    println!("3. chunked equals whole-array, on the first 3000 samples:");
    let index = output.join(xdas_processing::INDEX);
    let out = xdas_io::open(&index).with_context(|| format!("opening {}", index.display()))?;
    let window = 3000.min(nt);
    let chunked = out.isel("time", 0, window)?.load_as::<f32>()?;
    let inp = xdas_io::open(&input)?
        .isel("time", 0, window)?
        .load_as::<f32>()?;
    let mut whole = description::from_toml(SEED_PIPELINE)?;
    let Chunk::F32(eager) = whole.apply(inp.clone())? else {
        bail!("the pipeline changed the data type");
    };
    let same = eager.equals(&chunked);
    println!("   bitwise equal (data and coordinates): {same}");
    if !same {
        bail!("the chunked result differs from the whole-array one");
    }

    println!("4. images:");
    let png_in = dir.join("input.png");
    let png_out = dir.join("output.png");
    crate::plot::waterfall(&inp, &png_in, "input (first 3 s)", 99.0, (1200, 800))?;
    crate::plot::waterfall(
        &chunked,
        &png_out,
        "seed pipeline output (first 3 s)",
        99.0,
        (1200, 800),
    )?;
    println!("   {}\n   {}", png_in.display(), png_out.display());
    if args.keep {
        println!(
            "kept: {} (input), {} (output, index.nc opens the whole result)",
            input.display(),
            output.display()
        );
    } else {
        std::fs::remove_file(&input).ok();
        std::fs::remove_dir_all(&output).ok();
        println!(
            "removed the data set and the output (use --keep to keep them); images are in {}",
            dir.display()
        );
    }
    Ok(())
}
