//! Forward-backward (zero-phase) filtering: `filtfilt` (pad and Gustafsson methods) and
//! `sosfiltfilt`.

use super::engine::{self, Layout, RowKernel};
use super::lfilter::{BaKernel, normalise_ba};
use super::sosfilt::{SosKernel, validate_sos};
use super::zi::{lfilter_zi, sosfilt_zi};
use crate::axis::{check_axis, map_lanes};
use crate::error::{Result, SignalError, invalid};
use crate::float::Real;
use nalgebra::{DMatrix, DVector};
use ndarray::{ArrayD, ArrayViewD, IxDyn};
use rayon::prelude::*;

/// How `filtfilt` / `sosfiltfilt` extend the signal at both ends before filtering
/// (scipy's `padtype`).
///
/// ```
/// use xdas_signal::filter::PadType;
/// assert_ne!(PadType::Odd, PadType::None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PadType {
    /// Point-symmetric about the end samples: `2 x[0] − x[k]` (scipy's default).
    #[default]
    Odd,
    /// Mirror-symmetric about the end samples: `x[k]`.
    Even,
    /// The end samples repeated.
    Constant,
    /// No extension (`padtype=None`; `padlen` is ignored).
    None,
}

/// scipy's `_validate_pad`: the extension length (`edge`) after checking it against the
/// signal length.
fn validate_pad(padtype: PadType, padlen: Option<usize>, n: usize, ntaps: usize) -> Result<usize> {
    let edge = match (padtype, padlen) {
        (PadType::None, _) => 0,
        (_, Some(p)) => p,
        (_, None) => 3 * ntaps,
    };
    if n <= edge {
        return Err(invalid(format!(
            "The length of the input vector x must be greater than padlen, which is {edge}."
        )));
    }
    Ok(edge)
}

/// `x` extended by `edge` samples at both ends of `axis` (standard layout, `(outer, n +
/// 2 edge, inner)`).
fn extend<T: Real>(x: &[T], lay: Layout, edge: usize, padtype: PadType) -> Vec<T> {
    let Layout { outer, n, inner } = lay;
    let ne = n + 2 * edge;
    let mut out = crate::buffers::zeroed::<T>(outer * ne * inner);
    let two = T::of(2.0);
    let per = rows_per_task(inner);
    out.par_chunks_mut(per * inner)
        .enumerate()
        .for_each(|(k, chunk)| {
            for (i, row) in chunk.chunks_exact_mut(inner).enumerate() {
                let gr = k * per + i;
                let (o, t) = (gr / ne, gr % ne);
                let src = |t: usize| &x[(o * n + t) * inner..(o * n + t + 1) * inner];
                if (edge..edge + n).contains(&t) {
                    row.copy_from_slice(src(t - edge));
                    continue;
                }
                // left: x[edge - t] about x[0]; right: x[n - 2 - r] about x[n - 1]
                let (end, mirror) = if t < edge {
                    (src(0), src(edge - t))
                } else {
                    (src(n - 1), src(n - 2 - (t - edge - n)))
                };
                for ((v, &e), &m) in row.iter_mut().zip(end).zip(mirror) {
                    *v = match padtype {
                        PadType::Odd => two * e - m,
                        PadType::Even => m,
                        PadType::Constant | PadType::None => e,
                    };
                }
            }
        });
    out
}

/// Rows per parallel copy task: about 64 KiB of data.
fn rows_per_task(inner: usize) -> usize {
    (8192 / inner.max(1)).max(1)
}

