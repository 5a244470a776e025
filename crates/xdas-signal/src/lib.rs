//! # xdas-signal — scipy-grade DSP kernels
//!
//! The signal-processing routines DAS users know from `scipy.signal`, giving the same
//! numbers (to rounding) and running much faster:
//!
//! | module | holds |
//! |---|---|
//! | [`window`] | `get_window`: boxcar, hann, hamming, blackman, bartlett, tukey, kaiser, gaussian, cosine |
//! | [`design`] | `iirfilter` (butter, cheby1, cheby2, ellip, bessel → ba / zpk / sos), `zpk2sos`, `firwin` |
//! | [`filter`] | `lfilter`, `sosfilt` (with state), `lfilter_zi`, `sosfilt_zi`, `filtfilt`, `sosfiltfilt` |
//! | [`upfirdn`], [`resample`], [`decimate`] | polyphase FIR filtering, `resample_poly`, `decimate` |
//! | [`detrend`], [`taper`], [`calculus`], [`mean_removal`] | `detrend`, `taper`, `integrate`/`differentiate`, sliding and segment mean removal |
//! | [`spectral`] | `fft`/`rfft`/`ifft`/`irfft`, `hilbert`, `stft` |
//! | [`medfilt`] | N-d median filter |
//! | [`detect`] | STA/LTA characteristic functions and the threshold trigger |
//! | [`dataarray`] | the same functions on [`xdas_core::DataArray`]s, keeping coordinates right (`xdas.signal`) |
//!
//! Every kernel works along any axis of an N-d array, for `f32` and `f64` ([`Real`]), on
//! `ndarray` views, in parallel over the other axes with rayon ([`axis`]); results do not
//! depend on the number of threads. Bad input is a [`SignalError`], never a panic.

pub mod axis;
mod buffers;
pub mod calculus;
pub mod dataarray;
pub mod decimate;
pub mod design;
pub mod detect;
pub mod detrend;
mod error;
pub mod filter;
mod float;
pub mod mean_removal;
pub mod medfilt;
pub mod resample;
pub mod spectral;
pub mod taper;
pub mod upfirdn;
pub mod window;

pub use error::{Result, SignalError};
pub use float::Real;
