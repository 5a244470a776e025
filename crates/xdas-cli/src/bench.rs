//! `xdas bench`: the end-to-end benchmark of the seed pipeline against Python xdas and
//! the machine's cold read speed, on the same file size in the same run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::Value;

use crate::seed::{SEED_PIPELINE, evict, write_input};

/// Arguments of `xdas bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Time samples of the input (50,000 × 10,000 float32 = 2 GB).
    #[arg(long, default_value_t = 50_000)]
    pub n_time: usize,
    /// Channels of the input.
    #[arg(long, default_value_t = 10_000)]
    pub n_channels: usize,
    /// Chunking of our run (DIM=SAMPLES or DIM=SIZE).
    #[arg(long, default_value = "time=500")]
    pub chunks: String,
    /// Time samples per chunk of the Python run.
    #[arg(long, default_value_t = 1000)]
    pub python_chunk: usize,
    /// Where to put the files (default: a new directory under the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The Python interpreter with xdas 0.2.10 installed (skipped when absent).
    #[arg(long, default_value = "/tmp/venv/bin/python")]
    pub python: PathBuf,
    /// The Python benchmark script.
    #[arg(long, default_value = "../shared/reference/bench_xdas.py")]
    pub script: PathBuf,
    /// Skip the Python run.
    #[arg(long)]
    pub no_python: bool,
    /// Keep the files.
    #[arg(long)]
    pub keep: bool,
}

/// Flush every dirty page to the disk, so that one run's writes (or the input's) are
/// not written back during the next measurement.
fn sync() {
    let _ = Command::new("sync").status();
}

/// The median of a few measurements.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs of each measurement (the virtual disk is noisy: single runs vary by ±30 %).
const RUNS: usize = 3;

/// `cat` of the cold input, in MB/s of input.
fn cold_cat(path: &Path) -> Result<f64> {
    sync();
    evict(path);
    let size = std::fs::metadata(path)?.len() as f64;
    let t = Instant::now();
    let s = Command::new("cat")
        .arg(path)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running cat")?;
    let secs = t.elapsed().as_secs_f64();
    if !s.success() {
        bail!("cat failed");
    }
    Ok(size / 1e6 / secs)
}

/// The disk's limit for the pipeline's I/O, in MB/s of input: the cold input read with
/// `O_DIRECT` in 20 MiB pieces into one huge-page buffer (the best reads we know, with
/// no work between them) while a second thread writes `out_mb` MB with `O_DIRECT` in
/// 10 MiB pieces into `dir` (the output's size and write pattern); the time runs until
/// both are done. `None` where there is no `O_DIRECT` (not Linux) or it is refused.
#[cfg(target_os = "linux")]
fn direct_mix(path: &Path, out_mb: usize, dir: &Path) -> Result<Option<f64>> {
    use std::fs::OpenOptions;
    use std::os::unix::fs::{FileExt, OpenOptionsExt};

    // the `xdas` binary's `ChunkAllocator` maps buffers this large page-aligned (on a
    // huge-page boundary), as O_DIRECT needs
    let (mut rbuf, wbuf) = (vec![0u8; 20 << 20], vec![0u8; 10 << 20]);
    if rbuf.as_ptr() as usize % 4096 != 0 || wbuf.as_ptr() as usize % 4096 != 0 {
        return Ok(None);
    }
    sync();
    evict(path);
    let size = std::fs::metadata(path)?.len();
    let direct = |p: &Path, write: bool| {
        OpenOptions::new()
            .read(!write)
            .write(write)
            .create(write)
            .truncate(write)
            .custom_flags(libc::O_DIRECT)
            .open(p)
    };
    let Ok(input) = direct(path, false) else {
        return Ok(None);
    };
    let target = dir.join("direct-mix-output");
    let Ok(output) = direct(&target, true) else {
        return Ok(None);
    };
    let t = Instant::now();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let total = (out_mb as u64) * 1_000_000;
        let mut at = 0u64;
        while at < total {
            output.write_all_at(&wbuf, at)?;
            at += wbuf.len() as u64;
        }
        Ok(())
    });
    let piece = &mut rbuf[..];
    let mut at = 0u64;
    let mut refused = false;
    while at < size {
        match input.read_at(piece, at) {
            Ok(0) => break,
            Ok(n) => at += n as u64,
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                refused = true;
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let wrote = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the writer panicked"))?;
    let secs = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&target);
    if refused || wrote.is_err() {
        return Ok(None);
    }
    Ok(Some(size as f64 / 1e6 / secs))
}

#[cfg(not(target_os = "linux"))]
fn direct_mix(_path: &Path, _out_mb: usize, _dir: &Path) -> Result<Option<f64>> {
    Ok(None)
}

