//! Window functions, as `scipy.signal.get_window` computes them.
//!
//! Every window is evaluated with the same formula and the same order of floating-point
//! operations as scipy 1.17, so results agree to a few units in the last place. A window
//! is either *symmetric* (`fftbins = false`, for filter design) or *periodic*
//! (`fftbins = true`, for spectral analysis: the symmetric window of length `n + 1` with
//! its last sample dropped).
//!
//! ```
//! use xdas_signal::window::{Window, get_window};
//! let w = get_window(&Window::parse("hann", None).unwrap(), 4, false).unwrap();
//! assert!((w[1] - 0.75).abs() < 1e-15);
//! ```

use crate::error::{Result, invalid};
use std::f64::consts::PI;

/// A window shape with its parameter, if it has one.
///
/// ```
/// use xdas_signal::window::Window;
/// assert_eq!(Window::parse("kaiser", Some(5.0)).unwrap(), Window::Kaiser(5.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Window {
    /// All ones (`"boxcar"`, `"rect"`, `"rectangular"`, `"box"`, `"ones"`).
    Boxcar,
    /// Raised cosine `0.5 − 0.5 cos` (`"hann"`, `"hanning"`, `"han"`).
    Hann,
    /// `0.54 − 0.46 cos` (`"hamming"`, `"hamm"`, `"ham"`).
    Hamming,
    /// Three-term cosine sum 0.42 / 0.5 / 0.08 (`"blackman"`, `"black"`, `"blk"`).
    Blackman,
    /// Triangle reaching zero at both ends (`"bartlett"`, `"bart"`, `"brt"`).
    Bartlett,
    /// Tapered cosine; the parameter is the fraction of the window inside the cosine
    /// tapers (`"tukey"`, `"tuk"`; default 0.5). `alpha <= 0` is a boxcar, `>= 1` a Hann.
    Tukey(f64),
    /// Kaiser window with shape parameter `beta` (`"kaiser"`, `"ksr"`).
    Kaiser(f64),
    /// Gaussian window with standard deviation `std` in samples (`"gaussian"`,
    /// `"gauss"`, `"gss"`).
    Gaussian(f64),
    /// Half a period of a sine (`"cosine"`, `"halfcosine"`).
    Cosine,
}

impl Window {
    /// The window of a scipy name or alias (case-insensitive) and its parameter.
    ///
    /// `kaiser` (beta) and `gaussian` (std) need a parameter, `tukey` takes an optional
    /// one (alpha, default 0.5), the others take none. A missing, superfluous or NaN
    /// parameter, or an unknown name, is an error.
    ///
    /// ```
    /// use xdas_signal::window::Window;
    /// assert_eq!(Window::parse("hanning", None).unwrap(), Window::Hann);
    /// assert_eq!(Window::parse("tukey", None).unwrap(), Window::Tukey(0.5));
    /// assert!(Window::parse("kaiser", None).is_err());
    /// assert!(Window::parse("hamming", Some(1.0)).is_err());
    /// ```
    pub fn parse(name: &str, param: Option<f64>) -> Result<Window> {
        let lower = name.trim().to_ascii_lowercase();
        let needs_none = |w: Window| match param {
            None => Ok(w),
            Some(_) => Err(invalid(format!("window '{name}' takes no parameter"))),
        };
        let needs_one = |f: fn(f64) -> Window| match param {
            Some(v) => Ok(f(v)),
            None => Err(invalid(format!("window '{name}' needs a parameter"))),
        };
        let window = match lower.as_str() {
            "boxcar" | "box" | "ones" | "rect" | "rectangular" => needs_none(Window::Boxcar),
            "hann" | "hanning" | "han" => needs_none(Window::Hann),
            "hamming" | "hamm" | "ham" => needs_none(Window::Hamming),
            "blackman" | "black" | "blk" => needs_none(Window::Blackman),
            "bartlett" | "bart" | "brt" => needs_none(Window::Bartlett),
            "cosine" | "halfcosine" => needs_none(Window::Cosine),
            "tukey" | "tuk" => Ok(Window::Tukey(param.unwrap_or(0.5))),
            "kaiser" | "ksr" => needs_one(Window::Kaiser),
            "gaussian" | "gauss" | "gss" => needs_one(Window::Gaussian),
            _ => Err(invalid(format!("unknown window '{name}'"))),
        }?;
        window.validate()?;
        Ok(window)
    }

