//! `lfilter`: direct form II transposed IIR/FIR filtering along one axis.

use super::engine::{self, Layout, RowKernel, load};
use crate::axis::check_axis;
use crate::error::{Result, SignalError, invalid};
use crate::float::Real;
use ndarray::{ArrayD, ArrayViewD, IxDyn};

/// Channels processed together by the kernels (a few SIMD vectors).
const LANES: usize = 8;

/// Check `b`, `a` and return them normalised by `a[0]` and zero-padded to the same length.
pub(crate) fn normalise_ba(b: &[f64], a: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
    if b.is_empty() {
        return Err(SignalError::Empty("numerator b".into()));
    }
    if a.is_empty() {
        return Err(SignalError::Empty("denominator a".into()));
    }
    if b.iter().chain(a).any(|v| !v.is_finite()) {
        return Err(invalid(
            "filter coefficients must be finite (no NaN or inf)",
        ));
    }
    if a[0] == 0.0 {
        return Err(invalid("a[0] must not be zero"));
    }
    let n = a.len().max(b.len());
    let a0 = a[0];
    let mut bn: Vec<f64> = b.iter().map(|v| v / a0).collect();
    let mut an: Vec<f64> = a.iter().map(|v| v / a0).collect();
    bn.resize(n, 0.0);
    an.resize(n, 0.0);
    Ok((bn, an))
}

/// Highest order with a kernel specialised for it (state in registers).
const MAX_K: usize = 8;

/// The DF2T kernel of normalised, equal-length `b`, `a` (state length `len − 1`).
pub(crate) struct BaKernel<T> {
    b: Vec<T>,
    a: Vec<T>,
    /// `b`, `a` zero-padded to `MAX_K + 1` (for the specialised kernels)
    b9: [T; MAX_K + 1],
    a9: [T; MAX_K + 1],
}

impl<T: Real> BaKernel<T> {
    /// From coefficients already normalised by [`normalise_ba`].
    pub(crate) fn new(b: &[f64], a: &[f64]) -> Self {
        debug_assert_eq!(b.len(), a.len());
        let pad = |v: &[f64]| std::array::from_fn(|i| T::of(v.get(i).copied().unwrap_or(0.0)));
        BaKernel {
            b: b.iter().map(|&v| T::of(v)).collect(),
            a: a.iter().map(|&v| T::of(v)).collect(),
            b9: pad(b),
            a9: pad(a),
        }
    }
}

impl<T: Real> RowKernel<T> for BaKernel<T> {
    fn nstate(&self) -> usize {
        self.b.len() - 1
    }
    #[inline(always)]
    fn tile(&self, x: Option<&[T]>, y: &mut [T], z: &mut [T], w: usize) {
        let (b, a) = (&self.b9, &self.a9);
        match self.b.len() - 1 {
            0 => {
                let b0 = self.b[0];
                match x {
                    Some(x) => y.iter_mut().zip(x).for_each(|(yv, &xv)| *yv = xv * b0),
                    None => y.iter_mut().for_each(|yv| *yv *= b0),
                }
            }
            1 => ba_tile::<T, 1>(b, a, x, y, z, w),
            2 => ba_tile::<T, 2>(b, a, x, y, z, w),
            3 => ba_tile::<T, 3>(b, a, x, y, z, w),
            4 => ba_tile::<T, 4>(b, a, x, y, z, w),
            5 => ba_tile::<T, 5>(b, a, x, y, z, w),
            6 => ba_tile::<T, 6>(b, a, x, y, z, w),
            7 => ba_tile::<T, 7>(b, a, x, y, z, w),
            8 => ba_tile::<T, 8>(b, a, x, y, z, w),
            _ => {
                for o in (0..y.len()).step_by(w) {
                    for c in 0..w {
                        let [xv] = load::<T, 1>(x, y, o + c);
                        y[o + c] = ba_one(&self.b, &self.a, xv, z, c, w);
                    }
                }
            }
        }
    }
}

