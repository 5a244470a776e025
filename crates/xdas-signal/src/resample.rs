//! Rational resampling with a polyphase FIR filter: `resample_poly`, as in
//! `scipy.signal.resample_poly`.
//!
//! ```
//! use ndarray::Array1;
//! use xdas_signal::resample::{resample_poly, ResamplePad};
//! use xdas_signal::window::Window;
//! let x = Array1::from_shape_fn(100, |i| (i as f64 * 0.05).sin()).into_dyn();
//! let y = resample_poly(x.view(), 2, 5, 0, &Window::Kaiser(5.0), ResamplePad::Constant, None).unwrap();
//! assert_eq!(y.len(), 40);
//! ```

use crate::axis::check_axis;
use crate::design::{PassZero, firwin};
use crate::error::{Result, SignalError, invalid};
use crate::filter::engine::Layout;
use crate::float::Real;
use crate::upfirdn::{Extension, Polyphase, upfirdn_output_len, upfirdn_range};
use crate::window::Window;
use ndarray::{ArrayD, ArrayViewD, IxDyn};

/// How `resample_poly` treats the signal beyond its ends (scipy's `padtype`).
///
/// `Mean`, `Median`, `Minimum` and `Maximum` subtract that statistic of each lane before
/// filtering (zeros beyond the ends) and add it back afterwards; the others extend the
/// signal as [`Extension`] does.
///
/// ```
/// use xdas_signal::resample::ResamplePad;
/// assert_eq!(ResamplePad::default(), ResamplePad::Constant);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResamplePad {
    /// A constant (`cval`, default 0).
    #[default]
    Constant,
    /// Zeros after removing each lane's mean.
    Mean,
    /// Zeros after removing each lane's median.
    Median,
    /// Zeros after removing each lane's minimum.
    Minimum,
    /// Zeros after removing each lane's maximum.
    Maximum,
    /// The end samples repeated.
    Edge,
    /// The line through the first and last samples.
    Line,
    /// The line through the two end samples at each end.
    Smooth,
    /// Mirrored including the end sample.
    Symmetric,
    /// Mirrored about the end sample.
    Reflect,
    /// Periodic.
    Wrap,
    /// Mirrored with the sign flipped.
    Antisymmetric,
    /// Point-symmetric about the end sample.
    Antireflect,
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Resample `x` along `axis` by `up / down` with a Kaiser-windowed (or other `window`)
/// lowpass FIR, like `scipy.signal.resample_poly(x, up, down, axis, window, padtype,
/// cval)`.
///
/// The filter is `firwin(20 · max(up, down) + 1, 1 / max(up, down), window) · up` (after
/// dividing `up` and `down` by their gcd), centred so that output `k` is at input time
/// `k · down / up`. The output has `⌈n · up / down⌉` samples along `axis`. `cval` is only
/// allowed with [`ResamplePad::Constant`].
///
/// ```
/// use ndarray::Array2;
/// use xdas_signal::resample::{resample_poly, ResamplePad};
/// use xdas_signal::window::Window;
/// let x = Array2::<f32>::ones((50, 3)).into_dyn(); // (time, channel)
/// let y = resample_poly(x.view(), 1, 2, 0, &Window::Kaiser(5.0), ResamplePad::Mean, None).unwrap();
/// assert_eq!(y.shape(), &[25, 3]);
/// assert!(y.iter().all(|v| (v - 1.0).abs() < 1e-6));
/// ```
pub fn resample_poly<T: Real>(
    x: ArrayViewD<'_, T>,
    up: usize,
    down: usize,
    axis: usize,
    window: &Window,
    padtype: ResamplePad,
    cval: Option<f64>,
) -> Result<ArrayD<T>> {
    check(&x, up, down, axis, padtype, cval)?;
    let g = gcd(up, down);
    let (up, down) = (up / g, down / g);
    if up == 1 && down == 1 {
        return Ok(x.to_owned());
    }
    let max_rate = up.max(down);
    let half_len = 10 * max_rate;
    let h = firwin(
        2 * half_len + 1,
        &[1.0 / max_rate as f64],
        None,
        window,
        PassZero::True,
        true,
        None,
    )?;
    resample_core(x, up, down, axis, &h, half_len, padtype, cval)
}

/// [`resample_poly`] with the FIR given explicitly (scipy's `window=array`): `taps` is
/// multiplied by `up` (after the gcd reduction) and centred at `(len − 1) / 2`.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::resample::{resample_poly_taps, ResamplePad};
/// let x = array![1.0, 2.0, 3.0, 4.0].into_dyn();
/// let y = resample_poly_taps(x.view(), 1, 2, 0, &[1.0], ResamplePad::Constant, None).unwrap();
/// assert_eq!(y.as_slice().unwrap(), &[1.0, 3.0]);
/// ```
pub fn resample_poly_taps<T: Real>(
    x: ArrayViewD<'_, T>,
    up: usize,
    down: usize,
    axis: usize,
    taps: &[f64],
    padtype: ResamplePad,
    cval: Option<f64>,
) -> Result<ArrayD<T>> {
    check(&x, up, down, axis, padtype, cval)?;
    if taps.is_empty() {
        return Err(SignalError::Empty("filter taps".into()));
    }
    if taps.iter().any(|v| !v.is_finite()) {
        return Err(invalid(
            "filter coefficients must be finite (no NaN or inf)",
        ));
    }
    let g = gcd(up, down);
    let (up, down) = (up / g, down / g);
    if up == 1 && down == 1 {
        return Ok(x.to_owned());
    }
    resample_core(x, up, down, axis, taps, (taps.len() - 1) / 2, padtype, cval)
}

