//! `sosfilt`: cascaded second-order sections along one axis.

use super::engine::{self, Layout, RowKernel, load};
use crate::axis::check_axis;
use crate::error::{Result, SignalError, invalid};
use crate::float::Real;
use ndarray::{ArrayD, ArrayViewD};

/// Channels processed together by the kernels (a few SIMD vectors).
const LANES: usize = 8;

/// Check an `sos` array like scipy's `_validate_sos` (plus finiteness).
pub(crate) fn validate_sos(sos: &[[f64; 6]]) -> Result<()> {
    if sos.is_empty() {
        return Err(SignalError::Empty("sos has no sections".into()));
    }
    if sos.iter().flatten().any(|v| !v.is_finite()) {
        return Err(invalid("sos coefficients must be finite (no NaN or inf)"));
    }
    if sos.iter().any(|s| s[3] != 1.0) {
        return Err(invalid("sos[:, 3] should be all ones"));
    }
    Ok(())
}

/// The kernel of a cascade of sections (state: 2 per section, `j = 2 s + k`).
pub(crate) struct SosKernel<T> {
    /// per section: b0, b1, b2, a1, a2
    c: Vec<[T; 5]>,
}

impl<T: Real> SosKernel<T> {
    /// From a validated `sos`.
    pub(crate) fn new(sos: &[[f64; 6]]) -> Self {
        SosKernel {
            c: sos
                .iter()
                .map(|s| {
                    [
                        T::of(s[0]),
                        T::of(s[1]),
                        T::of(s[2]),
                        T::of(s[4]),
                        T::of(s[5]),
                    ]
                })
                .collect(),
        }
    }
}

impl<T: Real> RowKernel<T> for SosKernel<T> {
    fn nstate(&self) -> usize {
        2 * self.c.len()
    }
    #[inline(always)]
    fn tile(&self, x: Option<&[T]>, y: &mut [T], z: &mut [T], w: usize) {
        let c = &self.c[..];
        match c.len() {
            1 => sos_tile::<T, 1>(c, x, y, z, w),
            2 => sos_tile::<T, 2>(c, x, y, z, w),
            3 => sos_tile::<T, 3>(c, x, y, z, w),
            4 => sos_tile::<T, 4>(c, x, y, z, w),
            5 => sos_tile::<T, 5>(c, x, y, z, w),
            6 => sos_tile::<T, 6>(c, x, y, z, w),
            _ => {
                for o in (0..y.len()).step_by(w) {
                    for ch in 0..w {
                        let [xv] = load::<T, 1>(x, y, o + ch);
                        y[o + ch] = sos_one(c, xv, z, ch, w);
                    }
                }
            }
        }
    }
}

/// One step of one channel, scipy's `_sosfilt` order of operations:
/// `x' = b0 x + z0`, `z0 = (b1 x − a1 x') + z1`, `z1 = b2 x − a2 x'`.
#[inline(always)]
fn sos_one<T: Real>(c: &[[T; 5]], xv: T, z: &mut [T], ch: usize, w: usize) -> T {
    let mut cur = xv;
    for (s, q) in c.iter().enumerate() {
        let (i0, i1) = ((2 * s) * w + ch, (2 * s + 1) * w + ch);
        let new = q[0] * cur + z[i0];
        z[i0] = q[1] * cur - q[3] * new + z[i1];
        z[i1] = q[2] * cur - q[4] * new;
        cur = new;
    }
    cur
}

/// `S` sections over a `(rows, w)` tile: [`LANES`] channels at a time, their state held
/// in registers for all rows.
#[inline(always)]
fn sos_tile<T: Real, const S: usize>(
    c: &[[T; 5]],
    x: Option<&[T]>,
    y: &mut [T],
    z: &mut [T],
    w: usize,
) {
    match x {
        Some(x) => sos_tile_io::<T, S, false>(c, x, y, z, w),
        None => sos_tile_io::<T, S, true>(c, &[], y, z, w),
    }
}

#[inline(always)]
fn sos_tile_io<T: Real, const S: usize, const INPLACE: bool>(
    c: &[[T; 5]],
    x: &[T],
    y: &mut [T],
    z: &mut [T],
    w: usize,
) {
    assert!(INPLACE || x.len() == y.len());
    let x = if INPLACE { None } else { Some(x) };
    assert!(c.len() == S && z.len() == 2 * S * w && w > 0 && y.len() % w == 0);
    let q: [[T; 5]; S] = std::array::from_fn(|s| c[s]);
    let mut ch = 0;
    while ch + LANES <= w {
        let mut zs = [[[T::zero(); LANES]; 2]; S];
        for (s, zsec) in zs.iter_mut().enumerate() {
            for (k, zk) in zsec.iter_mut().enumerate() {
                let i = (2 * s + k) * w + ch;
                *zk = z[i..i + LANES].try_into().unwrap();
            }
        }
        for o in (ch..y.len()).step_by(w) {
            let mut cur: [T; LANES] = load(x, y, o);
            for (qs, zsec) in q.iter().zip(zs.iter_mut()) {
                let mut new = [T::zero(); LANES];
                for l in 0..LANES {
                    new[l] = qs[0] * cur[l] + zsec[0][l];
                    zsec[0][l] = qs[1] * cur[l] - qs[3] * new[l] + zsec[1][l];
                    zsec[1][l] = qs[2] * cur[l] - qs[4] * new[l];
                }
                cur = new;
            }
            y[o..o + LANES].copy_from_slice(&cur);
        }
        for (s, zsec) in zs.iter().enumerate() {
            for (k, zk) in zsec.iter().enumerate() {
                let i = (2 * s + k) * w + ch;
                z[i..i + LANES].copy_from_slice(zk);
            }
        }
        ch += LANES;
    }
    for ch in ch..w {
        for o in (ch..y.len()).step_by(w) {
            let [xv] = load::<T, 1>(x, y, o);
            y[o] = sos_one(&q, xv, z, ch, w);
        }
    }
}

