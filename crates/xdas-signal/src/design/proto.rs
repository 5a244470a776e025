//! Analog lowpass prototypes (cutoff 1 rad/s): Butterworth, Chebyshev I and II,
//! elliptic (Cauer) and Bessel (phase-normalised), as `scipy.signal.buttap`, `cheb1ap`,
//! `cheb2ap`, `ellipap` and `besselap(norm='phase')`.

use super::Zpk;
use super::cx::{cdiv, cprod, pairwise_sum, rdiv};
use super::elliptic::{ellipj, ellipk, ellipkm1};
use crate::error::{Result, invalid};
use num_complex::Complex64;
use std::f64::consts::{LN_10, PI};

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

fn check_order(n: usize) -> Result<()> {
    if n == 0 {
        return Err(invalid("filter order must be at least 1"));
    }
    Ok(())
}

/// `-N+1, -N+3, ..., N-1`.
fn symmetric_steps(n: usize) -> impl Iterator<Item = f64> {
    (0..n).map(move |i| (2 * i) as f64 - (n as f64 - 1.0))
}

/// `10^x − 1`, accurate for small `x`.
fn pow10m1(x: f64) -> f64 {
    (LN_10 * x).exp_m1()
}

/// Butterworth prototype: `n` poles evenly spaced on the left unit half-circle, no zeros,
/// gain 1.
///
/// ```
/// use xdas_signal::design::buttap;
/// let zpk = buttap(2).unwrap();
/// assert!(zpk.z.is_empty() && zpk.k == 1.0);
/// assert!((zpk.p[0].re + 0.5f64.sqrt()).abs() < 1e-15);
/// ```
pub fn buttap(n: usize) -> Result<Zpk> {
    check_order(n)?;
    let scale = 1.0 / (2 * n) as f64;
    let p = symmetric_steps(n)
        .map(|m| {
            // 1j·π·m / (2n), the division carried out as numpy's complex division does
            let theta = (PI * m) * scale;
            let (s, co) = theta.sin_cos();
            -c(co, s)
        })
        .collect();
    Ok(Zpk {
        z: vec![],
        p,
        k: 1.0,
    })
}

/// Chebyshev type I prototype with `rp` dB of passband ripple (cutoff where the gain
/// first drops below `-rp` dB).
///
/// ```
/// use xdas_signal::design::cheb1ap;
/// let zpk = cheb1ap(3, 1.0).unwrap();
/// assert_eq!(zpk.p.len(), 3);
/// assert!(cheb1ap(3, 0.0).is_err());
/// ```
pub fn cheb1ap(n: usize, rp: f64) -> Result<Zpk> {
    check_order(n)?;
    check_db("rp", rp)?;
    let eps = (10f64.powf(0.1 * rp) - 1.0).sqrt();
    let mu = 1.0 / n as f64 * (1.0 / eps).asinh();
    let p: Vec<Complex64> = symmetric_steps(n)
        .map(|m| {
            let theta = PI * m / (2 * n) as f64;
            -c(mu, theta).sinh()
        })
        .collect();
    let neg: Vec<Complex64> = p.iter().map(|&v| -v).collect();
    let mut k = cprod(&neg).re;
    if n % 2 == 0 {
        k /= (1.0 + eps * eps).sqrt();
    }
    Ok(Zpk { z: vec![], p, k })
}

/// Chebyshev type II prototype with the stopband `rs` dB down (cutoff where the gain
/// first reaches `-rs` dB).
///
/// ```
/// use xdas_signal::design::cheb2ap;
/// let zpk = cheb2ap(4, 40.0).unwrap();
/// assert_eq!((zpk.z.len(), zpk.p.len()), (4, 4));
/// ```
pub fn cheb2ap(n: usize, rs: f64) -> Result<Zpk> {
    check_order(n)?;
    check_db("rs", rs)?;
    let de = 1.0 / (10f64.powf(0.1 * rs) - 1.0).sqrt();
    let mu = (1.0 / de).asinh() / n as f64;
    let two_n = (2 * n) as f64;
    let z: Vec<Complex64> = symmetric_steps(n)
        .filter(|&m| m != 0.0)
        .map(|m| c(0.0, 1.0 / (m * PI / two_n).sin()))
        .collect();
    let p: Vec<Complex64> = symmetric_steps(n)
        .map(|m| {
            let theta = PI * m / two_n;
            cdiv(c(-1.0, 0.0), c(mu, theta).sinh())
        })
        .collect();
    let negp: Vec<Complex64> = p.iter().map(|&v| -v).collect();
    let negz: Vec<Complex64> = z.iter().map(|&v| -v).collect();
    let k = cdiv(cprod(&negp), cprod(&negz)).re;
    Ok(Zpk { z, p, k })
}

