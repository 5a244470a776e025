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
use ndarray::{
    Array3, ArrayD, ArrayView2, ArrayView3, ArrayViewD, ArrayViewMut2, Axis, CowArray, IxDyn, Zip,
};
use rayon::prelude::*;

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

// ---------------------------------------------------------------------------------------
// `(outer, n, inner)` views and row-walking blocks, shared by the kernels that vectorise
// across lanes.

/// Number of lanes (channels) a row-walking task updates at once.
pub(crate) const BLOCK: usize = 512;

/// `(outer, n, inner)`: the products of the dimensions before `axis`, the length of
/// `axis`, and the product of the dimensions after it.
pub(crate) fn split3(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    (outer, shape[axis], inner)
}

/// Check `axis` and that `x` is not empty; `what` names the kernel in the error.
pub(crate) fn check_input<T>(x: &ArrayViewD<'_, T>, axis: usize, what: &str) -> Result<()> {
    check_axis(axis, x.ndim())?;
    if x.is_empty() {
        return Err(SignalError::Empty(format!(
            "{what}: the input array is empty"
        )));
    }
    Ok(())
}

/// A standard-layout copy-on-write of `x` (borrowed when it already is).
pub(crate) fn standard<'a, T: Clone>(x: &'a ArrayViewD<'a, T>) -> CowArray<'a, T, IxDyn> {
    x.as_standard_layout()
}

/// The `(outer, n, inner)` view of a standard-layout array.
pub(crate) fn view3<'a, T>(x: &'a CowArray<'_, T, IxDyn>, axis: usize) -> ArrayView3<'a, T> {
    let (o, n, i) = split3(x.shape(), axis);
    x.view()
        .into_shape_with_order((o, n, i))
        .expect("standard layout reshapes")
}

/// Run `f(input_block, output_block)` on every `(n, ≤BLOCK)` block of lanes of the
/// `(outer, n, inner)` arrays, in parallel. Input and output may differ in `n`.
/// Each lane is computed by exactly one call, so results do not depend on the threads.
pub(crate) fn walk_blocks<T, U, F>(x: ArrayView3<'_, T>, out: &mut Array3<U>, f: F)
where
    T: Sync,
    U: Send + Sync,
    F: Fn(ArrayView2<'_, T>, ArrayViewMut2<'_, U>) + Sync,
{
    out.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(x.axis_iter(Axis(0)))
        .for_each(|(mut o2, x2)| {
            o2.axis_chunks_iter_mut(Axis(1), BLOCK)
                .into_par_iter()
                .zip(x2.axis_chunks_iter(Axis(1), BLOCK))
                .for_each(|(oc, xc)| f(xc, oc));
        });
}

/// The single lane of a one-column block, as a slice (`None` for wider blocks).
pub(crate) fn lane<'a, T>(b: &'a ArrayView2<'_, T>) -> Option<&'a [T]> {
    if b.ncols() == 1 && (b.nrows() <= 1 || b.strides()[0] == 1) {
        return b.as_slice_memory_order();
    }
    None
}

/// Mutable version of [`lane`].
pub(crate) fn lane_mut<'a, T>(b: &'a mut ArrayViewMut2<'_, T>) -> Option<&'a mut [T]> {
    if b.ncols() == 1 && (b.nrows() <= 1 || b.strides()[0] == 1) {
        return b.as_slice_memory_order_mut();
    }
    None
}

/// Reshape an `(outer, n, inner)` result back to `shape` with `axis` of length `n`.
pub(crate) fn unview3<U>(out: Array3<U>, shape: &[usize], axis: usize) -> ArrayD<U> {
    let mut shape = shape.to_vec();
    shape[axis] = out.shape()[1];
    out.into_shape_with_order(IxDyn(&shape))
        .expect("same number of elements")
}
