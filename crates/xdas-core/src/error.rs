//! Typed errors of the data model.

use thiserror::Error;

/// Everything that can go wrong in `xdas-core`.
///
/// Each variant carries enough context to print one readable line: the dimension or
/// coordinate involved, the offending index or value, and what was expected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// A dimension name that the array does not have.
    #[error("dimension {dim:?} not found; the array has dimensions {dims:?}")]
    DimNotFound { dim: String, dims: Vec<String> },
    /// A coordinate name that does not exist.
    #[error("coordinate {0:?} not found")]
    CoordNotFound(String),
    /// A positional index outside the axis.
    #[error("index {index} is out of bounds for an axis of length {len}")]
    IndexOutOfBounds { index: i64, len: usize },
    /// A label that is not on the coordinate (exact lookup) or outside the range the
    /// method can reach.
    #[error("label {label} not found in coordinate{dim}{reason}")]
    LabelNotFound {
        label: String,
        dim: String,
        reason: String,
    },
    /// Label lookup on a coordinate whose values go backwards (overlaps).
    #[error(
        "overlaps were found in coordinate {dim:?}: label lookup needs increasing values; \
         smooth jitter with `simplify(tolerance)`, or cut the overlaps apart with \
         `split(.., SplitKind::Overlaps)`"
    )]
    NotMonotonic { dim: String },
    /// Values that cannot build a valid coordinate.
    #[error("invalid coordinate: {0}")]
    InvalidCoordinate(String),
    /// A datetime or timedelta string that does not parse.
    #[error("cannot parse {input:?} as {what}: {reason}")]
    Parse {
        input: String,
        what: &'static str,
        reason: String,
    },
    /// Shapes that do not agree.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// Types that do not agree (e.g. a float label on a datetime axis).
    #[error("type mismatch: {0}")]
    Type(String),
    /// Objects that cannot be concatenated.
    #[error("cannot concatenate: {0}")]
    Concat(String),
    /// An argument outside its valid domain.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A lookup into a collection with a key or index it does not have.
    #[error("collection has no entry {0:?}")]
    KeyNotFound(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
