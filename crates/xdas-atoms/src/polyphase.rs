//! Resampling atoms with memory: [`Polyphase`] (the one streaming polyphase engine),
//! and on top of it [`FIRFilter`], [`Resample`], [`ResamplePoly`] and [`Decimate`];
//! plus [`DownSample`] and [`UpSample`].
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
use xdas_core::{Coordinate, DataArray, Datetime, Indexer, Timedelta};
use xdas_signal::design::{BandType, FilterKind, PassZero, firwin, iirfilter_sos};
use xdas_signal::window::Window;

use crate::along::{Along, Stream};
use crate::chunk::{Buf, Chunk, Sample};
use crate::error::{AtomError, Result, invalid};
use crate::filter::RecursiveStream;
use crate::state::{
    decode_opt_buf, decode_opt_chunk, encode_opt_buf, encode_opt_chunk, field, field_as,
};

// ------------------------------------------------------------------ coordinates

/// The label of a run's first input sample and the input's exact rate: every output
/// label is computed from it exactly, so chunking cannot change the coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Origin {
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
    fn of(chunk: &Chunk, dim: &str, atom: &str) -> Result<Origin> {
        let coord = crate::each_array!(chunk, da => da.coord(dim).ok().cloned(), _p => None);
        let bad = || {
            invalid(
                atom,
                format!("needs a regular coordinate along {dim:?} (tie points with a sampling rate)"),
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

    /// `size` labels, the first `shift` upsampled samples (at `up` times the input
    /// rate) after the origin, `down` upsampled samples apart.
    ///
    /// The tolerance is the input's plus, at a rate that is not a whole number of
    /// nanoseconds, the 1 ns that rounding the labels to the tick costs — the same for
    /// every block, so that blocks emitted chunk by chunk join into the block an eager
    /// run gives (`from_block` alone would declare less on blocks of one or two labels).
    fn block(&self, shift: i64, up: usize, down: usize, size: usize, dim: &str) -> Result<Coordinate> {
        Ok(match *self {
            Origin::F64 { start, num, tol } => {
                let first = f64::step(start, shift, num / up as f64, 1);
                let step = num * down as f64 / up as f64;
                let c = InterpCoordinate::from_block(first, size, step, 1, tol)
                    .without_rate()
                    .with_rate(step, 1, Some(tol.unwrap_or_else(f64::default_tolerance)))?;
                Coordinate::new(c, dim)
            }
            Origin::Time {
                start,
                num,
                den,
                tol,
            } => {
                let den_up = den * up as u64;
                let first = Datetime::step(start, shift, num, den_up);
                let step = Timedelta::from_ns(num.ns() * down as i64);
                let (_, reduced) = Datetime::reduce_rate(step, den_up);
                let quant = if reduced > 1 { 1 } else { 0 };
                let tol = Timedelta::from_ns(tol.map(|t| t.ns()).unwrap_or(0) + quant);
                let c = InterpCoordinate::from_block(first, size, step, den_up, None)
                    .without_rate()
                    .with_rate(step, den_up, Some(tol))?;
                Coordinate::new(c, dim)
            }
        })
    }
}

/// `template` with `data` along `dim` and the dim coordinate `coord`; other coordinates
/// on `dim` (non-dimensional labels) are dropped, since samples are recomputed.
fn relabel<T: Sample>(
    template: &DataArray<T>,
    dim: &str,
    data: ArrayD<T>,
    coord: Coordinate,
) -> Result<DataArray<T>> {
    let coords = template
        .coords()
        .filter(|(name, c)| *name == dim || c.dim() != Some(dim))
        .map(|(name, c)| {
            let c = if name == dim { coord.clone() } else { c.clone() };
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
enum Placement {
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
    fn new(
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
        (n * self.up).div_ceil(self.down).saturating_sub(self.pre_remove())
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
            "Polyphase", signature, taps, up, down, placement, dim,
        )?))
    }
}

// ------------------------------------------------------------------ composition

/// Streams run one after the other inside one atom (one seam judgement for all).
pub struct ChainStream {
    name: &'static str,
    signature: String,
    dim: String,
    stages: Vec<Box<dyn Stream>>,
}

impl ChainStream {
    fn feed(&mut self, from: usize, chunks: Vec<Chunk>) -> Result<Vec<Chunk>> {
        let mut chunks = chunks;
        for s in &mut self.stages[from..] {
            let mut next = Vec::new();
            for c in chunks {
                next.extend(s.push(c)?);
            }
            chunks = next;
        }
        Ok(chunks)
    }
}

impl Stream for ChainStream {
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
        // later stages start lazily on their first input (its coordinates may differ)
        for s in &mut self.stages {
            s.clear();
        }
        self.stages[0].start(first)?;
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        self.feed(0, vec![chunk])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        let mut out = Vec::new();
        for i in 0..self.stages.len() {
            let tail = self.stages[i].finish()?;
            out.extend(self.feed(i + 1, tail)?);
        }
        Ok(out)
    }
    fn clear(&mut self) {
        for s in &mut self.stages {
            s.clear();
        }
    }
    fn save(&self) -> Result<Value> {
        Ok(Value::Array(
            self.stages.iter().map(|s| s.save()).collect::<Result<_>>()?,
        ))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        let list = state
            .as_array()
            .filter(|l| l.len() == self.stages.len())
            .ok_or_else(|| AtomError::State(format!("{}: wrong number of stages", self.name)))?;
        for (s, v) in self.stages.iter_mut().zip(list) {
            s.load(v)?;
        }
        Ok(())
    }
}

type Design = dyn Fn(f64) -> Result<Box<dyn Stream>> + Send;

/// A stream designed from the sampling rate of a run's first chunk (FIR taps, IIR
/// sections, resampling factors).
pub struct DesignedStream {
    name: &'static str,
    signature: String,
    dim: String,
    design: Box<Design>,
    fs: Option<f64>,
    inner: Option<Box<dyn Stream>>,
}

impl DesignedStream {
    pub(crate) fn new(
        name: &'static str,
        signature: String,
        dim: &str,
        design: impl Fn(f64) -> Result<Box<dyn Stream>> + Send + 'static,
    ) -> Self {
        DesignedStream {
            name,
            signature,
            dim: dim.into(),
            design: Box::new(design),
            fs: None,
            inner: None,
        }
    }
}

impl Stream for DesignedStream {
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
        let fs = crate::rate::sampling_rate(first, &self.dim, self.name)?;
        let mut inner = (self.design)(fs)?;
        inner.start(first)?;
        self.inner = Some(inner);
        self.fs = Some(fs);
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        self.inner.as_mut().expect("started").push(chunk)
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        match &mut self.inner {
            Some(s) => s.finish(),
            None => Ok(Vec::new()),
        }
    }
    fn clear(&mut self) {
        self.inner = None;
        self.fs = None;
    }
    fn save(&self) -> Result<Value> {
        let inner = self.inner.as_ref().map(|s| s.save()).transpose()?;
        Ok(json!({ "fs": self.fs, "inner": inner }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.clear();
        let fs: Option<f64> = field_as(state, "fs")?;
        if let Some(fs) = fs {
            let mut inner = (self.design)(fs)?;
            inner.load(field(state, "inner")?)?;
            self.inner = Some(inner);
            self.fs = Some(fs);
        }
        Ok(())
    }
}

/// A stream passing chunks through unchanged (resampling by 1/1).
struct Identity(String);

impl Stream for Identity {
    fn name(&self) -> &'static str {
        "Identity"
    }
    fn signature(&self) -> String {
        "Identity".into()
    }
    fn dim(&self) -> &str {
        &self.0
    }
    fn start(&mut self, _: &Chunk) -> Result<()> {
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        Ok(vec![chunk])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        Ok(Vec::new())
    }
    fn clear(&mut self) {}
    fn save(&self) -> Result<Value> {
        Ok(Value::Null)
    }
    fn load(&mut self, _: &Value) -> Result<()> {
        Ok(())
    }
}

// ------------------------------------------------------------------ DownSample / UpSample

/// The stream behind [`DownSample`]: keeps `[::factor]` with a global phase.
pub struct DownStream {
    factor: usize,
    dim: String,
    buffer: Option<Chunk>,
}

impl Stream for DownStream {
    fn name(&self) -> &'static str {
        "DownSample"
    }
    fn signature(&self) -> String {
        format!("DownSample(factor={}, dim={:?})", self.factor, self.dim)
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, _first: &Chunk) -> Result<()> {
        self.buffer = None;
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        if self.factor == 1 {
            return Ok(vec![chunk]);
        }
        let dim = crate::each_array!(&chunk, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
        let joined = match self.buffer.take() {
            Some(b) if b.len_along(&dim)? > 0 => Chunk::concat(&[b, chunk], &dim)?,
            _ => chunk,
        };
        let n = joined.len_along(&dim)?;
        let keep = n - n % self.factor;
        self.buffer = Some(joined.range(&dim, keep, n)?);
        if keep == 0 {
            return Ok(Vec::new());
        }
        let head = joined.isel(
            &dim,
            Indexer::slice(Some(0), Some(keep as i64), Some(self.factor as i64)),
        )?;
        Ok(vec![head])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        match self.buffer.take() {
            Some(b) if b.len_along(&self.dim).unwrap_or(0) > 0 => {
                let dim = crate::each_array!(&b, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
                Ok(vec![b.isel(
                    &dim,
                    Indexer::slice(None, None, Some(self.factor as i64)),
                )?])
            }
            _ => Ok(Vec::new()),
        }
    }
    fn clear(&mut self) {
        self.buffer = None;
    }
    fn save(&self) -> Result<Value> {
        Ok(json!({ "buffer": encode_opt_chunk(&self.buffer) }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.buffer = decode_opt_chunk(field(state, "buffer")?)?;
        Ok(())
    }
}

/// Keep every `factor`-th sample along `dim`, with the phase kept across chunks
/// (xdas's `DownSample`; no anti-alias filter — see [`Decimate`]).
///
/// ```
/// use xdas_atoms::{AtomExt, DownSample};
/// let da = xdas_synthetics::dummy::<f64>((10, 2)).to_dataarray();
/// assert_eq!(DownSample::new(3, "time").apply(da).unwrap().shape(), vec![4, 2]);
/// ```
pub struct DownSample;

impl DownSample {
    /// Keep one sample in `factor` (≥ 1).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(factor: usize, dim: &str) -> Along<DownStream> {
        Along::new(DownStream {
            factor: factor.max(1),
            dim: dim.into(),
            buffer: None,
        })
    }

    /// Like [`DownSample::new`], refusing a zero factor.
    pub fn checked(factor: usize, dim: &str) -> Result<Along<DownStream>> {
        if factor == 0 {
            return Err(invalid("DownSample", "factor must be at least 1"));
        }
        Ok(DownSample::new(factor, dim))
    }
}

/// The stream behind [`UpSample`] (no memory: each input sample becomes `factor`).
pub struct UpStream {
    factor: usize,
    scale: bool,
    dim: String,
}

impl UpStream {
    fn push_typed<T: Sample>(&self, da: DataArray<T>) -> Result<Chunk> {
        let dim = da.resolve_dim(&self.dim)?.to_string();
        let axis = da.axis(&dim)?;
        let n = da.shape()[axis];
        let mut shape = da.shape().to_vec();
        shape[axis] = n * self.factor;
        let mut data = ArrayD::<T>::zeros(IxDyn(&shape));
        let gain = T::of(self.factor as f64);
        {
            let mut every = data.slice_axis_mut(
                Axis(axis),
                ndarray::Slice::new(0, None, self.factor as isize),
            );
            every.assign(da.data());
            if self.scale {
                every.mapv_inplace(|v| v * gain);
            }
        }
        let origin = Origin::of(&T::chunk(da.isel(&dim, Indexer::range(0, 0))?), &dim, "UpSample")
            .or_else(|_| Origin::of(&T::chunk(da.clone()), &dim, "UpSample"))?;
        let coord = origin.block(0, self.factor, 1, n * self.factor, &dim)?;
        Ok(T::chunk(relabel(&da, &dim, data, coord)?))
    }
}

impl Stream for UpStream {
    fn name(&self) -> &'static str {
        "UpSample"
    }
    fn signature(&self) -> String {
        format!(
            "UpSample(factor={}, scale={}, dim={:?})",
            self.factor,
            if self.scale { "True" } else { "False" },
            self.dim
        )
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, _: &Chunk) -> Result<()> {
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        if self.factor == 1 {
            return Ok(vec![chunk]);
        }
        Ok(vec![crate::with_real!(chunk, "UpSample", da => self.push_typed(da))?])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        Ok(Vec::new())
    }
    fn clear(&mut self) {}
    fn save(&self) -> Result<Value> {
        Ok(Value::Null)
    }
    fn load(&mut self, _: &Value) -> Result<()> {
        Ok(())
    }
}

/// Insert `factor − 1` zeros after every sample along `dim`, multiplying the samples by
/// `factor` when `scale` (xdas's `UpSample`); the rate becomes `factor` times higher.
///
/// ```
/// use xdas_atoms::{AtomExt, UpSample};
/// let da = xdas_synthetics::dummy::<f64>((10, 2)).to_dataarray();
/// assert_eq!(UpSample::new(3, true, "time").apply(da).unwrap().shape(), vec![30, 2]);
/// ```
pub struct UpSample;

impl UpSample {
    /// Upsample by `factor` (≥ 1).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(factor: usize, scale: bool, dim: &str) -> Along<UpStream> {
        Along::new(UpStream {
            factor: factor.max(1),
            scale,
            dim: dim.into(),
        })
    }
}

// ------------------------------------------------------------------ FIRFilter


fn fmt_window(w: &Window) -> String {
    format!("{w:?}")
}

/// Parameters of a [`FIRFilter`] (xdas's names; cutoffs in Hz).
#[derive(Debug, Clone)]
pub struct FirParams {
    /// Number of taps.
    pub numtaps: usize,
    /// Corner frequencies in Hz.
    pub cutoff: Vec<f64>,
    /// `lowpass`, `highpass`, `bandpass` or `bandstop` (xdas's default: bandpass).
    pub btype: String,
    /// Window of the design (xdas's default: hamming).
    pub window: Window,
    /// Kaiser transition width in Hz (overrides `window`), as in `firwin`.
    pub width: Option<f64>,
    /// Scale the passband to unity gain.
    pub scale: bool,
    /// Upsampling factor.
    pub up: usize,
    /// Downsampling factor.
    pub down: usize,
}

impl FirParams {
    /// Defaults for everything but the essentials.
    pub fn new(numtaps: usize, cutoff: Vec<f64>, btype: &str) -> Self {
        FirParams {
            numtaps,
            cutoff,
            btype: btype.into(),
            window: Window::Hamming,
            width: None,
            scale: true,
            up: 1,
            down: 1,
        }
    }

    fn pass_zero(&self) -> Result<PassZero> {
        Ok(match BandType::parse(&self.btype)? {
            BandType::Lowpass => PassZero::Lowpass,
            BandType::Highpass => PassZero::Highpass,
            BandType::Bandpass => PassZero::Bandpass,
            BandType::Bandstop => PassZero::Bandstop,
        })
    }

    fn signature(&self, dim: &str) -> String {
        format!(
            "FIRFilter(numtaps={}, cutoff={:?}, btype={:?}, window={}, width={:?}, scale={}, up={}, down={}, dim={dim:?})",
            self.numtaps,
            self.cutoff,
            self.btype,
            fmt_window(&self.window),
            self.width,
            self.scale,
            self.up,
            self.down
        )
    }

    /// The polyphase stream at sampling rate `fs`.
    pub(crate) fn stream(&self, fs: f64, dim: &str, name: &'static str) -> Result<PolyStream> {
        let taps = firwin(
            self.numtaps,
            &self.cutoff,
            self.width,
            &self.window,
            self.pass_zero()?,
            self.scale,
            Some(fs * self.up as f64),
        )?;
        let taps: Vec<f64> = taps.iter().map(|t| t * self.up as f64).collect();
        let placement = if self.up != 1 || self.down != 1 {
            Placement::Compensate
        } else {
            Placement::ShiftCoords
        };
        PolyStream::new(name, String::new(), taps, self.up, self.down, placement, dim)
    }
}

/// A windowed-sinc FIR filter designed in Hz at the data's sampling rate
/// (`scipy.signal.firwin(numtaps, cutoff, width, window, pass_zero=btype, scale,
/// fs=fs·up)`), run as a polyphase filter with memory (xdas's `FIRFilter`).
///
/// Without resampling (`up = down = 1`) the output has the input's length and the
/// group delay `(numtaps − 1)/2` samples is taken off the coordinate. With `up` or
/// `down` the taps (× `up`) resample as `scipy.signal.resample_poly` does.
///
/// ```
/// use xdas_atoms::{AtomExt, FIRFilter, FirParams};
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray(); // 100 Hz
/// let mut lp = FIRFilter::new(FirParams::new(31, vec![10.0], "lowpass"), "time").unwrap();
/// assert_eq!(lp.apply(da).unwrap().shape(), vec![100, 2]);
/// ```
pub struct FIRFilter;

impl FIRFilter {
    /// Check the parameters; the taps are designed on the first chunk.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(params: FirParams, dim: &str) -> Result<Along<DesignedStream>> {
        if params.numtaps == 0 {
            return Err(invalid("FIRFilter", "numtaps must be at least 1"));
        }
        if params.up == 0 || params.down == 0 {
            return Err(invalid("FIRFilter", "up and down must be at least 1"));
        }
        params.pass_zero().map_err(|e| invalid("FIRFilter", e.to_string()))?;
        let signature = params.signature(dim);
        let d = dim.to_string();
        Ok(Along::new(DesignedStream::new(
            "FIRFilter",
            signature,
            dim,
            move |fs| Ok(Box::new(params.stream(fs, &d, "FIRFilter")?) as Box<dyn Stream>),
        )))
    }
}

