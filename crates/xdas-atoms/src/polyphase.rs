//! [`Polyphase`]: the one streaming polyphase engine behind every FIR atom
//! ([`crate::FIRFilter`], [`crate::Resample`], [`crate::ResamplePoly`],
//! [`crate::Decimate`]).
//!
//! # How the polyphase stream stays bitwise chunk-invariant
//! Output `k` of `upfirdn(h, x, up, down)` is a dot product of the phase taps with a
//! window of the input ending at sample `⌊k·down/up⌋`. The stream keeps the last
//! `⌈(len h − 1)/up⌉` input samples (zeros before the start, as upfirdn's zero
//! extension), and on each chunk emits exactly the outputs whose window has fully
//! arrived, computed by the same kernel with the same summation order
//! ([`xdas_signal::upfirdn::upfirdn_at`]). With `compensate` (scipy `resample_poly`
//! semantics) the taps are pre-padded so the group delay is a whole number of output
//! samples; outputs that need samples past the end are held back until `flush`.

use ndarray::{ArrayD, Axis, IxDyn};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use xdas_core::coords::{AxisValue, CoordKind, InterpCoordinate};
use xdas_core::{Coordinate, DataArray, Datetime, Timedelta};

use crate::along::{Along, Stream};
use crate::chunk::{Buf, Chunk, Sample};
use crate::error::{AtomError, Result, invalid};
use crate::state::{
    decode_opt_buf, decode_opt_chunk, encode_opt_buf, encode_opt_chunk, field, field_as,
};

// ------------------------------------------------------------------ coordinates

/// The label of a run's first input sample and the input's exact rate: every output
/// label is computed from it exactly, so chunking cannot change the coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Origin {
    F64 {
        start: f64,
        num: f64,
        tol: Option<f64>,
    },
    Time {
        start: Datetime,
        num: Timedelta,
        den: u64,
        tol: Option<Timedelta>,
    },
}

impl Origin {
    pub(crate) fn of(chunk: &Chunk, dim: &str, atom: &str) -> Result<Origin> {
        let coord = crate::each_array!(chunk, da => da.coord(dim).ok().cloned(), _p => None);
        let bad = || {
            invalid(
                atom,
                format!(
                    "needs a regular coordinate along {dim:?} (tie points with a sampling rate)"
                ),
            )
        };
        let coord = coord.ok_or_else(bad)?;
        match coord.kind() {
            CoordKind::InterpF64(c) => {
                let r = c.ratio().ok_or_else(bad)?;
                Ok(Origin::F64 {
                    start: c.value(0)?,
                    num: r.num / r.den as f64,
                    tol: c.tolerance(),
                })
            }
            CoordKind::SampledF64(c) => {
                let r = c.ratio().ok_or_else(bad)?;
                Ok(Origin::F64 {
                    start: c.value(0)?,
                    num: r.num / r.den as f64,
                    tol: None,
                })
            }
            CoordKind::InterpTime(c) => {
                let r = c.ratio().ok_or_else(bad)?;
                Ok(Origin::Time {
                    start: c.value(0)?,
                    num: r.num,
                    den: r.den,
                    tol: c.tolerance(),
                })
            }
            CoordKind::SampledTime(c) => {
                let r = c.ratio().ok_or_else(bad)?;
                Ok(Origin::Time {
                    start: c.value(0)?,
                    num: r.num,
                    den: r.den,
                    tol: None,
                })
            }
            _ => Err(bad()),
        }
    }

    /// The label of sample `k` of the run.
    pub(crate) fn label(&self, k: i64) -> xdas_core::Scalar {
        match *self {
            Origin::F64 { start, num, .. } => xdas_core::Scalar::F64(f64::step(start, k, num, 1)),
            Origin::Time {
                start, num, den, ..
            } => xdas_core::Scalar::Datetime(Datetime::step(start, k, num, den)),
        }
    }

