//! PRODML 2.0 / 2.1 DAS files: Silixa iDAS HDF5, OptaSense, Sintela, Fosina, ...
//!
//! # Layout
//!
//! ```text
//! /Acquisition                        @schemaVersion, @SpatialSamplingInterval,
//!                                     @StartLocusIndex, @NumberOfLoci, ...
//! /Acquisition/Raw[0]/RawData         (time, locus) samples, @Dimensions,
//!                                     @PartStartTime, @PartEndTime (ISO-8601)
//! /Acquisition/Raw[0]/RawDataTime     per-sample time stamps (µs since the epoch)
//! /Acquisition/Processed/Fbe[0]/FbeData[i]     frequency band energy, one band each
//! /Acquisition/Processed/Fbe[0]/FbeDataTime
//! ```
//!
//! # Reading
//!
//! * **Raw data** (`Raw[k]/RawData`, the lowest `k` holding data) opens as a lazy
//!   `("time", "distance")` array of the stored type. A `Dimensions` attribute reading
//!   `locus, time` is honoured by a transposed view.
//! * **Time**: tie points at the first and last sample from `PartStartTime` /
//!   `PartEndTime`, with the exact rate `(end - start) / (n - 1)`, as xdas does. When
//!   the per-sample `RawDataTime` stamps disagree with those strings by more than
//!   their 1 µs resolution but by less than ten samples, the stamps win: DASCore
//!   documents files whose `PartEndTime` is off (its issue #414), while stamps
//!   farther off than that are more likely in another unit than right.
//! * **Distance**: `SpatialSamplingInterval × StartLocusIndex` onwards, every
//!   `SpatialSamplingInterval`. PRODML counts loci from the interrogator's connector
//!   for the acquisition and for each raw / FBE node alike, so the node's own
//!   `StartLocusIndex` is used (falling back to the acquisition's); for the raw data of
//!   every file seen they are equal, which is what xdas uses.
//! * **FBE files** (`Processed/Fbe[k]`, read only when there is no raw data) hold one
//!   `(time, locus)` array per frequency band, all of one shape. They open as one lazy
//!   `("time", "distance", "band")` array (DASCore returns one 2-D patch per band):
//!   coordinate `band` holds the band numbers `i` of `FbeData[i]`, and
//!   `start_frequency` / `end_frequency` (Hz) label the bands. `isel("band", i, i + 1)`
//!   gives DASCore's patch `i`. [`open_fbe`] opens the FBE data of files that also
//!   hold raw data.
//!
//! Attributes kept: `schema_version`, `vendor`, `gauge_length`, `pulse_rate`,
//! `pulse_width`, `data_units`, `description` where present.
//!
//! ```no_run
//! let da = xdas_io::open("iDAS005_hdf5_example.626.h5").unwrap();
//! assert_eq!(da.engine(), "prodml");
//! assert_eq!(da.dims(), ["time", "distance"]);
//! ```

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use hdf5::{File, Group, Location};
use ndarray::{ArrayD, Axis, IxDyn};
use xdas_core::coords::InterpCoordinate;
use xdas_core::{AttrValue, Attrs, Coordinate, DType, Datetime, Timedelta, Tolerance, Values};

use crate::data::Data;
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::h5::{self, H5Dataset};
use crate::lazy::{LazyArray, Source, Transposed};

const NAME: &str = "prodml";

/// The PRODML engine (`"prodml"`).
///
/// Recognises files with an `/Acquisition` group carrying the PRODML
/// `schemaVersion` and `SpatialSamplingInterval` attributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProdMl;

/// The engine instance registered in `vendors::ENGINES`.
pub(crate) static ENGINE: ProdMl = ProdMl;

impl Engine for ProdMl {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let f = probe.hdf5()?;
        let acq = f
            .group("Acquisition")
            .map_err(|_| "no /Acquisition group".to_string())?;
        for a in ["schemaVersion", "SpatialSamplingInterval"] {
            if acq.attr(a).is_err() {
                return Err(format!("/Acquisition has no {a:?} attribute"));
            }
        }
        Ok(())
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let f = h5::open(path)?;
        let ctx = Ctx::new(&f, path)?;
        if let Some(raw) = ctx.raw_node() {
            return ctx.open_raw(&raw);
        }
        match ctx.fbe_node() {
            Some(fbe) => ctx.open_fbe(&fbe),
            None => Err(ctx.err(
                "no data: neither /Acquisition/Raw[*]/RawData nor \
                 /Acquisition/Processed/Fbe[*]/FbeData[*] is present",
            )),
        }
    }
}

