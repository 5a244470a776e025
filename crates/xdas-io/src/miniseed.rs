//! miniSEED files (versions 2 and 3), decoded by libmseed through the `mseed` crate.
//!
//! Opening a file walks its records once and keeps, per trace (one network, station,
//! location and channel code), where each record lies and which samples it holds; no
//! sample is decoded. Reading a block decodes only the records that overlap it.
//!
//! # The array
//! - **One trace** → a 1-D `time` array, with the network, station, location and channel
//!   codes as scalar coordinates (as Python xdas reads it). Gaps and overlaps between its
//!   records become tie points of the time coordinate.
//! - **Several traces** (a DAS recording stored one trace per channel) → a `(time,
//!   channel)` array when every trace is continuous, has the same sample rate and starts
//!   at the same instant. `channel` holds the trace ids (`NET.STA.LOC.CHA`, ObsPy's and
//!   xdas's `from_stream` naming); `network`, `station` and `location` are scalar
//!   coordinates when all traces share them, otherwise non-dimensional coordinates along
//!   `channel`. Traces are taken in the order they first appear in the file.
//!
//!   Traces of one acquisition often end at different samples, because every channel's
//!   records are cut when a record is full and compression packs each channel differently.
//!   The array then covers the span all traces have: the first `min(lengths)` samples.
//!   `etna_9n_3chan_10s.mseed` is such a file: valid miniSEED 2 (Steim-2, 4096-byte
//!   records, 5 per trace) holding three traces `9N.00066..HSF`, `9N.00067..HSF` and
//!   `9N.00068..HSF` at 1 kHz from 2018-08-31T07:01:08.896 with 13 735, 13 729 and 13 556
//!   samples. Python xdas refuses it ("All traces must be synchronized") and DASCore has
//!   no miniSEED reader; here it opens as 13 556 × 3 int32, the last 179 and 173 samples of
//!   the two longer traces left out.
//!
//! Sample types follow the encoding, as libmseed decodes them: integer encodings (int16,
//! int32, Steim-1/2, legacy gain-ranged) give int32, float32 and GEOSCOPE encodings
//! float32, float64 float64. Text records (log channels) and records without samples are
//! skipped.
//!
//! # Damaged files
//! Every record is checked when the file is opened: bytes that are not a record header, a
//! record longer than what is left of the file (a truncated copy), an unknown encoding or
//! a bad sample rate give an [`IoError::Format`] naming the byte offset. Data that fail to
//! decode are reported the same way when read.
//!
//! ```no_run
//! use xdas_io::Engine;
//! use xdas_io::miniseed::MseedEngine;
//!
//! let da = MseedEngine.open("geofon_1D_HSF.mseed".as_ref())?;
//! assert_eq!(da.dims(), ["time"]);
//! let first_minute = da.isel("time", 0, 250 * 60)?.load()?;
//! # Ok::<(), xdas_io::IoError>(())
//! ```

use std::collections::HashMap;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mseed::{MSControlFlags, MSDataEncoding, MSRecord, MSSampleType};
use ndarray::{ArrayD, IxDyn};
use xdas_core::coords::InterpCoordinate;
use xdas_core::{Coordinate, DType, Datetime, Timedelta, Values};

use crate::data::Data;
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::lazy::{LazyArray, Source};
use crate::tdms::read_at;

const NAME: &str = "miniseed";
/// Bytes read ahead while walking the records.
const WINDOW: usize = 1 << 20;
/// Bytes enough to find a record's length (miniSEED 2 blockettes come early).
const PROBE: usize = 512;
/// Relative difference under which two sample rates are one (libmseed's default).
const RATE_TOLERANCE: f64 = 1e-4;

/// The miniSEED engine (`"miniseed"`, as in Python xdas).
///
/// ```no_run
/// use xdas_io::Engine;
/// let da = xdas_io::miniseed::MseedEngine.open("file.mseed".as_ref())?;
/// println!("{:?} {:?}", da.dims(), da.shape());
/// # Ok::<(), xdas_io::IoError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct MseedEngine;

