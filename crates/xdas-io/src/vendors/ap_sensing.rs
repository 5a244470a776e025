//! AP Sensing DAS HDF5 files (`engine = "apsensing"`).
//!
//! Layout (file version 10): the samples in `/DAS` (`time × distance`, int32 scaled
//! differential phase), and the metadata as one-element *datasets* in four groups:
//! `/Metadata/Timestamp` (ISO-8601, `Z`), `/ProcessingServer/DataRate` (Hz),
//! `/ProcessingServer/SpatialSampling` (m), `/DAQ/PositionStart` (m), ...
//!
//! ```no_run
//! let da = xdas_io::open_with("ap_sensing_1.hdf5", "apsensing").unwrap();
//! assert_eq!(da.dims(), ["time", "distance"]);
//! ```
//!
//! **Distance.** Channel `k` is labelled with the start of its gauge:
//! `PositionStart + k · SpatialSampling`, as xdas does. The interrogator samples the fibre
//! every `DAQ/SamplingInterval` from raw sample `DAQ/SampleStart` (at `PositionStart`) to
//! `DAQ/SampleEnd` (at `PositionEnd`); the processing server then slides a gauge of
//! `GaugeLengthPoints` raw samples with a step of `SpatialSamplingPoints`, so the channels
//! are `SpatialSampling = SpatialSamplingPoints · SamplingInterval` apart and there are
//! `(SampleEnd − SampleStart + 1 − GaugeLengthPoints) / SpatialSamplingPoints + 1` of them
//! (4082 in `ap_sensing_1.hdf5`: 12257 raw samples, gauge 12, step 3). The last channel
//! therefore starts at 5123.956 m and its gauge ends at 5128.86 m, inside `PositionEnd`
//! (5129.26 m). DASCore 0.1.24 instead stretches the channel step to
//! `(PositionEnd − PositionStart) / nchannels` (1.22609 m instead of the declared
//! 1.22514 m) so that the last label lands at 5128.04 m: that step is not the
//! instrument's, and every label but the first drifts (by up to 4 m). We follow the
//! declared spatial sampling.

use std::path::Path;
use std::sync::Arc;

use hdf5::types::{FixedAscii, FixedUnicode, TypeDescriptor, VarLenAscii, VarLenUnicode};
use xdas_core::{Coordinate, Datetime, Timedelta};

use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5::{self, H5Dataset};
use crate::lazy::{LazyArray, Source};

const NAME: &str = "apsensing";

/// The AP Sensing engine (`"apsensing"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApSensing;

/// The registered instance.
pub(crate) static ENGINE: ApSensing = ApSensing;

impl Engine for ApSensing {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        if f.dataset("DAS").is_err() {
            return Err("no /DAS dataset".into());
        }
        for g in ["DAQ", "Metadata", "ProcessingServer"] {
            if f.group(g).is_err() {
                return Err(format!("/DAS but no /{g} group"));
            }
        }
        Ok(())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let file = h5::open(path)?;
        let fail = |m: String| IoError::format(path, NAME, m);
        let data = numeric_dataset(&file, path, "/DAS", NAME)?;
        let shape = data.shape();
        let [nt, nx] = shape[..] else {
            return Err(fail(format!(
                "/DAS has shape {shape:?}, expected (time, distance)"
            )));
        };

        // time: the first sample's UTC stamp, one sample every 1/DataRate
        let stamp = ds_str(&file, "Metadata/Timestamp").map_err(fail)?;
        let zone = ds_str(&file, "Metadata/Timezone").ok();
        let t0 = parse_stamp(&stamp, zone.as_deref()).map_err(fail)?;
        let rate = ds_f64(&file, "ProcessingServer/DataRate").map_err(fail)?;
        let dt = period_ns(rate).ok_or_else(|| {
            fail(format!(
                "ProcessingServer/DataRate {rate} is not a positive sampling rate"
            ))
        })?;
        if let Ok(count) = ds_f64(&file, "Metadata/TraceCount")
            && count != nt as f64
        {
            return Err(fail(format!(
                "Metadata/TraceCount is {count} but /DAS holds {nt} traces"
            )));
        }