/// Open the frequency-band-energy data of a PRODML file (`Processed/Fbe[k]`, lowest
/// `k`) as a lazy `("time", "distance", "band")` array, also when the file holds raw
/// data (which [`crate::open`] prefers).
///
/// ```no_run
/// let fbe = xdas_io::vendors::prodml::open_fbe("prodml_fbe_1.h5".as_ref()).unwrap();
/// assert_eq!(fbe.dims(), ["time", "distance", "band"]);
/// let band0 = fbe.isel("band", 0, 1).unwrap();
/// ```
pub fn open_fbe(path: &Path) -> Result<LazyArray> {
    let f = h5::open(path)?;
    let ctx = Ctx::new(&f, path)?;
    let fbe = ctx.fbe_node().ok_or_else(|| {
        ctx.err("no /Acquisition/Processed/Fbe[*] group with FbeData[*] datasets")
    })?;
    ctx.open_fbe(&fbe)
}

/// What every node of one file shares.
struct Ctx<'a> {
    file: &'a File,
    path: &'a Path,
    acq: Group,
    /// `SpatialSamplingInterval` (m).
    dx: f64,
    /// The acquisition's `StartLocusIndex`.
    start_locus: i64,
    attrs: Attrs,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a File, path: &'a Path) -> Result<Ctx<'a>> {
        let err = |m: String| IoError::format(path, NAME, m);
        let acq = file
            .group("Acquisition")
            .map_err(|_| err("no /Acquisition group".into()))?;
        let dx = req_f64(&acq, "SpatialSamplingInterval", "/Acquisition").map_err(err)?;
        if !(dx.is_finite() && dx > 0.0) {
            return Err(err(format!(
                "/Acquisition SpatialSamplingInterval is {dx}, not a positive spacing"
            )));
        }
        let start_locus = h5::attr_i64(&acq, "StartLocusIndex")
            .map_err(|e| err(format!("/Acquisition: {e}")))?
            .unwrap_or(0);
        let mut attrs = Attrs::new();
        if let Some(v) = acq
            .attr("schemaVersion")
            .ok()
            .and_then(|a| h5::attr_value(&a))
        {
            attrs.insert("schema_version", display_attr(&v));
        }
        for (key, names) in [
            ("vendor", &["VendorCode", "ServiceCompanyName"][..]),
            ("gauge_length", &["GaugeLength"]),
            ("pulse_rate", &["PulseRate"]),
            ("pulse_width", &["PulseWidth"]),
        ] {
            copy_first(&acq, names, key, &mut attrs);
        }
        Ok(Ctx {
            file,
            path,
            acq,
            dx,
            start_locus,
            attrs,
        })
    }

    fn err(&self, m: impl Into<String>) -> IoError {
        IoError::format(self.path, NAME, m)
    }

    /// The lowest-numbered `Raw[k]` group holding a `RawData` dataset.
    fn raw_node(&self) -> Option<(String, Group)> {
        indexed_members(&self.acq, "Raw[")
            .into_iter()
            .filter_map(|(_, name)| {
                let g = self.acq.group(&name).ok()?;
                g.dataset("RawData").ok()?;
                Some((format!("/Acquisition/{name}"), g))
            })
            .next()
    }

    /// The lowest-numbered `Processed/Fbe[k]` group holding `FbeData[i]` datasets.
    fn fbe_node(&self) -> Option<(String, Group)> {
        let processed = self.acq.group("Processed").ok()?;
        indexed_members(&processed, "Fbe[")
            .into_iter()
            .filter_map(|(_, name)| {
                let g = processed.group(&name).ok()?;
                if indexed_members(&g, "FbeData[").is_empty() {
                    return None;
                }
                Some((format!("/Acquisition/Processed/{name}"), g))
            })
            .next()
    }

    /// The distance coordinate of a node with `nd` loci.
    fn distance(&self, node: &Group, where_: &str, nd: usize) -> Result<Coordinate> {
        let start = h5::attr_i64(node, "StartLocusIndex")
            .map_err(|e| self.err(format!("{where_}: {e}")))?
            .unwrap_or(self.start_locus);
        Ok(Coordinate::from_block(
            self.dx * start as f64,
            nd,
            self.dx,
            "distance",
        ))
    }

    fn open_raw(&self, (node_path, node): &(String, Group)) -> Result<LazyArray> {
        let ds_path = format!("{node_path}/RawData");
        let ds = H5Dataset::open(self.file, self.path, &ds_path)?;
        let shape = ds.dataset().shape();
        let swapped =
            layout(ds.dataset(), node, &shape).map_err(|e| self.err(format!("{ds_path}: {e}")))?;
        let (nt, nd) = if swapped {
            (shape[1], shape[0])
        } else {
            (shape[0], shape[1])
        };
        if nt == 0 || nd == 0 {
            return Err(self.err(format!("{ds_path} is empty (shape {shape:?})")));
        }
        let stamps = node.dataset("RawDataTime").ok();
        let (start, end) = part_times(&[Some(ds.dataset()), stamps.as_ref()])
            .map_err(|e| self.err(format!("{ds_path}: {e}")))?;
        let time = self
            .time(start, end, nt, stamps.as_ref())
            .map_err(|e| self.err(format!("{node_path}: {e}")))?;
        let distance = self.distance(node, node_path, nd)?;

        let mut attrs = self.attrs.clone();
        copy_first(node, &["RawDataUnit"], "data_units", &mut attrs);
        copy_first(node, &["RawDescription"], "description", &mut attrs);
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

    fn open_fbe(&self, (node_path, node): &(String, Group)) -> Result<LazyArray> {
        let members = indexed_members(node, "FbeData[");
        let mut bands: Vec<Arc<dyn Source>> = Vec::with_capacity(members.len());
        let mut numbers = Vec::with_capacity(members.len());
        let mut f_lo = Vec::with_capacity(members.len());
        let mut f_hi = Vec::with_capacity(members.len());
        let mut first: Option<(Vec<usize>, DType, bool, hdf5::Dataset)> = None;
        for (i, name) in &members {
            let ds_path = format!("{node_path}/{name}");
            let ds = H5Dataset::open(self.file, self.path, &ds_path)?;
            let shape = ds.dataset().shape();
            let swapped = layout(ds.dataset(), node, &shape)
                .map_err(|e| self.err(format!("{ds_path}: {e}")))?;
            match &first {
                None => first = Some((shape.clone(), ds.dtype(), swapped, ds.dataset().clone())),
                Some((s, t, sw, _)) => {
                    if *s != shape || *t != ds.dtype() || *sw != swapped {
                        return Err(self.err(format!(
                            "{ds_path} is {:?} {shape:?}, unlike the first band ({t:?} {s:?})",
                            ds.dtype()
                        )));
                    }
                }
            }
            let lo = h5::attr_f64(ds.dataset(), "StartFrequency").ok().flatten();
            let hi = h5::attr_f64(ds.dataset(), "EndFrequency").ok().flatten();
            f_lo.push(lo);
            f_hi.push(hi);
            numbers.push(*i as i64);
            bands.push(if swapped {
                Arc::new(Transposed::new(Arc::new(ds.describe()), vec![1, 0])?)
            } else {
                Arc::new(ds.describe())
            });
        }
        let Some((shape, dtype, swapped, first_ds)) = first else {
            return Err(self.err(format!("{node_path} has no FbeData[*] dataset")));
        };
        let (nt, nd) = if swapped {
            (shape[1], shape[0])
        } else {
            (shape[0], shape[1])
        };
        if nt == 0 || nd == 0 {
            return Err(self.err(format!("{node_path} FbeData are empty (shape {shape:?})")));
        }
        let stamps = node.dataset("FbeDataTime").ok();
        let (start, end) = part_times(&[stamps.as_ref(), Some(&first_ds)])
            .map_err(|e| self.err(format!("{node_path}: {e}")))?;
        let time = self
            .time(start, end, nt, stamps.as_ref())
            .map_err(|e| self.err(format!("{node_path}: {e}")))?;
        let distance = self.distance(node, node_path, nd)?;

        let mut coords = vec![
            ("time".to_string(), time),
            ("distance".to_string(), distance),
            (
                "band".to_string(),
                Coordinate::dense(Values::I64(numbers), "band"),
            ),
        ];
        if let (Some(lo), Some(hi)) = (
            f_lo.into_iter().collect::<Option<Vec<f64>>>(),
            f_hi.into_iter().collect::<Option<Vec<f64>>>(),
        ) {
            coords.push((
                "start_frequency".into(),
                Coordinate::dense(Values::F64(lo), "band"),
            ));
            coords.push((
                "end_frequency".into(),
                Coordinate::dense(Values::F64(hi), "band"),
            ));
        }
        let mut attrs = self.attrs.clone();
        copy_first(node, &["FbeDataUnit"], "data_units", &mut attrs);
        for (key, name) in [
            ("transform_type", "TransformType"),
            ("transform_size", "TransformSize"),
            ("window_function", "WindowFunction"),
            ("window_size", "WindowSize"),
            ("window_overlap", "WindowOverlap"),
            ("raw_reference", "RawReference"),
        ] {
            copy_first(node, &[name], key, &mut attrs);
        }
        let source = Arc::new(Bands {
            bands,
            nt,
            nd,
            dtype,
        });
        LazyArray::new(
            source,
            vec!["time".into(), "distance".into(), "band".into()],
            coords,
            None,
            Some(attrs),
            NAME,
        )
    }

    /// The time coordinate from the part's start and end strings, cross-checked with
    /// the per-sample stamps (µs) when the file has them.
    fn time(
        &self,
        start: Datetime,
        end: Datetime,
        nt: usize,
        stamps: Option<&hdf5::Dataset>,
    ) -> std::result::Result<Coordinate, String> {
        let (mut start, mut end) = (start, end);
        if nt >= 2
            && let Some(ds) = stamps
            && ds.shape() == [nt]
            && let Some((first, last)) = end_stamps_us(ds, self.path)
        {
            let step = (end.ns().saturating_sub(start.ns()) / (nt as i64 - 1)).max(1);
            // agree to the stamps' 1 µs resolution: keep the ns-precise strings
            let fix = |attr: Datetime, us: i64| -> Datetime {
                let ns = us.saturating_mul(1000);
                let off = ns.saturating_sub(attr.ns()).saturating_abs();
                if off >= 1000 && off < step.saturating_mul(10) {
                    Datetime::from_ns(ns)
                } else {
                    attr
                }
            };
            start = fix(start, first);
            end = fix(end, last);
        }
        regular_time(start, end, nt)
    }
}

