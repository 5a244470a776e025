//! Cumulative integration and differentiation along a dim: [`Integrate`] (carries the
//! running sum) and [`Differentiate`] (carries the last sample).
//!
//! Both compute exactly what [`xdas_signal::dataarray::integrate`] /
//! [`xdas_signal::dataarray::differentiate`] compute on the whole array — the same
//! operations in the same order — so a chunked run equals the eager one bit for bit,
//! coordinates included.

use ndarray::{ArrayD, Axis, Zip};
use serde_json::{Value, json};
use xdas_core::coords::{CoordKind, InterpCoordinate};
use xdas_core::{Coordinate, DType, DataArray, Indexer, Scalar, Timedelta, Tolerance};

use crate::along::{Along, Stream};
use crate::chunk::{Buf, Chunk, Sample};
use crate::error::{AtomError, Result, invalid};
use crate::state::{
    decode_opt_buf, decode_opt_chunk, encode_opt_buf, encode_opt_chunk, field, field_as,
};

/// The sampling interval of a run, or an error when the run was not started.
fn interval(d: Option<f64>, atom: &str) -> Result<f64> {
    d.ok_or_else(|| invalid(atom, "the stream was not started"))
}

/// Move the coordinate of `dim` by half a sampling interval `d` (seconds on datetime
/// axes), as `xdas_signal::dataarray` does for `midpoints=True`.
fn shift_half<T: Sample>(da: DataArray<T>, dim: &str, d: f64) -> Result<DataArray<T>> {
    let coord = da.coord(dim)?.clone();
    let half = match coord.dtype() {
        DType::Datetime => Scalar::Timedelta(Timedelta::from_seconds(d / 2.0)),
        _ => Scalar::F64(d / 2.0),
    };
    let shifted = coord.shifted(&half)?;
    Ok(da.assign_coord(dim, shifted)?)
}

/// The sampling interval along `dim` of the first piece of a run, checked as the kernels
/// check it.
fn start_interval(first: &Chunk, dim: &str, atom: &str) -> Result<f64> {
    crate::rate::interval_seconds(first, dim, atom)
}

// ------------------------------------------------------------------------- Integrate

/// Stream of [`Integrate`]: the running sum of every lane is carried from chunk to chunk.
pub struct IntegrateStream {
    midpoints: bool,
    dim: String,
    /// Sampling interval of the run (coordinate units, seconds for datetimes).
    d: Option<f64>,
    /// Running sum per lane (the data's shape without `dim`), before scaling by `d`.
    acc: Option<Buf>,
}

impl IntegrateStream {
    fn step<T: Sample>(&mut self, da: DataArray<T>) -> Result<Chunk> {
        let d = interval(self.d, "Integrate")?;
        let name = da.resolve_dim(&self.dim)?.to_string();
        let axis = da.axis(&name)?;
        let x = da.data();
        let mut lanes = x.shape().to_vec();
        lanes.remove(axis);
        let mut acc: ArrayD<T> = match &self.acc {
            None => ArrayD::zeros(lanes.clone()),
            Some(buf) => {
                let a = T::unbuf(buf).ok_or_else(|| AtomError::DType {
                    atom: "Integrate".into(),
                    dtype: format!("{} after chunks of another type", da.dtype()),
                })?;
                if a.shape() != lanes.as_slice() {
                    return Err(invalid(
                        "Integrate",
                        format!(
                            "chunk of shape {:?} does not match the running sum {:?} of the \
                             previous chunks",
                            x.shape(),
                            a.shape()
                        ),
                    ));
                }
                a.clone()
            }
        };
        // the kernel's operations, in its order: acc += x; y = acc · d
        let dt = T::of(d);
        let mut y = ArrayD::<T>::zeros(x.raw_dim());
        for (xs, mut ys) in x.axis_iter(Axis(axis)).zip(y.axis_iter_mut(Axis(axis))) {
            Zip::from(&mut acc)
                .and(&mut ys)
                .and(&xs)
                .for_each(|a, o, &v| {
                    *a += v;
                    *o = *a * dt;
                });
        }
        self.acc = Some(T::buf(acc));
        let out = da.with_data(y)?;
        let out = if self.midpoints {
            shift_half(out, &name, d)?
        } else {
            out
        };
        Ok(T::chunk(out))
    }
}

