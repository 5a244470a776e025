//! ASN OptoDAS HDF5 files (`engine = "asn"`, file versions 8–11).
//!
//! Layout: the samples in `/data` (dims named by `/header/dimensionNames`, normally
//! `time, distance`), the metadata as datasets: `/header/time` (POSIX s of the first
//! sample), `/header/dt` (s), `/header/dx` (m per *undecimated* channel),
//! `/header/channels` (the channel numbers of the columns of `/data`), and the regions of
//! interest in `/demodSpec/roiStart`, `roiEnd`, `roiDec` with the distance of every
//! recorded channel in `/cableSpec/sensorDistances`.
//!
//! ```no_run
//! let da = xdas_io::open("decimated_optodas.hdf5").unwrap();
//! assert_eq!(da.engine(), "asn");
//! assert_eq!(da.shape(), [5000, 51]);
//! ```
//!
//! **Distance.** The columns of `/data` are the channels listed in `/header/channels`
//! (in units of `dx`), so channel `c` is at `c · dx`, one regular block per run of evenly
//! spaced channels, its tie points exactly `c · dx` (DASCore's last label,
//! 35745.50667711374, carries 1e-10 m of its own float drift; `35000 · dx` is
//! ...385). This is what DASCore reads, and it also covers files cut down to a
//! part of the fibre and decimated in space (`decimated_optodas.hdf5`: channels 32500,
//! 32550, ..., 35000, i.e. `roiDec` = 50, while `sensorDistances` still lists the 11380
//! channels of the whole ROI at the acquisition's own decimation). Only when
//! `/header/channels` is absent (or does not match `/data`) do we fall back to xdas's
//! rule: for each ROI, the `sensorDistances` inside `[roiStart·dx, roiEnd·dx]`, spaced
//! `dx · roiDec`. xdas 0.2.10 uses only that rule and fails on the decimated file
//! ("size 11380 in coords and size 51 in data").
//!
//! **Time.** `round(header/time · 1e9)` ns (as xdas), plus
//! `dimensionRanges/dimension<i>/min` samples of `dt` for files cut in time (as DASCore;
//! 0 in every file we have seen). The samples are kept as stored; `header/dataScale`, when
//! it is not 1, is reported in the `data_scale` attribute (DASCore multiplies by it).

use std::path::Path;
use std::sync::Arc;

use xdas_core::coords::InterpCoordinate;
use xdas_core::{Attrs, Coordinate, Datetime, Timedelta, Tolerance};

use super::ap_sensing::{
    ds_f64, ds_f64s, ds_strs, numeric_dataset, positive, time_axis as regular_time,
};
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5;
use crate::lazy::{LazyArray, Source, Transposed};

const NAME: &str = "asn";

/// The ASN OptoDAS engine (`"asn"`, as xdas calls it).
#[derive(Debug, Clone, Copy, Default)]
pub struct OptoDas;

/// The registered instance.
pub(crate) static ENGINE: OptoDas = OptoDas;

impl Engine for OptoDas {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        if f.dataset("fileVersion").is_err() {
            return Err("no /fileVersion dataset".into());
        }
        if f.group("header").is_err() {
            return Err("/fileVersion but no /header group".into());
        }
        if f.dataset("data").is_err() {
            return Err("/header but no /data dataset".into());
        }
        if f.group("acqSpec").is_err() && f.group("cableSpec").is_err() {
            return Err("/data and /header but neither /acqSpec nor /cableSpec".into());
        }
        Ok(())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let file = h5::open(path)?;
        let fail = |m: String| IoError::format(path, NAME, m);
        let data = numeric_dataset(&file, path, "/data", NAME)?;
        let shape = data.shape();
        if shape.len() != 2 {
            return Err(fail(format!("/data has shape {shape:?}, expected 2 dims")));
        }

