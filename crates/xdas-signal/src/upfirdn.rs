//! Polyphase FIR filtering with upsampling and downsampling: `upfirdn`, as in
//! `scipy.signal.upfirdn`.
//!
//! The signal is (conceptually) upsampled by `up` (zeros inserted), filtered with `h`,
//! and downsampled by `down`, but only the kept outputs are computed and only the
//! nonzero samples are multiplied (`⌈len h / up⌉` taps per output). Each output sums its
//! taps in scipy's order (oldest input first), so results agree with scipy to rounding
//! and do not depend on the layout or the number of threads.
//!
//! Along a slow axis (e.g. time in `(time, channel)` data) a task computes output rows
//! for a block of contiguous channels (vectorised across channels); along the contiguous
//! axis, lanes are transposed in small tiles and run through the same kernel.
//!
//! ```
//! use ndarray::array;
//! use xdas_signal::upfirdn::upfirdn;
//! let x = array![1.0, 2.0, 3.0].into_dyn();
//! let y = upfirdn(&[1.0, 1.0, 1.0], x.view(), 3, 1, 0).unwrap(); // sample and hold
//! assert_eq!(y.as_slice().unwrap(), &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0]);
//! ```

use crate::axis::check_axis;
use crate::error::{Result, SignalError, invalid};
use crate::filter::engine::{GROUP, Layout, block_width};
use crate::filter::transpose::{lanes_to_tile, tile_to_lanes};
use crate::float::Real;
use ndarray::{ArrayD, ArrayViewD, ArrayViewMut3};
use rayon::prelude::*;
use std::ops::Range;

/// How the signal is extended beyond its ends (scipy's upfirdn `mode`).
///
/// ```
/// use xdas_signal::upfirdn::Extension;
/// assert_eq!(Extension::default(), Extension::Constant(0.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Extension {
    /// A constant value (`mode="constant"`, `cval`).
    Constant(f64),
    /// The end samples repeated (`"edge"`).
    Edge,
    /// The straight line through the first and last samples (`"line"`).
    Line,
    /// The straight line through the two end samples at each end (`"smooth"`).
    Smooth,
    /// Mirrored including the end sample: `… x1 x0 | x0 x1 …` (`"symmetric"`).
    Symmetric,
    /// Mirrored about the end sample: `… x2 x1 | x0 x1 …` (`"reflect"`).
    Reflect,
    /// Periodic (`"wrap"`).
    Wrap,
    /// Mirrored with the sign flipped: `… −x1 −x0 | x0 x1 …` (`"antisymmetric"`).
    Antisymmetric,
    /// Point-symmetric about the end sample: `… 2x0−x2 2x0−x1 | x0 x1 …`
    /// (`"antireflect"`).
    Antireflect,
}

impl Default for Extension {
    fn default() -> Self {
        Extension::Constant(0.0)
    }
}

impl Extension {
    /// The value at index `j` (any integer) of the extended signal of length `n >= 1`
    /// whose samples are `get(k)`. Signals of one sample extend with that sample (except
    /// `Constant`).
    pub(crate) fn value<T: Real>(&self, j: isize, n: usize, get: &dyn Fn(usize) -> T) -> T {
        let ni = n as isize;
        if (0..ni).contains(&j) {
            return get(j as usize);
        }
        if let Extension::Constant(c) = self {
            return T::of(*c);
        }
        if n == 1 {
            return get(0);
        }
        let two = T::of(2.0);
        match self {
            Extension::Constant(_) => unreachable!(),
            Extension::Edge => get(if j < 0 { 0 } else { n - 1 }),
            Extension::Line => {
                let slope = (get(n - 1) - get(0)) / T::of((n - 1) as f64);
                if j < 0 {
                    get(0) + T::of(j as f64) * slope
                } else {
                    get(n - 1) + T::of((j - ni + 1) as f64) * slope
                }
            }
            Extension::Smooth => {
                if j < 0 {
                    get(0) + T::of(j as f64) * (get(1) - get(0))
                } else {
                    get(n - 1) + T::of((j - ni + 1) as f64) * (get(n - 1) - get(n - 2))
                }
            }
            Extension::Symmetric => {
                let p = j.rem_euclid(2 * ni);
                get(if p < ni { p } else { 2 * ni - 1 - p } as usize)
            }
            Extension::Reflect => {
                let p = j.rem_euclid(2 * ni - 2);
                get(if p < ni { p } else { 2 * ni - 2 - p } as usize)
            }
            Extension::Wrap => get(j.rem_euclid(ni) as usize),
            Extension::Antisymmetric => {
                let p = j.rem_euclid(2 * ni);
                if p < ni {
                    get(p as usize)
                } else {
                    -get((2 * ni - 1 - p) as usize)
                }
            }
            Extension::Antireflect => {
                if j < 0 {
                    two * get(0) - self.value(-j, n, get)
                } else {
                    two * get(n - 1) - self.value(2 * (ni - 1) - j, n, get)
                }
            }
        }
    }

