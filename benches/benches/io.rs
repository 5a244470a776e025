//! Reading a large contiguous float32 native file in time chunks, next to reading the
//! same file's bytes the way `cat` does (8 MiB reads into one buffer): from the page
//! cache (`read_native_warm`) and from the disk, the file evicted before each pass
//! (`read_native_cold`).
//!
//! Like the `xdas` CLI, this binary installs [`ChunkAllocator`], so that chunk buffers are
//! reused the way `cat` reuses its buffer instead of being faulted in afresh per chunk.
//!
//! The file (`XDAS_BENCH_IO_MB`, default 2000 MB: 50,000 × 10,000 float32) is written
//! once under the system temp dir and removed at the end.

use std::io::Read;
use std::ops::Range;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::ArrayD;
use xdas_core::{Coordinate, DType, Datetime, Timedelta};
use xdas_io::native::{WriteOptions, write_lazy};
use xdas_io::{Data, LazyArray, Source};

use xdas_processing::ChunkAllocator;

#[global_allocator]
static ALLOC: ChunkAllocator = ChunkAllocator;

const NX: usize = 10_000;

/// One block of pseudo-random rows, tiled along time: a file of any length, written
/// without holding it in memory.
#[derive(Debug)]
struct Tiled {
    nt: usize,
    block: ArrayD<f32>,
}

impl Source for Tiled {
    fn shape(&self) -> Vec<usize> {
        vec![self.nt, NX]
    }
    fn dtype(&self) -> DType {
        DType::F32
    }
    fn read(&self, region: &[Range<usize>]) -> xdas_io::Result<Data> {
        let rows = self.block.shape()[0];
        let (rt, rc) = (region[0].clone(), region[1].clone());
        Ok(Data::F32(ArrayD::from_shape_fn(
            vec![rt.len(), rc.len()],
            |ix| self.block[[(rt.start + ix[0]) % rows, rc.start + ix[1]]],
        )))
    }
}

fn make_file(mb: usize) -> std::path::PathBuf {
    let nt = mb * 1_000_000 / (NX * 4);
    let mut s: u32 = 12345;
    let block = ArrayD::from_shape_simple_fn(vec![97, NX], || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        s as f32 / u32::MAX as f32 - 0.5
    });
    let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
    let lazy = LazyArray::new(
        Arc::new(Tiled { nt, block }),
        vec!["time".into(), "distance".into()],
        vec![
            (
                "time".into(),
                Coordinate::from_block_time(t0, nt, Timedelta::from_ns(1_000_000), "time"),
            ),
            (
                "distance".into(),
                Coordinate::from_block(0.0, NX, 1.0, "distance"),
            ),
        ],
        None,
        None,
        "bench",
    )
    .unwrap();
    let path = std::env::temp_dir().join(format!("xdas-bench-io-{}.nc", std::process::id()));
    write_lazy(&lazy, &path, &WriteOptions::default()).unwrap();
    path
}

/// Drop the file's pages from the page cache: the next read comes from the disk.
fn evict(path: &std::path::Path) {
    let f = std::fs::File::open(path).unwrap();
    // SAFETY: a valid open descriptor; the call only drops clean cached pages.
    unsafe {
        libc::posix_fadvise(
            std::os::fd::AsRawFd::as_raw_fd(&f),
            0,
            0,
            libc::POSIX_FADV_DONTNEED,
        )
    };
}

/// What `cat` does: 8 MiB reads into one buffer.
fn cat(path: &std::path::Path, buf: &mut [u8]) -> usize {
    let mut f = std::fs::File::open(path).unwrap();
    let mut total = 0;
    loop {
        let n = f.read(buf).unwrap();
        if n == 0 {
            break;
        }
        total += n;
    }
    total
}

/// The whole array, `rows` time samples at a time, each loaded as a float32 DataArray.
fn chunks(lazy: &LazyArray, rows: usize) -> usize {
    let nt = lazy.shape()[0];
    let mut start = 0;
    let mut n = 0;
    while start < nt {
        let stop = (start + rows).min(nt);
        let da = lazy
            .isel("time", start, stop)
            .unwrap()
            .load_as::<f32>()
            .unwrap();
        n += da.data().len();
        start = stop;
    }
    n
}

fn bench(c: &mut Criterion) {
    let mb: usize = std::env::var("XDAS_BENCH_IO_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let path = make_file(mb);
    let size = std::fs::metadata(&path).unwrap().len();
    let lazy = xdas_io::open(&path).unwrap();
    let nt = lazy.shape()[0];
    // chunks of 8 MB (what `cat` reads at a time) and of 256 MB
    let small = (8_000_000 / (NX * 4)).min(nt);
    let large = (256_000_000 / (NX * 4)).min(nt);
    let mut buf = vec![0u8; 8 << 20];

    // from the page cache
    let mut g = c.benchmark_group("read_native_warm");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size));
    g.bench_function(format!("cat_8MiB_reads/{mb}MB"), |b| {
        b.iter(|| cat(&path, &mut buf))
    });
    g.bench_function(format!("xdas_io_time_chunks_8MB/{mb}MB"), |b| {
        b.iter(|| chunks(&lazy, small))
    });
    g.bench_function(format!("xdas_io_time_chunks_256MB/{mb}MB"), |b| {
        b.iter(|| chunks(&lazy, large))
    });
    g.finish();

    // from the disk: the file is evicted before every timed pass
    let mut g = c.benchmark_group("read_native_cold");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size));
    let cold = |f: &mut dyn FnMut() -> usize, iters: u64| {
        let mut total = std::time::Duration::ZERO;
        for _ in 0..iters {
            evict(&path);
            let t = std::time::Instant::now();
            std::hint::black_box(f());
            total += t.elapsed();
        }
        total
    };
    g.bench_function(format!("cat_8MiB_reads/{mb}MB"), |b| {
        b.iter_custom(|iters| cold(&mut || cat(&path, &mut buf), iters))
    });
    g.bench_function(format!("xdas_io_time_chunks_8MB/{mb}MB"), |b| {
        b.iter_custom(|iters| cold(&mut || chunks(&lazy, small), iters))
    });
    g.bench_function(format!("xdas_io_time_chunks_256MB/{mb}MB"), |b| {
        b.iter_custom(|iters| cold(&mut || chunks(&lazy, large), iters))
    });
    g.finish();
    std::fs::remove_file(&path).ok();
}

criterion_group!(benches, bench);
criterion_main!(benches);
