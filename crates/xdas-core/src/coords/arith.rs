//! The interpolation arithmetic behind tie-point coordinates (the `xinterp` rules).
//!
//! Coordinate values are either `f64` or [`Datetime`] (integer nanosecond ticks). Both go
//! through the [`AxisValue`] trait so that every coordinate algorithm is written once:
//!
//! * **Datetime** (exact ticks): every interpolation is done in exact `i128` integer
//!   arithmetic and rounded to the nearest tick, ties to even — `[0, 4] → [0, 10] ns`
//!   gives `0, 2, 5, 8, 10`.
//! * **f64**: the chord is evaluated in double-double (≈106-bit) precision and rounded
//!   once to `f64`, so a value between two ties is the correctly rounded result.

use crate::error::{Error, Result};
use crate::time::{Datetime, Timedelta};
use crate::value::{DType, Scalar};
use std::cmp::Ordering;
use std::fmt;

/// Where an inverse lookup lands between two integer indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// `floor(x)`.
    pub floor: i64,
    /// The fractional part `x - floor(x)` compared with zero and one half.
    pub frac: Frac,
}

/// Classification of a fractional part in `[0, 1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frac {
    Zero,
    BelowHalf,
    Half,
    AboveHalf,
}

impl Position {
    /// Round half to even.
    pub fn nearest(self) -> i64 {
        match self.frac {
            Frac::Zero | Frac::BelowHalf => self.floor,
            Frac::AboveHalf => self.floor + 1,
            Frac::Half => {
                if self.floor % 2 == 0 {
                    self.floor
                } else {
                    self.floor + 1
                }
            }
        }
    }
    /// Round up.
    pub fn ceil(self) -> i64 {
        if self.frac == Frac::Zero {
            self.floor
        } else {
            self.floor + 1
        }
    }
}

