//! Downsampling after an anti-aliasing filter: `decimate`, exactly as
//! `scipy.signal.decimate` does it.
//!
//! ```
//! use ndarray::Array1;
//! use xdas_signal::decimate::{decimate, DecimateFtype};
//! let x = Array1::from_shape_fn(300, |i| (i as f64 * 0.02).sin()).into_dyn();
//! let y = decimate(x.view(), 3, None, DecimateFtype::Iir, 0, true).unwrap();
//! assert_eq!(y.len(), 100);
//! ```

use crate::axis::check_axis;
use crate::design::{BandType, FilterKind, PassZero, firwin, iirfilter_sos};
use crate::error::{Result, SignalError, invalid};
use crate::filter::{PadType, sosfilt, sosfiltfilt_step};
use crate::float::Real;
use crate::resample::{ResamplePad, resample_poly_taps};
use crate::upfirdn::{Extension, Polyphase, upfirdn_range};
use crate::window::Window;
use ndarray::{ArrayD, ArrayViewD, Axis, Slice};

/// The anti-aliasing filter of [`decimate`].
///
/// ```
/// use xdas_signal::decimate::DecimateFtype;
/// assert_eq!(DecimateFtype::default(), DecimateFtype::Iir);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimateFtype {
    /// Chebyshev type I, 0.05 dB ripple, cutoff `0.8 / q` (of Nyquist), order `n` (default
    /// 8), as second-order sections.
    #[default]
    Iir,
    /// Hamming-windowed FIR with `n + 1` taps (default `n = 20 q`), cutoff `1 / q`.
    Fir,
}

/// Downsample `x` by the integer factor `q` along `axis` after low-pass filtering, like
/// `scipy.signal.decimate(x, q, n, ftype, axis, zero_phase)`.
///
/// * `Iir`: `cheby1(n, 0.05, 0.8/q)` sections; `sosfiltfilt` (odd padding) when
///   `zero_phase`, else `sosfilt`; then every `q`-th sample.
/// * `Fir`: `firwin(n + 1, 1/q, hamming)`; `resample_poly(x, 1, q, window=taps)` when
///   `zero_phase`, else the causal filter `lfilter(taps, 1, x)[::q]` (computed with
///   upfirdn, only the kept outputs).
///
/// The output has `⌈len / q⌉` samples along `axis`.
///
/// ```
/// use ndarray::Array2;
/// use xdas_signal::decimate::{decimate, DecimateFtype};
/// let x = Array2::<f32>::ones((10, 400)).into_dyn(); // decimate channels by 2
/// let y = decimate(x.view(), 2, None, DecimateFtype::Fir, 1, true).unwrap();
/// assert_eq!(y.shape(), &[10, 200]);
/// assert!((y[[5, 100]] - 1.0).abs() < 1e-3);
/// ```
pub fn decimate<T: Real>(
    x: ArrayViewD<'_, T>,
    q: usize,
    n: Option<usize>,
    ftype: DecimateFtype,
    axis: usize,
    zero_phase: bool,
) -> Result<ArrayD<T>> {
    check_axis(axis, x.ndim())?;
    if q == 0 {
        return Err(invalid("q must be a positive integer"));
    }
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    let len = x.shape()[axis];
    match ftype {
        DecimateFtype::Fir => {
            let n = n.unwrap_or(20 * q);
            let taps = firwin(
                n + 1,
                &[1.0 / q as f64],
                None,
                &Window::Hamming,
                PassZero::True,
                true,
                None,
            )?;
            if zero_phase {
                resample_poly_taps(x, 1, q, axis, &taps, ResamplePad::Constant, None)
            } else {
                let ht: Vec<T> = taps.iter().map(|&v| T::of(v)).collect();
                let poly = Polyphase::new(&ht, 1, q);
                Ok(upfirdn_range(
                    &poly,
                    x,
                    axis,
                    Extension::Constant(0.0),
                    0..len.div_ceil(q),
                ))
            }
        }
        DecimateFtype::Iir => {
            let sos = iirfilter_sos(
                n.unwrap_or(8),
                &[0.8 / q as f64],
                BandType::Lowpass,
                FilterKind::Cheby1 { rp: 0.05 },
                None,
            )?;
            if zero_phase {
                return sosfiltfilt_step(&sos, x, axis, PadType::Odd, None, q);
            }
            let y = sosfilt(&sos, x, axis, None)?.0;
            if q == 1 {
                return Ok(y);
            }
            Ok(y.slice_axis(Axis(axis), Slice::new(0, None, q as isize))
                .to_owned())
        }
    }
}