/// Filter forward then backward along `axis`, the state started at `zvec[j] · x0` (the
/// first sample of each channel) forwards and `zvec[j] · y0` (the last output)
/// backwards, like scipy's filtfilt/sosfiltfilt with the "pad" method. Only every
/// `step`-th output sample is kept (`[::step]`, for decimation).
fn forward_backward<T: Real, K: RowKernel<T>>(
    kernel: &K,
    zvec: &[f64],
    x: ArrayViewD<'_, T>,
    axis: usize,
    padtype: PadType,
    edge: usize,
    step: usize,
) -> ArrayD<T> {
    let xs = x.as_standard_layout();
    let lay = Layout::of(x.shape(), axis);
    let (n, inner) = (lay.n, lay.inner);
    let ne = n + 2 * edge;
    let elay = lay.with_n(ne);
    let mut buf = if edge > 0 {
        extend(xs.as_slice().expect("standard layout"), lay, edge, padtype)
    } else {
        let src = xs.as_slice().expect("standard layout");
        let mut v = crate::buffers::zeroed::<T>(src.len());
        v.par_chunks_mut(1 << 14)
            .zip(src.par_chunks(1 << 14))
            .for_each(|(d, s)| d.copy_from_slice(s));
        v
    };
    let zt: Vec<T> = zvec.iter().map(|&v| T::of(v)).collect();
    // the value of row t of each channel
    let row_values = |buf: &[T], t: usize| -> Vec<T> {
        (0..elay.lanes())
            .map(|ch| buf[((ch / inner) * ne + t) * inner + ch % inner])
            .collect()
    };
    let scaled = |ends: &[T]| {
        let zt = &zt;
        let ends = ends.to_vec();
        move |ch0: usize, w: usize, z: &mut [T]| {
            for (j, &zj) in zt.iter().enumerate() {
                for c in 0..w {
                    z[j * w + c] = zj * ends[ch0 + c];
                }
            }
        }
    };
    let x0 = row_values(&buf, 0);
    engine::run(kernel, None, &mut buf, elay, false, &scaled(&x0), false);
    let y0 = row_values(&buf, ne - 1);
    engine::run(kernel, None, &mut buf, elay, true, &scaled(&y0), false);
    let mut shape = x.shape().to_vec();
    if edge == 0 && step == 1 {
        return ArrayD::from_shape_vec(IxDyn(&shape), buf).expect("shape");
    }
    let nk = n.div_ceil(step);
    let mut out = crate::buffers::zeroed::<T>(lay.outer * nk * inner);
    let per = rows_per_task(inner);
    out.par_chunks_mut(per * inner)
        .enumerate()
        .for_each(|(k, chunk)| {
            for (i, row) in chunk.chunks_exact_mut(inner).enumerate() {
                let gr = k * per + i;
                let (o, t) = (gr / nk, gr % nk * step);
                let off = (o * ne + edge + t) * inner;
                row.copy_from_slice(&buf[off..off + inner]);
            }
        });
    shape[axis] = nk;
    ArrayD::from_shape_vec(IxDyn(&shape), out).expect("shape")
}

fn check_x<T>(x: &ArrayViewD<'_, T>, axis: usize) -> Result<()> {
    check_axis(axis, x.ndim())?;
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    Ok(())
}

/// Zero-phase filtering with `b / a` applied forward and backward along `axis`, like
/// `scipy.signal.filtfilt(b, a, x, axis, padtype, padlen, method="pad")`.
///
/// The signal is extended by `padlen` samples at both ends (default `3 · max(len a, len
/// b)`; none with [`PadType::None`]); the filter state starts at the steady state of
/// [`lfilter_zi`](super::lfilter_zi) scaled by the end sample. `padlen` must be smaller
/// than the axis length (scipy's error otherwise).
///
/// ```
/// use ndarray::Array1;
/// use xdas_signal::filter::{filtfilt, PadType};
/// let x = Array1::from_elem(50, 2.0).into_dyn();
/// let (b, a) = ([0.2, 0.2], [1.0, -0.6]);
/// let y = filtfilt(&b, &a, x.view(), 0, PadType::Odd, None).unwrap();
/// assert!(y.iter().all(|v: &f64| (v - 2.0).abs() < 1e-12)); // DC gain 1, no transient
/// ```
pub fn filtfilt<T: Real>(
    b: &[f64],
    a: &[f64],
    x: ArrayViewD<'_, T>,
    axis: usize,
    padtype: PadType,
    padlen: Option<usize>,
) -> Result<ArrayD<T>> {
    check_x(&x, axis)?;
    let (bn, an) = normalise_ba(b, a)?;
    let edge = validate_pad(padtype, padlen, x.shape()[axis], a.len().max(b.len()))?;
    let zi = lfilter_zi(b, a)?;
    Ok(forward_backward(
        &BaKernel::<T>::new(&bn, &an),
        &zi,
        x,
        axis,
        padtype,
        edge,
        1,
    ))
}

