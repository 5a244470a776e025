//! Errors of a processing run.

use thiserror::Error;

/// What stops a run; the stage that failed is named.
#[derive(Debug, Error)]
pub enum ProcessError {
    /// Reading the input.
    #[error("reading: {0}")]
    Read(#[source] xdas_io::IoError),
    /// Running the pipeline.
    #[error("processing: {0}")]
    Compute(#[source] xdas_atoms::AtomError),
    /// Writing the output.
    #[error("writing: {0}")]
    Write(String),
    /// A checkpoint that is missing, corrupt or from another run.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// A bad request (chunk size, dim, ...).
    #[error("{0}")]
    Invalid(String),
}

/// Result of processing operations.
pub type Result<T> = std::result::Result<T, ProcessError>;

impl From<xdas_io::IoError> for ProcessError {
    fn from(e: xdas_io::IoError) -> Self {
        ProcessError::Read(e)
    }
}

impl From<xdas_atoms::AtomError> for ProcessError {
    fn from(e: xdas_atoms::AtomError) -> Self {
        ProcessError::Compute(e)
    }
}