// ------------------------------------------------------------------ Resample

/// What a [`Resample`] aims at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// A sampling rate (Hz, or per coordinate unit).
    Rate(f64),
    /// A sampling interval (seconds, or coordinate units).
    Interval(f64),
    /// Explicit factors.
    Factors(usize, usize),
}

/// Parameters of a [`Resample`] (xdas's names and defaults).
#[derive(Debug, Clone)]
pub struct ResampleParams {
    /// The target.
    pub target: Target,
    /// `fir` (polyphase, as `resample_poly`) or `iir` (upsample → Chebyshev I → downsample).
    pub method: String,
    /// Snap to the nearest grid nesting the input's (`round(1/r)` or `round(r)`).
    pub snap: bool,
    /// Largest `up` the solver tries (default 10).
    pub maxup: usize,
    /// Largest `down` accepted.
    pub maxdown: Option<usize>,
    /// Relative deviation allowed from the requested ratio (default 1e-5).
    pub tolerance: Option<f64>,
    /// FIR design window (default kaiser 5.0).
    pub window: Option<Window>,
    /// FIR length (default `20·max(up, down) + 1`).
    pub numtaps: Option<usize>,
    /// IIR order (default 8).
    pub order: Option<usize>,
}

impl ResampleParams {
    /// Defaults for a target.
    pub fn new(target: Target) -> Self {
        ResampleParams {
            target,
            method: "fir".into(),
            snap: false,
            maxup: 10,
            maxdown: None,
            tolerance: None,
            window: None,
            numtaps: None,
            order: None,
        }
    }

