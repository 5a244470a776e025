//! Coordinates: the labels of an array's axes, stored compactly.
//!
//! Four kinds, as in xdas:
//!
//! | kind | holds | typical use |
//! |---|---|---|
//! | [`InterpCoordinate`] | tie points `(index, value)`, linear in between, optional exact rate | time and distance of DAS data |
//! | [`SampledCoordinate`] | segments `(start, length)` at one exact rate | regularly sampled data with gaps |
//! | dense ([`Values`]) | every value | channel names, irregular positions |
//! | scalar ([`Scalar`]) | one value, no dimension | what an integer index leaves behind |
//!
//! Interpolated and sampled coordinates hold `f64` or [`Datetime`] values; the shared
//! arithmetic lives in [`arith`].

pub mod arith;
mod dense;
mod interp;
mod sampled;

pub use arith::AxisValue;
pub use interp::InterpCoordinate;
pub use sampled::SampledCoordinate;

use crate::error::{Error, Result};
use crate::time::{Datetime, Timedelta};
use crate::value::{DType, Scalar, Values};

/// How a label is matched to an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// The label must be a coordinate value.
    #[default]
    Exact,
    /// The closest index, ties to even (interpolated) or to the later sample.
    Nearest,
    /// The last index whose value is `<=` the label.
    Ffill,
    /// The first index whose value is `>=` the label.
    Bfill,
}

/// An exact sampling rate `num / den` (`den` > 0, reduced; always 1 for floats).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Ratio<D> {
    pub num: D,
    pub den: u64,
}

/// Which seams [`Coordinate::split_indices`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitKind {
    /// Gaps and overlaps.
    Discontinuities,
    /// Jumps forward.
    Gaps,
    /// Jumps backward.
    Overlaps,
}

/// A tolerance argument, mirroring xdas's `False` / `None` / number.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Tolerance {
    /// `False`: no tolerance processing at all (no simplification; every seam counts).
    Off,
    /// `None`: the coordinate's declared tolerance where it applies, else the type's
    /// default (1e-8 for floats, 0 for datetimes).
    #[default]
    Default,
    /// A number: in the coordinate's units, seconds for datetime coordinates.
    Value(f64),
    /// An explicit duration (datetime coordinates).
    Delta(Timedelta),
}

impl Tolerance {
    /// The tolerance as a delta of `V` (`Off` and `Default` give the type's default).
    pub fn resolve<V: AxisValue>(self) -> V::Delta {
        match self {
            Tolerance::Off | Tolerance::Default => V::default_tolerance(),
            Tolerance::Value(x) => V::delta_from_f64(x),
            Tolerance::Delta(d) => V::delta_from_f64(d.as_seconds()),
        }
    }
}

/// Keep the candidates of `kind` whose jump passes the tolerance.
pub(crate) fn filter_candidates<V: AxisValue>(
    candidates: Vec<(usize, V::Delta)>,
    kind: SplitKind,
    tolerance: Tolerance,
) -> Vec<usize> {
    let zero = V::zero();
    let keep: Box<dyn Fn(V::Delta) -> bool> = match tolerance {
        Tolerance::Off => match kind {
            SplitKind::Discontinuities => Box::new(|_| true),
            SplitKind::Gaps => Box::new(move |d| d >= zero),
            SplitKind::Overlaps => Box::new(move |d| d < zero),
        },
        t => {
            let t = t.resolve::<V>();
            let neg = V::scale(t, -1);
            match kind {
                SplitKind::Discontinuities => Box::new(move |d| V::abs(d) > t),
                SplitKind::Gaps => Box::new(move |d| d > t),
                SplitKind::Overlaps => Box::new(move |d| d < neg),
            }
        }
    };
    candidates
        .into_iter()
        .filter(|(_, d)| keep(*d))
        .map(|(i, _)| i)
        .collect()
}

/// The data of a coordinate, by kind and value type.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CoordKind {
    /// Tie points over floats.
    InterpF64(InterpCoordinate<f64>),
    /// Tie points over datetimes.
    InterpTime(InterpCoordinate<Datetime>),
    /// Segments over floats.
    SampledF64(SampledCoordinate<f64>),
    /// Segments over datetimes.
    SampledTime(SampledCoordinate<Datetime>),
    /// Every value.
    Dense(Values),
    /// One value (no dimension).
    Scalar(Scalar),
}

