//! Small numeric helpers that follow numpy's evaluation order, so that designs round the
//! way scipy's do: complex division and square root, pairwise summation, products.

use num_complex::Complex64;

/// Complex division as numpy's `true_divide` evaluates it (Smith's method, scaling by
/// the reciprocal of the denominator).
pub(crate) fn cdiv(a: Complex64, b: Complex64) -> Complex64 {
    let (br, bi) = (b.re, b.im);
    if br.abs() >= bi.abs() {
        if br == 0.0 && bi == 0.0 {
            return Complex64::new(a.re / br.abs(), a.im / br.abs());
        }
        let rat = bi / br;
        let scl = 1.0 / (br + bi * rat);
        Complex64::new((a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl)
    } else {
        let rat = br / bi;
        let scl = 1.0 / (bi + br * rat);
        Complex64::new((a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl)
    }
}

/// A real number divided by a complex one.
pub(crate) fn rdiv(a: f64, b: Complex64) -> Complex64 {
    cdiv(Complex64::new(a, 0.0), b)
}

/// Principal complex square root (branch cut on the negative real axis, the sign of a
/// zero imaginary part choosing the side), computed without cancellation.
pub(crate) fn csqrt(z: Complex64) -> Complex64 {
    let (x, y) = (z.re, z.im);
    if y == 0.0 {
        return if x < 0.0 {
            Complex64::new(0.0, (-x).sqrt().copysign(y))
        } else {
            Complex64::new(x.sqrt().abs(), 0.0f64.copysign(y))
        };
    }
    if x == 0.0 {
        let r = (0.5 * y.abs()).sqrt();
        return Complex64::new(r, r.copysign(y));
    }
    let d = x.hypot(y);
    let (r, s) = if x > 0.0 {
        let r = (0.5 * (d + x)).sqrt();
        (r, 0.5 * (y / r))
    } else {
        let s = (0.5 * (d - x)).sqrt();
        ((0.5 * (y / s)).abs(), s)
    };
    Complex64::new(r, s.copysign(y))
}

/// Product of all elements, left to right (`numpy.prod`); 1 for none.
pub(crate) fn cprod(v: &[Complex64]) -> Complex64 {
    let mut acc = Complex64::new(1.0, 0.0);
    for &x in v {
        acc *= x;
    }
    acc
}

/// Sum with numpy's pairwise algorithm (blocks of 8 partial sums, halving above 128).
pub(crate) fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let full = n - n % 8;
        let mut i = 8;
        while i < full {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[full..] {
            res += v;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqrt_branches() {
        let c = |re, im| Complex64::new(re, im);
        assert_eq!(csqrt(c(-4.0, 0.0)), c(0.0, 2.0));
        assert_eq!(csqrt(c(-4.0, -0.0)), c(0.0, -2.0));
        assert_eq!(csqrt(c(4.0, 0.0)), c(2.0, 0.0));
        assert_eq!(csqrt(c(0.0, 8.0)), c(2.0, 2.0));
        let z = c(-3.0, 4.0);
        let s = csqrt(z);
        assert!((s * s - z).norm() < 1e-15);
        let z = c(3.0, -4.0);
        let s = csqrt(z);
        assert!((s * s - z).norm() < 1e-15 && s.re > 0.0);
    }

    #[test]
    fn division_and_sums() {
        let a = Complex64::new(1.0, 2.0);
        let b = Complex64::new(3.0, -4.0);
        assert!((cdiv(a, b) - a / b).norm() < 1e-16);
        assert!((cdiv(a, Complex64::new(0.5, 7.0)) - a / Complex64::new(0.5, 7.0)).norm() < 1e-16);
        assert_eq!(
            rdiv(2.0, Complex64::new(4.0, 0.0)),
            Complex64::new(0.5, 0.0)
        );
        let v: Vec<f64> = (0..300).map(|i| i as f64).collect();
        assert_eq!(pairwise_sum(&v), 44850.0);
        assert_eq!(pairwise_sum(&v[..5]), 10.0);
        assert_eq!(cprod(&[]), Complex64::new(1.0, 0.0));
    }
}