    fn signature(&self, name: &str, dim: &str) -> String {
        format!(
            "{name}(target={:?}, method={:?}, snap={}, maxup={}, maxdown={:?}, tolerance={:?}, window={:?}, numtaps={:?}, order={:?}, dim={dim:?})",
            self.target,
            self.method,
            self.snap,
            self.maxup,
            self.maxdown,
            self.tolerance,
            self.window,
            self.numtaps,
            self.order
        )
    }

    /// `(up, down)` for input rate `fs` (xdas's solver).
    pub fn factors(&self, fs: f64) -> Result<(usize, usize)> {
        let ratio = match self.target {
            Target::Factors(up, down) => return Ok((up, down)),
            Target::Rate(rate) => rate / fs,
            Target::Interval(interval) => 1.0 / fs / interval,
        };
        if self.snap {
            return Ok(if ratio < 1.0 {
                (1, ((1.0 / ratio).round_ties_even() as usize).max(1))
            } else {
                ((ratio.round_ties_even() as usize).max(1), 1)
            });
        }
        let tol = self.tolerance.unwrap_or(1e-5);
        let mut closest: Option<(usize, usize, f64)> = None;
        for up in 1..=self.maxup {
            let down = ((up as f64 / ratio).round_ties_even() as usize).max(1);
            if self.maxdown.is_some_and(|m| down > m) {
                continue;
            }
            let dev = (up as f64 / down as f64 - ratio).abs() / ratio;
            if dev <= tol {
                return Ok((up, down));
            }
            if closest.is_none_or(|c| dev < c.2) {
                closest = Some((up, down, dev));
            }
        }
        let hint = closest
            .map(|(u, d, dev)| format!(" (closest: {u}/{d}, {:.2}% off)", dev * 100.0))
            .unwrap_or_default();
        Err(invalid(
            "Resample",
            format!(
                "no up/down with up <= {} gives the ratio {ratio} within {tol}{hint}; use snap, a \
                 looser tolerance or a larger maxup",
                self.maxup
            ),
        ))
    }

