//! Detection atoms: [`STALTA`], the short-term over long-term average characteristic
//! function, and [`Trigger`], the threshold detector that turns one into [`Picks`]
//! (xdas 0.2.10's `xdas.atoms.detect`).
//!
//! Both carry their state from chunk to chunk along their dim, so that a record fed in
//! any chunking gives what one eager call gives, bit for bit:
//!
//! * `STALTA` carries the running sums and the last samples its windows still reach (the
//!   [`xdas_signal::detect::StaLtaState`] kernel). With `method = "centered"` each window
//!   reaches `nlta / 2` samples into the future: the newest `nlta / 2` samples of the
//!   stream are held back, come out with the next chunks, and the record's tail (zero)
//!   at `flush`; output samples keep the coordinates of the input samples they belong
//!   to, exactly as in the eager output.
//! * `Trigger` carries each lane's open run (status, index and value of its maximum),
//!   the absolute sample count, and the coordinate label of every open run's maximum, so
//!   that a pick closing chunks after its maximum is still labelled.
//!
//! **Pick order.** Picks come in the order their runs close: by the sample that switches
//! the trigger off, runs closing at the same sample lane by lane (row-major over the
//! other dims); the runs still open at the end of the record, closed by `flush`, come
//! last, lane by lane. This order does not depend on the chunking (xdas's — lane by lane
//! within each call — does), so joined chunked picks equal the eager picks row for row.
//! The rows are the same as xdas's; only their order differs.

use std::collections::BTreeMap;

use ndarray::{ArrayD, IxDyn};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use xdas_core::{Coordinate, DType, DataArray, Indexer, Scalar, Tolerance, Values};
use xdas_signal::detect::{
    Pick, PickOrder, StaLtaMethod, StaLtaSnapshot, StaLtaState, TriggerSnapshot, TriggerState,
};

use crate::along::{Along, Stream};
use crate::chunk::{Buf, Chunk, Sample};
use crate::error::{AtomError, Result, invalid};
use crate::picks::Picks;
use crate::polyphase::Origin;
use crate::state::{decode_buf, decode_opt_chunk, encode_buf, encode_opt_chunk, field, field_as};

// ------------------------------------------------------------------------------ STALTA

/// Short-term over long-term average of the squared signal along `dim` (xdas's
/// `STALTA`): the characteristic function a [`Trigger`] picks on.
///
/// `sta` and `lta` are window lengths in the units of `dim`'s coordinate (seconds for
/// time); they become `nsta = round(sta / dt)` and `nlta = round(lta / dt)` samples
/// (round half to even, as Python's `round`) at the sampling interval `dt` of the first
/// chunk of each continuous run. `method` is `"recursive"` (ObsPy's
/// `recursive_sta_lta`, bitwise), `"classic"`, `"delayed"` or `"centered"` (boxcar
/// means, see [`xdas_signal::detect::sta_lta`]). Samples whose windows are incomplete
/// are zero. The output keeps the input's coordinates and element type.
///
/// ```
/// use xdas_atoms::{AtomExt, detect::STALTA};
/// use xdas_core::{Split, Tolerance};
/// // 100 Hz data: windows of 5 and 50 samples
/// let da = xdas_synthetics::dummy::<f64>((300, 3)).to_dataarray();
/// let mut atom = STALTA::new(0.05, 0.5, "centered", "time").unwrap();
/// let whole = atom.apply(da.clone()).unwrap();
/// assert_eq!(whole.shape(), vec![300, 3]);
/// let chunks = da.split(Split::Sections(7), "time", Tolerance::Default).unwrap();
/// let joined = atom.run_chunks(chunks.into_iter().map(Into::into), "time").unwrap();
/// assert!(joined.unwrap().equals(&whole));
/// assert!(STALTA::new(1.0, 0.5, "classic", "time").is_err()); // lta must be longer
/// ```
pub struct STALTA;