fn check_db(what: &str, v: f64) -> Result<()> {
    if !(v.is_finite() && v > 0.0) {
        return Err(invalid(format!(
            "{what} must be a finite positive number of dB, got {v}"
        )));
    }
    Ok(())
}

/// Terms of the nome series when solving the degree equation.
const ELLIPDEG_TERMS: usize = 7;

/// Solve the degree equation of elliptic filters: the modulus `m` with
/// `K(m)/K'(m) = n·K(m1)/K'(m1)`, through nome series.
fn ellipdeg(n: usize, m1: f64) -> f64 {
    let k1 = ellipk(m1);
    let k1p = ellipkm1(m1);
    let q1 = (-PI * k1p / k1).exp();
    let q = q1.powf(1.0 / n as f64);
    let num: Vec<f64> = (0..=ELLIPDEG_TERMS)
        .map(|i| q.powf((i * (i + 1)) as f64))
        .collect();
    let den: Vec<f64> = (1..=ELLIPDEG_TERMS + 1)
        .map(|i| q.powf((i * i) as f64))
        .collect();
    let num = pairwise_sum(&num);
    let den = 1.0 + 2.0 * pairwise_sum(&den);
    16.0 * q * (num / den).powf(4.0)
}

/// Imaginary part of the inverse Jacobi `sn` at the imaginary point `i·w` (the real
/// inverse of `sc` with the complementary modulus), via descending Landen transforms.
fn arc_jac_sc1(w: f64, m: f64) -> Result<f64> {
    let complement = |kx: f64| ((1.0 - kx) * (1.0 + kx)).sqrt();
    let k = m.sqrt();
    if k > 1.0 || k.is_nan() {
        return Err(invalid("elliptic modulus out of range"));
    }
    if k == 1.0 {
        return Ok(w.atan());
    }
    let mut ks = vec![k];
    while *ks.last().unwrap() != 0.0 {
        if ks.len() > 11 {
            return Err(invalid("Landen transformation not converging"));
        }
        let kp = complement(*ks.last().unwrap());
        ks.push((1.0 - kp) / (1.0 + kp));
    }
    let big_k = ks[1..].iter().map(|&v| 1.0 + v).product::<f64>() * PI / 2.0;
    // With an imaginary argument i·v the iteration stays on the imaginary axis: track v.
    let mut v = w;
    for pair in ks.windows(2) {
        let (kn, knext) = (pair[0], pair[1]);
        // sqrt((1 − i·kn·v)(1 + i·kn·v)) = sqrt(1 + (kn·v)²)
        let kv = kn * v;
        let root = (1.0 + kv * kv).sqrt();
        // numpy divides by a complex denominator through its reciprocal
        v = (2.0 * v) * (1.0 / ((1.0 + knext) * (1.0 + root)));
    }
    // arcsin(i·v) = i·asinh(v)
    Ok(big_k * (2.0 / PI * v.asinh()))
}

