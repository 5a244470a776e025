//! STA/LTA characteristic functions and the threshold trigger (`xdas.atoms.detect`).
//!
//! * [`sta_lta`]: the ratio of a short-term to a long-term mean of the squared signal,
//!   computed as xdas 0.2.10's `STALTA` atom does on a whole record: the `recursive`
//!   method is bitwise ObsPy's `recursive_sta_lta`; the boxcar methods (`classic`,
//!   `delayed`, `centered`) use running sums recomputed from scratch once per window.
//!   The energy `x²` and the ratio are computed in `f64` whatever the input type (xdas
//!   squares into float64); the result is rounded to `T`.
//! * [`StaLtaState`]: the same computation fed chunk by chunk (the running sums and the
//!   last samples the windows still reach are carried over). Its outputs, joined, are
//!   bitwise those of [`sta_lta`] for every chunking — [`sta_lta`] *is* one feed and a
//!   flush of it. Its state exports to plain arrays ([`StaLtaSnapshot`]) for save/resume.
//! * [`trigger`] and [`TriggerState`]: picks of a characteristic function — a lane
//!   switches on at `value >= thresh`, off below `thresh / 2`, and each triggered run gives
//!   one pick at its maximum (the first one on ties). Runs still on at the end of the
//!   record are closed (xdas 0.2.10's `flush`). [`TriggerState`] takes the record chunk by
//!   chunk and gives the same picks; its state exports as a [`TriggerSnapshot`].
//!
//! On row-major `(time, channel)` data along time, both walk rows and update a block of
//! channels at once (the recursive filter vectorises across channels); blocks run in
//! parallel, each lane is computed by exactly one task, so results do not depend on the
//! number of threads.

use crate::axis::{
    BLOCK, check_axis, check_input, lane, lane_mut, split3, standard, unview3, view3,
};
use crate::buffers::zeros3;
use crate::error::{Result, SignalError, invalid};
use crate::float::Real;
use ndarray::{
    Array2, Array3, ArrayD, ArrayView2, ArrayView3, ArrayViewD, ArrayViewMut2, Axis, IxDyn, s,
};
use rayon::prelude::*;

/// The floor of the long-term average: the smallest normal `f64` (numpy's
/// `finfo(float64).tiny`), as ObsPy and xdas use.
pub const TINY: f64 = f64::MIN_POSITIVE;

/// How the two averages of [`sta_lta`] are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaLtaMethod {
    /// Exponential averages with time constants `nsta` and `nlta` samples (Evans and
    /// Allen), bitwise ObsPy's `recursive_sta_lta`; zero for `t < nlta`.
    Recursive,
    /// Trailing boxcar means (ObsPy's `classic_sta_lta`).
    Classic,
    /// Trailing boxcar means, the long window ending where the short one starts.
    Delayed,
    /// Boxcar means centred on the sample they produce (each window reaches `nlta / 2`
    /// samples into the future; the last `nlta / 2` samples are zero).
    Centered,
}

impl StaLtaMethod {
    /// From xdas's name: `"recursive"`, `"classic"`, `"delayed"` or `"centered"`.
    ///
    /// ```
    /// use xdas_signal::detect::StaLtaMethod;
    /// assert_eq!(StaLtaMethod::parse("classic").unwrap(), StaLtaMethod::Classic);
    /// assert!(StaLtaMethod::parse("fancy").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "recursive" => Ok(Self::Recursive),
            "classic" => Ok(Self::Classic),
            "delayed" => Ok(Self::Delayed),
            "centered" => Ok(Self::Centered),
            _ => Err(invalid(format!(
                "unknown STA/LTA method {name:?} (recursive, classic, delayed, centered)"
            ))),
        }
    }

    /// The number of samples a streaming implementation must hold back (`nlta / 2` for
    /// `Centered`, else 0): the output at `t` needs the input up to `t + lag`.
    ///
    /// ```
    /// use xdas_signal::detect::StaLtaMethod;
    /// assert_eq!(StaLtaMethod::Centered.lag(50), 25);
    /// assert_eq!(StaLtaMethod::Classic.lag(50), 0);
    /// ```
    pub fn lag(self, nlta: usize) -> usize {
        match self {
            Self::Centered => nlta / 2,
            _ => 0,
        }
    }
}

/// The window geometry of a method, in samples.
///
/// Boxcar windows of `n` samples end `d` samples before the newest one; outputs are zero
/// before sample `start`; the output of sample `t` is that of the windows ending at
/// `t + lag` (`lag` samples are held back); `keep` past samples are carried between
/// chunks (the farthest any window reaches back).
#[derive(Debug, Clone, Copy)]
struct Plan {
    recursive: bool,
    nsta: usize,
    dsta: usize,
    nlta: usize,
    dlta: usize,
    start: usize,
    lag: usize,
    keep: usize,
}

impl Plan {
    fn new(nsta: usize, nlta: usize, method: StaLtaMethod) -> Result<Self> {
        if nsta == 0 {
            return Err(invalid("sta_lta: nsta must be at least one sample"));
        }
        if nlta <= nsta {
            return Err(invalid(format!(
                "sta_lta: nlta ({nlta}) must be longer than nsta ({nsta})"
            )));
        }
        let lag = method.lag(nlta);
        let (dsta, dlta) = match method {
            StaLtaMethod::Delayed => (0, nsta),
            StaLtaMethod::Centered => (lag - nsta / 2, 0),
            _ => (0, 0),
        };
        if method == StaLtaMethod::Recursive {
            return Ok(Plan {
                recursive: true,
                nsta,
                dsta,
                nlta,
                dlta,
                start: nlta,
                lag,
                keep: 0,
            });
        }
        let reach = nsta
            .checked_add(dsta)
            .zip(nlta.checked_add(dlta))
            .map(|(a, b)| a.max(b))
            .ok_or_else(|| invalid("sta_lta: windows too long"))?;
        Ok(Plan {
            recursive: false,
            nsta,
            dsta,
            nlta,
            dlta,
            start: reach - 1,
            lag,
            keep: reach,
        })
    }
}