/// A value type a tie-point coordinate can hold: `f64` or [`Datetime`].
pub trait AxisValue:
    Copy + PartialEq + PartialOrd + fmt::Debug + fmt::Display + Send + Sync + 'static
{
    /// The difference of two values: `f64` or [`Timedelta`].
    type Delta: Copy + PartialEq + PartialOrd + fmt::Debug + fmt::Display + Send + Sync + 'static;

    /// The dtype name of this value type.
    const DTYPE: DType;
    /// Whether values are exact integer ticks (datetimes) rather than floats.
    const EXACT: bool;

    /// The value at integer position `x` on the chord from `(x0, f0)` to `(x1, f1)`.
    fn forward(x0: u64, f0: Self, x1: u64, f1: Self, x: u64) -> Self;
    /// The (fractional) position of `v` on the chord from `(x0, f0)` to `(x1, f1)`,
    /// `f0 < f1`.
    fn inverse(x0: u64, f0: Self, x1: u64, f1: Self, v: Self) -> Position;
    /// `anchor + offset · num / den`, rounded to the tick (ties to even) for exact types.
    fn step(anchor: Self, offset: i64, num: Self::Delta, den: u64) -> Self;
    /// `anchor + k · num / den` computed exactly and rounded once (to the tick for
    /// exact types): the value of sample `k` of a sampled segment.
    fn forward_step(anchor: Self, k: i64, num: Self::Delta, den: u64) -> Self;
    /// Exact offset of `v` from `anchor + k · num / den`, in units of `1/den` tick
    /// (exact types only; floats return 0).
    fn scaled_offset(v: Self, anchor: Self, k: i64, num: Self::Delta, den: u64) -> i128;
    /// `anchor + round(scaled / den)` ticks, ties to even (exact types only).
    fn shift_scaled(anchor: Self, scaled: i128, den: u64) -> Self;
    /// Whether the chord `(Δv, Δx)` honours the rate within the sleeve's (strict) band.
    fn honours_rate(dv: Self::Delta, dx: u64, rate: (Self::Delta, u64), eps: Self::Delta) -> bool;
    /// `a - b`.
    fn diff(a: Self, b: Self) -> Self::Delta;
    /// `a + d`.
    fn shift(a: Self, d: Self::Delta) -> Self;
    /// The zero delta.
    fn zero() -> Self::Delta;
    /// `|d|`.
    fn abs(d: Self::Delta) -> Self::Delta;
    /// `d · k`.
    fn scale(d: Self::Delta, k: i64) -> Self::Delta;
    /// `d / k`, truncated for exact types.
    fn div(d: Self::Delta, k: i64) -> Self::Delta;
    /// `a + b` on deltas.
    fn add_delta(a: Self::Delta, b: Self::Delta) -> Self::Delta;
    /// Delta as seconds (datetimes) or as is (floats).
    fn delta_as_f64(d: Self::Delta) -> f64;
    /// A numeric tolerance as a delta: seconds for datetimes (rounded to ns), as is for
    /// floats.
    fn delta_from_f64(x: f64) -> Self::Delta;
    /// The default tolerance of the type: 1e-8 for f64, zero for datetimes.
    fn default_tolerance() -> Self::Delta;
    /// Reduce an exact rate `num / den` to lowest terms (floats: divide, den = 1).
    fn reduce_rate(num: Self::Delta, den: u64) -> (Self::Delta, u64);
    /// Whether `num_a/den_a == num_b/den_b` exactly (cross-multiplied).
    fn same_rate(a: (Self::Delta, u64), b: (Self::Delta, u64)) -> bool;
    /// Whether the segment spans `(dv, di)` fit the rate within `tol`:
    /// `|den·dv − num·di| ≤ 2·tol·den` for every pair.
    fn rate_fits(spans: &[(Self::Delta, u64)], rate: (Self::Delta, u64), tol: Self::Delta) -> bool;
    /// The least tolerance with which `rate` fits every span (rounded up to the tick).
    fn fit_tolerance(spans: &[(Self::Delta, u64)], rate: (Self::Delta, u64)) -> Self::Delta;
    /// The greedy-sleeve simplification of tie points (see [`crate::coords`]): which
    /// points survive when every dropped point stays within `eps` of its chord and, if a
    /// rate is given, every fused chord honours it.
    fn sleeve(
        x: &[u64],
        f: &[Self],
        eps: Self::Delta,
        rate: Option<(Self::Delta, u64)>,
    ) -> Vec<bool>;
    /// As a [`Scalar`].
    fn to_scalar(self) -> Scalar;
    /// A delta as a [`Scalar`] (`F64` or `Timedelta`).
    fn delta_to_scalar(d: Self::Delta) -> Scalar;
    /// From a [`Scalar`] label (strings parse as ISO datetimes on datetime axes).
    fn from_scalar(s: &Scalar) -> Result<Self>;
    /// Compare for sorting (total order; NaN-free by construction).
    fn total_cmp(a: &Self, b: &Self) -> Ordering;
}

// ---------------------------------------------------------------------------------------
// double-double helpers for f64

/// An unevaluated sum `hi + lo` with |lo| ≤ ulp(hi)/2: ≈106 bits of precision.
#[derive(Clone, Copy, Debug)]
struct Dd {
    hi: f64,
    lo: f64,
}

fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    Dd { hi: s, lo: e }
}

fn two_prod(a: f64, b: f64) -> Dd {
    let p = a * b;
    Dd {
        hi: p,
        lo: a.mul_add(b, -p),
    }
}

impl Dd {
    fn from(x: f64) -> Dd {
        Dd { hi: x, lo: 0.0 }
    }
    fn add(self, o: Dd) -> Dd {
        let s = two_sum(self.hi, o.hi);
        let t = two_sum(self.lo, o.lo);
        let s = two_sum(s.hi, s.lo + t.hi);
        two_sum(s.hi, s.lo + t.lo)
    }
    fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
    fn mul_f(self, b: f64) -> Dd {
        let p = two_prod(self.hi, b);
        two_sum(p.hi, p.lo + self.lo * b)
    }
    fn div(self, d: Dd) -> Dd {
        let q1 = self.hi / d.hi;
        let r = self.add(d.mul_f(q1).neg());
        let q2 = r.hi / d.hi;
        let r = r.add(d.mul_f(q2).neg());
        let q3 = r.hi / d.hi;
        two_sum(q1, q2).add(Dd::from(q3))
    }
    fn value(self) -> f64 {
        self.hi + self.lo
    }
    fn position(self) -> Position {
        let fl = self.hi.floor();
        let mut frac = Dd::from(self.hi - fl).add(Dd::from(self.lo));
        let mut floor = fl;
        if frac.hi < 0.0 {
            floor -= 1.0;
            frac = frac.add(Dd::from(1.0));
        } else if frac.hi >= 1.0 {
            floor += 1.0;
            frac = frac.add(Dd::from(-1.0));
        }
        let half = frac.add(Dd::from(-0.5)).value();
        let cls = if frac.hi == 0.0 && frac.lo == 0.0 {
            Frac::Zero
        } else if half < 0.0 {
            Frac::BelowHalf
        } else if half == 0.0 {
            Frac::Half
        } else {
            Frac::AboveHalf
        };
        Position {
            floor: floor as i64,
            frac: cls,
        }
    }
}

