//! Neubrex NEUBRESCOPE DAS files.
//!
//! # Layout
//!
//! ```text
//! /Acoustic    (time, distance) samples, with the metadata as attributes:
//!              @GPSTimeStamp(UTC), @CPUTimeStamp(UTC), @ISO8601TimeStamp,
//!              @TimeSamplingInterval(seconds), @SpatialSamplingInterval,
//!              @StartPosition, @StopPosition, @NEUBRESCOPE.DAS.Model, ...
//! ```
//!
//! # Reading
//!
//! A lazy `("time", "distance")` array of the stored type.
//!
//! * **Time** starts at `GPSTimeStamp(UTC)` (falling back to `ISO8601TimeStamp`, then
//!   `CPUTimeStamp(UTC)`) and steps by `TimeSamplingInterval(seconds)` rounded to whole
//!   nanoseconds (the float32 `0.001` is 1 ms, not 1.0000000475 ms), as DASCore reads it.
//! * **Distance** starts at `StartPosition` and steps by `SpatialSamplingInterval`,
//!   both widened exactly from the stored float32 (the last position, 7200.3578 m for
//!   `neubrex_das_1.h5`, is the file's `StopPosition` to float32 precision).
//! * Files with a `TimeDecimationFilter` or `DistanceDecimationFilter` other than 0 or
//!   1 are refused, as DASCore does: what the sampling attributes mean then is not
//!   documented.
//!
//! Attributes kept: `gauge_length`, `data_type`, `data_units`, `instrument_model`,
//! `instrument_id`, `phase_to_strain`.
//!
//! ```no_run
//! let da = xdas_io::open("neubrex_das_1.h5").unwrap();
//! assert_eq!(da.engine(), "neubrex");
//! assert_eq!(da.dims(), ["time", "distance"]);
//! ```

use std::path::Path;
use std::sync::Arc;

use xdas_core::{Attrs, Coordinate, Datetime, Timedelta};

use super::prodml::{copy_first, parse_time, req_f64};
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5::{self, H5Dataset};
use crate::lazy::LazyArray;

const NAME: &str = "neubrex";
const DATA: &str = "/Acoustic";
/// The attributes that mark a Neubrex DAS file (DASCore's fingerprint).
const EXPECTED: [&str; 6] = [
    "NEUBRESCOPE.DAS.Model",
    "StartPosition",
    "StopPosition",
    "SpatialSamplingInterval",
    "GPSTimeStamp(UTC)",
    "CPUTimeStamp(UTC)",
];

/// The Neubrex DAS engine (`"neubrex"`).
///
/// Recognises files whose `/Acoustic` dataset carries the NEUBRESCOPE attributes
/// (`NEUBRESCOPE.DAS.Model`, `GPSTimeStamp(UTC)`, `SpatialSamplingInterval`, ...).
#[derive(Debug, Clone, Copy, Default)]
pub struct Neubrex;

/// The engine instance registered in `vendors::ENGINES`.
pub(crate) static ENGINE: Neubrex = Neubrex;

impl Engine for Neubrex {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        let ds = f.dataset(DATA).map_err(|_| format!("no {DATA} dataset"))?;
        for a in EXPECTED {
            if ds.attr(a).is_err() {
                return Err(format!("{DATA} has no {a:?} attribute"));
            }
        }
        Ok(())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let err = |m: String| IoError::format(path, NAME, m);
        let f = h5::open(path)?;
        let ds = H5Dataset::open(&f, path, DATA)?;
        let a = ds.dataset().clone();
        let shape = a.shape();
        let [nt, nd] = shape[..] else {
            return Err(err(format!("{DATA} has shape {shape:?}, not 2 dimensions")));
        };
        if nt == 0 || nd == 0 {
            return Err(err(format!("{DATA} is empty (shape {shape:?})")));
        }
        for filt in ["TimeDecimationFilter", "DistanceDecimationFilter"] {
            let v = h5::attr_i64(&a, filt).map_err(|e| err(format!("{DATA}: {e}")))?;
            if let Some(v) = v
                && !(0..=1).contains(&v)
            {
                return Err(err(format!(
                    "{DATA} {filt} is {v}: decimated files are not supported"
                )));
            }
        }

        // time
        let start = start_time(&a).map_err(|e| err(format!("{DATA}: {e}")))?;
        let dt = match h5::attr_f64(&a, "TimeSamplingInterval(seconds)")
            .map_err(|e| err(format!("{DATA}: {e}")))?
        {
            Some(dt) => dt,
            None => {
                let rate = req_f64(&a, "InterrogationRate(Hz)", DATA).map_err(|_| {
                    err(format!(
                        "{DATA} has neither TimeSamplingInterval(seconds) nor \
                         InterrogationRate(Hz)"
                    ))
                })?;
                1.0 / rate
            }
        };
        let step = Timedelta::from_seconds(dt);
        if !(dt.is_finite() && step.ns() > 0) {
            return Err(err(format!(
                "{DATA} time sampling interval {dt} s is not a positive duration"
            )));
        }
        let end = step
            .ns()
            .checked_mul(nt as i64 - 1)
            .and_then(|span| start.ns().checked_add(span));
        if end.is_none() {
            return Err(err(format!(
                "{DATA}: {nt} samples every {dt} s from {start} end beyond the year 2262"
            )));
        }
        let time = Coordinate::from_block_time(start, nt, step, "time");

        // distance
        let x0 = req_f64(&a, "StartPosition", DATA).map_err(err)?;
        let dx = req_f64(&a, "SpatialSamplingInterval", DATA).map_err(err)?;
        if !(x0.is_finite() && dx.is_finite() && dx > 0.0) {
            return Err(err(format!(
                "{DATA} StartPosition {x0} / SpatialSamplingInterval {dx} do not make a \
                 distance axis"
            )));
        }
        let distance = Coordinate::from_block(x0, nd, dx, "distance");

        let mut attrs = Attrs::new();
        for (key, name) in [
            ("gauge_length", "GaugeLength"),
            ("data_type", "DataType"),
            ("data_units", "DataPhysicalUnit"),
            ("instrument_model", "NEUBRESCOPE.DAS.Model"),
            ("instrument_id", "NEUBRESCOPE.DAS.SerialNum"),
            (
                "phase_to_strain",
                "PhaseToStrainConversion(MicroStrainPerRadian)",
            ),
        ] {
            copy_first(&a, &[name], key, &mut attrs);
        }
        LazyArray::new(
            Arc::new(ds.describe()),
            vec!["time".into(), "distance".into()],
            vec![("time".into(), time), ("distance".into(), distance)],
            None,
            Some(attrs),
            NAME,
        )
    }
}

/// The first sample's time: the GPS stamp, else the ISO-8601 stamp (with its offset),
/// else the computer's clock; empty strings count as absent.
fn start_time(a: &hdf5::Dataset) -> std::result::Result<Datetime, String> {
    for name in ["GPSTimeStamp(UTC)", "ISO8601TimeStamp", "CPUTimeStamp(UTC)"] {
        if let Some(s) = h5::attr_str(a, name)?
            && !s.trim().is_empty()
        {
            return parse_time(&s).map_err(|e| format!("attribute {name:?}: {e}"));
        }
    }
    Err("no time stamp (GPSTimeStamp(UTC), ISO8601TimeStamp, CPUTimeStamp(UTC))".into())
}