    /// `size` labels, the first `shift` upsampled samples (at `up` times the input
    /// rate) after the origin, `down` upsampled samples apart.
    ///
    /// The tolerance is the input's plus, at a rate that is not a whole number of
    /// nanoseconds, the 1 ns that rounding the labels to the tick costs — the same for
    /// every block, so that blocks emitted chunk by chunk join into the block an eager
    /// run gives (`from_block` alone would declare less on blocks of one or two labels).
    pub(crate) fn block(
        &self,
        shift: i64,
        up: usize,
        down: usize,
        size: usize,
        dim: &str,
    ) -> Result<Coordinate> {
        // both end labels from the origin (never one from the other, which would round
        // twice): blocks cut anywhere join into the block of the whole run
        let ends = |first: i64| match size {
            0 => (vec![], vec![]),
            1 => (vec![0], vec![first]),
            _ => (
                vec![0, size - 1],
                vec![first, first + ((size - 1) * down) as i64],
            ),
        };
        Ok(match *self {
            Origin::F64 { start, num, tol } => {
                let unit = num / up as f64;
                let (ti, at) = ends(shift);
                let tv = at.iter().map(|&k| f64::step(start, k, unit, 1)).collect();
                let step = num * down as f64 / up as f64;
                let c = InterpCoordinate::new(ti, tv)?.with_rate(
                    step,
                    1,
                    Some(tol.unwrap_or_else(f64::default_tolerance)),
                )?;
                Coordinate::new(c, dim)
            }
            Origin::Time {
                start,
                num,
                den,
                tol,
            } => {
                let den_up = den * up as u64;
                let (ti, at) = ends(shift);
                let tv = at
                    .iter()
                    .map(|&k| Datetime::step(start, k, num, den_up))
                    .collect();
                let step = Timedelta::from_ns(num.ns() * down as i64);
                let (_, reduced) = Datetime::reduce_rate(step, den_up);
                let quant = if reduced > 1 { 1 } else { 0 };
                let tol = Timedelta::from_ns(tol.map(|t| t.ns()).unwrap_or(0) + quant);
                let c = InterpCoordinate::new(ti, tv)?.with_rate(step, den_up, Some(tol))?;
                Coordinate::new(c, dim)
            }
        })
    }
}

/// `template` with `data` along `dim` and the dim coordinate `coord`; other coordinates
/// on `dim` (non-dimensional labels) are dropped, since samples are recomputed.
pub(crate) fn relabel<T: Sample>(
    template: &DataArray<T>,
    dim: &str,
    data: ArrayD<T>,
    coord: Coordinate,
) -> Result<DataArray<T>> {
    let coords = template
        .coords()
        .filter(|(name, c)| *name == dim || c.dim() != Some(dim))
        .map(|(name, c)| {
            let c = if name == dim {
                coord.clone()
            } else {
                c.clone()
            };
            (name.to_string(), c)
        })
        .collect();
    Ok(DataArray::from_parts(
        data,
        template.dims().to_vec(),
        coords,
        template.name().map(str::to_string),
        template.attrs().cloned(),
    )?)
}

// ------------------------------------------------------------------ the engine

/// How a polyphase stream places its outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// `upfirdn`'s leading samples; the group delay is taken off the coordinate.
    ShiftCoords,
    /// `upfirdn`'s leading samples on the input grid (`decimate(..., zero_phase=False)`).
    KeepCoords,
    /// `resample_poly`: the delay is taken out of the data; the tail waits for `flush`.
    Compensate,
}

/// The stream behind [`Polyphase`] and the FIR resampling atoms.
pub struct PolyStream {
    name: &'static str,
    signature: String,
    dim: String,
    taps: Vec<f64>,
    up: usize,
    down: usize,
    placement: Placement,
    run: Option<PolyRun>,
}

/// The memory of one run.
struct PolyRun {
    /// The last `memory` input samples (zeros before the start).
    hist: Option<Buf>,
    /// Input samples consumed.
    consumed: usize,
    /// Outputs emitted (canonical index of the next one).
    emitted: usize,
    origin: Origin,
    /// An empty slice of the run's first chunk: dims, other coordinates, name, attrs.
    template: Chunk,
}

impl PolyStream {
    pub(crate) fn new(
        name: &'static str,
        signature: String,
        taps: Vec<f64>,
        up: usize,
        down: usize,
        placement: Placement,
        dim: &str,
    ) -> Result<Self> {
        if up == 0 || down == 0 {
            return Err(invalid(name, "up and down must be at least 1"));
        }
        if taps.len() < up {
            return Err(invalid(
                name,
                format!(
                    "at least {up} taps are needed to resample by {up}/{down} (one per polyphase branch), got {}",
                    taps.len()
                ),
            ));
        }
        if taps.iter().any(|t| !t.is_finite()) {
            return Err(invalid(name, "taps must be finite (no NaN or inf)"));
        }
        Ok(PolyStream {
            name,
            signature,
            dim: dim.into(),
            taps,
            up,
            down,
            placement,
            run: None,
        })
    }

    fn half_len(&self) -> usize {
        (self.taps.len() - 1) / 2
    }

    /// scipy's `n_pre_pad` (compensating mode only).
    fn pre_pad(&self) -> usize {
        match self.placement {
            Placement::Compensate => self.down - self.half_len() % self.down,
            _ => 0,
        }
    }