    fn check(&self) -> Result<()> {
        match self {
            Extension::Constant(c) if !c.is_finite() => Err(invalid("cval must be finite")),
            _ => Ok(()),
        }
    }
}

/// Length of `upfirdn`'s output for a filter of `len_h` taps and `n` input samples
/// (scipy's `_output_len`).
///
/// ```
/// use xdas_signal::upfirdn::upfirdn_output_len;
/// assert_eq!(upfirdn_output_len(3, 3, 3, 1), 9);
/// ```
pub fn upfirdn_output_len(len_h: usize, n: usize, up: usize, down: usize) -> usize {
    let per_phase = len_h.div_ceil(up);
    ((n + per_phase - 1) * up).div_ceil(down)
}

/// The filter split into its `up` phases, each reversed (scipy's "transposed, flipped"
/// layout), `m` taps per phase.
pub(crate) struct Polyphase<T> {
    up: usize,
    down: usize,
    m: usize,
    taps: Vec<T>,
    /// Upsampled position of output 0 (0 for `upfirdn` itself).
    shift: usize,
}

impl<T: Real> Polyphase<T> {
    pub(crate) fn new(h: &[T], up: usize, down: usize) -> Self {
        let m = h.len().div_ceil(up);
        let mut taps = vec![T::zero(); up * m];
        for p in 0..up {
            for q in 0..m {
                let k = p + (m - 1 - q) * up;
                if k < h.len() {
                    taps[p * m + q] = h[k];
                }
            }
        }
        Polyphase {
            up,
            down,
            m,
            taps,
            shift: 0,
        }
    }
    /// `(phase taps, first input index)` of output `i`: `y[i] = Σ_q taps[q] · x[j + q]`.
    #[inline]
    fn output(&self, i: usize) -> (&[T], isize) {
        let t = i * self.down + self.shift;
        let (p, j0) = (t % self.up, t / self.up);
        (
            &self.taps[p * self.m..(p + 1) * self.m],
            j0 as isize - (self.m as isize - 1),
        )
    }
    /// Input indices needed by outputs `range` (non-empty).
    fn inputs(&self, range: &Range<usize>) -> (isize, isize) {
        let lo = self.output(range.start).1;
        let hi = self.output(range.end - 1).1 + self.m as isize - 1;
        (lo, hi)
    }
}

/// Channels per register block of the FIR kernel.
const CH: usize = 16;

/// `out[c] = Σ_q taps[q] · rows[q][c]`, summed in order of `q`.
#[inline(always)]
fn fir_row_impl<T: Real>(taps: &[T], rows: &[&[T]], out: &mut [T]) {
    let w = out.len();
    let rows = &rows[..taps.len()];
    let mut c = 0;
    while c + CH <= w {
        let mut acc = [T::zero(); CH];
        for (&h, r) in taps.iter().zip(rows) {
            let r: &[T; CH] = r[c..c + CH].try_into().unwrap();
            for l in 0..CH {
                acc[l] += h * r[l];
            }
        }
        out[c..c + CH].copy_from_slice(&acc);
        c += CH;
    }
    for (c, o) in out.iter_mut().enumerate().skip(c) {
        let mut acc = T::zero();
        for (&h, r) in taps.iter().zip(rows) {
            acc += h * r[c];
        }
        *o = acc;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fir_row_avx2<T: Real>(taps: &[T], rows: &[&[T]], out: &mut [T]) {
    fir_row_impl(taps, rows, out)
}

/// [`fir_row_impl`] compiled for the best instruction set of the machine (no FMA, so
/// the results are the same everywhere).
#[inline]
fn fir_row<T: Real>(taps: &[T], rows: &[&[T]], out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            return unsafe { fir_row_avx2(taps, rows, out) };
        }
    }
    fir_row_impl(taps, rows, out)
}

