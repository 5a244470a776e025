//! Integration and differentiation along an axis (`xdas.signal.integrate` /
//! `differentiate`).
//!
//! xdas computes `np.cumsum(x, axis) * d` and `np.diff(x, axis) / d`, in the data's own
//! precision; these kernels do the same operations in the same order, so the results are
//! bitwise equal to numpy's. Moving the coordinates by half a step (`midpoints=True`) is a
//! coordinate matter handled by [`crate::dataarray`].
//!
//! Along the slow axis of row-major data (time in `(time, channel)` arrays) the kernels
//! walk rows and update a block of channels at once; blocks run in parallel.

use crate::axis::check_axis;
use crate::error::{Result, SignalError};
use crate::float::Real;
use ndarray::{
    Array3, ArrayD, ArrayView2, ArrayView3, ArrayViewD, ArrayViewMut2, Axis, CowArray, IxDyn,
};
use rayon::prelude::*;

/// Number of lanes (channels) a row-walking task updates at once.
pub(crate) const BLOCK: usize = 512;

/// A zeroed vector of `n` elements for a kernel's output.
///
/// On Linux, a large one is advised into transparent huge pages (`MADV_HUGEPAGE`), as
/// numpy does for its arrays: the zeroed memory comes untouched from the system, and
/// faulting it in by 2 MiB pages instead of 4 KiB ones is several times faster (on the
/// 5,000 × 10,000 benchmark arrays, first-touching the output otherwise costs more than
/// most kernels' arithmetic).
pub(crate) fn zeroed<T: Real>(n: usize) -> Vec<T> {
    let v = vec![T::zero(); n];
    advise_huge_pages(&v);
    v
}

/// `zeroed` as an `(outer, n, inner)` array.
pub(crate) fn zeros3<T: Real>(dim: (usize, usize, usize)) -> Array3<T> {
    Array3::from_shape_vec(dim, zeroed(dim.0 * dim.1 * dim.2)).expect("matching length")
}

#[cfg(target_os = "linux")]
fn advise_huge_pages<T>(v: &[T]) {
    use std::ffi::{c_int, c_void};
    unsafe extern "C" {
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }
    const MADV_HUGEPAGE: c_int = 14;
    const HUGE: usize = 1 << 21;
    let bytes = std::mem::size_of_val(v);
    if bytes < 4 * HUGE {
        return;
    }
    let start = v.as_ptr() as usize;
    let first = start.next_multiple_of(HUGE);
    let end = (start + bytes) / HUGE * HUGE;
    if end > first {
        // SAFETY: an advice on whole pages inside `v`'s allocation; it changes neither
        // the contents nor the mapping's validity, and failure (an old kernel, THP off)
        // is harmless, so the result is ignored.
        unsafe {
            madvise(first as *mut c_void, end - first, MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages<T>(_: &[T]) {}

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

/// Cumulative integral `cumsum(x) · d` along `axis` (xdas's rectangle rule: the first
/// output sample is `x[0]·d`).
///
/// ```
/// use ndarray::array;
/// use xdas_signal::calculus::integrate;
/// let x = array![[1.0, 2.0], [3.0, 4.0]].into_dyn();
/// let y = integrate(x.view(), 0.5, 0).unwrap();
/// assert_eq!(y, array![[0.5, 1.0], [2.0, 3.0]].into_dyn());
/// ```
pub fn integrate<T: Real>(x: ArrayViewD<'_, T>, d: f64, axis: usize) -> Result<ArrayD<T>> {
    check_input(&x, axis, "integrate")?;
    if !d.is_finite() {
        return Err(crate::error::invalid(
            "integrate: the step d must be finite",
        ));
    }
    let d = T::of(d);
    let xs = standard(&x);
    let x3 = view3(&xs, axis);
    let (o, n, i) = x3.dim();
    let mut out = zeros3::<T>((o, n, i));
    walk_blocks(x3, &mut out, |xb, mut ob| {
        if let (Some(xl), Some(ol)) = (lane(&xb), lane_mut(&mut ob)) {
            let mut acc = T::zero();
            for (o, &v) in ol.iter_mut().zip(xl) {
                acc += v;
                *o = acc * d;
            }
            return;
        }
        let w = xb.ncols();
        let mut acc = vec![T::zero(); w];
        for (xr, mut or) in xb.rows().into_iter().zip(ob.rows_mut()) {
            let xr = xr.to_slice().expect("contiguous rows");
            let or = or.as_slice_mut().expect("contiguous rows");
            for ((a, &v), o) in acc.iter_mut().zip(xr).zip(or.iter_mut()) {
                *a += v;
                *o = *a * d;
            }
        }
    });
    Ok(unview3(out, x.shape(), axis))
}

/// Finite difference `diff(x) / d` along `axis`; the output is one sample shorter.
///
/// A single-sample axis gives an empty output, as numpy does.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::calculus::differentiate;
/// let x = array![1.0, 2.0, 4.0].into_dyn();
/// let y = differentiate(x.view(), 0.5, 0).unwrap();
/// assert_eq!(y, array![2.0, 4.0].into_dyn());
/// ```
pub fn differentiate<T: Real>(x: ArrayViewD<'_, T>, d: f64, axis: usize) -> Result<ArrayD<T>> {
    check_input(&x, axis, "differentiate")?;
    if !d.is_finite() || d == 0.0 {
        return Err(crate::error::invalid(
            "differentiate: the step d must be finite and non-zero",
        ));
    }
    let d = T::of(d);
    let xs = standard(&x);
    let x3 = view3(&xs, axis);
    let (o, n, i) = x3.dim();
    let mut out = zeros3::<T>((o, n - 1, i));
    walk_blocks(x3, &mut out, |xb, mut ob| {
        if let (Some(xl), Some(ol)) = (lane(&xb), lane_mut(&mut ob)) {
            for (o, w) in ol.iter_mut().zip(xl.windows(2)) {
                *o = (w[1] - w[0]) / d;
            }
            return;
        }
        for (t, mut or) in ob.rows_mut().into_iter().enumerate() {
            let a = xb.row(t);
            let b = xb.row(t + 1);
            let a = a.to_slice().expect("contiguous rows");
            let b = b.to_slice().expect("contiguous rows");
            let or = or.as_slice_mut().expect("contiguous rows");
            for ((o, &u), &v) in or.iter_mut().zip(a).zip(b) {
                *o = (v - u) / d;
            }
        }
    });
    Ok(unview3(out, x.shape(), axis))
}