    /// scipy's `n_pre_remove`: upfirdn outputs before canonical output 0.
    fn pre_remove(&self) -> usize {
        match self.placement {
            Placement::Compensate => (self.half_len() + self.pre_pad()) / self.down,
            _ => 0,
        }
    }

    /// The convolved filter.
    fn filter(&self) -> Vec<f64> {
        let mut h = vec![0.0; self.pre_pad()];
        h.extend_from_slice(&self.taps);
        h
    }

    /// Input samples the filter reaches back over.
    fn memory(&self) -> usize {
        (self.taps.len() + self.pre_pad() - 1).div_ceil(self.up)
    }

    /// Canonical outputs available once `n` input samples have arrived.
    fn available(&self, n: usize) -> usize {
        (n * self.up)
            .div_ceil(self.down)
            .saturating_sub(self.pre_remove())
    }

    /// Group delay taken off the coordinate, in upsampled samples.
    fn coord_lag(&self) -> i64 {
        match self.placement {
            Placement::ShiftCoords => self.half_len() as i64,
            _ => 0,
        }
    }

    /// Outputs `lo..hi` from `window` (input samples from global index `start`).
    fn compute<T: Sample>(
        &self,
        window: &ArrayD<T>,
        axis: usize,
        start: i64,
        lo: usize,
        hi: usize,
    ) -> Result<ArrayD<T>> {
        let u = (lo + self.pre_remove()) as i64;
        let shift = u * self.down as i64 - start * self.up as i64;
        debug_assert!(shift >= 0);
        Ok(xdas_signal::upfirdn::upfirdn_at(
            &self.filter(),
            window.view(),
            self.up,
            self.down,
            axis,
            shift as usize,
            hi - lo,
        )?)
    }

    fn emit<T: Sample>(&self, run: &PolyRun, data: ArrayD<T>, lo: usize) -> Result<Chunk> {
        let t = T::unchunk(&run.template).ok_or_else(|| AtomError::DType {
            atom: self.name.into(),
            dtype: "a chunk of another type than the run's first".into(),
        })?;
        let n = data.shape()[t.axis(&self.dim)?];
        let coord = run.origin.block(
            lo as i64 * self.down as i64 - self.coord_lag(),
            self.up,
            self.down,
            n,
            &self.dim,
        )?;
        Ok(T::chunk(relabel(t, &self.dim, data, coord)?))
    }

    fn push_typed<T: Sample>(&mut self, da: DataArray<T>) -> Result<Vec<Chunk>> {
        let dim = da.resolve_dim(&self.dim)?.to_string();
        let axis = da.axis(&dim)?;
        let size = da.shape()[axis];
        let memory = self.memory();
        let run = self.run.as_ref().expect("started");
        let hist = match &run.hist {
            None => {
                let mut shape = da.shape().to_vec();
                shape[axis] = memory;
                ArrayD::<T>::zeros(IxDyn(&shape))
            }
            Some(b) => {
                let h = T::unbuf(b).ok_or_else(|| AtomError::DType {
                    atom: self.name.into(),
                    dtype: format!("{} after chunks of another type", da.dtype()),
                })?;
                let mut want = da.shape().to_vec();
                want[axis] = memory;
                if h.shape() != want.as_slice() {
                    return Err(invalid(
                        self.name,
                        format!(
                            "chunk of shape {:?} does not fit the previous chunks",
                            da.shape()
                        ),
                    ));
                }
                h.clone()
            }
        };
        let window = ndarray::concatenate(Axis(axis), &[hist.view(), da.data().view()])
            .map_err(|e| invalid(self.name, e.to_string()))?;
        let (consumed, emitted) = (run.consumed, run.emitted);
        let start = consumed as i64 - memory as i64;
        let hi = self.available(consumed + size);
        let mut out = Vec::new();
        if hi > emitted {
            let y = self.compute(&window, axis, start, emitted, hi)?;
            out.push(self.emit(self.run.as_ref().expect("run"), y, emitted)?);
        }
        let total = window.shape()[axis];
        let keep = window
            .slice_axis(Axis(axis), ndarray::Slice::from(total - memory..))
            .to_owned();
        let run = self.run.as_mut().expect("run");
        run.hist = Some(T::buf(keep));
        run.consumed = consumed + size;
        run.emitted = emitted.max(hi);
        Ok(out)
    }