/// One DF2T step for one channel with state `z[k * w]` — the reference order of
/// operations (scipy's `lfilter`): `y = z0 + b0 x`, `z_k = (z_{k+1} + x b_{k+1}) − y
/// a_{k+1}`, `z_{K−1} = x b_K − y a_K`.
#[inline(always)]
fn ba_one<T: Real>(b: &[T], a: &[T], xv: T, z: &mut [T], c: usize, w: usize) -> T {
    let k = b.len() - 1;
    let yv = z[c] + b[0] * xv;
    for j in 0..k - 1 {
        z[j * w + c] = z[(j + 1) * w + c] + xv * b[j + 1] - yv * a[j + 1];
    }
    z[(k - 1) * w + c] = xv * b[k] - yv * a[k];
    yv
}

/// Order `K` (1 ..= [`MAX_K`]) over a `(rows, w)` tile: [`LANES`] channels at a time,
/// their state held in registers for all rows.
#[inline(always)]
fn ba_tile<T: Real, const K: usize>(
    b: &[T; MAX_K + 1],
    a: &[T; MAX_K + 1],
    x: Option<&[T]>,
    y: &mut [T],
    z: &mut [T],
    w: usize,
) {
    match x {
        Some(x) => ba_tile_l::<T, K, LANES, false>(b, a, x, y, z, w),
        None => ba_tile_l::<T, K, LANES, true>(b, a, &[], y, z, w),
    }
}

#[inline(always)]
fn ba_tile_l<T: Real, const K: usize, const LANES: usize, const INPLACE: bool>(
    b: &[T; MAX_K + 1],
    a: &[T; MAX_K + 1],
    x: &[T],
    y: &mut [T],
    z: &mut [T],
    w: usize,
) {
    assert!(INPLACE || x.len() == y.len());
    let x = if INPLACE { None } else { Some(x) };
    assert!(z.len() == K * w && w > 0 && y.len() % w == 0);
    let mut c = 0;
    while c + LANES <= w {
        let mut zs = [[T::zero(); LANES]; K];
        for (j, zj) in zs.iter_mut().enumerate() {
            *zj = z[j * w + c..j * w + c + LANES].try_into().unwrap();
        }
        for o in (c..y.len()).step_by(w) {
            let xv: [T; LANES] = load(x, y, o);
            let mut yv = [T::zero(); LANES];
            for l in 0..LANES {
                yv[l] = zs[0][l] + b[0] * xv[l];
            }
            for j in 0..K - 1 {
                for l in 0..LANES {
                    zs[j][l] = zs[j + 1][l] + xv[l] * b[j + 1] - yv[l] * a[j + 1];
                }
            }
            for l in 0..LANES {
                zs[K - 1][l] = xv[l] * b[K] - yv[l] * a[K];
            }
            y[o..o + LANES].copy_from_slice(&yv);
        }
        for (j, zj) in zs.iter().enumerate() {
            z[j * w + c..j * w + c + LANES].copy_from_slice(zj);
        }
        c += LANES;
    }
    for c in c..w {
        for o in (c..y.len()).step_by(w) {
            let [xv] = load::<T, 1>(x, y, o);
            y[o] = ba_one(&b[..=K], &a[..=K], xv, z, c, w);
        }
    }
}

