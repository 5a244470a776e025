//! The machinery shared by the recursive filters: the `(outer, n, inner)` view of an
//! N-d array along one axis, and two drivers that run a per-row kernel over every lane.
//!
//! A *row kernel* advances a block of `w` channels (lanes) by one time step: it reads one
//! input value per channel, updates that channel's state and writes one output value.
//! Every channel's arithmetic is the same sequence of IEEE operations whatever block it
//! falls in, whichever driver runs it and however many threads there are, so results are
//! bitwise reproducible.
//!
//! * **Row driver** (`inner > 1`, e.g. time along axis 0 of `(time, channel)` data): the
//!   channels of a row are contiguous, so the kernel's inner loop is unit-stride (it
//!   vectorises). Each rayon task takes an equal share of the channels of every row (long
//!   contiguous runs stream well from memory) and advances its blocks of 4 KiB of
//!   channels a tile of rows at a time, so that a block's state stays in L1.
//! * **Tile driver** (`inner == 1`, the filtered axis is the contiguous one): groups of
//!   8 lanes are transposed (in registers, with AVX2), a tile of rows at a time, into a
//!   small `(time, lane)` buffer, run through the same kernel, and transposed back.
//!
//! The task bodies are compiled twice, for the baseline instruction set and for AVX2
//! (chosen at run time); neither uses FMA, so both give the same results.

use super::transpose::{lanes_to_tile, tile_to_lanes};
use crate::float::Real;
use ndarray::{ArrayViewMut2, ArrayViewMut3, Axis};
use rayon::prelude::*;

/// The shape of an array seen along one axis: `outer` lanes-blocks of `n` rows of
/// `inner` contiguous channels (standard layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub outer: usize,
    pub n: usize,
    pub inner: usize,
}

impl Layout {
    /// The layout of `shape` along `axis` (which must be valid).
    pub fn of(shape: &[usize], axis: usize) -> Layout {
        Layout {
            outer: shape[..axis].iter().product(),
            n: shape[axis],
            inner: shape[axis + 1..].iter().product(),
        }
    }
    /// Number of lanes (channels), `outer · inner`.
    pub fn lanes(&self) -> usize {
        self.outer * self.inner
    }
    /// The same layout with `n` rows.
    pub fn with_n(&self, n: usize) -> Layout {
        Layout { n, ..*self }
    }
}

/// Lanes per transposed tile of the upfirdn tile driver (one register block of its
/// kernel).
pub(crate) const GROUP: usize = 16;

/// Channels per block of the row drivers: about 4 KiB of each row.
pub(crate) fn block_width<T>(inner: usize) -> usize {
    let b = (4096 / std::mem::size_of::<T>()).max(8);
    inner.min(b)
}

/// A recursive filter run one row at a time over blocks of channels.
pub(crate) trait RowKernel<T>: Sync {
    /// State values per channel.
    fn nstate(&self) -> usize;
    /// Advance `w` channels by `y.len() / w` steps: row `r` of the `(rows, w)` tile `y`
    /// (row-major) gets the outputs of the inputs in row `r` of `x` — or of `y` itself
    /// when `x` is `None` (in place). The state `z[j * w + c]` (`j < nstate`) is updated.
    /// Implementations are `#[inline(always)]` so that the drivers compile them for the
    /// machine's SIMD, and keep each channel's arithmetic independent of `w` and of the
    /// number of rows per call.
    fn tile(&self, x: Option<&[T]>, y: &mut [T], z: &mut [T], w: usize);
}

/// `N` consecutive inputs at `o`: from `x`, or from `y` (in place).
#[inline(always)]
pub(crate) fn load<T: Copy, const N: usize>(x: Option<&[T]>, y: &[T], o: usize) -> [T; N] {
    match x {
        Some(x) => x[o..o + N].try_into().unwrap(),
        None => y[o..o + N].try_into().unwrap(),
    }
}

/// How the state of a block of channels starts: `init(ch0, w, z)` fills `z[j * w + c]`
/// for channels `ch0 .. ch0 + w` (channel = `outer_index · inner + inner_index`).
pub(crate) type Init<'a, T> = &'a (dyn Fn(usize, usize, &mut [T]) + Sync);

/// The final state of a block of channels: `(ch0, w, z)` with `z[j * w + c]`.
pub(crate) type Final<T> = (usize, usize, Vec<T>);