    fn stream(&self, fs: f64, dim: &str, name: &'static str) -> Result<Box<dyn Stream>> {
        let (up, down) = self.factors(fs)?;
        if up == 1 && down == 1 {
            return Ok(Box::new(Identity(dim.into())));
        }
        match self.method.as_str() {
            "fir" => {
                let numtaps = self.numtaps.unwrap_or(20 * up.max(down) + 1);
                let cutoff = (fs * up as f64 / down as f64).min(fs) / 2.0;
                let mut p = FirParams::new(numtaps, vec![cutoff], "lowpass");
                p.window = self.window.clone().unwrap_or(Window::Kaiser(5.0));
                p.up = up;
                p.down = down;
                Ok(Box::new(p.stream(fs, dim, name)?))
            }
            "iir" => {
                let order = self.order.unwrap_or(8);
                let sos = iirfilter_sos(
                    order,
                    &[0.8 / up.max(down) as f64],
                    BandType::Lowpass,
                    FilterKind::Cheby1 { rp: 0.05 },
                    None,
                )?;
                Ok(Box::new(ChainStream {
                    name,
                    signature: String::new(),
                    dim: dim.into(),
                    stages: vec![
                        Box::new(UpStream {
                            factor: up,
                            scale: true,
                            dim: dim.into(),
                        }),
                        Box::new(RecursiveStream::sos(name, sos, dim)),
                        Box::new(DownStream {
                            factor: down,
                            dim: dim.into(),
                            buffer: None,
                        }),
                    ],
                }))
            }
            other => Err(invalid(
                name,
                format!("method must be 'fir' or 'iir', not {other:?}"),
            )),
        }
    }
}