        // which axis is time
        let names = match ds_strs(&file, "header/dimensionNames") {
            Ok(n) => n,
            Err(_) if file.dataset("header/dimensionNames").is_err() => {
                vec!["time".into(), "distance".into()]
            }
            Err(e) => return Err(fail(e)),
        };
        let time_axis = match names.iter().map(|s| s.trim()).collect::<Vec<_>>()[..] {
            ["time", "distance"] => 0,
            ["distance", "time"] => 1,
            _ => {
                return Err(fail(format!(
                    "header/dimensionNames is {names:?}, expected time and distance"
                )));
            }
        };
        let (nt, nx) = (shape[time_axis], shape[1 - time_axis]);

        // time
        let t = ds_f64(&file, "header/time").map_err(fail)?;
        let dt_s = ds_f64(&file, "header/dt").map_err(fail)?;
        let t_ns = (t * 1e9).round();
        let dt_ns = (dt_s * 1e9).round();
        if !(t_ns.is_finite() && t_ns.abs() < 9.2e18 && (1.0..9.2e18).contains(&dt_ns)) {
            return Err(fail(format!(
                "header/time {t} / header/dt {dt_s} do not give a time axis"
            )));
        }
        let dt = Timedelta::from_ns(dt_ns as i64);
        let skip = match ds_f64(
            &file,
            &format!("header/dimensionRanges/dimension{time_axis}/min"),
        ) {
            Ok(v) if v.fract() == 0.0 && v.abs() < 1e12 => v as i64,
            Ok(v) => return Err(fail(format!("time range min {v} is not a sample index"))),
            Err(_) => 0,
        };
        let t0 = i64::try_from(t_ns as i128 + dt_ns as i128 * skip as i128)
            .map(Datetime::from_ns)
            .map_err(|_| fail(format!("time range min {skip} puts the start out of range")))?;

        // distance
        let dx = ds_f64(&file, "header/dx").map_err(fail)?;
        if !positive(dx) {
            return Err(fail(format!("header/dx {dx} is not a channel spacing")));
        }
        let distance = match ds_f64s(&file, "header/channels") {
            Ok(ch) if ch.len() == nx => from_channels(&ch, dx).map_err(fail)?,
            listed => from_rois(&file, dx, nx).map_err(|e| match listed {
                Ok(ch) => fail(format!(
                    "header/channels lists {} channels for {nx} columns of /data, and {e}",
                    ch.len()
                )),
                Err(_) => fail(e),
            })?,
        };

        let mut attrs = None;
        if let Ok(scale) = ds_f64(&file, "header/dataScale")
            && scale != 1.0
        {
            let mut a = Attrs::new();
            a.insert("data_scale", scale);
            attrs = Some(a);
        }

        let coords = vec![
            (
                "time".to_string(),
                regular_time(t0, nt, dt.ns()).map_err(fail)?,
            ),
            ("distance".to_string(), distance),
        ];
        let source: Arc<dyn Source> = if time_axis == 0 {
            Arc::new(data.describe())
        } else {
            Arc::new(Transposed::new(Arc::new(data.describe()), vec![1, 0])?)
        };
        LazyArray::new(
            source,
            vec!["time".into(), "distance".into()],
            coords,
            None,
            attrs,
            NAME,
        )
    }
}

/// Distances of the listed channel numbers: `c · dx`, one regular block per run of
/// evenly spaced channels.
fn from_channels(ch: &[f64], dx: f64) -> std::result::Result<Coordinate, String> {
    if ch
        .iter()
        .any(|c| !(c.is_finite() && *c >= 0.0 && c.fract() == 0.0))
    {
        return Err("header/channels holds values that are not channel numbers".into());
    }
    if ch.windows(2).any(|w| w[1] <= w[0]) {
        return Err("header/channels is not strictly increasing".into());
    }
    let mut blocks = Vec::new();
    let mut start = 0;
    let mut step = ch.get(1).map_or(1.0, |b| b - ch[0]);
    for i in 1..=ch.len() {
        if i == ch.len() || ch[i] - ch[i - 1] != step {
            // tie values exactly `c · dx` (as DASCore), declared regular at `step · dx`;
            // a run of one channel keeps the previous spacing
            let (a, b) = (ch[start] * dx, ch[i - 1] * dx);
            let block = InterpCoordinate::from_block(a, i - start, step * dx, 1, None);
            let exact = InterpCoordinate::new(vec![0, i - 1 - start], vec![a, b])
                .and_then(|c| c.with_rate(step * dx, 1, None));
            blocks.push(match exact {
                Ok(c) if i - start > 1 => c,
                _ => block,
            });
            start = i;
            if i + 1 < ch.len() {
                step = ch[i + 1] - ch[i];
            }
        }
    }
    let refs: Vec<&InterpCoordinate<f64>> = blocks.iter().collect();
    Ok(Coordinate::new(InterpCoordinate::concat(&refs), "distance"))
}