/// Elliptic (Cauer) prototype with `rp` dB passband ripple and the stopband `rs` dB down.
///
/// ```
/// use xdas_signal::design::ellipap;
/// let zpk = ellipap(4, 1.0, 40.0).unwrap();
/// assert_eq!((zpk.z.len(), zpk.p.len()), (4, 4));
/// assert!(zpk.z.iter().all(|z| z.re == 0.0));
/// ```
pub fn ellipap(n: usize, rp: f64, rs: f64) -> Result<Zpk> {
    check_order(n)?;
    check_db("rp", rp)?;
    check_db("rs", rs)?;
    if n == 1 {
        let p = -(1.0 / pow10m1(0.1 * rp)).sqrt();
        return Ok(Zpk {
            z: vec![],
            p: vec![c(p, 0.0)],
            k: -p,
        });
    }
    let eps_sq = pow10m1(0.1 * rp);
    let eps = eps_sq.sqrt();
    let ck1_sq = eps_sq / pow10m1(0.1 * rs);
    if ck1_sq == 0.0 || !ck1_sq.is_finite() {
        return Err(invalid(
            "cannot design an elliptic filter with these rp and rs",
        ));
    }
    let k_ck1 = ellipk(ck1_sq);
    let m = ellipdeg(n, ck1_sq);
    let capk = ellipk(m);
    let nf = n as f64;

    let js: Vec<f64> = ((1 - n % 2)..n).step_by(2).map(|j| j as f64).collect();
    let scd: Vec<(f64, f64, f64)> = js
        .iter()
        .map(|&j| {
            let (s, c, d, _) = ellipj(j * capk / nf, m);
            (s, c, d)
        })
        .collect();
    const EPSILON: f64 = 2e-16;
    let sqrt_m = m.sqrt();
    let mut z: Vec<Complex64> = scd
        .iter()
        .filter(|(s, _, _)| s.abs() > EPSILON)
        .map(|(s, _, _)| c(0.0, 1.0 / (sqrt_m * s)))
        .collect();
    let conj_z: Vec<Complex64> = z.iter().map(|v| v.conj()).collect();
    z.extend(conj_z);

    let r = arc_jac_sc1(1.0 / eps, ck1_sq)?;
    let v0 = capk * r / (nf * k_ck1);
    let (sv, cv, dv, _) = ellipj(v0, 1.0 - m);
    let mut p: Vec<Complex64> = scd
        .iter()
        .map(|&(s, c_, d)| {
            let num = c(-(c_ * d * sv * cv), -(s * dv));
            let den = 1.0 - (d * sv) * (d * sv);
            cdiv(num, c(den, 0.0))
        })
        .collect();
    let conj_p: Vec<Complex64> = if n % 2 == 1 {
        let norm = pairwise_sum(&p.iter().map(|v| v.norm_sqr()).collect::<Vec<_>>()).sqrt();
        p.iter()
            .filter(|v| v.im.abs() > EPSILON * norm)
            .map(|v| v.conj())
            .collect()
    } else {
        p.iter().map(|v| v.conj()).collect()
    };
    p.extend(conj_p);

    let negp: Vec<Complex64> = p.iter().map(|&v| -v).collect();
    let negz: Vec<Complex64> = z.iter().map(|&v| -v).collect();
    let mut k = cdiv(cprod(&negp), cprod(&negz)).re;
    if n % 2 == 0 {
        k /= (1.0 + eps_sq).sqrt();
    }
    if !(k.is_finite() && p.iter().all(|v| v.is_finite()) && z.iter().all(|v| v.is_finite())) {
        return Err(invalid("elliptic design failed for these order, rp and rs"));
    }
    Ok(Zpk { z, p, k })
}

/// Highest Bessel order: beyond it the zeros of the Bessel polynomial can no longer be
/// resolved to full double precision by the double-double recurrence.
///
/// ```
/// use xdas_signal::design::{BESSEL_MAX_ORDER, besselap};
/// assert!(besselap(BESSEL_MAX_ORDER).is_ok());
/// assert!(besselap(BESSEL_MAX_ORDER + 1).is_err());
/// ```
pub const BESSEL_MAX_ORDER: usize = 35;