    /// Check the parameter: finite, and a positive `std` for the Gaussian.
    fn validate(&self) -> Result<()> {
        match *self {
            Window::Tukey(a) if !a.is_finite() => {
                Err(invalid(format!("tukey alpha must be finite, got {a}")))
            }
            Window::Kaiser(b) if !b.is_finite() => {
                Err(invalid(format!("kaiser beta must be finite, got {b}")))
            }
            Window::Gaussian(s) if !(s.is_finite() && s > 0.0) => Err(invalid(format!(
                "gaussian std must be finite and positive, got {s}"
            ))),
            _ => Ok(()),
        }
    }
}

/// The window of length `n`, like `scipy.signal.get_window(window, n, fftbins)`:
/// periodic when `fftbins` is true, symmetric otherwise.
///
/// `n = 0` is an error; `n = 1` gives `[1.0]`.
///
/// ```
/// use xdas_signal::window::{Window, get_window};
/// let sym = get_window(&Window::Hamming, 5, false).unwrap();
/// assert!((sym[0] - 0.08).abs() < 1e-15 && (sym[2] - 1.0).abs() < 1e-15);
/// let per = get_window(&Window::Hann, 4, true).unwrap();
/// assert!((per[2] - 1.0).abs() < 1e-15);
/// assert!(get_window(&Window::Boxcar, 0, true).is_err());
/// ```
pub fn get_window(window: &Window, n: usize, fftbins: bool) -> Result<Vec<f64>> {
    if n == 0 {
        return Err(invalid("window length must be a positive integer"));
    }
    window.validate()?;
    if n == 1 {
        return Ok(vec![1.0]);
    }
    // A periodic window is the symmetric one of length n + 1 without its last sample.
    let m = if fftbins { n + 1 } else { n };
    let mut w = symmetric(window, m);
    w.truncate(n);
    Ok(w)
}

/// The symmetric window of length `m >= 2`.
fn symmetric(window: &Window, m: usize) -> Vec<f64> {
    match *window {
        Window::Boxcar => vec![1.0; m],
        Window::Hann => cosine_sum(&[0.5, 0.5], m),
        Window::Hamming => cosine_sum(&[0.54, 1.0 - 0.54], m),
        Window::Blackman => cosine_sum(&[0.42, 0.50, 0.08], m),
        Window::Bartlett => bartlett(m),
        Window::Tukey(alpha) => tukey(alpha, m),
        Window::Kaiser(beta) => kaiser(beta, m),
        Window::Gaussian(std) => gaussian(std, m),
        Window::Cosine => {
            let step = PI / m as f64;
            (0..m).map(|i| (step * (i as f64 + 0.5)).sin()).collect()
        }
    }
}

/// `numpy.linspace(-pi, pi, m)`: start + i·step, the last point exactly pi.
fn linspace_pm_pi(m: usize) -> Vec<f64> {
    let step = (2.0 * PI) / (m - 1) as f64;
    let mut v: Vec<f64> = (0..m).map(|i| i as f64 * step + -PI).collect();
    v[m - 1] = PI;
    v
}

/// `Σ_k a[k] cos(k·x)` on `x = linspace(−π, π, m)`, accumulated term by term.
fn cosine_sum(a: &[f64], m: usize) -> Vec<f64> {
    let x = linspace_pm_pi(m);
    let mut w = vec![0.0; m];
    for (k, &ak) in a.iter().enumerate() {
        for (wi, &xi) in w.iter_mut().zip(&x) {
            *wi += ak * (k as f64 * xi).cos();
        }
    }
    w
}

fn bartlett(m: usize) -> Vec<f64> {
    let d = (m - 1) as f64;
    (0..m)
        .map(|i| {
            let n = i as f64;
            if n <= d / 2.0 {
                2.0 * n / d
            } else {
                2.0 - 2.0 * n / d
            }
        })
        .collect()
}

