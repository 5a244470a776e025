//! Synthetic DAS data sets for examples, tests and benchmarks.
//!
//! This crate owns the data generators of xdas-rs. The kernels return the values and
//! their sampling ([`Grid`]) as plain numbers; [`Synthetic::to_dataarray`] and
//! [`WavefrontGenerator::chunk_dataarray`] label them as [`xdas_core::DataArray`]s with
//! the coordinates xdas gives them:
//!
//! - [`wavelet_wavefronts`] / [`WaveletWavefronts`]: the 300 × 401 P/S wavelet data set
//!   of Python `xdas.synthetics.wavelet_wavefronts`;
//! - [`randn_wavefronts`] / [`RandnWavefronts`]: the 20000 × 1001 noise-burst data set
//!   of `xdas.synthetics.randn_wavefronts`;
//! - [`dummy`]: the `0, 1, 2, ...` array of `xdas.testing.dummy`;
//! - [`WavefrontGenerator`]: moving wavefronts plus noise of any size, generated chunk
//!   by chunk in parallel, bitwise independent of the chunking;
//! - [`CounterRng`]: the counter-based random numbers behind them (not numpy's: values
//!   differ from Python xdas, the physics and statistics do not).
//!
//! ```
//! let s = xdas_synthetics::wavelet_wavefronts();
//! assert_eq!(s.data.dim(), (s.grid.nt, s.grid.nx));
//! let da = s.to_dataarray();
//! assert_eq!(da.dims(), ["time", "distance"]);
//! assert_eq!(da.coord("time").unwrap().sampling_interval_seconds(), Some(0.02));
//! ```

mod dataarray;
mod dummy;
mod error;
mod generator;
mod grid;
mod pulse;
mod randn;
mod rng;
mod sample;
mod wavelet;

pub use dummy::{DUMMY_SHAPE, dummy};
pub use error::SyntheticsError;
pub use generator::{Chunks, Event, GeneratorBuilder, WavefrontGenerator, scatter_events};
pub use grid::{Grid, START_2023_01_01_NS, START_2024_01_01_NS, START_2024_05_21_NS, Synthetic};
pub use pulse::{GaussPulse, gausspulse};
pub use randn::{RandnWavefronts, randn_wavefronts};
pub use rng::{CounterRng, RowRng};
pub use sample::Sample;
pub use wavelet::{WaveletWavefronts, wavelet_wavefronts};