/// Outputs `range` of `upfirdn(h, x, up, down, axis, ext)` (`h` already in `T`), as an
/// array of `x`'s shape with `axis` of length `range.len()`. Arguments must be valid.
pub(crate) fn upfirdn_range<T: Real>(
    poly: &Polyphase<T>,
    x: ArrayViewD<'_, T>,
    axis: usize,
    ext: Extension,
    range: Range<usize>,
) -> ArrayD<T> {
    let xs = x.as_standard_layout();
    let xsl = xs.as_slice().expect("standard layout");
    let lay = Layout::of(x.shape(), axis);
    let nout = range.len();
    let mut shape = x.shape().to_vec();
    shape[axis] = nout;
    let mut y = crate::buffers::output::<T>(&shape);
    if nout == 0 || lay.lanes() == 0 {
        return y;
    }
    let ysl = y.as_slice_mut().expect("standard layout");
    if lay.inner == 1 {
        run_tiles(poly, xsl, ysl, lay, ext, range);
    } else {
        run_rows(poly, xsl, ysl, lay, ext, range);
    }
    y
}

fn run_rows<T: Real>(
    poly: &Polyphase<T>,
    x: &[T],
    y: &mut [T],
    lay: Layout,
    ext: Extension,
    range: Range<usize>,
) {
    let Layout { outer, n, inner } = lay;
    let nout = range.len();
    let bw = block_width::<T>(inner);
    let mut y3 = ArrayViewMut3::from_shape((outer, nout, inner), y).expect("layout");
    let tasks = crate::filter::engine::column_blocks(y3.view_mut(), bw);
    let (lo, hi) = poly.inputs(&range);
    tasks.into_par_iter().for_each(|(o, c0, mut blk)| {
        let w = blk.ncols();
        let row_at = |j: usize| &x[(o * n + j) * inner + c0..(o * n + j) * inner + c0 + w];
        // values of the extended signal outside 0..n, one row of w channels per index
        let outside: Vec<isize> = (lo..=hi).filter(|&j| j < 0 || j >= n as isize).collect();
        let mut extbuf = vec![T::zero(); outside.len() * w];
        for (r, &j) in outside.iter().enumerate() {
            for c in 0..w {
                let get = |k: usize| x[(o * n + k) * inner + c0 + c];
                extbuf[r * w + c] = ext.value(j, n, &get);
            }
        }
        let mut next_ext = 0;
        let rows: Vec<&[T]> = (lo..=hi)
            .map(|j| {
                if j < 0 || j >= n as isize {
                    next_ext += 1;
                    &extbuf[(next_ext - 1) * w..next_ext * w]
                } else {
                    row_at(j as usize)
                }
            })
            .collect();
        for (k, i) in range.clone().enumerate() {
            let (taps, j) = poly.output(i);
            let mut row = blk.row_mut(k);
            let out = row.as_slice_mut().expect("contiguous row");
            fir_row(taps, &rows[(j - lo) as usize..], out);
        }
    });
}

/// Outputs per transposed tile.
const OUT_TILE: usize = 512;

