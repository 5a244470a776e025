//! `xdas process` and `xdas convert`: a pipeline over files, chunk by chunk.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use xdas_atoms::{Atom, Sequential, description};
use xdas_io::LazyArray;
use xdas_io::native::WriteOptions;
use xdas_processing::{
    ArrayLoader, ChunkSpec, DataArrayWriter, Options, PicksCsvWriter, Report, Writer, process,
};

/// Arguments of `xdas process`.
#[derive(Args)]
pub struct ProcessArgs {
    /// The pipeline description (TOML, or JSON with a .json extension).
    #[arg(long, short)]
    pub pipeline: PathBuf,
    /// How to cut the input: DIM=SAMPLES or DIM=SIZE (e.g. time=10000, time=256MB).
    #[arg(long, default_value = "time=64MB")]
    pub chunks: String,
    /// Continue a killed run from its checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Chunks read ahead of the compute stage.
    #[arg(long, default_value_t = 2)]
    pub read_ahead: usize,
    /// Output chunks queued for the writer.
    #[arg(long, default_value_t = 2)]
    pub write_behind: usize,
    /// Least seconds between checkpoints (0: after every chunk).
    #[arg(long, default_value_t = 1.0)]
    pub checkpoint_interval: f64,
    /// No checkpoints (a killed run cannot resume; nothing is fsync'ed during the run).
    #[arg(long, conflicts_with = "resume")]
    pub no_checkpoint: bool,
    /// Input files, globs or a directory (joined along time).
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output: a directory (one native file per chunk + index.nc), a path ending in
    /// .zarr, or a .csv file for picks.
    #[arg(long, short)]
    pub output: PathBuf,
}

/// Arguments of `xdas convert`.
#[derive(Args)]
pub struct ConvertArgs {
    /// How to cut the input: DIM=SAMPLES or DIM=SIZE.
    #[arg(long, default_value = "time=64MB")]
    pub chunks: String,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Input files, globs or a directory.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output: a directory of native files or a path ending in .zarr.
    #[arg(long, short)]
    pub output: PathBuf,
}

/// Where a run keeps its checkpoint: next to the output.
pub fn checkpoint_path(output: &Path) -> PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".checkpoint");
    PathBuf::from(s)
}

fn open_input(inputs: &[String]) -> Result<LazyArray> {
    let opened = xdas_io::open_inputs(inputs).context("cannot open the input")?;
    let n = opened.leaves().len();
    match opened.as_array() {
        Some(a) => Ok(a.clone()),
        None => bail!(
            "the inputs form {n} groups of different layout (dims, shape, dtype or sampling); process each group separately"
        ),
    }
}

fn writer_for(output: &Path, dim: &str, resume: bool) -> Result<Box<dyn Writer>> {
    let name = output.to_string_lossy();
    if name.ends_with(".zarr") {
        Ok(Box::new(
            xdas_processing::ZarrOutput::create(output, dim, resume)
                .with_context(|| format!("cannot write {}", output.display()))?,
        ))
    } else if name.ends_with(".csv") {
        let w = if resume {
            PicksCsvWriter::open(output)
        } else {
            PicksCsvWriter::create(output)
        };
        Ok(Box::new(w.with_context(|| {
            format!("cannot write {}", output.display())
        })?))
    } else {
        // samples go to the disk with O_DIRECT: no copy into the page cache, which on
        // this project's VM halved the speed of the concurrent input reads
        let options = WriteOptions::default().direct_io(true);
        let w = if resume {
            DataArrayWriter::open(output, dim, options)
        } else {
            DataArrayWriter::create(output, dim, options)
        };
        Ok(Box::new(w.with_context(|| {
            format!("cannot write into {}", output.display())
        })?))
    }
}

/// Run `pipeline` over `inputs` into `output`.
pub fn run_pipeline(
    mut pipeline: Box<dyn Atom>,
    inputs: &[String],
    chunks: &str,
    output: &Path,
    resume: bool,
    options: Options,
) -> Result<Report> {
    run_pipeline_with(
        pipeline.as_mut(),
        inputs,
        chunks,
        output,
        resume,
        true,
        options,
    )
}