/// `max(v, TINY)` as Python's `max(v, TINY)` (keeps `v` unless `TINY > v`).
#[inline(always)]
fn floor_tiny(v: f64) -> f64 {
    if TINY > v { TINY } else { v }
}

/// The energy of one sample, in `f64`.
#[inline(always)]
fn sq<T: Real>(v: T) -> f64 {
    let v = v.to64();
    v * v
}

/// STA/LTA characteristic function of `x` along `axis`, with windows of `nsta` and
/// `nlta` samples (`1 <= nsta < nlta`).
///
/// The output has the input's shape. Samples whose windows are incomplete are zero: the
/// first `nlta` for `Recursive`, the first `reach − 1` for the boxcar methods (`reach =
/// max(nsta + d_sta, nlta + d_lta)`), and with `Centered` also the last `nlta / 2`.
///
/// This is one [`StaLtaState::feed`] of the whole record followed by
/// [`StaLtaState::flush`], written into one buffer.
///
/// ```
/// use ndarray::Array1;
/// use xdas_signal::detect::{sta_lta, StaLtaMethod};
/// let mut x = Array1::from_elem(200, 1.0f64);
/// x[150] = 10.0;
/// let cft = sta_lta(x.into_dyn().view(), 5, 50, StaLtaMethod::Classic, 0).unwrap();
/// assert_eq!(cft[[10]], 0.0); // windows not yet full
/// assert!((cft[[100]] - 1.0).abs() < 1e-12); // flat signal: ratio 1
/// assert!(cft[[150]] > 5.0); // the spike: (4 + 100)/5 over (49 + 100)/50
/// ```
pub fn sta_lta<T: Real>(
    x: ArrayViewD<'_, T>,
    nsta: usize,
    nlta: usize,
    method: StaLtaMethod,
    axis: usize,
) -> Result<ArrayD<T>> {
    check_input(&x, axis, "sta_lta")?;
    let mut state = StaLtaState::<T>::new(method, nsta, nlta, x.shape(), axis)?;
    let xs = standard(&x);
    let x3 = view3(&xs, axis);
    // the feed writes the first `n − held` rows; the flush's rows (the held-back tail)
    // are zero, and already are in a zeroed buffer
    let mut out = zeros3::<T>(x3.dim());
    state.advance(x3, &mut out);
    state.flushed = true;
    Ok(unview3(out, x.shape(), axis))
}

/// The exported state of a [`StaLtaState`]: plain arrays and counters, enough to
/// rebuild it with [`StaLtaState::from_snapshot`] and resume bitwise.
#[derive(Debug, Clone, PartialEq)]
pub struct StaLtaSnapshot<T> {
    /// Samples fed so far (the index, in the run, of the next chunk's first sample).
    pub count: usize,
    /// Whether the run was flushed (its held-back tail released).
    pub flushed: bool,
    /// The short-term running sum (boxcar methods) or average (`Recursive`) of each
    /// lane; the shape of the data without the axis.
    pub sta: ArrayD<f64>,
    /// The long-term running sum or average of each lane (shape of `sta`).
    pub lta: ArrayD<f64>,
    /// The last `min(count, reach)` input samples (boxcar methods; none for
    /// `Recursive`): the shape of the data with that length along the axis.
    pub history: ArrayD<T>,
}

/// Streaming STA/LTA: [`sta_lta`] fed chunk by chunk along `axis`.
///
/// Each [`feed`](Self::feed) returns the ratio of every sample the stream so far
/// determines: all of them for `Recursive`, `Classic` and `Delayed`; with `Centered`
/// the newest `nlta / 2` samples are held back (their windows reach samples yet to
/// come) and come out with later chunks, the tail of the record (zero) at
/// [`flush`](Self::flush). Joined, the outputs equal [`sta_lta`] of the whole record
/// bitwise, for every chunking (chunks of length 0 included).
///
/// ```
/// use ndarray::{Array1, Axis, concatenate};
/// use xdas_signal::detect::{sta_lta, StaLtaMethod, StaLtaState};
/// let x = Array1::from_shape_fn(100, |i| ((i * 7919) % 13) as f64 - 6.0).into_dyn();
/// let whole = sta_lta(x.view(), 3, 20, StaLtaMethod::Centered, 0).unwrap();
/// let mut st = StaLtaState::new(StaLtaMethod::Centered, 3, 20, x.shape(), 0).unwrap();
/// let mut parts = vec![];
/// for c in x.axis_chunks_iter(Axis(0), 7) {
///     parts.push(st.feed(c).unwrap());
/// }
/// assert_eq!(st.held(), 10);
/// parts.push(st.flush());
/// let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
/// assert_eq!(concatenate(Axis(0), &views).unwrap(), whole);
/// ```
#[derive(Debug, Clone)]
pub struct StaLtaState<T> {
    method: StaLtaMethod,
    plan: Plan,
    axis: usize,
    /// The shape of the data without `axis`.
    lane_shape: Vec<usize>,
    /// Samples fed so far.
    count: usize,
    flushed: bool,
    /// Running sums (averages for `Recursive`) as `(outer, inner)`.
    sta: Array2<f64>,
    lta: Array2<f64>,
    /// The last `min(count, keep)` samples, as `(outer, h, inner)`.
    history: Array3<T>,
}

