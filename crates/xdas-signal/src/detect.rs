//! STA/LTA characteristic functions and the threshold trigger (`xdas.atoms.detect`).
//!
//! * [`sta_lta`]: the ratio of a short-term to a long-term mean of the squared signal,
//!   computed as xdas 0.2.10's `STALTA` atom does on a whole record: the `recursive`
//!   method is bitwise ObsPy's `recursive_sta_lta`; the boxcar methods (`classic`,
//!   `delayed`, `centered`) use running sums recomputed from scratch once per window.
//!   The energy `x²` and the ratio are computed in `f64` whatever the input type (xdas
//!   squares into float64); the result is rounded to `T`.
//! * [`trigger`] and [`TriggerState`]: picks of a characteristic function — a lane
//!   switches on at `value >= thresh`, off below `thresh / 2`, and each triggered run gives
//!   one pick at its maximum (the first one on ties). Runs still on at the end of the
//!   record are closed (xdas 0.2.10's `flush`). [`TriggerState`] takes the record chunk by
//!   chunk and gives the same picks.
//!
//! On row-major `(time, channel)` data along time, both walk rows and update a block of
//! channels at once (the recursive filter vectorises across channels); blocks run in
//! parallel, each lane is computed by exactly one task, so results do not depend on the
//! number of threads.

use crate::axis::{check_input, lane, lane_mut, split3, standard, unview3, view3, walk_blocks};
use crate::buffers::zeros3;
use crate::error::{Result, SignalError, invalid};
use crate::float::Real;
use ndarray::{ArrayD, ArrayView2, ArrayViewD, ArrayViewMut2, Axis};
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

/// Window offsets of a boxcar method: each window of `n` samples ends `d` samples before
/// the newest one; outputs start at `start`; `lag` samples are held back.
#[derive(Debug, Clone, Copy)]
struct Boxcar {
    nsta: usize,
    dsta: usize,
    nlta: usize,
    dlta: usize,
    start: usize,
    lag: usize,
}

