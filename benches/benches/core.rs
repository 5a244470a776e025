//! Benchmarks of the data model's hot paths: coordinate arithmetic on month-long axes,
//! combining thousands of per-file coordinates (what a multi-file open does), and the
//! synthetic data generator.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use xdas_core::coords::Method;
use xdas_core::{Coordinate, Datetime, Scalar, Timedelta, Tolerance};
use xdas_synthetics::WavefrontGenerator;

fn month_at_1khz() -> Coordinate {
    let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
    // 30 days at 1 kHz, one tie point every ~minute of clock drift
    let files: Vec<Coordinate> = (0..43_200)
        .map(|k| {
            let start = t0 + Timedelta::from_ns(k * 60_000_000_000 + (k % 7) * 1_000);
            Coordinate::from_block_time(start, 60_000, Timedelta::from_ns(1_000_000), "time")
        })
        .collect();
    let refs: Vec<&Coordinate> = files.iter().collect();
    Coordinate::concat(&refs).unwrap()
}

fn bench_coords(c: &mut Criterion) {
    let month = month_at_1khz();
    let n = month.len();
    c.bench_function("coord/value_at_index (43k ties)", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 7_919_993) % n;
            black_box(month.value(i).unwrap())
        })
    });
    let probe = Scalar::Datetime("2024-01-17T13:14:15.123456".parse().unwrap());
    c.bench_function("coord/index_of nearest (43k ties)", |b| {
        b.iter(|| black_box(month.index_of(black_box(&probe), Method::Nearest).unwrap()))
    });
    c.bench_function("coord/slice step 10 (43k ties)", |b| {
        b.iter(|| black_box(month.slice(1_234, n - 5_678, 10).unwrap()))
    });
    let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
    let files: Vec<Coordinate> = (0..10_000)
        .map(|k| {
            Coordinate::from_block_time(
                t0 + Timedelta::from_ns(k * 30_000_000_000),
                30_000,
                Timedelta::from_ns(1_000_000),
                "time",
            )
        })
        .collect();
    c.bench_function("coord/concat+simplify 10k files", |b| {
        b.iter(|| {
            let refs: Vec<&Coordinate> = files.iter().collect();
            black_box(
                Coordinate::concat(&refs)
                    .unwrap()
                    .simplify(Tolerance::Default),
            )
        })
    });
}

fn bench_generator(c: &mut Criterion) {
    // the scalable synthetic data set later benchmarks read from: 1,000 x 10,000 float32
    let g = WavefrontGenerator::<f32>::builder(100_000, 10_000)
        .build()
        .unwrap();
    let mut buf = ndarray::Array2::<f32>::zeros((1_000, 10_000));
    let mut group = c.benchmark_group("synthetics");
    group.throughput(Throughput::Bytes((buf.len() * 4) as u64));
    group.sample_size(10);
    let mut start = 0;
    group.bench_function("generate 1000x10000 f32 (fill)", |b| {
        b.iter(|| {
            start = (start + 1_000) % 99_000;
            g.fill(start, buf.view_mut());
            black_box(buf[[0, 0]])
        })
    });
    group.finish();
}

criterion_group!(benches, bench_coords, bench_generator);
criterion_main!(benches);