/// Run `xdas bench`.
pub fn run(args: &BenchArgs) -> Result<()> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("xdas-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let input = dir.join("input.nc");
    let (nt, nx) = (args.n_time, args.n_channels);
    let mb = (nt * nx * 4) as f64 / 1e6;
    eprintln!(
        "generating {nt} x {nx} float32 ({mb:.0} MB) in {}",
        input.display()
    );
    let t = Instant::now();
    write_input(&input, nt, nx)?;
    eprintln!("  written in {:.1} s", t.elapsed().as_secs_f64());
    let pipe = dir.join("seed.toml");
    std::fs::write(&pipe, SEED_PIPELINE)?;

    // ours, in a child process (its own peak memory), input evicted first: without
    // checkpoints (Python xdas has none), then with one every second (state + fsync)
    let ours_run = |checkpoints: bool| -> Result<(f64, Value)> {
        let out = dir.join("out");
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(crate::process::checkpoint_path(&out));
        sync();
        evict(&input);
        let report = dir.join("report.json");
        let t = Instant::now();
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.args(["process", "--quiet", "--chunks", &args.chunks, "--pipeline"])
            .arg(&pipe)
            .arg(&input)
            .arg("--output")
            .arg(&out)
            .env("XDAS_REPORT_JSON", &report);
        if !checkpoints {
            cmd.arg("--no-checkpoint");
        }
        let st = cmd.status().context("running xdas process")?;
        let wall = t.elapsed().as_secs_f64();
        if !st.success() {
            bail!("xdas process failed");
        }
        let _ = std::fs::remove_dir_all(&out);
        Ok((wall, serde_json::from_slice(&std::fs::read(&report)?)?))
    };
    // the machine's cold read and ours, in turn: this virtual disk's speed drifts by
    // tens of percent within a minute, so each run of ours is compared with the `cat`
    // just before it, and the medians are reported
    let mut cats = Vec::new();
    let mut mixes = Vec::new();
    let mut runs: Vec<(f64, Value)> = Vec::new();
    let mut ratios = Vec::new();
    let mut mix_ratios = Vec::new();
    let out_mb = (mb / 2.0).ceil() as usize;
    for _ in 0..RUNS {
        let cat = cold_cat(&input)?;
        let mix = direct_mix(&input, out_mb, &dir)?;
        let run = ours_run(false)?;
        eprintln!(
            "  cold cat {cat:.0} MB/s; direct reads with {out_mb} MB of direct writes beside them {}; ours {:.0} MB/s",
            mix.map_or("n/a".to_string(), |m| format!("{m:.0} MB/s")),
            mb / run.0
        );
        ratios.push(mb / run.0 / cat);
        if let Some(mix) = mix {
            mix_ratios.push(mb / run.0 / mix);
            mixes.push(mix);
        }
        cats.push(cat);
        runs.push(run);
    }
    let cat1 = median(cats.clone());
    let ratio = median(ratios);
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let walls: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let (wall, r) = runs.swap_remove(RUNS / 2);
    let (wall_ckpt, r_ckpt) = ours_run(true)?;
    let ours = mb / wall;
    println!(
        "xdas-rs seed pipeline, {nt} x {nx} float32 ({mb:.0} MB), chunks {}:",
        args.chunks
    );
    println!(
        "  {ours:.0} MB/s of input ({wall:.2} s wall incl. start-up; median of {RUNS} runs, {:.0}-{:.0} MB/s); peak memory {:.0} MB",
        mb / walls[RUNS - 1],
        mb / walls[0],
        r["peak_rss_mb"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "  busy: read {:.2} s, compute {:.2} s, write {:.2} s; wall/max stage {:.2}",
        r["read_busy_s"].as_f64().unwrap_or(f64::NAN),
        r["compute_busy_s"].as_f64().unwrap_or(f64::NAN),
        r["write_busy_s"].as_f64().unwrap_or(f64::NAN),
        r["wall_over_max_stage"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "  cold read of the input (cat, just before each run): median {cat1:.0} MB/s of {cats:.0?}; ours / cat: median {:.0} %",
        100.0 * ratio
    );
    if !mixes.is_empty() {
        println!(
            "  the disk's limit for this I/O (the input read with O_DIRECT in 20 MiB pieces while {out_mb} MB are written with O_DIRECT): median {:.0} MB/s of {mixes:.0?}; ours / that: median {:.0} %",
            median(mixes.clone()),
            100.0 * median(mix_ratios)
        );
    }
    println!(
        "  with a checkpoint every second (state + fsync of the output): {:.0} MB/s ({wall_ckpt:.2} s), peak memory {:.0} MB",
        mb / wall_ckpt,
        r_ckpt["peak_rss_mb"].as_f64().unwrap_or(f64::NAN)
    );

    // Python xdas on the same size
    if !args.no_python {
        if !args.python.exists() || !args.script.exists() {
            println!(
                "  python: skipped ({} or {} not found)",
                args.python.display(),
                args.script.display()
            );
        } else {
            let json = dir.join("python.json");
            sync();
            let st = Command::new(&args.python)
                .arg(&args.script)
                .args(["--n-time", &nt.to_string(), "--n-channels", &nx.to_string()])
                .args([
                    "--chunks",
                    &args.python_chunk.to_string(),
                    "--skip-raw",
                    "--json",
                ])
                .arg(&json)
                .arg("--data-dir")
                .arg(dir.join("python"))
                .stdout(std::process::Stdio::null())
                .status()
                .context("running the Python benchmark")?;
            if st.success() {
                let p: Value = serde_json::from_slice(&std::fs::read(&json)?)?;
                let py = p["summary_input_MB_per_s_by_chunk"]
                    .as_object()
                    .and_then(|m| m.values().next())
                    .and_then(|v| v["median"].as_f64().or_else(|| v.as_f64()))
                    .unwrap_or(f64::NAN);
                println!(
                    "  Python xdas 0.2.10 (chunks of {}): {py:.0} MB/s -> ratio {:.1}x",
                    args.python_chunk,
                    ours / py
                );
            } else {
                println!("  python: the benchmark failed ({st})");
            }
        }
    }
    if !args.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