/// The engine, for the registry.
pub(crate) static ENGINE: MseedEngine = MseedEngine;

impl Engine for MseedEngine {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let head = probe.head();
        if head.is_empty() {
            return Err("empty file".into());
        }
        match mseed::detect(head) {
            Ok(d) if d.format_version == 2 || d.format_version == 3 => Ok(()),
            Ok(d) => Err(format!(
                "miniSEED version {} is not supported",
                d.format_version
            )),
            Err(_) => Err("no miniSEED record header at byte 0".into()),
        }
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        let (file, traces) = scan(path)?;
        build(path, file, traces)
    }
}

/// Network, station, location and channel codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Nslc {
    net: String,
    sta: String,
    loc: String,
    cha: String,
}

impl Nslc {
    /// `NET.STA.LOC.CHA`.
    fn id(&self) -> String {
        format!("{}.{}.{}.{}", self.net, self.sta, self.loc, self.cha)
    }

    /// The codes from a record's own header bytes (libmseed's identifier accessors are not
    /// used: the `mseed` crate's copies overflow on long miniSEED 3 identifiers).
    fn from_record(rec: &[u8], version: u8) -> std::result::Result<Nslc, String> {
        let text = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .trim_matches(|c: char| c == ' ' || c == '\0')
                .to_string()
        };
        if version == 2 {
            if rec.len() < 20 {
                return Err("record too short for a miniSEED 2 header".into());
            }
            return Ok(Nslc {
                sta: text(&rec[8..13]),
                loc: text(&rec[13..15]),
                cha: text(&rec[15..18]),
                net: text(&rec[18..20]),
            });
        }
        let n = *rec
            .get(33)
            .ok_or("record too short for a miniSEED 3 header")? as usize;
        let sid = text(
            rec.get(40..40 + n)
                .ok_or("record too short for its identifier")?,
        );
        // FDSN:NET_STA_LOC_BAND_SOURCE_SUBSOURCE (namespace up to the last ':')
        let body = sid.rsplit(':').next().unwrap_or_default();
        let parts: Vec<&str> = body.split('_').collect();
        Ok(match parts.as_slice() {
            [net, sta, loc, band, source, sub] => Nslc {
                net: net.to_string(),
                sta: sta.to_string(),
                loc: loc.to_string(),
                cha: if band.len() <= 1 && source.len() <= 1 && sub.len() <= 1 {
                    format!("{band}{source}{sub}")
                } else {
                    format!("{band}_{source}_{sub}")
                },
            },
            _ => Nslc {
                net: String::new(),
                sta: sid.clone(),
                loc: String::new(),
                cha: String::new(),
            },
        })
    }
}

/// Where one record lies and which samples of its trace it holds.
#[derive(Debug, Clone)]
struct RecRef {
    offset: u64,
    len: usize,
    /// Index of its first sample in the trace.
    first: usize,
    count: usize,
}

/// One record's header, as seen while scanning.
struct RecInfo {
    rec: RecRef,
    start_ns: i64,
}

/// The records of one trace.
struct Trace {
    nslc: Nslc,
    rate: f64,
    dtype: DType,
    recs: Vec<RecInfo>,
}

/// Reads ahead through a file with positioned reads.
struct Window<'f> {
    file: &'f File,
    len: u64,
    start: u64,
    buf: Vec<u8>,
}

impl Window<'_> {
    /// `n` bytes at `pos` (within the file).
    fn get(&mut self, pos: u64, n: usize) -> std::io::Result<&[u8]> {
        let end = pos + n as u64;
        if pos < self.start || end > self.start + self.buf.len() as u64 {
            let size = (n.max(WINDOW) as u64).min(self.len - pos) as usize;
            self.buf.resize(size, 0);
            read_at(self.file, &mut self.buf, pos)?;
            self.start = pos;
        }
        let a = (pos - self.start) as usize;
        Ok(&self.buf[a..a + n])
    }
}