/// Bessel prototype normalised so that the phase is −n·π/4 at 1 rad/s (the asymptotes
/// of the Butterworth filter), scipy's default `norm='phase'`. Orders above
/// [`BESSEL_MAX_ORDER`] are refused.
///
/// ```
/// use xdas_signal::design::besselap;
/// let zpk = besselap(3).unwrap();
/// assert_eq!(zpk.p.len(), 3);
/// assert_eq!(zpk.k, 1.0);
/// ```
pub fn besselap(n: usize) -> Result<Zpk> {
    check_order(n)?;
    if n > BESSEL_MAX_ORDER {
        return Err(invalid(format!(
            "Bessel filters are supported up to order {BESSEL_MAX_ORDER}, got {n}"
        )));
    }
    let x = bessel_zeros(n)?;
    // a_last = (2n)! / (2^n n!) = (2n − 1)!!, the constant term of the Bessel polynomial
    let mut exact: Option<u128> = Some(1);
    let mut approx = 1.0f64;
    for j in (1..2 * n).step_by(2) {
        exact = exact.and_then(|v| v.checked_mul(j as u128));
        approx *= j as f64;
    }
    let a_last = exact.map_or(approx, |v| v as f64);
    let scale = 10f64.powf(-a_last.log10() / n as f64);
    let p = x.iter().map(|&xi| rdiv(1.0, xi) * scale).collect();
    Ok(Zpk {
        z: vec![],
        p,
        k: 1.0,
    })
}

/// A double-double number `hi + lo` (about 106 bits of precision).
#[derive(Clone, Copy)]
struct Dd {
    hi: f64,
    lo: f64,
}

impl Dd {
    fn new(v: f64) -> Dd {
        Dd { hi: v, lo: 0.0 }
    }
    /// Renormalise `a + b` with `|a| >= |b|`.
    fn fast(a: f64, b: f64) -> Dd {
        let s = a + b;
        Dd {
            hi: s,
            lo: b - (s - a),
        }
    }
    fn add(self, o: Dd) -> Dd {
        let s = self.hi + o.hi;
        let bb = s - self.hi;
        let err = (self.hi - (s - bb)) + (o.hi - bb);
        Dd::fast(s, err + self.lo + o.lo)
    }
    fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
    fn mul(self, o: Dd) -> Dd {
        let p = self.hi * o.hi;
        let err = self.hi.mul_add(o.hi, -p);
        Dd::fast(p, err + (self.hi * o.lo + self.lo * o.hi))
    }
}

/// A complex double-double.
#[derive(Clone, Copy)]
struct Cdd {
    re: Dd,
    im: Dd,
}

impl Cdd {
    fn from(z: Complex64) -> Cdd {
        Cdd {
            re: Dd::new(z.re),
            im: Dd::new(z.im),
        }
    }
    fn add(self, o: Cdd) -> Cdd {
        Cdd {
            re: self.re.add(o.re),
            im: self.im.add(o.im),
        }
    }
    fn mul(self, o: Cdd) -> Cdd {
        Cdd {
            re: self.re.mul(o.re).add(self.im.mul(o.im).neg()),
            im: self.re.mul(o.im).add(self.im.mul(o.re)),
        }
    }
    fn scale(self, f: f64) -> Cdd {
        Cdd {
            re: self.re.mul(Dd::new(f)),
            im: self.im.mul(Dd::new(f)),
        }
    }
    fn to_c64(self) -> Complex64 {
        c(self.re.hi + self.re.lo, self.im.hi + self.im.lo)
    }
}

/// Value and derivative of the ordinary Bessel polynomial `y_n` at `x`, by the
/// three-term recurrence `y_j = (2j − 1)·x·y_{j−1} + y_{j−2}` carried out in
/// double-double arithmetic (in plain f64 the recurrence loses up to half the digits
/// near the zeros once `n` passes 10).
fn bessel_poly_dd(n: usize, x: Complex64) -> (Complex64, Complex64) {
    let xd = Cdd::from(x);
    let one = Cdd::from(c(1.0, 0.0));
    let (mut y0, mut y1) = (one, xd.add(one));
    let (mut d0, mut d1) = (Cdd::from(c(0.0, 0.0)), one);
    for j in 2..=n {
        let f = (2 * j - 1) as f64;
        let y2 = xd.mul(y1).scale(f).add(y0);
        let d2 = y1.add(xd.mul(d1)).scale(f).add(d0);
        (y0, y1, d0, d1) = (y1, y2, d1, d2);
    }
    (y1.to_c64(), d1.to_c64())
}

/// `Σ c[i] x^i` by Horner's rule (numpy.polynomial.polynomial.polyval).
fn polyval_inc(x: f64, coefs: &[f64]) -> f64 {
    let mut acc = coefs[coefs.len() - 1] + x * 0.0;
    for &ci in coefs[..coefs.len() - 1].iter().rev() {
        acc = ci + acc * x;
    }
    acc
}

