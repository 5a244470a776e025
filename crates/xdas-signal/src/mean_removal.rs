//! Sliding and segment mean removal (`xdas.signal.sliding_mean_removal` /
//! `segment_mean_removal`).
//!
//! Both subtract a window-weighted mean; the weights are periodic windows
//! (`scipy.signal.get_window(window, n)`, `fftbins=True`). Means are computed in `f64`
//! (xdas's window is `f64`, so numpy promotes) and the result is rounded to `T`.
//!
//! The sliding mean is a convolution: short windows are summed directly (more accurate
//! than scipy's `fftconvolve`; the two agree to ~1e-15 of the signal), long ones
//! ([`DIRECT_MAX`] samples and more) through real FFTs.

use crate::axis::map_lanes;
use crate::axis::{check_input, lane, lane_mut, standard, unview3, view3, walk_blocks};
use crate::buffers::zeros3;
use crate::error::{Result, invalid};
use crate::float::Real;
use crate::window::{Window, get_window};
use ndarray::{ArrayD, ArrayViewD};
use num_complex::Complex;
use realfft::RealFftPlanner;

/// Sliding windows shorter than this are convolved directly.
pub const DIRECT_MAX: usize = 64;

/// How [`sliding_mean_removal`] extends the signal beyond its ends (`numpy.pad` modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum PadMode {
    /// Mirror without repeating the edge sample: `[3 2 | 1 2 3 | 2 1]` (xdas's default).
    #[default]
    Reflect,
    /// Mirror repeating the edge sample: `[2 1 | 1 2 3 | 3 2]`.
    Symmetric,
    /// Zeros.
    Constant,
    /// Repeat the edge sample.
    Edge,
    /// Periodic continuation.
    Wrap,
}

impl PadMode {
    /// From numpy's name (`"reflect"`, `"symmetric"`, `"constant"`, `"edge"`, `"wrap"`).
    ///
    /// ```
    /// use xdas_signal::mean_removal::PadMode;
    /// assert_eq!(PadMode::parse("edge").unwrap(), PadMode::Edge);
    /// assert!(PadMode::parse("mean").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "reflect" => Ok(PadMode::Reflect),
            "symmetric" => Ok(PadMode::Symmetric),
            "constant" => Ok(PadMode::Constant),
            "edge" => Ok(PadMode::Edge),
            "wrap" => Ok(PadMode::Wrap),
            _ => Err(invalid(format!(
                "unsupported pad mode {name:?} (reflect, symmetric, constant, edge, wrap)"
            ))),
        }
    }

    /// The source index of padded position `i` (relative to the first sample) in a
    /// signal of `len` samples, as `numpy.pad`; `None` for a zero.
    fn source(self, i: isize, len: usize) -> Option<usize> {
        let n = len as isize;
        if (0..n).contains(&i) {
            return Some(i as usize);
        }
        match self {
            PadMode::Constant => None,
            PadMode::Edge => Some(if i < 0 { 0 } else { len - 1 }),
            PadMode::Wrap => Some(i.rem_euclid(n) as usize),
            PadMode::Reflect => {
                if len == 1 {
                    return Some(0);
                }
                let p = 2 * (n - 1);
                let m = i.rem_euclid(p);
                Some(if m < n { m } else { p - m } as usize)
            }
            PadMode::Symmetric => {
                let p = 2 * n;
                let m = i.rem_euclid(p);
                Some(if m < n { m } else { p - 1 - m } as usize)
            }
        }
    }
}