impl STALTA {
    /// Check the parameters (`0 < sta < lta`, a known method); the windows are sized
    /// from the first chunk.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(sta: f64, lta: f64, method: &str, dim: &str) -> Result<Along<StaLtaStream>> {
        let parsed = StaLtaMethod::parse(method).map_err(|_| {
            invalid(
                "STALTA",
                format!(
                    "method must be one of 'recursive', 'classic', 'delayed', 'centered', \
                     not {method:?}"
                ),
            )
        })?;
        if !(sta > 0.0 && sta.is_finite()) {
            return Err(invalid(
                "STALTA",
                format!("sta must be strictly positive, not {sta}"),
            ));
        }
        if !(lta > sta && lta.is_finite()) {
            return Err(invalid(
                "STALTA",
                format!("lta ({lta}) must be longer than sta ({sta})"),
            ));
        }
        Ok(Along::new(StaLtaStream {
            sta,
            lta,
            method: parsed,
            method_name: method.to_string(),
            dim: dim.to_string(),
            run: None,
            origin: None,
            emitted: 0,
        }))
    }
}

/// Stream of [`STALTA`].
pub struct StaLtaStream {
    sta: f64,
    lta: f64,
    method: StaLtaMethod,
    method_name: String,
    dim: String,
    run: Option<StaLtaRun>,
    /// The run's first label and rate (regular coordinates), and the output samples
    /// emitted: output labels are computed from them, so that the held-back samples of
    /// `centered` are labelled the same whatever the chunking (a piece's own tie points
    /// round differently at rates that are not a whole number of nanoseconds).
    origin: Option<Origin>,
    emitted: usize,
}

impl StaLtaStream {
    fn relabel(&mut self, out: Vec<Chunk>) -> Result<Vec<Chunk>> {
        let Some(origin) = self.origin.clone() else {
            return Ok(out);
        };
        out.into_iter()
            .map(|c| {
                let dim = crate::each_array!(&c, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
                let n = c.len_along(&dim)?;
                let coord = origin.block(self.emitted as i64, 1, 1, n, &dim)?;
                self.emitted += n;
                Ok(match c {
                    Chunk::F32(da) => Chunk::F32(da.assign_coord(&dim, coord)?),
                    Chunk::F64(da) => Chunk::F64(da.assign_coord(&dim, coord)?),
                    other => other,
                })
            })
            .collect()
    }
}

/// One continuous run: the sampling interval it was sized from, and the kernel (made by
/// the first chunk, which fixes the element type and the lanes).
struct StaLtaRun {
    delta: f64,
    nsta: usize,
    nlta: usize,
    kernel: Option<Kernel>,
}

/// The kernel state, and the input samples whose output is held back (their
/// coordinates label that output when it comes).
struct Typed<T> {
    state: StaLtaState<T>,
    held: Option<DataArray<T>>,
}

enum Kernel {
    F32(Typed<f32>),
    F64(Typed<f64>),
}

impl StaLtaStream {
    /// `(nsta, nlta)` at the sampling interval `delta`.
    fn windows(&self, delta: f64) -> Result<(usize, usize)> {
        let count = |len: f64, what: &str| -> Result<usize> {
            let n = (len / delta).round_ties_even();
            if !(n.is_finite() && n < 1e15) {
                return Err(invalid(
                    "STALTA",
                    format!("{what} = {len} is not a usable number of samples at dt = {delta}"),
                ));
            }
            Ok(n as usize)
        };
        let nsta = count(self.sta, "sta")?;
        let nlta = count(self.lta, "lta")?;
        if nsta < 1 {
            return Err(invalid(
                "STALTA",
                format!(
                    "sta = {} is shorter than one sample (dt = {delta})",
                    self.sta
                ),
            ));
        }
        if nlta <= nsta {
            return Err(invalid(
                "STALTA",
                format!("lta must span more samples than sta ({nlta} <= {nsta} at dt = {delta})"),
            ));
        }
        Ok((nsta, nlta))
    }
}

impl<T: Kind> Typed<T> {
    fn new(
        method: StaLtaMethod,
        nsta: usize,
        nlta: usize,
        da: &DataArray<T>,
        axis: usize,
    ) -> Result<Self> {
        Ok(Typed {
            state: StaLtaState::new(method, nsta, nlta, da.shape(), axis)?,
            held: None,
        })
    }