/// [`run_pipeline`], optionally without checkpoints.
pub fn run_pipeline_with(
    pipeline: &mut dyn Atom,
    inputs: &[String],
    chunks: &str,
    output: &Path,
    resume: bool,
    checkpoints: bool,
    options: Options,
) -> Result<Report> {
    let spec: ChunkSpec = chunks.parse()?;
    let input = open_input(inputs)?;
    let mut loader = Throttled {
        inner: ArrayLoader::new(input, &spec)?,
        // a testing aid: slow the reader down to kill a run mid-way (see tests/cli.rs)
        delay: std::env::var("XDAS_CHUNK_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(std::time::Duration::from_millis),
    };
    let ckpt = checkpoint_path(output);
    if !resume && ckpt.exists() {
        bail!(
            "{} holds the checkpoint of an unfinished run: add --resume to continue it, or delete it to start over",
            ckpt.display()
        );
    }
    if resume && !ckpt.exists() {
        bail!(
            "--resume: no checkpoint at {} (nothing to resume)",
            ckpt.display()
        );
    }
    let dim = spec.dim.clone();
    let mut writer = writer_for(output, &dim, resume)?;
    let options = Options {
        checkpoint: checkpoints.then_some(ckpt),
        resume,
        ..options
    };
    process(pipeline, &mut loader, writer.as_mut(), &options).map_err(|e| anyhow!(e))
}

/// Run `xdas process`.
pub fn run(args: &ProcessArgs) -> Result<()> {
    let pipeline = description::from_file(&args.pipeline)
        .with_context(|| format!("pipeline {}", args.pipeline.display()))?;
    if !(args.checkpoint_interval.is_finite() && args.checkpoint_interval >= 0.0) {
        bail!("--checkpoint-interval must be a non-negative number of seconds");
    }
    let options = Options {
        read_ahead: args.read_ahead,
        write_behind: args.write_behind,
        checkpoint_interval: std::time::Duration::from_secs_f64(args.checkpoint_interval),
        progress: !args.quiet,
        ..Options::default()
    };
    let mut pipeline = pipeline;
    let report = run_pipeline_with(
        &mut pipeline,
        &args.inputs,
        &args.chunks,
        &args.output,
        args.resume,
        !args.no_checkpoint,
        options,
    )?;
    if !args.quiet {
        eprintln!("{}", report.summary());
    }
    if let Some(path) = std::env::var_os("XDAS_REPORT_JSON") {
        // for `xdas bench`: the figures of this run, peak memory included
        let v = serde_json::json!({
            "chunks_in": report.chunks_in,
            "bytes_in": report.bytes_in,
            "bytes_out": report.bytes_out,
            "wall_s": report.wall.as_secs_f64(),
            "read_busy_s": report.read_busy.as_secs_f64(),
            "compute_busy_s": report.compute_busy.as_secs_f64(),
            "write_busy_s": report.write_busy.as_secs_f64(),
            "wall_over_max_stage": report.wall_over_max_stage(),
            "mb_per_s": report.mb_per_s(),
            "peak_rss_mb": crate::seed::peak_rss_mb(),
        });
        std::fs::write(&path, v.to_string())
            .with_context(|| format!("writing {}", std::path::Path::new(&path).display()))?;
    }
    Ok(())
}

/// Run `xdas convert` (an empty pipeline).
pub fn convert(args: &ConvertArgs) -> Result<()> {
    let options = Options {
        progress: !args.quiet,
        ..Options::default()
    };
    let report = run_pipeline(
        Box::new(Sequential::new(Vec::new())),
        &args.inputs,
        &args.chunks,
        &args.output,
        false,
        options,
    )?;
    if !args.quiet {
        eprintln!("{}", report.summary());
    }
    Ok(())
}

/// A loader that sleeps before each chunk when asked to (tests only).
struct Throttled {
    inner: ArrayLoader,
    delay: Option<std::time::Duration>,
}

impl xdas_processing::Loader for Throttled {
    fn chunk_dim(&self) -> &str {
        self.inner.chunk_dim()
    }
    fn n_chunks(&self) -> Option<usize> {
        self.inner.n_chunks()
    }
    fn total_bytes(&self) -> Option<u64> {
        self.inner.total_bytes()
    }
    fn position(&self) -> usize {
        self.inner.position()
    }
    fn seek(&mut self, position: usize) -> xdas_processing::Result<()> {
        self.inner.seek(position)
    }
    fn next_chunk(&mut self) -> Option<xdas_processing::Result<(xdas_atoms::Chunk, u64)>> {
        if let Some(d) = self.delay {
            std::thread::sleep(d);
        }
        self.inner.next_chunk()
    }
    fn identity(&self) -> String {
        self.inner.identity()
    }
}
