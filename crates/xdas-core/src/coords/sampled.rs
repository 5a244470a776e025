//! Sampled coordinates: segments `(start value, length)` sharing one exact sampling rate.

use super::arith::AxisValue;
use super::{Method, Ratio, SplitKind, Tolerance};
use crate::error::{Error, Result};

/// A coordinate made of regularly sampled segments, all at the rate `num / den`.
///
/// ```
/// use xdas_core::coords::SampledCoordinate;
/// let c = SampledCoordinate::new(vec![0.0, 10.0], vec![3, 2], 1.0, 1).unwrap();
/// assert_eq!(c.values(), vec![0.0, 1.0, 2.0, 10.0, 11.0]);
/// // stepped slicing keeps the right samples, whatever the segment boundaries
/// assert_eq!(c.slice(0, 5, 2).unwrap().values(), vec![0.0, 2.0, 11.0]);
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
pub struct SampledCoordinate<V: AxisValue> {
    tie_values: Vec<V>,
    tie_lengths: Vec<usize>,
    ratio: Option<Ratio<V::Delta>>,
}

impl<V: AxisValue> SampledCoordinate<V> {
    /// Segments starting at `tie_values` with `tie_lengths` samples each (all > 0), at
    /// the exact rate `num / den` (reduced).
    pub fn new(
        tie_values: Vec<V>,
        tie_lengths: Vec<usize>,
        num: V::Delta,
        den: u64,
    ) -> Result<Self> {
        if tie_values.len() != tie_lengths.len() {
            return Err(Error::InvalidCoordinate(format!(
                "{} tie values but {} tie lengths",
                tie_values.len(),
                tie_lengths.len()
            )));
        }
        if tie_lengths.contains(&0) {
            return Err(Error::InvalidCoordinate("tie lengths must be > 0".into()));
        }
        if den == 0 {
            return Err(Error::InvalidCoordinate(
                "sampling denominator must be > 0".into(),
            ));
        }
        #[allow(clippy::eq_op)]
        if tie_values.iter().any(|v| v != v) {
            return Err(Error::InvalidCoordinate(
                "tie values must not be NaN".into(),
            ));
        }
        let (num, den) = V::reduce_rate(num, den);
        Ok(Self {
            tie_values,
            tie_lengths,
            ratio: Some(Ratio { num, den }),
        })
    }

    /// The empty coordinate (no rate).
    pub fn empty() -> Self {
        Self {
            tie_values: vec![],
            tie_lengths: vec![],
            ratio: None,
        }
    }

