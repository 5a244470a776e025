//! Febus A1 HDF5 files (`engine = "febus"`).
//!
//! Layout: `/<device>/Source<i>/time` holds one POSIX stamp (float s) per block, and
//! `/<device>/Source<i>/Zone<j>/<name>` a stack of blocks `(block, row, distance)`. The
//! zone's attributes give the grid: `Spacing = [dx m, d1, ...]`, `Extent = [x first,
//! x last, row first, row last, ...]` (indices), `Origin = [x0 m, o1, ...]`, and the
//! block rate (`BlockRate` or `FreqRes`, in mHz). Distance is
//! `Origin[0] + (Extent[0] + k) · Spacing[0]` (xdas and DASCore agree).
//!
//! ```no_run
//! use xdas_io::vendors::febus::{self, FebusOptions};
//! // a strain-rate file whose blocks overlap by 250 rows at each end
//! let opts = FebusOptions { overlaps: Some((250, 250)), ..Default::default() };
//! let da = febus::open_with_options("SR_2024-01-01.h5", &opts).unwrap();
//! assert_eq!(da.dims(), ["time", "distance"]);
//! // a power-spectrum zone, read as spectra rather than as time samples
//! let opts = FebusOptions { spectra: true, ..Default::default() };
//! let psd = febus::open_with_options("febus_2.h5", &opts).unwrap();
//! assert_eq!(psd.dims(), ["time", "frequency", "distance"]);
//! ```
//!
//! # Time-domain zones (`StrainRate`, `Strain`, ...) — the default reading
//!
//! The rows are time samples `Spacing[1]` ms apart. Consecutive blocks overlap: a block
//! is written every `1 / BlockRate` s but holds more rows than that. As xdas, each block
//! keeps `keep = round(1 / (BlockRate · dt))` rows, trimming the excess half before and
//! half after (`overlaps = (n / 2, n − n / 2)`, overridable); the kept rows of all blocks
//! are read as one `time × distance` array by a small [`Source`] that maps rows to blocks
//! (the end of the kept window is `start + keep`, never a negative index, so
//! `overlaps = (k, 0)` keeps `block − k` rows — xdas 0.2.7 bug 13 returned nothing).
//! The stamp of a block refers to row `−Origin[1] / Spacing[1]` when the zone declares a
//! time origin, otherwise to the middle row (xdas's default; DASCore assumes row 0 and
//! adds `Origin[1]`: the two agree whenever the origin is set). The offset from the
//! stamp to the first kept row uses the exact `Spacing[1]`. Labels are whole µs, as
//! xdas's: the stamps are rounded to the µs (their float resolution is ~0.2 µs) and so
//! is the sampling interval (`rint(1000 · Spacing[1])` µs), so that the time labels
//! equal Python xdas's. For the usual Febus rates (0.04, 0.2, 0.4 ms, ...) that
//! rounding changes nothing; where `Spacing[1]` is not a whole number of µs,
//! [`FebusOptions::exact_step`] keeps the exact interval (`1 s / f` when `f` is a whole
//! frequency: `1 / 1050 Hz` instead of 952 µs).
//!
//! # Spectral zones (`PSD [dB re 1 nStrain|sqrt(Hz)]`)
//!
//! Newer firmware (2.3.x) can store power spectral densities instead of samples. Then
//! the row axis is **frequency**, not time. The metadata of `febus_2.h5` leave no doubt:
//! the dataset is named and united as a PSD (`dB re 1 nStrain/√Hz`, values around
//! −40 dB falling with frequency); its row spacing `Spacing[1] = 0.952381 = 1 / 1.05` is
//! the frequency resolution of the 1.05 s window the source block spans (`Source1`:
//! 26250 samples of 0.04 ms, `Origin[1] = −525` ms, i.e. centred on the stamp, 1 s plus
//! the 5 % `BlockOverlap`); rows 1000..4000 are 952–3810 Hz, below the 12.5 kHz Nyquist
//! frequency of the 25 kHz pulse rate. Read as time the same rows would be samples at
//! 1050 Hz — a rate the 25 kHz source does not decimate to — in blocks of 2.86 s
//! written every second (186 % overlap against the declared 5 %).
//!
//! With [`FebusOptions::spectra`] the zone is read as `time × frequency × distance`,
//! one time label (the block's stamp) per block, frequency
//! `Origin[1] + (Extent[2] + k) · Spacing[1]` Hz.
//!
//! **By default**, as Python xdas 0.2.10 and DASCore 0.1.24 do (and as the port's
//! acceptance table asks), the rows are read as time: a 2-D `("time", "distance")`
//! array, so that code written for either library sees the same shape. The reading is
//! flagged rather than silent: when the dataset's name says PSD/spectrum the array
//! carries `febus_content = "psd"` and a `febus_note` attribute saying so and pointing
//! to `spectra: true`; the unit from the dataset's name goes to `units` in both readings.
//!
//! ## xdas or DASCore for the time reading of `febus_2.h5`
//!
//! xdas 0.2.10 reads 1050 rows, 11:40:12.584954 … 11:40:13.583602; DASCore 0.1.24
//! (`dc.spool(path)[0]`) reads 1049 rows, 11:40:14.014478397 … 11:40:15.012573685. This
//! engine gives **xdas's** reading, which the Febus metadata support better:
//!
//! * *Row count.* Both libraries compute the same kept window: `BlockRate` = 1000 mHz
//!   and `Spacing[1]` = 0.952381 ms give `round(1 s / dt)` = 1050 rows per block; the
//!   1951 excess rows split 975 before / 976 after, so both return rows 975.. of the
//!   block. `dascore.read` itself gives all 1050 rows (from 14.013526016); only its
//!   spool re-selects the patch with a block start one step late, which moves every
//!   label one sample later and then drops the last row — DASCore's 1049 labels are
//!   one step off its own data.
//! * *Where the stamp sits.* `Source1` declares the block window: `Extent` rows
//!   0..26249 of 0.04 ms (1.05 s) with `Origin[1]` = −525 ms, i.e. the stamp labels the
//!   centre of the block. xdas puts the stamp on the middle row (1500 of 3001), so the
//!   kept second runs from stamp − 0.5 s to stamp + 0.5 s, centred where the metadata
//!   put it. DASCore adds the zone's `Origin[1]` = 0 to the stamp as the time of row 0,
//!   so its second starts 0.93 s after the stamp, outside the
//!   `[stamp − 0.525 s, stamp + 0.525 s]` window the stamp labels.
//! * *Precision.* The stamp is a float (1758627613.0849545 s, resolution 0.24 µs):
//!   µs labels carry all of it; DASCore's `…478397` ns digits are float noise.
//!
//! The one point where xdas departs from the metadata is the step: 952 µs instead of
//! `Spacing[1]` = 0.952381 ms, so the last label is 0.4 ms earlier than `1049 / 1050`
//! s after the first (11:40:13.584001619 with `exact_step: true`). The default keeps
//! xdas's step so that the labels match Python xdas's one for one.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use ndarray::{Axis, IxDyn, Slice};
use xdas_core::coords::InterpCoordinate;
use xdas_core::{Attrs, Coordinate, DType, Datetime, Timedelta};

