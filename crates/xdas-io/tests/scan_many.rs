//! Opening many files as one array: metadata only, in parallel. Run by hand (it writes
//! 10,000 files):
//!
//! ```sh
//! cargo test --release -p xdas-io --test scan_many -- --ignored --nocapture
//! ```
//!
//! `XDAS_SCAN_FILES` changes the number of files.

use std::time::Instant;

use ndarray::ArrayD;
use xdas_core::{Coordinate, DataArray, Datetime, Timedelta};
use xdas_io::native::{LazyCollection, WriteOptions, write};

#[test]
#[ignore = "writes 10,000 files; run by hand"]
fn scan_ten_thousand_files() {
    let n: usize = std::env::var("XDAS_SCAN_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("xdas-scan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (nt, nx) = (100, 16);
    let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
    let t = Instant::now();
    for k in 0..n {
        let start = Datetime::from_ns(t0.ns() + (k * nt) as i64 * 1_000_000);
        let da = DataArray::new(
            ArrayD::<f32>::zeros(vec![nt, nx]),
            &["time", "distance"],
            vec![
                (
                    "time",
                    Coordinate::from_block_time(start, nt, Timedelta::from_ns(1_000_000), "time"),
                ),
                ("distance", Coordinate::from_block(0.0, nx, 1.0, "distance")),
            ],
        )
        .unwrap();
        write(
            &da,
            dir.join(format!("{k:06}.nc")),
            &WriteOptions::default(),
        )
        .unwrap();
    }
    eprintln!("wrote {n} files in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let opened = xdas_io::open_inputs(&[dir.display().to_string()]).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let LazyCollection::Array(a) = opened else {
        panic!("one array expected")
    };
    eprintln!(
        "opened {n} files as one {:?} array in {secs:.2} s ({:.2} ms per file); time coordinate: {} tie points",
        a.shape(),
        secs * 1e3 / n as f64,
        match a.coord("time").unwrap().kind() {
            xdas_core::coords::CoordKind::InterpTime(c) => c.tie_indices().len(),
            _ => 0,
        }
    );
    assert_eq!(a.shape(), vec![n * nt, nx]);
    std::fs::remove_dir_all(&dir).unwrap();
}