    fn push(&mut self, da: DataArray<T>, dim: &str) -> Result<Vec<Chunk>> {
        let axis = da.axis(dim)?;
        if axis != self.state.axis() {
            return Err(invalid(
                "STALTA",
                format!(
                    "{dim:?} moved from axis {} to axis {axis}",
                    self.state.axis()
                ),
            ));
        }
        let y = self.state.feed(da.data().view())?;
        if self.state.lag() == 0 {
            return Ok(vec![T::chunk(da.with_data(y)?)]);
        }
        // the output labels are those of the oldest samples: the held-back ones first
        let emit = y.shape()[axis];
        let x = match self.held.take() {
            Some(h) if h.shape()[axis] > 0 => {
                DataArray::concat(&[&h, &da], dim, Tolerance::Default)?
            }
            _ => da,
        };
        let n = x.shape()[axis];
        self.held = Some(x.isel(dim, Indexer::range(emit as i64, n as i64))?);
        if emit == 0 {
            return Ok(Vec::new());
        }
        let out = x.isel(dim, Indexer::range(0, emit as i64))?;
        Ok(vec![T::chunk(out.with_data(y)?)])
    }

    fn finish(&mut self) -> Result<Vec<Chunk>> {
        // the held-back samples are zero: their windows run off the record
        let zeros = self.state.flush();
        match self.held.take() {
            Some(h) if h.shape()[self.state.axis()] > 0 => Ok(vec![T::chunk(h.with_data(zeros)?)]),
            _ => Ok(Vec::new()),
        }
    }

    fn save(&self, dtype: &str) -> Value {
        let s = self.state.snapshot();
        json!({
            "dtype": dtype,
            "axis": self.state.axis(),
            "count": s.count,
            "flushed": s.flushed,
            "sta": encode_buf(&Buf::F64(s.sta)),
            "lta": encode_buf(&Buf::F64(s.lta)),
            "history": encode_buf(&T::buf(s.history)),
            "held": encode_opt_chunk(&self.held.clone().map(T::chunk)),
        })
    }

    fn load(method: StaLtaMethod, nsta: usize, nlta: usize, v: &Value) -> Result<Self> {
        let f64s = |key: &str| -> Result<ArrayD<f64>> {
            match decode_buf(field(v, key)?)? {
                Buf::F64(a) => Ok(a),
                Buf::F32(_) => Err(AtomError::State(format!(
                    "STALTA state: {key} is not float64"
                ))),
            }
        };
        let history = T::unbuf(&decode_buf(field(v, "history")?)?)
            .cloned()
            .ok_or_else(|| AtomError::State("STALTA state: history of another dtype".into()))?;
        let snap = StaLtaSnapshot {
            count: field_as(v, "count")?,
            flushed: field_as(v, "flushed")?,
            sta: f64s("sta")?,
            lta: f64s("lta")?,
            history,
        };
        let axis: usize = field_as(v, "axis")?;
        let state = StaLtaState::from_snapshot(method, nsta, nlta, axis, snap)
            .map_err(|e| AtomError::State(format!("STALTA state: {e}")))?;
        let held = match decode_opt_chunk(field(v, "held")?)? {
            None => None,
            Some(c) => Some(T::from_chunk(c).ok_or_else(|| {
                AtomError::State("STALTA state: held samples of another dtype".into())
            })?),
        };
        Ok(Typed { state, held })
    }
}

/// The element types STALTA runs in, with their place in [`Kernel`].
trait Kind: Sample {
    fn from_chunk(c: Chunk) -> Option<DataArray<Self>>;
    fn typed(k: &mut Kernel) -> Option<&mut Typed<Self>>;
    fn kernel(t: Typed<Self>) -> Kernel;
    const NAME: &'static str;
}

macro_rules! kind {
    ($t:ty, $v:ident, $name:expr) => {
        impl Kind for $t {
            fn from_chunk(c: Chunk) -> Option<DataArray<Self>> {
                match c {
                    Chunk::$v(da) => Some(da),
                    _ => None,
                }
            }
            fn typed(k: &mut Kernel) -> Option<&mut Typed<Self>> {
                match k {
                    Kernel::$v(t) => Some(t),
                    _ => None,
                }
            }
            fn kernel(t: Typed<Self>) -> Kernel {
                Kernel::$v(t)
            }
            const NAME: &'static str = $name;
        }
    };
}
kind!(f32, F32, "float32");
kind!(f64, F64, "float64");

impl StaLtaRun {
    fn push<T: Kind>(
        &mut self,
        method: StaLtaMethod,
        da: DataArray<T>,
        dim: &str,
    ) -> Result<Vec<Chunk>> {
        let dim = da.resolve_dim(dim)?.to_string();
        if self.kernel.is_none() {
            let axis = da.axis(&dim)?;
            self.kernel = Some(T::kernel(Typed::new(
                method, self.nsta, self.nlta, &da, axis,
            )?));
        }
        let kernel = self.kernel.as_mut().expect("made above");
        let typed = T::typed(kernel).ok_or_else(|| AtomError::DType {
            atom: "STALTA".into(),
            dtype: format!("{} after chunks of another type", T::NAME),
        })?;
        typed.push(da, &dim)
    }
}

impl Stream for StaLtaStream {
    fn name(&self) -> &'static str {
        "STALTA"
    }