fn tukey(alpha: f64, m: usize) -> Vec<f64> {
    if alpha <= 0.0 {
        return vec![1.0; m];
    }
    if alpha >= 1.0 {
        return cosine_sum(&[0.5, 0.5], m);
    }
    let d = (m - 1) as f64;
    let width = (alpha * d / 2.0).floor() as usize;
    (0..m)
        .map(|i| {
            let n = i as f64;
            if i <= width {
                0.5 * (1.0 + (PI * (-1.0 + 2.0 * n / alpha / d)).cos())
            } else if i < m - width - 1 {
                1.0
            } else {
                0.5 * (1.0 + (PI * (-2.0 / alpha + 1.0 + 2.0 * n / alpha / d)).cos())
            }
        })
        .collect()
}

fn kaiser(beta: f64, m: usize) -> Vec<f64> {
    let alpha = (m - 1) as f64 / 2.0;
    let arg = |i: usize| {
        let r = (i as f64 - alpha) / alpha;
        beta * (1.0 - r * r).sqrt()
    };
    if beta.abs() <= 700.0 {
        let den = bessel_i0(beta);
        (0..m).map(|i| bessel_i0(arg(i)) / den).collect()
    } else {
        // I0 overflows: use the scaled function, I0(x) = i0e(x)·e^|x|.
        let den = bessel_i0e(beta);
        (0..m)
            .map(|i| {
                let x = arg(i);
                bessel_i0e(x) / den * (x.abs() - beta.abs()).exp()
            })
            .collect()
    }
}

fn gaussian(std: f64, m: usize) -> Vec<f64> {
    let sig2 = 2.0 * std * std;
    let c = (m as f64 - 1.0) / 2.0;
    (0..m)
        .map(|i| {
            let n = i as f64 - c;
            (-(n * n) / sig2).exp()
        })
        .collect()
}

/// Modified Bessel function of the first kind, order 0, by its power series
/// `Σ ((x/2)^k / k!)²` (all terms positive: accurate to a few ulps; overflows past |x| ≈ 713).
pub(crate) fn bessel_i0(x: f64) -> f64 {
    let q = 0.25 * x * x;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 1.0;
    loop {
        term *= q / (k * k);
        sum += term;
        if term <= sum * 1e-17 || !sum.is_finite() {
            return sum;
        }
        k += 1.0;
    }
}

