//! Steady-state initial conditions: `lfilter_zi` and `sosfilt_zi`.

use super::sosfilt::validate_sos;
use crate::error::{Result, SignalError, invalid};
use nalgebra::{DMatrix, DVector};

/// The initial state of `lfilter` for which the step response is in steady state, like
/// `scipy.signal.lfilter_zi`: scale it by `x[0]` to start filtering `x` without a
/// transient.
///
/// Leading zeros of `a` are dropped and the coefficients normalised by the first nonzero
/// one; the result has `max(len a, len b) − 1` values. Solves `(I − Aᵀ) zi = b[1:] −
/// a[1:] b[0]` with the companion matrix `A` of `a` (an error when singular, e.g. a pole
/// at z = 1).
///
/// ```
/// use xdas_signal::filter::lfilter_zi;
/// // y[n] = 0.5 x[n] + 0.5 y[n-1]: the step response settles at 1, state 0.5
/// let zi = lfilter_zi(&[0.5], &[1.0, -0.5]).unwrap();
/// assert!((zi[0] - 0.5).abs() < 1e-15);
/// ```
pub fn lfilter_zi(b: &[f64], a: &[f64]) -> Result<Vec<f64>> {
    if b.is_empty() {
        return Err(SignalError::Empty("numerator b".into()));
    }
    if b.iter().chain(a).any(|v| !v.is_finite()) {
        return Err(invalid(
            "filter coefficients must be finite (no NaN or inf)",
        ));
    }
    let lead = a.iter().take_while(|&&v| v == 0.0).count();
    let a = &a[lead.min(a.len().saturating_sub(1))..];
    if a.is_empty() || a[0] == 0.0 {
        return Err(invalid(
            "there must be at least one nonzero `a` coefficient",
        ));
    }
    let (mut b, mut a) = (b.to_vec(), a.to_vec());
    if a[0] != 1.0 {
        let a0 = a[0];
        b.iter_mut().for_each(|v| *v /= a0);
        a.iter_mut().for_each(|v| *v /= a0);
    }
    let n = a.len().max(b.len());
    a.resize(n, 0.0);
    b.resize(n, 0.0);
    let m = n - 1;
    if m == 0 {
        return Ok(vec![]);
    }
    // I - companion(a).T: first column a[1:], superdiagonal -1, plus the identity
    let mat = DMatrix::from_fn(m, m, |i, j| {
        let mut v = if i == j { 1.0 } else { 0.0 };
        if j == 0 {
            v += a[i + 1];
        }
        if j == i + 1 {
            v -= 1.0;
        }
        v
    });
    let rhs = DVector::from_fn(m, |i, _| b[i + 1] - a[i + 1] * b[0]);
    let zi = mat
        .lu()
        .solve(&rhs)
        .ok_or_else(|| invalid("lfilter_zi: singular system (the filter has a pole at z = 1)"))?;
    if zi.iter().any(|v| !v.is_finite()) {
        return Err(invalid(
            "lfilter_zi: singular system (the filter has a pole at z = 1)",
        ));
    }
    Ok(zi.iter().copied().collect())
}

/// The initial state of `sosfilt` for which the step response is in steady state, like
/// `scipy.signal.sosfilt_zi`: one `[z0, z1]` per section, to be scaled by `x[0]`.
///
/// ```
/// use xdas_signal::filter::sosfilt_zi;
/// let sos = [[0.5, 0.0, 0.0, 1.0, -0.5, 0.0]];
/// let zi = sosfilt_zi(&sos).unwrap();
/// assert!((zi[0][0] - 0.5).abs() < 1e-15 && zi[0][1] == 0.0);
/// ```
pub fn sosfilt_zi(sos: &[[f64; 6]]) -> Result<Vec<[f64; 2]>> {
    validate_sos(sos)?;
    let mut scale = 1.0;
    let mut out = Vec::with_capacity(sos.len());
    for s in sos {
        let (b, a) = (&s[..3], &s[3..]);
        let zi = lfilter_zi(b, a)?;
        out.push([scale * zi[0], scale * zi[1]]);
        scale *= b.iter().sum::<f64>() / a.iter().sum::<f64>();
    }
    Ok(out)
}