fn run_tiles<T: Real>(
    poly: &Polyphase<T>,
    x: &[T],
    y: &mut [T],
    lay: Layout,
    ext: Extension,
    range: Range<usize>,
) {
    let (n, nout) = (lay.n, range.len());
    if poly.up == 1 && ext == Extension::Constant(0.0) {
        // FIR filtering / decimation along contiguous lanes: vectorise along the outputs
        // of each lane (no transposition)
        y.par_chunks_mut(nout).zip(x.par_chunks(n)).for_each_init(
            Vec::new,
            |scratch, (ylane, lane)| {
                lane_direct_dispatch(poly, lane, ylane, range.clone(), scratch)
            },
        );
        return;
    }
    y.par_chunks_mut(GROUP * nout)
        .enumerate()
        .for_each(|(gi, ylanes)| {
            let w = ylanes.len() / nout;
            let lanes = &x[gi * GROUP * n..(gi * GROUP + w) * n];
            tiles_task_dispatch(poly, lanes, n, ylanes, ext, range.clone());
        });
}

/// Bytes of accumulators per register block of the direct lane kernel: eight AVX
/// registers, so that eight independent sums hide the latency of the additions.
const LANE_BLOCK_BYTES: usize = 256;

/// Outputs `range` of one contiguous lane for a filter without upsampling, with zeros
/// beyond the lane's ends. The lane, zero-padded, is split into its `down` phases so
/// that the inputs of consecutive outputs are contiguous; each output is still
/// `Σ_q taps[q] · x[j + q]` summed in order of `q` from zero, as in [`fir_row_impl`], so
/// the results are bitwise those of the transposing path.
#[inline(always)]
fn lane_direct<T: Real>(
    poly: &Polyphase<T>,
    lane: &[T],
    ylane: &mut [T],
    range: Range<usize>,
    scratch: &mut Vec<T>,
) {
    let (m, down, n) = (poly.m, poly.down, lane.len());
    let taps = &poly.taps[..m];
    if range.is_empty() {
        return;
    }
    // padded index of output i's first input: i·down + shift (input j = that − (m − 1))
    let first = range.start * down + poly.shift;
    let last = (range.end - 1) * down + poly.shift + m - 1;
    // xp[k] = x[k + lo − (m − 1)] for k in 0..len, zero outside the lane
    let lo = first;
    let len = last - lo + 1;
    let per = len.div_ceil(down) + 1;
    scratch.clear();
    scratch.resize(per * down, T::zero());
    let start_in = lo as isize - (m as isize - 1);
    // phase r holds xp[r], xp[r + down], ...: padded position p = r + c·down is input
    // start_in + p. The positions with an input are p_lo..p_hi; whole groups of `down`
    // of them are spread in one pass (a plain deinterleave, no division or bounds test
    // per sample), the few at either end one by one.
    let p_lo = (-start_in).max(0) as usize;
    let p_hi = ((n as isize - start_in).max(0) as usize).min(len);
    if p_lo < p_hi {
        let body_lo = p_lo.next_multiple_of(down).min(p_hi);
        let body_hi = (p_hi / down * down).max(body_lo);
        let mut put = |p: usize| {
            scratch[(p % down) * per + p / down] = lane[(start_in + p as isize) as usize];
        };
        (p_lo..body_lo).for_each(&mut put);
        (body_hi..p_hi).for_each(&mut put);
        let src =
            &lane[(start_in + body_lo as isize) as usize..(start_in + body_hi as isize) as usize];
        let c0 = body_lo / down;
        if down == 2 {
            let (even, odd) = scratch.split_at_mut(per);
            for ((pair, e), o) in src.chunks_exact(2).zip(&mut even[c0..]).zip(&mut odd[c0..]) {
                *e = pair[0];
                *o = pair[1];
            }
        } else {
            for (c, group) in src.chunks_exact(down).enumerate() {
                for (r, &v) in group.iter().enumerate() {
                    scratch[r * per + c0 + c] = v;
                }
            }
        }
    }
    // where tap q reads in the scratch: phase q % down, offset q / down
    let offs: Vec<usize> = (0..m).map(|q| (q % down) * per + q / down).collect();
    let nout = range.len();
    let mut i = 0;
    if std::mem::size_of::<T>() == 4 {
        while i + LANE_BLOCK_BYTES / 4 <= nout {
            lane_block::<T, { LANE_BLOCK_BYTES / 4 }>(taps, &offs, scratch, i, ylane);
            i += LANE_BLOCK_BYTES / 4;
        }
    } else {
        while i + LANE_BLOCK_BYTES / 8 <= nout {
            lane_block::<T, { LANE_BLOCK_BYTES / 8 }>(taps, &offs, scratch, i, ylane);
            i += LANE_BLOCK_BYTES / 8;
        }
    }
    // the last few outputs
    for (l, y) in ylane[i..nout].iter_mut().enumerate() {
        let mut acc = T::zero();
        for (&h, &o) in taps.iter().zip(&offs) {
            acc += h * scratch[o + i + l];
        }
        *y = acc;
    }
}

