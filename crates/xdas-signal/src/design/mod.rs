//! Filter design, as `scipy.signal` does it: digital IIR filters (Butterworth,
//! Chebyshev I/II, elliptic, Bessel) in zeros/poles/gain, transfer-function and
//! second-order-section form, and FIR filters by the window method.
//!
//! The algorithms and their order of floating-point operations follow scipy 1.17, so
//! designs agree with scipy's to about 1e-13 (relative to the largest coefficient) and
//! second-order sections are paired and ordered exactly as scipy's `zpk2sos` does.
//!
//! ```
//! use xdas_signal::design::{BandType, FilterKind, iirfilter_sos};
//! // 4th-order Butterworth bandpass 1–10 Hz at 50 Hz sampling, as sections
//! let sos = iirfilter_sos(4, &[1.0, 10.0], BandType::Bandpass, FilterKind::Butter, Some(50.0)).unwrap();
//! assert_eq!(sos.len(), 4);
//! ```

mod cx;
mod elliptic;
mod fir;
mod iir;
mod proto;
mod sos;
mod transform;

pub use fir::{PassZero, firwin, kaiser_atten, kaiser_beta};
pub use iir::{iirfilter_ba, iirfilter_sos, iirfilter_zpk};
pub use proto::{BESSEL_MAX_ORDER, besselap, buttap, cheb1ap, cheb2ap, ellipap};
pub use sos::{zpk2sos, zpk2tf};
pub use transform::{bilinear_zpk, lp2bp_zpk, lp2bs_zpk, lp2hp_zpk, lp2lp_zpk};

use crate::error::{Result, invalid};
use num_complex::Complex64;

/// The band a filter passes.
///
/// ```
/// use xdas_signal::design::BandType;
/// assert_eq!(BandType::parse("bp").unwrap(), BandType::Bandpass);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BandType {
    /// Passes below the cutoff.
    Lowpass,
    /// Passes above the cutoff.
    Highpass,
    /// Passes between the two cutoffs.
    Bandpass,
    /// Stops between the two cutoffs.
    Bandstop,
}

impl BandType {
    /// From scipy's `btype` spellings (case-insensitive): `"lowpass"`/`"lp"`/`"low"`/`"l"`,
    /// `"highpass"`/`"hp"`/`"high"`/`"h"`, `"bandpass"`/`"bp"`/`"band"`/`"pass"`,
    /// `"bandstop"`/`"bs"`/`"stop"`/`"bands"`.
    ///
    /// ```
    /// use xdas_signal::design::BandType;
    /// assert_eq!(BandType::parse("high").unwrap(), BandType::Highpass);
    /// assert_eq!(BandType::parse("stop").unwrap(), BandType::Bandstop);
    /// assert!(BandType::parse("notch").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<BandType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lowpass" | "lp" | "low" | "l" => Ok(BandType::Lowpass),
            "highpass" | "hp" | "high" | "h" => Ok(BandType::Highpass),
            "bandpass" | "bp" | "band" | "pass" => Ok(BandType::Bandpass),
            "bandstop" | "bs" | "stop" | "bands" => Ok(BandType::Bandstop),
            _ => Err(invalid(format!(
                "'{s}' is an invalid band type for a filter"
            ))),
        }
    }
}

/// The IIR family and its ripple parameters (dB).
///
/// ```
/// use xdas_signal::design::FilterKind;
/// let k = FilterKind::Ellip { rp: 0.5, rs: 60.0 };
/// assert_ne!(k, FilterKind::Butter);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FilterKind {
    /// Butterworth: maximally flat passband.
    Butter,
    /// Chebyshev type I: `rp` dB of equiripple in the passband.
    Cheby1 { rp: f64 },
    /// Chebyshev type II: equiripple stopband at least `rs` dB down.
    Cheby2 { rs: f64 },
    /// Elliptic (Cauer): `rp` dB passband ripple, stopband at least `rs` dB down.
    Ellip { rp: f64, rs: f64 },
    /// Bessel–Thomson, phase-normalised (scipy's default `norm='phase'`).
    Bessel,
}