/// First and last value of a 1-D integer stamp array (µs).
fn end_stamps_us(ds: &hdf5::Dataset, path: &Path) -> Option<(i64, i64)> {
    let src = H5Dataset::from_dataset(ds.clone(), path, "time stamps").ok()?;
    let n = ds.shape().first().copied()?;
    if n == 0 {
        return None;
    }
    let first = int_values(src.read(std::slice::from_ref(&(0..1))).ok()?)?;
    let last = int_values(src.read(std::slice::from_ref(&(n - 1..n))).ok()?)?;
    Some((*first.first()?, *last.first()?))
}

/// `PartStartTime` / `PartEndTime` from the first of `nodes` that has both (also
/// `StartTime` / `EndTime`).
fn part_times(
    nodes: &[Option<&hdf5::Dataset>],
) -> std::result::Result<(Datetime, Datetime), String> {
    for ds in nodes.iter().flatten() {
        let get = |names: &[&str]| -> std::result::Result<Option<Datetime>, String> {
            for n in names {
                if let Some(s) = h5::attr_str(ds, n)? {
                    return parse_time(&s)
                        .map(Some)
                        .map_err(|e| format!("attribute {n:?}: {e}"));
                }
            }
            Ok(None)
        };
        let start = get(&["PartStartTime", "StartTime"])?;
        let end = get(&["PartEndTime", "EndTime"])?;
        if let (Some(s), Some(e)) = (start, end) {
            return Ok((s, e));
        }
    }
    Err("no PartStartTime / PartEndTime attributes".into())
}