/// `B` consecutive outputs from `i` of [`lane_direct`], their sums kept in registers.
#[inline(always)]
fn lane_block<T: Real, const B: usize>(
    taps: &[T],
    offs: &[usize],
    scratch: &[T],
    i: usize,
    ylane: &mut [T],
) {
    let mut acc = [T::zero(); B];
    for (&h, &o) in taps.iter().zip(offs) {
        let src: &[T; B] = scratch[o + i..o + i + B].try_into().expect("block");
        for l in 0..B {
            acc[l] += h * src[l];
        }
    }
    ylane[i..i + B].copy_from_slice(&acc);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn lane_direct_avx2<T: Real>(
    poly: &Polyphase<T>,
    lane: &[T],
    ylane: &mut [T],
    range: Range<usize>,
    scratch: &mut Vec<T>,
) {
    lane_direct(poly, lane, ylane, range, scratch)
}

/// [`lane_direct`] compiled for the best instruction set of the machine (no FMA).
fn lane_direct_dispatch<T: Real>(
    poly: &Polyphase<T>,
    lane: &[T],
    ylane: &mut [T],
    range: Range<usize>,
    scratch: &mut Vec<T>,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            return unsafe { lane_direct_avx2(poly, lane, ylane, range, scratch) };
        }
    }
    lane_direct(poly, lane, ylane, range, scratch)
}

/// One group of `w` lanes (`lanes`, each `n` long): outputs `range` into `ylanes`.
#[inline(always)]
fn tiles_task<T: Real>(
    poly: &Polyphase<T>,
    lanes: &[T],
    n: usize,
    ylanes: &mut [T],
    ext: Extension,
    range: Range<usize>,
    simd: bool,
) {
    let nout = range.len();
    let w = ylanes.len() / nout;
    let mut tile: Vec<T> = Vec::new();
    let mut out = vec![T::zero(); OUT_TILE.min(nout) * w];
    let mut start = range.start;
    while start < range.end {
        let sub = start..(start + OUT_TILE).min(range.end);
        let (lo, hi) = poly.inputs(&sub);
        let rows_n = (hi - lo + 1) as usize;
        tile.clear();
        tile.resize(rows_n * w, T::zero());
        // the needed input samples of the w lanes as (row, lane), extended beyond the ends
        let (in_lo, in_hi) = (lo.max(0), hi.min(n as isize - 1));
        for j in (lo..in_lo).chain((in_hi + 1).max(lo)..=hi) {
            for g in 0..w {
                let src = &lanes[g * n..(g + 1) * n];
                let get = |k: usize| src[k];
                tile[(j - lo) as usize * w + g] = ext.value(j, n, &get);
            }
        }
        if in_lo <= in_hi {
            let base = (in_lo - lo) as usize;
            let count = (in_hi - in_lo + 1) as usize;
            lanes_to_tile(
                lanes,
                n,
                in_lo as usize,
                count,
                false,
                w,
                &mut tile[base * w..(base + count) * w],
                simd,
            );
        }
        let rows: Vec<&[T]> = tile.chunks_exact(w).collect();
        let out = &mut out[..sub.len() * w];
        for (k, i) in sub.clone().enumerate() {
            let (taps, j) = poly.output(i);
            fir_row_impl(
                taps,
                &rows[(j - lo) as usize..],
                &mut out[k * w..(k + 1) * w],
            );
        }
        tile_to_lanes(
            out,
            nout,
            sub.start - range.start,
            sub.len(),
            false,
            w,
            ylanes,
            simd,
        );
        start = sub.end;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tiles_task_avx2<T: Real>(
    poly: &Polyphase<T>,
    lanes: &[T],
    n: usize,
    ylanes: &mut [T],
    ext: Extension,
    range: Range<usize>,
) {
    tiles_task(poly, lanes, n, ylanes, ext, range, true)
}

/// [`tiles_task`] compiled for the best instruction set of the machine.
fn tiles_task_dispatch<T: Real>(
    poly: &Polyphase<T>,
    lanes: &[T],
    n: usize,
    ylanes: &mut [T],
    ext: Extension,
    range: Range<usize>,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            return unsafe { tiles_task_avx2(poly, lanes, n, ylanes, ext, range) };
        }
    }
    tiles_task(poly, lanes, n, ylanes, ext, range, false)
}

