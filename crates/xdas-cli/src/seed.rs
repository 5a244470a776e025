//! The seed job shared by `xdas demo` and `xdas bench`: a synthetic float32 DAS file of
//! any size, written in blocks, and the seed pipeline (FIR decimation ×2 along
//! distance, 4th-order Butterworth high-pass along time, square).

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use ndarray::ArrayD;
use xdas_core::{Coordinate, DType, Datetime, Timedelta};
use xdas_io::native::{WriteOptions, write_lazy};
use xdas_io::{Data, LazyArray, Source};

/// Synthetic samples computed on demand: noise plus two slanted wavefronts, so a file of
/// any size streams to disk without being held in memory.
#[derive(Debug)]
struct Synthetic {
    nt: usize,
    nx: usize,
    wave: Vec<f32>,
}

fn noise(t: usize, c: usize) -> f32 {
    // splitmix64 of the sample index: reproducible, cheap
    let mut z = ((t as u64) << 24 ^ c as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 40) as f32 / (1u64 << 24) as f32) - 0.5
}

impl Source for Synthetic {
    fn shape(&self) -> Vec<usize> {
        vec![self.nt, self.nx]
    }
    fn dtype(&self) -> DType {
        DType::F32
    }
    fn read(&self, region: &[Range<usize>]) -> xdas_io::Result<Data> {
        let (rt, rc) = (region[0].clone(), region[1].clone());
        let n = self.wave.len();
        let a = ArrayD::from_shape_fn(vec![rt.len(), rc.len()], |ix| {
            let (t, c) = (rt.start + ix[0], rc.start + ix[1]);
            let w1 = self.wave[(t + n - (c / 3) % n) % n];
            let w2 = self.wave[(t + c / 5) % n];
            0.1 * noise(t, c) + w1 + 0.5 * w2
        });
        Ok(Data::F32(a))
    }
}

/// Write an `nt × nx` float32 native file (1 kHz, 1 m channels) to `path`, in blocks.
pub fn write_input(path: &Path, nt: usize, nx: usize) -> Result<()> {
    let n = 4096;
    let wave: Vec<f32> = (0..n)
        .map(|i| {
            let x = (i as f32 - 300.0) / 25.0;
            (-x * x).exp() * (x * 2.0).cos()
        })
        .collect();
    let t0: Datetime = "2024-01-01T00:00:00".parse()?;
    let lazy = LazyArray::new(
        Arc::new(Synthetic { nt, nx, wave }),
        vec!["time".into(), "distance".into()],
        vec![
            (
                "time".into(),
                Coordinate::from_block_time(t0, nt, Timedelta::from_ns(1_000_000), "time"),
            ),
            (
                "distance".into(),
                Coordinate::from_block(0.0, nx, 1.0, "distance"),
            ),
        ],
        None,
        None,
        "synthetic",
    )?;
    write_lazy(&lazy, path, &WriteOptions::default())
        .with_context(|| format!("writing {}", path.display()))
}

/// The seed pipeline as a description (the high-pass is `iirfilter(4, 0.1, 'high')`,
/// i.e. 50 Hz at 1 kHz, as in the Python benchmark).
pub const SEED_PIPELINE: &str = r#"
# the seed pipeline: FIR decimation x2 along distance, high-pass along time, power
[[step]]
op = "decimate"
q = 2
ftype = "fir"
dim = "distance"

[[step]]
op = "LFilter"
b = [0.6620158372026176, -2.6480633488104703, 3.9720950232157053, -2.6480633488104703, 0.6620158372026176]
a = [1.0, -3.180638548874719, 3.8611943489942133, -2.112155355110969, 0.43826514226197977]
dim = "time"

[[step]]
op = "square"
"#;

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0 / 1e6)
}

/// Drop `path` from the page cache so the next read comes from disk (best effort:
/// `posix_fadvise(DONTNEED)` through Python or `dd`, whichever the machine has).
pub fn evict(path: &Path) -> bool {
    let p = path.display().to_string();
    let py = "import os,sys\nfd=os.open(sys.argv[1],os.O_RDONLY)\nos.fsync(fd)\nos.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)\n";
    for exe in ["python3", "python"] {
        if let Ok(s) = std::process::Command::new(exe)
            .args(["-c", py, &p])
            .status()
            && s.success()
        {
            return true;
        }
    }
    std::process::Command::new("dd")
        .args([
            &format!("if={p}"),
            "iflag=nocache",
            "count=0",
            "status=none",
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