/// Filter `x` along `axis` with cascaded second-order sections, like
/// `scipy.signal.sosfilt`.
///
/// Each row of `sos` is `[b0, b1, b2, a0, a1, a2]` with `a0 == 1`. `zi`, the initial
/// state, has shape `(n_sections, ..x.shape with axis length 2..)` exactly as in scipy;
/// when it is given the final state `zf` (same shape) is returned too.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::filter::sosfilt;
/// // one first-order section: y[n] = 0.5 x[n] + 0.5 y[n-1]
/// let sos = [[0.5, 0.0, 0.0, 1.0, -0.5, 0.0]];
/// let x = array![1.0, 1.0, 1.0].into_dyn();
/// let (y, _) = sosfilt(&sos, x.view(), 0, None).unwrap();
/// assert_eq!(y.as_slice().unwrap(), &[0.5, 0.75, 0.875]);
/// ```
pub fn sosfilt<T: Real>(
    sos: &[[f64; 6]],
    x: ArrayViewD<'_, T>,
    axis: usize,
    zi: Option<ArrayViewD<'_, T>>,
) -> Result<(ArrayD<T>, Option<ArrayD<T>>)> {
    check_axis(axis, x.ndim())?;
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    validate_sos(sos)?;
    let kernel = SosKernel::<T>::new(sos);
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
            let mut zshape = vec![sos.len()];
            zshape.extend_from_slice(x.shape());
            zshape[axis + 1] = 2;
            if zi.shape() != zshape.as_slice() {
                return Err(SignalError::Shape(format!(
                    "zi has shape {:?}; with axis={axis}, an input of shape {:?} and {} \
                     sections it must have shape {:?}",
                    zi.shape(),
                    x.shape(),
                    sos.len(),
                    zshape
                )));
            }
            let zi = zi.as_standard_layout();
            let zsl = zi.as_slice().expect("standard layout");
            let at = sos_state_index(lay);
            let zf = engine::run_from_state(&kernel, Some(xsl), ys, lay, zsl, &zshape, at);
            Ok((y, Some(zf)))
        }
    }
}

/// Flat index, in a standard-layout `(n_sections, ..2..)` state array, of state `j = 2 s
/// + k` of channel `ch`.
fn sos_state_index(lay: Layout) -> impl Fn(usize, usize) -> usize + Copy + Sync {
    let Layout { outer, inner, .. } = lay;
    move |ch: usize, j: usize| {
        let (s, k) = (j / 2, j % 2);
        let (o, c) = (ch / inner, ch % inner);
        ((s * outer + o) * 2 + k) * inner + c
    }
}

/// [`sosfilt`] in place, from the state `zi` (shape as in [`sosfilt`]): `x` is
/// overwritten by the output and the final state is returned. `x` must be in standard
/// (C) layout.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::filter::{sosfilt, sosfilt_inplace};
/// let sos = [[0.5, 0.0, 0.0, 1.0, -0.5, 0.0]];
/// let x = array![[1.0, 2.0], [3.0, 4.0]].into_dyn();
/// let zi = ndarray::ArrayD::<f64>::zeros(vec![1, 2, 2]);
/// let (want, wzf) = sosfilt(&sos, x.view(), 0, Some(zi.view())).unwrap();
/// let mut y = x.clone();
/// let zf = sosfilt_inplace(&sos, y.view_mut(), 0, zi.view()).unwrap();
/// assert_eq!((y, Some(zf)), (want, wzf));
/// ```
pub fn sosfilt_inplace<T: Real>(
    sos: &[[f64; 6]],
    mut x: ndarray::ArrayViewMutD<'_, T>,
    axis: usize,
    zi: ArrayViewD<'_, T>,
) -> Result<ArrayD<T>> {
    check_axis(axis, x.ndim())?;
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    validate_sos(sos)?;
    let kernel = SosKernel::<T>::new(sos);
    let lay = Layout::of(x.shape(), axis);
    let mut zshape = vec![sos.len()];
    zshape.extend_from_slice(x.shape());
    zshape[axis + 1] = 2;
    if zi.shape() != zshape.as_slice() {
        return Err(SignalError::Shape(format!(
            "zi has shape {:?}, expected {:?}",
            zi.shape(),
            zshape
        )));
    }
    let zi = zi.as_standard_layout();
    let zsl = zi.as_slice().expect("standard layout");
    let ys = x.as_slice_mut().ok_or_else(|| {
        SignalError::Shape("in-place filtering needs a C-contiguous array".into())
    })?;
    let at = sos_state_index(lay);
    Ok(engine::run_from_state(
        &kernel, None, ys, lay, zsl, &zshape, at,
    ))
}