impl FilterKind {
    /// From scipy's `ftype` names (`"butter"`/`"butterworth"`, `"cheby1"`/`"chebyshev1"`/
    /// `"chebyshevi"`, `"cheby2"`/`"chebyshev2"`/`"chebyshevii"`, `"ellip"`/`"elliptic"`/
    /// `"cauer"`, `"bessel"`/`"bessel_phase"`) with the ripples the family needs.
    ///
    /// ```
    /// use xdas_signal::design::FilterKind;
    /// assert_eq!(FilterKind::parse("cheby1", Some(0.05), None).unwrap(), FilterKind::Cheby1 { rp: 0.05 });
    /// assert!(FilterKind::parse("ellip", Some(1.0), None).is_err());
    /// ```
    pub fn parse(ftype: &str, rp: Option<f64>, rs: Option<f64>) -> Result<FilterKind> {
        let need = |v: Option<f64>, what: &str| {
            v.ok_or_else(|| invalid(format!("{what} must be provided for a '{ftype}' filter")))
        };
        match ftype.trim().to_ascii_lowercase().as_str() {
            "butter" | "butterworth" => Ok(FilterKind::Butter),
            "cheby1" | "chebyshev1" | "chebyshevi" => Ok(FilterKind::Cheby1 {
                rp: need(rp, "passband ripple (rp)")?,
            }),
            "cheby2" | "chebyshev2" | "chebyshevii" => Ok(FilterKind::Cheby2 {
                rs: need(rs, "stopband attenuation (rs)")?,
            }),
            "ellip" | "elliptic" | "cauer" => Ok(FilterKind::Ellip {
                rp: need(rp, "passband ripple (rp)")?,
                rs: need(rs, "stopband attenuation (rs)")?,
            }),
            "bessel" | "bessel_phase" => Ok(FilterKind::Bessel),
            _ => Err(invalid(format!(
                "'{ftype}' is not a supported IIR filter type"
            ))),
        }
    }
}

/// Zeros, poles and gain of a transfer function `k·Π(s − z)/Π(s − p)`.
///
/// ```
/// use xdas_signal::design::{BandType, FilterKind, iirfilter_zpk};
/// let zpk = iirfilter_zpk(2, &[0.2], BandType::Lowpass, FilterKind::Butter, None).unwrap();
/// assert_eq!(zpk.z.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Zpk {
    /// Zeros.
    pub z: Vec<Complex64>,
    /// Poles.
    pub p: Vec<Complex64>,
    /// Gain.
    pub k: f64,
}

/// Transfer-function coefficients, highest power first (`b` numerator, `a`
/// denominator), as `lfilter` takes them.
///
/// ```
/// use xdas_signal::design::{BandType, FilterKind, iirfilter_ba};
/// let ba = iirfilter_ba(3, &[0.2], BandType::Lowpass, FilterKind::Butter, None).unwrap();
/// assert_eq!((ba.b.len(), ba.a.len()), (4, 4));
/// assert_eq!(ba.a[0], 1.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ba {
    /// Numerator.
    pub b: Vec<f64>,
    /// Denominator.
    pub a: Vec<f64>,
}