    /// One segment of `size` samples from `start` every `num / den`.
    pub fn from_block(start: V, size: usize, num: V::Delta, den: u64) -> Self {
        let (num, den) = V::reduce_rate(num, den);
        let (tv, tl) = if size == 0 {
            (vec![], vec![])
        } else {
            (vec![start], vec![size])
        };
        Self {
            tie_values: tv,
            tie_lengths: tl,
            ratio: Some(Ratio { num, den }),
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.tie_lengths.iter().sum()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.tie_lengths.is_empty()
    }

    /// Segment start values.
    pub fn tie_values(&self) -> &[V] {
        &self.tie_values
    }

    /// Segment lengths.
    pub fn tie_lengths(&self) -> &[usize] {
        &self.tie_lengths
    }

    /// Segment start indices.
    pub fn tie_indices(&self) -> Vec<usize> {
        let mut acc = 0;
        self.tie_lengths
            .iter()
            .map(|l| {
                let i = acc;
                acc += l;
                i
            })
            .collect()
    }

    /// The exact rate (`None` only for the empty coordinate).
    pub fn ratio(&self) -> Option<Ratio<V::Delta>> {
        self.ratio
    }

    fn rate(&self) -> (V::Delta, u64) {
        self.ratio.map_or((V::zero(), 1), |r| (r.num, r.den))
    }

    fn segment_of(&self, i: usize) -> (usize, usize) {
        let mut start = 0;
        for (r, &l) in self.tie_lengths.iter().enumerate() {
            if i < start + l {
                return (r, start);
            }
            start += l;
        }
        unreachable!("index checked by the caller")
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
        let (r, start) = self.segment_of(i);
        Ok(self.value_in(r, i - start))
    }

    fn value_in(&self, r: usize, offset: usize) -> V {
        let (num, den) = self.rate();
        V::forward_step(self.tie_values[r], offset as i64, num, den)
    }

    fn segment_end(&self, r: usize) -> V {
        self.value_in(r, self.tie_lengths[r] - 1)
    }

    /// All values (materialised).
    pub fn values(&self) -> Vec<V> {
        let mut out = Vec::with_capacity(self.len());
        for (r, &l) in self.tie_lengths.iter().enumerate() {
            out.extend((0..l).map(|k| self.value_in(r, k)));
        }
        out
    }

    /// Whether every value is greater than the one before it.
    pub fn is_monotonic(&self) -> bool {
        let (num, _) = self.rate();
        if self.tie_lengths.iter().any(|&l| l > 1) && num <= V::zero() {
            return false;
        }
        (1..self.tie_values.len()).all(|r| self.tie_values[r] > self.segment_end(r - 1))
    }

    /// The index of label `v` under `method`.
    ///
    /// Unlike xdas 0.2.7/0.2.10, `bfill` on the exact last sample of a segment returns
    /// that sample (xdas jumps to the next segment, so inclusive label slices starting
    /// there lose a sample).
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
        if !self.tie_values.windows(2).all(|w| w[0] < w[1]) {
            return Err(Error::NotMonotonic { dim: String::new() });
        }
        let mut r = self
            .tie_values
            .partition_point(|t| *t <= v)
            .saturating_sub(1);
        if r > 0 && v <= self.segment_end(r - 1) {
            return Err(not_found(" (in an overlap region)"));
        }
        let end = self.segment_end(r);
        if r + 1 < n && v > end {
            // inside the gap after segment r
            let next = self.tie_values[r + 1];
            match method {
                Method::Nearest => {
                    if V::diff(v, end) >= V::diff(next, v) {
                        r += 1;
                    }
                }
                Method::Bfill => r += 1,
                Method::Ffill | Method::Exact => {}
            }
        }
        let base: usize = self.tie_lengths[..r].iter().sum();
        let len = self.tie_lengths[r];
        let start = self.tie_values[r];
        let end = self.segment_end(r);
        let offset = if v < start {
            match method {
                Method::Nearest | Method::Bfill => 0,
                _ => return Err(not_found(" (before the segment)")),
            }
        } else if v > end {
            match method {
                Method::Nearest | Method::Ffill => len - 1,
                _ => return Err(not_found(" (after the segment)")),
            }
        } else if len == 1 || v == start {
            0
        } else if v == end {
            len - 1
        } else {
            let pos = V::inverse(0, start, (len - 1) as u64, end, v);
            let near = pos.nearest().clamp(0, len as i64 - 1) as usize;
            if self.value_in(r, near) == v {
                near
            } else {
                let k = match method {
                    Method::Exact => return Err(not_found("")),
                    Method::Nearest => near as i64,
                    Method::Ffill => pos.floor,
                    Method::Bfill => pos.ceil(),
                };
                k.clamp(0, len as i64 - 1) as usize
            }
        };
        Ok(base + offset)
    }

    /// Positional slice `[start:stop:step]` (`start <= stop <= len`, `step >= 1`): each
    /// segment keeps exactly the samples on the step grid, the rate becomes `num·step/den`.
    pub fn slice(&self, start: usize, stop: usize, step: usize) -> Result<Self> {
        if step == 0 {
            return Err(Error::InvalidArgument("slice step must be positive".into()));
        }
        let stop = stop.min(self.len());
        let mut tv = Vec::new();
        let mut tl = Vec::new();
        let mut seg_start = 0;
        for (r, &l) in self.tie_lengths.iter().enumerate() {
            let lo = start.max(seg_start);
            let hi = stop.min(seg_start + l); // exclusive
            if lo < hi {
                // first index >= lo on the grid start + k·step
                let first = start + (lo - start).div_ceil(step) * step;
                if first < hi {
                    let count = (hi - 1 - first) / step + 1;
                    tv.push(self.value_in(r, first - seg_start));
                    tl.push(count);
                }
            }
            seg_start += l;
        }
        let ratio = self.ratio.map(|q| {
            let (num, den) = V::reduce_rate(V::scale(q.num, step as i64), q.den);
            Ratio { num, den }
        });
        Ok(Self {
            tie_values: tv,
            tie_lengths: tl,
            ratio,
        })
    }