/// Filter `x` along `axis` with the IIR or FIR filter `b / a` (direct form II transposed,
/// normalised by `a[0]`), like `scipy.signal.lfilter`.
///
/// `zi` is the initial state: `x`'s shape with the `axis` length `max(len a, len b) − 1`
/// (dimensions of length 1 broadcast, as in scipy). When `zi` is given the final state
/// `zf` (same shape) is returned too. Runs in `T` with the coefficients rounded to `T`.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::filter::lfilter;
/// // y[n] = 0.5 x[n] + 0.5 y[n-1]
/// let x = array![1.0, 1.0, 1.0].into_dyn();
/// let (y, zf) = lfilter(&[0.5], &[1.0, -0.5], x.view(), 0, None).unwrap();
/// assert_eq!(y.as_slice().unwrap(), &[0.5, 0.75, 0.875]);
/// assert!(zf.is_none());
/// ```
pub fn lfilter<T: Real>(
    b: &[f64],
    a: &[f64],
    x: ArrayViewD<'_, T>,
    axis: usize,
    zi: Option<ArrayViewD<'_, T>>,
) -> Result<(ArrayD<T>, Option<ArrayD<T>>)> {
    check_axis(axis, x.ndim())?;
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    let (bn, an) = normalise_ba(b, a)?;
    let order = bn.len() - 1;
    let kernel = BaKernel::<T>::new(&bn, &an);
    let xs = x.as_standard_layout();
    let lay = Layout::of(x.shape(), axis);
    let mut y = crate::buffers::output::<T>(x.shape());
    let ys = y.as_slice_mut().expect("standard layout");
    let xsl = xs.as_slice().expect("standard layout");
    match zi {
        None => {
            engine::run(&kernel, Some(xsl), ys, lay, false, &|_, _, _| {}, false);
            Ok((y, None))
        }
        Some(zi) => {
            let mut zshape = x.shape().to_vec();
            zshape[axis] = order;
            let zi = broadcast_zi(zi, &zshape, axis)?;
            let zsl = zi.as_slice().expect("standard layout");
            let inner = lay.inner;
            // flat index of state j of channel ch in the (outer, order, inner) zi array
            let at = move |ch: usize, j: usize| (ch / inner * order + j) * inner + ch % inner;
            let zf = engine::run_from_state(&kernel, Some(xsl), ys, lay, zsl, &zshape, at);
            Ok((y, Some(zf)))
        }
    }
}

/// `zi` in standard layout with exactly `shape` (length-1 dimensions broadcast).
pub(crate) fn broadcast_zi<T: Real>(
    zi: ArrayViewD<'_, T>,
    shape: &[usize],
    axis: usize,
) -> Result<ArrayD<T>> {
    let bad = || {
        SignalError::Shape(format!(
            "zi has shape {:?}, expected {:?}",
            zi.shape(),
            shape
        ))
    };
    if zi.ndim() != shape.len() || zi.shape()[axis] != shape[axis] {
        return Err(bad());
    }
    if zi.shape() == shape {
        return Ok(zi.as_standard_layout().into_owned());
    }
    let ok = zi
        .shape()
        .iter()
        .zip(shape)
        .all(|(&have, &want)| have == want || have == 1);
    if !ok {
        return Err(bad());
    }
    let b = zi.broadcast(IxDyn(shape)).ok_or_else(bad)?;
    Ok(b.as_standard_layout().into_owned())
}

/// [`lfilter`] in place, from the state `zi` (shape as in [`lfilter`]): `x` is
/// overwritten by the output and the final state is returned. Streaming filters use it
/// to avoid a new output array per chunk. `x` must be in standard (C) layout.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::filter::{lfilter, lfilter_inplace};
/// let x = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]].into_dyn();
/// let zi = ndarray::ArrayD::<f32>::zeros(vec![1, 2]);
/// let (want, wzf) = lfilter(&[0.5], &[1.0, -0.5], x.view(), 0, Some(zi.view())).unwrap();
/// let mut y = x.clone();
/// let zf = lfilter_inplace(&[0.5], &[1.0, -0.5], y.view_mut(), 0, zi.view()).unwrap();
/// assert_eq!(y, want);
/// assert_eq!(Some(zf), wzf);
/// ```
pub fn lfilter_inplace<T: Real>(
    b: &[f64],
    a: &[f64],
    mut x: ndarray::ArrayViewMutD<'_, T>,
    axis: usize,
    zi: ArrayViewD<'_, T>,
) -> Result<ArrayD<T>> {
    check_axis(axis, x.ndim())?;
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    let (bn, an) = normalise_ba(b, a)?;
    let order = bn.len() - 1;
    let kernel = BaKernel::<T>::new(&bn, &an);
    let lay = Layout::of(x.shape(), axis);
    let mut zshape = x.shape().to_vec();
    zshape[axis] = order;
    let zi = broadcast_zi(zi, &zshape, axis)?;
    let zsl = zi.as_slice().expect("standard layout");
    let ys = x.as_slice_mut().ok_or_else(|| {
        SignalError::Shape("in-place filtering needs a C-contiguous array".into())
    })?;
    let inner = lay.inner;
    let at = move |ch: usize, j: usize| (ch / inner * order + j) * inner + ch % inner;
    Ok(engine::run_from_state(
        &kernel, None, ys, lay, zsl, &zshape, at,
    ))
}