/// Subtract a sliding weighted mean along `axis`: `x − fftconvolve(pad(x, n/2, pad_mode),
/// w/Σw, "valid")` with `w = get_window(window, n)` (periodic) over `n` samples.
///
/// `n` must be odd (xdas takes `round(wlen/d)` and adds one when even; that is the
/// caller's job).
///
/// ```
/// use ndarray::Array1;
/// use xdas_signal::mean_removal::{sliding_mean_removal, PadMode};
/// use xdas_signal::window::Window;
/// let x = Array1::from_shape_fn(50, |i| 3.0 + (i as f64 * 2.0).sin()).into_dyn();
/// let y = sliding_mean_removal(x.view(), 11, &Window::Boxcar, PadMode::Reflect, 0).unwrap();
/// let mean = y.iter().sum::<f64>() / 50.0;
/// assert!(mean.abs() < 0.1); // the offset of 3 is gone
/// ```
pub fn sliding_mean_removal<T: Real>(
    x: ArrayViewD<'_, T>,
    n: usize,
    window: &Window,
    pad_mode: PadMode,
    axis: usize,
) -> Result<ArrayD<T>> {
    check_input(&x, axis, "sliding_mean_removal")?;
    if n % 2 != 1 {
        return Err(invalid(format!(
            "sliding_mean_removal: the window length must be odd, got {n}"
        )));
    }
    let mut w = get_window(window, n, true)?;
    let sw: f64 = w.iter().sum();
    if !(sw.is_finite() && sw != 0.0) {
        return Err(invalid("sliding_mean_removal: the window sums to zero"));
    }
    for v in &mut w {
        *v /= sw;
    }
    let len = x.shape()[axis];
    let h = (n / 2) as isize;
    // the kernel reversed: y[i] = Σ_k xp[i + k] · w[n − 1 − k]
    let wr: Vec<f64> = w.iter().rev().copied().collect();
    // padded position i + k − h for k in 0..n, i in 0..len
    let src = |p: isize| pad_mode.source(p, len);
    if n < DIRECT_MAX {
        let xs = standard(&x);
        let x3 = view3(&xs, axis);
        let mut out = zeros3::<T>(x3.dim());
        walk_blocks(x3, &mut out, |xb, mut ob| {
            if let (Some(xl), Some(ol)) = (lane(&xb), lane_mut(&mut ob)) {
                for (i, o) in ol.iter_mut().enumerate() {
                    let mut acc = 0.0f64;
                    for (k, &wk) in wr.iter().enumerate() {
                        if let Some(s) = src(i as isize + k as isize - h) {
                            acc += xl[s].to64() * wk;
                        }
                    }
                    *o = T::of(xl[i].to64() - acc);
                }
                return;
            }
            let width = xb.ncols();
            let mut acc = vec![0.0f64; width];
            for i in 0..len {
                acc.fill(0.0);
                for (k, &wk) in wr.iter().enumerate() {
                    if let Some(s) = src(i as isize + k as isize - h) {
                        let r = xb.row(s);
                        for (a, &v) in acc.iter_mut().zip(r.to_slice().expect("contiguous rows")) {
                            *a += v.to64() * wk;
                        }
                    }
                }
                let r = xb.row(i);
                let mut or = ob.row_mut(i);
                let or = or.as_slice_mut().expect("contiguous rows");
                for ((o, &v), &a) in or
                    .iter_mut()
                    .zip(r.to_slice().expect("contiguous rows"))
                    .zip(&acc)
                {
                    *o = T::of(v.to64() - a);
                }
            }
        });
        return Ok(unview3(out, x.shape(), axis));
    }
    // FFT convolution, lane by lane
    let padded = len + 2 * h as usize;
    let nf = fast_len(padded + n - 1);
    let mut planner = RealFftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(nf);
    let inv = planner.plan_fft_inverse(nf);
    let mut wspec = fwd.make_output_vec();
    let mut wbuf = fwd.make_input_vec();
    wbuf[..n].copy_from_slice(&w);
    fwd.process(&mut wbuf, &mut wspec)
        .expect("buffer lengths match the plan");
    let scale = 1.0 / nf as f64;
    map_lanes(x, axis, len, |xl: &[T], ol: &mut [T]| {
        let mut buf = fwd.make_input_vec();
        for (p, b) in buf[..padded].iter_mut().enumerate() {
            if let Some(s) = src(p as isize - h) {
                *b = xl[s].to64();
            }
        }
        let mut spec = fwd.make_output_vec();
        fwd.process(&mut buf, &mut spec)
            .expect("buffer lengths match the plan");
        for (s, &v) in spec.iter_mut().zip(&wspec) {
            *s *= v;
        }
        spec[0].im = 0.0;
        if nf % 2 == 0 {
            spec[nf / 2] = Complex::new(spec[nf / 2].re, 0.0);
        }
        inv.process(&mut spec, &mut buf)
            .expect("buffer lengths match the plan");
        // the "valid" part starts at n − 1
        for (i, o) in ol.iter_mut().enumerate() {
            *o = T::of(xl[i].to64() - buf[n - 1 + i] * scale);
        }
    })
}

/// The smallest `2^a·3^b·5^c >= m`.
fn fast_len(m: usize) -> usize {
    let mut best = m.next_power_of_two();
    let mut p5 = 1;
    while p5 < best {
        let mut p35 = p5;
        while p35 < best {
            let mut p = p35;
            while p < m {
                p *= 2;
            }
            best = best.min(p);
            p35 *= 3;
        }
        p5 *= 5;
    }
    best
}

