//! # xdas-core — labeled N-d arrays with compact tie-point coordinates
//!
//! The data model of xdas-rs, following Python xdas 0.2.10:
//!
//! * [`Datetime`] / [`Timedelta`]: `i64` nanoseconds, ISO-8601 in and out.
//! * [`Coordinate`]: interpolated (tie points), sampled (segments), dense or scalar labels
//!   of an axis, with exact interpolation arithmetic, label lookup, slicing, concat,
//!   simplify and split detection ([`coords`]).
//! * [`DataArray`]: an `ndarray::ArrayD<T>` with dims, coordinates, a name and ordered
//!   typed attributes; positional (`isel`) and label (`sel`) selection, transpose, concat
//!   and split along a dim, strict `equals`.
//! * [`DataCollection`]: nested mappings / sequences of arrays.
//!
//! Errors are typed ([`Error`]).
//!
//! ```
//! use ndarray::ArrayD;
//! use xdas_core::{Coordinate, DataArray, Datetime, Timedelta};
//!
//! let t0: Datetime = "2023-01-01T00:00:00".parse().unwrap();
//! let da = DataArray::new(
//!     ArrayD::<f64>::zeros(vec![300, 401]),
//!     &["time", "distance"],
//!     vec![
//!         ("time", Coordinate::from_block_time(t0, 300, Timedelta::from_ns(20_000_000), "time")),
//!         ("distance", Coordinate::from_block(0.0, 401, 25.0, "distance")),
//!     ],
//! )
//! .unwrap();
//! assert_eq!(da.shape(), &[300, 401]);
//! let first_second = da.sel_range("time", Some("2023-01-01T00:00:00".into()), Some("2023-01-01T00:00:01".into())).unwrap();
//! assert_eq!(first_second.shape(), &[51, 401]);
//! ```

pub mod array;
pub mod attrs;
pub mod collection;
mod combine;
pub mod coords;
mod display;
pub mod error;
mod select;
pub mod time;
pub mod value;

pub use array::{DataArray, Element};
pub use attrs::{AttrValue, Attrs};
pub use collection::DataCollection;
pub use combine::Split;
pub use coords::{Coordinate, Method, SplitKind, Tolerance};
pub use error::{Error, Result};
pub use select::{Indexer, Label};
pub use time::{Datetime, Timedelta};
pub use value::{DType, Scalar, Values};
