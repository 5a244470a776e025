//! `randn_wavefronts`: the large noise-burst data set of Python xdas.

use ndarray::{Array2, Axis};
use rayon::prelude::*;

use crate::error::{Result, SyntheticsError};
use crate::grid::{Grid, START_2024_01_01_NS, Synthetic};
use crate::rng::CounterRng;

/// Streams of [`CounterRng`] for the P burst, the S burst and the additive noise.
const P_STREAM: u64 = 1;
const S_STREAM: u64 = 2;
const NOISE_STREAM: u64 = 3;

const VP: f64 = 4000.0;
const VS: f64 = VP / 1.75;
const XC: f64 = 20_000.0;
const T0: f64 = 30.0;

/// Parameters of the noise-burst data set of `xdas.synthetics.randn_wavefronts`.
///
/// 200 s × 100 km sampled at 10 ms × 100 m (20000 × 1001), starting 2024-01-01.
/// A source 20 km off the middle of the fibre has origin time `t0 = 30 s`; from the P
/// arrival on (strictly after `t0 + d / vp`) each channel carries standard normal noise
/// of amplitude 1/2, from the S arrival on (`vs = vp / 1.75`) another of amplitude 1.
/// Each channel is normalised by its maximum absolute value, then background noise
/// `N(0, 1) / snr` is added (`snr = 20`).
///
/// ```
/// use xdas_synthetics::RandnWavefronts;
///
/// let quiet = RandnWavefronts { snr: None, ..Default::default() };
/// let (tp, _ts) = quiet.arrival_times();
/// let s = quiet.generate()?;
/// assert_eq!(s.data.dim(), (20_000, 1001));
/// // Nothing before the P arrival without background noise.
/// let first = (tp[0] / 0.01) as usize;
/// assert!(s.data.column(0).iter().take(first).all(|&v| v == 0.0));
/// # Ok::<(), xdas_synthetics::SyntheticsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandnWavefronts {
    /// Seed (default 42).
    pub seed: u64,
    /// Signal-to-noise ratio of the background noise; `None` adds none (default `Some(20.0)`).
    pub snr: Option<f64>,
}

impl Default for RandnWavefronts {
    fn default() -> Self {
        Self {
            seed: 42,
            snr: Some(20.0),
        }
    }
}

impl RandnWavefronts {
    /// The fixed sampling: 20000 × 1001 at 10 ms × 100 m from 2024-01-01T00:00:00.
    ///
    /// ```
    /// use xdas_synthetics::RandnWavefronts;
    /// assert_eq!(RandnWavefronts::grid().shape(), (20_000, 1001));
    /// ```
    pub fn grid() -> Grid {
        Grid {
            start_ns: START_2024_01_01_NS,
            dt_ns: 10_000_000,
            nt: 20_000,
            x0: 0.0,
            dx: 100.0,
            nx: 1001,
        }
    }

    /// P and S arrival times per channel, seconds after the start.
    ///
    /// ```
    /// use xdas_synthetics::RandnWavefronts;
    /// let (tp, ts) = RandnWavefronts::default().arrival_times();
    /// assert_eq!(tp[500], 30.0 + 20_000.0 / 4000.0);
    /// assert!(ts[0] > tp[0]);
    /// ```
    pub fn arrival_times(&self) -> (Vec<f64>, Vec<f64>) {
        let g = Self::grid();
        let mean = g.x0 + (g.nx as f64 - 1.0) * g.dx / 2.0;
        (0..g.nx)
            .map(|j| {
                let d = XC.hypot(g.distance(j) - mean);
                (T0 + d / VP, T0 + d / VS)
            })
            .unzip()
    }

    /// Generate the data set.
    ///
    /// ```
    /// use xdas_synthetics::RandnWavefronts;
    /// let s = RandnWavefronts::default().generate()?;
    /// assert_eq!(s.grid.dt_ns, 10_000_000);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn generate(&self) -> Result<Synthetic> {
        if let Some(snr) = self.snr {
            if !(snr.is_finite() && snr > 0.0) {
                return Err(SyntheticsError::invalid(
                    "snr",
                    format!("must be finite and positive, got {snr}"),
                ));
            }
        }
        let grid = Self::grid();
        let (tp, ts) = self.arrival_times();
        let root = CounterRng::new(self.seed);
        let (p_rng, s_rng, n_rng) = (
            root.stream(P_STREAM),
            root.stream(S_STREAM),
            root.stream(NOISE_STREAM),
        );
        let mut data = Array2::<f64>::zeros(grid.shape());
        data.axis_iter_mut(Axis(0))
            .into_par_iter()
            .enumerate()
            .for_each(|(i, mut row)| {
                let t = grid.time_s(i);
                let (pr, sr) = (p_rng.row(i as u64), s_rng.row(i as u64));
                for (j, v) in row.iter_mut().enumerate() {
                    if t > tp[j] {
                        *v += pr.normal(j as u64) / 2.0;
                    }
                    if t > ts[j] {
                        *v += sr.normal(j as u64);
                    }
                }
            });
        let mut max = vec![0.0f64; grid.nx];
        for row in data.axis_iter(Axis(0)) {
            for (m, v) in max.iter_mut().zip(row) {
                *m = m.max(v.abs());
            }
        }
        let snr = self.snr;
        data.axis_iter_mut(Axis(0))
            .into_par_iter()
            .enumerate()
            .for_each(|(i, mut row)| {
                let nr = n_rng.row(i as u64);
                for (j, v) in row.iter_mut().enumerate() {
                    // xdas divides 0 by 0 (NaN) for a silent channel; keep it at zero.
                    if max[j] > 0.0 {
                        *v /= max[j];
                    }
                    if let Some(snr) = snr {
                        *v += nr.normal(j as u64) / snr;
                    }
                }
            });
        Ok(Synthetic { data, grid })
    }
}

/// [`RandnWavefronts::default().generate()`](RandnWavefronts::generate): the 20000 × 1001
/// data set of `xdas.synthetics.randn_wavefronts()` (seed 42, SNR 20).
///
/// ```
/// let s = xdas_synthetics::randn_wavefronts();
/// assert_eq!(s.data.dim(), (20_000, 1001));
/// ```
pub fn randn_wavefronts() -> Synthetic {
    RandnWavefronts::default()
        .generate()
        .expect("the default parameters are valid")
}
