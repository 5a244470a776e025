//! Interpolated coordinates: tie points `(index, value)` with linear interpolation between.
//!
//! Two consecutive tie points whose indices differ by one mark a jump: a gap when the value
//! moves forward by more than one sampling interval, an overlap when it moves back (the
//! CF "coordinate subsampling" encoding xdas uses). A coordinate may also declare an exact
//! sampling rate `num / den` with a tolerance: it is then *regular*, and every continuous
//! segment satisfies `|den·Δv − num·Δi| ≤ 2·tol·den`.

use super::arith::AxisValue;
use super::{Method, Ratio, SplitKind, Tolerance};
use crate::error::{Error, Result};

/// A piecewise-linear coordinate over values `V` (`f64` or [`crate::Datetime`]).
///
/// ```
/// use xdas_core::coords::InterpCoordinate;
/// let c = InterpCoordinate::new(vec![0, 8], vec![100.0, 900.0]).unwrap();
/// assert_eq!(c.len(), 9);
/// assert_eq!(c.value(2).unwrap(), 300.0);
/// let d = c.slice(0, 9, 3).unwrap();
/// assert_eq!(d.tie_indices(), &[0, 2]);
/// assert_eq!(d.tie_values(), &[100.0, 700.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "V: serde::Serialize, V::Delta: serde::Serialize",
        deserialize = "V: serde::Deserialize<'de>, V::Delta: serde::Deserialize<'de>"
    ))
)]
pub struct InterpCoordinate<V: AxisValue> {
    tie_indices: Vec<usize>,
    tie_values: Vec<V>,
    rate: Option<(Ratio<V::Delta>, V::Delta)>,
}