/// The sample type libmseed decodes an encoding to (`None`: text).
fn dtype_of(encoding: MSDataEncoding) -> Option<DType> {
    use MSDataEncoding as E;
    match encoding {
        E::Text => None,
        E::Integer16 | E::Integer32 | E::Steim1 | E::Steim2 | E::CDSN | E::SRO | E::DWWSSN => {
            Some(DType::I32)
        }
        E::Float32 | E::GeoScope24 | E::GeoScope163 | E::GeoScope164 => Some(DType::F32),
        E::Float64 => Some(DType::F64),
    }
}

/// Walk the records: headers only, grouped into traces in order of first appearance.
fn scan(path: &Path) -> Result<(File, Vec<Trace>)> {
    let os = |source| IoError::Os {
        path: path.to_path_buf(),
        source,
    };
    let err = |m: String| IoError::format(path, NAME, m);
    let file = File::open(path).map_err(os)?;
    let len = file.metadata().map_err(os)?.len();
    if len == 0 {
        return Err(err("empty file".into()));
    }
    let mut traces: Vec<Trace> = Vec::new();
    let mut by_id: HashMap<Nslc, usize> = HashMap::new();
    {
        let mut window = Window {
            file: &file,
            len,
            start: 0,
            buf: Vec::new(),
        };
        let mut pos = 0u64;
        while pos < len {
            let at = |m: String| err(format!("record at byte {pos}: {m}"));
            let left = len - pos;
            let head = window
                .get(pos, (PROBE as u64).min(left) as usize)
                .map_err(os)?;
            let detected = mseed::detect(head).map_err(|_| {
                at(if pos == 0 {
                    "no miniSEED record header (not miniSEED?)".into()
                } else {
                    "no miniSEED record header (damaged file?)".into()
                })
            })?;
            let rec_len = detected.rec_len.ok_or_else(|| {
                at("record length unknown (a miniSEED 2 record without blockette 1000)".into())
            })?;
            if rec_len > left {
                return Err(at(format!(
                    "the record is {rec_len} bytes but the file ends after {left} (truncated?)"
                )));
            }
            let rec_len = rec_len as usize;
            let bytes = window.get(pos, rec_len).map_err(os)?;
            let nslc = Nslc::from_record(bytes, detected.format_version).map_err(at)?;
            let msr = MSRecord::parse(bytes, MSControlFlags::MSF_VALIDATECRC)
                .map_err(|e| at(format!("libmseed: {}", e.message())))?;
            let encoding = msr
                .encoding()
                .map_err(|e| at(format!("libmseed: {}", e.message())))?;
            let count = usize::try_from(msr.sample_cnt())
                .map_err(|_| at(format!("{} samples", msr.sample_cnt())))?;
            let record = RecRef {
                offset: pos,
                len: rec_len,
                first: 0,
                count,
            };
            pos += rec_len as u64;
            let Some(dtype) = dtype_of(encoding) else {
                continue; // text: a log record, no samples
            };
            if count == 0 {
                continue;
            }
            let rate = msr.sample_rate_hz();
            if !(rate.is_finite() && rate > 0.0) {
                return Err(err(format!(
                    "record at byte {}: sample rate {rate} Hz",
                    record.offset
                )));
            }
            let start = msr
                .start_time()
                .map_err(|e| err(format!("record at byte {}: {}", record.offset, e.message())))?;
            let start_ns = i64::try_from(start.unix_timestamp_nanos()).map_err(|_| {
                err(format!(
                    "record at byte {}: start {start} is outside the datetime64[ns] range",
                    record.offset
                ))
            })?;
            let k = *by_id.entry(nslc.clone()).or_insert_with(|| {
                traces.push(Trace {
                    nslc,
                    rate,
                    dtype,
                    recs: Vec::new(),
                });
                traces.len() - 1
            });
            let t = &mut traces[k];
            if (rate / t.rate - 1.0).abs() > RATE_TOLERANCE {
                return Err(err(format!(
                    "record at byte {}: trace {} changes sample rate from {} Hz to {rate} Hz",
                    record.offset,
                    t.nslc.id(),
                    t.rate
                )));
            }
            if dtype != t.dtype {
                return Err(err(format!(
                    "record at byte {}: trace {} changes sample type from {} to {dtype}",
                    record.offset,
                    t.nslc.id(),
                    t.dtype
                )));
            }
            t.recs.push(RecInfo {
                rec: record,
                start_ns,
            });
        }
    }
    if traces.is_empty() {
        return Err(err("no data records (only text or empty records)".into()));
    }
    for t in &mut traces {
        // records in time order; each one's samples follow the previous ones'
        t.recs.sort_by_key(|r| r.start_ns);
        let mut first = 0;
        for r in &mut t.recs {
            r.rec.first = first;
            first += r.rec.count;
        }
    }
    Ok((file, traces))
}

