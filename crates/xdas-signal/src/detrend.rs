//! Removing a constant or (piecewise) linear trend along an axis, like
//! `scipy.signal.detrend`.
//!
//! ```
//! use ndarray::array;
//! use xdas_signal::detrend::{detrend, DetrendType};
//! let x = array![1.0, 2.0, 3.0, 4.0].into_dyn();
//! let y = detrend(x.view(), 0, DetrendType::Linear, &[]).unwrap();
//! assert!(y.iter().all(|v: &f64| v.abs() < 1e-12));
//! ```

use crate::axis::check_axis;
use crate::error::{Result, SignalError, invalid};
use crate::filter::engine::{Layout, block_width};
use crate::float::Real;
use ndarray::{ArrayD, ArrayViewD, ArrayViewMut3};
use rayon::prelude::*;

/// The trend [`detrend`] removes.
///
/// ```
/// use xdas_signal::detrend::DetrendType;
/// assert_eq!(DetrendType::default(), DetrendType::Linear);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetrendType {
    /// The least-squares straight line (per segment between breakpoints).
    #[default]
    Linear,
    /// The mean.
    Constant,
}

/// Remove the trend of `kind` along `axis`.
///
/// With [`DetrendType::Linear`], `bp` lists breakpoints (indices along `axis`, each `<=`
/// the axis length): the least-squares line is fitted and removed separately on each
/// segment between consecutive breakpoints (scipy's `bp`). `bp` is ignored for
/// [`DetrendType::Constant`], as in scipy. Sums are accumulated in `f64`.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::detrend::{detrend, DetrendType};
/// let x = array![[1.0, 10.0], [3.0, 10.0]].into_dyn();
/// let y = detrend(x.view(), 0, DetrendType::Constant, &[]).unwrap();
/// assert_eq!(y, array![[-1.0, 0.0], [1.0, 0.0]].into_dyn());
/// // two segments, each a perfect line
/// let z = array![0.0, 1.0, 2.0, 10.0, 20.0, 30.0].into_dyn();
/// let d = detrend(z.view(), 0, DetrendType::Linear, &[3]).unwrap();
/// assert!(d.iter().all(|v: &f64| v.abs() < 1e-12));
/// ```
pub fn detrend<T: Real>(
    x: ArrayViewD<'_, T>,
    axis: usize,
    kind: DetrendType,
    bp: &[usize],
) -> Result<ArrayD<T>> {
    check_axis(axis, x.ndim())?;
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    let n = x.shape()[axis];
    let mut cuts: Vec<usize> = match kind {
        DetrendType::Constant => vec![0, n],
        DetrendType::Linear => {
            if let Some(b) = bp.iter().find(|&&b| b > n) {
                return Err(invalid(format!(
                    "breakpoint {b} is beyond the length {n} of the data along axis {axis}"
                )));
            }
            let mut c = vec![0, n];
            c.extend_from_slice(bp);
            c
        }
    };
    cuts.sort_unstable();
    cuts.dedup();
    let xs = x.as_standard_layout();
    let xsl = xs.as_slice().expect("standard layout");
    let lay = Layout::of(x.shape(), axis);
    let Layout { outer, inner, .. } = lay;
    let mut y = crate::buffers::output::<T>(x.shape());
    let ysl = y.as_slice_mut().expect("standard layout");
    let mut y3 = ArrayViewMut3::from_shape((outer, n, inner), ysl).expect("layout");
    let bw = block_width::<T>(inner);
    let tasks = crate::filter::engine::column_blocks(y3.view_mut(), bw);
    let linear = kind == DetrendType::Linear;
    tasks.into_par_iter().for_each(|(o, c0, mut blk)| {
        let w = blk.ncols();
        let row = |t: usize| &xsl[(o * n + t) * inner + c0..(o * n + t) * inner + c0 + w];
        let (mut sx, mut stx) = (vec![0.0f64; w], vec![0.0f64; w]);
        for seg in cuts.windows(2) {
            let (s, e) = (seg[0], seg[1]);
            let np = (e - s) as f64;
            // centred abscissa: the fit is mean + slope * (t - tc)
            let tc = (np - 1.0) / 2.0;
            sx.iter_mut().for_each(|v| *v = 0.0);
            stx.iter_mut().for_each(|v| *v = 0.0);
            for t in s..e {
                let dt = (t - s) as f64 - tc;
                for ((a, b), &v) in sx.iter_mut().zip(stx.iter_mut()).zip(row(t)) {
                    *a += v.to64();
                    *b += dt * v.to64();
                }
            }
            let stt = np * (np * np - 1.0) / 12.0;
            for (m, sl) in sx.iter_mut().zip(stx.iter_mut()) {
                *m /= np;
                *sl = if linear && stt > 0.0 { *sl / stt } else { 0.0 };
            }
            for t in s..e {
                let dt = (t - s) as f64 - tc;
                let mut yr = blk.row_mut(t);
                let out = yr.as_slice_mut().expect("contiguous row");
                for (((o, &v), &m), &sl) in out.iter_mut().zip(row(t)).zip(&sx).zip(&stx) {
                    *o = T::of(v.to64() - (m + sl * dt));
                }
            }
        }
    });
    Ok(y)
}