/// Whether a 2-D PRODML array is stored `(locus, time)`: from its `Dimensions`
/// attribute (`["time", "locus"]` or `"time, locus"`), else from the node's
/// `NumberOfLoci`, else `(time, locus)` as the standard says.
fn layout(ds: &hdf5::Dataset, node: &Group, shape: &[usize]) -> std::result::Result<bool, String> {
    if shape.len() != 2 {
        return Err(format!("expected 2 dimensions, found shape {shape:?}"));
    }
    if let Some(v) = ds.attr("Dimensions").ok().and_then(|a| h5::attr_value(&a)) {
        return match dims_from_attr(&v)?.as_slice() {
            [Dim::Time, Dim::Distance] => Ok(false),
            [Dim::Distance, Dim::Time] => Ok(true),
            _ => Err(format!("unrecognised Dimensions attribute {v:?}")),
        };
    }
    let loci = h5::attr_i64(node, "NumberOfLoci").ok().flatten();
    Ok(loci.is_some_and(|n| n as usize == shape[0] && n as usize != shape[1]))
}

/// One axis of a vendor's dimension names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dim {
    Time,
    Distance,
}

/// Axis names from a `Dimensions`-like attribute: a string array or one string
/// separated by commas or spaces. `time*` is time; `locus`, `loci`, `distance`,
/// `channel(s)` are distance.
pub(super) fn dims_from_attr(v: &AttrValue) -> std::result::Result<Vec<Dim>, String> {
    let words: Vec<String> = match v {
        AttrValue::Str(s) => s
            .split([',', ' '])
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect(),
        AttrValue::StrArray(a) => a.clone(),
        other => return Err(format!("dimension names are not strings ({other:?})")),
    };
    words
        .iter()
        .map(|w| {
            let w = w.trim().to_ascii_lowercase();
            if w.starts_with("time") {
                Ok(Dim::Time)
            } else if matches!(
                w.as_str(),
                "locus" | "loci" | "distance" | "channel" | "channels"
            ) {
                Ok(Dim::Distance)
            } else {
                Err(format!("unknown dimension name {w:?}"))
            }
        })
        .collect()
}