impl<T: Real> StaLtaState<T> {
    /// A fresh run for data of `shape` (its length along `axis` does not matter) with
    /// windows of `nsta` and `nlta` samples (`1 <= nsta < nlta`).
    ///
    /// ```
    /// use xdas_signal::detect::{StaLtaMethod, StaLtaState};
    /// assert!(StaLtaState::<f64>::new(StaLtaMethod::Recursive, 5, 50, &[0, 3], 0).is_ok());
    /// assert!(StaLtaState::<f64>::new(StaLtaMethod::Recursive, 5, 5, &[10, 3], 0).is_err());
    /// assert!(StaLtaState::<f64>::new(StaLtaMethod::Recursive, 5, 50, &[10, 3], 2).is_err());
    /// ```
    pub fn new(
        method: StaLtaMethod,
        nsta: usize,
        nlta: usize,
        shape: &[usize],
        axis: usize,
    ) -> Result<Self> {
        check_axis(axis, shape.len())?;
        let plan = Plan::new(nsta, nlta, method)?;
        let (outer, _, inner) = split3(shape, axis);
        let mut lane_shape = shape.to_vec();
        lane_shape.remove(axis);
        let floor = if plan.recursive { TINY } else { 0.0 };
        Ok(StaLtaState {
            method,
            plan,
            axis,
            lane_shape,
            count: 0,
            flushed: false,
            sta: Array2::zeros((outer, inner)),
            lta: Array2::from_elem((outer, inner), floor),
            history: Array3::zeros((outer, 0, inner)),
        })
    }

    /// The method.
    pub fn method(&self) -> StaLtaMethod {
        self.method
    }

    /// The short window, in samples.
    pub fn nsta(&self) -> usize {
        self.plan.nsta
    }

    /// The long window, in samples.
    pub fn nlta(&self) -> usize {
        self.plan.nlta
    }

    /// The axis the windows slide along.
    pub fn axis(&self) -> usize {
        self.axis
    }

    /// The samples a `Centered` stream holds back at most (`nlta / 2`; else 0).
    pub fn lag(&self) -> usize {
        self.plan.lag
    }

    /// Samples fed so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Samples fed whose output is still held back (released by later chunks or by
    /// [`flush`](Self::flush)).
    pub fn held(&self) -> usize {
        if self.flushed {
            0
        } else {
            self.count.min(self.plan.lag)
        }
    }

    /// Whether [`flush`](Self::flush) ended the run.
    pub fn is_flushed(&self) -> bool {
        self.flushed
    }

    /// Feed the next chunk (the shape of the data except along the axis) and return the
    /// ratios it completes: as many samples as the chunk for every method but
    /// `Centered`, whose output lags the input by up to `nlta / 2` samples.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use xdas_signal::detect::{StaLtaMethod, StaLtaState};
    /// let mut st = StaLtaState::new(StaLtaMethod::Centered, 2, 10, &[0, 3], 0).unwrap();
    /// let y = st.feed(Array2::<f64>::ones((8, 3)).into_dyn().view()).unwrap();
    /// assert_eq!(y.shape(), &[3, 3]); // 5 samples held back
    /// assert!(st.feed(Array2::<f64>::ones((8, 4)).into_dyn().view()).is_err());
    /// ```
    pub fn feed(&mut self, x: ArrayViewD<'_, T>) -> Result<ArrayD<T>> {
        check_axis(self.axis, x.ndim())?;
        let mut lanes = x.shape().to_vec();
        lanes.remove(self.axis);
        if lanes != self.lane_shape {
            return Err(SignalError::Shape(format!(
                "sta_lta: lanes of shape {lanes:?}, expected {:?}",
                self.lane_shape
            )));
        }
        if self.flushed {
            return Err(invalid("sta_lta: the stream was flushed; start a new one"));
        }
        let xs = standard(&x);
        let x3 = view3(&xs, self.axis);
        let (outer, n, inner) = x3.dim();
        let lag = self.plan.lag;
        let m = (self.count + n).saturating_sub(lag) - self.count.saturating_sub(lag);
        let mut out = zeros3::<T>((outer, m, inner));
        self.advance(x3, &mut out);
        Ok(unview3(out, x.shape(), self.axis))
    }

    /// End the run: the held-back samples (zero: their windows run off the record), as
    /// an array of the data's shape with that length along the axis. Later flushes give
    /// empty arrays; feeding after a flush is an error.
    ///
    /// ```
    /// use ndarray::Array1;
    /// use xdas_signal::detect::{StaLtaMethod, StaLtaState};
    /// let mut st = StaLtaState::new(StaLtaMethod::Centered, 2, 10, &[0], 0).unwrap();
    /// st.feed(Array1::<f32>::ones(3).into_dyn().view()).unwrap();
    /// assert_eq!(st.flush().shape(), &[3]);
    /// assert_eq!(st.flush().shape(), &[0]);
    /// ```
    pub fn flush(&mut self) -> ArrayD<T> {
        let mut shape = self.lane_shape.clone();
        shape.insert(self.axis, self.held());
        self.flushed = true;
        ArrayD::zeros(IxDyn(&shape))
    }

    /// The state as plain arrays and counters.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use xdas_signal::detect::{StaLtaMethod, StaLtaState};
    /// let x = Array2::from_shape_fn((40, 2), |(t, c)| ((t * 31 + c * 7) % 11) as f64).into_dyn();
    /// let mut a = StaLtaState::new(StaLtaMethod::Delayed, 3, 9, x.shape(), 0).unwrap();
    /// let y0 = a.feed(x.slice(ndarray::s![..25, ..]).into_dyn()).unwrap();
    /// let snap = a.snapshot();
    /// assert_eq!(snap.history.shape(), &[12, 2]); // reach = 9 + 3
    /// let mut b = StaLtaState::from_snapshot(StaLtaMethod::Delayed, 3, 9, 0, snap).unwrap();
    /// let tail = x.slice(ndarray::s![25.., ..]).into_dyn();
    /// assert_eq!(a.feed(tail.clone()).unwrap(), b.feed(tail).unwrap());
    /// ```
    pub fn snapshot(&self) -> StaLtaSnapshot<T> {
        let lanes = IxDyn(&self.lane_shape);
        let as_lanes = |a: &Array2<f64>| {
            a.clone()
                .into_shape_with_order(lanes.clone())
                .expect("as many lanes")
        };
        let mut hshape = self.lane_shape.clone();
        hshape.insert(self.axis, self.history.dim().1);
        StaLtaSnapshot {
            count: self.count,
            flushed: self.flushed,
            sta: as_lanes(&self.sta),
            lta: as_lanes(&self.lta),
            history: self
                .history
                .as_standard_layout()
                .into_owned()
                .into_shape_with_order(IxDyn(&hshape))
                .expect("as many samples"),
        }
    }