impl From<InterpCoordinate<f64>> for CoordKind {
    fn from(c: InterpCoordinate<f64>) -> Self {
        CoordKind::InterpF64(c)
    }
}
impl From<InterpCoordinate<Datetime>> for CoordKind {
    fn from(c: InterpCoordinate<Datetime>) -> Self {
        CoordKind::InterpTime(c)
    }
}
impl From<SampledCoordinate<f64>> for CoordKind {
    fn from(c: SampledCoordinate<f64>) -> Self {
        CoordKind::SampledF64(c)
    }
}
impl From<SampledCoordinate<Datetime>> for CoordKind {
    fn from(c: SampledCoordinate<Datetime>) -> Self {
        CoordKind::SampledTime(c)
    }
}
impl From<Values> for CoordKind {
    fn from(v: Values) -> Self {
        CoordKind::Dense(v)
    }
}
impl From<Scalar> for CoordKind {
    fn from(v: Scalar) -> Self {
        CoordKind::Scalar(v)
    }
}

/// Run `$body` with `$c` bound to the typed coordinate of any axis kind (interpolated or
/// sampled, f64 or datetime), wrapping results with `$wrap` where needed.
macro_rules! each_axis {
    ($kind:expr, $c:ident => $body:expr, dense $d:ident => $dense:expr, scalar $s:ident => $scalar:expr) => {
        match $kind {
            CoordKind::InterpF64($c) => $body,
            CoordKind::InterpTime($c) => $body,
            CoordKind::SampledF64($c) => $body,
            CoordKind::SampledTime($c) => $body,
            CoordKind::Dense($d) => $dense,
            CoordKind::Scalar($s) => $scalar,
        }
    };
}

/// A coordinate: its data and the dimension it labels (`None` for scalars).
///
/// ```
/// use xdas_core::{Coordinate, Datetime, Timedelta};
/// use xdas_core::coords::Method;
/// let t0: Datetime = "2023-01-01T00:00:00".parse().unwrap();
/// let time = Coordinate::from_block_time(t0, 300, Timedelta::from_ns(20_000_000), "time");
/// assert_eq!(time.len(), 300);
/// assert_eq!(time.value(299).unwrap().to_string(), "2023-01-01T00:00:05.980000000");
/// assert_eq!(time.index_of(&"2023-01-01T00:00:01".into(), Method::Exact).unwrap(), 50);
/// assert_eq!(time.sampling_interval_seconds(), Some(0.02));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Coordinate {
    dim: Option<String>,
    kind: CoordKind,
}

impl Coordinate {
    /// A coordinate along `dim`.
    pub fn new(kind: impl Into<CoordKind>, dim: &str) -> Self {
        let kind = kind.into();
        let dim = match kind {
            CoordKind::Scalar(_) => None,
            _ => Some(dim.to_string()),
        };
        Self { dim, kind }
    }

    /// A scalar coordinate (no dimension).
    pub fn scalar(value: impl Into<Scalar>) -> Self {
        Self {
            dim: None,
            kind: CoordKind::Scalar(value.into()),
        }
    }

    /// A dense coordinate along `dim`.
    pub fn dense(values: impl Into<Values>, dim: &str) -> Self {
        Self::new(values.into(), dim)
    }

    /// A regular interpolated float block: `size` values from `start` every `step`.
    pub fn from_block(start: f64, size: usize, step: f64, dim: &str) -> Self {
        Self::new(
            InterpCoordinate::from_block(start, size, step, 1, None),
            dim,
        )
    }

    /// A regular interpolated datetime block: `size` values from `start` every `step`.
    pub fn from_block_time(start: Datetime, size: usize, step: Timedelta, dim: &str) -> Self {
        Self::new(
            InterpCoordinate::from_block(start, size, step, 1, None),
            dim,
        )
    }

    /// The data.
    pub fn kind(&self) -> &CoordKind {
        &self.kind
    }

    /// The dimension this coordinate labels (`None` for scalars).
    pub fn dim(&self) -> Option<&str> {
        self.dim.as_deref()
    }

