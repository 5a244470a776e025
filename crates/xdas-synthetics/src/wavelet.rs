//! `wavelet_wavefronts`: the small P/S wavelet data set of Python xdas.

use ndarray::{Array2, Axis, Zip};

use crate::error::{Result, SyntheticsError};
use crate::grid::{Grid, NS_PER_S, START_2023_01_01_NS, Synthetic};
use crate::pulse::GaussPulse;
use crate::rng::CounterRng;

/// Stream of [`CounterRng`] used for the additive noise.
const NOISE_STREAM: u64 = 1;

/// Parameters of the wavelet wavefront data set of `xdas.synthetics.wavelet_wavefronts`.
///
/// A point source 5 km off the middle of a 10 km straight fibre emits at `t0 = 1 s` a
/// P and an S Gaussian pulse (`fc = 10 Hz`, `vp = 4000 m/s`, `vs = vp / 1.75`, P at
/// half amplitude). Each channel is normalised by its maximum absolute value, standard
/// normal noise divided by `snr` is added, and the result is differenced once along
/// distance then once along time (`np.diff(..., prepend=0)`), a strain-rate-like response.
///
/// The span is fixed at 6 s × 10 km, so `dt_ns` and `dx` set the shape:
/// `nt = 6 s / dt` (integer division) and `nx = floor(10 km / dx) + 1`;
/// the defaults give 300 × 401 at 20 ms × 25 m, as in xdas.
///
/// The noise comes from this crate's [`CounterRng`] (not numpy's), so values differ
/// from Python's while the statistics agree.
///
/// ```
/// use xdas_synthetics::WaveletWavefronts;
///
/// let s = WaveletWavefronts::default().generate()?;
/// assert_eq!(s.data.dim(), (300, 401));
/// assert_eq!(s.grid.dt_ns, 20_000_000);
///
/// // Noise-free variant, and the stages before differencing.
/// let clean = WaveletWavefronts { snr: None, ..Default::default() };
/// let pulses = clean.pulses()?;
/// let (tp, ts) = clean.arrival_times()?;
/// assert!(ts[200] > tp[200]);
/// # Ok::<(), xdas_synthetics::SyntheticsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaveletWavefronts {
    /// Start time, nanoseconds since the Unix epoch (default 2023-01-01T00:00:00).
    pub start_ns: i64,
    /// Time step in nanoseconds (default 20 ms).
    pub dt_ns: i64,
    /// Distance step in metres (default 25 m).
    pub dx: f64,
    /// Seed of the noise (default 42, as xdas's `np.random.seed(42)`).
    pub seed: u64,
    /// Signal-to-noise ratio: noise is `N(0, 1) / snr`. `None` adds no noise (default `Some(10.0)`).
    pub snr: Option<f64>,
}

impl Default for WaveletWavefronts {
    fn default() -> Self {
        Self {
            start_ns: START_2023_01_01_NS,
            dt_ns: 20_000_000,
            dx: 25.0,
            seed: 42,
            snr: Some(10.0),
        }
    }
}

/// Physical constants of the data set (as in xdas).
const SPAN_NS: i64 = 6 * NS_PER_S;
const SPAN_M: f64 = 10_000.0;
const VP: f64 = 4000.0;
const VS: f64 = VP / 1.75;
const XC: f64 = 5_000.0;
const FC: f64 = 10.0;
const T0: f64 = 1.0;

impl WaveletWavefronts {
    /// The sampling of the data set (validates the parameters).
    ///
    /// ```
    /// use xdas_synthetics::{WaveletWavefronts, START_2023_01_01_NS};
    /// let g = WaveletWavefronts::default().grid()?;
    /// assert_eq!((g.nt, g.nx, g.start_ns), (300, 401, START_2023_01_01_NS));
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn grid(&self) -> Result<Grid> {
        if self.dt_ns <= 0 || self.dt_ns > SPAN_NS {
            return Err(SyntheticsError::invalid(
                "dt_ns",
                format!("must be in 1..={SPAN_NS} ns, got {}", self.dt_ns),
            ));
        }
        if !(self.dx.is_finite() && self.dx > 0.0 && self.dx <= SPAN_M) {
            return Err(SyntheticsError::invalid(
                "dx",
                format!("must be in (0, {SPAN_M}] m, got {}", self.dx),
            ));
        }
        if let Some(snr) = self.snr {
            if !(snr.is_finite() && snr > 0.0) {
                return Err(SyntheticsError::invalid(
                    "snr",
                    format!("must be finite and positive, got {snr}"),
                ));
            }
        }
        Ok(Grid {
            start_ns: self.start_ns,
            dt_ns: self.dt_ns,
            nt: (SPAN_NS / self.dt_ns) as usize,
            x0: 0.0,
            dx: self.dx,
            nx: (SPAN_M / self.dx).floor() as usize + 1,
        })
    }