use super::ap_sensing::{ds_f64s, fits_time_range, numeric_dataset, positive};
use crate::data::Data;
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5::{self, H5DatasetRef, attr_f64s};
use crate::lazy::{LazyArray, Source};

const NAME: &str = "febus";

/// The Febus A1 engine (`"febus"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Febus;

/// The registered instance.
pub(crate) static ENGINE: Febus = Febus;

/// Choices xdas leaves to the user when reading Febus files (all optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FebusOptions {
    /// Rows trimmed at the start and at the end of every block (time-domain zones).
    /// Default: the rows beyond one block period, split in two halves.
    pub overlaps: Option<(usize, usize)>,
    /// The row of each block its stamp refers to (time-domain zones). Default: from the
    /// zone's `Origin[1]`, else the middle row.
    pub offset: Option<i64>,
    /// The source and zone groups to read (`("Source1", "Zone1")`); required when the
    /// file holds several.
    pub zone: Option<(String, String)>,
    /// Read the rows as frequencies: a `time × frequency × distance` array, one time
    /// label per block. Right for spectral zones (a dataset named `PSD [...]`), which
    /// the default reads as time samples like xdas and DASCore (flagged by the
    /// `febus_content = "psd"` attribute). Applied whatever the dataset's name.
    pub spectra: bool,
    /// Keep the exact sampling interval of `Spacing[1]` (time-domain reading) instead
    /// of rounding it to the µs as xdas does. Changes nothing when `Spacing[1]` is a
    /// whole number of µs.
    pub exact_step: bool,
}