impl<V: AxisValue> InterpCoordinate<V> {
    /// An irregular coordinate from tie points. Indices must start at 0 and strictly
    /// increase; float values must be finite.
    pub fn new(tie_indices: Vec<usize>, tie_values: Vec<V>) -> Result<Self> {
        if tie_indices.len() != tie_values.len() {
            return Err(Error::InvalidCoordinate(format!(
                "{} tie indices but {} tie values",
                tie_indices.len(),
                tie_values.len()
            )));
        }
        if let Some(&first) = tie_indices.first()
            && first != 0
        {
            return Err(Error::InvalidCoordinate(
                "tie indices must start with 0".into(),
            ));
        }
        if tie_indices.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::InvalidCoordinate(
                "tie indices must be strictly increasing".into(),
            ));
        }
        #[allow(clippy::eq_op)]
        if tie_values.iter().any(|v| v != v) {
            return Err(Error::InvalidCoordinate(
                "tie values must not be NaN".into(),
            ));
        }
        Ok(Self {
            tie_indices,
            tie_values,
            rate: None,
        })
    }

    /// The empty coordinate.
    pub fn empty() -> Self {
        Self {
            tie_indices: vec![],
            tie_values: vec![],
            rate: None,
        }
    }

    /// Declare an exact sampling rate `num / den` (reduced) with a tolerance
    /// (`None`: the type's default, 1e-8 for floats, 0 for datetimes). Fails when the
    /// rate does not fit the continuous segments within the tolerance.
    pub fn with_rate(
        mut self,
        num: V::Delta,
        den: u64,
        tolerance: Option<V::Delta>,
    ) -> Result<Self> {
        if den == 0 {
            return Err(Error::InvalidCoordinate(
                "sampling denominator must be > 0".into(),
            ));
        }
        let (num, den) = V::reduce_rate(num, den);
        let tol = tolerance.unwrap_or_else(V::default_tolerance);
        if !V::rate_fits(&self.continuous_segments(), (num, den), tol) {
            return Err(Error::InvalidCoordinate(format!(
                "sampling interval {num}/{den} with tolerance {tol} is not consistent with \
                 the tie points"
            )));
        }
        self.rate = Some((Ratio { num, den }, tol));
        Ok(self)
    }

    /// Drop the declared rate.
    pub fn without_rate(mut self) -> Self {
        self.rate = None;
        self
    }

    /// A regular block: `size` samples from `start` every `num/den`. The end tie is
    /// rounded to the tick (ties to even); that rounding is added to the tolerance.
    pub fn from_block(
        start: V,
        size: usize,
        num: V::Delta,
        den: u64,
        tolerance: Option<V::Delta>,
    ) -> Self {
        let (num, den) = V::reduce_rate(num, den);
        let (ti, tv) = match size {
            0 => (vec![], vec![]),
            1 => (vec![0], vec![start]),
            _ => (
                vec![0, size - 1],
                vec![start, V::step(start, size as i64 - 1, num, den)],
            ),
        };
        let mut c = Self {
            tie_indices: ti,
            tie_values: tv,
            rate: None,
        };
        // xdas declares the type's default once more when there is no continuous segment
        let quant = if size < 2 {
            V::default_tolerance()
        } else {
            c.quantization_tolerance(num, den)
        };
        let tol = match tolerance {
            Some(t) => V::add_delta(t, quant),
            None if quant > V::zero() => V::add_delta(V::default_tolerance(), quant),
            None => V::default_tolerance(),
        };
        c.rate = Some((Ratio { num, den }, tol));
        c
    }

    /// Smallest tolerance that covers the tie values' own rounding against the rate.
    fn quantization_tolerance(&self, num: V::Delta, den: u64) -> V::Delta {
        V::fit_tolerance(&self.continuous_segments(), (num, den))
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.tie_indices.last().map_or(0, |&i| i + 1)
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.tie_indices.is_empty()
    }

    /// The tie indices.
    pub fn tie_indices(&self) -> &[usize] {
        &self.tie_indices
    }

    /// The tie values.
    pub fn tie_values(&self) -> &[V] {
        &self.tie_values
    }

    /// The declared exact rate, if regular.
    pub fn ratio(&self) -> Option<Ratio<V::Delta>> {
        self.rate.map(|r| r.0)
    }

    /// The declared tolerance, if regular.
    pub fn tolerance(&self) -> Option<V::Delta> {
        self.rate.map(|r| r.1)
    }

    /// `(Δvalue, Δindex)` of every continuous segment (index steps of one are jumps).
    pub(crate) fn continuous_segments(&self) -> Vec<(V::Delta, u64)> {
        self.tie_indices
            .windows(2)
            .zip(self.tie_values.windows(2))
            .filter(|(i, _)| i[1] - i[0] != 1)
            .map(|(i, v)| (V::diff(v[1], v[0]), (i[1] - i[0]) as u64))
            .collect()
    }

    /// The value at index `i`.
    pub fn value(&self, i: usize) -> Result<V> {
        let n = self.len();
        if i >= n {
            return Err(Error::IndexOutOfBounds {
                index: i as i64,
                len: n,
            });
        }
        let k = self.tie_indices.partition_point(|&t| t <= i) - 1;
        if self.tie_indices[k] == i {
            return Ok(self.tie_values[k]);
        }
        Ok(V::forward(
            self.tie_indices[k] as u64,
            self.tie_values[k],
            self.tie_indices[k + 1] as u64,
            self.tie_values[k + 1],
            i as u64,
        ))
    }

    /// All values (materialised).
    pub fn values(&self) -> Vec<V> {
        let mut out = Vec::with_capacity(self.len());
        if let Some(&v) = self.tie_values.first() {
            out.push(v);
        }
        for k in 1..self.tie_indices.len() {
            let (x0, x1) = (self.tie_indices[k - 1] as u64, self.tie_indices[k] as u64);
            let (f0, f1) = (self.tie_values[k - 1], self.tie_values[k]);
            for x in x0 + 1..=x1 {
                out.push(V::forward(x0, f0, x1, f1, x));
            }
        }
        out
    }

    /// Whether the tie values strictly increase (no overlap; lookups work).
    pub fn is_monotonic(&self) -> bool {
        self.tie_values.windows(2).all(|w| w[0] < w[1])
    }

    /// The index of label `v` under `method` (see [`Method`]).
    pub fn index_of(&self, v: V, method: Method) -> Result<usize> {
        let not_found = |reason: &str| Error::LabelNotFound {
            label: v.to_string(),
            dim: String::new(),
            reason: reason.to_string(),
        };
        let n = self.tie_values.len();
        if n == 0 {
            return Err(not_found(": the coordinate is empty"));
        }
        if !self.is_monotonic() {
            return Err(Error::NotMonotonic { dim: String::new() });
        }
        let (first, last) = (self.tie_values[0], self.tie_values[n - 1]);
        if v < first {
            return match method {
                Method::Nearest | Method::Bfill => Ok(0),
                _ => Err(not_found(" (before the first value)")),
            };
        }
        if v > last {
            return match method {
                Method::Nearest | Method::Ffill => Ok(self.len() - 1),
                _ => Err(not_found(" (after the last value)")),
            };
        }
        let k = self.tie_values.partition_point(|t| *t <= v) - 1;
        if self.tie_values[k] == v {
            return Ok(self.tie_indices[k]);
        }
        let (x0, x1) = (self.tie_indices[k], self.tie_indices[k + 1]);
        let pos = V::inverse(
            x0 as u64,
            self.tie_values[k],
            x1 as u64,
            self.tie_values[k + 1],
            v,
        );
        let near = (pos.nearest().clamp(x0 as i64, x1 as i64)) as usize;
        let exact = self.value(near).is_ok_and(|w| w == v);
        let idx = match method {
            _ if exact => near as i64,
            Method::Exact => return Err(not_found("")),
            Method::Nearest => near as i64,
            Method::Ffill => pos.floor,
            Method::Bfill => pos.ceil(),
        };
        Ok(idx.clamp(x0 as i64, x1 as i64) as usize)
    }

    /// Positional slice `[start:stop:step]` with `start <= stop <= len`, `step >= 1`.
    ///
    /// Stepped slices are exact: every kept sample keeps its value. xdas's rule (move each
    /// tie down to the step grid) is used when it is exact, which is always the case for
    /// straight segments and gaps; a kink off the grid gets a tie on each side of it.
    pub fn slice(&self, start: usize, stop: usize, step: usize) -> Result<Self> {
        if step == 0 {
            return Err(Error::InvalidArgument("slice step must be positive".into()));
        }
        let stop = stop.min(self.len());
        let (ti, tv) = if stop <= start {
            (vec![], vec![])
        } else if stop - start <= step {
            (vec![0], vec![self.value(start).expect("in range")])
        } else if step == 1 {
            self.plain_slice(start, stop)
        } else {
            self.stepped_slice(start, stop, step)
        };
        let rate = self.rate.map(|(r, tol)| {
            let (num, den) = V::reduce_rate(V::scale(r.num, step as i64), r.den);
            (Ratio { num, den }, tol)
        });
        Ok(Self {
            tie_indices: ti,
            tie_values: tv,
            rate,
        })
    }

    fn plain_slice(&self, start: usize, stop: usize) -> (Vec<usize>, Vec<V>) {
        let end = stop - 1;
        let mut ti = vec![0];
        let mut tv = vec![self.value(start).expect("in range")];
        for (&i, &v) in self.tie_indices.iter().zip(&self.tie_values) {
            if start < i && i < end {
                ti.push(i - start);
                tv.push(v);
            }
        }
        ti.push(end - start);
        tv.push(self.value(end).expect("in range"));
        (ti, tv)
    }

    fn stepped_slice(&self, start: usize, stop: usize, step: usize) -> (Vec<usize>, Vec<V>) {
        let last = start + (stop - 1 - start) / step * step; // last kept original index
        let m = (last - start) / step + 1;
        // xdas's rule: inner ties move down onto the grid
        let (base_i, _) = self.plain_slice(start, last + 1);
        let mut grid: Vec<usize> = base_i.iter().map(|&t| t / step * step).collect();
        for k in 1..grid.len().saturating_sub(1) {
            if grid[k] == grid[k - 1] {
                grid[k] += step;
            }
        }
        let xdas_ok = grid.windows(2).all(|w| w[0] < w[1])
            && grid.last() == Some(&(last - start))
            && grid
                .windows(2)
                .all(|w| self.chord_is_exact(start + w[0], start + w[1]));
        let mut ks: Vec<usize> = if xdas_ok {
            grid.iter().map(|g| g / step).collect()
        } else {
            // exact construction: first and last grid sample of every original piece
            let mut ks = vec![0, m - 1];
            for &t in &self.tie_indices {
                if t <= start || t >= last {
                    continue;
                }
                let lo = (t - start) / step; // grid sample at or before the tie
                ks.push(lo);
                if (t - start) % step != 0 {
                    ks.push(lo + 1);
                }
            }
            ks.sort_unstable();
            ks.dedup();
            // drop grid ties that lie on a straight chord of their neighbours
            let mut kept: Vec<usize> = Vec::with_capacity(ks.len());
            for (j, &k) in ks.iter().enumerate() {
                if j > 0
                    && j + 1 < ks.len()
                    && self.chord_is_exact(
                        start + kept[kept.len() - 1] * step,
                        start + ks[j + 1] * step,
                    )
                {
                    continue;
                }
                kept.push(k);
            }
            kept
        };
        ks.dedup();
        let tv = ks
            .iter()
            .map(|&k| self.value(start + k * step).expect("in range"))
            .collect();
        (ks, tv)
    }

    /// Whether the straight chord between original indices `a < b` reproduces every
    /// original tie strictly between them (so every sample in between is exact).
    fn chord_is_exact(&self, a: usize, b: usize) -> bool {
        let lo = self.tie_indices.partition_point(|&t| t <= a);
        let hi = self.tie_indices.partition_point(|&t| t < b);
        if lo >= hi {
            return true;
        }
        let (va, vb) = (
            self.value(a).expect("in range"),
            self.value(b).expect("in range"),
        );
        if b - a == 1 {
            return true;
        }
        (lo..hi).all(|k| {
            let t = self.tie_indices[k];
            // an inner jump can never be on a chord
            let jump = (k > 0 && self.tie_indices[k - 1] + 1 == t)
                || (k + 1 < self.tie_indices.len() && self.tie_indices[k + 1] == t + 1);
            !jump && V::forward(a as u64, va, b as u64, vb, t as u64) == self.tie_values[k]
        })
    }

    /// Concatenate end to end (no simplification). The result stays regular only when
    /// every non-empty input declares the same exact rate; its tolerance is the largest.
    pub fn concat(objs: &[&Self]) -> Self {
        let nonempty: Vec<&&Self> = objs.iter().filter(|c| !c.is_empty()).collect();
        if nonempty.len() <= 1 {
            return nonempty.first().map(|c| (**c).clone()).unwrap_or_else(|| {
                objs.last()
                    .map(|c| (*c).clone())
                    .unwrap_or_else(Self::empty)
            });
        }
        let mut ti = Vec::new();
        let mut tv = Vec::new();
        let mut offset = 0;
        for c in &nonempty {
            ti.extend(c.tie_indices.iter().map(|i| i + offset));
            tv.extend_from_slice(&c.tie_values);
            offset += c.len();
        }
        let first = nonempty[0].rate;
        let rate = match first {
            Some((r, _))
                if nonempty.iter().all(|c| {
                    c.rate
                        .is_some_and(|(o, _)| V::same_rate((r.num, r.den), (o.num, o.den)))
                }) =>
            {
                let tol = nonempty
                    .iter()
                    .map(|c| c.rate.expect("checked").1)
                    .fold(V::zero(), |a, b| if b > a { b } else { a });
                Some((r, tol))
            }
            _ => None,
        };
        Self {
            tie_indices: ti,
            tie_values: tv,
            rate,
        }
    }

    /// Simplify within a tolerance: drop tie points the greedy sleeve proves redundant
    /// (`reduce`), then, for an irregular coordinate, try to acquire a rate
    /// (`regularize`). A regular coordinate keeps its rate: fused chords must honour it;
    /// its tolerance becomes `max(tolerance, declared)`.
    pub fn simplify(&self, tolerance: Tolerance, reduce: bool, regularize: bool) -> Self {
        let eps = match tolerance {
            Tolerance::Off => return self.clone(),
            Tolerance::Default => self.tolerance().unwrap_or_else(V::default_tolerance),
            other => other.resolve::<V>(),
        };
        let rate = self.rate.map(|(r, _)| (r.num, r.den));
        let (ti, tv) = if reduce {
            self.sleeve(eps, rate)
        } else {
            (self.tie_indices.clone(), self.tie_values.clone())
        };
        let mut out = Self {
            tie_indices: ti,
            tie_values: tv,
            rate: None,
        };
        if let Some((r, tol)) = self.rate {
            out.rate = Some((r, if eps > tol { eps } else { tol }));
        } else if regularize
            && let Some((num, den, _)) = out.infer_regular()
            && V::rate_fits(&out.continuous_segments(), (num, den), eps)
        {
            out.rate = Some((Ratio { num, den }, eps));
        }
        out
    }

    fn sleeve(&self, eps: V::Delta, rate: Option<(V::Delta, u64)>) -> (Vec<usize>, Vec<V>) {
        let n = self.tie_indices.len();
        if n < 3 {
            return (self.tie_indices.clone(), self.tie_values.clone());
        }
        let x: Vec<u64> = self.tie_indices.iter().map(|&i| i as u64).collect();
        // fast path: one chord over the whole curve, measured on rounded values
        let (x0, x1) = (x[0], x[n - 1]);
        let (f0, f1) = (self.tie_values[0], self.tie_values[n - 1]);
        let whole = (0..n).all(|k| {
            V::abs(V::diff(
                self.tie_values[k],
                V::forward(x0, f0, x1, f1, x[k]),
            )) <= eps
        });
        let rate_ok = rate.is_none_or(|r| V::honours_rate(V::diff(f1, f0), x1 - x0, r, eps));
        if whole && rate_ok {
            return (
                vec![self.tie_indices[0], self.tie_indices[n - 1]],
                vec![f0, f1],
            );
        }
        let keep = V::sleeve(&x, &self.tie_values, eps, rate);
        let ti = self
            .tie_indices
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(i, _)| *i)
            .collect();
        let tv = self
            .tie_values
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| *v)
            .collect();
        (ti, tv)
    }

    /// The rate that minimises the worst drift of the continuous segments (their
    /// length-weighted Chebyshev centre) and half that worst drift as tolerance.
    pub fn infer_regular(&self) -> Option<(V::Delta, u64, V::Delta)> {
        let segs = self.continuous_segments();
        if segs.is_empty() {
            return None;
        }
        // binding pair: maximise di·dj·|ri − rj| / (di + dj); optimum (ni+nj)/(di+dj)
        let r = |k: usize| V::delta_as_f64(segs[k].0) / segs[k].1 as f64;
        let mut best = (0usize, 0usize, -1.0f64);
        for i in 0..segs.len() {
            for j in i..segs.len() {
                let (di, dj) = (segs[i].1 as f64, segs[j].1 as f64);
                let w = if i == j {
                    0.0
                } else {
                    di * dj * (r(i) - r(j)).abs() / (di + dj)
                };
                if w > best.2 {
                    best = (i, j, w);
                }
            }
        }
        let (i, j, _) = best;
        let (num, den) = if i == j {
            (segs[i].0, segs[i].1)
        } else {
            (V::add_delta(segs[i].0, segs[j].0), segs[i].1 + segs[j].1)
        };
        let (num, den) = V::reduce_rate(num, den);
        let mut tol = V::fit_tolerance(&segs, (num, den));
        if !V::EXACT {
            // a few ULPs of slack so that re-validation accepts the derived value
            let big = segs
                .iter()
                .map(|s| V::delta_as_f64(s.0).abs())
                .fold(0.0, f64::max);
            tol = V::delta_from_f64(V::delta_as_f64(tol) + 4.0 * f64::EPSILON * big);
        }
        Some((num, den, tol))
    }

    /// The split candidates: the first index of every new segment and its jump (the
    /// step across the seam minus the neighbouring segment's interval).
    pub(crate) fn split_candidates(&self) -> Vec<(usize, V::Delta)> {
        let n = self.tie_indices.len();
        if n < 2 {
            return vec![];
        }
        let intervals: Vec<V::Delta> = (0..n - 1)
            .map(|k| {
                let dv = V::diff(self.tie_values[k + 1], self.tie_values[k]);
                V::div(dv, (self.tie_indices[k + 1] - self.tie_indices[k]) as i64)
            })
            .collect();
        (0..n - 1)
            .filter(|&k| self.tie_indices[k + 1] - self.tie_indices[k] == 1)
            .map(|k| {
                let reference = if k > 0 { k - 1 } else { (k + 1).min(n - 2) };
                let delta = V::add_delta(intervals[k], V::scale(intervals[reference], -1));
                (self.tie_indices[k + 1], delta)
            })
            .collect()
    }

    /// Indices where a new segment starts, filtered by kind and tolerance.
    pub fn split_indices(&self, kind: SplitKind, tolerance: Tolerance) -> Vec<usize> {
        super::filter_candidates::<V>(self.split_candidates(), kind, tolerance)
    }

    /// Shift every value by `d`.
    pub fn shifted(&self, d: V::Delta) -> Self {
        Self {
            tie_indices: self.tie_indices.clone(),
            tie_values: self.tie_values.iter().map(|&v| V::shift(v, d)).collect(),
            rate: self.rate,
        }
    }
}
