//! "Simple" HDF5 files (DASCore's `H5Simple`): a bare data array and a time array at
//! the root, as published for several PubDAS data sets.
//!
//! # Layout
//!
//! ```text
//! /raw or /data                      2-D samples
//! /timestamp, /time or /timestamps   per-sample times: float seconds since the epoch
//!                                    (or integers: s, ms, µs or ns, told by magnitude)
//! /distance or /channels (optional)  positions of the other axis
//! @dims (optional)                   e.g. "time,channel"; otherwise the time axis is
//!                                    the one whose length is the time array's
//! @format / @file_format / @__format__ (optional, must then be "h5simple")
//! ```
//!
//! # Reading
//!
//! A lazy `("time", "distance")` array of the stored type.
//!
//! * **Spatial axis.** DASCore calls the non-time axis `channel` when the file says
//!   nothing about positions. Here it is always `distance`, like every other engine,
//!   so that multi-file combination and the processing tools (whose spatial dim is
//!   `distance`) work unchanged: its labels are the `/distance` values when present,
//!   otherwise the channel numbers (`/channels`, else 0, 1, …), and then the attribute
//!   `spatial_axis = "channel"` says the labels are channel numbers, not metres.
//! * **Time.** Float seconds become nanoseconds as numpy does (`round(t × 1e9)`), so
//!   the first time equals DASCore's. Stamps within half a sample of the line through
//!   the first and last become two tie points with the exact rate
//!   `(last - first) / (n - 1)`: the last time is then the file's last stamp. DASCore
//!   instead truncates the step to whole nanoseconds and ends up to `n` ns early
//!   (108 ns for `h5_simple_1.h5`); irregular stamps keep their gaps.
//!
//! ```no_run
//! let da = xdas_io::open("h5_simple_1.h5").unwrap();
//! assert_eq!(da.engine(), "h5simple");
//! assert_eq!(da.dims(), ["time", "distance"]);
//! ```

use std::path::Path;
use std::sync::Arc;

use hdf5::{Dataset, File};
use xdas_core::{AttrValue, Attrs, Coordinate, Values};

use super::prodml::{Dim, dims_from_attr, int_values, time_from_stamps};
use crate::data::Data;
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5::{self, H5Dataset};
use crate::lazy::{LazyArray, Source, Transposed};

const NAME: &str = "h5simple";
const DATA_NAMES: [&str; 2] = ["raw", "data"];
const TIME_NAMES: [&str; 3] = ["timestamp", "time", "timestamps"];
const FORMAT_ATTRS: [&str; 3] = ["__format__", "file_format", "format"];
/// PyTables bookkeeping, not metadata.
const PYTABLES_ATTRS: [&str; 4] = ["CLASS", "PYTABLES_FORMAT_VERSION", "TITLE", "VERSION"];

/// The H5Simple engine (`"h5simple"`).
///
/// Recognises HDF5 files with exactly one 2-D root dataset `raw` or `data` and one
/// 1-D root dataset `timestamp`, `time` or `timestamps`, no other declared format and
/// no netCDF-4 markers. Being the least specific layout, it is tried after the other
/// HDF5 vendor engines.
#[derive(Debug, Clone, Copy, Default)]
pub struct H5Simple;

/// The engine instance registered in `vendors::ENGINES`.
pub(crate) static ENGINE: H5Simple = H5Simple;

impl Engine for H5Simple {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        if f.attr("_NCProperties").is_ok() {
            return Err("a netCDF-4 file (root attribute _NCProperties)".into());
        }
        if let Some((attr, fmt)) = declared_format(f)
            && !fmt.eq_ignore_ascii_case(NAME)
        {
            return Err(format!("root attribute {attr:?} declares format {fmt:?}"));
        }
        let (data, time) = nodes(f)?;
        let (ds, ts) = (f.dataset(data), f.dataset(time));
        let (Ok(ds), Ok(ts)) = (ds, ts) else {
            return Err("unreadable root datasets".into());
        };
        if ds.ndim() != 2 {
            return Err(format!("/{data} has {} dimensions, not 2", ds.ndim()));
        }
        if ts.ndim() != 1 {
            return Err(format!("/{time} has {} dimensions, not 1", ts.ndim()));
        }
        if h5::attr_str(&ts, "CLASS").ok().flatten().as_deref() == Some("DIMENSION_SCALE") {
            return Err(format!("/{time} is a netCDF-4 dimension scale"));
        }
        Ok(())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let f = h5::open(path)?;
        open_file(&f, path)
    }
}