/// Parse a vendor time string (ISO-8601, `T` or space, optional `Z` / offset).
pub(super) fn parse_time(s: &str) -> std::result::Result<Datetime, String> {
    Datetime::parse(s.trim()).map_err(|e| format!("{s:?} is not a time ({e})"))
}

/// A regular time axis of `n` samples from `start` to `end` (both included), with the
/// exact rate `(end - start) / (n - 1)`, as xdas builds PRODML time axes.
pub(super) fn regular_time(
    start: Datetime,
    end: Datetime,
    n: usize,
) -> std::result::Result<Coordinate, String> {
    match n {
        0 => Err("no time samples".into()),
        1 => InterpCoordinate::new(vec![0], vec![start])
            .map(|c| Coordinate::new(c, "time"))
            .map_err(|e| e.to_string()),
        _ => {
            let span = end
                .ns()
                .checked_sub(start.ns())
                .filter(|&d| d > 0)
                .ok_or_else(|| format!("end time {end} is not after start time {start}"))?;
            InterpCoordinate::new(vec![0, n - 1], vec![start, end])
                .and_then(|c| c.with_rate(Timedelta::from_ns(span), (n - 1) as u64, None))
                .map(|c| Coordinate::new(c, "time"))
                .map_err(|e| e.to_string())
        }
    }
}

/// A time axis from per-sample stamps (ns): two tie points with an exact rate when
/// every stamp lies within half a sample of the line through the first and the last
/// (the DASCore "snap"); otherwise every stamp as a tie point, simplified within half
/// a sample, so that gaps and jumps stay where they are.
pub(super) fn time_from_stamps(ns: &[i64]) -> std::result::Result<Coordinate, String> {
    let n = ns.len();
    let (Some(&first), Some(&last)) = (ns.first(), ns.last()) else {
        return Err("no time samples".into());
    };
    let as_time = |v: i64| Datetime::from_ns(v);
    if n == 1 {
        return regular_time(as_time(first), as_time(first), 1);
    }
    let span = last as i128 - first as i128;
    let den = (n - 1) as i128;
    let regular = span > 0
        && ns.iter().enumerate().all(|(k, &v)| {
            let line = first as i128 + span * k as i128 / den;
            // |v - line| <= step / 2  <=>  2 |v - line| (n - 1) <= span
            2 * (v as i128 - line).abs() * den <= span
        });
    if regular {
        return regular_time(as_time(first), as_time(last), n);
    }
    let half_step = Timedelta::from_ns((span.abs() / den / 2) as i64);
    InterpCoordinate::new((0..n).collect(), ns.iter().map(|&v| as_time(v)).collect())
        .map(|c| Coordinate::new(c.simplify(Tolerance::Delta(half_step), true, true), "time"))
        .map_err(|e| e.to_string())
}

