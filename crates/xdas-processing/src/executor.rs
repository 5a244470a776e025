//! [`process`]: read, compute and write on their own threads, joined by bounded
//! channels, so that the time per chunk is the slowest stage's, not the sum.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::bounded;
use serde_json::Value;
use xdas_atoms::{Atom, Chunk};

use crate::checkpoint::Checkpoint;
use crate::error::{ProcessError, Result};
use crate::loader::Loader;
use crate::writer::Writer;

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Chunks read ahead of the compute stage (default 2).
    pub read_ahead: usize,
    /// Output chunks queued for the writer (default 2).
    pub write_behind: usize,
    /// Where to keep the checkpoint (none: no checkpoints).
    pub checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint instead of starting afresh.
    pub resume: bool,
    /// Least time between two checkpoints (zero: after every chunk). Work done after
    /// the last checkpoint is redone on resume, so this trades a little redone work for
    /// fewer `fsync`s.
    pub checkpoint_interval: Duration,
    /// Show a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            read_ahead: 2,
            write_behind: 2,
            checkpoint: None,
            resume: false,
            checkpoint_interval: Duration::from_secs(1),
            progress: false,
        }
    }
}

/// What a run did and where its time went.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Input chunks processed (this run; a resumed run starts at [`Report::resumed_at`]).
    pub chunks_in: usize,
    /// Output chunks written.
    pub chunks_out: usize,
    /// Bytes of input read.
    pub bytes_in: u64,
    /// Bytes of output data written.
    pub bytes_out: u64,
    /// Wall time.
    pub wall: Duration,
    /// Time the reader spent reading.
    pub read_busy: Duration,
    /// Time the compute stage spent in the pipeline.
    pub compute_busy: Duration,
    /// Time the writer spent writing (and checkpointing).
    pub write_busy: Duration,
    /// The chunk a resumed run started at.
    pub resumed_at: Option<usize>,
}

impl Report {
    /// The busiest stage's time.
    pub fn max_stage(&self) -> Duration {
        self.read_busy.max(self.compute_busy).max(self.write_busy)
    }

    /// Wall time ÷ busiest stage time: 1.0 when the stages overlap perfectly, up to 3.0
    /// when they run one after the other.
    pub fn wall_over_max_stage(&self) -> f64 {
        self.wall.as_secs_f64() / self.max_stage().as_secs_f64().max(1e-12)
    }

    /// Input throughput in MB/s (10^6 bytes).
    pub fn mb_per_s(&self) -> f64 {
        self.bytes_in as f64 / 1e6 / self.wall.as_secs_f64().max(1e-12)
    }

    /// One-line summary.
    pub fn summary(&self) -> String {
        let w = self.wall.as_secs_f64().max(1e-12);
        format!(
            "{} chunks, {:.1} MB in, {:.1} MB out in {:.2} s ({:.0} MB/s); busy: read {:.0}%, compute {:.0}%, write {:.0}%; wall/max stage {:.2}",
            self.chunks_in,
            self.bytes_in as f64 / 1e6,
            self.bytes_out as f64 / 1e6,
            w,
            self.mb_per_s(),
            100.0 * self.read_busy.as_secs_f64() / w,
            100.0 * self.compute_busy.as_secs_f64() / w,
            100.0 * self.write_busy.as_secs_f64() / w,
            self.wall_over_max_stage()
        )
    }
}

enum Out {
    Chunk(Chunk),
    Checkpoint { position: usize, state: Value },
    End,
}

#[derive(Default)]
struct Busy {
    read: AtomicU64,
    compute: AtomicU64,
    write: AtomicU64,
}

fn add(a: &AtomicU64, d: Duration) {
    a.fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
}

fn get(a: &AtomicU64) -> Duration {
    Duration::from_nanos(a.load(Ordering::Relaxed))
}