    /// Rebuild a state from a [`snapshot`](Self::snapshot) of a run with the same
    /// method, windows and axis (its shapes are checked).
    pub fn from_snapshot(
        method: StaLtaMethod,
        nsta: usize,
        nlta: usize,
        axis: usize,
        snap: StaLtaSnapshot<T>,
    ) -> Result<Self> {
        let lane_shape = snap.sta.shape().to_vec();
        let mut shape = lane_shape.clone();
        check_axis(axis, shape.len() + 1)?;
        shape.insert(axis, 0);
        let mut st = Self::new(method, nsta, nlta, &shape, axis)?;
        let want_h = snap.count.min(st.plan.keep);
        let mut hshape = lane_shape.clone();
        hshape.insert(axis, want_h);
        if snap.lta.shape() != lane_shape.as_slice() || snap.history.shape() != hshape.as_slice() {
            return Err(SignalError::Shape(format!(
                "sta_lta state: sums of shapes {:?} and {:?}, history {:?} (expected {:?})",
                snap.sta.shape(),
                snap.lta.shape(),
                snap.history.shape(),
                hshape
            )));
        }
        let (outer, _, inner) = split3(&shape, axis);
        let xs = standard(&snap.history.view()).into_owned();
        st.history = xs
            .into_shape_with_order((outer, want_h, inner))
            .expect("checked shape");
        let flat = |a: ArrayD<f64>| {
            a.as_standard_layout()
                .into_owned()
                .into_shape_with_order((outer, inner))
                .expect("checked shape")
        };
        st.sta = flat(snap.sta);
        st.lta = flat(snap.lta);
        st.count = snap.count;
        st.flushed = snap.flushed;
        Ok(st)
    }

    /// Run the kernel over one `(outer, n, inner)` chunk, writing the outputs it
    /// completes into the first rows of `out`, and carry the state over.
    fn advance(&mut self, x3: ArrayView3<'_, T>, out: &mut Array3<T>) {
        let (outer, n, inner) = x3.dim();
        let plan = self.plan;
        let count = self.count;
        if outer * inner > 0 && n > 0 {
            let hist = self.history.view();
            walk(x3, hist, out, &mut self.sta, &mut self.lta, |b| {
                if plan.recursive {
                    recursive_block(b, plan, count)
                } else {
                    boxcar_block(b, plan, count)
                }
            });
        }
        if plan.keep > 0 {
            let keep = (count + n).min(plan.keep);
            let h = self.history.dim().1;
            self.history = if n >= keep {
                x3.slice(s![.., n - keep.., ..])
                    .as_standard_layout()
                    .into_owned()
            } else {
                ndarray::concatenate(
                    Axis(1),
                    &[self.history.slice(s![.., h - (keep - n).., ..]), x3],
                )
                .expect("the same lanes")
            };
        }
        self.count += n;
    }
}

/// One block of lanes (columns) for a kernel: the chunk, the carried history (the
/// samples just before it), the output rows, and the lanes' running sums.
struct Block<'a, T> {
    x: ArrayView2<'a, T>,
    hist: ArrayView2<'a, T>,
    out: ArrayViewMut2<'a, T>,
    sta: &'a mut [f64],
    lta: &'a mut [f64],
}

