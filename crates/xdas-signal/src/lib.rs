//! # xdas-signal — scipy-grade DSP kernels
//!
//! This crate owns the signal-processing routines DAS users know from `scipy.signal`:
//! windows, IIR/FIR filter design, `lfilter`/`sosfilt`/`filtfilt`, polyphase resampling,
//! decimation, spectral transforms and STA/LTA detection. Kernels work on `ndarray` views
//! along any axis, for `f32` and `f64`, and know nothing of coordinates; a thin
//! DataArray layer (built on [`xdas_core`]) keeps coordinates right.
//!
//! The kernels arrive with the xdas-signal issue; this crate is the place they live.

pub use xdas_core;