// ---------------------------------------------------------------------------------------
// exact integer helpers

/// `n / d` rounded to nearest, ties to even (`d > 0`).
pub(crate) fn div_round_even(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    match (2 * r).cmp(&d) {
        Ordering::Less => q,
        Ordering::Greater => q + 1,
        Ordering::Equal => {
            if q % 2 == 0 {
                q
            } else {
                q + 1
            }
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The sleeve budget `en/ed` in ticks for a tolerance `eps`: `eps + 1/2` (a chord within
/// half a tick reconstructs exactly once rounded); with a rate of denominator `sd`, the
/// largest budget whose rate band is exactly `|drift| <= 2·eps`.
fn exact_budget(eps: Timedelta, sd: Option<i128>) -> (i128, i128) {
    let (en, ed) = (2 * eps.ns() as i128 + 1, 2i128);
    match sd {
        None => (en, ed),
        Some(sd) => ((2 * sd * en - sd * ed).div_euclid(ed) + 1, 2 * sd),
    }
}

/// Exact greedy sleeve on integer ticks with budget `en/ed` (strict), optionally
/// honouring the rate `sn/sd` on every fused chord: `|sd·Δf − sn·Δx| < 2·sd·en/ed`.
fn sleeve_exact(x: &[u64], f: &[i64], en: i128, ed: i128, rate: Option<(i128, i128)>) -> Vec<bool> {
    let n = x.len();
    let mut keep = vec![false; n];
    if n == 0 {
        return keep;
    }
    keep[0] = true;
    keep[n - 1] = true;
    let mut a = 0usize;
    // slope cone as fractions (num, den), den > 0: lo < s < hi
    let mut lo: Option<(i128, i128)> = None;
    let mut hi: Option<(i128, i128)> = None;
    for j in 1..n {
        let dx = (x[j] - x[a]) as i128;
        let df = f[j] as i128 - f[a] as i128;
        if j > a + 1 {
            // s = df/dx; lo < s  <=> lo.n*dx < df*lo.d
            let in_lo = lo.is_none_or(|(ln, ld)| ln * dx < df * ld);
            let in_hi = hi.is_none_or(|(hn, hd)| df * hd < hn * dx);
            let in_rate = rate.is_none_or(|(sn, sd)| {
                let drift = (sd * df - sn * dx).abs();
                drift * ed < 2 * sd * en
            });
            if !(in_lo && in_hi && in_rate) {
                keep[j - 1] = true;
                a = j - 1;
                lo = None;
                hi = None;
            }
        }
        let dx = (x[j] - x[a]) as i128;
        let df = f[j] as i128 - f[a] as i128;
        // point j's cone from anchor a: (df ∓ en/ed) / dx = (df·ed ∓ en) / (dx·ed)
        let cl = (df * ed - en, dx * ed);
        let ch = (df * ed + en, dx * ed);
        lo = Some(match lo {
            Some(l) if l.0 * cl.1 >= cl.0 * l.1 => l,
            _ => cl,
        });
        hi = Some(match hi {
            Some(h) if h.0 * ch.1 <= ch.0 * h.1 => h,
            _ => ch,
        });
    }
    keep
}

/// Float greedy sleeve with budget `eps` (inclusive), optionally honouring the rate `s`
/// on every fused chord: `|Δf − s·Δx| ≤ 2·eps`.
fn sleeve_float(x: &[u64], f: &[f64], eps: f64, rate: Option<f64>) -> Vec<bool> {
    let n = x.len();
    let mut keep = vec![false; n];
    if n == 0 {
        return keep;
    }
    keep[0] = true;
    keep[n - 1] = true;
    let mut a = 0usize;
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    for j in 1..n {
        if j > a + 1 {
            let dx = (x[j] - x[a]) as f64;
            let df = f[j] - f[a];
            let s = df / dx;
            let in_rate = rate.is_none_or(|r| (df - r * dx).abs() < 2.0 * eps);
            if !(lo <= s && s <= hi && in_rate) {
                keep[j - 1] = true;
                a = j - 1;
                lo = f64::NEG_INFINITY;
                hi = f64::INFINITY;
            }
        }
        let dx = (x[j] - x[a]) as f64;
        let df = f[j] - f[a];
        lo = lo.max((df - eps) / dx);
        hi = hi.min((df + eps) / dx);
    }
    keep
}

impl AxisValue for f64 {
    type Delta = f64;
    const DTYPE: DType = DType::F64;
    const EXACT: bool = false;

    fn forward(x0: u64, f0: f64, x1: u64, f1: f64, x: u64) -> f64 {
        if x == x0 {
            return f0;
        }
        if x == x1 {
            return f1;
        }
        let a = two_prod(f0, (x1 - x) as f64);
        let b = two_prod(f1, (x - x0) as f64);
        a.add(b).div(Dd::from((x1 - x0) as f64)).value()
    }

    fn inverse(x0: u64, f0: f64, x1: u64, f1: f64, v: f64) -> Position {
        if v == f0 {
            return Position {
                floor: x0 as i64,
                frac: Frac::Zero,
            };
        }
        if v == f1 {
            return Position {
                floor: x1 as i64,
                frac: Frac::Zero,
            };
        }
        let d1 = two_sum(f1, -v);
        let d2 = two_sum(v, -f0);
        let den = two_sum(f1, -f0);
        let num = d1.mul_f(x0 as f64).add(d2.mul_f(x1 as f64));
        num.div(den).position()
    }

    fn step(anchor: f64, offset: i64, num: f64, den: u64) -> f64 {
        anchor + offset as f64 * num / den as f64
    }

    fn forward_step(anchor: f64, k: i64, num: f64, den: u64) -> f64 {
        let p = two_prod(k as f64, num).add(Dd::from(anchor));
        if den == 1 {
            p.value()
        } else {
            p.div(Dd::from(den as f64)).value()
        }
    }
    fn scaled_offset(_: f64, _: f64, _: i64, _: f64, _: u64) -> i128 {
        0
    }
    fn shift_scaled(anchor: f64, _: i128, _: u64) -> f64 {
        anchor
    }
    fn honours_rate(dv: f64, dx: u64, rate: (f64, u64), eps: f64) -> bool {
        (dv - rate.0 / rate.1 as f64 * dx as f64).abs() < 2.0 * eps
    }

    fn diff(a: f64, b: f64) -> f64 {
        a - b
    }
    fn shift(a: f64, d: f64) -> f64 {
        a + d
    }
    fn zero() -> f64 {
        0.0
    }
    fn abs(d: f64) -> f64 {
        d.abs()
    }
    fn scale(d: f64, k: i64) -> f64 {
        d * k as f64
    }
    fn div(d: f64, k: i64) -> f64 {
        d / k as f64
    }
    fn add_delta(a: f64, b: f64) -> f64 {
        a + b
    }
    fn delta_as_f64(d: f64) -> f64 {
        d
    }
    fn delta_from_f64(x: f64) -> f64 {
        x
    }
    fn default_tolerance() -> f64 {
        1e-8
    }
    fn reduce_rate(num: f64, den: u64) -> (f64, u64) {
        if den == 1 {
            (num, 1)
        } else {
            (num / den as f64, 1)
        }
    }
    fn same_rate(a: (f64, u64), b: (f64, u64)) -> bool {
        a.0 * b.1 as f64 == b.0 * a.1 as f64
    }
    fn rate_fits(spans: &[(f64, u64)], rate: (f64, u64), tol: f64) -> bool {
        let den = rate.1 as f64;
        spans
            .iter()
            .all(|&(dv, di)| (den * dv - rate.0 * di as f64).abs() <= 2.0 * tol * den)
    }
    fn fit_tolerance(spans: &[(f64, u64)], rate: (f64, u64)) -> f64 {
        let den = rate.1 as f64;
        let drift = spans
            .iter()
            .map(|&(dv, di)| (den * dv - rate.0 * di as f64).abs())
            .fold(0.0, f64::max);
        drift / (2.0 * den)
    }
    fn sleeve(x: &[u64], f: &[f64], eps: f64, rate: Option<(f64, u64)>) -> Vec<bool> {
        sleeve_float(x, f, eps, rate.map(|(n, d)| n / d as f64))
    }
    fn to_scalar(self) -> Scalar {
        Scalar::F64(self)
    }
    fn delta_to_scalar(d: f64) -> Scalar {
        Scalar::F64(d)
    }
    fn from_scalar(s: &Scalar) -> Result<f64> {
        match s {
            Scalar::F64(v) => Ok(*v),
            Scalar::I64(v) => Ok(*v as f64),
            other => Err(Error::Type(format!(
                "label {other} cannot be used on a float64 coordinate"
            ))),
        }
    }
    fn total_cmp(a: &f64, b: &f64) -> Ordering {
        a.total_cmp(b)
    }
}

impl AxisValue for Datetime {
    type Delta = Timedelta;
    const DTYPE: DType = DType::Datetime;
    const EXACT: bool = true;

    fn forward(x0: u64, f0: Datetime, x1: u64, f1: Datetime, x: u64) -> Datetime {
        if x == x0 {
            return f0;
        }
        if x == x1 {
            return f1;
        }
        let n = f0.ns() as i128 * (x1 - x) as i128 + f1.ns() as i128 * (x - x0) as i128;
        Datetime::from_ns(div_round_even(n, (x1 - x0) as i128) as i64)
    }

    fn inverse(x0: u64, f0: Datetime, x1: u64, f1: Datetime, v: Datetime) -> Position {
        let (f0, f1, v) = (f0.ns() as i128, f1.ns() as i128, v.ns() as i128);
        let n = x0 as i128 * (f1 - v) + x1 as i128 * (v - f0);
        let d = f1 - f0;
        let q = n.div_euclid(d);
        let r = n.rem_euclid(d);
        let frac = if r == 0 {
            Frac::Zero
        } else {
            match (2 * r).cmp(&d) {
                Ordering::Less => Frac::BelowHalf,
                Ordering::Equal => Frac::Half,
                Ordering::Greater => Frac::AboveHalf,
            }
        };
        Position {
            floor: q as i64,
            frac,
        }
    }

    fn step(anchor: Datetime, offset: i64, num: Timedelta, den: u64) -> Datetime {
        let span = div_round_even(offset as i128 * num.ns() as i128, den as i128);
        Datetime::from_ns(anchor.ns() + span as i64)
    }

    fn forward_step(anchor: Datetime, k: i64, num: Timedelta, den: u64) -> Datetime {
        Self::step(anchor, k, num, den)
    }
    fn scaled_offset(v: Datetime, anchor: Datetime, k: i64, num: Timedelta, den: u64) -> i128 {
        (v.ns() as i128 - anchor.ns() as i128) * den as i128 - k as i128 * num.ns() as i128
    }
    fn shift_scaled(anchor: Datetime, scaled: i128, den: u64) -> Datetime {
        Datetime::from_ns(anchor.ns() + div_round_even(scaled, den as i128) as i64)
    }
    fn honours_rate(dv: Timedelta, dx: u64, rate: (Timedelta, u64), eps: Timedelta) -> bool {
        let (en, ed) = exact_budget(eps, Some(rate.1 as i128));
        let (sn, sd) = (rate.0.ns() as i128, rate.1 as i128);
        (sd * ed * dv.ns() as i128 - sn * ed * dx as i128).abs() < 2 * en * sd
    }

    fn diff(a: Datetime, b: Datetime) -> Timedelta {
        a - b
    }
    fn shift(a: Datetime, d: Timedelta) -> Datetime {
        a + d
    }
    fn zero() -> Timedelta {
        Timedelta::ZERO
    }
    fn abs(d: Timedelta) -> Timedelta {
        d.abs()
    }
    fn scale(d: Timedelta, k: i64) -> Timedelta {
        d * k
    }
    fn div(d: Timedelta, k: i64) -> Timedelta {
        d / k
    }
    fn add_delta(a: Timedelta, b: Timedelta) -> Timedelta {
        a + b
    }
    fn delta_as_f64(d: Timedelta) -> f64 {
        d.as_seconds()
    }
    fn delta_from_f64(x: f64) -> Timedelta {
        Timedelta::from_seconds(x)
    }
    fn default_tolerance() -> Timedelta {
        Timedelta::ZERO
    }
    fn reduce_rate(num: Timedelta, den: u64) -> (Timedelta, u64) {
        let g = gcd(num.ns().unsigned_abs() as u128, den as u128).max(1);
        (
            Timedelta::from_ns((num.ns() as i128 / g as i128) as i64),
            (den as u128 / g) as u64,
        )
    }
    fn same_rate(a: (Timedelta, u64), b: (Timedelta, u64)) -> bool {
        a.0.ns() as i128 * b.1 as i128 == b.0.ns() as i128 * a.1 as i128
    }
    fn rate_fits(spans: &[(Timedelta, u64)], rate: (Timedelta, u64), tol: Timedelta) -> bool {
        let (num, den) = (rate.0.ns() as i128, rate.1 as i128);
        spans.iter().all(|&(dv, di)| {
            (den * dv.ns() as i128 - num * di as i128).abs() <= 2 * tol.ns() as i128 * den
        })
    }
    fn fit_tolerance(spans: &[(Timedelta, u64)], rate: (Timedelta, u64)) -> Timedelta {
        let (num, den) = (rate.0.ns() as i128, rate.1 as i128);
        let drift = spans
            .iter()
            .map(|&(dv, di)| (den * dv.ns() as i128 - num * di as i128).abs())
            .max()
            .unwrap_or(0);
        Timedelta::from_ns((drift + 2 * den - 1).div_euclid(2 * den) as i64)
    }
    fn sleeve(
        x: &[u64],
        f: &[Datetime],
        eps: Timedelta,
        rate: Option<(Timedelta, u64)>,
    ) -> Vec<bool> {
        let ticks: Vec<i64> = f.iter().map(|v| v.ns()).collect();
        let rate = rate.map(|(n, d)| (n.ns() as i128, d as i128));
        let (en, ed) = exact_budget(eps, rate.map(|r| r.1));
        sleeve_exact(x, &ticks, en, ed, rate)
    }
    fn to_scalar(self) -> Scalar {
        Scalar::Datetime(self)
    }
    fn delta_to_scalar(d: Timedelta) -> Scalar {
        Scalar::Timedelta(d)
    }
    fn from_scalar(s: &Scalar) -> Result<Datetime> {
        match s {
            Scalar::Datetime(v) => Ok(*v),
            Scalar::Str(text) => Datetime::parse(text),
            other => Err(Error::Type(format!(
                "label {other} cannot be used on a datetime coordinate"
            ))),
        }
    }
    fn total_cmp(a: &Datetime, b: &Datetime) -> Ordering {
        a.cmp(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_forward_rounds_half_to_even() {
        let (f0, f1) = (Datetime::from_ns(0), Datetime::from_ns(10));
        let got: Vec<i64> = (0..5)
            .map(|i| Datetime::forward(0, f0, 4, f1, i).ns())
            .collect();
        assert_eq!(got, [0, 2, 5, 8, 10]);
    }

    #[test]
    fn float_forward_is_correctly_rounded() {
        // (0.001·989 + 1.001·11) / 1000 evaluated exactly on the f64 inputs, rounded once
        assert_eq!(
            f64::forward(0, 0.001, 1000, 1.001, 11),
            0.011999999999999999
        );
        assert_eq!(f64::forward_step(0.1, 5, 0.1, 1), 0.6000000000000001);
        let pos = f64::inverse(0, 0.0, 10, 1.0, 0.25);
        assert_eq!(pos.floor, 2);
        assert_eq!(pos.frac, Frac::Half);
        assert_eq!(pos.nearest(), 2);
        assert_eq!(pos.ceil(), 3);
    }

    #[test]
    fn exact_rate_reduction() {
        assert_eq!(
            Datetime::reduce_rate(Timedelta::from_ns(1000), 4),
            (Timedelta::from_ns(250), 1)
        );
        assert_eq!(Datetime::reduce_rate(Timedelta::from_ns(1000), 3).1, 3);
        assert!(Datetime::same_rate(
            (Timedelta::from_ns(2), 4),
            (Timedelta::from_ns(1), 2)
        ));
    }
}
