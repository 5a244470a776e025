//! Tapering along an axis (`xdas.signal.taper`).
//!
//! xdas multiplies the data by `scipy.signal.get_window(window, n, fftbins)` broadcast
//! along the axis; numpy computes that product in `f64` (the window is `f64`). So does
//! this kernel, rounding the product to `T`: bitwise xdas's values for `f64` data.

use crate::axis::{check_input, lane, lane_mut, standard, unview3, view3, walk_blocks};
use crate::buffers::zeros3;
use crate::error::Result;
use crate::float::Real;
use crate::window::{Window, get_window};
use ndarray::{ArrayD, ArrayViewD};

/// `x · w` along `axis`, `w = get_window(window, n, fftbins)` with `n` the axis length
/// (xdas's default is a symmetric Hann window: `fftbins = false`).
///
/// ```
/// use ndarray::Array2;
/// use xdas_signal::taper::taper;
/// use xdas_signal::window::Window;
/// let x = Array2::<f64>::ones((5, 2)).into_dyn();
/// let y = taper(x.view(), &Window::Hann, false, 0).unwrap();
/// let expected = [0.0, 0.5, 1.0, 0.5, 0.0];
/// assert!((0..5).all(|i| (y[[i, 1]] - expected[i]).abs() < 1e-15));
/// ```
pub fn taper<T: Real>(
    x: ArrayViewD<'_, T>,
    window: &Window,
    fftbins: bool,
    axis: usize,
) -> Result<ArrayD<T>> {
    check_input(&x, axis, "taper")?;
    let w = get_window(window, x.shape()[axis], fftbins)?;
    let xs = standard(&x);
    let x3 = view3(&xs, axis);
    let mut out = zeros3::<T>(x3.dim());
    walk_blocks(x3, &mut out, |xb, mut ob| {
        if let (Some(xl), Some(ol)) = (lane(&xb), lane_mut(&mut ob)) {
            for ((o, &v), &wt) in ol.iter_mut().zip(xl).zip(&w) {
                *o = T::of(v.to64() * wt);
            }
            return;
        }
        for ((xr, mut or), &wt) in xb.rows().into_iter().zip(ob.rows_mut()).zip(&w) {
            let xr = xr.to_slice().expect("contiguous rows");
            let or = or.as_slice_mut().expect("contiguous rows");
            for (o, &v) in or.iter_mut().zip(xr) {
                *o = T::of(v.to64() * wt);
            }
        }
    });
    Ok(unview3(out, x.shape(), axis))
}