fn check<T>(
    x: &ArrayViewD<'_, T>,
    up: usize,
    down: usize,
    axis: usize,
    padtype: ResamplePad,
    cval: Option<f64>,
) -> Result<()> {
    check_axis(axis, x.ndim())?;
    if up == 0 || down == 0 {
        return Err(invalid("up and down must be >= 1"));
    }
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    if let Some(c) = cval {
        if padtype != ResamplePad::Constant {
            return Err(invalid(format!(
                "cval has no effect when padtype is {padtype:?}"
            )));
        }
        if !c.is_finite() {
            return Err(invalid("cval must be finite"));
        }
    }
    Ok(())
}

/// Per-lane statistic of `x` (standard layout `lay`), one value per channel.
fn lane_stat<T: Real>(x: &[T], lay: Layout, pad: ResamplePad) -> Vec<T> {
    let Layout { outer, n, inner } = lay;
    let mut out = Vec::with_capacity(outer * inner);
    let mut lane = vec![T::zero(); n];
    for o in 0..outer {
        for c in 0..inner {
            for (t, v) in lane.iter_mut().enumerate() {
                *v = x[(o * n + t) * inner + c];
            }
            let v = match pad {
                ResamplePad::Mean => T::of(lane.iter().map(|v| v.to64()).sum::<f64>() / n as f64),
                ResamplePad::Minimum => lane.iter().copied().fold(T::infinity(), |a, b| {
                    if b < a || b.is_nan() { b } else { a }
                }),
                ResamplePad::Maximum => lane.iter().copied().fold(T::neg_infinity(), |a, b| {
                    if b > a || b.is_nan() { b } else { a }
                }),
                _ => {
                    // median: the mean of the two middle values for even n
                    lane.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
                    if lane.iter().any(|v| v.is_nan()) {
                        T::nan()
                    } else if n % 2 == 1 {
                        lane[n / 2]
                    } else {
                        (lane[n / 2 - 1] + lane[n / 2]) / T::of(2.0)
                    }
                }
            };
            out.push(v);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn resample_core<T: Real>(
    x: ArrayViewD<'_, T>,
    up: usize,
    down: usize,
    axis: usize,
    h: &[f64],
    half_len: usize,
    padtype: ResamplePad,
    cval: Option<f64>,
) -> Result<ArrayD<T>> {
    let n_in = x.shape()[axis];
    let n_out = (n_in * up).div_ceil(down);
    // the filter in T, times up, zero-padded so that the kept outputs are centred
    let upt = T::of(up as f64);
    let n_pre_pad = down - half_len % down;
    let n_pre_remove = (half_len + n_pre_pad) / down;
    let mut n_post_pad = 0;
    while upfirdn_output_len(h.len() + n_pre_pad + n_post_pad, n_in, up, down)
        < n_out + n_pre_remove
    {
        n_post_pad += 1;
    }
    let mut ht = vec![T::zero(); n_pre_pad];
    ht.extend(h.iter().map(|&v| T::of(v) * upt));
    ht.extend(std::iter::repeat_n(T::zero(), n_post_pad));
    let poly = Polyphase::new(&ht, up, down);
    let range = n_pre_remove..n_pre_remove + n_out;
    let ext = match padtype {
        ResamplePad::Constant => Extension::Constant(cval.unwrap_or(0.0)),
        ResamplePad::Mean | ResamplePad::Median | ResamplePad::Minimum | ResamplePad::Maximum => {
            Extension::Constant(0.0)
        }
        ResamplePad::Edge => Extension::Edge,
        ResamplePad::Line => Extension::Line,
        ResamplePad::Smooth => Extension::Smooth,
        ResamplePad::Symmetric => Extension::Symmetric,
        ResamplePad::Reflect => Extension::Reflect,
        ResamplePad::Wrap => Extension::Wrap,
        ResamplePad::Antisymmetric => Extension::Antisymmetric,
        ResamplePad::Antireflect => Extension::Antireflect,
    };
    let background = matches!(
        padtype,
        ResamplePad::Mean | ResamplePad::Median | ResamplePad::Minimum | ResamplePad::Maximum
    );
    if !background {
        return Ok(upfirdn_range(&poly, x, axis, ext, range));
    }
    let xs = x.as_standard_layout();
    let xsl = xs.as_slice().expect("standard layout");
    let lay = Layout::of(x.shape(), axis);
    let bg = lane_stat(xsl, lay, padtype);
    let inner = lay.inner;
    let ch_of = |flat: usize, n: usize| (flat / (n * inner)) * inner + flat % inner;
    let xc: Vec<T> = xsl
        .iter()
        .enumerate()
        .map(|(i, &v)| v - bg[ch_of(i, n_in)])
        .collect();
    let xc = ArrayD::from_shape_vec(IxDyn(x.shape()), xc).expect("shape");
    let mut y = upfirdn_range(&poly, xc.view(), axis, ext, range);
    let ysl = y.as_slice_mut().expect("standard layout");
    for (i, v) in ysl.iter_mut().enumerate() {
        *v += bg[ch_of(i, n_out)];
    }
    Ok(y)
}
