//! Terra15 Treble HDF5 files (`engine = "terra15"`, file versions 4, 5 and 6).
//!
//! Layout: root attributes (`file_version`, `dx`, `sensing_range_start`, `data_product`,
//! ...); the samples in `<node>/data` (`time × distance`) with one GPS stamp per row in
//! `<node>/gps_time` (POSIX float seconds; `posix_time` when there is no GPS), where
//! `<node>` is `/data_product` (versions 5 and 6) or the group named by the root attribute
//! `data_product` (version 4, e.g. `/velocity`).
//!
//! ```no_run
//! let da = xdas_io::open("terra15_v5_test_file.hdf5").unwrap();
//! assert_eq!(da.engine(), "terra15");
//! assert_eq!(da.shape(), [2060, 43]);
//! ```
//!
//! **Time.** As xdas: tie points at the first and last stamps, declared regular at
//! `(t_last − t_first) / (n − 1)` (the stamps themselves jitter by a few µs around that
//! rate). A stamp is the nearest nanosecond of the stored double (xdas:
//! 23:09:54.373836279; DASCore's float arithmetic gives ...288, 9 ns off the stored
//! value). A file closed before its last frame was filled ends with zero stamps: those
//! rows are left out (as DASCore does).
//!
//! **Distance.** `sensing_range_start + k · dx` (both libraries agree).

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use xdas_core::coords::InterpCoordinate;
use xdas_core::{Coordinate, DType, Timedelta};

use super::ap_sensing::{datetime_from_seconds, numeric_dataset, positive};
use crate::data::Data;
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5::{self, H5Dataset, H5DatasetRef, attr_f64, attr_i64, attr_str};
use crate::lazy::{LazyArray, Piece, Source};

const NAME: &str = "terra15";

/// The Terra15 engine (`"terra15"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Terra15;

/// The registered instance.
pub(crate) static ENGINE: Terra15 = Terra15;

impl Engine for Terra15 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        let names = f.attr_names().unwrap_or_default();
        let has = |n: &str| names.iter().any(|a| a == n);
        if !has("file_version") {
            return Err("no root attribute file_version".into());
        }
        for n in ["sensing_range_start", "dx"] {
            if !has(n) {
                return Err(format!("root attribute file_version but no {n}"));
            }
        }
        if !has("acoustic_bandwidth_end") && !has("file_start_computer_time") {
            return Err(
                "no root attribute acoustic_bandwidth_end nor file_start_computer_time".into(),
            );
        }
        Ok(())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let file = h5::open(path)?;
        let fail = |m: String| IoError::format(path, NAME, m);
        let version = attr_i64(&file, "file_version")
            .map_err(fail)?
            .ok_or_else(|| fail("no root attribute file_version".into()))?;
        let node = match version {
            4 => attr_str(&file, "data_product")
                .map_err(fail)?
                .ok_or_else(|| fail("version 4 file without a data_product attribute".into()))?,
            5 | 6 => "data_product".to_string(),
            v => {
                return Err(fail(format!(
                    "file_version {v} is not supported (versions 4, 5 and 6 are)"
                )));
            }
        };
        let data = numeric_dataset(&file, path, &format!("/{node}/data"), NAME)?;
        let shape = data.shape();
        let [nt, nx] = shape[..] else {
            return Err(fail(format!(
                "/{node}/data has shape {shape:?}, expected (time, distance)"
            )));
        };
        let stamps_name = if file.dataset(&format!("{node}/gps_time")).is_ok() {
            format!("/{node}/gps_time")
        } else {
            format!("/{node}/posix_time")
        };
        let stamps = numeric_dataset(&file, path, &stamps_name, NAME)?;
        if stamps.shape() != [nt] {
            return Err(fail(format!(
                "{stamps_name} has shape {:?} for {nt} rows of data",
                stamps.shape()
            )));
        }
        if nt == 0 {
            return Err(fail(format!("/{node}/data holds no samples")));
        }

        // the valid rows: all of them, unless the last frame was left unfilled
        let first = read_f64(&stamps, 0..1)?[0];
        let last = read_f64(&stamps, nt - 1..nt)?[0];
        let (n, last) = if last > first {
            (nt, last)
        } else {
            let all = read_f64(&stamps, 0..nt)?;
            let n = all
                .iter()
                .enumerate()
                .take_while(|&(i, &t)| t > 0.0 && (i == 0 || t >= all[i - 1]))
                .count();
            (n, all[n.saturating_sub(1)])
        };
        let t0 = datetime_from_seconds(first)
            .filter(|_| n > 0)
            .ok_or_else(|| fail(format!("{stamps_name} starts with {first}, not a time")))?;
        let t1 = datetime_from_seconds(last)
            .ok_or_else(|| fail(format!("{stamps_name} ends with {last}, not a time")))?;
        let time = if n == 1 {
            let dt = attr_f64(data.dataset(), "dT").ok().flatten().unwrap_or(0.0);
            let dt = Timedelta::from_seconds(if positive(dt) { dt } else { 0.0 });
            Coordinate::from_block_time(t0, 1, dt, "time")
        } else {
            if t1 <= t0 {
                return Err(fail(format!(
                    "{stamps_name} does not increase ({first} .. {last})"
                )));
            }
            let c = InterpCoordinate::new(vec![0, n - 1], vec![t0, t1])?.with_rate(
                t1 - t0,
                (n - 1) as u64,
                None,
            )?;
            Coordinate::new(c, "time")
        };

        let x0 = required(&file, "sensing_range_start").map_err(fail)?;
        let dx = required(&file, "dx").map_err(fail)?;
        if !positive(dx) {
            return Err(fail(format!("root attribute dx is {dx}, not a spacing")));
        }
        let distance = Coordinate::from_block(x0, nx, dx, "distance");

        let source: Arc<dyn Source> = if n == nt {
            Arc::new(data.describe())
        } else {
            Arc::new(FirstRows {
                inner: data.describe(),
                rows: n,
            })
        };
        LazyArray::new(
            source,
            vec!["time".into(), "distance".into()],
            vec![("time".into(), time), ("distance".into(), distance)],
            None,
            None,
            NAME,
        )
    }
}

/// A finite number from a root attribute.
fn required(file: &hdf5::File, name: &str) -> std::result::Result<f64, String> {
    match attr_f64(file, name)? {
        Some(v) if v.is_finite() => Ok(v),
        Some(v) => Err(format!("root attribute {name} is {v}")),
        None => Err(format!("no root attribute {name}")),
    }
}

fn read_f64(ds: &H5Dataset, rows: Range<usize>) -> Result<Vec<f64>> {
    Ok(ds.read(&[rows])?.to_f64().into_iter().collect())
}

/// The first `rows` rows of a stored array (a file whose last frame is unfilled).
#[derive(Debug)]
struct FirstRows {
    inner: H5DatasetRef,
    rows: usize,
}

impl Source for FirstRows {
    fn shape(&self) -> Vec<usize> {
        let mut s = self.inner.shape();
        s[0] = self.rows;
        s
    }
    fn dtype(&self) -> DType {
        self.inner.dtype()
    }
    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        if region.first().is_some_and(|r| r.end > self.rows) {
            return Err(IoError::Invalid(format!(
                "region {region:?} is outside an array of shape {:?}",
                self.shape()
            )));
        }
        self.inner.read(region)
    }
    fn pieces(&self) -> Option<Vec<Piece>> {
        let mut p = self.inner.pieces()?;
        for piece in &mut p {
            piece.count[0] = piece.count[0].min(self.rows);
        }
        Some(p)
    }
}
