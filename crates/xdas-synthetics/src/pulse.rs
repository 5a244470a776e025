//! The Gaussian-modulated sinusoid used as source wavelet (scipy's `gausspulse`).

use std::f64::consts::PI;

/// A Gaussian-modulated cosine `exp(-a t²) cos(2π fc t)`, as `scipy.signal.gausspulse`.
///
/// The envelope coefficient follows scipy: with `ref = 10^(bwr/20)`,
/// `a = -(π fc bw)² / (4 ln ref)`, so that the spectrum has fractional bandwidth `bw`
/// measured `bwr` dB below its peak.
///
/// ```
/// use xdas_synthetics::GaussPulse;
///
/// let p = GaussPulse::new(10.0);
/// assert_eq!(p.value(0.0), 1.0);
/// assert!((p.value(0.05) + p.envelope(0.05)).abs() < 1e-15); // half a period: cos = -1
/// assert!(p.envelope(0.5) < 1e-9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussPulse {
    /// Centre frequency, Hz.
    pub fc: f64,
    /// Envelope coefficient `a` of `exp(-a t²)`, s⁻².
    pub a: f64,
}

impl GaussPulse {
    /// scipy's defaults: fractional bandwidth `bw = 0.5` at `bwr = -6` dB.
    ///
    /// ```
    /// use xdas_synthetics::GaussPulse;
    /// assert_eq!(GaussPulse::new(10.0), GaussPulse::with_bandwidth(10.0, 0.5, -6.0));
    /// ```
    pub fn new(fc: f64) -> Self {
        Self::with_bandwidth(fc, 0.5, -6.0)
    }

    /// Explicit fractional bandwidth `bw` (> 0) measured at level `bwr` dB (< 0).
    ///
    /// ```
    /// use xdas_synthetics::GaussPulse;
    /// let narrow = GaussPulse::with_bandwidth(10.0, 0.25, -6.0);
    /// assert!(narrow.a < GaussPulse::new(10.0).a); // narrower band, longer pulse
    /// ```
    pub fn with_bandwidth(fc: f64, bw: f64, bwr: f64) -> Self {
        let reference = 10f64.powf(bwr / 20.0);
        let a = -(PI * fc * bw).powi(2) / (4.0 * reference.ln());
        Self { fc, a }
    }

    /// The envelope `exp(-a t²)` at time `t` (seconds).
    ///
    /// ```
    /// use xdas_synthetics::GaussPulse;
    /// assert_eq!(GaussPulse::new(10.0).envelope(0.0), 1.0);
    /// ```
    #[inline]
    pub fn envelope(&self, t: f64) -> f64 {
        (-self.a * t * t).exp()
    }

    /// The pulse `exp(-a t²) cos(2π fc t)` at time `t` (seconds).
    ///
    /// ```
    /// use xdas_synthetics::GaussPulse;
    /// let p = GaussPulse::new(10.0);
    /// assert_eq!(p.value(0.013), p.value(-0.013));
    /// ```
    #[inline]
    pub fn value(&self, t: f64) -> f64 {
        self.envelope(t) * (2.0 * PI * self.fc * t).cos()
    }

    /// The half-width beyond which the envelope is below `tol` (`0 < tol < 1`):
    /// `sqrt(-ln(tol) / a)` seconds.
    ///
    /// ```
    /// use xdas_synthetics::GaussPulse;
    /// let p = GaussPulse::new(10.0);
    /// let h = p.half_width(1e-6);
    /// assert!((p.envelope(h) - 1e-6).abs() < 1e-15);
    /// ```
    pub fn half_width(&self, tol: f64) -> f64 {
        (-tol.ln() / self.a).sqrt()
    }
}

/// `scipy.signal.gausspulse(t, fc)` with its default bandwidth: the in-phase part
/// `exp(-a t²) cos(2π fc t)`.
///
/// ```
/// use xdas_synthetics::gausspulse;
/// assert_eq!(gausspulse(0.0, 10.0), 1.0);
/// ```
pub fn gausspulse(t: f64, fc: f64) -> f64 {
    GaussPulse::new(fc).value(t)
}