/// Check the common arguments of upfirdn-style functions.
pub(crate) fn check_args<T>(
    h: &[f64],
    x: &ArrayViewD<'_, T>,
    up: usize,
    down: usize,
    axis: usize,
) -> Result<()> {
    check_axis(axis, x.ndim())?;
    if h.is_empty() {
        return Err(SignalError::Empty("filter h".into()));
    }
    if h.iter().any(|v| !v.is_finite()) {
        return Err(invalid(
            "filter coefficients must be finite (no NaN or inf)",
        ));
    }
    if up == 0 || down == 0 {
        return Err(invalid("up and down must be >= 1"));
    }
    if x.is_empty() {
        return Err(SignalError::Empty("x".into()));
    }
    Ok(())
}

/// Outputs of the zero-extended polyphase filter at chosen positions: output `i` (for
/// `i` in `0..nout`) is the sample at upsampled position `shift + i · down` of
/// `upfirdn(h, x, up, 1)` along `axis`, i.e. `upfirdn(h, x, up, down)` when `shift` is
/// 0. Streaming resamplers use it to compute a block of outputs from a window of the
/// input that does not start on the output grid. Each output is summed in the same
/// order as in [`upfirdn`], so blocks computed from different windows agree bitwise.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::upfirdn::{upfirdn, upfirdn_at};
/// let x = array![1.0, 2.0, 3.0, 4.0, 5.0].into_dyn();
/// let all = upfirdn(&[0.5, 0.5], x.view(), 1, 2, 0).unwrap();
/// let tail = upfirdn_at(&[0.5, 0.5], x.view(), 1, 2, 0, 2, 2).unwrap();
/// assert_eq!(tail.as_slice().unwrap(), &all.as_slice().unwrap()[1..3]);
/// ```
pub fn upfirdn_at<T: Real>(
    h: &[f64],
    x: ArrayViewD<'_, T>,
    up: usize,
    down: usize,
    axis: usize,
    shift: usize,
    nout: usize,
) -> Result<ArrayD<T>> {
    check_args(h, &x, up, down, axis)?;
    let ht: Vec<T> = h.iter().map(|&v| T::of(v)).collect();
    let mut poly = Polyphase::new(&ht, up, down);
    poly.shift = shift;
    Ok(upfirdn_range(
        &poly,
        x,
        axis,
        Extension::Constant(0.0),
        0..nout,
    ))
}

/// Upsample by `up`, filter with the FIR `h`, downsample by `down`, along `axis`, with
/// zeros beyond the ends of the signal — `scipy.signal.upfirdn(h, x, up, down, axis)`.
///
/// The output has `⌈(n + ⌈len h / up⌉ − 1) · up / down⌉` samples along `axis`
/// ([`upfirdn_output_len`]).
///
/// ```
/// use ndarray::array;
/// use xdas_signal::upfirdn::upfirdn;
/// let x = array![1.0, 2.0, 3.0, 4.0].into_dyn();
/// let y = upfirdn(&[0.5, 0.5], x.view(), 1, 2, 0).unwrap(); // average pairs, keep every 2nd
/// assert_eq!(y.as_slice().unwrap(), &[0.5, 2.5, 2.0]);
/// ```
pub fn upfirdn<T: Real>(
    h: &[f64],
    x: ArrayViewD<'_, T>,
    up: usize,
    down: usize,
    axis: usize,
) -> Result<ArrayD<T>> {
    upfirdn_ext(h, x, up, down, axis, Extension::Constant(0.0))
}