    fn finish_typed<T: Sample>(&mut self) -> Result<Vec<Chunk>> {
        let run = self.run.as_ref().expect("started");
        let n_out = (run.consumed * self.up).div_ceil(self.down);
        if run.emitted >= n_out {
            return Ok(Vec::new());
        }
        let Some(hist) = run.hist.as_ref().and_then(T::unbuf) else {
            return Ok(Vec::new());
        };
        let axis = T::unchunk(&run.template)
            .expect("template of the run's type")
            .axis(&self.dim)?;
        let memory = self.memory();
        // the zero extension past the end is upfirdn's own; an empty history needs one row
        let window = if memory == 0 {
            let mut shape = hist.shape().to_vec();
            shape[axis] = 1;
            ArrayD::<T>::zeros(IxDyn(&shape))
        } else {
            hist.clone()
        };
        let start = run.consumed as i64 - memory as i64;
        let y = self.compute(&window, axis, start, run.emitted, n_out)?;
        let out = self.emit(run, y, run.emitted)?;
        self.run.as_mut().expect("run").emitted = n_out;
        Ok(vec![out])
    }
}

impl Stream for PolyStream {
    fn name(&self) -> &'static str {
        self.name
    }
    fn signature(&self) -> String {
        self.signature.clone()
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        let dim = crate::each_array!(first, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
        let origin = Origin::of(first, &dim, self.name)?;
        let template = first.range(&dim, 0, 0)?;
        self.dim = dim;
        self.run = Some(PolyRun {
            hist: None,
            consumed: 0,
            emitted: 0,
            origin,
            template,
        });
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        let name = self.name;
        crate::with_real!(chunk, name, da => self.push_typed(da))
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        match self.run.as_ref().map(|r| &r.template) {
            Some(Chunk::F32(_)) => self.finish_typed::<f32>(),
            Some(Chunk::F64(_)) => self.finish_typed::<f64>(),
            _ => Ok(Vec::new()),
        }
    }
    fn clear(&mut self) {
        self.run = None;
    }
    fn save(&self) -> Result<Value> {
        let Some(run) = &self.run else {
            return Ok(Value::Null);
        };
        Ok(json!({
            "dim": self.dim,
            "hist": encode_opt_buf(&run.hist),
            "consumed": run.consumed,
            "emitted": run.emitted,
            "origin": serde_json::to_value(&run.origin).map_err(|e| AtomError::State(e.to_string()))?,
            "template": encode_opt_chunk(&Some(run.template.clone())),
        }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        if state.is_null() {
            self.run = None;
            return Ok(());
        }
        self.dim = field_as(state, "dim")?;
        self.run = Some(PolyRun {
            hist: decode_opt_buf(field(state, "hist")?)?,
            consumed: field_as(state, "consumed")?,
            emitted: field_as(state, "emitted")?,
            origin: field_as(state, "origin")?,
            template: decode_opt_chunk(field(state, "template")?)?
                .ok_or_else(|| AtomError::State("polyphase run without template".into()))?,
        });
        Ok(())
    }
}

/// Stateful `scipy.signal.upfirdn(taps, x, up, down)` along `dim` (xdas's `Polyphase`).
///
/// With `compensate = false` the output is upfirdn's leading `⌈n·up/down⌉` samples and
/// the taps' group delay `(len − 1) / 2` (upsampled samples) is taken off the
/// coordinate. With `compensate = true` the delay is taken out of the data instead —
/// `scipy.signal.resample_poly(x, up, down, window=taps)` sample for sample (taps are
/// used as given, not multiplied by `up`).
///
/// ```
/// use xdas_atoms::{AtomExt, Polyphase};
/// let da = xdas_synthetics::dummy::<f64>((100, 3)).to_dataarray();
/// let taps = vec![0.25, 0.5, 0.25];
/// let y = Polyphase::new(taps, 1, 2, false, "time").unwrap().apply(da).unwrap();
/// assert_eq!(y.shape(), vec![50, 3]);
/// ```
pub struct Polyphase;

impl Polyphase {
    /// The taps, the factors, and where the delay goes.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        taps: Vec<f64>,
        up: usize,
        down: usize,
        compensate: bool,
        dim: &str,
    ) -> Result<Along<PolyStream>> {
        let signature = format!(
            "Polyphase(taps={taps:?}, up={up}, down={down}, compensate={}, dim={dim:?})",
            if compensate { "True" } else { "False" }
        );
        let placement = if compensate {
            Placement::Compensate
        } else {
            Placement::ShiftCoords
        };
        Ok(Along::new(PolyStream::new(
            "Polyphase",
            signature,
            taps,
            up,
            down,
            placement,
            dim,
        )?))
    }
}