/// The root attribute declaring a format, and its value.
fn declared_format(f: &File) -> Option<(&'static str, String)> {
    FORMAT_ATTRS.iter().find_map(|&a| {
        let v = f.attr(a).ok().and_then(|x| h5::attr_value(&x))?;
        let s = match v {
            AttrValue::Str(s) => s,
            AttrValue::StrArray(mut s) if s.len() == 1 => s.remove(0),
            other => format!("{other:?}"),
        };
        Some((a, s))
    })
}

/// The names of the data and time datasets at the root (exactly one each).
fn nodes(f: &File) -> std::result::Result<(&'static str, &'static str), String> {
    let one = |names: &[&'static str], what: &str| -> std::result::Result<&'static str, String> {
        let found: Vec<&'static str> = names
            .iter()
            .copied()
            .filter(|n| f.dataset(n).is_ok())
            .collect();
        match found.as_slice() {
            [n] => Ok(n),
            [] => Err(format!("no root {what} dataset ({})", names.join(", "))),
            _ => Err(format!(
                "several root {what} datasets ({})",
                found.join(", ")
            )),
        }
    };
    Ok((one(&DATA_NAMES, "data")?, one(&TIME_NAMES, "time")?))
}

fn open_file(f: &File, path: &Path) -> Result<LazyArray> {
    let err = |m: String| IoError::format(path, NAME, m);
    let (data_name, time_name) = nodes(f).map_err(err)?;
    let ds = H5Dataset::open(f, path, &format!("/{data_name}"))?;
    let shape = ds.dataset().shape();
    if shape.len() != 2 {
        return Err(err(format!(
            "/{data_name} has shape {shape:?}, not 2 dimensions"
        )));
    }
    let ts = H5Dataset::open(f, path, &format!("/{time_name}"))?;
    let nt = match ts.dataset().shape().as_slice() {
        [n] => *n,
        s => {
            return Err(err(format!(
                "/{time_name} has shape {s:?}, not 1 dimension"
            )));
        }
    };

    // which axis is time: the `dims` attribute, else the one of the time array's length
    let swapped = match f.attr("dims").ok().and_then(|a| h5::attr_value(&a)) {
        Some(v) => match dims_from_attr(&v)
            .map_err(|e| err(format!("root attribute dims: {e}")))?
            .as_slice()
        {
            [Dim::Time, Dim::Distance] => false,
            [Dim::Distance, Dim::Time] => true,
            _ => return Err(err(format!("unrecognised root attribute dims {v:?}"))),
        },
        None => match (shape[0] == nt, shape[1] == nt) {
            (true, false) => false,
            (false, true) => true,
            (true, true) => {
                return Err(err(format!(
                    "both axes of /{data_name} {shape:?} have the length of /{time_name}: \
                     cannot tell which is time (a root attribute dims would)"
                )));
            }
            (false, false) => {
                return Err(err(format!(
                    "/{time_name} has {nt} values, but /{data_name} has shape {shape:?}"
                )));
            }
        },
    };
    let nd = if swapped { shape[0] } else { shape[1] };
    if (if swapped { shape[1] } else { shape[0] }) != nt {
        return Err(err(format!(
            "/{time_name} has {nt} values, but the time axis of /{data_name} {shape:?} does not"
        )));
    }
    if nt == 0 || nd == 0 {
        return Err(err(format!("/{data_name} is empty (shape {shape:?})")));
    }

    let ns = stamps_ns(ts.read(std::slice::from_ref(&(0..nt)))?)
        .map_err(|e| err(format!("/{time_name}: {e}")))?;
    let time = time_from_stamps(&ns).map_err(|e| err(format!("/{time_name}: {e}")))?;

    let mut attrs = Attrs::new();
    for (k, v) in h5::attrs_of(f) {
        if !PYTABLES_ATTRS.contains(&k.as_str()) && k != "dims" {
            attrs.insert(&k, v);
        }
    }
    let distance = match spatial(f, path, nd)? {
        (Some(values), true) => positions(values),
        (Some(values), false) => {
            attrs.insert("spatial_axis", "channel");
            positions(values)
        }
        (None, _) => {
            attrs.insert("spatial_axis", "channel");
            Coordinate::from_block(0.0, nd, 1.0, "distance")
        }
    };

    let source: Arc<dyn Source> = if swapped {
        Arc::new(Transposed::new(Arc::new(ds.describe()), vec![1, 0])?)
    } else {
        Arc::new(ds.describe())
    };
    LazyArray::new(
        source,
        vec!["time".into(), "distance".into()],
        vec![("time".into(), time), ("distance".into(), distance)],
        None,
        Some(attrs),
        NAME,
    )
}

/// The values of `/distance` (`true`) or `/channels` / `/channel` (`false`), when
/// present with `nd` values.
fn spatial(f: &File, path: &Path, nd: usize) -> Result<(Option<Vec<f64>>, bool)> {
    for (name, is_distance) in [("distance", true), ("channels", false), ("channel", false)] {
        let Ok(d) = f.dataset(name) else { continue };
        if d.shape() != [nd] {
            return Err(IoError::format(
                path,
                NAME,
                format!("/{name} has shape {:?}, expected [{nd}]", d.shape()),
            ));
        }
        return Ok((Some(read_f64(d, path, name)?), is_distance));
    }
    Ok((None, false))
}

fn read_f64(d: Dataset, path: &Path, name: &str) -> Result<Vec<f64>> {
    let src = H5Dataset::from_dataset(d, path, name)?;
    Ok(src.read_all_f64()?.into_iter().collect())
}

/// A regular block when the positions are evenly spaced (within 1e-6 of a step),
/// otherwise every position.
fn positions(v: Vec<f64>) -> Coordinate {
    let n = v.len();
    if n >= 2 && v.iter().all(|x| x.is_finite()) {
        let (first, last) = (v[0], v[n - 1]);
        let step = (last - first) / (n - 1) as f64;
        let tol = 1e-6 * step.abs();
        if step != 0.0
            && v.iter()
                .enumerate()
                .all(|(k, &x)| (x - (first + step * k as f64)).abs() <= tol)
        {
            return Coordinate::from_block(first, n, step, "distance");
        }
    }
    Coordinate::dense(Values::F64(v), "distance")
}

/// Time stamps as ns since the epoch: floats are seconds (`round(t × 1e9)`, numpy's
/// conversion); integers are s, ms, µs or ns, told by the magnitude of the largest
/// (≥ 1e17 ns, ≥ 1e14 µs, ≥ 1e11 ms, else s: unambiguous for 1973–2286).
fn stamps_ns(d: Data) -> std::result::Result<Vec<i64>, String> {
    let to_ns = |x: f64| -> std::result::Result<i64, String> {
        let ns = (x * 1e9).round();
        if ns.is_finite() && ns.abs() < 9.2e18 {
            Ok(ns as i64)
        } else {
            Err(format!("time {x} s is not a datetime64[ns] time"))
        }
    };
    match d {
        Data::F32(a) => a.iter().map(|&x| to_ns(x as f64)).collect(),
        Data::F64(a) => a.iter().map(|&x| to_ns(x)).collect(),
        other => {
            let ints = int_values(other).ok_or("integers beyond int64")?;
            let max = ints.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
            let scale: i64 = match max {
                m if m >= 100_000_000_000_000_000 => 1,
                m if m >= 100_000_000_000_000 => 1_000,
                m if m >= 100_000_000_000 => 1_000_000,
                _ => 1_000_000_000,
            };
            ints.iter()
                .map(|&v| {
                    v.checked_mul(scale)
                        .ok_or_else(|| format!("time {v} overflows datetime64[ns]"))
                })
                .collect()
        }
    }
}
