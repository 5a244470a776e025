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

use crate::axis::{check_input, lane, lane_mut, standard, unview3, view3, walk_blocks};
use crate::buffers::zeros3;
use crate::error::Result;
use crate::float::Real;
use ndarray::{ArrayD, ArrayViewD};

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
