//! Discrete Fourier transforms, the analytic signal and the short-time Fourier transform
//! (`numpy.fft`, `scipy.signal.hilbert`, `scipy.signal.stft`).
//!
//! All transforms run along one axis of an N-d array, lane by lane in parallel, with
//! `rustfft`/`realfft` plans (in `T`'s precision). Lengths follow numpy: `n` zero-pads or
//! truncates the input; [`Norm`] places the `1/n` factor.
//!
//! The frequency ordering is numpy's (`fftfreq` order: zero, positive, then negative
//! frequencies); xdas's `fft`/`ifft` add an [`fftshift_axis`]/[`ifftshift_axis`], which is
//! the caller's business.

use crate::axis::check_input;
use crate::axis::map_lanes;
use crate::error::{Result, SignalError, invalid};
use crate::float::Real;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, concatenate};
use num_complex::Complex;
use rayon::prelude::*;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};
use std::any::{Any, TypeId};
use std::sync::Arc;

/// Where the `1/n` factor of a transform pair goes (numpy's `norm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Norm {
    /// Forward unscaled, inverse scaled by `1/n` (numpy's default, `norm=None`).
    #[default]
    Backward,
    /// Both scaled by `1/√n`.
    Ortho,
    /// Forward scaled by `1/n`, inverse unscaled.
    Forward,
}

impl Norm {
    /// From numpy's name (`"backward"`, `"ortho"`, `"forward"`).
    ///
    /// ```
    /// use xdas_signal::spectral::Norm;
    /// assert_eq!(Norm::parse("ortho").unwrap(), Norm::Ortho);
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "backward" => Ok(Norm::Backward),
            "ortho" => Ok(Norm::Ortho),
            "forward" => Ok(Norm::Forward),
            _ => Err(invalid(format!(
                "unknown norm {name:?} (backward, ortho, forward)"
            ))),
        }
    }

    /// The factor of a transform of length `n`, forward or inverse.
    fn factor(self, n: usize, inverse: bool) -> Option<f64> {
        match (self, inverse) {
            (Norm::Ortho, _) => Some(1.0 / (n as f64).sqrt()),
            (Norm::Backward, true) | (Norm::Forward, false) => Some(1.0 / n as f64),
            _ => None,
        }
    }
}

/// How [`stft`] scales its segments (scipy's `scaling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Scaling {
    /// By `1/Σw`: a sinusoid of amplitude `A` at a bin frequency gives `A/2` (one-sided).
    #[default]
    Spectrum,
    /// By `√(1/(fs·Σw²))`: power spectral density units.
    Psd,
}

impl Scaling {
    /// From scipy's name (`"spectrum"`, `"psd"`).
    ///
    /// ```
    /// use xdas_signal::spectral::Scaling;
    /// assert_eq!(Scaling::parse("psd").unwrap(), Scaling::Psd);
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "spectrum" => Ok(Scaling::Spectrum),
            "psd" => Ok(Scaling::Psd),
            _ => Err(invalid(format!(
                "scaling must be 'spectrum' or 'psd', got {name:?}"
            ))),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Plans for T = f32 or f64. `Real` does not imply rustfft's `FftNum`, so the plans are
// concrete and buffers are reached through `Any` (a checked, safe downcast).

fn unsupported() -> SignalError {
    invalid("FFTs support f32 and f64 only")
}

/// A complex FFT of one length and direction.
enum CPlan {
    F32(Arc<dyn Fft<f32>>),
    F64(Arc<dyn Fft<f64>>),
}

impl CPlan {
    fn new<T: Real>(n: usize, inverse: bool) -> Result<Self> {
        let t = TypeId::of::<T>();
        if t == TypeId::of::<f64>() {
            let mut p = FftPlanner::<f64>::new();
            Ok(CPlan::F64(if inverse {
                p.plan_fft_inverse(n)
            } else {
                p.plan_fft_forward(n)
            }))
        } else if t == TypeId::of::<f32>() {
            let mut p = FftPlanner::<f32>::new();
            Ok(CPlan::F32(if inverse {
                p.plan_fft_inverse(n)
            } else {
                p.plan_fft_forward(n)
            }))
        } else {
            Err(unsupported())
        }
    }

