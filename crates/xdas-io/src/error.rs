//! Errors of reading and writing.

use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong opening, reading or writing DAS files.
#[derive(Debug, Error)]
pub enum IoError {
    /// From the data model (coordinates, shapes, ...).
    #[error(transparent)]
    Core(#[from] xdas_core::Error),
    /// The operating system refused (missing file, permissions, ...).
    #[error("{path}: {source}")]
    Os {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The HDF5 library reported an error.
    #[error("{path}: HDF5: {message}")]
    Hdf5 {
        /// The file.
        path: PathBuf,
        /// The library's message.
        message: String,
    },
    /// A file of a known format whose content is not what the format requires
    /// (missing or mistyped attribute, truncated data, inconsistent sizes, ...).
    #[error("{path}: {engine}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The engine that read it.
        engine: String,
        /// What is wrong.
        message: String,
    },
    /// No engine recognised the file; `tried` says why each one declined.
    #[error("{path}: no engine can read this file:\n{}", tried.iter().map(|(e, why)| format!("  {e}: {why}")).collect::<Vec<_>>().join("\n"))]
    Unknown {
        /// The file.
        path: PathBuf,
        /// Each engine tried, with its reason.
        tried: Vec<(String, String)>,
    },
    /// A bad request (selection out of range, unsupported dtype, ...).
    #[error("{0}")]
    Invalid(String),
}

/// Result of I/O operations.
pub type Result<T> = std::result::Result<T, IoError>;

impl IoError {
    /// A [`IoError::Format`] error.
    pub fn format(path: impl Into<PathBuf>, engine: &str, message: impl Into<String>) -> Self {
        IoError::Format {
            path: path.into(),
            engine: engine.into(),
            message: message.into(),
        }
    }

    /// An [`IoError::Hdf5`] error from the library's error.
    pub fn hdf5(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        IoError::Hdf5 {
            path: path.into(),
            message: e.to_string(),
        }
    }
}