/// Run `f` on every block of at most [`BLOCK`] lanes, in parallel; each lane is
/// computed by exactly one call, so results do not depend on the threads.
fn walk<T: Real, F>(
    x: ArrayView3<'_, T>,
    hist: ArrayView3<'_, T>,
    out: &mut Array3<T>,
    sta: &mut Array2<f64>,
    lta: &mut Array2<f64>,
    f: F,
) where
    F: Fn(Block<'_, T>) + Sync,
{
    out.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(x.axis_iter(Axis(0)))
        .zip(hist.axis_iter(Axis(0)))
        .zip(sta.axis_iter_mut(Axis(0)))
        .zip(lta.axis_iter_mut(Axis(0)))
        .for_each(|((((mut o2, x2), h2), mut s1), mut l1)| {
            o2.axis_chunks_iter_mut(Axis(1), BLOCK)
                .into_par_iter()
                .zip(x2.axis_chunks_iter(Axis(1), BLOCK))
                .zip(h2.axis_chunks_iter(Axis(1), BLOCK))
                .zip(s1.axis_chunks_iter_mut(Axis(0), BLOCK))
                .zip(l1.axis_chunks_iter_mut(Axis(0), BLOCK))
                .for_each(|((((out, x), hist), mut sta), mut lta)| {
                    f(Block {
                        x,
                        hist,
                        out,
                        sta: sta.as_slice_mut().expect("contiguous sums"),
                        lta: lta.as_slice_mut().expect("contiguous sums"),
                    })
                });
        });
}

/// Recursive STA/LTA of one block; `count` is the index of its first sample in the run.
fn recursive_block<T: Real>(b: Block<'_, T>, p: Plan, count: usize) {
    let Block {
        x,
        mut out,
        sta,
        lta,
        ..
    } = b;
    let csta = 1.0 / p.nsta as f64;
    let clta = 1.0 / p.nlta as f64;
    let icsta = 1.0 - csta;
    let iclta = 1.0 - clta;
    if let (Some(xl), Some(ol)) = (lane(&x), lane_mut(&mut out)) {
        let (mut s, mut l) = (sta[0], lta[0]);
        for (j, &v) in xl.iter().enumerate() {
            let t = count + j;
            if t == 0 {
                // ObsPy's recursion starts at the second sample
                continue;
            }
            let e = sq(v);
            s = csta * e + icsta * s;
            l = clta * e + iclta * l;
            if t >= p.nlta {
                ol[j] = T::of(s / floor_tiny(l));
            }
        }
        sta[0] = s;
        lta[0] = l;
        return;
    }
    for (j, (xr, mut or)) in x.rows().into_iter().zip(out.rows_mut()).enumerate() {
        let t = count + j;
        if t == 0 {
            continue;
        }
        let xr = xr.to_slice().expect("contiguous rows");
        let or = or.as_slice_mut().expect("contiguous rows");
        if t >= p.nlta {
            for (((s, l), &v), o) in sta.iter_mut().zip(lta.iter_mut()).zip(xr).zip(or) {
                let e = sq(v);
                *s = csta * e + icsta * *s;
                *l = clta * e + iclta * *l;
                *o = T::of(*s / floor_tiny(*l));
            }
        } else {
            for ((s, l), &v) in sta.iter_mut().zip(lta.iter_mut()).zip(xr) {
                let e = sq(v);
                *s = csta * e + icsta * *s;
                *l = clta * e + iclta * *l;
            }
        }
    }
}

/// What a running boxcar sum does at one step.
enum Step {
    /// The window does not exist yet: the sum is zero.
    Zero,
    /// Sum the window `[last + 1 − n, last]` from scratch.
    Recompute(usize),
    /// Add sample `last`, and subtract sample `last − n` when it exists.
    Slide(usize, Option<usize>),
}

/// The step of a window of `n` samples ending at `t − d` (xdas's `_slide`).
#[inline]
fn step(t: usize, d: usize, n: usize) -> Step {
    if t < d {
        return Step::Zero;
    }
    let last = t - d;
    if (last + 1) % n == 0 {
        Step::Recompute(last + 1 - n)
    } else {
        Step::Slide(last, last.checked_sub(n))
    }
}

/// Boxcar STA/LTA of one lane over the samples `ts` (absolute indices); `xs` holds the
/// samples from absolute index `off` on, as far as the windows of `ts` reach.
#[inline(always)]
fn boxcar_lane<T: Real>(
    p: &Plan,
    xs: &[T],
    off: usize,
    ts: std::ops::Range<usize>,
    done: usize,
    sums: &mut (f64, f64),
    ol: &mut [T],
) {
    let (fsta, flta) = (p.nsta as f64, p.nlta as f64);
    let slide = |total: f64, st: Step, len: usize| -> f64 {
        match st {
            Step::Zero => 0.0,
            Step::Recompute(first) => {
                let mut s = 0.0;
                for &v in &xs[first - off..first - off + len] {
                    s += sq(v);
                }
                s
            }
            Step::Slide(last, old) => {
                let mut s = total + sq(xs[last - off]);
                if let Some(k) = old {
                    s -= sq(xs[k - off]);
                }
                s
            }
        }
    };
    let (mut ssta, mut slta) = *sums;
    for t in ts {
        ssta = slide(ssta, step(t, p.dsta, p.nsta), p.nsta);
        slta = slide(slta, step(t, p.dlta, p.nlta), p.nlta);
        if t >= p.start && t >= p.lag {
            ol[t - p.lag - done] = T::of((ssta / fsta) / floor_tiny(slta / flta));
        }
    }
    *sums = (ssta, slta);
}

/// Boxcar STA/LTA of one block; `count` is the index of its first sample in the run,
/// the history holds the samples just before it. The output row of sample `t` is
/// `t − lag`, counted from the first output not yet emitted.
fn boxcar_block<T: Real>(b: Block<'_, T>, p: Plan, count: usize) {
    let Block {
        x,
        hist,
        mut out,
        sta,
        lta,
    } = b;
    let n = x.nrows();
    // absolute index of the first history sample, and of the first output row
    let base = count - hist.nrows();
    let done = count.saturating_sub(p.lag);
    let (fsta, flta) = (p.nsta as f64, p.nlta as f64);
    if let (Some(xl), Some(hl), Some(ol)) = (lane(&x), lane(&hist), lane_mut(&mut out)) {
        let mut sums = (sta[0], lta[0]);
        // the first `keep` samples' windows may reach into the history: run them on a
        // contiguous copy of both; the others only reach into the chunk
        let split = if hl.is_empty() { 0 } else { n.min(p.keep) };
        if split > 0 {
            let buf: Vec<T> = hl.iter().chain(&xl[..split]).copied().collect();
            boxcar_lane(&p, &buf, base, count..count + split, done, &mut sums, ol);
        }
        boxcar_lane(&p, xl, count, count + split..count + n, done, &mut sums, ol);
        sta[0] = sums.0;
        lta[0] = sums.1;
        return;
    }
    let rows: Vec<&[T]> = hist
        .rows()
        .into_iter()
        .chain(x.rows())
        .map(|r| r.to_slice().expect("contiguous rows"))
        .collect();
    let row = |k: usize| rows[k - base];
    let slide = |total: &mut [f64], st: Step, len: usize| match st {
        Step::Zero => total.fill(0.0),
        Step::Recompute(first) => {
            total.fill(0.0);
            for k in first..first + len {
                for (s, &v) in total.iter_mut().zip(row(k)) {
                    *s += sq(v);
                }
            }
        }
        Step::Slide(last, old) => {
            let r = row(last);
            match old {
                Some(k) => {
                    for ((s, &v), &u) in total.iter_mut().zip(r).zip(row(k)) {
                        *s = (*s + sq(v)) - sq(u);
                    }
                }
                None => {
                    for (s, &v) in total.iter_mut().zip(r) {
                        *s += sq(v);
                    }
                }
            }
        }
    };
    for j in 0..n {
        let t = count + j;
        slide(sta, step(t, p.dsta, p.nsta), p.nsta);
        slide(lta, step(t, p.dlta, p.nlta), p.nlta);
        if t >= p.start && t >= p.lag {
            let mut or = out.row_mut(t - p.lag - done);
            let or = or.as_slice_mut().expect("contiguous rows");
            for ((o, &s), &l) in or.iter_mut().zip(sta.iter()).zip(lta.iter()) {
                *o = T::of((s / fsta) / floor_tiny(l / flta));
            }
        }
    }
}

/// One pick: the maximum of a triggered run of one lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Indices of the lane along the other axes, in axis order (empty for 1-D input).
    pub lane: Vec<usize>,
    /// Index of the pick along the trigger axis, counted from the start of the record.
    pub index: usize,
    /// The characteristic function at the pick (as `f64`).
    pub value: f64,
}

