//! FIR design by the window method (`scipy.signal.firwin`) and the Kaiser formulas
//! (`kaiser_atten`, `kaiser_beta`).

use super::cx::pairwise_sum;
use crate::error::{Result, invalid};
use crate::window::{Window, get_window};
use std::f64::consts::PI;

/// Which bands pass, as scipy's `pass_zero` (a bool or a band-type string).
///
/// `True` / `Lowpass` / `Bandstop`: the response at DC (0 Hz) is 1; `False` /
/// `Highpass` / `Bandpass`: it is 0. The named forms also check the number of cutoffs
/// (one for lowpass/highpass, at least two for bandpass/bandstop).
///
/// ```
/// use xdas_signal::design::{PassZero, firwin};
/// use xdas_signal::window::Window;
/// let hp = firwin(5, &[0.5], None, &Window::Hamming, PassZero::Highpass, true, None).unwrap();
/// assert_eq!(hp.len(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PassZero {
    /// The first band (from DC) passes.
    True,
    /// The first band (from DC) stops.
    False,
    /// Lowpass: one cutoff, DC passes.
    Lowpass,
    /// Highpass: one cutoff, DC stops.
    Highpass,
    /// Bandpass: two or more cutoffs, DC stops.
    Bandpass,
    /// Bandstop: two or more cutoffs, DC passes.
    Bandstop,
}

impl PassZero {
    /// From scipy's spellings: `"true"`/`"false"` or a band type (`"lowpass"`,
    /// `"highpass"`, `"bandpass"`, `"bandstop"`).
    ///
    /// ```
    /// use xdas_signal::design::PassZero;
    /// assert_eq!(PassZero::parse("bandstop").unwrap(), PassZero::Bandstop);
    /// assert_eq!(PassZero::parse("True").unwrap(), PassZero::True);
    /// assert!(PassZero::parse("band").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<PassZero> {
        match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(PassZero::True),
            "false" => Ok(PassZero::False),
            "lowpass" => Ok(PassZero::Lowpass),
            "highpass" => Ok(PassZero::Highpass),
            "bandpass" => Ok(PassZero::Bandpass),
            "bandstop" => Ok(PassZero::Bandstop),
            _ => Err(invalid(format!(
                "pass_zero must be true, false, 'lowpass', 'highpass', 'bandpass' or \
                 'bandstop', got '{s}'"
            ))),
        }
    }
}

impl From<bool> for PassZero {
    fn from(b: bool) -> PassZero {
        if b { PassZero::True } else { PassZero::False }
    }
}

/// Stopband attenuation (dB) of a Kaiser-window FIR filter of `numtaps` taps and
/// transition width `width` (normalised to Nyquist = 1): `2.285·(numtaps − 1)·π·width + 7.95`.
///
/// ```
/// use xdas_signal::design::kaiser_atten;
/// assert!((kaiser_atten(211, 0.0375) - 64.48099630593983).abs() < 1e-12);
/// ```
pub fn kaiser_atten(numtaps: usize, width: f64) -> f64 {
    2.285 * (numtaps as f64 - 1.0) * PI * width + 7.95
}

/// The Kaiser `beta` that gives a stopband attenuation of `a` dB (Kaiser's empirical
/// formula; 0 below 21 dB).
///
/// ```
/// use xdas_signal::design::kaiser_beta;
/// assert!((kaiser_beta(65.0) - 6.20426).abs() < 1e-12);
/// assert_eq!(kaiser_beta(20.0), 0.0);
/// ```
pub fn kaiser_beta(a: f64) -> f64 {
    if a > 50.0 {
        0.1102 * (a - 8.7)
    } else if a > 21.0 {
        0.5842 * (a - 21.0).powf(0.4) + 0.07886 * (a - 21.0)
    } else {
        0.0
    }
}

/// `sin(πx)/(πx)`, 1 at 0, as numpy's `sinc`.
fn sinc(x: f64) -> f64 {
    let mut y = PI * x;
    if y == 0.0 {
        y = f64::EPSILON;
    }
    y.sin() / y
}

