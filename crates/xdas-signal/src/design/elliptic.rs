//! Complete elliptic integral of the first kind and Jacobi elliptic functions (parameter
//! convention `m = k²`, as `scipy.special.ellipk` / `ellipkm1` / `ellipj`), by the
//! arithmetic-geometric mean.

use std::f64::consts::{FRAC_PI_2, PI};

/// Arithmetic-geometric mean of two non-negative numbers.
fn agm(mut a: f64, mut b: f64) -> f64 {
    for _ in 0..64 {
        if (a - b).abs() <= 1e-16 * a {
            break;
        }
        let next_a = 0.5 * (a + b);
        b = (a * b).sqrt();
        a = next_a;
    }
    0.5 * (a + b)
}

/// `K(m) = ∫₀^{π/2} dθ / sqrt(1 − m sin²θ)` for `m < 1` (infinite at 1, NaN above).
pub(crate) fn ellipk(m: f64) -> f64 {
    if m.is_nan() || m > 1.0 {
        return f64::NAN;
    }
    if m == 1.0 {
        return f64::INFINITY;
    }
    PI / (2.0 * agm(1.0, (1.0 - m).sqrt()))
}

/// `K(1 − p)`, accurate for small `p` (`scipy.special.ellipkm1`).
pub(crate) fn ellipkm1(p: f64) -> f64 {
    if p.is_nan() || p < 0.0 {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::INFINITY;
    }
    PI / (2.0 * agm(1.0, p.sqrt()))
}

/// Jacobi elliptic functions `(sn, cn, dn, φ)` of `u` for parameter `0 <= m <= 1`
/// (descending Landen / AGM scheme, Abramowitz & Stegun 16.4; series of 16.13 and
/// 16.15 next to `m = 0` and `m = 1`).
pub(crate) fn ellipj(u: f64, m: f64) -> (f64, f64, f64, f64) {
    if !(0.0..=1.0).contains(&m) || u.is_nan() {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    }
    if m < 1e-9 {
        let (t, b) = u.sin_cos();
        let ai = 0.25 * m * (u - t * b);
        return (t - ai * b, b + ai * t, 1.0 - 0.5 * m * t * t, u - ai);
    }
    if m >= 0.9999999999 {
        let m1 = 0.25 * (1.0 - m);
        let ch = u.cosh();
        let th = u.tanh();
        let sech = 1.0 / ch;
        let sc = ch * u.sinh();
        let sn = th + m1 * (sc - u) / (ch * ch);
        let ph = 2.0 * u.exp().atan() - FRAC_PI_2 + m1 * (sc - u) / ch;
        let w = m1 * th * sech;
        return (sn, sech - w * (sc - u), sech + w * (sc + u), ph);
    }
    const LEVELS: usize = 9;
    let mut a = [0.0f64; LEVELS];
    let mut c = [0.0f64; LEVELS];
    a[0] = 1.0;
    c[0] = m.sqrt();
    let mut b = (1.0 - m).sqrt();
    let mut twon = 1.0;
    let mut i = 0;
    while (c[i] / a[i]).abs() > f64::EPSILON / 2.0 && i + 1 < LEVELS {
        let ai = a[i];
        i += 1;
        c[i] = (ai - b) / 2.0;
        let g = (ai * b).sqrt();
        a[i] = (ai + b) / 2.0;
        b = g;
        twon *= 2.0;
    }
    let mut phi = twon * a[i] * u;
    let mut prev = phi;
    while i > 0 {
        let t = c[i] * phi.sin() / a[i];
        prev = phi;
        phi = (t.asin() + phi) / 2.0;
        i -= 1;
    }
    let (sn, cn) = phi.sin_cos();
    (sn, cn, cn / (phi - prev).cos(), phi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn against_scipy() {
        // scipy.special.ellipk / ellipkm1 / ellipj
        assert!(rel(ellipk(0.5), 1.8540746773013719) < 4e-16);
        assert!(rel(ellipk(0.99), 3.6956373629898747) < 4e-16);
        assert!(rel(ellipk(1e-3), 1.5711892469233444) < 4e-16);
        assert!(rel(ellipkm1(1e-10), 12.8992198263876) < 4e-16);
        let (sn, cn, dn, ph) = ellipj(0.7, 0.3);
        assert!(rel(sn, 0.6323047763108646) < 1e-15);
        assert!(rel(cn, 0.7747197363269298) < 1e-15);
        assert!(rel(dn, 0.9381136396814304) < 1e-15);
        assert!(rel(ph, 0.6845245936612939) < 1e-15);
        let (sn, cn, dn, ph) = ellipj(0.7, 1e-10);
        assert!(rel(sn, 0.6442176872337277) < 1e-15 && rel(cn, 0.7648421872878267) < 1e-15);
        assert!(rel(dn, 0.9999999999792492) < 1e-15 && rel(ph, 0.6999999999948181) < 1e-15);
        let (sn, cn, dn, ph) = ellipj(0.7, 1.0 - 1e-11);
        assert!(rel(sn, 0.6043677771175637) < 1e-15 && rel(cn, 0.7967054599925715) < 1e-15);
        assert!(rel(dn, 0.7967054599948638) < 1e-15 && rel(ph, 0.6489720817841977) < 1e-15);
        assert_eq!(ellipk(1.0), f64::INFINITY);
        assert!(ellipj(0.1, 2.0).0.is_nan());
    }
}
