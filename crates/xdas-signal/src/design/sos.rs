//! Zeros/poles/gain → transfer function (`zpk2tf`) and → second-order sections
//! (`zpk2sos`, with scipy's 'nearest' pairing and section order).

use super::{Ba, Sos, Zpk};
use crate::error::{Result, invalid};
use num_complex::Complex64;
use std::cmp::Ordering;

/// Coefficients (highest power first) of the monic polynomial with the given roots,
/// multiplied out one root at a time; the real parts are returned.
///
/// Each step is the convolution with `[1, −r]`, its two-term sums associated as
/// numpy's `convolve` (through BLAS `zdotu`) associates them, so that high-order
/// polynomials round the way scipy's do.
pub(crate) fn poly(roots: &[Complex64]) -> Vec<f64> {
    let mut a = vec![Complex64::new(1.0, 0.0)];
    for &r in roots {
        let w = -r;
        let mut next = Vec::with_capacity(a.len() + 1);
        next.push(a[0]);
        for j in 1..=a.len() {
            let prev = a[j - 1];
            let (rr, ii) = (prev.re * w.re, prev.im * w.im);
            let (ri, ir) = (prev.re * w.im, prev.im * w.re);
            next.push(match a.get(j) {
                Some(cur) => Complex64::new((rr + cur.re) - ii, ri + (ir + cur.im)),
                None => Complex64::new(rr - ii, ri + ir),
            });
        }
        a = next;
    }
    a.iter().map(|v| v.re).collect()
}

/// Transfer function `b/a` of zeros, poles and gain (`scipy.signal.zpk2tf`): `b = k·poly(z)`,
/// `a = poly(p)`, real (conjugate pairs multiply out to real coefficients).
///
/// ```
/// use num_complex::Complex64;
/// use xdas_signal::design::{Zpk, zpk2tf};
/// let zpk = Zpk { z: vec![Complex64::new(2.0, 0.0)], p: vec![Complex64::new(0.5, 0.5), Complex64::new(0.5, -0.5)], k: 3.0 };
/// let ba = zpk2tf(&zpk);
/// assert_eq!(ba.b, vec![3.0, -6.0]);
/// assert_eq!(ba.a, vec![1.0, -1.0, 0.5]);
/// ```
pub fn zpk2tf(zpk: &Zpk) -> Ba {
    let b = poly(&zpk.z).into_iter().map(|v| zpk.k * v).collect();
    Ba { b, a: poly(&zpk.p) }
}

fn cmp_f64(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

/// Split roots into conjugate pairs (one representative each, positive imaginary part,
/// the pair averaged) and real values, with scipy's `_cplxreal` ordering: pairs by real
/// part then |imag| (|imag| order within runs of nearly equal real parts), reals sorted.
pub(crate) fn cplxreal(z: &[Complex64]) -> Result<(Vec<Complex64>, Vec<f64>)> {
    let tol = 100.0 * f64::EPSILON;
    let mut z = z.to_vec();
    z.sort_by(|a, b| cmp_f64(a.re, b.re).then(cmp_f64(a.im.abs(), b.im.abs())));
    let is_real = |v: &Complex64| v.im.abs() <= tol * v.norm();
    let zr: Vec<f64> = z.iter().filter(|v| is_real(v)).map(|v| v.re).collect();
    let rest: Vec<Complex64> = z.iter().filter(|v| !is_real(v)).copied().collect();
    let mut zp: Vec<Complex64> = rest.iter().filter(|v| v.im > 0.0).copied().collect();
    let mut zn: Vec<Complex64> = rest.iter().filter(|v| v.im < 0.0).copied().collect();
    let unmatched = || invalid("array contains a complex value with no matching conjugate");
    if zp.len() != zn.len() {
        return Err(unmatched());
    }
    // runs of (approximately) equal real parts, each sorted by |imag|
    let mut start = 0;
    while start < zp.len() {
        let mut stop = start + 1;
        while stop < zp.len() && zp[stop].re - zp[stop - 1].re <= tol * zp[stop - 1].norm() {
            stop += 1;
        }
        if stop - start > 1 {
            zp[start..stop].sort_by(|a, b| cmp_f64(a.im.abs(), b.im.abs()));
            zn[start..stop].sort_by(|a, b| cmp_f64(a.im.abs(), b.im.abs()));
        }
        start = stop;
    }
    let mut zc = Vec::with_capacity(zp.len());
    for (a, b) in zp.iter().zip(&zn) {
        if (a - b.conj()).norm() > tol * b.norm() {
            return Err(unmatched());
        }
        zc.push((a + b.conj()) / 2.0);
    }
    Ok((zc, zr))
}

fn is_real(v: &Complex64) -> bool {
    v.im == 0.0
}

/// Index of the element of `from` nearest to `to` among the real ones, the complex ones,
/// or all (`want = None`).
fn nearest(from: &[Complex64], to: Complex64, want: Option<bool>) -> Option<usize> {
    let mut order: Vec<usize> = (0..from.len()).collect();
    order.sort_by(|&i, &j| cmp_f64((from[i] - to).norm(), (from[j] - to).norm()));
    order
        .into_iter()
        .find(|&i| want.is_none_or(|real| is_real(&from[i]) == real))
}

/// Index of the "worst" pole: closest to the unit circle (first one on ties).
fn worst(p: &[Complex64], among: impl Fn(&Complex64) -> bool) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, v) in p.iter().enumerate() {
        if !among(v) {
            continue;
        }
        let d = (1.0 - v.norm()).abs();
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((i, d));
        }
    }
    best.map(|(i, _)| i)
}

