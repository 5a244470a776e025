//! Benchmarks of the filtering kernels of xdas-signal on DAS-sized arrays (5,000 time
//! samples × 10,000 channels, row-major `(time, channel)`), f32 and f64:
//!
//! * `lfilter` / `sosfilt` with a 4th-order Butterworth highpass, along time (axis 0,
//!   the slow axis) and along channels (axis 1, the contiguous axis);
//! * FIR `decimate` by 2 along channels (zero phase, i.e. the `resample_poly` path);
//! * `resample_poly` 2/5 along time.
//!
//! `benches/compare_scipy.py` times scipy on the same shapes and kernels and prints the ratios.
//!
//! Like the `xdas` CLI, the binary installs `xdas_processing::ChunkAllocator`: each call's
//! output array reuses the previous call's freed block instead of faulting in fresh
//! pages (set `XDAS_BENCH_SYSTEM_ALLOC=1` to measure with the system allocator's behaviour:
//! the cache is then disabled).

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use xdas_signal::Real;
use xdas_signal::decimate::{DecimateFtype, decimate};
use xdas_signal::design::{BandType, FilterKind, iirfilter_ba, iirfilter_sos};
use xdas_signal::filter::{lfilter, sosfilt};
use xdas_signal::resample::{ResamplePad, resample_poly};
use xdas_signal::window::Window;

use xdas_benches::{NCH, NT, random_data as data};
use xdas_processing::ChunkAllocator;

#[global_allocator]
static ALLOC: ChunkAllocator = ChunkAllocator;

/// A benchmark group with few, long samples: one call takes tens of milliseconds, and
/// the first calls of a run pay for faulting in fresh memory (the warm-up absorbs them).
fn group<'a>(c: &'a mut Criterion, name: String) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(4));
    g
}

fn bench_dtype<T: Real>(c: &mut Criterion, dt: &str) {
    let x = data::<T>();
    let ba = iirfilter_ba(4, &[0.1], BandType::Highpass, FilterKind::Butter, None).unwrap();
    let sos = iirfilter_sos(4, &[0.1], BandType::Highpass, FilterKind::Butter, None).unwrap();
    let shape = format!("{NT}x{NCH}");
    for axis in [0, 1] {
        let mut g = group(c, format!("lfilter/{dt} {shape} axis{axis}"));
        g.bench_function("butter4 highpass", |bch| {
            bch.iter(|| black_box(lfilter(&ba.b, &ba.a, x.view(), axis, None).unwrap()))
        });
        g.finish();
        let mut g = group(c, format!("sosfilt/{dt} {shape} axis{axis}"));
        g.bench_function("butter4 highpass", |bch| {
            bch.iter(|| black_box(sosfilt(&sos, x.view(), axis, None).unwrap()))
        });
        g.finish();
    }
    let mut g = group(c, format!("decimate_fir_q2/{dt} {shape} axis1"));
    g.bench_function("zero_phase", |bch| {
        bch.iter(|| black_box(decimate(x.view(), 2, None, DecimateFtype::Fir, 1, true).unwrap()))
    });
    g.finish();
    let mut g = group(c, format!("resample_poly_2_5/{dt} {shape} axis0"));
    let kaiser = Window::Kaiser(5.0);
    g.bench_function("kaiser5 constant", |bch| {
        bch.iter(|| {
            black_box(
                resample_poly(x.view(), 2, 5, 0, &kaiser, ResamplePad::Constant, None).unwrap(),
            )
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    if std::env::var_os("XDAS_BENCH_SYSTEM_ALLOC").is_some() {
        ChunkAllocator::set_cache_limit(0);
    }
    bench_dtype::<f32>(c, "f32");
    bench_dtype::<f64>(c, "f64");
}

criterion_group!(filter, benches);
criterion_main!(filter);