/// The `(outer plane, first column, block)` pieces of the `(outer, n, inner)` array `y3`,
/// each block at most `width` columns wide: the units of work of the row-walking kernels.
pub(crate) fn column_blocks<'a, T>(
    y3: ArrayViewMut3<'a, T>,
    width: usize,
) -> Vec<(usize, usize, ArrayViewMut2<'a, T>)> {
    let mut tasks = Vec::new();
    let mut planes = y3;
    let mut o = 0;
    while planes.len_of(Axis(0)) > 0 {
        let (first, others) = planes.split_at(Axis(0), 1);
        planes = others;
        let (mut rest, mut c0) = (first.index_axis_move(Axis(0), 0), 0);
        while rest.ncols() > 0 {
            let k = width.min(rest.ncols());
            let (blk, r) = rest.split_at(Axis(1), k);
            tasks.push((o, c0, blk));
            c0 += k;
            rest = r;
        }
        o += 1;
    }
    tasks
}

/// Run `kernel` forward from the states of `zi` and return the final states in an array
/// of `zshape` with the same layout: state `j` of channel `ch` sits at `zi[at(ch, j)]`.
/// The `zi` → `zf` round trip of `lfilter` and `sosfilt` (only their layouts differ).
pub(crate) fn run_from_state<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    y: &mut [T],
    lay: Layout,
    zi: &[T],
    zshape: &[usize],
    at: impl Fn(usize, usize) -> usize + Sync,
) -> ndarray::ArrayD<T> {
    let ns = kernel.nstate();
    let init = |ch0: usize, w: usize, z: &mut [T]| {
        for j in 0..ns {
            for c in 0..w {
                z[j * w + c] = zi[at(ch0 + c, j)];
            }
        }
    };
    // `x: None` filters `y` in place
    let finals = run(kernel, x, y, lay, false, &init, true);
    let mut zf = ndarray::ArrayD::<T>::zeros(ndarray::IxDyn(zshape));
    let zfs = zf.as_slice_mut().expect("standard layout");
    for (ch0, w, z) in finals {
        for j in 0..ns {
            for c in 0..w {
                zfs[at(ch0 + c, j)] = z[j * w + c];
            }
        }
    }
    zf
}

/// Run `kernel` along the rows of `y` (shape `lay`, standard layout).
///
/// The input is `x` (same layout) or, when `x` is `None`, `y` itself (in place).
/// `reverse` walks the rows from last to first (the result is that of filtering the
/// reversed signal, reversed back). Returns the final states when `want_final`.
pub(crate) fn run<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    y: &mut [T],
    lay: Layout,
    reverse: bool,
    init: Init<'_, T>,
    want_final: bool,
) -> Vec<Final<T>> {
    if lay.lanes() == 0 || lay.n == 0 {
        // nothing to filter: the final state is the initial one
        if !want_final {
            return vec![];
        }
        let ns = kernel.nstate();
        return (0..lay.lanes())
            .map(|ch| {
                let mut z = vec![T::zero(); ns];
                init(ch, 1, &mut z);
                (ch, 1, z)
            })
            .collect();
    }
    if lay.inner == 1 {
        run_tiles(kernel, x, y, lay, reverse, init, want_final)
    } else {
        run_rows(kernel, x, y, lay, reverse, init, want_final)
    }
}

fn run_rows<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    y: &mut [T],
    lay: Layout,
    reverse: bool,
    init: Init<'_, T>,
    want_final: bool,
) -> Vec<Final<T>> {
    let Layout { outer, n, inner } = lay;
    let bw = block_width::<T>(inner);
    let tw = task_width(inner, outer, bw);
    let ns = kernel.nstate();
    let mut y3 = ArrayViewMut3::from_shape((outer, n, inner), y).expect("layout");
    let tasks = column_blocks(y3.view_mut(), tw);
    let finals: Vec<Vec<Final<T>>> = tasks
        .into_par_iter()
        .map(|(o, c0, blk)| {
            let w = blk.ncols();
            // the task's channels in blocks of at most bw, each with its own state
            let mut states: Vec<Final<T>> = (0..w)
                .step_by(bw)
                .map(|b0| {
                    let bwi = bw.min(w - b0);
                    let mut z = vec![T::zero(); ns * bwi];
                    init(o * inner + c0 + b0, bwi, &mut z);
                    (b0, bwi, z)
                })
                .collect();
            let xo = x.map(|x| &x[o * n * inner + c0..]);
            rows_task_dispatch(kernel, xo, inner, blk, reverse, &mut states);
            for st in states.iter_mut() {
                st.0 += o * inner + c0;
            }
            states
        })
        .collect();
    if want_final {
        finals.into_iter().flatten().collect()
    } else {
        vec![]
    }
}

/// Channels per task of the row driver: whole rows split evenly over the threads (long
/// contiguous runs stream well from memory), in multiples of the block width.
fn task_width(inner: usize, outer: usize, bw: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    let per_plane = threads.div_ceil(outer).max(1);
    let tw = inner.div_ceil(per_plane);
    tw.div_ceil(bw).max(1) * bw
}