/// Run `atom` over every chunk of `loader`, writing the outputs to `writer`.
///
/// The reader, the compute stage (this thread; kernels parallelise over channels with
/// rayon) and the writer run concurrently, `read_ahead` and `write_behind` chunks
/// apart, so memory stays bounded by those depths times the chunk size. With a
/// checkpoint path, the pipeline state, the loader position and the writer progress are
/// saved after each chunk's outputs are durably written; `resume` continues from there.
/// The first error of any stage stops the others and is returned; what was written
/// (and checkpointed) before stays valid.
///
/// ```
/// use xdas_atoms::{Chunk, LFilter};
/// use xdas_processing::{MemoryLoader, MemoryWriter, Options, process};
/// let da = xdas_synthetics::dummy::<f64>((100, 3)).to_dataarray();
/// let chunks: Vec<Chunk> = da
///     .split(xdas_core::Split::Sections(4), "time", Default::default())
///     .unwrap()
///     .into_iter()
///     .map(Chunk::F64)
///     .collect();
/// let mut atom = LFilter::new(vec![0.5], vec![1.0, -0.5], "time");
/// let mut writer = MemoryWriter::new("time");
/// let report = process(&mut atom, &mut MemoryLoader::new(chunks, "time"), &mut writer, &Options::default()).unwrap();
/// assert_eq!(report.chunks_in, 4);
/// assert_eq!(writer.result().unwrap().unwrap().shape(), vec![100, 3]);
/// ```
pub fn process(
    atom: &mut dyn Atom,
    loader: &mut dyn Loader,
    writer: &mut dyn Writer,
    options: &Options,
) -> Result<Report> {
    let start = Instant::now();
    let dim = loader.chunk_dim().to_string();
    let identity = loader.identity();
    let signature = atom.signature();
    let mut report = Report::default();
    atom.reset();
    if options.resume {
        let path = options
            .checkpoint
            .as_ref()
            .ok_or_else(|| ProcessError::Checkpoint("resume needs a checkpoint path".into()))?;
        let c = Checkpoint::load(path, &identity, &signature)?;
        atom.set_state(c.state.clone())
            .map_err(|e| ProcessError::Checkpoint(format!("pipeline state: {e}")))?;
        loader.seek(c.position)?;
        writer.resume(&c.writer)?;
        report.resumed_at = Some(c.position);
    }
    let bar = progress_bar(options, loader);

    let busy = Busy::default();
    let stop = AtomicBool::new(false);
    let failure: Mutex<Option<ProcessError>> = Mutex::new(None);
    let fail = |e: ProcessError| {
        stop.store(true, Ordering::SeqCst);
        let mut f = failure.lock().expect("failure lock");
        if f.is_none() {
            *f = Some(e);
        }
    };
    let counts = (
        AtomicU64::new(0),
        AtomicU64::new(0),
        AtomicU64::new(0),
        AtomicU64::new(0),
    );

    let (tx_in, rx_in) = bounded::<(usize, Chunk, u64)>(options.read_ahead.max(1));
    let (tx_out, rx_out) = bounded::<Out>(options.write_behind.max(1));
    let ckpt_path = options.checkpoint.clone();

    std::thread::scope(|s| {
        // ---------------------------------------------------------------- reader
        let reader = &mut *loader;
        let (busy_r, stop_r, fail_r) = (&busy, &stop, &fail);
        s.spawn(move || {
            loop {
                if stop_r.load(Ordering::SeqCst) {
                    break;
                }
                let position = reader.position();
                let t = Instant::now();
                let next = reader.next_chunk();
                add(&busy_r.read, t.elapsed());
                match next {
                    None => break,
                    Some(Err(e)) => {
                        fail_r(e);
                        break;
                    }
                    Some(Ok((chunk, bytes))) => {
                        if tx_in.send((position, chunk, bytes)).is_err() {
                            break;
                        }
                    }
                }
            }
        });

        // ---------------------------------------------------------------- writer
        let sink = &mut *writer;
        let (busy_w, fail_w, counts_w) = (&busy, &fail, &counts);
        let identity_w = identity.clone();
        let signature_w = signature.clone();
        s.spawn(move || {
            for msg in rx_out {
                let t = Instant::now();
                let r = match msg {
                    Out::Chunk(c) => sink.write(c).map(|b| {
                        counts_w.2.fetch_add(1, Ordering::Relaxed);
                        counts_w.3.fetch_add(b, Ordering::Relaxed);
                    }),
                    Out::Checkpoint { position, state } => match &ckpt_path {
                        Some(p) => sink.sync().and_then(|_| {
                            Checkpoint::new(
                                identity_w.clone(),
                                signature_w.clone(),
                                position,
                                state,
                                sink.progress(),
                            )
                            .save(p)
                        }),
                        None => Ok(()),
                    },
                    Out::End => sink.finish(),
                };
                add(&busy_w.write, t.elapsed());
                if let Err(e) = r {
                    fail_w(e);
                    break;
                }
            }
        });

        // ---------------------------------------------------------------- compute
        let mut last_checkpoint: Option<Instant> = None;
        let mut compute = || -> Result<()> {
            for (position, chunk, bytes) in rx_in.iter() {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                let t = Instant::now();
                let outs = atom.call(chunk, Some(&dim))?;
                let due =
                    last_checkpoint.is_none_or(|l| l.elapsed() >= options.checkpoint_interval);
                let state = if options.checkpoint.is_some() && due {
                    last_checkpoint = Some(Instant::now());
                    Some(atom.state()?)
                } else {
                    None
                };
                add(&busy.compute, t.elapsed());
                counts.0.fetch_add(1, Ordering::Relaxed);
                counts.1.fetch_add(bytes, Ordering::Relaxed);
                for o in outs {
                    if tx_out.send(Out::Chunk(o)).is_err() {
                        return Ok(());
                    }
                }
                if let Some(state) = state
                    && tx_out
                        .send(Out::Checkpoint {
                            position: position + 1,
                            state,
                        })
                        .is_err()
                {
                    return Ok(());
                }
                if let Some(b) = &bar {
                    b.inc(bytes);
                    b.set_message(shares(&busy));
                }
            }
            if stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            let t = Instant::now();
            let outs = atom.flush()?;
            add(&busy.compute, t.elapsed());
            for o in outs {
                if tx_out.send(Out::Chunk(o)).is_err() {
                    return Ok(());
                }
            }
            let _ = tx_out.send(Out::End);
            Ok(())
        };
        if let Err(e) = compute() {
            fail(e);
        }
        drop(tx_out);
        drop(rx_in);
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    atom.reset();
    if let Some(e) = failure.into_inner().expect("failure lock") {
        return Err(e);
    }
    if let Some(p) = &options.checkpoint {
        // the run is complete: nothing to resume
        let _ = std::fs::remove_file(p);
    }
    report.chunks_in = counts.0.load(Ordering::Relaxed) as usize;
    report.bytes_in = counts.1.load(Ordering::Relaxed);
    report.chunks_out = counts.2.load(Ordering::Relaxed) as usize;
    report.bytes_out = counts.3.load(Ordering::Relaxed);
    report.wall = start.elapsed();
    report.read_busy = get(&busy.read);
    report.compute_busy = get(&busy.compute);
    report.write_busy = get(&busy.write);
    Ok(report)
}

fn shares(busy: &Busy) -> String {
    let (r, c, w) = (get(&busy.read), get(&busy.compute), get(&busy.write));
    let total = (r + c + w).as_secs_f64().max(1e-12);
    format!(
        "read {:.0}% · compute {:.0}% · write {:.0}%",
        100.0 * r.as_secs_f64() / total,
        100.0 * c.as_secs_f64() / total,
        100.0 * w.as_secs_f64() / total
    )
}

fn progress_bar(options: &Options, loader: &dyn Loader) -> Option<indicatif::ProgressBar> {
    if !options.progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let total = loader.total_bytes()?;
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
    )
    .ok()?;
    bar.set_style(style);
    Some(bar)
}