impl Boxcar {
    fn new(nsta: usize, nlta: usize, method: StaLtaMethod) -> Self {
        let lag = method.lag(nlta);
        let (dsta, dlta) = match method {
            StaLtaMethod::Delayed => (0, nsta),
            StaLtaMethod::Centered => (lag - nsta / 2, 0),
            _ => (0, 0),
        };
        let reach = (nsta + dsta).max(nlta + dlta);
        Boxcar {
            nsta,
            dsta,
            nlta,
            dlta,
            start: reach - 1,
            lag,
        }
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
    if nsta == 0 {
        return Err(invalid("sta_lta: nsta must be at least one sample"));
    }
    if nlta <= nsta {
        return Err(invalid(format!(
            "sta_lta: nlta ({nlta}) must be longer than nsta ({nsta})"
        )));
    }
    let xs = standard(&x);
    let x3 = view3(&xs, axis);
    let mut out = zeros3::<T>(x3.dim());
    match method {
        StaLtaMethod::Recursive => {
            walk_blocks(x3, &mut out, |xb, ob| recursive_block(xb, ob, nsta, nlta))
        }
        _ => {
            let bc = Boxcar::new(nsta, nlta, method);
            walk_blocks(x3, &mut out, |xb, ob| boxcar_block(xb, ob, bc))
        }
    }
    Ok(unview3(out, x.shape(), axis))
}

/// Recursive STA/LTA of the lanes (columns) of one block.
fn recursive_block<T: Real>(
    xb: ArrayView2<'_, T>,
    mut ob: ArrayViewMut2<'_, T>,
    nsta: usize,
    nlta: usize,
) {
    let csta = 1.0 / nsta as f64;
    let clta = 1.0 / nlta as f64;
    let icsta = 1.0 - csta;
    let iclta = 1.0 - clta;
    if let (Some(xl), Some(ol)) = (lane(&xb), lane_mut(&mut ob)) {
        let (mut sta, mut lta) = (0.0f64, TINY);
        for t in 1..xl.len() {
            let e = sq(xl[t]);
            sta = csta * e + icsta * sta;
            lta = clta * e + iclta * lta;
            if t >= nlta {
                ol[t] = T::of(sta / floor_tiny(lta));
            }
        }
        return;
    }
    let w = xb.ncols();
    let mut sta = vec![0.0f64; w];
    let mut lta = vec![TINY; w];
    for (t, (xr, mut or)) in xb.rows().into_iter().zip(ob.rows_mut()).enumerate() {
        if t == 0 {
            continue;
        }
        let xr = xr.to_slice().expect("contiguous rows");
        let or = or.as_slice_mut().expect("contiguous rows");
        if t >= nlta {
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

/// Boxcar STA/LTA of the lanes (columns) of one block.
fn boxcar_block<T: Real>(xb: ArrayView2<'_, T>, mut ob: ArrayViewMut2<'_, T>, bc: Boxcar) {
    let n = xb.nrows();
    let (fsta, flta) = (bc.nsta as f64, bc.nlta as f64);
    if let (Some(xl), Some(ol)) = (lane(&xb), lane_mut(&mut ob)) {
        let slide = |total: f64, st: Step, len: usize| -> f64 {
            match st {
                Step::Zero => 0.0,
                Step::Recompute(first) => {
                    let mut s = 0.0;
                    for &v in &xl[first..first + len] {
                        s += sq(v);
                    }
                    s
                }
                Step::Slide(last, old) => {
                    let mut s = total + sq(xl[last]);
                    if let Some(k) = old {
                        s -= sq(xl[k]);
                    }
                    s
                }
            }
        };
        let (mut ssta, mut slta) = (0.0, 0.0);
        for t in 0..n {
            ssta = slide(ssta, step(t, bc.dsta, bc.nsta), bc.nsta);
            slta = slide(slta, step(t, bc.dlta, bc.nlta), bc.nlta);
            if t >= bc.start && t >= bc.lag {
                ol[t - bc.lag] = T::of((ssta / fsta) / floor_tiny(slta / flta));
            }
        }
        return;
    }
    let w = xb.ncols();
    let mut ssta = vec![0.0f64; w];
    let mut slta = vec![0.0f64; w];
    let slide = |total: &mut [f64], st: Step, len: usize| match st {
        Step::Zero => total.fill(0.0),
        Step::Recompute(first) => {
            total.fill(0.0);
            for k in first..first + len {
                let r = xb.row(k);
                for (s, &v) in total.iter_mut().zip(r.to_slice().expect("contiguous rows")) {
                    *s += sq(v);
                }
            }
        }
        Step::Slide(last, old) => {
            let r = xb.row(last);
            let r = r.to_slice().expect("contiguous rows");
            match old {
                Some(k) => {
                    let o = xb.row(k);
                    let o = o.to_slice().expect("contiguous rows");
                    for ((s, &v), &u) in total.iter_mut().zip(r).zip(o) {
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
    for t in 0..n {
        slide(&mut ssta, step(t, bc.dsta, bc.nsta), bc.nsta);
        slide(&mut slta, step(t, bc.dlta, bc.nlta), bc.nlta);
        if t >= bc.start && t >= bc.lag {
            let mut or = ob.row_mut(t - bc.lag);
            let or = or.as_slice_mut().expect("contiguous rows");
            for ((o, &s), &l) in or.iter_mut().zip(&ssta).zip(&slta) {
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

/// The threshold trigger, fed chunk by chunk along `axis`.
///
/// The picks of a record are the same whatever its chunking: feed every chunk in turn,
/// then [`flush`](Self::flush) to close the runs still on at the end. Each call returns
/// the picks whose runs closed in it, lane by lane (lanes in row-major order of the
/// other axes), each lane's picks in time order.
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
        })
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
        let hits: Vec<(usize, usize, f64)> = self
            .lanes
            .par_chunks_mut(inner)
            .zip(x3.axis_iter(Axis(0)).into_par_iter())
            .enumerate()
            .flat_map_iter(|(o, (states, x2))| {
                let per_block: Vec<Vec<(usize, usize, f64)>> = states
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
        let hits: Vec<(usize, usize, f64)> = self
            .lanes
            .iter_mut()
            .enumerate()
            .filter(|(_, s)| s.on)
            .map(|(l, s)| {
                s.on = false;
                (l, s.index, s.value)
            })
            .collect();
        self.picks(hits)
    }

    /// Turn `(lane number, index, value)` into picks.
    fn picks(&self, hits: Vec<(usize, usize, f64)>) -> Vec<Pick> {
        let shape = self.lane_shape.as_deref().unwrap_or(&[]);
        hits.into_iter()
            .map(|(l, index, value)| Pick {
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

/// Run the trigger over one block of lanes (columns of `xb`); returns `(column, index,
/// value)` sorted by column, then time.
fn trigger_block<T: Real>(
    xb: ArrayView2<'_, T>,
    states: &mut [LaneState],
    thresh: &[f64],
    offset: usize,
) -> Vec<(usize, usize, f64)> {
    let mut hits = Vec::new();
    let th = |j: usize| {
        if thresh.len() == 1 {
            thresh[0]
        } else {
            thresh[j]
        }
    };
    #[inline(always)]
    fn visit(s: &mut LaneState, v: f64, idx: usize, on: f64, out: &mut impl FnMut(usize, f64)) {
        if s.on {
            if v > s.value {
                s.index = idx;
                s.value = v;
            }
            if v < on / 2.0 {
                s.on = false;
                out(s.index, s.value);
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
            visit(s, v.to64(), offset + t, on, &mut |i, v| {
                hits.push((0, i, v))
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
            visit(s, v.to64(), offset + t, th(j), &mut |i, v| {
                hits.push((j, i, v))
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