/// Trigger state of one lane.
#[derive(Debug, Clone, Copy, Default)]
struct LaneState {
    on: bool,
    index: usize,
    value: f64,
}

/// The order of the picks a [`TriggerState::feed`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PickOrder {
    /// Lane by lane (row-major over the other axes), each lane's picks in time order:
    /// xdas's order within one call. Joined over the chunks of a record, the picks are
    /// the same but their order depends on the chunking.
    #[default]
    ByLane,
    /// In the order the runs close: by the index of the sample that switches the
    /// trigger off, ties (runs closing at the same sample) lane by lane; the runs closed
    /// by [`TriggerState::flush`] come last, lane by lane. Joined over the chunks of a
    /// record, the picks are in the same order for every chunking.
    ByClose,
}

/// The exported state of a [`TriggerState`] (its thresholds and axis are parameters,
/// not state): enough to rebuild it with [`TriggerState::restore`] and resume.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TriggerSnapshot {
    /// The shape of the other axes (`None` before the first chunk).
    pub lane_shape: Option<Vec<usize>>,
    /// Whether each lane (raveled, row-major) is triggered.
    pub on: Vec<bool>,
    /// The index (from the start of the record) of the maximum of each lane's open run.
    pub index: Vec<usize>,
    /// That maximum.
    pub value: Vec<f64>,
    /// Samples fed so far.
    pub offset: usize,
}

/// The threshold trigger, fed chunk by chunk along `axis`.
///
/// The picks of a record are the same whatever its chunking: feed every chunk in turn,
/// then [`flush`](Self::flush) to close the runs still on at the end. Each call returns
/// the picks whose runs closed in it, lane by lane (lanes in row-major order of the
/// other axes), each lane's picks in time order — or, with [`PickOrder::ByClose`], in
/// the order the runs close, which joined over the chunks is the same for every chunking.
///
/// ```
/// use ndarray::{array, s};
/// use xdas_signal::detect::{Pick, TriggerState};
/// let cft = array![[0.0, 0.1, 0.9, 0.8, 0.2, 0.1, 0.6, 0.7, 0.3, 0.2]].into_dyn();
/// let mut state = TriggerState::new(0.5, 1).unwrap();
/// let mut picks = state.feed(cft.slice(s![.., ..3]).into_dyn()).unwrap();
/// picks.extend(state.feed(cft.slice(s![.., 3..]).into_dyn()).unwrap());
/// picks.extend(state.flush());
/// assert_eq!(picks[0], Pick { lane: vec![0], index: 2, value: 0.9 });
/// assert_eq!(picks[1], Pick { lane: vec![0], index: 7, value: 0.7 });
/// ```
#[derive(Debug, Clone)]
pub struct TriggerState {
    axis: usize,
    /// The on threshold: one value, or one per lane (raveled).
    thresh: Vec<f64>,
    /// The shape of the other axes, fixed by the first chunk (or the thresholds).
    lane_shape: Option<Vec<usize>>,
    lanes: Vec<LaneState>,
    offset: usize,
    order: PickOrder,
}

impl TriggerState {
    /// A trigger on at `>= thresh` and off below `thresh / 2`, on every lane.
    ///
    /// ```
    /// use xdas_signal::detect::TriggerState;
    /// assert!(TriggerState::new(0.5, 0).is_ok());
    /// assert!(TriggerState::new(f64::NAN, 0).is_err());
    /// ```
    pub fn new(thresh: f64, axis: usize) -> Result<Self> {
        if thresh.is_nan() {
            return Err(invalid("trigger: the threshold is NaN"));
        }
        Ok(TriggerState {
            axis,
            thresh: vec![thresh],
            lane_shape: None,
            lanes: Vec::new(),
            offset: 0,
            order: PickOrder::ByLane,
        })
    }

    /// One threshold per lane: `thresh` has the shape of the data without `axis`
    /// (an infinite threshold never triggers on finite values, as xdas's unlisted phase
    /// labels).
    ///
    /// ```
    /// use ndarray::array;
    /// use xdas_signal::detect::TriggerState;
    /// let cft = array![[0.0, 0.9, 0.0], [0.0, 0.8, 0.0]].into_dyn();
    /// let th = array![f64::INFINITY, 0.5].into_dyn();
    /// let mut state = TriggerState::with_lane_thresholds(th, 1).unwrap();
    /// let mut picks = state.feed(cft.view()).unwrap();
    /// picks.extend(state.flush());
    /// assert_eq!(picks.len(), 1);
    /// assert_eq!((picks[0].lane.clone(), picks[0].index, picks[0].value), (vec![1], 1, 0.8));
    /// ```
    pub fn with_lane_thresholds(thresh: ArrayD<f64>, axis: usize) -> Result<Self> {
        if thresh.iter().any(|v| v.is_nan()) {
            return Err(invalid("trigger: a threshold is NaN"));
        }
        let lane_shape = thresh.shape().to_vec();
        let thresh: Vec<f64> = thresh.iter().copied().collect();
        Ok(TriggerState {
            axis,
            lanes: vec![LaneState::default(); thresh.len()],
            thresh,
            lane_shape: Some(lane_shape),
            offset: 0,
            order: PickOrder::ByLane,
        })
    }

    /// The same trigger returning its picks in `order`.
    ///
    /// ```
    /// use ndarray::array;
    /// use xdas_signal::detect::{PickOrder, TriggerState};
    /// // (time, lane): lane 1's run closes at t = 2, lane 0's at t = 3
    /// let cft = array![[0.9, 0.9], [0.8, 0.8], [0.7, 0.0], [0.0, 0.0]].into_dyn();
    /// let mut st = TriggerState::new(0.5, 0).unwrap().with_order(PickOrder::ByClose);
    /// let lanes: Vec<_> = st.feed(cft.view()).unwrap().iter().map(|p| p.lane[0]).collect();
    /// assert_eq!(lanes, vec![1, 0]);
    /// ```
    pub fn with_order(mut self, order: PickOrder) -> Self {
        self.order = order;
        self
    }

