//! Dense coordinates: every value stored explicitly (labels, irregular positions).

use super::Method;
use crate::error::{Error, Result};
use crate::time::Datetime;
use crate::value::{Scalar, Values};
use std::cmp::Ordering;

/// Compare two dense values of the same type (`None` when the types differ or for
/// strings under an ordering method).
fn cmp(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::F64(x), Scalar::F64(y)) => x.partial_cmp(y),
        (Scalar::I64(x), Scalar::I64(y)) => Some(x.cmp(y)),
        (Scalar::F64(x), Scalar::I64(y)) => x.partial_cmp(&(*y as f64)),
        (Scalar::I64(x), Scalar::F64(y)) => (*x as f64).partial_cmp(y),
        (Scalar::Datetime(x), Scalar::Datetime(y)) => Some(x.cmp(y)),
        (Scalar::Str(x), Scalar::Str(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Bring a label to the dense vector's type (ISO strings on datetime vectors).
fn coerce(values: &Values, label: &Scalar) -> Result<Scalar> {
    match (values, label) {
        (Values::Datetime(_), Scalar::Str(s)) => Ok(Scalar::Datetime(Datetime::parse(s)?)),
        (Values::Datetime(_), Scalar::Datetime(_))
        | (Values::F64(_) | Values::I64(_), Scalar::F64(_) | Scalar::I64(_))
        | (Values::Str(_), Scalar::Str(_)) => Ok(label.clone()),
        (v, l) => Err(Error::Type(format!(
            "label {l} cannot be used on a {} coordinate",
            v.dtype()
        ))),
    }
}

/// The index of `label` in `values` under `method`. Exact lookups find the first equal
/// value; the filling methods need increasing values.
pub(crate) fn index_of(values: &Values, label: &Scalar, method: Method) -> Result<usize> {
    let label = coerce(values, label)?;
    let n = values.len();
    let not_found = |reason: &str| Error::LabelNotFound {
        label: label.to_string(),
        dim: String::new(),
        reason: reason.to_string(),
    };
    if method == Method::Exact {
        return (0..n)
            .find(|&i| cmp(&values.get(i), &label) == Some(Ordering::Equal))
            .ok_or_else(|| not_found(""));
    }
    if matches!(values, Values::Str(_)) {
        return Err(Error::InvalidArgument(
            "only exact lookups are possible on a string coordinate".into(),
        ));
    }
    if !(1..n).all(|i| cmp(&values.get(i - 1), &values.get(i)) == Some(Ordering::Less)) {
        return Err(Error::NotMonotonic { dim: String::new() });
    }
    if n == 0 {
        return Err(not_found(": the coordinate is empty"));
    }
    // first index with value >= label
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if cmp(&values.get(mid), &label) == Some(Ordering::Less) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let exact = lo < n && cmp(&values.get(lo), &label) == Some(Ordering::Equal);
    if exact {
        return Ok(lo);
    }
    match method {
        Method::Ffill if lo == 0 => Err(not_found(" (before the first value)")),
        Method::Ffill => Ok(lo - 1),
        Method::Bfill if lo == n => Err(not_found(" (after the last value)")),
        Method::Bfill => Ok(lo),
        Method::Nearest if lo == 0 => Ok(0),
        Method::Nearest if lo == n => Ok(n - 1),
        Method::Nearest => {
            let d = |i: usize| match (values.get(i), &label) {
                (Scalar::F64(v), Scalar::F64(l)) => (v - l).abs(),
                (Scalar::F64(v), Scalar::I64(l)) => (v - *l as f64).abs(),
                (Scalar::I64(v), Scalar::F64(l)) => (v as f64 - l).abs(),
                (Scalar::I64(v), Scalar::I64(l)) => (v - l).abs() as f64,
                (Scalar::Datetime(v), Scalar::Datetime(l)) => (v.ns() - l.ns()).abs() as f64,
                _ => f64::INFINITY,
            };
            // ties go to the later value, as pandas does
            Ok(if d(lo - 1) < d(lo) { lo - 1 } else { lo })
        }
        Method::Exact => unreachable!(),
    }
}

/// Split candidates of a dense coordinate: every position, with its step's deviation from
/// a running reference interval (seeded by the median step and following slow drifts).
pub(crate) fn split_candidates(values: &Values) -> Vec<(usize, f64)> {
    let steps: Vec<f64> = match values {
        Values::F64(v) => v.windows(2).map(|w| w[1] - w[0]).collect(),
        Values::I64(v) => v.windows(2).map(|w| (w[1] - w[0]) as f64).collect(),
        Values::Datetime(v) => v.windows(2).map(|w| (w[1] - w[0]).as_seconds()).collect(),
        Values::Str(_) => return vec![],
    };
    if steps.is_empty() {
        return vec![];
    }
    let mut sorted = steps.clone();
    sorted.sort_by(f64::total_cmp);
    let m = sorted.len();
    let mut reference = if m % 2 == 1 {
        sorted[m / 2]
    } else {
        (sorted[m / 2 - 1] + sorted[m / 2]) / 2.0
    };
    let mut out = Vec::with_capacity(m);
    for i in 0..m {
        out.push((i + 1, steps[i] - reference));
        if i + 1 < m && (steps[i + 1] - steps[i]).abs() < (steps[i + 1] - reference).abs() {
            reference = steps[i];
        }
    }
    out
}