/// The exact sampling interval `num / den` of a rate in hertz.
fn interval(rate: f64) -> (Timedelta, u64) {
    if rate.fract() == 0.0 && rate <= 1e12 {
        (Timedelta::from_ns(1_000_000_000), rate as u64)
    } else {
        (Timedelta::from_seconds(1.0 / rate), 1)
    }
}

/// Continuous runs of a trace: `(first sample, samples, start)`. A record starting within
/// half a sample of where the previous one ends continues it (libmseed's tolerance).
fn segments(t: &Trace) -> Vec<(usize, usize, i64)> {
    let dt = 1e9 / t.rate;
    let mut out: Vec<(usize, usize, i64)> = Vec::new();
    for r in &t.recs {
        if let Some(last) = out.last_mut() {
            let expected = last.2 as f64 + last.1 as f64 * dt;
            if (r.start_ns as f64 - expected).abs() <= dt / 2.0 {
                last.1 += r.rec.count;
                continue;
            }
        }
        out.push((r.rec.first, r.rec.count, r.start_ns));
    }
    out
}

/// The time coordinate of a trace's segments (tie points at every gap or overlap).
fn time_coordinate(segs: &[(usize, usize, i64)], rate: f64) -> Result<Coordinate> {
    let (num, den) = interval(rate);
    if let [(_, n, start)] = segs {
        let c = InterpCoordinate::from_block(Datetime::from_ns(*start), *n, num, den, None);
        return Ok(Coordinate::new(c, "time"));
    }
    let mut ti = Vec::new();
    let mut tv = Vec::new();
    for &(first, n, start) in segs {
        let block = InterpCoordinate::from_block(Datetime::from_ns(start), n, num, den, None);
        for (i, v) in block.tie_indices().iter().zip(block.tie_values()) {
            ti.push(first + i);
            tv.push(*v);
        }
    }
    let c = InterpCoordinate::new(ti, tv)?;
    let c = match c.clone().with_rate(num, den, None) {
        Ok(with_rate) => with_rate,
        Err(_) => c,
    };
    Ok(Coordinate::new(c, "time"))
}