    /// Transform `buf` in place (its length is the plan's).
    // `Vec`s, not slices: the element type is recovered by downcasting them (`Any`)
    #[allow(clippy::ptr_arg)]
    fn process<T: Real>(&self, buf: &mut Vec<Complex<T>>, scratch: &mut Vec<Complex<T>>) {
        fn go<F: rustfft::FftNum>(p: &dyn Fft<F>, b: &mut dyn Any, s: &mut dyn Any) {
            let b = b.downcast_mut::<Vec<Complex<F>>>().expect("plan type");
            let s = s.downcast_mut::<Vec<Complex<F>>>().expect("plan type");
            s.resize(
                p.get_inplace_scratch_len(),
                Complex::new(F::zero(), F::zero()),
            );
            p.process_with_scratch(b, s);
        }
        match self {
            CPlan::F32(p) => go(p.as_ref(), buf, scratch),
            CPlan::F64(p) => go(p.as_ref(), buf, scratch),
        }
    }
}

/// A real-to-complex FFT of length `n` (`n/2 + 1` outputs).
enum RPlan {
    F32(Arc<dyn RealToComplex<f32>>),
    F64(Arc<dyn RealToComplex<f64>>),
}

impl RPlan {
    fn new<T: Real>(n: usize) -> Result<Self> {
        let t = TypeId::of::<T>();
        if t == TypeId::of::<f64>() {
            Ok(RPlan::F64(RealFftPlanner::<f64>::new().plan_fft_forward(n)))
        } else if t == TypeId::of::<f32>() {
            Ok(RPlan::F32(RealFftPlanner::<f32>::new().plan_fft_forward(n)))
        } else {
            Err(unsupported())
        }
    }

    /// `input` (length `n`, overwritten) → `output` (length `n/2 + 1`).
    // `Vec`s, not slices: the element type is recovered by downcasting them (`Any`)
    #[allow(clippy::ptr_arg)]
    fn process<T: Real>(&self, input: &mut Vec<T>, output: &mut Vec<Complex<T>>) {
        fn go<F: rustfft::FftNum>(p: &dyn RealToComplex<F>, i: &mut dyn Any, o: &mut dyn Any) {
            let i = i.downcast_mut::<Vec<F>>().expect("plan type");
            let o = o.downcast_mut::<Vec<Complex<F>>>().expect("plan type");
            let mut s = p.make_scratch_vec();
            p.process_with_scratch(i, o, &mut s)
                .expect("buffer lengths match the plan");
        }
        match self {
            RPlan::F32(p) => go(p.as_ref(), input, output),
            RPlan::F64(p) => go(p.as_ref(), input, output),
        }
    }
}

/// A complex-to-real inverse FFT of length `n` (`n/2 + 1` inputs).
enum IPlan {
    F32(Arc<dyn ComplexToReal<f32>>),
    F64(Arc<dyn ComplexToReal<f64>>),
}

impl IPlan {
    fn new<T: Real>(n: usize) -> Result<Self> {
        let t = TypeId::of::<T>();
        if t == TypeId::of::<f64>() {
            Ok(IPlan::F64(RealFftPlanner::<f64>::new().plan_fft_inverse(n)))
        } else if t == TypeId::of::<f32>() {
            Ok(IPlan::F32(RealFftPlanner::<f32>::new().plan_fft_inverse(n)))
        } else {
            Err(unsupported())
        }
    }