/// Second-order sections, one row `[b0, b1, b2, a0, a1, a2]` per section, as scipy's
/// `sos` arrays.
///
/// ```
/// use xdas_signal::design::{BandType, FilterKind, Sos, iirfilter_sos};
/// let sos: Sos = iirfilter_sos(5, &[0.2], BandType::Lowpass, FilterKind::Butter, None).unwrap();
/// assert_eq!(sos.len(), 3);
/// ```
pub type Sos = Vec<[f64; 6]>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors() {
        assert!(BandType::parse("").is_err());
        assert!(FilterKind::parse("cheby1", None, Some(3.0)).is_err());
        assert!(FilterKind::parse("cheby2", Some(1.0), None).is_err());
        assert!(FilterKind::parse("bessel_delay", None, None).is_err());
        assert_eq!(
            FilterKind::parse("Elliptic", Some(1.0), Some(40.0)).unwrap(),
            FilterKind::Ellip { rp: 1.0, rs: 40.0 }
        );
    }

    /// Families without golden cases (cheby2, ellip, bessel) against scipy 1.17 values.
    #[test]
    fn other_families_match_scipy() {
        fn close(what: &str, got: &[f64], want: &[f64]) {
            assert_eq!(got.len(), want.len(), "{what}");
            let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() <= 1e-13 * scale, "{what}: {g} vs {w}");
            }
        }
        #[allow(clippy::too_many_arguments)]
        fn check(
            order: usize,
            kind: FilterKind,
            wn: &[f64],
            btype: BandType,
            fs: Option<f64>,
            sos: &[[f64; 6]],
            b: &[f64],
            a: &[f64],
        ) {
            let got = iirfilter_sos(order, wn, btype, kind, fs).unwrap();
            close("sos", &got.concat(), &sos.concat());
            let ba = iirfilter_ba(order, wn, btype, kind, fs).unwrap();
            close("b", &ba.b, b);
            close("a", &ba.a, a);
        }
        // scipy.signal.iirfilter(N=4, Wn=[0.05, 0.3], rp=0.5, rs=40, btype='bandpass', ftype='ellip')
        check(
            4,
            FilterKind::Ellip { rp: 0.5, rs: 40.0 },
            &[0.05, 0.3],
            BandType::Bandpass,
            None,
            &[
                [
                    0.028687877551003476,
                    0.027547821382443435,
                    0.028687877551003476,
                    1.0,
                    -1.2411188425157802,
                    0.5847699956656212,
                ],
                [
                    1.0,
                    -1.997742073876473,
                    0.9999999999999998,
                    1.0,
                    -1.7777691100422384,
                    0.8254148157244071,
                ],
                [
                    1.0,
                    -0.4447161464304417,
                    1.0,
                    1.0,
                    -1.0648384818853576,
                    0.8512996273984681,
                ],
                [
                    1.0,
                    -1.9899148475277617,
                    1.0,
                    1.0,
                    -1.9469427094904397,
                    0.9702993994090738,
                ],
            ],
            &[
                0.028687877551003476,
                -0.0996075544479634,
                0.1575676355300404,
                -0.19117536592931597,
                0.20905782226213795,
                -0.191175365929316,
                0.15756763553004044,
                -0.0996075544479634,
                0.028687877551003473,
            ],
            &[
                1.0,
                -6.0306691439338165,
                16.603616051790297,
                -27.40499828836711,
                29.733719222223076,
                -21.717286809883248,
                10.420850200765317,
                -3.0036298332716793,
                0.39869936764385716,
            ],
        );
        // scipy.signal.iirfilter(N=5, Wn=0.05, rs=40, btype='highpass', ftype='cheby2')
        check(
            5,
            FilterKind::Cheby2 { rs: 40.0 },
            &[0.05],
            BandType::Highpass,
            None,
            &[
                [
                    0.7245512806716914,
                    -0.7245512806716914,
                    0.0,
                    1.0,
                    -0.8183398673814603,
                    0.0,
                ],
                [
                    1.0,
                    -1.9914584382619693,
                    1.0,
                    1.0,
                    -1.6832591350912385,
                    0.7245648479728838,
                ],
                [
                    1.0,
                    -1.977714899069485,
                    0.9999999999999999,
                    1.0,
                    -1.8275156957325664,
                    0.8853750651167565,
                ],
            ],
            &[
                0.7245512806716914,
                -3.600420905443128,
                7.178644230992338,
                -7.178644230992338,
                3.6004209054431278,
                -0.7245512806716913,
            ],
            &[
                1.0,
                -4.329114698205265,
                7.559129411916625,
                -6.649310083943888,
                2.9447040820096144,
                -0.5249745581389158,
            ],
        );
        // scipy.signal.iirfilter(N=6, Wn=10.0, btype='lowpass', ftype='bessel', fs=50.0)
        check(
            6,
            FilterKind::Bessel,
            &[10.0],
            BandType::Lowpass,
            Some(50.0),
            &[
                [
                    0.008197858214138161,
                    0.016395716428276322,
                    0.008197858214138161,
                    1.0,
                    -0.3928144350762338,
                    0.04802290911624173,
                ],
                [1.0, 2.0, 1.0, 1.0, -0.3717725907072314, 0.12841617172245273],
                [1.0, 2.0, 1.0, 1.0, -0.2959808201903968, 0.35428258156038617],
            ],
            &[
                0.008197858214138161,
                0.049187149284828965,
                0.12296787321207242,
                0.16395716428276322,
                0.12296787321207242,
                0.049187149284828965,
                0.008197858214138161,
            ],
            &[
                1.0,
                -1.060567845973862,
                0.9030623975928957,
                -0.434624116991402,
                0.14062950231150256,
                -0.026021842914507678,
                0.002184831680215611,
            ],
        );
        // scipy.signal.iirfilter(N=3, Wn=[0.1, 0.6], rp=1.0, rs=80, btype='bandstop', ftype='ellip')
        check(
            3,
            FilterKind::Ellip { rp: 1.0, rs: 80.0 },
            &[0.1, 0.6],
            BandType::Bandstop,
            None,
            &[
                [
                    0.1333881921071983,
                    -0.15367549627109525,
                    0.13338819210719827,
                    1.0,
                    0.5093717637726153,
                    0.6831952018839389,
                ],
                [
                    1.0,
                    -1.2840790438404126,
                    1.0000000000000002,
                    1.0,
                    -0.425457513796693,
                    -0.3373343863252558,
                ],
                [
                    1.0,
                    -1.3994350531495527,
                    1.0000000000000002,
                    1.0,
                    -1.790743915498858,
                    0.8842432863606066,
                ],
            ],
            &[
                0.1333881921071983,
                -0.5116245901627674,
                1.0522515473284408,
                -1.2994017765638624,
                1.0522515473284408,
                -0.5116245901627676,
                0.13338819210719832,
            ],
            &[
                1.0,
                -1.7068296655229358,
                0.8631191251383235,
                -0.6195637447097165,
                0.7119476897854259,
                0.003742453343254737,
                -0.20378733605247099,
            ],
        );
    }
}
