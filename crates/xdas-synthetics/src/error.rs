//! The error type of this crate.

/// Why a synthetic data set could not be built.
///
/// ```
/// use xdas_synthetics::{SyntheticsError, WaveletWavefronts};
///
/// let bad = WaveletWavefronts { dx: -1.0, ..Default::default() };
/// assert!(matches!(bad.generate(), Err(SyntheticsError::InvalidParameter { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyntheticsError {
    /// A parameter is outside its valid range (non-positive step, empty shape, ...).
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl SyntheticsError {
    pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }
}

/// Shorthand for results of this crate.
pub(crate) type Result<T, E = SyntheticsError> = std::result::Result<T, E>;