    /// The order of the picks.
    pub fn order(&self) -> PickOrder {
        self.order
    }

    /// The shape of the other axes (`None` before the first chunk, unless given by
    /// per-lane thresholds).
    pub fn lane_shape(&self) -> Option<&[usize]> {
        self.lane_shape.as_deref()
    }

    /// The open runs: `(raveled lane, index of their maximum so far, that maximum)`, by
    /// lane.
    ///
    /// ```
    /// use ndarray::array;
    /// use xdas_signal::detect::TriggerState;
    /// let mut st = TriggerState::new(0.5, 0).unwrap();
    /// st.feed(array![[0.0, 0.6], [0.0, 0.9]].into_dyn().view()).unwrap();
    /// assert_eq!(st.open_runs(), vec![(1, 1, 0.9)]);
    /// ```
    pub fn open_runs(&self) -> Vec<(usize, usize, f64)> {
        self.lanes
            .iter()
            .enumerate()
            .filter(|(_, s)| s.on)
            .map(|(l, s)| (l, s.index, s.value))
            .collect()
    }

    /// The state as plain vectors and counters.
    ///
    /// ```
    /// use ndarray::array;
    /// use xdas_signal::detect::TriggerState;
    /// let cft = array![[0.0, 0.6], [0.9, 0.9], [0.0, 0.8], [0.0, 0.1]].into_dyn();
    /// let mut a = TriggerState::new(0.5, 0).unwrap();
    /// a.feed(cft.slice(ndarray::s![..2, ..]).into_dyn()).unwrap();
    /// let mut b = TriggerState::new(0.5, 0).unwrap();
    /// b.restore(a.snapshot()).unwrap();
    /// let rest = cft.slice(ndarray::s![2.., ..]).into_dyn();
    /// assert_eq!(a.feed(rest.clone()).unwrap(), b.feed(rest).unwrap());
    /// ```
    pub fn snapshot(&self) -> TriggerSnapshot {
        TriggerSnapshot {
            lane_shape: self.lane_shape.clone(),
            on: self.lanes.iter().map(|s| s.on).collect(),
            index: self.lanes.iter().map(|s| s.index).collect(),
            value: self.lanes.iter().map(|s| s.value).collect(),
            offset: self.offset,
        }
    }

    /// Take over the state of a [`snapshot`](Self::snapshot) (of a trigger with the
    /// same thresholds and axis); its sizes are checked.
    pub fn restore(&mut self, snap: TriggerSnapshot) -> Result<()> {
        let n = snap.on.len();
        let bad = |what: String| Err(SignalError::Shape(format!("trigger state: {what}")));
        if snap.index.len() != n || snap.value.len() != n {
            return bad(format!(
                "{n} statuses, {} indices, {} values",
                snap.index.len(),
                snap.value.len()
            ));
        }
        match &snap.lane_shape {
            Some(s) if s.iter().product::<usize>() != n => {
                return bad(format!("{n} lanes for lanes of shape {s:?}"));
            }
            None if n != 0 => return bad(format!("{n} lanes before the first chunk")),
            _ => {}
        }
        // per-lane thresholds fix the lanes
        if self.thresh.len() != 1 && snap.lane_shape != self.lane_shape {
            return bad(format!(
                "lanes of shape {:?} for thresholds of shape {:?}",
                snap.lane_shape, self.lane_shape
            ));
        }
        self.lane_shape = snap.lane_shape;
        self.lanes = snap
            .on
            .iter()
            .zip(&snap.index)
            .zip(&snap.value)
            .map(|((&on, &index), &value)| LaneState { on, index, value })
            .collect();
        self.offset = snap.offset;
        Ok(())
    }