/// Subtract, on each segment `[limits[i], limits[i+1])` of `axis`, its mean weighted by a
/// periodic window of the segment's length (`Σ x·w / Σ w`). Samples outside every
/// segment are unchanged; empty segments are skipped.
///
/// `limits` are sample indices, non-decreasing and at most the axis length (xdas takes
/// coordinate values, each segment ending just before the next limit: converting them is
/// the caller's job).
///
/// ```
/// use ndarray::array;
/// use xdas_signal::mean_removal::segment_mean_removal;
/// use xdas_signal::window::Window;
/// let x = array![1.0, 1.0, 1.0, 5.0, 7.0, 9.0].into_dyn();
/// let y = segment_mean_removal(x.view(), &[0, 3, 6], &Window::Boxcar, 0).unwrap();
/// assert_eq!(y, array![0.0, 0.0, 0.0, -2.0, 0.0, 2.0].into_dyn());
/// ```
pub fn segment_mean_removal<T: Real>(
    x: ArrayViewD<'_, T>,
    limits: &[usize],
    window: &Window,
    axis: usize,
) -> Result<ArrayD<T>> {
    check_input(&x, axis, "segment_mean_removal")?;
    let len = x.shape()[axis];
    if limits.windows(2).any(|p| p[1] < p[0]) {
        return Err(invalid(
            "segment_mean_removal: the limits must be non-decreasing",
        ));
    }
    if limits.iter().any(|&l| l > len) {
        return Err(invalid(format!(
            "segment_mean_removal: a limit is beyond the axis length {len}"
        )));
    }
    let mut segments = Vec::new();
    for p in limits.windows(2) {
        let (a, b) = (p[0], p[1]);
        if b > a {
            let w = get_window(window, b - a, true)?;
            let sw: f64 = w.iter().sum();
            segments.push((a, b, w, sw));
        }
    }
    let xs = standard(&x);
    let x3 = view3(&xs, axis);
    let mut out = zeros3::<T>(x3.dim());
    walk_blocks(x3, &mut out, |xb, mut ob| {
        if let (Some(xl), Some(ol)) = (lane(&xb), lane_mut(&mut ob)) {
            ol.copy_from_slice(xl);
            for (a, b, w, sw) in &segments {
                let mut acc = 0.0f64;
                for (&v, &wt) in xl[*a..*b].iter().zip(w) {
                    acc += v.to64() * wt;
                }
                let mean = acc / sw;
                for (o, &v) in ol[*a..*b].iter_mut().zip(&xl[*a..*b]) {
                    *o = T::of(v.to64() - mean);
                }
            }
            return;
        }
        ob.assign(&xb);
        let width = xb.ncols();
        let mut acc = vec![0.0f64; width];
        for (a, b, w, sw) in &segments {
            acc.fill(0.0);
            for (t, &wt) in (*a..*b).zip(w) {
                let r = xb.row(t);
                for (s, &v) in acc.iter_mut().zip(r.to_slice().expect("contiguous rows")) {
                    *s += v.to64() * wt;
                }
            }
            for s in &mut acc {
                *s /= sw;
            }
            for t in *a..*b {
                let r = xb.row(t);
                let mut or = ob.row_mut(t);
                let or = or.as_slice_mut().expect("contiguous rows");
                for ((o, &v), &m) in or
                    .iter_mut()
                    .zip(r.to_slice().expect("contiguous rows"))
                    .zip(&acc)
                {
                    *o = T::of(v.to64() - m);
                }
            }
        }
    });
    Ok(unview3(out, x.shape(), axis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_lengths() {
        assert_eq!(fast_len(1), 1);
        assert_eq!(fast_len(7), 8);
        assert_eq!(fast_len(11), 12);
        assert_eq!(fast_len(97), 100);
        assert_eq!(fast_len(1025), 1080);
    }

    #[test]
    fn pad_modes_follow_numpy() {
        // numpy.pad(arange(4), 9, mode)
        let expect = [
            (
                PadMode::Reflect,
                "3 2 1 0 1 2 3 2 1 0 1 2 3 2 1 0 1 2 3 2 1 0",
            ),
            (
                PadMode::Symmetric,
                "0 0 1 2 3 3 2 1 0 0 1 2 3 3 2 1 0 0 1 2 3 3",
            ),
            (PadMode::Wrap, "3 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0"),
            (PadMode::Edge, "0 0 0 0 0 0 0 0 0 0 1 2 3 3 3 3 3 3 3 3 3 3"),
        ];
        for (mode, want) in expect {
            let got: Vec<String> = (-9..13)
                .map(|i| mode.source(i, 4).unwrap().to_string())
                .collect();
            assert_eq!(got.join(" "), want, "{mode:?}");
        }
        assert_eq!(PadMode::Constant.source(-1, 4), None);
        assert_eq!(PadMode::Reflect.source(-3, 1), Some(0));
    }
}