/// Rows per tile of the row driver: the blocks of a task are advanced a tile of rows at
/// a time, so a block's state stays in L1 while the task streams along its rows.
const ROW_TILE: usize = 16;

/// The rows of one task: `blk` is the `(n, w)` output, `x` (when given) the input from
/// the task's first channel of row 0, rows `stride` apart. `states` holds `(offset,
/// width, state)` of each block of channels.
#[inline(always)]
fn rows_task<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    stride: usize,
    mut blk: ArrayViewMut2<'_, T>,
    reverse: bool,
    states: &mut [Final<T>],
) {
    let n = blk.nrows();
    let mut s0 = 0;
    while s0 < n {
        let s1 = (s0 + ROW_TILE).min(n);
        for (b0, bwi, z) in states.iter_mut() {
            let (b0, bwi) = (*b0, *bwi);
            for step in s0..s1 {
                let t = if reverse { n - 1 - step } else { step };
                let mut row = blk.row_mut(t);
                let yr = &mut row.as_slice_mut().expect("contiguous row")[b0..b0 + bwi];
                let xr = x.map(|x| &x[t * stride + b0..t * stride + b0 + bwi]);
                kernel.tile(xr, yr, z, bwi);
            }
        }
        s0 = s1;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rows_task_avx2<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    stride: usize,
    blk: ArrayViewMut2<'_, T>,
    reverse: bool,
    states: &mut [Final<T>],
) {
    rows_task(kernel, x, stride, blk, reverse, states)
}

/// [`rows_task`] compiled for the best instruction set of the machine (AVX2 without FMA:
/// the same IEEE operations, so the same results everywhere).
fn rows_task_dispatch<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    stride: usize,
    blk: ArrayViewMut2<'_, T>,
    reverse: bool,
    states: &mut [Final<T>],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            return unsafe { rows_task_avx2(kernel, x, stride, blk, reverse, states) };
        }
    }
    rows_task(kernel, x, stride, blk, reverse, states)
}

fn run_tiles<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    y: &mut [T],
    lay: Layout,
    reverse: bool,
    init: Init<'_, T>,
    want_final: bool,
) -> Vec<Final<T>> {
    let n = lay.n;
    let ns = kernel.nstate();
    y.par_chunks_mut(REC_GROUP * n)
        .enumerate()
        .map(|(gi, ylanes)| {
            let w = ylanes.len() / n;
            let ch0 = gi * REC_GROUP;
            let mut z = vec![T::zero(); ns * w];
            init(ch0, w, &mut z);
            let xl = x.map(|x| &x[ch0 * n..(ch0 + w) * n]);
            tiles_task_dispatch(kernel, xl, ylanes, n, reverse, &mut z);
            (ch0, w, z)
        })
        .filter(|_| want_final)
        .collect()
}

/// Lanes per group of the tile driver: one register block of the kernels (fewer lanes
/// mean fewer concurrent memory streams, which the hardware prefetchers follow best).
const REC_GROUP: usize = 8;
/// Rows per transposed tile of the tile driver.
const TILE_ROWS: usize = 1024;

/// One group of `w = y.len() / n` contiguous lanes of length `n`: input `x` (or `y`
/// itself), transposed a tile of rows at a time.
#[inline(always)]
fn tiles_task<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    y: &mut [T],
    n: usize,
    reverse: bool,
    z: &mut [T],
    simd: bool,
) {
    let w = y.len() / n;
    let tile_rows = TILE_ROWS.min(n);
    let mut xt = vec![T::zero(); tile_rows * w];
    let mut start = 0;
    while start < n {
        let rows = tile_rows.min(n - start);
        // the tile's time range; reversed tiles are read and written back to front
        let t0 = if reverse { n - start - rows } else { start };
        let xt = &mut xt[..rows * w];
        match x {
            Some(x) => lanes_to_tile(x, n, t0, rows, reverse, w, xt, simd),
            None => lanes_to_tile(y, n, t0, rows, reverse, w, xt, simd),
        }
        kernel.tile(None, xt, z, w);
        tile_to_lanes(xt, n, t0, rows, reverse, w, y, simd);
        start += rows;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tiles_task_avx2<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    y: &mut [T],
    n: usize,
    reverse: bool,
    z: &mut [T],
) {
    tiles_task(kernel, x, y, n, reverse, z, true)
}

/// [`tiles_task`] compiled for the best instruction set of the machine.
fn tiles_task_dispatch<T: Real, K: RowKernel<T>>(
    kernel: &K,
    x: Option<&[T]>,
    y: &mut [T],
    n: usize,
    reverse: bool,
    z: &mut [T],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            return unsafe { tiles_task_avx2(kernel, x, y, n, reverse, z) };
        }
    }
    tiles_task(kernel, x, y, n, reverse, z, false)
}