    /// The number of samples fed so far (the absolute index of the next chunk's first
    /// sample).
    ///
    /// ```
    /// use ndarray::Array2;
    /// use xdas_signal::detect::TriggerState;
    /// let mut state = TriggerState::new(1.0, 0).unwrap();
    /// state.feed(Array2::<f32>::zeros((7, 3)).into_dyn().view()).unwrap();
    /// assert_eq!(state.offset(), 7);
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Feed the next chunk (the same shape as the previous ones except along `axis`; a
    /// chunk of length 0 along `axis` is allowed) and return the picks it closes.
    ///
    /// ```
    /// use ndarray::array;
    /// use xdas_signal::detect::TriggerState;
    /// let mut state = TriggerState::new(0.5, 0).unwrap();
    /// let picks = state.feed(array![0.0, 0.9, 0.1].into_dyn().view()).unwrap();
    /// assert_eq!(picks.len(), 1);
    /// assert!(state.feed(array![[0.0]].into_dyn().view()).is_err()); // other shape
    /// ```
    pub fn feed<T: Real>(&mut self, cft: ArrayViewD<'_, T>) -> Result<Vec<Pick>> {
        crate::axis::check_axis(self.axis, cft.ndim())?;
        let axis = self.axis;
        let mut lane_shape = cft.shape().to_vec();
        lane_shape.remove(axis);
        match &self.lane_shape {
            Some(s) if *s != lane_shape => {
                return Err(SignalError::Shape(format!(
                    "trigger: lanes of shape {lane_shape:?}, expected {s:?}"
                )));
            }
            Some(_) => {}
            None => {
                self.lanes = vec![LaneState::default(); lane_shape.iter().product()];
                self.lane_shape = Some(lane_shape.clone());
            }
        }
        let (_, n, inner) = split3(cft.shape(), axis);
        if n == 0 || self.lanes.is_empty() {
            self.offset += n;
            return Ok(Vec::new());
        }
        let xs = standard(&cft);
        let x3 = view3(&xs, axis);
        let offset = self.offset;
        let thresh = &self.thresh;
        let mut hits: Vec<Hit> = self
            .lanes
            .par_chunks_mut(inner)
            .zip(x3.axis_iter(Axis(0)).into_par_iter())
            .enumerate()
            .flat_map_iter(|(o, (states, x2))| {
                let per_block: Vec<Vec<Hit>> = states
                    .par_chunks_mut(crate::axis::BLOCK)
                    .zip(x2.axis_chunks_iter(Axis(1), crate::axis::BLOCK))
                    .enumerate()
                    .map(|(b, (st, xb))| {
                        let first = o * inner + b * crate::axis::BLOCK;
                        let th = if thresh.len() == 1 {
                            &thresh[..]
                        } else {
                            &thresh[first..first + st.len()]
                        };
                        let mut hits = trigger_block(xb, st, th, offset);
                        for h in &mut hits {
                            h.0 += first;
                        }
                        hits
                    })
                    .collect();
                per_block.into_iter().flatten()
            })
            .collect();
        self.offset += n;
        if self.order == PickOrder::ByClose {
            hits.sort_unstable_by_key(|h| (h.3, h.0));
        }
        Ok(self.picks(hits))
    }

    /// Close the runs still on (the end of the record) and return their picks, lane by
    /// lane. The state is then ready for nothing but more flushes (which return nothing).
    ///
    /// ```
    /// use ndarray::array;
    /// use xdas_signal::detect::TriggerState;
    /// let mut state = TriggerState::new(0.5, 0).unwrap();
    /// assert!(state.feed(array![0.0, 0.6, 0.9].into_dyn().view()).unwrap().is_empty());
    /// let picks = state.flush();
    /// assert_eq!((picks[0].index, picks[0].value), (2, 0.9));
    /// assert!(state.flush().is_empty());
    /// ```
    pub fn flush(&mut self) -> Vec<Pick> {
        let end = self.offset;
        let hits: Vec<Hit> = self
            .lanes
            .iter_mut()
            .enumerate()
            .filter(|(_, s)| s.on)
            .map(|(l, s)| {
                s.on = false;
                (l, s.index, s.value, end)
            })
            .collect();
        self.picks(hits)
    }

    /// Turn hits into picks.
    fn picks(&self, hits: Vec<Hit>) -> Vec<Pick> {
        let shape = self.lane_shape.as_deref().unwrap_or(&[]);
        hits.into_iter()
            .map(|(l, index, value, _)| Pick {
                lane: unravel(l, shape),
                index,
                value,
            })
            .collect()
    }
}

/// Row-major multi-index of `l` in `shape`.
fn unravel(mut l: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (i, &d) in shape.iter().enumerate().rev() {
        idx[i] = l % d;
        l /= d;
    }
    idx
}

/// A closed run: `(lane or column, index of the pick, value, index of the sample that
/// closed it)`.
type Hit = (usize, usize, f64, usize);

/// Run the trigger over one block of lanes (columns of `xb`); returns the hits sorted by
/// column, then time.
fn trigger_block<T: Real>(
    xb: ArrayView2<'_, T>,
    states: &mut [LaneState],
    thresh: &[f64],
    offset: usize,
) -> Vec<Hit> {
    let mut hits = Vec::new();
    let th = |j: usize| {
        if thresh.len() == 1 {
            thresh[0]
        } else {
            thresh[j]
        }
    };
    #[inline(always)]
    fn visit(
        s: &mut LaneState,
        v: f64,
        idx: usize,
        on: f64,
        out: &mut impl FnMut(usize, f64, usize),
    ) {
        if s.on {
            if v > s.value {
                s.index = idx;
                s.value = v;
            }
            if v < on / 2.0 {
                s.on = false;
                out(s.index, s.value, idx);
            }
        } else if v >= on {
            s.on = true;
            s.index = idx;
            s.value = v;
        }
    }
    if let Some(xl) = lane(&xb) {
        let on = th(0);
        let s = &mut states[0];
        for (t, &v) in xl.iter().enumerate() {
            visit(s, v.to64(), offset + t, on, &mut |i, v, c| {
                hits.push((0, i, v, c))
            });
        }
        return hits;
    }
    // Rows where every lane is off and stays off are the rule: they are detected with a
    // branch-free (vectorised) comparison and skipped.
    let mut n_on = states.iter().filter(|s| s.on).count();
    for (t, xr) in xb.rows().into_iter().enumerate() {
        let xr = xr.to_slice().expect("contiguous rows");
        if n_on == 0 {
            let any = if thresh.len() == 1 {
                let on = thresh[0];
                xr.iter().fold(false, |a, &v| a | (v.to64() >= on))
            } else {
                xr.iter()
                    .zip(thresh)
                    .fold(false, |a, (&v, &on)| a | (v.to64() >= on))
            };
            if !any {
                continue;
            }
        }
        for (j, (s, &v)) in states.iter_mut().zip(xr).enumerate() {
            let was = s.on;
            visit(s, v.to64(), offset + t, th(j), &mut |i, v, c| {
                hits.push((j, i, v, c))
            });
            if s.on != was {
                if s.on {
                    n_on += 1;
                } else {
                    n_on -= 1;
                }
            }
        }
    }
    hits.sort_by_key(|h| h.0);
    hits
}

/// Picks of the characteristic function `cft` along `axis`, on at `>= thresh` and off
/// below `thresh / 2`: one pick per triggered run, at its maximum; runs still on at the
/// end are closed. Picks come lane by lane (row-major over the other axes), each lane's
/// in time order, then the runs closed at the end, lane by lane — xdas's order.
///
/// ```
/// use ndarray::array;
/// use xdas_signal::detect::trigger;
/// let cft = array![[0.0, 0.1, 0.9, 0.8, 0.2, 0.1, 0.6, 0.7, 0.3, 0.2]].into_dyn();
/// let picks = trigger(cft.view(), 0.5, 1).unwrap();
/// let got: Vec<(usize, f64)> = picks.iter().map(|p| (p.index, p.value)).collect();
/// assert_eq!(got, vec![(2, 0.9), (7, 0.7)]);
/// ```
pub fn trigger<T: Real>(cft: ArrayViewD<'_, T>, thresh: f64, axis: usize) -> Result<Vec<Pick>> {
    check_input(&cft, axis, "trigger")?;
    let mut state = TriggerState::new(thresh, axis)?;
    let mut picks = state.feed(cft)?;
    picks.extend(state.flush());
    Ok(picks)
}