/// `exp(−|x|)·I0(x)`: power series for moderate `|x|`, the asymptotic expansion beyond.
pub(crate) fn bessel_i0e(x: f64) -> f64 {
    let ax = x.abs();
    if ax <= 50.0 {
        return bessel_i0(ax) * (-ax).exp();
    }
    // I0(x) e^{-x} ~ (2πx)^{-1/2} Σ_k [(2k−1)!!]² / (k! (8x)^k)
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..200 {
        let kf = k as f64;
        let next = term * (2.0 * kf - 1.0) * (2.0 * kf - 1.0) / (kf * 8.0 * ax);
        if next >= term {
            break;
        }
        term = next;
        sum += term;
        if term <= sum * 1e-17 {
            break;
        }
    }
    sum / (2.0 * PI * ax).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_and_errors() {
        assert_eq!(Window::parse("RECT", None).unwrap(), Window::Boxcar);
        assert_eq!(
            Window::parse("gaussian", Some(3.0)).unwrap(),
            Window::Gaussian(3.0)
        );
        assert_eq!(
            Window::parse("tukey", Some(0.1)).unwrap(),
            Window::Tukey(0.1)
        );
        assert!(Window::parse("gaussian", None).is_err());
        assert!(Window::parse("gaussian", Some(0.0)).is_err());
        assert!(Window::parse("kaiser", Some(f64::NAN)).is_err());
        assert!(Window::parse("tukey", Some(f64::NAN)).is_err());
        assert!(Window::parse("boxcar", Some(2.0)).is_err());
        assert!(Window::parse("chebwin", Some(2.0)).is_err());
    }

    #[test]
    fn lengths() {
        for w in [
            Window::Boxcar,
            Window::Hann,
            Window::Hamming,
            Window::Blackman,
            Window::Bartlett,
            Window::Tukey(0.3),
            Window::Kaiser(8.0),
            Window::Gaussian(2.0),
            Window::Cosine,
        ] {
            assert!(get_window(&w, 0, false).is_err());
            assert_eq!(get_window(&w, 1, true).unwrap(), vec![1.0]);
            for n in [2, 3, 10, 11] {
                assert_eq!(get_window(&w, n, true).unwrap().len(), n);
                let s = get_window(&w, n, false).unwrap();
                for i in 0..n {
                    assert!((s[i] - s[n - 1 - i]).abs() < 1e-15, "{w:?} {n}");
                }
            }
        }
        assert!(get_window(&Window::Gaussian(-1.0), 4, true).is_err());
    }

    #[test]
    fn i0_values() {
        // scipy.special.i0 / i0e
        assert!((bessel_i0(1.0) - 1.2660658777520082).abs() < 1e-15);
        assert!((bessel_i0(14.0) / 129418.56270064856 - 1.0).abs() < 1e-14);
        assert!((bessel_i0e(100.0) / 0.03994437929909668 - 1.0).abs() < 1e-14);
        assert!((bessel_i0e(30.0) / 0.0731459464822373 - 1.0).abs() < 1e-14);
        let w = get_window(&Window::Kaiser(800.0), 5, false).unwrap();
        assert_eq!(w[2], 1.0);
        assert!(w.iter().all(|v| v.is_finite()));
    }

    /// Windows without golden cases against scipy 1.17's `get_window`.
    #[test]
    fn other_windows_match_scipy() {
        let cases: &[(Window, usize, bool, &[f64])] = &[
            (
                Window::Blackman,
                7,
                false,
                &[
                    -1.3877787807814457e-17,
                    0.1299999999999999,
                    0.6299999999999999,
                    0.9999999999999999,
                    0.6300000000000002,
                    0.1300000000000002,
                    -1.3877787807814457e-17,
                ],
            ),
            (
                Window::Blackman,
                6,
                true,
                &[
                    -1.3877787807814457e-17,
                    0.1299999999999999,
                    0.6299999999999999,
                    0.9999999999999999,
                    0.6300000000000002,
                    0.1300000000000002,
                ],
            ),
            (
                Window::Bartlett,
                7,
                false,
                &[
                    0.0,
                    0.3333333333333333,
                    0.6666666666666666,
                    1.0,
                    0.6666666666666667,
                    0.33333333333333326,
                    0.0,
                ],
            ),
            (
                Window::Bartlett,
                6,
                true,
                &[
                    0.0,
                    0.3333333333333333,
                    0.6666666666666666,
                    1.0,
                    0.6666666666666667,
                    0.33333333333333326,
                ],
            ),
            (
                Window::Gaussian(2.0),
                7,
                false,
                &[
                    0.32465246735834974,
                    0.6065306597126334,
                    0.8824969025845955,
                    1.0,
                    0.8824969025845955,
                    0.6065306597126334,
                    0.32465246735834974,
                ],
            ),
            (
                Window::Gaussian(2.0),
                6,
                true,
                &[
                    0.32465246735834974,
                    0.6065306597126334,
                    0.8824969025845955,
                    1.0,
                    0.8824969025845955,
                    0.6065306597126334,
                ],
            ),
            (
                Window::Cosine,
                7,
                false,
                &[
                    0.2225209339563144,
                    0.6234898018587335,
                    0.9009688679024191,
                    1.0,
                    0.9009688679024191,
                    0.6234898018587336,
                    0.2225209339563145,
                ],
            ),
            (
                Window::Cosine,
                6,
                true,
                &[
                    0.2225209339563144,
                    0.6234898018587335,
                    0.9009688679024191,
                    1.0,
                    0.9009688679024191,
                    0.6234898018587336,
                ],
            ),
            (
                Window::Tukey(1.0),
                7,
                false,
                &[
                    0.0,
                    0.2499999999999999,
                    0.75,
                    1.0,
                    0.7500000000000002,
                    0.25000000000000033,
                    0.0,
                ],
            ),
            (
                Window::Tukey(1.0),
                6,
                true,
                &[
                    0.0,
                    0.2499999999999999,
                    0.75,
                    1.0,
                    0.7500000000000002,
                    0.25000000000000033,
                ],
            ),
        ];
        for (w, n, fftbins, want) in cases {
            let got = get_window(w, *n, *fftbins).unwrap();
            for (g, v) in got.iter().zip(*want) {
                assert!((g - v).abs() <= 1e-14, "{w:?} {n} {fftbins}: {g} vs {v}");
            }
        }
    }
}