    /// The same coordinate on another dimension.
    pub fn with_dim(mut self, dim: &str) -> Self {
        if !self.is_scalar() {
            self.dim = Some(dim.to_string());
        }
        self
    }

    /// The same coordinate detached from any dimension.
    pub fn without_dim(mut self) -> Self {
        self.dim = None;
        self
    }

    /// Whether this is a scalar coordinate.
    pub fn is_scalar(&self) -> bool {
        matches!(self.kind, CoordKind::Scalar(_))
    }

    /// Whether this is an interpolated or sampled coordinate (it has tie points).
    pub fn is_axis(&self) -> bool {
        !matches!(self.kind, CoordKind::Scalar(_) | CoordKind::Dense(_))
    }

    /// Number of values (1 for scalars).
    pub fn len(&self) -> usize {
        each_axis!(&self.kind, c => c.len(), dense d => d.len(), scalar _s => 1)
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The dtype of the values.
    pub fn dtype(&self) -> DType {
        match &self.kind {
            CoordKind::InterpF64(_) | CoordKind::SampledF64(_) => DType::F64,
            CoordKind::InterpTime(_) | CoordKind::SampledTime(_) => DType::Datetime,
            CoordKind::Dense(v) => v.dtype(),
            CoordKind::Scalar(s) => s.dtype(),
        }
    }

    /// The value at index `i`.
    pub fn value(&self, i: usize) -> Result<Scalar> {
        each_axis!(&self.kind,
            c => c.value(i).map(AxisValue::to_scalar),
            dense d => if i < d.len() {
                Ok(d.get(i))
            } else {
                Err(Error::IndexOutOfBounds { index: i as i64, len: d.len() })
            },
            scalar s => Ok(s.clone()))
    }

    /// All values, materialised.
    pub fn values(&self) -> Values {
        match &self.kind {
            CoordKind::InterpF64(c) => Values::F64(c.values()),
            CoordKind::InterpTime(c) => Values::Datetime(c.values()),
            CoordKind::SampledF64(c) => Values::F64(c.values()),
            CoordKind::SampledTime(c) => Values::Datetime(c.values()),
            CoordKind::Dense(v) => v.clone(),
            CoordKind::Scalar(s) => match s {
                Scalar::F64(x) => Values::F64(vec![*x]),
                Scalar::I64(x) => Values::I64(vec![*x]),
                Scalar::Datetime(x) => Values::Datetime(vec![*x]),
                Scalar::Timedelta(x) => Values::I64(vec![x.ns()]),
                Scalar::Str(x) => Values::Str(vec![x.clone()]),
            },
        }
    }

    fn named(&self, e: Error) -> Error {
        let dim = self.dim.clone().unwrap_or_default();
        match e {
            Error::LabelNotFound { label, reason, .. } => Error::LabelNotFound {
                label,
                dim: format!(" {dim:?}"),
                reason,
            },
            Error::NotMonotonic { .. } => Error::NotMonotonic { dim },
            other => other,
        }
    }

    /// The index of `label` under `method`.
    pub fn index_of(&self, label: &Scalar, method: Method) -> Result<usize> {
        if matches!(label, Scalar::F64(v) if v.is_nan()) {
            return Err(Error::InvalidArgument("NaN is not a valid label".into()));
        }
        let r = match &self.kind {
            CoordKind::InterpF64(c) => f64::from_scalar(label).and_then(|v| c.index_of(v, method)),
            CoordKind::InterpTime(c) => {
                Datetime::from_scalar(label).and_then(|v| c.index_of(v, method))
            }
            CoordKind::SampledF64(c) => f64::from_scalar(label).and_then(|v| c.index_of(v, method)),
            CoordKind::SampledTime(c) => {
                Datetime::from_scalar(label).and_then(|v| c.index_of(v, method))
            }
            CoordKind::Dense(d) => dense::index_of(d, label, method),
            CoordKind::Scalar(_) => Err(Error::InvalidArgument(
                "cannot look up a label on a scalar coordinate".into(),
            )),
        };
        r.map_err(|e| self.named(e))
    }

    /// The positional range `[start, stop)` of the inclusive label range `[start, stop]`:
    /// the start is back-filled, the stop forward-filled. A start beyond the end maps to
    /// the length, a stop before the start to 0; with `endpoint = false` a stop equal to
    /// a coordinate value is excluded.
    pub fn slice_indexer(
        &self,
        start: Option<&Scalar>,
        stop: Option<&Scalar>,
        endpoint: bool,
    ) -> Result<(usize, usize)> {
        let n = self.len();
        let lo = match start {
            None => 0,
            Some(s) => match self.index_of(s, Method::Bfill) {
                Ok(i) => i,
                Err(Error::LabelNotFound { .. }) => n,
                Err(e) => return Err(e),
            },
        };
        let mut hi = match stop {
            None => n,
            Some(s) => match self.index_of(s, Method::Ffill) {
                Ok(i) => i + 1,
                Err(Error::LabelNotFound { .. }) => 0,
                Err(e) => return Err(e),
            },
        };
        if !endpoint
            && let Some(s) = stop
            && hi > 0
        {
            let last = self.value(hi - 1)?;
            let same = match (&last, s, self.dtype()) {
                (Scalar::Datetime(a), Scalar::Str(text), DType::Datetime) => {
                    Datetime::parse(text).is_ok_and(|b| *a == b)
                }
                (Scalar::F64(a), Scalar::I64(b), _) => *a == *b as f64,
                (a, b, _) => a.same(b),
            };
            if same {
                hi -= 1;
            }
        }
        Ok((lo, hi.clamp(lo, n.max(lo))))
    }

    /// Positional slice `[start:stop:step]` on already normalised bounds
    /// (`start <= len`, `stop <= len`); a zero step is an error.
    pub fn slice(&self, start: usize, stop: usize, step: usize) -> Result<Coordinate> {
        if step == 0 {
            return Err(Error::InvalidArgument("slice step must be positive".into()));
        }
        let kind = match &self.kind {
            CoordKind::InterpF64(c) => c.slice(start, stop, step)?.into(),
            CoordKind::InterpTime(c) => c.slice(start, stop, step)?.into(),
            CoordKind::SampledF64(c) => c.slice(start, stop, step)?.into(),
            CoordKind::SampledTime(c) => c.slice(start, stop, step)?.into(),
            CoordKind::Dense(d) => {
                let idx: Vec<usize> = (start..stop.max(start)).step_by(step).collect();
                CoordKind::Dense(d.take(&idx))
            }
            CoordKind::Scalar(s) => CoordKind::Scalar(s.clone()),
        };
        Ok(Coordinate {
            dim: self.dim.clone(),
            kind,
        })
    }

    /// The values at `indices`, as a dense coordinate.
    pub fn take(&self, indices: &[usize]) -> Result<Coordinate> {
        let n = self.len();
        if let Some(&bad) = indices.iter().find(|&&i| i >= n) {
            return Err(Error::IndexOutOfBounds {
                index: bad as i64,
                len: n,
            });
        }
        let values = match &self.kind {
            CoordKind::Dense(d) => d.take(indices),
            _ => self.values().take(indices),
        };
        Ok(Coordinate {
            dim: self.dim.clone(),
            kind: CoordKind::Dense(values),
        })
    }

    /// The scalar coordinate left by an integer index.
    pub fn at(&self, i: usize) -> Result<Coordinate> {
        Ok(Coordinate::scalar(self.value(i)?))
    }

    /// Concatenate coordinates of one kind end to end (no simplification). Empty inputs
    /// are skipped.
    pub fn concat(objs: &[&Coordinate]) -> Result<Coordinate> {
        let first = objs
            .first()
            .ok_or_else(|| Error::Concat("nothing to concatenate".into()))?;
        if let Some(o) = objs.iter().find(|o| o.dim != first.dim) {
            return Err(Error::Concat(format!(
                "coordinates on different dimensions {:?} and {:?}",
                first.dim, o.dim
            )));
        }
        let nonempty: Vec<&&Coordinate> = objs.iter().filter(|o| !o.is_empty()).collect();
        let Some(lead) = nonempty.first() else {
            return Ok((*objs[objs.len() - 1]).clone());
        };
        macro_rules! cat {
            ($var:ident, $f:expr) => {{
                let mut parts = Vec::new();
                for o in &nonempty {
                    match &o.kind {
                        CoordKind::$var(c) => parts.push(c),
                        other => {
                            return Err(Error::Concat(format!(
                                "a {} coordinate with a {}",
                                kind_name(&lead.kind),
                                kind_name(other)
                            )));
                        }
                    }
                }
                CoordKind::$var($f(&parts)?)
            }};
        }
        let kind = match &lead.kind {
            CoordKind::InterpF64(_) => cat!(
                InterpF64,
                |p: &[&InterpCoordinate<f64>]| Ok::<_, Error>(InterpCoordinate::concat(p))
            ),
            CoordKind::InterpTime(_) => {
                cat!(
                    InterpTime,
                    |p: &[&InterpCoordinate<Datetime>]| Ok::<_, Error>(InterpCoordinate::concat(p))
                )
            }
            CoordKind::SampledF64(_) => cat!(SampledF64, SampledCoordinate::concat),
            CoordKind::SampledTime(_) => cat!(SampledTime, SampledCoordinate::concat),
            CoordKind::Dense(_) => cat!(Dense, |p: &[&Values]| Values::concat(p)
                .ok_or_else(|| Error::Concat("dense coordinates of different dtypes".into()))),
            CoordKind::Scalar(_) => {
                return Err(Error::Concat("scalar coordinates have no dimension".into()));
            }
        };
        Ok(Coordinate {
            dim: first.dim.clone(),
            kind,
        })
    }

    /// Simplify within `tolerance` (interpolated: greedy sleeve over tie points; sampled:
    /// fuse segments). Dense and scalar coordinates are returned unchanged.
    pub fn simplify(&self, tolerance: Tolerance) -> Coordinate {
        let kind = match &self.kind {
            CoordKind::InterpF64(c) => c.simplify(tolerance, true, false).into(),
            CoordKind::InterpTime(c) => c.simplify(tolerance, true, false).into(),
            CoordKind::SampledF64(c) => c.simplify(tolerance).into(),
            CoordKind::SampledTime(c) => c.simplify(tolerance).into(),
            other => other.clone(),
        };
        Coordinate {
            dim: self.dim.clone(),
            kind,
        }
    }

    /// The nominal sampling interval (`F64`, or `Timedelta` truncated to whole ns), or
    /// `None` when the coordinate declares none (dense, scalar, irregular, < 2 samples
    /// for sampled).
    pub fn sampling_interval(&self) -> Option<Scalar> {
        match &self.kind {
            CoordKind::InterpF64(c) => c.ratio().map(|r| Scalar::F64(r.num / r.den as f64)),
            CoordKind::InterpTime(c) => c.ratio().map(|r| Scalar::Timedelta(r.num / r.den as i64)),
            CoordKind::SampledF64(c) if c.len() >= 2 => {
                c.ratio().map(|r| Scalar::F64(r.num / r.den as f64))
            }
            CoordKind::SampledTime(c) if c.len() >= 2 => {
                c.ratio().map(|r| Scalar::Timedelta(r.num / r.den as i64))
            }
            _ => None,
        }
    }

    /// The sampling interval as float (seconds for datetime axes), computed from the exact
    /// rate without intermediate rounding. Irregular interpolated coordinates get the
    /// rate inferred from their continuous segments (their Chebyshev centre).
    pub fn sampling_interval_seconds(&self) -> Option<f64> {
        match &self.kind {
            CoordKind::InterpF64(c) => c
                .ratio()
                .map(|r| (r.num, r.den))
                .or_else(|| c.infer_regular().map(|(n, d, _)| (n, d)))
                .map(|(n, d)| n / d as f64),
            CoordKind::InterpTime(c) => match c.ratio() {
                Some(r) => Some(r.num.as_seconds() / r.den as f64),
                // the deprecated inference floors to whole ticks first, as xdas does
                None => c
                    .infer_regular()
                    .map(|(n, d, _)| (n / d as i64).as_seconds()),
            },
            CoordKind::SampledF64(c) if c.len() >= 2 => c.ratio().map(|r| r.num / r.den as f64),
            CoordKind::SampledTime(c) if c.len() >= 2 => {
                c.ratio().map(|r| r.num.as_seconds() / r.den as f64)
            }
            _ => None,
        }
    }

    /// Whether values increase (no overlap), so that label lookups work.
    pub fn is_monotonic(&self) -> bool {
        match &self.kind {
            CoordKind::InterpF64(c) => c.is_monotonic(),
            CoordKind::InterpTime(c) => c.is_monotonic(),
            CoordKind::SampledF64(c) => c.is_monotonic(),
            CoordKind::SampledTime(c) => c.is_monotonic(),
            CoordKind::Dense(d) => (1..d.len()).all(|i| match (d.get(i - 1), d.get(i)) {
                (Scalar::F64(a), Scalar::F64(b)) => a < b,
                (Scalar::I64(a), Scalar::I64(b)) => a < b,
                (Scalar::Datetime(a), Scalar::Datetime(b)) => a < b,
                _ => false,
            }),
            CoordKind::Scalar(_) => true,
        }
    }

    /// Indices where a new segment starts (never 0), by kind and tolerance.
    pub fn split_indices(&self, kind: SplitKind, tolerance: Tolerance) -> Result<Vec<usize>> {
        Ok(match &self.kind {
            CoordKind::InterpF64(c) => c.split_indices(kind, tolerance),
            CoordKind::InterpTime(c) => c.split_indices(kind, tolerance),
            CoordKind::SampledF64(c) => c.split_indices(kind, tolerance),
            CoordKind::SampledTime(c) => c.split_indices(kind, tolerance),
            CoordKind::Dense(d) => {
                let tol = match (tolerance, d.dtype()) {
                    (Tolerance::Default, DType::Datetime) => Tolerance::Value(0.0),
                    (t, _) => t,
                };
                filter_candidates::<f64>(dense::split_candidates(d), kind, tol)
            }
            CoordKind::Scalar(_) => {
                return Err(Error::InvalidArgument(
                    "a scalar coordinate cannot be split".into(),
                ));
            }
        })
    }

    /// Strict equality: same kind, dtype, dimension and data (NaN equals NaN). Never fails.
    pub fn equals(&self, other: &Coordinate) -> bool {
        if self.dim != other.dim {
            return false;
        }
        match (&self.kind, &other.kind) {
            (CoordKind::Scalar(a), CoordKind::Scalar(b)) => a.same(b) && a.dtype() == b.dtype(),
            (a, b) => a == b,
        }
    }

    /// Add `delta` to every value (a float, or a timedelta on datetime axes).
    pub fn shifted(&self, delta: &Scalar) -> Result<Coordinate> {
        let bad = || {
            Error::Type(format!(
                "cannot shift a {} coordinate by {delta}",
                self.dtype()
            ))
        };
        let kind = match (&self.kind, delta) {
            (CoordKind::InterpF64(c), Scalar::F64(d)) => c.shifted(*d).into(),
            (CoordKind::SampledF64(c), Scalar::F64(d)) => c.shifted(*d).into(),
            (CoordKind::InterpTime(c), Scalar::Timedelta(d)) => c.shifted(*d).into(),
            (CoordKind::SampledTime(c), Scalar::Timedelta(d)) => c.shifted(*d).into(),
            (CoordKind::Dense(Values::F64(v)), Scalar::F64(d)) => {
                CoordKind::Dense(Values::F64(v.iter().map(|x| x + d).collect()))
            }
            (CoordKind::Dense(Values::Datetime(v)), Scalar::Timedelta(d)) => {
                CoordKind::Dense(Values::Datetime(v.iter().map(|x| *x + *d).collect()))
            }
            _ => return Err(bad()),
        };
        Ok(Coordinate {
            dim: self.dim.clone(),
            kind,
        })
    }
}

/// A short name for error messages.
pub(crate) fn kind_name(k: &CoordKind) -> &'static str {
    match k {
        CoordKind::InterpF64(_) | CoordKind::InterpTime(_) => "interpolated",
        CoordKind::SampledF64(_) | CoordKind::SampledTime(_) => "sampled",
        CoordKind::Dense(_) => "dense",
        CoordKind::Scalar(_) => "scalar",
    }
}