/// One section from up to two zeros and two poles (coefficients right-aligned).
fn section(z: &[Complex64], p: &[Complex64]) -> [f64; 6] {
    let b = poly(z);
    let a = poly(p);
    let mut s = [0.0; 6];
    s[3 - b.len()..3].copy_from_slice(&b);
    s[6 - a.len()..6].copy_from_slice(&a);
    s
}

/// Second-order sections of a digital filter (`scipy.signal.zpk2sos`, pairing
/// 'nearest'): the pole closest to the unit circle is paired with its nearest zero(s)
/// and placed last, and so on backwards; the gain goes to the first section. Complex
/// zeros and poles must come in conjugate pairs.
///
/// ```
/// use num_complex::Complex64;
/// use xdas_signal::design::{Zpk, zpk2sos};
/// let c = Complex64::new;
/// let zpk = Zpk { z: vec![c(-1.0, 0.0), c(-0.5, -0.5), c(-0.5, 0.5)], p: vec![c(0.75, 0.0), c(0.8, 0.1), c(0.8, -0.1)], k: 1.0 };
/// let sos = zpk2sos(&zpk).unwrap();
/// assert_eq!(sos[0], [1.0, 1.0, 0.5, 1.0, -0.75, 0.0]);
/// assert!((sos[1][4] + 1.6).abs() < 1e-15 && (sos[1][5] - 0.65).abs() < 1e-15);
/// ```
pub fn zpk2sos(zpk: &Zpk) -> Result<Sos> {
    if !zpk.k.is_finite() || zpk.z.iter().chain(&zpk.p).any(|v| !v.is_finite()) {
        return Err(invalid("zeros, poles and gain must be finite"));
    }
    if zpk.z.is_empty() && zpk.p.is_empty() {
        return Ok(vec![[zpk.k, 0.0, 0.0, 1.0, 0.0, 0.0]]);
    }
    let zero = Complex64::new(0.0, 0.0);
    let mut z = zpk.z.clone();
    let mut p = zpk.p.clone();
    p.extend(std::iter::repeat_n(zero, z.len().saturating_sub(p.len())));
    z.extend(std::iter::repeat_n(zero, p.len().saturating_sub(z.len())));
    let n_sections = p.len().div_ceil(2);
    if p.len() % 2 == 1 {
        p.push(zero);
        z.push(zero);
    }
    let join = |(c, r): (Vec<Complex64>, Vec<f64>)| -> Vec<Complex64> {
        c.into_iter()
            .chain(r.into_iter().map(|v| Complex64::new(v, 0.0)))
            .collect()
    };
    let mut z = join(cplxreal(&z)?);
    let mut p = join(cplxreal(&p)?);
    let unpaired = || invalid("zpk2sos: zeros and poles could not be paired");

    let mut sos = vec![[0.0; 6]; n_sections];
    for si in (0..n_sections).rev() {
        let i1 = worst(&p, |_| true).ok_or_else(unpaired)?;
        let p1 = p.remove(i1);
        let n_real_p = p.iter().filter(|v| is_real(v)).count();
        if is_real(&p1) && n_real_p == 0 {
            // last real pole: a first-order section with the nearest real zero
            let iz = nearest(&z, p1, Some(true)).ok_or_else(unpaired)?;
            let z1 = z.remove(iz);
            sos[si] = section(&[z1, zero], &[p1, zero]);
        } else if p.len() + 1 == z.len()
            && !is_real(&p1)
            && n_real_p == 1
            && z.iter().filter(|v| is_real(v)).count() == 1
        {
            // one real pole and one real zero left: pair this complex pole with a
            // complex zero so that the real ones end up together
            let iz = nearest(&z, p1, Some(false)).ok_or_else(unpaired)?;
            let z1 = z.remove(iz);
            sos[si] = section(&[z1, z1.conj()], &[p1, p1.conj()]);
        } else {
            let p2 = if is_real(&p1) {
                let i2 = worst(&p, is_real).ok_or_else(unpaired)?;
                p.remove(i2)
            } else {
                p1.conj()
            };
            if z.is_empty() {
                sos[si] = section(&[], &[p1, p2]);
            } else {
                let iz = nearest(&z, p1, None).ok_or_else(unpaired)?;
                let z1 = z.remove(iz);
                if !is_real(&z1) {
                    sos[si] = section(&[z1, z1.conj()], &[p1, p2]);
                } else if z.is_empty() {
                    sos[si] = section(&[z1], &[p1, p2]);
                } else {
                    let iz2 = nearest(&z, p1, Some(true)).ok_or_else(unpaired)?;
                    let z2 = z.remove(iz2);
                    sos[si] = section(&[z1, z2], &[p1, p2]);
                }
            }
        }
    }
    if !(p.is_empty() && z.is_empty()) {
        return Err(unpaired());
    }
    for v in &mut sos[0][..3] {
        *v *= zpk.k;
    }
    Ok(sos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(re: f64, im: f64) -> Complex64 {
        Complex64::new(re, im)
    }

    #[test]
    fn cplxreal_orders_like_scipy() {
        let z = [
            c(4.0, 0.0),
            c(3.0, 0.0),
            c(1.0, 0.0),
            c(2.0, -2.0),
            c(2.0, 2.0),
            c(2.0, -1.0),
            c(2.0, 1.0),
            c(2.0, -1.0),
            c(2.0, 1.0),
            c(1.0, 1.0),
            c(1.0, -1.0),
        ];
        let (zc, zr) = cplxreal(&z).unwrap();
        assert_eq!(zc, vec![c(1.0, 1.0), c(2.0, 1.0), c(2.0, 1.0), c(2.0, 2.0)]);
        assert_eq!(zr, vec![1.0, 3.0, 4.0]);
        assert!(cplxreal(&[c(1.0, 1.0)]).is_err());
        assert!(cplxreal(&[c(1.0, 1.0), c(1.0, -2.0)]).is_err());
    }

    #[test]
    fn zpk2sos_pairing_examples() {
        // scipy docstring example, 'nearest'
        let zpk = Zpk {
            z: vec![c(-1.0, 0.0), c(-0.5, -0.5), c(-0.5, 0.5)],
            p: vec![c(0.75, 0.0), c(0.8, 0.1), c(0.8, -0.1)],
            k: 1.0,
        };
        let sos = zpk2sos(&zpk).unwrap();
        assert_eq!(sos.len(), 2);
        assert_eq!(sos[0], [1.0, 1.0, 0.5, 1.0, -0.75, 0.0]);
        assert_eq!(sos[1][..4], [1.0, 1.0, 0.0, 1.0]);
        // gain only
        let sos = zpk2sos(&Zpk {
            z: vec![],
            p: vec![],
            k: 2.0,
        })
        .unwrap();
        assert_eq!(sos, vec![[2.0, 0.0, 0.0, 1.0, 0.0, 0.0]]);
        // unmatched conjugate, non-finite gain
        let bad = Zpk {
            z: vec![],
            p: vec![c(0.5, 0.5)],
            k: 1.0,
        };
        assert!(zpk2sos(&bad).is_err());
        let bad = Zpk {
            z: vec![],
            p: vec![c(0.5, 0.0)],
            k: f64::NAN,
        };
        assert!(zpk2sos(&bad).is_err());
    }
}