    fn signature(&self) -> String {
        format!(
            "STALTA(sta={:?}, lta={:?}, method={:?}, dim={:?})",
            self.sta, self.lta, self.method_name, self.dim
        )
    }

    fn dim(&self) -> &str {
        &self.dim
    }

    fn start(&mut self, first: &Chunk) -> Result<()> {
        let delta = crate::rate::interval_seconds(first, &self.dim, "STALTA")?;
        let (nsta, nlta) = self.windows(delta)?;
        self.run = Some(StaLtaRun {
            delta,
            nsta,
            nlta,
            kernel: None,
        });
        let dim = crate::each_array!(first, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
        self.origin = Origin::of(first, &dim, "STALTA").ok();
        self.emitted = 0;
        Ok(())
    }

    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        let method = self.method;
        let dim = self.dim.clone();
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| AtomError::State("STALTA: a chunk before the run started".into()))?;
        let out = crate::with_real!(chunk, "STALTA", da => run.push(method, da, &dim))?;
        self.relabel(out)
    }

    fn finish(&mut self) -> Result<Vec<Chunk>> {
        let out = match self.run.as_mut().and_then(|r| r.kernel.as_mut()) {
            Some(Kernel::F32(t)) => t.finish()?,
            Some(Kernel::F64(t)) => t.finish()?,
            None => Vec::new(),
        };
        self.relabel(out)
    }

    fn clear(&mut self) {
        self.run = None;
        self.origin = None;
        self.emitted = 0;
    }

    fn save(&self) -> Result<Value> {
        let Some(run) = &self.run else {
            return Ok(json!({ "delta": null }));
        };
        let kernel = match &run.kernel {
            None => Value::Null,
            Some(Kernel::F32(t)) => t.save(f32::NAME),
            Some(Kernel::F64(t)) => t.save(f64::NAME),
        };
        Ok(json!({
            "delta": run.delta,
            "kernel": kernel,
            "origin": to_json(&self.origin)?,
            "emitted": self.emitted,
        }))
    }

    fn load(&mut self, state: &Value) -> Result<()> {
        self.clear();
        let delta: Option<f64> = field_as(state, "delta")?;
        let Some(delta) = delta else {
            return Ok(());
        };
        let (nsta, nlta) = self.windows(delta)?;
        let k = field(state, "kernel")?;
        let kernel = if k.is_null() {
            None
        } else {
            let dtype: String = field_as(k, "dtype")?;
            Some(match dtype.as_str() {
                "float32" => Kernel::F32(Typed::load(self.method, nsta, nlta, k)?),
                "float64" => Kernel::F64(Typed::load(self.method, nsta, nlta, k)?),
                other => {
                    return Err(AtomError::State(format!("STALTA state: dtype {other:?}")));
                }
            })
        };
        self.run = Some(StaLtaRun {
            delta,
            nsta,
            nlta,
            kernel,
        });
        self.origin = field_as(state, "origin")?;
        self.emitted = field_as(state, "emitted")?;
        Ok(())
    }
}

// ----------------------------------------------------------------------------- Trigger

