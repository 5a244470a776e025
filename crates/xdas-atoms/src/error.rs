//! Errors of atoms and pipelines.

use thiserror::Error;

/// Everything that can go wrong while building or running a pipeline.
#[derive(Debug, Error)]
pub enum AtomError {
    /// From the data model (dims, coordinates, concat, ...).
    #[error(transparent)]
    Core(#[from] xdas_core::Error),
    /// From a signal-processing kernel (bad coefficients, shapes, ...).
    #[error(transparent)]
    Signal(#[from] xdas_signal::SignalError),
    /// A bad parameter of an atom.
    #[error("{atom}: {message}")]
    Invalid {
        /// The atom's name.
        atom: String,
        /// What is wrong.
        message: String,
    },
    /// A chunk that does not continue the previous one (gap or rate change, with
    /// `on_discontinuity = "raise"`, or any overlap).
    #[error("{atom}: {message}")]
    Discontinuity {
        /// The atom's name.
        atom: String,
        /// Where and what.
        message: String,
    },
    /// The data type is not one the atom handles.
    #[error("{atom}: unsupported data type {dtype}")]
    DType {
        /// The atom's name.
        atom: String,
        /// The data type found.
        dtype: String,
    },
    /// A saved state that does not fit the pipeline, or is corrupt.
    #[error("state: {0}")]
    State(String),
    /// A pipeline description with a bad step.
    #[error("pipeline step {step} ({op}): {message}")]
    Description {
        /// 1-based step number (`[[step]]` order); nested steps use dotted numbers.
        step: String,
        /// The step's `op`, or `?` when missing.
        op: String,
        /// What is wrong, naming the key.
        message: String,
    },
    /// Reading or writing a state or description file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Result of atom operations.
pub type Result<T> = std::result::Result<T, AtomError>;

/// An [`AtomError::Invalid`] for `atom`.
pub(crate) fn invalid(atom: &str, message: impl Into<String>) -> AtomError {
    AtomError::Invalid {
        atom: atom.to_string(),
        message: message.into(),
    }
}