/// Zero-phase filtering with second-order sections, forward and backward along `axis`,
/// like `scipy.signal.sosfiltfilt(sos, x, axis, padtype, padlen)`.
///
/// The default `padlen` is `3 · (2 n_sections + 1 − min(#(b2 == 0), #(a2 == 0)))`, as in
/// scipy.
///
/// ```
/// use ndarray::Array1;
/// use xdas_signal::filter::{sosfiltfilt, PadType};
/// let sos = [[0.2, 0.2, 0.0, 1.0, -0.6, 0.0]];
/// let x = Array1::from_elem(50, 2.0).into_dyn();
/// let y = sosfiltfilt(&sos, x.view(), 0, PadType::Even, None).unwrap();
/// assert!(y.iter().all(|v: &f64| (v - 2.0).abs() < 1e-12));
/// ```
pub fn sosfiltfilt<T: Real>(
    sos: &[[f64; 6]],
    x: ArrayViewD<'_, T>,
    axis: usize,
    padtype: PadType,
    padlen: Option<usize>,
) -> Result<ArrayD<T>> {
    sosfiltfilt_step(sos, x, axis, padtype, padlen, 1)
}

/// [`sosfiltfilt`] keeping every `step`-th output sample along `axis` (`[::step]`).
pub(crate) fn sosfiltfilt_step<T: Real>(
    sos: &[[f64; 6]],
    x: ArrayViewD<'_, T>,
    axis: usize,
    padtype: PadType,
    padlen: Option<usize>,
    step: usize,
) -> Result<ArrayD<T>> {
    check_x(&x, axis)?;
    validate_sos(sos)?;
    let zb = sos.iter().filter(|s| s[2] == 0.0).count();
    let za = sos.iter().filter(|s| s[5] == 0.0).count();
    let ntaps = 2 * sos.len() + 1 - zb.min(za);
    let edge = validate_pad(padtype, padlen, x.shape()[axis], ntaps)?;
    let zi: Vec<f64> = sosfilt_zi(sos)?.into_iter().flatten().collect();
    Ok(forward_backward(
        &SosKernel::<T>::new(sos),
        &zi,
        x,
        axis,
        padtype,
        edge,
        step.max(1),
    ))
}

/// 1-D DF2T in f64 with normalised, equal-length `b`, `a` and state `z` (updated).
fn lfilter1(b: &[f64], a: &[f64], x: &[f64], z: &mut [f64]) -> Vec<f64> {
    let k = b.len() - 1;
    x.iter()
        .map(|&xv| {
            if k == 0 {
                return xv * b[0];
            }
            let yv = z[0] + b[0] * xv;
            for j in 0..k - 1 {
                z[j] = z[j + 1] + xv * b[j + 1] - yv * a[j + 1];
            }
            z[k - 1] = xv * b[k] - yv * a[k];
            yv
        })
        .collect()
}

fn lfilter1_zero(b: &[f64], a: &[f64], x: &[f64]) -> Vec<f64> {
    let mut z = vec![0.0; b.len() - 1];
    lfilter1(b, a, x, &mut z)
}

fn reversed(v: &[f64]) -> Vec<f64> {
    v.iter().rev().copied().collect()
}