impl Stream for IntegrateStream {
    fn name(&self) -> &'static str {
        "Integrate"
    }
    fn signature(&self) -> String {
        format!(
            "Integrate(midpoints={}, dim={:?})",
            if self.midpoints { "True" } else { "False" },
            self.dim
        )
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        self.d = Some(start_interval(first, &self.dim, "Integrate")?);
        self.acc = None;
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        let out = crate::with_real!(chunk, "Integrate", da => self.step(da))?;
        Ok(vec![out])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        Ok(Vec::new())
    }
    fn clear(&mut self) {
        self.d = None;
        self.acc = None;
    }
    fn save(&self) -> Result<Value> {
        Ok(json!({ "d": self.d, "acc": encode_opt_buf(&self.acc) }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        let d: Option<f64> = field_as(state, "d")?;
        let acc = decode_opt_buf(field(state, "acc")?)?;
        self.d = d;
        self.acc = acc;
        Ok(())
    }
}

/// Cumulative integral along `dim`: `cumsum(x) · d` with `d` the sampling interval
/// (seconds on datetime axes), like `xdas.signal.integrate`; `midpoints` moves the
/// labels by `d/2` (xdas's `Integrate`).
///
/// The running sum of every lane is carried from chunk to chunk, so a chunked run equals
/// the eager one bit for bit.
///
/// ```
/// use xdas_atoms::{AtomExt, calculus::Integrate};
/// let da = xdas_synthetics::dummy::<f64>((5, 2)).to_dataarray(); // 100 Hz
/// let y = Integrate::new(false, "time").apply(da).unwrap();
/// let xdas_atoms::Chunk::F64(y) = y else { unreachable!() };
/// // channel 0 holds 0, 2, 4, ...: its integral is 0, 0.02, 0.06, ...
/// assert!((y.data()[[2, 0]] - 0.06).abs() < 1e-15);
/// ```
pub struct Integrate;

impl Integrate {
    /// Integrate along `dim` (`"first"` / `"last"` allowed).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(midpoints: bool, dim: &str) -> Along<IntegrateStream> {
        Along::new(IntegrateStream {
            midpoints,
            dim: dim.into(),
            d: None,
            acc: None,
        })
    }
}

// --------------------------------------------------------------------- Differentiate

/// Stream of [`Differentiate`]: the last sample of every chunk is carried over to the
/// next, so that the difference across the seam is not lost.
pub struct DifferentiateStream {
    midpoints: bool,
    dim: String,
    /// Sampling interval of the run.
    d: Option<f64>,
    /// The first label of the run.
    origin: Option<Scalar>,
    /// Samples received in the run.
    seen: usize,
    /// The last sample of the previous chunk (with its coordinates).
    prev: Option<Chunk>,
}

/// The dim coordinate of a chunk.
fn dim_coord(c: &Chunk, dim: &str) -> Result<Coordinate> {
    crate::each_array!(c,
        da => Ok(da.coord(dim)?.clone()),
        _p => Err(AtomError::DType { atom: "Differentiate".into(), dtype: "picks".into() }))
}

/// The label of sample `g − 1` of a run on the straight line from the run's first label
/// (sample 0) to `last` (sample `g`), when `c` — the dim coordinate of a chunk of `n`
/// samples ending at sample `g` — is one straight segment.
///
/// The eager output's last label is interpolated on the whole record's line; labelling
/// the end of every chunked output the same way makes the joined outputs end on the
/// very same value, whatever the chunking.
fn chord_label(c: &Coordinate, origin: Option<&Scalar>, n: usize, g: usize) -> Option<Scalar> {
    if n < 2 || g == 0 {
        return None;
    }
    match (c.kind(), origin) {
        (CoordKind::InterpF64(k), Some(Scalar::F64(o))) if k.tie_indices() == [0, n - 1] => {
            let line = InterpCoordinate::new(vec![0, g], vec![*o, k.tie_values()[1]]).ok()?;
            line.value(g - 1).ok().map(Scalar::F64)
        }
        (CoordKind::InterpTime(k), Some(Scalar::Datetime(o))) if k.tie_indices() == [0, n - 1] => {
            let line = InterpCoordinate::new(vec![0, g], vec![*o, k.tie_values()[1]]).ok()?;
            line.value(g - 1).ok().map(Scalar::Datetime)
        }
        _ => None,
    }
}

/// `c` with its last tie value replaced by `label` (unchanged when that cannot be done).
fn with_last_label(c: &Coordinate, label: &Scalar, dim: &str) -> Coordinate {
    fn replace<V: xdas_core::coords::AxisValue>(
        k: &InterpCoordinate<V>,
        v: V,
    ) -> Option<InterpCoordinate<V>> {
        let mut tv = k.tie_values().to_vec();
        *tv.last_mut()? = v;
        let out = InterpCoordinate::new(k.tie_indices().to_vec(), tv).ok()?;
        match k.ratio() {
            Some(r) => out.with_rate(r.num, r.den, k.tolerance()).ok(),
            None => Some(out),
        }
    }
    let fixed = match (c.kind(), label) {
        (CoordKind::InterpF64(k), Scalar::F64(v)) => {
            replace(k, *v).map(|k| Coordinate::new(k, dim))
        }
        (CoordKind::InterpTime(k), Scalar::Datetime(v)) => {
            replace(k, *v).map(|k| Coordinate::new(k, dim))
        }
        _ => None,
    };
    fixed.unwrap_or_else(|| c.clone())
}