    /// P and S arrival times per channel, in seconds after the start
    /// (`t0 + hypot(xc, x - mean(x)) / v`).
    ///
    /// ```
    /// use xdas_synthetics::WaveletWavefronts;
    /// let (tp, ts) = WaveletWavefronts::default().arrival_times()?;
    /// assert_eq!(tp[200], 1.0 + 5000.0 / 4000.0); // middle channel: straight above the source
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn arrival_times(&self) -> Result<(Vec<f64>, Vec<f64>)> {
        let grid = self.grid()?;
        let (tp, ts) = travel_times(&grid);
        Ok((
            tp.iter().map(|t| T0 + t).collect(),
            ts.iter().map(|t| T0 + t).collect(),
        ))
    }

    /// The noise-free, normalised P + S pulses, before noise and differencing:
    /// every column has maximum absolute value 1.
    ///
    /// ```
    /// use xdas_synthetics::WaveletWavefronts;
    /// let p = WaveletWavefronts::default().pulses()?;
    /// let max = p.column(0).iter().fold(0.0f64, |m, v| m.max(v.abs()));
    /// assert_eq!(max, 1.0);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn pulses(&self) -> Result<Array2<f64>> {
        let grid = self.grid()?;
        let (ttp, tts) = travel_times(&grid);
        let pulse = GaussPulse::new(FC);
        let times: Vec<f64> = (0..grid.nt).map(|i| grid.time_s(i)).collect();
        let mut data = Array2::from_shape_fn(grid.shape(), |(i, j)| {
            let t = times[i];
            pulse.value(t - ttp[j] - T0) / 2.0 + pulse.value(t - tts[j] - T0)
        });
        for mut col in data.axis_iter_mut(Axis(1)) {
            let max = col.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            // xdas divides by zero here (NaN); a silent column stays zero instead.
            if max > 0.0 {
                col.mapv_inplace(|v| v / max);
            }
        }
        Ok(data)
    }

    /// Generate the data set: pulses, plus noise, then the two first differences.
    ///
    /// ```
    /// use xdas_synthetics::WaveletWavefronts;
    /// let a = WaveletWavefronts::default().generate()?;
    /// let b = WaveletWavefronts { seed: 7, ..Default::default() }.generate()?;
    /// assert_ne!(a.data, b.data);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn generate(&self) -> Result<Synthetic> {
        let grid = self.grid()?;
        let mut data = self.pulses()?;
        if let Some(snr) = self.snr {
            let rng = CounterRng::new(self.seed).stream(NOISE_STREAM);
            for (i, mut row) in data.axis_iter_mut(Axis(0)).enumerate() {
                let r = rng.row(i as u64);
                for (j, v) in row.iter_mut().enumerate() {
                    *v += r.normal(j as u64) / snr;
                }
            }
        }
        diff_prepend_zero(&mut data, Axis(1));
        diff_prepend_zero(&mut data, Axis(0));
        Ok(Synthetic { data, grid })
    }
}

/// [`WaveletWavefronts::default().generate()`](WaveletWavefronts::generate): the 300 × 401
/// data set of `xdas.synthetics.wavelet_wavefronts()` (seed 42, SNR 10).
///
/// ```
/// let s = xdas_synthetics::wavelet_wavefronts();
/// assert_eq!(s.data.dim(), (300, 401));
/// assert_eq!(s.grid.distance(400), 10_000.0);
/// ```
pub fn wavelet_wavefronts() -> Synthetic {
    WaveletWavefronts::default()
        .generate()
        .expect("the default parameters are valid")
}

/// P and S travel times per channel of a source `XC` off the middle of the fibre.
fn travel_times(grid: &Grid) -> (Vec<f64>, Vec<f64>) {
    // The mean of x0 + j dx over the fibre, exactly numpy's for the default grids.
    let mean = grid.x0 + (grid.nx as f64 - 1.0) * grid.dx / 2.0;
    let d: Vec<f64> = (0..grid.nx)
        .map(|j| XC.hypot(grid.distance(j) - mean))
        .collect();
    (
        d.iter().map(|d| d / VP).collect(),
        d.iter().map(|d| d / VS).collect(),
    )
}

/// In place `np.diff(a, prepend=0, axis=axis)`: `a[k] - a[k-1]`, the first kept as is.
pub(crate) fn diff_prepend_zero(data: &mut Array2<f64>, axis: Axis) {
    let n = data.len_of(axis);
    for k in (1..n).rev() {
        let (prev, mut cur) = data.view_mut().split_at(axis, k);
        let prev = prev.index_axis(axis, k - 1);
        let cur = cur.index_axis_mut(axis, 0);
        Zip::from(cur).and(prev).for_each(|c, &p| *c -= p);
    }
}