/// Linear-phase FIR filter of `numtaps` taps by the window method
/// (`scipy.signal.firwin`).
///
/// `cutoff` holds the band edges, strictly increasing inside `(0, nyq)` with
/// `nyq = fs/2` (`fs = 2` when `None`, i.e. normalised to Nyquist). `pass_zero` says
/// whether DC passes (see [`PassZero`]). With `width = Some(w)` (same unit as `cutoff`)
/// the window is the Kaiser window meeting that transition width, whatever `window`
/// says. With `scale`, the taps are normalised to a unit response at the centre of the
/// first passband (DC if it starts at 0, Nyquist if it ends there).
///
/// A passband reaching Nyquist (highpass, bandstop, ...) needs an odd `numtaps`.
///
/// ```
/// use xdas_signal::design::{PassZero, firwin};
/// use xdas_signal::window::Window;
/// let h = firwin(31, &[10.0], None, &Window::Hamming, PassZero::True, true, Some(50.0)).unwrap();
/// assert_eq!(h.len(), 31);
/// assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-14);
/// // an even-length highpass is impossible
/// assert!(firwin(30, &[0.3], None, &Window::Hamming, PassZero::False, true, None).is_err());
/// ```
pub fn firwin(
    numtaps: usize,
    cutoff: &[f64],
    width: Option<f64>,
    window: &Window,
    pass_zero: PassZero,
    scale: bool,
    fs: Option<f64>,
) -> Result<Vec<f64>> {
    if numtaps == 0 {
        return Err(invalid("numtaps must be at least 1"));
    }
    let fs = fs.unwrap_or(2.0);
    if !(fs.is_finite() && fs > 0.0) {
        return Err(invalid(format!("fs must be finite and positive, got {fs}")));
    }
    let nyq = 0.5 * fs;
    if cutoff.is_empty() {
        return Err(invalid("at least one cutoff frequency must be given"));
    }
    let cut: Vec<f64> = cutoff.iter().map(|&c| c / nyq).collect();
    if cut.iter().any(|&c| !(c > 0.0 && c < 1.0)) {
        return Err(invalid(
            "invalid cutoff frequency: frequencies must be greater than 0 and less than fs/2",
        ));
    }
    if cut.windows(2).any(|w| w[1] - w[0] <= 0.0) {
        return Err(invalid(
            "invalid cutoff frequencies: the frequencies must be strictly increasing",
        ));
    }
    let kaiser;
    let window = match width {
        Some(w) => {
            if !(w.is_finite() && w > 0.0) {
                return Err(invalid(format!(
                    "width must be finite and positive, got {w}"
                )));
            }
            kaiser = Window::Kaiser(kaiser_beta(kaiser_atten(numtaps, w / nyq)));
            &kaiser
        }
        None => window,
    };
    let pass_zero = match pass_zero {
        PassZero::True => true,
        PassZero::False => false,
        PassZero::Lowpass | PassZero::Highpass if cut.len() != 1 => {
            return Err(invalid(format!(
                "cutoff must have one element for a lowpass or highpass, got {}",
                cut.len()
            )));
        }
        PassZero::Bandpass | PassZero::Bandstop if cut.len() < 2 => {
            return Err(invalid(
                "cutoff must have at least two elements for a bandpass or bandstop",
            ));
        }
        PassZero::Lowpass | PassZero::Bandstop => true,
        PassZero::Highpass | PassZero::Bandpass => false,
    };
    let pass_nyquist = (cut.len() % 2 == 0) == pass_zero;
    if pass_nyquist && numtaps % 2 == 0 {
        return Err(invalid(
            "a filter with an even number of coefficients must have zero response at the \
             Nyquist frequency",
        ));
    }
    let mut edges = Vec::with_capacity(cut.len() + 2);
    if pass_zero {
        edges.push(0.0);
    }
    edges.extend_from_slice(&cut);
    if pass_nyquist {
        edges.push(1.0);
    }

    let alpha = 0.5 * (numtaps as f64 - 1.0);
    let m: Vec<f64> = (0..numtaps).map(|i| i as f64 - alpha).collect();
    let mut h = vec![0.0; numtaps];
    for band in edges.chunks_exact(2) {
        let (left, right) = (band[0], band[1]);
        for (hi, &mi) in h.iter_mut().zip(&m) {
            *hi += right * sinc(right * mi);
        }
        for (hi, &mi) in h.iter_mut().zip(&m) {
            *hi -= left * sinc(left * mi);
        }
    }
    let win = get_window(window, numtaps, false)?;
    for (hi, wi) in h.iter_mut().zip(&win) {
        *hi *= wi;
    }
    if scale {
        let (left, right) = (edges[0], edges[1]);
        let f = if left == 0.0 {
            0.0
        } else if right == 1.0 {
            1.0
        } else {
            0.5 * (left + right)
        };
        let terms: Vec<f64> = h
            .iter()
            .zip(&m)
            .map(|(&hi, &mi)| hi * (PI * mi * f).cos())
            .collect();
        let s = pairwise_sum(&terms);
        if !(s.is_finite() && s != 0.0) {
            return Err(invalid("firwin: the response to scale by is zero"));
        }
        for hi in &mut h {
            *hi /= s;
        }
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw(n: usize, c: &[f64], pz: PassZero) -> Result<Vec<f64>> {
        firwin(n, c, None, &Window::Hamming, pz, true, None)
    }

    #[test]
    fn errors() {
        assert!(fw(0, &[0.2], PassZero::True).is_err());
        assert!(fw(11, &[], PassZero::True).is_err());
        assert!(fw(11, &[0.0], PassZero::True).is_err());
        assert!(fw(11, &[1.0], PassZero::True).is_err());
        assert!(fw(11, &[f64::NAN], PassZero::True).is_err());
        assert!(fw(11, &[0.3, 0.2], PassZero::False).is_err());
        assert!(fw(11, &[0.3, 0.3], PassZero::False).is_err());
        assert!(fw(11, &[0.2, 0.3], PassZero::Lowpass).is_err());
        assert!(fw(11, &[0.2], PassZero::Bandpass).is_err());
        assert!(fw(12, &[0.2], PassZero::Highpass).is_err());
        assert!(fw(12, &[0.2, 0.4], PassZero::Bandstop).is_err());
        assert!(fw(12, &[0.2, 0.4], PassZero::Bandpass).is_ok());
        assert!(
            firwin(
                11,
                &[10.0],
                None,
                &Window::Hann,
                PassZero::True,
                true,
                Some(20.0)
            )
            .is_err()
        );
        assert!(
            firwin(
                11,
                &[0.2],
                Some(-0.1),
                &Window::Hann,
                PassZero::True,
                true,
                None
            )
            .is_err()
        );
        assert!(
            firwin(
                11,
                &[0.2],
                None,
                &Window::Hann,
                PassZero::True,
                true,
                Some(0.0)
            )
            .is_err()
        );
    }

    #[test]
    fn kaiser_width_matches_scipy() {
        // scipy.signal.firwin(11, 0.3, width=0.2)
        let h = firwin(
            11,
            &[0.3],
            Some(0.2),
            &Window::Hamming,
            PassZero::True,
            true,
            None,
        )
        .unwrap();
        let want = [
            -0.05696523500621622,
            -0.04401932605096324,
            0.03206377199422026,
            0.15207176781554754,
            0.262898895491987,
            0.3079002515108494,
            0.262898895491987,
            0.15207176781554754,
            0.03206377199422026,
            -0.04401932605096324,
            -0.05696523500621622,
        ];
        for (a, b) in h.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{a} {b}");
        }
    }

    #[test]
    fn passes_at_the_right_places() {
        let hp = fw(31, &[0.3], PassZero::False).unwrap();
        // response at Nyquist: Σ h[i]·cos(π·(i − 15))
        let nyq: f64 = hp
            .iter()
            .enumerate()
            .map(|(i, v)| if i % 2 == 1 { *v } else { -v })
            .sum();
        assert!((nyq - 1.0).abs() < 1e-14);
        assert!(hp.iter().sum::<f64>().abs() < 1e-2);
        let bs = fw(31, &[0.2, 0.4], PassZero::from(true)).unwrap();
        assert!((bs.iter().sum::<f64>() - 1.0).abs() < 1e-14);
    }
}