impl Engine for Febus {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        let devices = f.member_names().unwrap_or_default();
        if devices.is_empty() {
            return Err("the file is empty".into());
        }
        for d in &devices {
            let Ok(dev) = f.group(d) else { continue };
            for s in dev.member_names().unwrap_or_default() {
                let Ok(src) = dev.group(&s) else { continue };
                if !s.starts_with("Source") || src.dataset("time").is_err() {
                    continue;
                }
                for z in src.member_names().unwrap_or_default() {
                    if z.starts_with("Zone")
                        && let Ok(zone) = src.group(&z)
                        && zone.attr("Spacing").is_ok()
                    {
                        return Ok(());
                    }
                }
            }
        }
        Err("no /<device>/Source*/Zone* group with Spacing next to a time dataset".into())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        open_with_options(path, &FebusOptions::default())
    }
}

/// Open a Febus file with explicit [`FebusOptions`] (overlaps, stamp offset, zone,
/// spectral reading, exact step); `open_with_options(path, &Default::default())` is
/// what `xdas_io::open` gives.
///
/// ```no_run
/// use xdas_io::vendors::febus::{self, FebusOptions};
/// // the default: rows as time samples, as xdas 0.2.10 (flagged when they are spectra)
/// let da = febus::open_with_options("febus_2.h5", &FebusOptions::default()).unwrap();
/// assert_eq!(da.dims(), ["time", "distance"]);
/// let spectra = FebusOptions { spectra: true, ..Default::default() };
/// let psd = febus::open_with_options("febus_2.h5", &spectra).unwrap();
/// assert_eq!(psd.dims(), ["time", "frequency", "distance"]);
/// ```
pub fn open_with_options(path: impl AsRef<Path>, options: &FebusOptions) -> Result<LazyArray> {
    let path = path.as_ref();
    let file = h5::open(path)?;
    let fail = |m: String| IoError::format(path, NAME, m);
    let loc = locate(&file, options.zone.as_ref()).map_err(fail)?;
    let zone_path = format!("{}/{}/{}", loc.device, loc.source, loc.zone);
    let zone = file
        .group(&zone_path)
        .map_err(|e| fail(format!("/{zone_path}: {e}")))?;
    let src = file
        .group(&format!("{}/{}", loc.device, loc.source))
        .map_err(|e| fail(format!("/{}/{}: {e}", loc.device, loc.source)))?;
    let floats = |name: &str, n: usize| -> std::result::Result<Vec<f64>, String> {
        match attr_f64s(&zone, name)? {
            Some(v) if v.len() >= n && v.iter().take(n).all(|x| x.is_finite()) => Ok(v),
            Some(v) => Err(format!(
                "/{zone_path} attribute {name} is {v:?}, expected {n} finite numbers"
            )),
            None => Err(format!("/{zone_path} has no attribute {name}")),
        }
    };
    let spacing = floats("Spacing", 2).map_err(fail)?;
    let extent = floats("Extent", 4).map_err(fail)?;
    let origin = floats("Origin", 2).map_err(fail)?;

    let ds_path = format!("/{zone_path}/{}", loc.dataset);
    let data = numeric_dataset(&file, path, &ds_path, NAME)?;
    let shape = data.shape();
    let [nblocks, nrows, nx] = shape[..] else {
        return Err(fail(format!(
            "{ds_path} has shape {shape:?}, expected (block, row, distance)"
        )));
    };
    if nblocks == 0 || nrows == 0 {
        return Err(fail(format!("{ds_path} holds no blocks")));
    }

    // one stamp per block, rounded to the µs
    let time_path = format!("{}/{}/time", loc.device, loc.source);
    let raw = ds_f64s(&file, &time_path).map_err(fail)?;
    if raw.len() != nblocks {
        return Err(fail(format!(
            "/{time_path} holds {} stamps for {nblocks} blocks",
            raw.len()
        )));
    }
    let stamps = raw
        .iter()
        .map(|&t| {
            // as xdas (`rint(1e6 · t)`): the product in f64, ties to even
            let us = (t * 1e6).round_ties_even();
            (us.is_finite() && us.abs() < 9.2e15).then(|| Datetime::from_ns(us as i64 * 1000))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| fail(format!("/{time_path} holds values that are not times")))?;

    let dx = spacing[0];
    if !positive(dx) {
        return Err(fail(format!("Spacing[0] = {dx} is not a channel spacing")));
    }
    let distance = Coordinate::from_block(origin[0] + extent[0] * dx, nx, dx, "distance");
    let block_rate = block_rate_mhz(&zone, &src).map_err(fail)?;
    let (base, units) = split_name(&loc.dataset);
    let name = Some(snake_case(base)).filter(|s| !s.is_empty());

    let spectral = is_spectral(base);
    let mut attrs = units.map(|u| {
        let mut a = Attrs::new();
        a.insert("units", u);
        a
    });
    if spectral {
        // the dataset's name says spectra: say so in every reading
        attrs
            .get_or_insert_with(Attrs::new)
            .insert("febus_content", "psd");
    }

    if options.spectra {
        let df = spacing[1];
        if !positive(df) {
            return Err(fail(format!("Spacing[1] = {df} is not a frequency step")));
        }
        let frequency = Coordinate::from_block(origin[1] + extent[2] * df, nrows, df, "frequency");
        let time = block_stamps(&stamps, block_rate).map_err(fail)?;
        return LazyArray::new(
            Arc::new(data.describe()),
            vec!["time".into(), "frequency".into(), "distance".into()],
            vec![
                ("time".into(), time),
                ("frequency".into(), frequency),
                ("distance".into(), distance),
            ],
            name,
            attrs,
            NAME,
        );
    }
    if spectral {
        attrs.get_or_insert_with(Attrs::new).insert(
            "febus_note",
            format!(
                "{ds_path} holds power spectral densities: its rows are frequencies, read \
                 here as time samples like xdas 0.2.10 and DASCore 0.1.24; open it with \
                 febus::FebusOptions {{ spectra: true, .. }} for (time, frequency, distance)"
            ),
        );
    }

    // time-domain reading: trim the overlaps and join the blocks
    let dt_ms = spacing[1];
    if !(positive(dt_ms) && dt_ms < 1e9) {
        return Err(fail(format!(
            "Spacing[1] = {dt_ms} ms is not a sampling interval"
        )));
    }
    let (skip, keep) = match options.overlaps {
        Some((a, b)) => {
            if a.saturating_add(b) >= nrows {
                return Err(fail(format!(
                    "overlaps ({a}, {b}) leave nothing of blocks of {nrows} rows"
                )));
            }
            (a, nrows - a - b)
        }
        None => {
            let mhz = block_rate.ok_or_else(|| {
                fail(format!(
                    "/{zone_path} has neither BlockRate nor FreqRes: give the overlaps"
                ))
            })?;
            let keep = (1e6 / (mhz * dt_ms)).round();
            if !(keep.is_finite() && keep >= 1.0) {
                return Err(fail(format!(
                    "a block period of {} s holds no sample of {dt_ms} ms",
                    1e3 / mhz
                )));
            }
            // blocks shorter than the period (no overlap) are kept whole: gaps follow
            let keep = (keep as usize).min(nrows);
            let excess = nrows - keep;
            (excess / 2, keep)
        }
    };
    let stamp_row = match options.offset {
        Some(o) => o as f64,
        None if origin[1] != 0.0 => -origin[1] / dt_ms,
        None => (nrows / 2) as f64,
    };
    // from the stamp to the first kept row, with the exact interval (as xdas)
    let shift_ns = (skip as f64 - stamp_row) * dt_ms * 1e6;
    let shift_ns = if options.exact_step {
        shift_ns.round()
    } else {
        // on the µs grid of the stamps, as xdas's labels
        (shift_ns / 1e3).round_ties_even() * 1e3
    };
    if !(shift_ns.is_finite() && shift_ns.abs() < 1e18) {
        return Err(fail(format!(
            "stamp offset row {stamp_row} is out of range"
        )));
    }
    let (num, den) = sample_interval(dt_ms, options.exact_step);
    let starts = stamps
        .iter()
        .map(|t| {
            i64::try_from(t.ns() as i128 + shift_ns as i128)
                .ok()
                .map(Datetime::from_ns)
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| fail("block start times are out of range".into()))?;
    let total = nblocks.saturating_mul(keep);
    if starts
        .iter()
        .any(|&t| !fits_time_range(t, total, num.ns(), den))
    {
        return Err(fail(format!(
            "{total} samples of {dt_ms} ms from the block stamps run out of the datetime range"
        )));
    }
    let time = joined_blocks(&starts, keep, num, den);
    let source = Blocks {
        inner: data.describe(),
        skip,
        keep,
    };
    LazyArray::new(
        Arc::new(source),
        vec!["time".into(), "distance".into()],
        vec![("time".into(), time), ("distance".into(), distance)],
        name,
        attrs,
        NAME,
    )
}

/// Where the zone to read is.
struct Location {
    device: String,
    source: String,
    zone: String,
    dataset: String,
}

fn locate(
    file: &hdf5::File,
    want: Option<&(String, String)>,
) -> std::result::Result<Location, String> {
    let devices: Vec<String> = file
        .member_names()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| file.group(d).is_ok())
        .collect();
    let [device] = &devices[..] else {
        return Err(format!(
            "expected one device group at the root, found {devices:?}"
        ));
    };
    let dev = file.group(device).map_err(|e| e.to_string())?;
    let mut zones = Vec::new();
    for s in dev.member_names().unwrap_or_default() {
        let Ok(src) = dev.group(&s) else { continue };
        if !s.starts_with("Source") {
            continue;
        }
        for z in src.member_names().unwrap_or_default() {
            if z.starts_with("Zone") && src.group(&z).is_ok() {
                zones.push((s.clone(), z));
            }
        }
    }
    let (source, zone) = match want {
        Some(w) => zones
            .iter()
            .find(|z| *z == w)
            .cloned()
            .ok_or_else(|| format!("no zone {}/{} (the file has {zones:?})", w.0, w.1))?,
        None => match &zones[..] {
            [one] => one.clone(),
            [] => return Err(format!("/{device} holds no Source*/Zone* group")),
            many => {
                return Err(format!(
                    "the file holds {} zones {many:?}: choose one with febus::open_with_options",
                    many.len()
                ));
            }
        },
    };
    let zg = dev
        .group(&format!("{source}/{zone}"))
        .map_err(|e| e.to_string())?;
    let datasets: Vec<String> = zg
        .member_names()
        .unwrap_or_default()
        .into_iter()
        .filter(|n| zg.dataset(n).is_ok())
        .collect();
    let [dataset] = &datasets[..] else {
        return Err(format!(
            "/{device}/{source}/{zone} holds {} datasets {datasets:?}, expected one",
            datasets.len()
        ));
    };
    Ok(Location {
        device: device.clone(),
        source,
        zone,
        dataset: dataset.clone(),
    })
}

/// Blocks per 1000 s (`BlockRate`, or `FreqRes` in older files) of the zone, else of its
/// source; `None` when neither declares it.
fn block_rate_mhz(
    zone: &hdf5::Group,
    src: &hdf5::Group,
) -> std::result::Result<Option<f64>, String> {
    for loc in [zone, src] {
        for name in ["BlockRate", "FreqRes"] {
            if let Some(v) = attr_f64s(loc, name)? {
                return match v.first() {
                    Some(&r) if r.is_finite() && r > 0.0 => Ok(Some(r)),
                    _ => Err(format!("attribute {name} is {v:?}, not a block rate")),
                };
            }
        }
    }
    Ok(None)
}

/// `"PSD [dB re 1 nStrain|sqrt(Hz)]"` → (`"PSD"`, `Some("dB re 1 nStrain|sqrt(Hz)")`).
fn split_name(name: &str) -> (&str, Option<&str>) {
    match name.find('[') {
        Some(i) if name.trim_end().ends_with(']') => {
            let units = name[i + 1..name.trim_end().len() - 1].trim();
            (name[..i].trim(), Some(units).filter(|u| !u.is_empty()))
        }
        _ => (name.trim(), None),
    }
}

/// Whether a zone's dataset holds spectra rather than samples.
fn is_spectral(base: &str) -> bool {
    let up = base.to_ascii_uppercase();
    up.starts_with("PSD") || up.contains("SPECTR")
}

/// `"StrainRate"` → `"strain_rate"`, `"PSD"` → `"psd"` (xdas's array name).
fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase()));
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The sampling interval of the time-domain reading: `dt_ms` rounded to the µs (as
/// xdas, `rint(1000 · dt_ms)` µs), or with `exact` (or when it rounds to 0 µs) the
/// exact rate of [`exact_interval`].
fn sample_interval(dt_ms: f64, exact: bool) -> (Timedelta, u64) {
    let us = (dt_ms * 1e3).round_ties_even();
    if exact || !(1.0..9.2e12).contains(&us) {
        return exact_interval(dt_ms);
    }
    (Timedelta::from_ns(us as i64 * 1000), 1)
}

/// The sampling interval `dt_ms` as an exact rate: `1 s / f` when `1000 / dt_ms` is a
/// whole frequency `f`, else whole nanoseconds.
fn exact_interval(dt_ms: f64) -> (Timedelta, u64) {
    let f = 1e3 / dt_ms;
    let whole = f.round();
    if (1.0..1e12).contains(&whole) && (f - whole).abs() <= 1e-9 * f {
        (Timedelta::from_ns(1_000_000_000), whole as u64)
    } else {
        (Timedelta::from_ns((dt_ms * 1e6).round().max(1.0) as i64), 1)
    }
}

/// One label per block (spectral zones): regular at the block rate when the stamps
/// follow it to the µs, else every stamp a tie point.
fn block_stamps(
    stamps: &[Datetime],
    rate_mhz: Option<f64>,
) -> std::result::Result<Coordinate, String> {
    let n = stamps.len();
    let period = 1_000_000_000_000;
    if let Some(mhz) = rate_mhz.filter(|r| {
        r.fract() == 0.0 && *r < 1e12 && fits_time_range(stamps[0], n, period, *r as u64)
    }) {
        let num = Timedelta::from_ns(period);
        let c = InterpCoordinate::from_block(stamps[0], n, num, mhz as u64, None);
        let fits = stamps.iter().enumerate().all(|(k, t)| {
            c.value(k)
                .is_ok_and(|v| (v.ns() as i128 - t.ns() as i128).abs() <= 1000)
        });
        if fits {
            return Ok(Coordinate::new(c, "time"));
        }
    }
    if stamps.windows(2).any(|w| w[1] <= w[0]) {
        return Err("the block stamps do not increase".into());
    }
    let c = InterpCoordinate::new((0..n).collect(), stamps.to_vec()).map_err(|e| e.to_string())?;
    Ok(Coordinate::new(c, "time"))
}

/// Blocks of `keep` samples from each start: one regular block when they join
/// seamlessly, else one segment per block (gaps and overlaps as tie points).
fn joined_blocks(starts: &[Datetime], keep: usize, num: Timedelta, den: u64) -> Coordinate {
    let first = InterpCoordinate::from_block(starts[0], starts.len() * keep, num, den, None);
    let seamless = starts
        .iter()
        .enumerate()
        .all(|(k, t)| first.value(k * keep).is_ok_and(|v| v == *t));
    if seamless {
        return Coordinate::new(first, "time");
    }
    let blocks: Vec<InterpCoordinate<Datetime>> = starts
        .iter()
        .map(|&t| InterpCoordinate::from_block(t, keep, num, den, None))
        .collect();
    let refs: Vec<&InterpCoordinate<Datetime>> = blocks.iter().collect();
    Coordinate::new(InterpCoordinate::concat(&refs), "time")
}

/// The kept rows of every block of a `(block, row, distance)` stack, as one
/// `time × distance` array.
#[derive(Debug)]
struct Blocks {
    inner: H5DatasetRef,
    /// Rows trimmed at the start of each block.
    skip: usize,
    /// Rows kept per block.
    keep: usize,
}

impl Source for Blocks {
    fn shape(&self) -> Vec<usize> {
        let s = self.inner.shape();
        vec![s[0] * self.keep, s[2]]
    }
    fn dtype(&self) -> DType {
        self.inner.dtype()
    }
    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        let shape = self.shape();
        if region.len() != 2
            || region
                .iter()
                .zip(&shape)
                .any(|(r, &n)| r.start > r.end || r.end > n)
        {
            return Err(IoError::Invalid(format!(
                "region {region:?} is outside an array of shape {shape:?}"
            )));
        }
        let (rows, cols) = (&region[0], &region[1]);
        let window = self.skip..self.skip + self.keep;
        let (first, last) = if rows.is_empty() {
            (0, 0)
        } else {
            (rows.start / self.keep, (rows.end - 1) / self.keep + 1)
        };
        // the touched blocks' kept windows, in one hyperslab
        let stack = self.inner.read(&[first..last, window, cols.clone()])?;
        let n = (last - first) * self.keep;
        let (a, b) = if rows.is_empty() {
            (0, 0)
        } else {
            (rows.start - first * self.keep, rows.end - first * self.keep)
        };
        let bad = |e: ndarray::ShapeError| IoError::Invalid(format!("Febus blocks: {e}"));
        Ok(crate::each_data!(stack, s => {
            let flat = s.into_shape_with_order(IxDyn(&[n, cols.len()])).map_err(bad)?;
            Data::from(flat.slice_axis(Axis(0), Slice::from(a..b)).to_owned())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake_case("StrainRate"), "strain_rate");
        assert_eq!(snake_case("PSD"), "psd");
        assert_eq!(snake_case("StrainRateRMS"), "strain_rate_rms");
        assert_eq!(snake_case("Strain rate 2"), "strain_rate_2");
        assert_eq!(
            split_name("PSD [dB re 1 nStrain|sqrt(Hz)]"),
            ("PSD", Some("dB re 1 nStrain|sqrt(Hz)"))
        );
        assert_eq!(split_name("StrainRate"), ("StrainRate", None));
        assert_eq!(split_name("X []"), ("X", None));
        assert!(is_spectral("PSD"));
        assert!(!is_spectral("StrainRate"));
    }

    #[test]
    fn intervals() {
        // xdas's µs rounding by default, exact on request
        assert_eq!(
            sample_interval(0.952_380_952_380_952_4, false),
            (Timedelta::from_ns(952_000), 1)
        );
        assert_eq!(
            sample_interval(0.952_380_952_380_952_4, true),
            (Timedelta::from_ns(1_000_000_000), 1050)
        );
        assert_eq!(
            sample_interval(0.2, false),
            (Timedelta::from_ns(200_000), 1)
        );
        // below half a µs the rounding would give 0: the exact interval instead
        assert_eq!(
            sample_interval(0.0004, false),
            (Timedelta::from_ns(1_000_000_000), 2_500_000)
        );
        assert_eq!(
            exact_interval(0.2),
            (Timedelta::from_ns(1_000_000_000), 5000)
        );
        assert_eq!(
            exact_interval(0.952_380_952_380_952_4),
            (Timedelta::from_ns(1_000_000_000), 1050)
        );
        assert_eq!(
            exact_interval(0.123_456_7),
            (Timedelta::from_ns(123_457), 1)
        );
    }
}