/// Resample along `dim` to a rate, an interval or by `up/down`, with memory
/// (xdas's `Resample`, methods `fir` and `iir`).
///
/// The factors come from xdas's solver: for `up = 1..maxup`, `down = round(up / r)`;
/// the first within `tolerance` (relative) wins. `fir` gives
/// `scipy.signal.resample_poly` sample for sample; `iir` upsamples, filters with a
/// Chebyshev I (order 8, 0.05 dB, 0.8/max(up, down)) and downsamples.
///
/// ```
/// use xdas_atoms::{AtomExt, Resample, ResampleParams, Target};
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray(); // 100 Hz
/// let mut r = Resample::new(ResampleParams::new(Target::Rate(40.0)), "time").unwrap();
/// assert_eq!(r.apply(da).unwrap().shape(), vec![40, 2]);
/// ```
pub struct Resample;

impl Resample {
    /// Check the parameters; the factors are solved on the first chunk.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(params: ResampleParams, dim: &str) -> Result<Along<DesignedStream>> {
        Self::named("Resample", params, dim)
    }

    fn named(
        name: &'static str,
        params: ResampleParams,
        dim: &str,
    ) -> Result<Along<DesignedStream>> {
        if !matches!(params.method.as_str(), "fir" | "iir") {
            return Err(invalid(
                name,
                format!(
                    "method must be 'fir' or 'iir' (chunkable), not {:?}",
                    params.method
                ),
            ));
        }
        match params.target {
            Target::Rate(v) | Target::Interval(v) if !(v.is_finite() && v > 0.0) => {
                return Err(invalid(name, format!("the target must be positive, got {v}")));
            }
            Target::Factors(u, d) if u == 0 || d == 0 => {
                return Err(invalid(name, "up and down must be at least 1"));
            }
            _ => {}
        }
        if params.maxup == 0 {
            return Err(invalid(name, "maxup must be at least 1"));
        }
        let signature = params.signature(name, dim);
        let d = dim.to_string();
        Ok(Along::new(DesignedStream::new(name, signature, dim, move |fs| {
            params.stream(fs, &d, name)
        })))
    }
}

