//! Benchmarks of the detection and median-filter kernels of xdas-signal on DAS-sized
//! arrays (5,000 time samples × 10,000 channels, row-major `(time, channel)`), f32 and
//! f64:
//!
//! * recursive STA/LTA along time (nsta = 5, nlta = 50), the row-walking kernel that
//!   vectorises across channels; the classic (boxcar) method for comparison;
//! * the threshold trigger along time on the recursive characteristic function;
//! * `medfilt` with kernels (5, 1) and (5, 3) on `(time, channel)`.
//!
//! Like the `xdas` CLI, the binary installs `xdas_processing::ChunkAllocator`
//! (`XDAS_BENCH_SYSTEM_ALLOC=1` disables its cache; see `filter.rs`).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use xdas_signal::Real;
use xdas_signal::detect::{StaLtaMethod, sta_lta, trigger};
use xdas_signal::medfilt::medfilt;

use xdas_benches::{NCH, NT, random_data as data};
use xdas_processing::ChunkAllocator;

#[global_allocator]
static ALLOC: ChunkAllocator = ChunkAllocator;

fn group<'a>(
    c: &'a mut Criterion,
    name: String,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g
}

fn bench_dtype<T: Real>(c: &mut Criterion, dt: &str) {
    let x = data::<T>();
    let shape = format!("{NT}x{NCH}");
    for (method, name) in [
        (StaLtaMethod::Recursive, "recursive"),
        (StaLtaMethod::Classic, "classic"),
    ] {
        let mut g = group(c, format!("sta_lta/{dt} {shape} axis0"));
        g.bench_function(name, |b| {
            b.iter(|| black_box(sta_lta(x.view(), 5, 50, method, 0).unwrap()))
        });
        g.finish();
    }
    let cft = sta_lta(x.view(), 5, 50, StaLtaMethod::Recursive, 0).unwrap();
    let mut g = group(c, format!("trigger/{dt} {shape} axis0"));
    g.bench_function("thresh 3", |b| {
        b.iter(|| black_box(trigger(cft.view(), 3.0, 0).unwrap()))
    });
    g.finish();
    drop(cft);
    for kernel in [[5, 1], [5, 3]] {
        let mut g = group(c, format!("medfilt/{dt} {shape}"));
        g.bench_function(format!("kernel ({}, {})", kernel[0], kernel[1]), |b| {
            b.iter(|| black_box(medfilt(x.view(), &kernel).unwrap()))
        });
        g.finish();
    }
}

fn benches(c: &mut Criterion) {
    if std::env::var_os("XDAS_BENCH_SYSTEM_ALLOC").is_some() {
        ChunkAllocator::set_cache_limit(0);
    }
    bench_dtype::<f32>(c, "f32");
    bench_dtype::<f64>(c, "f64");
}

criterion_group!(detect, benches);
criterion_main!(detect);
