//! Filtering: `lfilter`, `sosfilt` (with state), `lfilter_zi`, `sosfilt_zi`, `filtfilt`
//! (pad and Gustafsson methods) and `sosfiltfilt`, as in `scipy.signal`.
//!
//! Every function filters along one `axis` of an N-d array (`f32` or `f64`, computed in
//! that type; coefficients are given in `f64`). Along the slow axis of row-major data
//! (time in `(time, channel)` arrays) the kernels walk rows and update a block of
//! contiguous channels at once (vectorised, parallel over channel blocks); along the
//! contiguous axis lanes are transposed in small tiles and run through the same kernel.
//! Each channel's arithmetic follows scipy's order of operations and does not depend on
//! the layout or the number of threads, so results are bitwise reproducible and
//! filtering in chunks with the state carried over equals filtering in one go.
//!
//! ```
//! use ndarray::Array2;
//! use xdas_signal::filter::{lfilter, sosfilt};
//! let x = Array2::<f32>::ones((100, 8)).into_dyn(); // (time, channel)
//! let (y, _) = lfilter(&[0.1], &[1.0, -0.9], x.view(), 0, None).unwrap();
//! assert!((y[[99, 3]] - 1.0).abs() < 1e-4);
//! let sos = [[0.1, 0.0, 0.0, 1.0, -0.9, 0.0]];
//! let (y2, _) = sosfilt(&sos, x.view(), 0, None).unwrap();
//! assert_eq!(y, y2);
//! ```

pub(crate) mod engine;
mod filtfilt;
mod lfilter;
mod sosfilt;
pub(crate) mod transpose;
mod zi;

pub(crate) use filtfilt::sosfiltfilt_step;
pub use filtfilt::{PadType, filtfilt, filtfilt_gust, sosfiltfilt};
pub use lfilter::{lfilter, lfilter_inplace};
pub use sosfilt::{sosfilt, sosfilt_inplace};
pub use zi::{lfilter_zi, sosfilt_zi};