/// xdas's rule: for each ROI, the recorded distances inside `[roiStart·dx, roiEnd·dx]`,
/// `dx · roiDec` apart.
fn from_rois(file: &hdf5::File, dx: f64, nx: usize) -> std::result::Result<Coordinate, String> {
    let all = ds_f64s(file, "cableSpec/sensorDistances")?;
    let starts = ds_f64s(file, "demodSpec/roiStart")?;
    let ends = ds_f64s(file, "demodSpec/roiEnd")?;
    let decs = ds_f64s(file, "demodSpec/roiDec").ok();
    if starts.len() != ends.len() || decs.as_ref().is_some_and(|d| d.len() != starts.len()) {
        return Err("the ROI table (demodSpec/roiStart, roiEnd, roiDec) is ragged".into());
    }
    if all.iter().any(|d| !d.is_finite()) || all.windows(2).any(|w| w[1] < w[0]) {
        return Err("cableSpec/sensorDistances is not sorted".into());
    }
    let mut blocks = Vec::new();
    for (k, (&a, &b)) in starts.iter().zip(&ends).enumerate() {
        let lo = all.partition_point(|&d| d < a * dx);
        let hi = all.partition_point(|&d| d <= b * dx);
        if lo >= all.len() || hi == 0 || hi <= lo {
            return Err(format!(
                "ROI {k} ({a}..{b}) holds none of cableSpec/sensorDistances"
            ));
        }
        let (i0, i1) = (lo, hi - 1);
        let size = i1 - i0 + 1;
        let step = match &decs {
            Some(d) if d[k] >= 1.0 => dx * d[k].round(),
            _ if size > 1 => (all[i1] - all[i0]) / (i1 - i0) as f64,
            _ => dx,
        };
        blocks.push(InterpCoordinate::from_block(all[i0], size, step, 1, None));
    }
    let refs: Vec<&InterpCoordinate<f64>> = blocks.iter().collect();
    let c = InterpCoordinate::concat(&refs).simplify(Tolerance::Default, false, true);
    if c.len() != nx {
        return Err(format!(
            "the ROI table gives {} channels for {nx} columns of /data",
            c.len()
        ));
    }
    Ok(Coordinate::new(c, "distance"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_runs() {
        let c = from_channels(&[10.0, 12.0, 14.0, 20.0, 21.0, 22.0], 0.5).unwrap();
        assert_eq!(c.len(), 6);
        let v = c.values();
        assert_eq!(
            v,
            xdas_core::Values::F64(vec![5.0, 6.0, 7.0, 10.0, 10.5, 11.0])
        );
        let one = from_channels(&[7.0], 2.0).unwrap();
        assert_eq!(one.values(), xdas_core::Values::F64(vec![14.0]));
        let tail = from_channels(&[0.0, 2.0, 4.0, 9.0], 1.0).unwrap();
        assert_eq!(
            tail.values(),
            xdas_core::Values::F64(vec![0.0, 2.0, 4.0, 9.0])
        );
        assert!(from_channels(&[3.0, 2.0], 1.0).is_err());
        assert!(from_channels(&[0.5], 1.0).is_err());
        assert!(from_channels(&[f64::NAN], 1.0).is_err());
    }
}