/// xdas's deprecated `ResamplePoly(target, maxfactor=100, window=("kaiser", 5.0))`:
/// `Resample(rate=target, method="fir", maxup=maxfactor, window=window)`.
///
/// ```
/// use xdas_atoms::{AtomExt, ResamplePoly};
/// use xdas_signal::window::Window;
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray(); // 100 Hz
/// let mut r = ResamplePoly::new(50.0, 100, Window::Kaiser(5.0), "time").unwrap();
/// assert_eq!(r.apply(da).unwrap().shape(), vec![50, 2]);
/// ```
pub struct ResamplePoly;

impl ResamplePoly {
    /// Resample to `target` Hz.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        target: f64,
        maxfactor: usize,
        window: Window,
        dim: &str,
    ) -> Result<Along<DesignedStream>> {
        let mut p = ResampleParams::new(Target::Rate(target));
        p.maxup = maxfactor;
        p.window = Some(window);
        Resample::named("ResamplePoly", p, dim)
    }
}

// ------------------------------------------------------------------ Decimate

/// `scipy.signal.decimate(x, q, n, ftype)` along the chunk dim itself, with memory:
/// `iir` is the causal Chebyshev I (order `n`, default 8) `sosfilt` then `[::q]`; `fir`
/// is `firwin(n + 1, 1/q)` (default `n = 20q`, hamming) through a polyphase filter —
/// zero-phase (`resample_poly`, the tail held until flush) by default, or causal with
/// `zero_phase = false`. Coordinates are the input's `[::q]`. Zero-phase IIR needs the
/// whole record and is refused (use the `decimate` function on whole arrays).
///
/// ```
/// use xdas_atoms::{AtomExt, Decimate};
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray();
/// let mut d = Decimate::new(4, None, "iir", false, "time").unwrap();
/// assert_eq!(d.apply(da).unwrap().shape(), vec![25, 2]);
/// ```
pub struct Decimate;