        // distance: see the module docs
        let x0 = ds_f64(&file, "DAQ/PositionStart").map_err(fail)?;
        let dx = ds_f64(&file, "ProcessingServer/SpatialSampling").map_err(fail)?;
        if !(x0.is_finite() && positive(dx)) {
            return Err(fail(format!(
                "DAQ/PositionStart {x0} / ProcessingServer/SpatialSampling {dx} do not give a distance axis"
            )));
        }

        let coords = vec![
            ("time".to_string(), time_axis(t0, nt, dt).map_err(fail)?),
            (
                "distance".to_string(),
                Coordinate::from_block(x0, nx, dx, "distance"),
            ),
        ];
        let source: Arc<dyn Source> = Arc::new(data.describe());
        LazyArray::new(
            source,
            vec!["time".into(), "distance".into()],
            coords,
            None,
            None,
            NAME,
        )
    }
}

/// `Metadata/Timestamp`: ISO-8601 with `Z` or an offset; a stamp without one is taken
/// as UTC only when `Metadata/Timezone` says UTC.
fn parse_stamp(stamp: &str, zone: Option<&str>) -> std::result::Result<Datetime, String> {
    let s = stamp.trim();
    let has_offset = s.ends_with(['Z', 'z'])
        || s.rfind(['+', '-'])
            .is_some_and(|p| p > 10 && s[p..].contains(':'));
    let utc = matches!(
        zone.map(str::trim),
        Some("UTC" | "UTC+0" | "UTC+00:00" | "GMT")
    );
    if !has_offset && !utc {
        return Err(format!(
            "Metadata/Timestamp {s:?} has no time zone and Metadata/Timezone is {zone:?}, not UTC"
        ));
    }
    Datetime::parse(s).map_err(|e| format!("Metadata/Timestamp: {e}"))
}

// ------------------------------------------------ helpers shared by the vendor engines

/// Whether `n` samples from `t0`, `num / den` ns apart, stay inside the datetime64[ns]
/// range (1678–2262), so that building their axis cannot overflow.
pub(super) fn fits_time_range(t0: Datetime, n: usize, num_ns: i64, den: u64) -> bool {
    let span = (n.saturating_sub(1) as i128).saturating_mul(num_ns as i128) / den.max(1) as i128;
    let end = t0.ns() as i128 + span;
    (i64::MIN as i128 + 1..i64::MAX as i128).contains(&end)
}

/// A regular time axis of `n` samples from `t0`, `dt_ns` apart (range-checked).
pub(super) fn time_axis(
    t0: Datetime,
    n: usize,
    dt_ns: i64,
) -> std::result::Result<Coordinate, String> {
    if !fits_time_range(t0, n, dt_ns, 1) {
        return Err(format!(
            "{n} samples {dt_ns} ns apart from {t0} run out of the datetime range"
        ));
    }
    Ok(Coordinate::from_block_time(
        t0,
        n,
        Timedelta::from_ns(dt_ns),
        "time",
    ))
}

/// The numeric dataset `name`, or a format error of `engine` saying why not.
pub(super) fn numeric_dataset(
    file: &hdf5::File,
    path: &Path,
    name: &str,
    engine: &str,
) -> Result<H5Dataset> {
    let ds = file
        .dataset(name)
        .map_err(|_| IoError::format(path, engine, format!("no dataset {name}")))?;
    if h5::dtype_of(&ds).is_none() {
        return Err(IoError::format(
            path,
            engine,
            format!("dataset {name} does not hold numbers"),
        ));
    }
    H5Dataset::from_dataset(ds, path, name)
}

/// A finite number above zero (false for NaN).
pub(super) fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// The sampling period of `rate` Hz in whole nanoseconds (`round(1e9 / rate)`, as xdas).
pub(super) fn period_ns(rate: f64) -> Option<i64> {
    if !positive(rate) {
        return None;
    }
    let ns = (1e9 / rate).round();
    (ns >= 1.0 && ns < i64::MAX as f64).then_some(ns as i64)
}

/// A POSIX time in float seconds as the nearest nanosecond of the stored double (what
/// `pandas.Timestamp(x, unit="s")` gives). `None` when not finite or out of range.
pub(super) fn datetime_from_seconds(s: f64) -> Option<Datetime> {
    if !s.is_finite() || s.abs() >= 9.2e9 {
        return None;
    }
    let whole = s.floor();
    // exact: `s - floor(s)` is representable for |s| < 2^52
    let frac_ns = ((s - whole) * 1e9).round() as i64;
    Some(Datetime::from_ns(whole as i64 * 1_000_000_000 + frac_ns))
}