/// Integers of a block as `i64` (`None` for floats and for `u64` beyond `i64`).
pub(super) fn int_values(d: Data) -> Option<Vec<i64>> {
    Some(match d {
        Data::I8(a) => a.iter().map(|&v| v as i64).collect(),
        Data::I16(a) => a.iter().map(|&v| v as i64).collect(),
        Data::I32(a) => a.iter().map(|&v| v as i64).collect(),
        Data::I64(a) => a.into_iter().collect(),
        Data::U8(a) => a.iter().map(|&v| v as i64).collect(),
        Data::U16(a) => a.iter().map(|&v| v as i64).collect(),
        Data::U32(a) => a.iter().map(|&v| v as i64).collect(),
        Data::U64(a) => return a.iter().map(|&v| i64::try_from(v).ok()).collect(),
        Data::F32(_) | Data::F64(_) => return None,
    })
}

/// A required number attribute.
pub(super) fn req_f64(loc: &Location, name: &str, what: &str) -> std::result::Result<f64, String> {
    h5::attr_f64(loc, name)
        .map_err(|e| format!("{what}: {e}"))?
        .ok_or_else(|| format!("{what} has no {name:?} attribute"))
}

/// Copy the first readable attribute among `names` into `attrs` as `key`.
pub(super) fn copy_first(loc: &Location, names: &[&str], key: &str, attrs: &mut Attrs) {
    for n in names {
        if let Some(v) = loc.attr(n).ok().and_then(|a| h5::attr_value(&a)) {
            let v = match v {
                AttrValue::StrArray(s) if s.len() == 1 => AttrValue::Str(s[0].clone()),
                AttrValue::IntArray(s) if s.len() == 1 => AttrValue::Int(s[0]),
                AttrValue::FloatArray(s) if s.len() == 1 => AttrValue::Float(s[0]),
                other => other,
            };
            attrs.insert(key, v);
            return;
        }
    }
}

fn display_attr(v: &AttrValue) -> String {
    match v {
        AttrValue::Str(s) => s.clone(),
        AttrValue::Int(i) => i.to_string(),
        AttrValue::Float(x) => x.to_string(),
        other => format!("{other:?}"),
    }
}

/// Members `prefix<k>]` of a group, sorted by `k`.
fn indexed_members(g: &Group, prefix: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = g
        .member_names()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| {
            let k = n.strip_prefix(prefix)?.strip_suffix(']')?.parse().ok()?;
            Some((k, n))
        })
        .collect();
    out.sort();
    out
}

/// FBE bands (each a `(time, distance)` source) as one `(time, distance, band)` source.
#[derive(Debug)]
struct Bands {
    bands: Vec<Arc<dyn Source>>,
    nt: usize,
    nd: usize,
    dtype: DType,
}

impl Source for Bands {
    fn shape(&self) -> Vec<usize> {
        vec![self.nt, self.nd, self.bands.len()]
    }
    fn dtype(&self) -> DType {
        self.dtype
    }
    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        let shape = self.shape();
        if region.len() != 3
            || region
                .iter()
                .zip(&shape)
                .any(|(r, &n)| r.start > r.end || r.end > n)
        {
            return Err(IoError::Invalid(format!(
                "region {region:?} is outside an array of shape {shape:?}"
            )));
        }
        let mut blocks = Vec::with_capacity(region[2].len());
        for b in region[2].clone() {
            let d = self.bands[b].read(&region[..2])?;
            blocks.push(crate::each_data!(d, a => Data::from(a.insert_axis(Axis(2)))));
        }
        if blocks.is_empty() {
            let want = [region[0].len(), region[1].len(), 0];
            let first = self
                .bands
                .first()
                .ok_or_else(|| IoError::Invalid("no FBE band to read".into()))?;
            let d = first.read(&[region[0].start..region[0].start, 0..0])?;
            return Ok(crate::each_data!(d, a => Data::from(empty_like(&a, &want))));
        }
        Data::concatenate(2, &blocks)
    }
}

fn empty_like<T: Default + Clone>(_like: &ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
    ArrayD::default(IxDyn(shape))
}
