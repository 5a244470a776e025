//! `dummy`: the minimal test array of `xdas.testing.dummy`.

use ndarray::Array2;

use crate::grid::{Grid, START_2024_05_21_NS, Synthetic};
use crate::sample::Sample;

/// The default shape of [`dummy`], as in xdas: 100 time samples × 10 channels.
pub const DUMMY_SHAPE: (usize, usize) = (100, 10);

/// A small `(time, distance)` array filled with `0, 1, 2, ...` in C order, like the
/// data of `xdas.testing.dummy(shape=shape, dtype=T)`.
///
/// Sampling as xdas's defaults: 10 ms × 10 m, time from 2024-05-21T00:00:00, distance
/// from 0 m. (Values above 2²⁴ are not exact in `f32`, as with numpy's `astype`.)
///
/// ```
/// use xdas_synthetics::{dummy, DUMMY_SHAPE};
///
/// let s = dummy::<f64>(DUMMY_SHAPE);
/// assert_eq!(s.data.dim(), (100, 10));
/// assert_eq!(s.data[[2, 3]], 23.0);
/// assert_eq!((s.grid.dt_ns, s.grid.dx), (10_000_000, 10.0));
/// assert_eq!(s.grid.start().to_string(), "2024-05-21T00:00:00Z");
/// ```
pub fn dummy<T: Sample>(shape: (usize, usize)) -> Synthetic<T> {
    let (nt, nx) = shape;
    let data = Array2::from_shape_fn(shape, |(i, j)| T::from_f64((i * nx + j) as f64));
    Synthetic {
        data,
        grid: Grid {
            start_ns: START_2024_05_21_NS,
            dt_ns: 10_000_000,
            nt,
            x0: 0.0,
            dx: 10.0,
            nx,
        },
    }
}
