//! Mapping 1-D lane kernels over one axis of an N-d array, in parallel.
//!
//! A *lane* is the 1-D line of samples along `axis` at fixed indices of the other axes
//! (one channel's time series when `axis` is time). [`map_lanes`] runs a kernel on every
//! lane with rayon; each lane is computed by one thread from a contiguous copy, so results
//! are bitwise independent of the number of threads.
//!
//! Recursive filters along the *slow* axis of row-major data (time in `(time, channel)`
//! arrays) are better run across many lanes at once, walking rows: the filter modules do
//! that themselves with [`check_axis`] and views; this module serves the general case.

use crate::error::{Result, SignalError};
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Zip};

/// Check that `axis` exists in an array of `ndim` dimensions.
pub fn check_axis(axis: usize, ndim: usize) -> Result<()> {
    if axis >= ndim {
        return Err(SignalError::Axis { axis, ndim });
    }
    Ok(())
}

/// Apply `f(input_lane, output_lane)` to every lane along `axis`. The output has the
/// input's shape with `axis` of length `out_len`.
///
/// ```
/// use ndarray::{array, Ix2};
/// use xdas_signal::axis::map_lanes;
/// let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]].into_dyn();
/// // cumulative sum along axis 0
/// let y = map_lanes(x.view(), 0, 3, |lane: &[f64], out: &mut [f64]| {
///     let mut acc = 0.0;
///     for (o, v) in out.iter_mut().zip(lane) {
///         acc += v;
///         *o = acc;
///     }
/// })
/// .unwrap();
/// assert_eq!(y.into_dimensionality::<Ix2>().unwrap(), array![[1.0, 2.0], [4.0, 6.0], [9.0, 12.0]]);
/// ```
pub fn map_lanes<T, U, F>(
    x: ArrayViewD<'_, T>,
    axis: usize,
    out_len: usize,
    f: F,
) -> Result<ArrayD<U>>
where
    T: Copy + Send + Sync + Default,
    U: Copy + Send + Sync + Default,
    F: Fn(&[T], &mut [U]) + Sync,
{
    check_axis(axis, x.ndim())?;
    let mut shape = x.shape().to_vec();
    shape[axis] = out_len;
    let mut out = ArrayD::<U>::default(IxDyn(&shape));
    let n = x.shape()[axis];
    Zip::from(x.lanes(Axis(axis)))
        .and(out.lanes_mut(Axis(axis)))
        .par_for_each(|lane, mut olane| {
            let input: Vec<T> = match lane.as_slice() {
                Some(s) => s.to_vec(),
                None => lane.iter().copied().collect(),
            };
            debug_assert_eq!(input.len(), n);
            match olane.as_slice_mut() {
                Some(o) => f(&input, o),
                None => {
                    let mut o = vec![U::default(); out_len];
                    f(&input, &mut o);
                    for (dst, src) in olane.iter_mut().zip(o) {
                        *dst = src;
                    }
                }
            }
        });
    Ok(out)
}
