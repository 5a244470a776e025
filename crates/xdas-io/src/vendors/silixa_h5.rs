//! Silixa iDAS HDF5 files, the plain (non-PRODML) layout (`engine = "silixa_h5"`).
//!
//! Layout: one dataset `/Acoustic` (`time × channel`, int16) carrying the iDAS settings
//! as string attributes: `GPSTimeStamp` (`dd/mm/yyyy HH:MM:SS.fff (UTC)`),
//! `SamplingFrequency[Hz]`, `SpatialResolution[m]`, `Fibre Length Multiplier`,
//! `Start Distance (m)`, `Stop Distance (m)`, ... (Silixa's PRODML files, with an
//! `/Acquisition` group, are read by the `prodml` engine.)
//!
//! ```no_run
//! let da = xdas_io::open("silixa_h5_1.hdf5").unwrap();
//! assert_eq!(da.engine(), "silixa_h5");
//! assert_eq!(da.shape(), [100, 3840]);
//! ```
//!
//! xdas does not read this layout; DASCore 0.1.24 does.
//!
//! **Time.** `GPSTimeStamp` (falling back to `ISO8601 Timestamp`, then `CPUTimeStamp`),
//! one sample every `1 / SamplingFrequency[Hz]` — as DASCore.
//!
//! **Distance.** `Start Distance (m) + k · SpatialResolution[m] · Fibre Length
//! Multiplier`: the same rule as xdas's Silixa TDMS engine, and the one the file agrees
//! with: in `silixa_h5_1.hdf5` the 3840 channels then run from 0.766 m to 7839.64 m,
//! against a `Stop Distance (m)` of 7839.68 m. DASCore 0.1.24 starts the axis at
//! `StartPosition[m] + MeasureLength[m] · multiplier` (242 + 7680 · 1.020952 =
//! 8082.91 m), i.e. one whole measured length beyond the start — past the end of the
//! 7841 m of fibre the file describes (its own TDMS reader uses that sum as the *stop*).
//! We do not follow it.

use std::path::Path;
use std::sync::Arc;

use xdas_core::{Coordinate, Datetime};

use super::ap_sensing::{numeric_dataset, period_ns, positive, time_axis};
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5::{self, attr_f64, attr_str};
use crate::lazy::{LazyArray, Source};

const NAME: &str = "silixa_h5";

/// The Silixa HDF5 engine (`"silixa_h5"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SilixaH5;

/// The registered instance.
pub(crate) static ENGINE: SilixaH5 = SilixaH5;

/// The attributes the engine needs.
const REQUIRED: [&str; 4] = [
    "SamplingFrequency[Hz]",
    "SpatialResolution[m]",
    "Fibre Length Multiplier",
    "Start Distance (m)",
];

impl Engine for SilixaH5 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        let ds = f
            .dataset("Acoustic")
            .map_err(|_| "no /Acoustic dataset".to_string())?;
        let names = ds.attr_names().unwrap_or_default();
        let has = |n: &str| names.iter().any(|a| a == n);
        if let Some(missing) = REQUIRED.iter().find(|n| !has(n)) {
            return Err(format!("/Acoustic has no attribute {missing:?}"));
        }
        if !has("GPSTimeStamp") && !has("CPUTimeStamp") {
            return Err("/Acoustic has no GPSTimeStamp nor CPUTimeStamp".into());
        }
        Ok(())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let file = h5::open(path)?;
        let fail = |m: String| IoError::format(path, NAME, m);
        let data = numeric_dataset(&file, path, "/Acoustic", NAME)?;
        let shape = data.shape();
        let [nt, nx] = shape[..] else {
            return Err(fail(format!(
                "/Acoustic has shape {shape:?}, expected (time, channel)"
            )));
        };
        let ds = data.dataset();
        let number = |name: &str| -> std::result::Result<f64, String> {
            match attr_f64(ds, name)? {
                Some(v) if v.is_finite() => Ok(v),
                Some(v) => Err(format!("attribute {name:?} is {v}")),
                None => Err(format!("/Acoustic has no attribute {name:?}")),
            }
        };

        let t0 = start_time(ds).map_err(fail)?;
        let fs = number("SamplingFrequency[Hz]").map_err(fail)?;
        let dt = period_ns(fs)
            .ok_or_else(|| fail(format!("SamplingFrequency[Hz] {fs} is not a sampling rate")))?;

        let x0 = number("Start Distance (m)").map_err(fail)?;
        let dx = number("SpatialResolution[m]").map_err(fail)?
            * number("Fibre Length Multiplier").map_err(fail)?;
        if !positive(dx) {
            return Err(fail(format!(
                "SpatialResolution[m] × Fibre Length Multiplier is {dx}, not a spacing"
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

/// The first sample's time: `GPSTimeStamp`, else `ISO8601 Timestamp`, else
/// `CPUTimeStamp`; the first one present must parse.
fn start_time(ds: &hdf5::Dataset) -> std::result::Result<Datetime, String> {
    if let Some(s) = attr_str(ds, "GPSTimeStamp")? {
        return parse_silixa_stamp(&s).map_err(|e| format!("GPSTimeStamp {s:?}: {e}"));
    }
    if let Some(s) = attr_str(ds, "ISO8601 Timestamp")? {
        return Datetime::parse(&s).map_err(|e| format!("ISO8601 Timestamp {s:?}: {e}"));
    }
    if let Some(s) = attr_str(ds, "CPUTimeStamp")? {
        return parse_silixa_stamp(&s).map_err(|e| format!("CPUTimeStamp {s:?}: {e}"));
    }
    Err("/Acoustic has no GPSTimeStamp, ISO8601 Timestamp nor CPUTimeStamp".into())
}

/// `dd/mm/yyyy HH:MM:SS[.fff] [(UTC)]` (day first), UTC.
fn parse_silixa_stamp(s: &str) -> std::result::Result<Datetime, String> {
    let mut text = s.trim();
    if let Some(open) = text.find('(') {
        let zone = text[open..].trim();
        if zone != "(UTC)" {
            return Err(format!("time zone {zone} is not UTC"));
        }
        text = text[..open].trim();
    }
    let (date, time) = text
        .split_once(char::is_whitespace)
        .ok_or("expected a date and a time")?;
    let parts: Vec<&str> = date.split('/').collect();
    let [d, m, y] = parts[..] else {
        return Err("expected a dd/mm/yyyy date".into());
    };
    let num = |x: &str| {
        x.trim()
            .parse::<u32>()
            .map_err(|_| "expected a dd/mm/yyyy date")
    };
    let (d, m, y) = (num(d)?, num(m)?, num(y)?);
    Datetime::parse(&format!("{y:04}-{m:02}-{d:02}T{}", time.trim())).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silixa_stamps() {
        let t = parse_silixa_stamp("22/09/2023 18:29:26.158 (UTC)").unwrap();
        assert_eq!(t.to_string(), "2023-09-22T18:29:26.158000000");
        let t = parse_silixa_stamp("1/2/2020 00:00:01").unwrap();
        assert_eq!(t.to_string(), "2020-02-01T00:00:01.000000000");
        assert!(parse_silixa_stamp("22/09/2023 18:29:26 (UTC+01:00)").is_err());
        assert!(parse_silixa_stamp("2023-09-22").is_err());
        assert!(parse_silixa_stamp("22/13/2023 18:29:26").is_err());
        assert!(parse_silixa_stamp("aa/bb/cccc 18:29:26").is_err());
    }
}