impl DifferentiateStream {
    /// `diff(joined) / d`, labelled by `labels` (default: `joined`'s first `n − 1`
    /// labels), whose last label becomes `end` when given.
    fn diff<T: Sample>(
        &self,
        joined: DataArray<T>,
        labels: Option<Coordinate>,
        end: Option<Scalar>,
        dim: &str,
    ) -> Result<Chunk> {
        let d = interval(self.d, "Differentiate")?;
        let axis = joined.axis(dim)?;
        let y = xdas_signal::calculus::differentiate(joined.data().view(), d, axis)?;
        let mut out = joined
            .isel(dim, Indexer::slice(None, Some(-1), None))?
            .with_data(y)?;
        if let Some(c) = labels {
            out = out.assign_coord(dim, c)?;
        }
        if let Some(end) = end {
            let c = with_last_label(out.coord(dim)?, &end, dim);
            out = out.assign_coord(dim, c)?;
        }
        let out = if self.midpoints {
            shift_half(out, dim, d)?
        } else {
            out
        };
        Ok(T::chunk(out))
    }
}

impl Stream for DifferentiateStream {
    fn name(&self) -> &'static str {
        "Differentiate"
    }
    fn signature(&self) -> String {
        format!(
            "Differentiate(midpoints={}, dim={:?})",
            if self.midpoints { "True" } else { "False" },
            self.dim
        )
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        self.d = Some(start_interval(first, &self.dim, "Differentiate")?);
        let name = crate::each_array!(first,
            da => da.resolve_dim(&self.dim)?.to_string(),
            _p => return Err(AtomError::DType { atom: "Differentiate".into(), dtype: "picks".into() }));
        self.origin = dim_coord(first, &name)?.value(0).ok();
        self.seen = 0;
        self.prev = None;
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        let name = crate::each_array!(&chunk,
            da => da.resolve_dim(&self.dim)?.to_string(),
            _p => return Err(AtomError::DType { atom: "Differentiate".into(), dtype: "picks".into() }));
        let n = chunk.len_along(&name)?;
        if n == 0 {
            return Ok(Vec::new());
        }
        let g = self.seen + n - 1;
        let end = chord_label(&dim_coord(&chunk, &name)?, self.origin.as_ref(), n, g);
        let last = chunk.range(&name, n - 1, n)?;
        let prev = self.prev.replace(last);
        self.seen += n;
        let (joined, labels) = match prev {
            None if n < 2 => return Ok(Vec::new()),
            None => (chunk, None),
            Some(p) => {
                // the labels: the previous chunk's last one, then all but the last of this one
                let pc = dim_coord(&p, &name)?;
                let labels = if n > 1 {
                    let head = dim_coord(&chunk, &name)?.slice(0, n - 1, 1)?;
                    Coordinate::concat(&[&pc, &head])?.simplify(Tolerance::Default)
                } else {
                    pc
                };
                (Chunk::concat(&[p, chunk], &name)?, Some(labels))
            }
        };
        let out =
            crate::with_real!(joined, "Differentiate", da => self.diff(da, labels, end, &name))?;
        Ok(vec![out])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        Ok(Vec::new())
    }
    fn clear(&mut self) {
        self.d = None;
        self.origin = None;
        self.seen = 0;
        self.prev = None;
    }
    fn save(&self) -> Result<Value> {
        Ok(json!({
            "d": self.d,
            "origin": serde_json::to_value(&self.origin).map_err(|e| AtomError::State(e.to_string()))?,
            "seen": self.seen,
            "prev": encode_opt_chunk(&self.prev),
        }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        let d: Option<f64> = field_as(state, "d")?;
        let origin: Option<Scalar> = field_as(state, "origin")?;
        let seen: usize = field_as(state, "seen")?;
        let prev = decode_opt_chunk(field(state, "prev")?)?;
        self.d = d;
        self.origin = origin;
        self.seen = seen;
        self.prev = prev;
        Ok(())
    }
}

/// First difference over the sampling interval along `dim`, `diff(x) / d`, like
/// `xdas.signal.differentiate`: one sample fewer in total, the lower labels kept (or
/// moved by `d/2` with `midpoints`) (xdas's `Differentiate`).
///
/// The last sample of every chunk is kept for the next one, so the `n − 1` outputs of a
/// chunked run equal the eager ones bit for bit, coordinates included.
///
/// ```
/// use xdas_atoms::{AtomExt, calculus::Differentiate};
/// let da = xdas_synthetics::dummy::<f64>((5, 2)).to_dataarray(); // 100 Hz
/// let y = Differentiate::new(false, "time").apply(da).unwrap();
/// assert_eq!(y.shape(), vec![4, 2]);
/// let xdas_atoms::Chunk::F64(y) = y else { unreachable!() };
/// assert_eq!(y.data()[[0, 0]], 200.0); // +2 every 0.01 s
/// ```
pub struct Differentiate;

impl Differentiate {
    /// Differentiate along `dim` (`"first"` / `"last"` allowed).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(midpoints: bool, dim: &str) -> Along<DifferentiateStream> {
        Along::new(DifferentiateStream {
            midpoints,
            dim: dim.into(),
            d: None,
            origin: None,
            seen: 0,
            prev: None,
        })
    }
}
