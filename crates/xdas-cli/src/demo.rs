//! `xdas demo`: the synthetic data sets, generated and summarised.

use anyhow::{Context, Result, bail};
use clap::Args;
use ndarray::Axis;
use std::time::Instant;
use xdas_core::{DataArray, Split, Tolerance};
use xdas_synthetics::{WavefrontGenerator, WaveletWavefronts};

/// Options of `xdas demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Time samples of the large generated data set.
    #[arg(long, default_value_t = 20_000)]
    pub nt: usize,
    /// Channels of the large generated data set.
    #[arg(long, default_value_t = 2_000)]
    pub nx: usize,
    /// Rows per generated chunk.
    #[arg(long, default_value_t = 2_000)]
    pub chunk: usize,
}

fn stats(values: impl Iterator<Item = f64>) -> (f64, f64, f64, f64) {
    let (mut n, mut sum, mut sq, mut lo, mut hi) =
        (0.0, 0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        n += 1.0;
        sum += v;
        sq += v * v;
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let mean = sum / n;
    (lo, hi, mean, (sq / n - mean * mean).max(0.0).sqrt())
}

/// Run the demo.
pub fn run(args: &DemoArgs) -> Result<()> {
    if args.nt == 0 || args.nx == 0 || args.chunk == 0 {
        bail!("--nt, --nx and --chunk must be positive");
    }
    println!("== wavelet_wavefronts: P and S wavelets over 10 km of fibre (as xdas.synthetics) ==");
    let spec = WaveletWavefronts::default();
    let da = spec
        .generate()
        .context("generating wavelet_wavefronts")?
        .to_dataarray();
    print!("{da}");
    let (lo, hi, mean, std) = stats(da.data().iter().copied());
    println!("values: min {lo:.4}  max {hi:.4}  mean {mean:.2e}  std {std:.4}");
    // where the noise-free wavefronts peak, against the travel-time formula
    let pulses = spec.pulses().context("noise-free pulses")?;
    let (tp, ts) = spec.arrival_times().context("arrival times")?;
    let dt = da
        .coord("time")?
        .sampling_interval_seconds()
        .context("time sampling")?;
    let mid = pulses.ncols() / 2;
    let column = pulses.index_axis(Axis(1), mid);
    let peak = column
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(i, _)| i as f64 * dt)
        .unwrap_or(f64::NAN);
    println!(
        "channel {mid} (above the source): P arrives at {:.3} s, S at {:.3} s; strongest noise-free sample at {:.3} s",
        tp[mid], ts[mid], peak
    );
    // xdas's `nchunk=3`: three files that concatenate back to the whole
    let parts = da.split(Split::Sections(3), "time", Tolerance::Default)?;
    let refs: Vec<&DataArray<f64>> = parts.iter().collect();
    let back = DataArray::concat(&refs, "time", Tolerance::Default)?;
    println!(
        "split into {} chunks of {:?} samples and concatenated back: equal to the original = {}",
        parts.len(),
        parts.iter().map(|p| p.shape()[0]).collect::<Vec<_>>(),
        back.equals(&da)
    );

    println!();
    println!(
        "== generated data set: {} x {} float32, {} MB, in chunks of {} rows ==",
        args.nt,
        args.nx,
        args.nt * args.nx * 4 / 1_000_000,
        args.chunk
    );
    let generator = WavefrontGenerator::<f32>::builder(args.nt, args.nx)
        .build()
        .context("configuring the generator")?;
    let started = Instant::now();
    let mut time_coords = Vec::new();
    let (mut peak_abs, mut sumsq, mut count) = (0f32, 0f64, 0usize);
    let mut start = 0;
    while start < args.nt {
        let n = args.chunk.min(args.nt - start);
        let chunk = generator.chunk_dataarray(start, n);
        for &v in chunk.data() {
            peak_abs = peak_abs.max(v.abs());
            sumsq += f64::from(v) * f64::from(v);
        }
        count += chunk.data().len();
        time_coords.push(chunk.coord("time")?.clone());
        start += n;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let refs: Vec<&xdas_core::Coordinate> = time_coords.iter().collect();
    let time = xdas_core::Coordinate::concat(&refs)?.simplify(Tolerance::Default);
    println!(
        "{} wavefront events, noise level {}",
        generator.events().len(),
        generator.noise()
    );
    println!("time: {time}");
    println!("distance: {}", generator.grid().distance_coord());
    println!(
        "generated {} chunks in {:.2} s ({:.0} MB/s); peak |value| {:.3}, rms {:.4}",
        time_coords.len(),
        elapsed,
        (count * 4) as f64 / 1e6 / elapsed,
        peak_abs,
        (sumsq / count as f64).sqrt()
    );
    Ok(())
}