/// Picks of a characteristic function along `dim` (xdas's `Trigger`): a lane switches
/// on at `value >= thresh` and off below `thresh / 2`; each triggered run gives one pick
/// at its maximum (the first one on ties); the runs still on at the end of the record
/// are closed by `flush` (xdas 0.2.10).
///
/// Every call emits one [`Chunk::Picks`] table (possibly empty) of the runs it closed,
/// `flush` one more if runs were still open. Columns (xdas's `coords="auto"`): the
/// scalar coordinates (constant columns), the coordinates of the other dims (at the
/// pick's lane), the coordinate of `dim` (at the pick), then `value` (as `f64`);
/// datetime coordinates give datetime columns, dims without a coordinate no column.
/// Rows come in the order the runs close (see the [module docs](self)), the same for
/// every chunking.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk, detect::{STALTA, Trigger}};
/// use xdas_core::{Split, Tolerance, Values};
/// let da = xdas_synthetics::wavelet_wavefronts().to_dataarray();
/// let cft = STALTA::new(0.1, 1.0, "recursive", "time").unwrap().apply(da).unwrap();
/// let mut trigger = Trigger::new(3.0, "time");
/// let Chunk::Picks(picks) = trigger.apply(cft.clone()).unwrap() else { panic!() };
/// assert_eq!(picks.columns(), vec!["distance", "time", "value"]);
/// assert!(matches!(picks.column("time"), Some(Values::Datetime(_))));
/// // chunked: the same rows in the same order
/// let Chunk::F64(c) = cft else { panic!() };
/// let chunks = c.split(Split::Sections(9), "time", Tolerance::Default).unwrap();
/// let joined = trigger.run_chunks(chunks.into_iter().map(Into::into), "time").unwrap();
/// assert!(joined.unwrap().equals(&Chunk::Picks(picks)));
/// ```
pub struct Trigger;

impl Trigger {
    /// A trigger on at `thresh` (a NaN threshold is refused at the first chunk).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(thresh: f64, dim: &str) -> Along<TriggerStream> {
        Along::new(TriggerStream {
            thresh,
            dim: dim.to_string(),
            run: None,
        })
    }
}

/// Stream of [`Trigger`].
pub struct TriggerStream {
    thresh: f64,
    dim: String,
    run: Option<TriggerRun>,
}

/// A column of the picks table, resolved from the first chunk of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Column {
    /// A scalar coordinate: a constant column.
    Scalar { name: String, value: Scalar },
    /// The coordinate of another dim, indexed by the pick's lane index `pos` (its
    /// position among the dims other than the picked one).
    Lane {
        name: String,
        pos: usize,
        coord: Coordinate,
    },
    /// The coordinate of the picked dim, indexed by the pick's sample.
    Picked { name: String, dtype: DType },
}

/// One continuous run of the trigger.
struct TriggerRun {
    state: TriggerState,
    /// The picked dim's name and axis.
    dim: String,
    axis: usize,
    columns: Vec<Column>,
    /// The label (picked-dim coordinate) of the maximum of each open run, by raveled
    /// lane: it may lie in a chunk already gone when the run closes.
    labels: BTreeMap<usize, Scalar>,
    /// The first label of the run and its exact rate, when the picked dim's coordinate
    /// is regular: labels are then computed from the absolute sample index, the same
    /// whatever the chunking (a chunk's own tie points would round labels at rates that
    /// are not a whole number of nanoseconds differently from the whole record's).
    origin: Option<Origin>,
}

impl TriggerRun {
    fn new<T: Sample>(thresh: f64, da: &DataArray<T>, dim: &str) -> Result<Self> {
        let dim = da.resolve_dim(dim)?.to_string();
        let axis = da.axis(&dim)?;
        let mut columns = Vec::new();
        for (name, c) in da.coords() {
            if c.is_scalar() {
                columns.push(Column::Scalar {
                    name: name.to_string(),
                    value: c.value(0)?,
                });
            }
        }
        for (a, d) in da.dims().iter().enumerate() {
            if a == axis {
                continue;
            }
            if let Ok(c) = da.coord(d) {
                columns.push(Column::Lane {
                    name: d.clone(),
                    pos: if a < axis { a } else { a - 1 },
                    coord: c.clone(),
                });
            }
        }
        if let Ok(c) = da.coord(&dim) {
            columns.push(Column::Picked {
                name: dim.clone(),
                dtype: c.dtype(),
            });
        }
        let state = TriggerState::new(thresh, axis)
            .map_err(|e| invalid("Trigger", e.to_string()))?
            .with_order(PickOrder::ByClose);
        let origin = Origin::of(&T::chunk(da.clone()), &dim, "Trigger").ok();
        Ok(TriggerRun {
            state,
            dim,
            axis,
            columns,
            labels: BTreeMap::new(),
            origin,
        })
    }

