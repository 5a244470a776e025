//! Typed errors of the signal kernels.

use thiserror::Error;

/// Everything a kernel can refuse.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SignalError {
    /// An axis number beyond the array's dimensions.
    #[error("axis {axis} is out of range for an array of {ndim} dimensions")]
    Axis { axis: usize, ndim: usize },
    /// An input that must not be empty is.
    #[error("empty input: {0}")]
    Empty(String),
    /// A parameter outside its valid domain (cutoff at or above Nyquist, `a[0] == 0`,
    /// even numtaps for a highpass, NaN coefficients, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Shapes that do not agree (e.g. a `zi` of the wrong shape).
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An error of the data model (a wrong dim name, a missing coordinate, ...).
    #[error(transparent)]
    Core(#[from] xdas_core::Error),
}

/// Result alias of this crate.
pub type Result<T, E = SignalError> = std::result::Result<T, E>;

/// Shorthand for an [`SignalError::InvalidArgument`].
pub(crate) fn invalid(msg: impl Into<String>) -> SignalError {
    SignalError::InvalidArgument(msg.into())
}