    /// `input` (length `n/2 + 1`, overwritten; the imaginary parts of the zero and, for
    /// even `n`, Nyquist bins are ignored) → `output` (length `n`, unscaled).
    // `Vec`s, not slices: the element type is recovered by downcasting them (`Any`)
    #[allow(clippy::ptr_arg)]
    fn process<T: Real>(&self, input: &mut Vec<Complex<T>>, output: &mut Vec<T>) {
        fn go<F: rustfft::FftNum>(p: &dyn ComplexToReal<F>, i: &mut dyn Any, o: &mut dyn Any) {
            let i = i.downcast_mut::<Vec<Complex<F>>>().expect("plan type");
            let o = o.downcast_mut::<Vec<F>>().expect("plan type");
            let n = o.len();
            i[0].im = F::zero();
            if n % 2 == 0 {
                i[n / 2].im = F::zero();
            }
            let mut s = p.make_scratch_vec();
            p.process_with_scratch(i, o, &mut s)
                .expect("buffer lengths match the plan");
        }
        match self {
            IPlan::F32(p) => go(p.as_ref(), input, output),
            IPlan::F64(p) => go(p.as_ref(), input, output),
        }
    }
}

/// Check a transform length.
fn check_n(n: usize, what: &str) -> Result<usize> {
    if n == 0 {
        return Err(invalid(format!(
            "{what}: invalid number of data points (0)"
        )));
    }
    Ok(n)
}

/// Multiply complex values by an optional real factor.
fn scale_c<T: Real>(v: &mut [Complex<T>], f: Option<f64>) {
    if let Some(f) = f {
        let f = T::of(f);
        for c in v {
            *c = Complex::new(c.re * f, c.im * f);
        }
    }
}

fn c_transform<T: Real>(
    x: ArrayViewD<'_, Complex<T>>,
    n: Option<usize>,
    axis: usize,
    norm: Norm,
    inverse: bool,
    what: &str,
) -> Result<ArrayD<Complex<T>>> {
    check_input(&x, axis, what)?;
    let n = check_n(n.unwrap_or(x.shape()[axis]), what)?;
    let plan = CPlan::new::<T>(n, inverse)?;
    let f = norm.factor(n, inverse);
    map_lanes(x, axis, n, |lane: &[Complex<T>], out: &mut [Complex<T>]| {
        let mut buf = vec![Complex::new(T::zero(), T::zero()); n];
        let m = lane.len().min(n);
        buf[..m].copy_from_slice(&lane[..m]);
        plan.process(&mut buf, &mut Vec::new());
        scale_c(&mut buf, f);
        out.copy_from_slice(&buf);
    })
}

/// Discrete Fourier transform along `axis` (`numpy.fft.fft`): `n` points (default: the
/// axis length; the input is zero-padded or truncated).
///
/// ```
/// use ndarray::array;
/// use num_complex::Complex64;
/// use xdas_signal::spectral::{fft, Norm};
/// let x = array![1.0, 2.0, 3.0, 4.0].mapv(|v| Complex64::new(v, 0.0)).into_dyn();
/// let y = fft(x.view(), None, 0, Norm::Backward).unwrap();
/// assert_eq!(y[[0]], Complex64::new(10.0, 0.0));
/// assert_eq!(y[[2]], Complex64::new(-2.0, 0.0));
/// ```
pub fn fft<T: Real>(
    x: ArrayViewD<'_, Complex<T>>,
    n: Option<usize>,
    axis: usize,
    norm: Norm,
) -> Result<ArrayD<Complex<T>>> {
    c_transform(x, n, axis, norm, false, "fft")
}

/// Inverse discrete Fourier transform along `axis` (`numpy.fft.ifft`).
///
/// ```
/// use ndarray::array;
/// use num_complex::Complex64;
/// use xdas_signal::spectral::{fft, ifft, Norm};
/// let x = array![1.0, -2.0, 3.5].mapv(|v| Complex64::new(v, 1.0)).into_dyn();
/// let y = ifft(fft(x.view(), None, 0, Norm::Ortho).unwrap().view(), None, 0, Norm::Ortho).unwrap();
/// assert!((y[[1]] - x[[1]]).norm() < 1e-14);
/// ```
pub fn ifft<T: Real>(
    x: ArrayViewD<'_, Complex<T>>,
    n: Option<usize>,
    axis: usize,
    norm: Norm,
) -> Result<ArrayD<Complex<T>>> {
    c_transform(x, n, axis, norm, true, "ifft")
}

/// Discrete Fourier transform of real input along `axis` (`numpy.fft.rfft`): `n` points
/// (default: the axis length), `n/2 + 1` non-negative frequencies out.
///
/// ```
/// use ndarray::array;
/// use num_complex::Complex64;
/// use xdas_signal::spectral::{rfft, Norm};
/// let x = array![1.0, 2.0, 3.0, 4.0].into_dyn();
/// let y = rfft(x.view(), None, 0, Norm::Backward).unwrap();
/// assert_eq!(y.len(), 3);
/// assert_eq!(y[[2]], Complex64::new(-2.0, 0.0));
/// ```
pub fn rfft<T: Real>(
    x: ArrayViewD<'_, T>,
    n: Option<usize>,
    axis: usize,
    norm: Norm,
) -> Result<ArrayD<Complex<T>>> {
    check_input(&x, axis, "rfft")?;
    let n = check_n(n.unwrap_or(x.shape()[axis]), "rfft")?;
    let plan = RPlan::new::<T>(n)?;
    let f = norm.factor(n, false);
    map_lanes(x, axis, n / 2 + 1, |lane: &[T], out: &mut [Complex<T>]| {
        let mut buf = vec![T::zero(); n];
        let m = lane.len().min(n);
        buf[..m].copy_from_slice(&lane[..m]);
        let mut spec = vec![Complex::new(T::zero(), T::zero()); n / 2 + 1];
        plan.process(&mut buf, &mut spec);
        scale_c(&mut spec, f);
        out.copy_from_slice(&spec);
    })
}

/// Inverse of [`rfft`] along `axis` (`numpy.fft.irfft`): `n` real points out (default
/// `2(m − 1)` for `m` input frequencies); the input is truncated or zero-padded to
/// `n/2 + 1` frequencies, and the imaginary parts of the zero and Nyquist bins are
/// ignored.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::spectral::{irfft, rfft, Norm};
/// let x = array![1.0f64, 2.0, 3.0, 4.0, 5.0].into_dyn();
/// let y = irfft(rfft(x.view(), None, 0, Norm::Backward).unwrap().view(), Some(5), 0, Norm::Backward).unwrap();
/// assert!((&y - &x).iter().all(|d| d.abs() < 1e-14));
/// ```
pub fn irfft<T: Real>(
    x: ArrayViewD<'_, Complex<T>>,
    n: Option<usize>,
    axis: usize,
    norm: Norm,
) -> Result<ArrayD<T>> {
    check_input(&x, axis, "irfft")?;
    let m = x.shape()[axis];
    let n = check_n(n.unwrap_or(2 * (m - 1)), "irfft")?;
    let plan = IPlan::new::<T>(n)?;
    let f = norm.factor(n, true).map(T::of);
    map_lanes(x, axis, n, |lane: &[Complex<T>], out: &mut [T]| {
        let h = n / 2 + 1;
        let mut spec = vec![Complex::new(T::zero(), T::zero()); h];
        let k = lane.len().min(h);
        spec[..k].copy_from_slice(&lane[..k]);
        let mut buf = vec![T::zero(); n];
        plan.process(&mut spec, &mut buf);
        match f {
            Some(f) => {
                for (o, v) in out.iter_mut().zip(&buf) {
                    *o = *v * f;
                }
            }
            None => out.copy_from_slice(&buf),
        }
    })
}

/// The sample frequencies of an `n`-point DFT with sample spacing `d`
/// (`numpy.fft.fftfreq`): `[0, 1, …, ⌈n/2⌉−1, −⌊n/2⌋, …, −1] / (n·d)`.
///
/// ```
/// use xdas_signal::spectral::fftfreq;
/// assert_eq!(fftfreq(4, 0.5), vec![0.0, 0.5, -1.0, -0.5]);
/// ```
pub fn fftfreq(n: usize, d: f64) -> Vec<f64> {
    let val = 1.0 / (n as f64 * d);
    let pos = (n.saturating_sub(1)) / 2 + 1;
    (0..n)
        .map(|i| {
            let k = if i < pos {
                i as f64
            } else {
                i as f64 - n as f64
            };
            k * val
        })
        .collect()
}

/// The sample frequencies of an `n`-point [`rfft`] (`numpy.fft.rfftfreq`):
/// `[0, 1, …, ⌊n/2⌋] / (n·d)`.
///
/// ```
/// use xdas_signal::spectral::rfftfreq;
/// assert_eq!(rfftfreq(5, 0.1), vec![0.0, 2.0, 4.0]);
/// ```
pub fn rfftfreq(n: usize, d: f64) -> Vec<f64> {
    let val = 1.0 / (n as f64 * d);
    (0..n / 2 + 1).map(|i| i as f64 * val).collect()
}

/// Move the zero frequency to the centre (`numpy.fft.fftshift`: roll by `n/2`).
///
/// ```
/// use xdas_signal::spectral::{fftfreq, fftshift};
/// assert_eq!(fftshift(&fftfreq(5, 1.0)), vec![-0.4, -0.2, 0.0, 0.2, 0.4]);
/// ```
pub fn fftshift<A: Clone>(v: &[A]) -> Vec<A> {
    let n = v.len();
    let s = n - n / 2;
    v[s..].iter().chain(&v[..s]).cloned().collect()
}

/// The inverse of [`fftshift`] (`numpy.fft.ifftshift`: roll by `−(n/2)`).
///
/// ```
/// use xdas_signal::spectral::{fftshift, ifftshift};
/// let v = vec![1, 2, 3, 4, 5];
/// assert_eq!(ifftshift(&fftshift(&v)), v);
/// ```
pub fn ifftshift<A: Clone>(v: &[A]) -> Vec<A> {
    let s = v.len() / 2;
    v[s..].iter().chain(&v[..s]).cloned().collect()
}

/// Roll `x` along `axis` so that index `s` comes first.
fn roll_to_front<A: Clone>(x: ArrayViewD<'_, A>, axis: usize, s: usize) -> Result<ArrayD<A>> {
    crate::axis::check_axis(axis, x.ndim())?;
    let (a, b) = x.split_at(Axis(axis), s);
    concatenate(Axis(axis), &[b, a]).map_err(|e| SignalError::Shape(e.to_string()))
}

/// [`fftshift`] along one axis of an array.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::spectral::fftshift_axis;
/// let x = array![[0, 1, 2, 3]].into_dyn();
/// assert_eq!(fftshift_axis(x.view(), 1).unwrap(), array![[2, 3, 0, 1]].into_dyn());
/// ```
pub fn fftshift_axis<A: Clone>(x: ArrayViewD<'_, A>, axis: usize) -> Result<ArrayD<A>> {
    crate::axis::check_axis(axis, x.ndim())?;
    let n = x.shape()[axis];
    roll_to_front(x, axis, n - n / 2)
}

/// [`ifftshift`] along one axis of an array.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::spectral::{fftshift_axis, ifftshift_axis};
/// let x = array![[0, 1, 2, 3, 4]].into_dyn();
/// let y = fftshift_axis(x.view(), 1).unwrap();
/// assert_eq!(ifftshift_axis(y.view(), 1).unwrap(), x);
/// ```
pub fn ifftshift_axis<A: Clone>(x: ArrayViewD<'_, A>, axis: usize) -> Result<ArrayD<A>> {
    crate::axis::check_axis(axis, x.ndim())?;
    let n = x.shape()[axis];
    roll_to_front(x, axis, n / 2)
}

/// The analytic signal `x + i·H(x)` along `axis`, as `scipy.signal.hilbert`: an `n`-point
/// FFT (default: the axis length; zero-padded or truncated), the negative frequencies
/// zeroed and the positive ones doubled, then the inverse FFT. The output has `n` samples
/// along `axis`.
///
/// ```
/// use ndarray::Array1;
/// use xdas_signal::spectral::hilbert;
/// let n = 64;
/// let x = Array1::from_shape_fn(n, |i| (2.0 * std::f64::consts::PI * 4.0 * i as f64 / n as f64).cos());
/// let z = hilbert(x.into_dyn().view(), None, 0).unwrap();
/// // the envelope of a cosine is 1, its Hilbert transform the sine
/// assert!(z.iter().all(|c| (c.norm() - 1.0).abs() < 1e-12));
/// ```
pub fn hilbert<T: Real>(
    x: ArrayViewD<'_, T>,
    n: Option<usize>,
    axis: usize,
) -> Result<ArrayD<Complex<T>>> {
    check_input(&x, axis, "hilbert")?;
    let n = check_n(n.unwrap_or(x.shape()[axis]), "hilbert")?;
    let fwd = RPlan::new::<T>(n)?;
    let inv = CPlan::new::<T>(n, true)?;
    let f = T::of(1.0 / n as f64);
    let two = T::of(2.0);
    map_lanes(x, axis, n, |lane: &[T], out: &mut [Complex<T>]| {
        let mut buf = vec![T::zero(); n];
        let m = lane.len().min(n);
        buf[..m].copy_from_slice(&lane[..m]);
        let mut half = vec![Complex::new(T::zero(), T::zero()); n / 2 + 1];
        fwd.process(&mut buf, &mut half);
        let mut full = vec![Complex::new(T::zero(), T::zero()); n];
        full[0] = half[0];
        for k in 1..n.div_ceil(2) {
            full[k] = Complex::new(half[k].re * two, half[k].im * two);
        }
        if n % 2 == 0 {
            full[n / 2] = half[n / 2];
        }
        inv.process(&mut full, &mut Vec::new());
        for (o, v) in out.iter_mut().zip(&full) {
            *o = Complex::new(v.re * f, v.im * f);
        }
    })
}

/// The result of [`stft`].
#[derive(Debug, Clone)]
pub struct Stft<T> {
    /// The transform: the input's shape with the `axis` replaced by the segments, and a
    /// new last axis of frequencies.
    pub data: ArrayD<Complex<T>>,
    /// The frequencies (Hz when `fs` is in Hz): `rfftfreq(nfft, 1/fs)` one-sided,
    /// `fftfreq(nfft, 1/fs)` two-sided (numpy order, not shifted).
    pub freqs: Vec<f64>,
    /// The segment centres, `(nperseg/2 + k·(nperseg − noverlap)) / fs`.
    pub times: Vec<f64>,
}

/// Short-time Fourier transform of real `x` along `axis`, as `scipy.signal.stft(x, fs,
/// window, nperseg, noverlap, nfft, detrend=False, return_onesided, boundary=None,
/// padded=False, axis, scaling)`.
///
/// Segments of `nperseg = window.len()` samples start every `nperseg − noverlap` samples
/// (complete segments only); each is multiplied by `window`, transformed with an
/// `nfft`-point FFT (zero-padded; an `rfft` when `return_onesided`, else a full FFT in
/// numpy order) and scaled by `1/Σw` ([`Scaling::Spectrum`]) or `√(1/(fs·Σw²))`
/// ([`Scaling::Psd`]).
///
/// Output layout (xdas's): the input's shape with `axis` replaced by the segment axis,
/// plus a **last** axis of frequencies; e.g. `(time, channel)` along time gives
/// `(segment, channel, frequency)`. Defaults as scipy: `noverlap = nperseg / 2`,
/// `nfft = nperseg`. xdas's two-sided output is [`fftshift_axis`]ed on the last axis.
///
/// ```
/// use ndarray::Array2;
/// use xdas_signal::spectral::{stft, Scaling};
/// let x = Array2::<f64>::ones((100, 3)); // (time, channel)
/// let w = vec![1.0; 16];
/// let s = stft(x.view().into_dyn(), &w, 16, Some(8), None, true, Scaling::Spectrum, 10.0, 0).unwrap();
/// assert_eq!(s.data.shape(), &[11, 3, 9]);
/// assert_eq!(s.freqs.len(), 9);
/// assert_eq!(s.times[0], 0.8);
/// assert!((s.data[[0, 0, 0]].re - 1.0).abs() < 1e-12); // the mean of a constant
/// ```
#[allow(clippy::too_many_arguments)]
pub fn stft<T: Real>(
    x: ArrayViewD<'_, T>,
    window: &[f64],
    nperseg: usize,
    noverlap: Option<usize>,
    nfft: Option<usize>,
    return_onesided: bool,
    scaling: Scaling,
    fs: f64,
    axis: usize,
) -> Result<Stft<T>> {
    check_input(&x, axis, "stft")?;
    if nperseg == 0 {
        return Err(invalid("stft: nperseg must be positive"));
    }
    if window.len() != nperseg {
        return Err(invalid(format!(
            "stft: the window has {} samples, nperseg is {nperseg}",
            window.len()
        )));
    }
    let noverlap = noverlap.unwrap_or(nperseg / 2);
    if noverlap >= nperseg {
        return Err(invalid("stft: noverlap must be less than nperseg"));
    }
    let nfft = nfft.unwrap_or(nperseg);
    if nfft < nperseg {
        return Err(invalid(
            "stft: nfft must be greater than or equal to nperseg",
        ));
    }
    if !(fs.is_finite() && fs > 0.0) {
        return Err(invalid("stft: fs must be finite and positive"));
    }
    if window.iter().any(|w| !w.is_finite()) {
        return Err(invalid("stft: the window has non-finite values"));
    }
    let len = x.shape()[axis];
    if len < nperseg {
        return Err(invalid(format!(
            "stft: nperseg ({nperseg}) is longer than the input ({len})"
        )));
    }
    let step = nperseg - noverlap;
    let nseg = (len - nperseg) / step + 1;
    let nfreq = if return_onesided { nfft / 2 + 1 } else { nfft };
    let scale = match scaling {
        Scaling::Spectrum => {
            let s: f64 = window.iter().sum();
            (1.0 / (s * s)).sqrt()
        }
        Scaling::Psd => {
            let s: f64 = window.iter().map(|w| w * w).sum();
            (1.0 / (fs * s)).sqrt()
        }
    };
    if !scale.is_finite() {
        return Err(invalid("stft: the window sums to zero"));
    }
    let scale = T::of(scale);
    let win: Vec<T> = window.iter().map(|&w| T::of(w)).collect();
    let rplan = if return_onesided {
        Some(RPlan::new::<T>(nfft)?)
    } else {
        None
    };
    let cplan = if return_onesided {
        None
    } else {
        Some(CPlan::new::<T>(nfft, false)?)
    };

    // lane-major result (other axes..., segment, frequency), then moved into place
    let lanes: Vec<_> = x.lanes(Axis(axis)).into_iter().collect();
    let mut buf = vec![Complex::new(T::zero(), T::zero()); lanes.len() * nseg * nfreq];
    buf.par_chunks_mut(nseg * nfreq)
        .zip(lanes.par_iter())
        .for_each(|(out, lane)| {
            let lane: Vec<T> = lane.iter().copied().collect();
            let mut seg = vec![T::zero(); nfft];
            let mut cseg = vec![Complex::new(T::zero(), T::zero()); nfft];
            let mut spec = vec![Complex::new(T::zero(), T::zero()); nfft / 2 + 1];
            let mut scratch = Vec::new();
            for (k, o) in out.chunks_mut(nfreq).enumerate() {
                let src = &lane[k * step..k * step + nperseg];
                if let Some(p) = &rplan {
                    seg.fill(T::zero());
                    for ((s, &v), &w) in seg.iter_mut().zip(src).zip(&win) {
                        *s = w * v;
                    }
                    p.process(&mut seg, &mut spec);
                    for (o, c) in o.iter_mut().zip(&spec) {
                        *o = Complex::new(c.re * scale, c.im * scale);
                    }
                } else if let Some(p) = &cplan {
                    cseg.fill(Complex::new(T::zero(), T::zero()));
                    for ((s, &v), &w) in cseg.iter_mut().zip(src).zip(&win) {
                        *s = Complex::new(w * v, T::zero());
                    }
                    p.process(&mut cseg, &mut scratch);
                    for (o, c) in o.iter_mut().zip(&cseg) {
                        *o = Complex::new(c.re * scale, c.im * scale);
                    }
                }
            }
        });
    let nd = x.ndim();
    let mut lane_shape: Vec<usize> = x.shape().to_vec();
    lane_shape.remove(axis);
    lane_shape.push(nseg);
    lane_shape.push(nfreq);
    let arr = ArrayD::from_shape_vec(IxDyn(&lane_shape), buf).expect("shape");
    // target axis j ← buffer axis perm[j]
    let perm: Vec<usize> = (0..=nd)
        .map(|j| match j {
            j if j < axis => j,
            j if j == axis => nd - 1,
            j if j < nd => j - 1,
            _ => nd,
        })
        .collect();
    let data = arr
        .permuted_axes(IxDyn(&perm))
        .as_standard_layout()
        .into_owned();
    let d = 1.0 / fs;
    let freqs = if return_onesided {
        rfftfreq(nfft, d)
    } else {
        fftfreq(nfft, d)
    };
    let times = (0..nseg)
        .map(|k| (nperseg as f64 / 2.0 + (k * step) as f64) / fs)
        .collect();
    Ok(Stft { data, freqs, times })
}

/// The smallest length `>= target` whose prime factors are all in {2, 3, 5, 7, 11}: a
/// fast FFT size, as `scipy.fft.next_fast_len(target)` (`real=False`). `0` gives `0`.
///
/// ```
/// use xdas_signal::spectral::next_fast_len;
/// assert_eq!(next_fast_len(13), 14);
/// assert_eq!(next_fast_len(97), 98);
/// assert_eq!(next_fast_len(1001), 1008);
/// assert_eq!(next_fast_len(1024), 1024);
/// ```
pub fn next_fast_len(target: usize) -> usize {
    fn smooth(mut n: usize) -> bool {
        for p in [2, 3, 5, 7, 11] {
            while n % p == 0 {
                n /= p;
            }
        }
        n == 1
    }
    if target == 0 {
        return 0;
    }
    // 11-smooth numbers are dense: the search stays short (and ends at a power of two)
    let mut n = target;
    while !smooth(n) && n < usize::MAX {
        n += 1;
    }
    n
}