    fn push<T: Sample>(&mut self, da: DataArray<T>) -> Result<Vec<Chunk>> {
        let axis = da.axis(&self.dim)?;
        if axis != self.axis {
            return Err(invalid(
                "Trigger",
                format!(
                    "{:?} moved from axis {} to axis {axis}",
                    self.dim, self.axis
                ),
            ));
        }
        let start = self.state.offset();
        let picks = self.state.feed(da.data().view())?;
        let coord = if self.origin.is_some() {
            None
        } else {
            da.coord(&self.dim).ok()
        };
        let table = self.table(&picks, start, coord)?;
        // remember the labels of the open runs' maxima found in this chunk
        if let Some(coord) = coord {
            let mut labels = BTreeMap::new();
            for (lane, index, _) in self.state.open_runs() {
                let label = if index >= start {
                    coord.value(index - start)?
                } else {
                    self.labels
                        .get(&lane)
                        .cloned()
                        .ok_or_else(|| missing(lane, index))?
                };
                labels.insert(lane, label);
            }
            self.labels = labels;
        }
        Ok(vec![Chunk::Picks(table)])
    }

    fn finish(&mut self) -> Result<Vec<Chunk>> {
        let picks = self.state.flush();
        if picks.is_empty() {
            return Ok(Vec::new());
        }
        let table = self.table(&picks, self.state.offset(), None)?;
        self.labels.clear();
        Ok(vec![Chunk::Picks(table)])
    }

    /// The table of `picks`; `start` is the index of the first sample of the chunk
    /// whose coordinate along the picked dim is `coord`.
    fn table(&self, picks: &[Pick], start: usize, coord: Option<&Coordinate>) -> Result<Picks> {
        let mut columns = Vec::with_capacity(self.columns.len());
        for col in &self.columns {
            let (name, values) = match col {
                Column::Scalar { name, value } => (name, repeat(value, picks.len())?),
                Column::Lane { name, pos, coord } => {
                    let vals = picks
                        .iter()
                        .map(|p| coord.value(p.lane[*pos]))
                        .collect::<std::result::Result<Vec<_>, _>>()?;
                    (name, to_values(coord.dtype(), vals)?)
                }
                Column::Picked { name, dtype } => {
                    let mut vals = Vec::with_capacity(picks.len());
                    for p in picks {
                        let lane = ravel(&p.lane, self.state.lane_shape().unwrap_or(&[]));
                        let label = match (&self.origin, coord) {
                            (Some(o), _) => o.label(p.index as i64),
                            (None, Some(c)) if p.index >= start => c.value(p.index - start)?,
                            _ => self
                                .labels
                                .get(&lane)
                                .cloned()
                                .ok_or_else(|| missing(lane, p.index))?,
                        };
                        vals.push(label);
                    }
                    (name, to_values(*dtype, vals)?)
                }
            };
            columns.push((name.clone(), values));
        }
        Picks::new(columns, picks.iter().map(|p| p.value).collect())
    }
}

/// Row-major number of the multi-index `idx` in `shape`.
fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &d)| acc * d + i)
}

fn missing(lane: usize, index: usize) -> AtomError {
    AtomError::State(format!(
        "Trigger: no label for the pick at sample {index} of lane {lane} (corrupt state?)"
    ))
}

/// `n` copies of a scalar, as a column.
fn repeat(value: &Scalar, n: usize) -> Result<Values> {
    to_values(value.dtype(), vec![value.clone(); n])
}