/// Zero-phase filtering with `b / a` forward and backward along `axis` using
/// Gustafsson's initial conditions, like `scipy.signal.filtfilt(b, a, x, axis,
/// method="gust", irlen=irlen)`.
///
/// The initial states of both passes are chosen so that forward-backward and
/// backward-forward filtering agree (least squares); `irlen` truncates the impulse
/// response used to compute them (`None`: the whole signal). Computed in `f64`.
///
/// ```
/// use ndarray::Array1;
/// use xdas_signal::filter::filtfilt_gust;
/// let x = Array1::from_elem(40, 1.0).into_dyn();
/// let y = filtfilt_gust(&[0.2, 0.2], &[1.0, -0.6], x.view(), 0, None).unwrap();
/// assert!(y.iter().all(|v: &f64| (v - 1.0).abs() < 1e-10));
/// ```
pub fn filtfilt_gust<T: Real>(
    b: &[f64],
    a: &[f64],
    x: ArrayViewD<'_, T>,
    axis: usize,
    irlen: Option<usize>,
) -> Result<ArrayD<T>> {
    check_x(&x, axis)?;
    let (b, a) = normalise_ba(b, a)?;
    let order = b.len() - 1;
    let n = x.shape()[axis];
    if order == 0 {
        let scale = b[0] * b[0];
        return Ok(x.mapv(|v| T::of(scale * v.to64())));
    }
    let m = match irlen {
        Some(l) if n > 2 * l => l,
        _ => n,
    };
    if m == 0 {
        return Err(invalid("irlen must be positive"));
    }
    // observability matrix: the zero-input response of each unit initial state
    let mut e0 = vec![0.0; order];
    e0[0] = 1.0;
    let o0 = lfilter1(&b, &a, &vec![0.0; m], &mut e0);
    let obs = DMatrix::from_fn(m, order, |i, k| if i >= k { o0[i - k] } else { 0.0 });
    let obsr = DMatrix::from_fn(m, order, |i, k| obs[(m - 1 - i, k)]);
    // S: the filter applied to the reversed columns of Obs
    let mut s = DMatrix::zeros(m, order);
    for k in 0..order {
        let col: Vec<f64> = (0..m).map(|i| obs[(m - 1 - i, k)]).collect();
        let f = lfilter1_zero(&b, &a, &col);
        for i in 0..m {
            s[(i, k)] = f[i];
        }
    }
    let sr = DMatrix::from_fn(m, order, |i, k| s[(m - 1 - i, k)]);
    let rows = if m == n { m } else { 2 * m };
    let mut mm = DMatrix::zeros(rows, 2 * order);
    let mut ww = DMatrix::zeros(rows, 2 * order);
    for i in 0..m {
        for k in 0..order {
            let (ri, ci) = if m == n {
                (i, order + k)
            } else {
                (m + i, order + k)
            };
            mm[(i, k)] = sr[(i, k)] - obs[(i, k)];
            mm[(ri, ci)] = obsr[(i, k)] - s[(i, k)];
            ww[(i, k)] = sr[(i, k)];
            ww[(ri, ci)] = obsr[(i, k)];
        }
    }
    let svd = mm.svd(true, true);
    let smax = svd.singular_values.max();
    let eps = f64::EPSILON * rows.max(2 * order) as f64 * smax;
    let pinv = svd
        .pseudo_inverse(eps)
        .map_err(|e| invalid(e.to_string()))?;
    let (bb, aa) = (&b[..], &a[..]);
    map_lanes(x, axis, n, |lane: &[T], out: &mut [T]| {
        let xv: Vec<f64> = lane.iter().map(|v| v.to64()).collect();
        let yf = lfilter1_zero(bb, aa, &xv);
        let mut yfb = reversed(&lfilter1_zero(bb, aa, &reversed(&yf)));
        let yb = reversed(&lfilter1_zero(bb, aa, &reversed(&xv)));
        let ybf = lfilter1_zero(bb, aa, &yb);
        let delta: DVector<f64> = if m == n {
            DVector::from_fn(n, |i, _| ybf[i] - yfb[i])
        } else {
            DVector::from_fn(2 * m, |i, _| {
                let t = if i < m { i } else { n - 2 * m + i };
                ybf[t] - yfb[t]
            })
        };
        let ic = &pinv * delta;
        let wic = &ww * ic;
        if m == n {
            for i in 0..n {
                yfb[i] += wic[i];
            }
        } else {
            for i in 0..m {
                yfb[i] += wic[i];
                yfb[n - m + i] += wic[m + i];
            }
        }
        for (o, v) in out.iter_mut().zip(&yfb) {
            *o = T::of(*v);
        }
    })
}