/// [`upfirdn`] with the signal extended beyond its ends by `ext` (scipy's `mode` /
/// `cval`).
///
/// ```
/// use ndarray::array;
/// use xdas_signal::upfirdn::{upfirdn_ext, Extension};
/// let x = array![1.0, 2.0, 3.0].into_dyn();
/// let y = upfirdn_ext(&[1.0, 1.0], x.view(), 1, 1, 0, Extension::Edge).unwrap();
/// assert_eq!(y.as_slice().unwrap(), &[2.0, 3.0, 5.0, 6.0]);
/// ```
pub fn upfirdn_ext<T: Real>(
    h: &[f64],
    x: ArrayViewD<'_, T>,
    up: usize,
    down: usize,
    axis: usize,
    ext: Extension,
) -> Result<ArrayD<T>> {
    check_args(h, &x, up, down, axis)?;
    ext.check()?;
    let ht: Vec<T> = h.iter().map(|&v| T::of(v)).collect();
    let poly = Polyphase::new(&ht, up, down);
    let nout = upfirdn_output_len(h.len(), x.shape()[axis], up, down);
    Ok(upfirdn_range(&poly, x, axis, ext, 0..nout))
}

#[cfg(test)]
mod lane_tests {
    use super::*;

    /// The direct lane kernel (contiguous axis, no upsampling) equals the row kernel on
    /// the transposed array bitwise, for several factors, shifts and lengths.
    #[test]
    fn direct_lanes_equal_rows_bitwise() {
        for &(n, down, taps) in &[
            (37usize, 2usize, 41usize),
            (100, 3, 7),
            (5, 2, 11),
            (64, 1, 4),
            (9, 5, 3),
            // long enough for the register blocks (64 f32 outputs) and a remainder
            (1000, 2, 41),
            (333, 3, 7),
        ] {
            let h: Vec<f64> = (0..taps)
                .map(|k| ((k * 7 + 3) % 11) as f64 / 10.0 - 0.4)
                .collect();
            let x = ndarray::Array2::from_shape_fn((6, n), |(r, c)| {
                ((r * 31 + c * 17) % 23) as f32 - 11.0
            })
            .into_dyn();
            let along_lanes = upfirdn(&h, x.view(), 1, down, 1).unwrap();
            let xt = x.t().as_standard_layout().into_owned();
            let along_rows = upfirdn(&h, xt.view(), 1, down, 0).unwrap();
            let back = along_rows.t().as_standard_layout().into_owned();
            assert_eq!(along_lanes.shape(), back.shape());
            assert!(
                along_lanes
                    .iter()
                    .zip(back.iter())
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "n={n} down={down} taps={taps}"
            );
            for shift in 0..4 {
                let a = upfirdn_at(&h, x.view(), 1, down, 1, shift, 3).unwrap();
                let b = upfirdn_at(&h, xt.view(), 1, down, 0, shift, 3).unwrap();
                let b = b.t().as_standard_layout().into_owned();
                assert!(
                    a.iter()
                        .zip(b.iter())
                        .all(|(p, q)| p.to_bits() == q.to_bits())
                );
            }
            // float64 (blocks of 32)
            let x64 = x.mapv(|v| v as f64 + 0.25);
            let a = upfirdn(&h, x64.view(), 1, down, 1).unwrap();
            let xt = x64.t().as_standard_layout().into_owned();
            let b = upfirdn(&h, xt.view(), 1, down, 0).unwrap();
            let b = b.t().as_standard_layout().into_owned();
            assert!(
                a.iter()
                    .zip(b.iter())
                    .all(|(p, q)| p.to_bits() == q.to_bits()),
                "f64 n={n} down={down} taps={taps}"
            );
        }
    }
}