/// Every value of a numeric dataset (scalar or any shape) as `f64`.
pub(super) fn ds_f64s(file: &hdf5::File, name: &str) -> std::result::Result<Vec<f64>, String> {
    let ds = file
        .dataset(name)
        .map_err(|_| format!("dataset /{name} is missing"))?;
    let td = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| format!("dataset /{name}: {e}"))?;
    match td {
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Float(_) => ds
            .read_raw::<f64>()
            .map_err(|e| format!("dataset /{name}: {e}")),
        other => Err(format!("dataset /{name} holds {other}, not numbers")),
    }
}

/// A numeric dataset holding exactly one value (scalar or one-element array).
pub(super) fn ds_f64(file: &hdf5::File, name: &str) -> std::result::Result<f64, String> {
    match ds_f64s(file, name)?[..] {
        [v] => Ok(v),
        ref all => Err(format!(
            "dataset /{name} holds {} values, expected one",
            all.len()
        )),
    }
}

/// Every string of a string dataset (fixed or variable length, ASCII or UTF-8), with
/// trailing NULs removed.
pub(super) fn ds_strs(file: &hdf5::File, name: &str) -> std::result::Result<Vec<String>, String> {
    let ds = file
        .dataset(name)
        .map_err(|_| format!("dataset /{name} is missing"))?;
    let td = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| format!("dataset /{name}: {e}"))?;
    let err = |e: hdf5::Error| format!("dataset /{name}: {e}");
    let trim = |s: &str| s.trim_end_matches('\0').to_string();
    Ok(match td {
        TypeDescriptor::VarLenUnicode => ds
            .read_raw::<VarLenUnicode>()
            .map_err(err)?
            .iter()
            .map(|s| trim(s.as_str()))
            .collect(),
        TypeDescriptor::VarLenAscii => ds
            .read_raw::<VarLenAscii>()
            .map_err(err)?
            .iter()
            .map(|s| trim(s.as_str()))
            .collect(),
        TypeDescriptor::FixedAscii(_) => ds
            .read_raw::<FixedAscii<4096>>()
            .map_err(err)?
            .iter()
            .map(|s| trim(s.as_str()))
            .collect(),
        TypeDescriptor::FixedUnicode(_) => ds
            .read_raw::<FixedUnicode<4096>>()
            .map_err(err)?
            .iter()
            .map(|s| trim(s.as_str()))
            .collect(),
        other => return Err(format!("dataset /{name} holds {other}, not text")),
    })
}

/// A string dataset holding exactly one string.
pub(super) fn ds_str(file: &hdf5::File, name: &str) -> std::result::Result<String, String> {
    let mut all = ds_strs(file, name)?;
    if all.len() != 1 {
        return Err(format!(
            "dataset /{name} holds {} strings, expected one",
            all.len()
        ));
    }
    Ok(all.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps() {
        let t = parse_stamp("2023-09-24T12:46:31.739618Z", Some("UTC")).unwrap();
        assert_eq!(t.to_string(), "2023-09-24T12:46:31.739618000");
        assert!(parse_stamp("2023-09-24T12:46:31", Some("CET")).is_err());
        assert!(parse_stamp("2023-09-24T12:46:31", Some("UTC")).is_ok());
        assert!(parse_stamp("yesterday", Some("UTC")).is_err());
    }

    #[test]
    fn seconds() {
        let t = datetime_from_seconds(1661296194.3738363).unwrap();
        assert_eq!(t.to_string(), "2022-08-23T23:09:54.373836279");
        assert_eq!(datetime_from_seconds(-0.5).unwrap().ns(), -500_000_000);
        assert!(datetime_from_seconds(f64::NAN).is_none());
        assert!(datetime_from_seconds(1e300).is_none());
        assert_eq!(period_ns(500.0), Some(2_000_000));
        assert_eq!(period_ns(0.0), None);
        assert_eq!(period_ns(f64::INFINITY), None);
    }
}
