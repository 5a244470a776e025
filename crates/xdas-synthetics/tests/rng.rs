//! The counter-based generator: determinism and the normal distribution.

use xdas_synthetics::CounterRng;

/// Standard normal CDF via the complementary error function (W. J. Cody's rational
/// approximations are overkill here: Abramowitz & Stegun 7.1.26, |error| < 1.5e-7).
fn phi(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-z * z).exp();
    if x >= 0.0 {
        1.0 - erfc / 2.0
    } else {
        erfc / 2.0
    }
}

#[test]
fn values_depend_only_on_seed_stream_row_col() {
    let a = CounterRng::new(42);
    let b = CounterRng::new(42);
    for (r, c) in [(0, 0), (5, 9), (123_456, 7), (u64::MAX, u64::MAX)] {
        assert_eq!(a.normal(r, c).to_bits(), b.normal(r, c).to_bits());
        assert_eq!(a.row(r).normal(c).to_bits(), a.normal(r, c).to_bits());
    }
    assert_ne!(a.bits(0, 0), CounterRng::new(43).bits(0, 0));
    assert_ne!(a.bits(1, 0), a.bits(0, 1));
    assert_ne!(a.bits(0, 0), a.stream(1).bits(0, 0));
}

#[test]
fn normals_are_standard_normal() {
    let rng = CounterRng::new(2024);
    let (rows, cols) = (400u64, 5000u64);
    let n = (rows * cols) as f64;
    let thresholds: Vec<f64> = (-12..=12).map(|k| k as f64 * 0.25).collect();
    let mut below = vec![0u64; thresholds.len()];
    let (mut sum, mut sum2, mut sum4, mut tail) = (0.0, 0.0, 0.0, 0u64);
    for r in 0..rows {
        let row = rng.row(r);
        for c in 0..cols {
            let x = row.normal(c);
            sum += x;
            sum2 += x * x;
            sum4 += x * x * x * x;
            if x.abs() > 3.654_152_885_361_009 {
                tail += 1;
            }
            for (k, &t) in thresholds.iter().enumerate() {
                below[k] += u64::from(x < t);
            }
        }
    }
    let mean = sum / n;
    let var = sum2 / n - mean * mean;
    assert!(mean.abs() < 5.0 / n.sqrt(), "mean {mean}");
    assert!((var - 1.0).abs() < 5.0 * (2.0 / n).sqrt(), "variance {var}");
    let kurtosis = sum4 / n;
    assert!(
        (kurtosis - 3.0).abs() < 5.0 * (96.0 / n).sqrt(),
        "kurtosis {kurtosis}"
    );
    for (k, &t) in thresholds.iter().enumerate() {
        let p = phi(t);
        let got = below[k] as f64 / n;
        let sigma = (p * (1.0 - p) / n).sqrt();
        assert!(
            (got - p).abs() < 5.0 * sigma + 2e-7,
            "P(x < {t}) = {got}, want {p}"
        );
    }
    // The ziggurat's tail branch: P(|x| > R).
    let p_tail = 2.0 * (1.0 - phi(3.654_152_885_361_009));
    let expect = p_tail * n;
    assert!(
        (tail as f64 - expect).abs() < 5.0 * expect.sqrt(),
        "tail {tail} vs {expect}"
    );
}

#[test]
fn uniforms_are_uniform() {
    let rng = CounterRng::new(1).stream(3);
    let n = 200_000u64;
    let mut bins = [0u64; 10];
    for c in 0..n {
        let u = rng.uniform(7, c);
        assert!((0.0..1.0).contains(&u));
        bins[(u * 10.0) as usize] += 1;
    }
    for b in bins {
        let e = n as f64 / 10.0;
        assert!((b as f64 - e).abs() < 5.0 * (e * 0.9).sqrt(), "{bins:?}");
    }
}
