//! # xdas-atoms — stateful processing units and pipelines
//!
//! This crate owns the atom protocol: units of processing that carry state (IIR filter
//! memory, decimation phase, STA/LTA windows, FIR tails) from one chunk to the next so that
//! chunked results equal monolithic ones bit for bit, their composition into `Sequential`
//! pipelines, state save/resume, and the serde pipeline description used by the CLI.
//!
//! Built on [`xdas_signal`] kernels and [`xdas_core`] data arrays; the atoms arrive with
//! their own issue.

pub use xdas_signal;