/// The labelled array of the scanned traces.
fn build(path: &Path, file: File, traces: Vec<Trace>) -> Result<LazyArray> {
    let err = |m: String| IoError::format(path, NAME, m);
    let dtype = traces[0].dtype;
    if traces.len() == 1 {
        let t = &traces[0];
        let segs = segments(t);
        let time = time_coordinate(&segs, t.rate)?;
        let rows = t.recs.iter().map(|r| r.rec.count).sum();
        let n = &t.nslc;
        let source = MseedSource {
            path: path.to_path_buf(),
            file,
            dtype,
            rows,
            columns: vec![t.recs.iter().map(|r| r.rec.clone()).collect()],
            two_d: false,
        };
        return LazyArray::new(
            Arc::new(source),
            vec!["time".into()],
            vec![
                ("network".into(), Coordinate::scalar(n.net.as_str())),
                ("station".into(), Coordinate::scalar(n.sta.as_str())),
                ("location".into(), Coordinate::scalar(n.loc.as_str())),
                ("channel".into(), Coordinate::scalar(n.cha.as_str())),
                ("time".into(), time),
            ],
            None,
            None,
            NAME,
        );
    }

    // several traces: one channel each, on one time grid
    let first = &traces[0];
    let mut starts = Vec::with_capacity(traces.len());
    for t in &traces {
        let segs = segments(t);
        if segs.len() != 1 {
            return Err(err(format!(
                "trace {} has {} segments (gaps or overlaps); the {} traces of a file can be \
                 read as one (time, channel) array only when each is continuous",
                t.nslc.id(),
                segs.len(),
                traces.len()
            )));
        }
        if (t.rate / first.rate - 1.0).abs() > RATE_TOLERANCE {
            return Err(err(format!(
                "traces {} and {} are sampled at {} Hz and {} Hz",
                first.nslc.id(),
                t.nslc.id(),
                first.rate,
                t.rate
            )));
        }
        if t.dtype != dtype {
            return Err(err(format!(
                "traces {} and {} hold {} and {} samples",
                first.nslc.id(),
                t.nslc.id(),
                dtype,
                t.dtype
            )));
        }
        starts.push(segs[0].2);
    }
    if let Some(j) = starts.iter().position(|&s| s != starts[0]) {
        return Err(err(format!(
            "traces {} and {} start at {} and {}: not one time grid",
            first.nslc.id(),
            traces[j].nslc.id(),
            Datetime::from_ns(starts[0]),
            Datetime::from_ns(starts[j])
        )));
    }
    // the span every trace covers
    let rows = traces
        .iter()
        .map(|t| t.recs.iter().map(|r| r.rec.count).sum::<usize>())
        .min()
        .unwrap_or(0);
    let time = time_coordinate(&[(0, rows, starts[0])], first.rate)?;
    let ids: Vec<String> = traces.iter().map(|t| t.nslc.id()).collect();
    let mut coords = vec![
        ("time".to_string(), time),
        (
            "channel".to_string(),
            Coordinate::dense(Values::Str(ids), "channel"),
        ),
    ];
    for (name, values) in [
        (
            "network",
            traces
                .iter()
                .map(|t| t.nslc.net.clone())
                .collect::<Vec<_>>(),
        ),
        (
            "station",
            traces.iter().map(|t| t.nslc.sta.clone()).collect(),
        ),
        (
            "location",
            traces.iter().map(|t| t.nslc.loc.clone()).collect(),
        ),
    ] {
        let c = if values.iter().all(|v| *v == values[0]) {
            Coordinate::scalar(values[0].as_str())
        } else {
            Coordinate::dense(Values::Str(values), "channel")
        };
        coords.push((name.to_string(), c));
    }
    let source = MseedSource {
        path: path.to_path_buf(),
        file,
        dtype,
        rows,
        columns: traces
            .iter()
            .map(|t| t.recs.iter().map(|r| r.rec.clone()).collect())
            .collect(),
        two_d: true,
    };
    LazyArray::new(
        Arc::new(source),
        vec!["time".into(), "channel".into()],
        coords,
        None,
        None,
        NAME,
    )
}

/// Sample types libmseed decodes to.
trait Sample: Copy + Default {
    const KIND: MSSampleType;
}
impl Sample for i32 {
    const KIND: MSSampleType = MSSampleType::Integer32;
}
impl Sample for f32 {
    const KIND: MSSampleType = MSSampleType::Float32;
}
impl Sample for f64 {
    const KIND: MSSampleType = MSSampleType::Float64;
}

/// The traces of a miniSEED file, decoded record by record on demand.
#[derive(Debug)]
struct MseedSource {
    path: PathBuf,
    file: File,
    dtype: DType,
    /// Samples per trace in the array.
    rows: usize,
    /// The records of every trace (column), in sample order.
    columns: Vec<Vec<RecRef>>,
    /// `(time, channel)` rather than `(time,)`.
    two_d: bool,
}