    /// Concatenate end to end; every non-empty input must share the exact rate.
    pub fn concat(objs: &[&Self]) -> Result<Self> {
        let nonempty: Vec<&&Self> = objs.iter().filter(|c| !c.is_empty()).collect();
        if nonempty.len() <= 1 {
            return Ok(nonempty.first().map(|c| (**c).clone()).unwrap_or_else(|| {
                objs.last()
                    .map(|c| (*c).clone())
                    .unwrap_or_else(Self::empty)
            }));
        }
        let first = nonempty[0].rate();
        if nonempty.iter().any(|c| !V::same_rate(first, c.rate())) {
            return Err(Error::Concat(
                "sampled coordinates with different sampling intervals".into(),
            ));
        }
        Ok(Self {
            tie_values: nonempty
                .iter()
                .flat_map(|c| c.tie_values.iter().copied())
                .collect(),
            tie_lengths: nonempty
                .iter()
                .flat_map(|c| c.tie_lengths.iter().copied())
                .collect(),
            ratio: nonempty[0].ratio,
        })
    }

    /// The jump at every segment start after the first: its start value minus where the
    /// previous segment would have continued.
    pub(crate) fn split_candidates(&self) -> Vec<(usize, V::Delta)> {
        let idx = self.tie_indices();
        (1..self.tie_values.len())
            .map(|r| {
                let expected = self.value_in(r - 1, self.tie_lengths[r - 1]);
                (idx[r], V::diff(self.tie_values[r], expected))
            })
            .collect()
    }

    /// Indices where a new segment starts, filtered by kind and tolerance.
    pub fn split_indices(&self, kind: SplitKind, tolerance: Tolerance) -> Vec<usize> {
        super::filter_candidates::<V>(self.split_candidates(), kind, tolerance)
    }

    /// Fuse consecutive segments whose seam lies within the tolerance (`Default`: the
    /// type's default). Runs are re-anchored at the centre of their offsets, so every
    /// reconstructed sample moves by at most the tolerance.
    pub fn simplify(&self, tolerance: Tolerance) -> Self {
        let tol = match tolerance {
            Tolerance::Off => return self.clone(),
            other => other.resolve::<V>(),
        };
        if self.tie_values.is_empty() {
            return self.clone();
        }
        let (num, den) = self.rate();
        let mut tv: Vec<V> = Vec::new();
        let mut tl: Vec<usize> = Vec::new();
        // the current run: anchor, length, and the spread [lo, hi] of its members' exact
        // offsets from the run's rate line (in 1/den ticks; floats keep lo = hi = 0)
        let mut anchor = self.tie_values[0];
        let mut run_len = self.tie_lengths[0];
        let (mut lo, mut hi) = (0i128, 0i128);
        let budget = if V::EXACT {
            V::scaled_offset(V::shift(anchor, V::scale(tol, 2)), anchor, 0, num, den)
        } else {
            0
        };
        let close = |anchor: V, lo: i128, hi: i128| {
            if V::EXACT {
                V::shift_scaled(anchor, lo + hi, 2 * den)
            } else {
                anchor
            }
        };
        for r in 1..self.tie_values.len() {
            let fuse = if V::EXACT {
                // exact ticks: fuse while the offsets' spread fits in 2·tol
                let off = V::scaled_offset(self.tie_values[r], anchor, run_len as i64, num, den);
                let (nlo, nhi) = (lo.min(off), hi.max(off));
                let ok = nhi - nlo <= budget;
                if ok {
                    (lo, hi) = (nlo, nhi);
                }
                ok
            } else {
                // floats: the seam itself must be within tol, anchor pinned
                let off = V::diff(
                    self.tie_values[r],
                    V::step(anchor, run_len as i64, num, den),
                );
                V::abs(off) <= tol
            };
            if fuse {
                run_len += self.tie_lengths[r];
            } else {
                tv.push(close(anchor, lo, hi));
                tl.push(run_len);
                anchor = self.tie_values[r];
                run_len = self.tie_lengths[r];
                (lo, hi) = (0, 0);
            }
        }
        tv.push(close(anchor, lo, hi));
        tl.push(run_len);
        Self {
            tie_values: tv,
            tie_lengths: tl,
            ratio: self.ratio,
        }
    }

    /// Shift every value by `d`.
    pub fn shifted(&self, d: V::Delta) -> Self {
        Self {
            tie_values: self.tie_values.iter().map(|&v| V::shift(v, d)).collect(),
            tie_lengths: self.tie_lengths.clone(),
            ratio: self.ratio,
        }
    }
}
