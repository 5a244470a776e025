//! # xdas-processing — the chunked executor
//!
//! This crate owns running a pipeline of [`xdas_atoms`] over data larger than memory:
//! a loader reads chunks, a compute stage runs the atoms, a writer stores the results, the
//! three overlapping on their own threads, with checkpoints so a killed run resumes
//! bit-identically. It is the only crate with threads of its own (rayon inside kernels
//! aside); it arrives with the processing issue.

pub use xdas_atoms;
pub use xdas_io;