impl MseedSource {
    /// Samples `rows` of traces `cols`, row-major.
    fn fill<T: Sample>(&self, rows: &Range<usize>, cols: &Range<usize>) -> Result<Vec<T>> {
        let nc = cols.len();
        let mut out = vec![T::default(); rows.len() * nc];
        if out.is_empty() {
            return Ok(out);
        }
        let mut bytes = Vec::new();
        for (j, recs) in self.columns[cols.clone()].iter().enumerate() {
            let k0 = recs.partition_point(|r| r.first + r.count <= rows.start);
            for r in recs[k0..].iter().take_while(|r| r.first < rows.end) {
                let err = |m: String| {
                    IoError::format(
                        &self.path,
                        NAME,
                        format!("record at byte {}: {m}", r.offset),
                    )
                };
                bytes.resize(r.len, 0);
                read_at(&self.file, &mut bytes, r.offset).map_err(|source| IoError::Os {
                    path: self.path.clone(),
                    source,
                })?;
                let msr = MSRecord::parse(
                    &bytes,
                    MSControlFlags::MSF_UNPACKDATA | MSControlFlags::MSF_VALIDATECRC,
                )
                .map_err(|e| err(format!("libmseed: {}", e.message())))?;
                let decoded = msr.num_samples();
                if decoded != r.count as i64 || msr.sample_cnt() != r.count as i64 {
                    return Err(err(format!(
                        "decoded {decoded} samples where the header says {}",
                        r.count
                    )));
                }
                if msr.sample_type() != T::KIND {
                    return Err(err(format!(
                        "decoded {:?} samples, expected {:?}",
                        msr.sample_type(),
                        T::KIND
                    )));
                }
                let samples = msr
                    .data_samples::<T>()
                    .ok_or_else(|| err("no samples decoded".into()))?;
                let (a, b) = (rows.start.max(r.first), rows.end.min(r.first + r.count));
                for (i, v) in samples[a - r.first..b - r.first].iter().enumerate() {
                    out[(a - rows.start + i) * nc + j] = *v;
                }
            }
        }
        Ok(out)
    }
}

impl Source for MseedSource {
    fn shape(&self) -> Vec<usize> {
        if self.two_d {
            vec![self.rows, self.columns.len()]
        } else {
            vec![self.rows]
        }
    }

    fn dtype(&self) -> DType {
        self.dtype
    }

    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        let (rows, cols) = match (region, self.two_d) {
            ([rows], false) => (rows.clone(), 0..1),
            ([rows, cols], true) => (rows.clone(), cols.clone()),
            _ => {
                return Err(IoError::Invalid(format!(
                    "region {region:?} does not fit an array of shape {:?}",
                    self.shape()
                )));
            }
        };
        if rows.start > rows.end
            || rows.end > self.rows
            || cols.start > cols.end
            || cols.end > self.columns.len()
        {
            return Err(IoError::Invalid(format!(
                "region {region:?} is outside an array of shape {:?}",
                self.shape()
            )));
        }
        let shape: Vec<usize> = if self.two_d {
            vec![rows.len(), cols.len()]
        } else {
            vec![rows.len()]
        };
        let shaped = |e: ndarray::ShapeError| IoError::Invalid(e.to_string());
        Ok(match self.dtype {
            DType::I32 => Data::I32(
                ArrayD::from_shape_vec(IxDyn(&shape), self.fill::<i32>(&rows, &cols)?)
                    .map_err(shaped)?,
            ),
            DType::F32 => Data::F32(
                ArrayD::from_shape_vec(IxDyn(&shape), self.fill::<f32>(&rows, &cols)?)
                    .map_err(shaped)?,
            ),
            DType::F64 => Data::F64(
                ArrayD::from_shape_vec(IxDyn(&shape), self.fill::<f64>(&rows, &cols)?)
                    .map_err(shaped)?,
            ),
            other => {
                return Err(IoError::Invalid(format!("no miniSEED samples are {other}")));
            }
        })
    }
}