/// A column of `dtype` from its values (timedeltas as int64 nanoseconds).
fn to_values(dtype: DType, vals: Vec<Scalar>) -> Result<Values> {
    let mixed = || {
        AtomError::State(format!(
            "Trigger: a {dtype} column with values of another type"
        ))
    };
    macro_rules! collect {
        ($var:ident, $pat:pat => $e:expr) => {
            Values::$var(
                vals.into_iter()
                    .map(|v| match v {
                        $pat => Ok($e),
                        _ => Err(mixed()),
                    })
                    .collect::<Result<Vec<_>>>()?,
            )
        };
    }
    Ok(match dtype {
        DType::Datetime => collect!(Datetime, Scalar::Datetime(d) => d),
        DType::Str => collect!(Str, Scalar::Str(s) => s),
        DType::Timedelta => collect!(I64, Scalar::Timedelta(d) => d.ns()),
        DType::F32 | DType::F64 => collect!(F64, Scalar::F64(x) => x),
        _ => Values::I64(
            vals.into_iter()
                .map(|v| match v {
                    Scalar::I64(i) => Ok(i),
                    Scalar::F64(x) if x.fract() == 0.0 && x.abs() < 9.2e18 => Ok(x as i64),
                    _ => Err(mixed()),
                })
                .collect::<Result<Vec<_>>>()?,
        ),
    })
}

impl Stream for TriggerStream {
    fn name(&self) -> &'static str {
        "Trigger"
    }

    fn signature(&self) -> String {
        format!("Trigger(thresh={:?}, dim={:?})", self.thresh, self.dim)
    }

    fn dim(&self) -> &str {
        &self.dim
    }

    fn start(&mut self, first: &Chunk) -> Result<()> {
        let (thresh, dim) = (self.thresh, self.dim.as_str());
        let run = crate::with_real!(first, "Trigger", da => TriggerRun::new(thresh, da, dim))?;
        self.run = Some(run);
        Ok(())
    }

    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| AtomError::State("Trigger: a chunk before the run started".into()))?;
        crate::with_real!(chunk, "Trigger", da => run.push(da))
    }

    fn finish(&mut self) -> Result<Vec<Chunk>> {
        match self.run.as_mut() {
            Some(run) => run.finish(),
            None => Ok(Vec::new()),
        }
    }

    fn clear(&mut self) {
        self.run = None;
    }

    fn save(&self) -> Result<Value> {
        let Some(run) = &self.run else {
            return Ok(Value::Null);
        };
        let snap = run.state.snapshot();
        let labels: Vec<(usize, &Scalar)> = run.labels.iter().map(|(&l, s)| (l, s)).collect();
        let n = snap.value.len();
        let values = ArrayD::from_shape_vec(IxDyn(&[n]), snap.value)
            .map_err(|e| AtomError::State(e.to_string()))?;
        Ok(json!({
            "dim": run.dim,
            "axis": run.axis,
            "columns": to_json(&run.columns)?,
            "lane_shape": snap.lane_shape,
            "on": snap.on,
            "index": snap.index,
            "value": encode_buf(&Buf::F64(values)),
            "offset": snap.offset,
            "labels": to_json(&labels)?,
            "origin": to_json(&run.origin)?,
        }))
    }

    fn load(&mut self, state: &Value) -> Result<()> {
        self.clear();
        if state.is_null() {
            return Ok(());
        }
        let axis: usize = field_as(state, "axis")?;
        let value = match decode_buf(field(state, "value")?)? {
            Buf::F64(a) => a.iter().copied().collect(),
            Buf::F32(_) => {
                return Err(AtomError::State("Trigger state: values not float64".into()));
            }
        };
        let snap = TriggerSnapshot {
            lane_shape: field_as(state, "lane_shape")?,
            on: field_as(state, "on")?,
            index: field_as(state, "index")?,
            value,
            offset: field_as(state, "offset")?,
        };
        let mut trigger = TriggerState::new(self.thresh, axis)
            .map_err(|e| invalid("Trigger", e.to_string()))?
            .with_order(PickOrder::ByClose);
        trigger
            .restore(snap)
            .map_err(|e| AtomError::State(format!("Trigger state: {e}")))?;
        let labels: Vec<(usize, Scalar)> = field_as(state, "labels")?;
        self.run = Some(TriggerRun {
            state: trigger,
            dim: field_as(state, "dim")?,
            axis,
            columns: field_as(state, "columns")?,
            labels: labels.into_iter().collect(),
            origin: field_as(state, "origin")?,
        });
        Ok(())
    }
}

fn to_json<S: Serialize>(v: &S) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| AtomError::State(e.to_string()))
}