/// Campos & Calderón's approximations of the zeros of `y_n`, as starting points.
fn campos_zeros(n: usize) -> Vec<Complex64> {
    if n == 1 {
        return vec![c(-1.0, 0.0)];
    }
    let nf = n as f64;
    let s = polyval_inc(nf, &[0.0, 0.0, 2.0, 0.0, -3.0, 1.0]);
    let b3 = polyval_inc(nf, &[16.0, -8.0]) / s;
    let b2 = polyval_inc(nf, &[-24.0, -12.0, 12.0]) / s;
    let b1 = polyval_inc(nf, &[8.0, 24.0, -12.0, -2.0]) / s;
    let b0 = polyval_inc(nf, &[0.0, -6.0, 0.0, 5.0, -1.0]) / s;
    let r = polyval_inc(nf, &[0.0, 0.0, 2.0, 1.0]);
    let a1 = polyval_inc(nf, &[-6.0, -6.0]) / r;
    let a2 = 6.0 / r;
    (1..=n)
        .map(|k| {
            let kf = k as f64;
            c(
                polyval_inc(kf, &[0.0, a1, a2]),
                polyval_inc(kf, &[b0, b1, b2, b3]),
            )
        })
        .collect()
}

/// Zeros of the ordinary Bessel polynomial `y_n` (Aberth–Ehrlich iteration from
/// Campos–Calderón starting points, then Newton polishing), conjugate-symmetrised.
fn bessel_zeros(n: usize) -> Result<Vec<Complex64>> {
    let failed = || invalid(format!("Bessel filter of order {n}: root finding failed"));
    let mut x = campos_zeros(n);
    let tol = 1e-15;
    for _ in 0..50 {
        let alpha: Vec<Complex64> = x
            .iter()
            .map(|&xi| {
                let (f, fp) = bessel_poly_dd(n, xi);
                -cdiv(f, fp)
            })
            .collect();
        let beta: Vec<Complex64> = (0..n)
            .map(|k| {
                let mut b = c(0.0, 0.0);
                for j in k + 1..n {
                    b += rdiv(1.0, x[k] - x[j]);
                }
                for j in 0..k {
                    b += rdiv(1.0, x[k] - x[j]);
                }
                b
            })
            .collect();
        for k in 0..n {
            x[k] += cdiv(alpha[k], c(1.0, 0.0) + alpha[k] * beta[k]);
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(failed());
        }
        if alpha.iter().all(|a| a.norm() <= tol) {
            break;
        }
    }
    // Newton polishing, until the step is below the tolerance or stops shrinking.
    for xi in x.iter_mut() {
        let mut last = f64::INFINITY;
        for _ in 0..50 {
            let (f, fp) = bessel_poly_dd(n, *xi);
            let step = cdiv(f, fp);
            let size = step.norm();
            if !size.is_finite() || size >= last {
                break;
            }
            *xi -= step;
            last = size;
            if size <= tol * xi.norm() {
                break;
            }
        }
        if !xi.is_finite() || last > 1e-10 * xi.norm() {
            return Err(failed());
        }
    }
    let sym: Vec<Complex64> = (0..n).map(|i| (x[i] + x[n - 1 - i].conj()) * 0.5).collect();
    let total: Complex64 = sym.iter().sum();
    if (total + 1.0).norm() > 1e-12 {
        return Err(failed());
    }
    Ok(sym)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters() {
        assert!(buttap(0).is_err());
        assert!(cheb1ap(2, -1.0).is_err());
        assert!(cheb2ap(2, f64::NAN).is_err());
        assert!(ellipap(2, 1.0, 0.0).is_err());
        assert!(besselap(0).is_err());
        assert!(besselap(BESSEL_MAX_ORDER + 1).is_err());
    }

    #[test]
    fn bessel_zeros_sum_to_minus_one() {
        for n in 1..=BESSEL_MAX_ORDER {
            let x = bessel_zeros(n).unwrap();
            let s: Complex64 = x.iter().sum();
            assert!((s + 1.0).norm() < 1e-14, "{n}");
        }
    }
}