impl Decimate {
    /// Decimate by `q`.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        q: usize,
        n: Option<usize>,
        ftype: &str,
        zero_phase: bool,
        dim: &str,
    ) -> Result<Along<Box<dyn Stream>>> {
        if q == 0 {
            return Err(invalid("Decimate", "q must be at least 1"));
        }
        let signature = format!(
            "Decimate(q={q}, n={n:?}, ftype={ftype:?}, zero_phase={}, dim={dim:?})",
            if zero_phase { "True" } else { "False" }
        );
        let stream: Box<dyn Stream> = match ftype {
            "iir" => {
                if zero_phase {
                    return Err(invalid(
                        "Decimate",
                        "zero-phase IIR decimation filters backwards over the whole record; \
                         set zero_phase = false, use ftype = 'fir', or the `decimate` function",
                    ));
                }
                let sos = iirfilter_sos(
                    n.unwrap_or(8),
                    &[0.8 / q as f64],
                    BandType::Lowpass,
                    FilterKind::Cheby1 { rp: 0.05 },
                    None,
                )?;
                Box::new(ChainStream {
                    name: "Decimate",
                    signature,
                    dim: dim.into(),
                    stages: vec![
                        Box::new(RecursiveStream::sos("Decimate", sos, dim)),
                        Box::new(DownStream {
                            factor: q,
                            dim: dim.into(),
                            buffer: None,
                        }),
                    ],
                })
            }
            "fir" => {
                let taps = firwin(
                    n.unwrap_or(20 * q) + 1,
                    &[1.0 / q as f64],
                    None,
                    &Window::Hamming,
                    PassZero::True,
                    true,
                    None,
                )?;
                let placement = if zero_phase {
                    Placement::Compensate
                } else {
                    Placement::KeepCoords
                };
                Box::new(PolyStream::new(
                    "Decimate", signature, taps, 1, q, placement, dim,
                )?)
            }
            other => {
                return Err(invalid(
                    "Decimate",
                    format!("ftype must be 'iir' or 'fir', not {other:?}"),
                ));
            }
        };
        Ok(Along::new(stream))
    }
}

impl Stream for Box<dyn Stream> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn signature(&self) -> String {
        (**self).signature()
    }
    fn dim(&self) -> &str {
        (**self).dim()
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        (**self).start(first)
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        (**self).push(chunk)
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        (**self).finish()
    }
    fn clear(&mut self) {
        (**self).clear()
    }
    fn save(&self) -> Result<Value> {
        (**self).save()
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        (**self).load(state)
    }
}
