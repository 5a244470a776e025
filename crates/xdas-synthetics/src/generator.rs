//! The scalable generator: moving wavefronts plus noise, produced chunk by chunk.

use std::f64::consts::PI;
use std::marker::PhantomData;

use ndarray::{Array2, ArrayViewMut2};
use rayon::prelude::*;

use crate::error::{Result, SyntheticsError};
use crate::grid::{Grid, START_2024_01_01_NS};
use crate::pulse::GaussPulse;
use crate::rng::CounterRng;
use crate::sample::Sample;

/// Streams of [`CounterRng`] for the noise and for the scattered event parameters.
const NOISE_STREAM: u64 = 1;
const EVENT_STREAM: u64 = 2;

/// Pulses are evaluated only where their envelope exceeds this fraction of the peak
/// (and are exactly zero elsewhere).
const ENVELOPE_TOL: f64 = 1e-10;

/// Samples per parallel task (a block of rows). Has no effect on the values.
const TASK_SAMPLES: usize = 1 << 17;

/// A seismic event seen by the fibre: a point source emitting a P and an S
/// Gaussian pulse ([`GaussPulse`]) that reach the channels along hyperbolic moveouts.
///
/// The fibre is the straight line of the grid's distances; the source lies `offset`
/// metres away from it, abreast of `position`. The arrival at a channel at distance
/// `x` is `origin_time + hypot(offset, x - position) / v`.
///
/// ```
/// use xdas_synthetics::{Event, Grid};
///
/// let e = Event::new(10.0, 500.0, 3000.0);
/// let grid = Grid { start_ns: 0, dt_ns: 10_000_000, nt: 3000, x0: 0.0, dx: 10.0, nx: 101 };
/// let (tp, ts) = e.arrival_times(&grid);
/// assert_eq!(tp[50], 10.0 + 3000.0 / 4000.0); // channel 50 is at 500 m
/// assert!(ts[50] > tp[50]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Origin time, seconds after the start of the grid.
    pub origin_time: f64,
    /// Distance along the fibre the source is abreast of, metres.
    pub position: f64,
    /// Distance of the source from the fibre's line, metres.
    pub offset: f64,
    /// P-wave speed, m/s.
    pub vp: f64,
    /// S-wave speed, m/s.
    pub vs: f64,
    /// Peak amplitude of the P pulse.
    pub p_amplitude: f64,
    /// Peak amplitude of the S pulse.
    pub s_amplitude: f64,
    /// Centre frequency of both pulses, Hz.
    pub frequency: f64,
}

impl Event {
    /// An event with the physics of `wavelet_wavefronts`: `vp = 4000 m/s`,
    /// `vs = vp / 1.75`, 10 Hz pulses, S amplitude 1 and P amplitude 1/2.
    ///
    /// ```
    /// use xdas_synthetics::Event;
    /// let e = Event::new(1.0, 5000.0, 5000.0);
    /// assert_eq!((e.vp, e.frequency, e.p_amplitude), (4000.0, 10.0, 0.5));
    /// ```
    pub fn new(origin_time: f64, position: f64, offset: f64) -> Self {
        Self {
            origin_time,
            position,
            offset,
            vp: 4000.0,
            vs: 4000.0 / 1.75,
            p_amplitude: 0.5,
            s_amplitude: 1.0,
            frequency: 10.0,
        }
    }

    /// P and S arrival times at every channel of `grid`, seconds after its start.
    ///
    /// ```
    /// use xdas_synthetics::{Event, Grid};
    /// let g = Grid { start_ns: 0, dt_ns: 1_000_000, nt: 1, x0: 0.0, dx: 1.0, nx: 3 };
    /// let (tp, _) = Event::new(0.0, 1.0, 4000.0).arrival_times(&g);
    /// assert_eq!(tp[1], 1.0);
    /// ```
    pub fn arrival_times(&self, grid: &Grid) -> (Vec<f64>, Vec<f64>) {
        (0..grid.nx)
            .map(|j| {
                let d = self.offset.hypot(grid.distance(j) - self.position);
                (
                    self.origin_time + d / self.vp,
                    self.origin_time + d / self.vs,
                )
            })
            .unzip()
    }

    fn validate(&self) -> Result<()> {
        let finite = [
            self.origin_time,
            self.position,
            self.offset,
            self.p_amplitude,
            self.s_amplitude,
        ];
        if finite.iter().any(|v| !v.is_finite()) {
            return Err(SyntheticsError::invalid(
                "events",
                format!("non-finite parameter in {self:?}"),
            ));
        }
        for (name, v) in [
            ("vp", self.vp),
            ("vs", self.vs),
            ("frequency", self.frequency),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(SyntheticsError::invalid(
                    "events",
                    format!("{name} must be finite and positive, got {v}"),
                ));
            }
        }
        Ok(())
    }
}

/// Events scattered over a grid, one per `spacing_s` seconds of record (at least one),
/// deterministic in `seed`.
///
/// Event `k` has its origin time uniformly within the first 70 % of the `k`-th slot, a
/// position uniform along the fibre, an offset between 5 % and 30 % of the fibre length
/// (at least 50 m to 300 m), an S amplitude uniform in `[0.5, 2]` with P at half of it,
/// and a 10 Hz centre frequency (lowered to 0.2 / dt on coarse grids, below Nyquist).
///
/// ```
/// use xdas_synthetics::{scatter_events, Grid};
///
/// let g = Grid { start_ns: 0, dt_ns: 10_000_000, nt: 100_000, x0: 0.0, dx: 10.0, nx: 10_000 };
/// let events = scatter_events(&g, 42, 20.0);
/// assert_eq!(events.len(), 50); // 1000 s of record
/// assert_eq!(events, scatter_events(&g, 42, 20.0));
/// assert!(events.windows(2).all(|w| w[0].origin_time < w[1].origin_time));
/// ```
pub fn scatter_events(grid: &Grid, seed: u64, spacing_s: f64) -> Vec<Event> {
    let duration = grid.nt as f64 * grid.dt_s();
    let count = if spacing_s.is_finite() && spacing_s > 0.0 {
        ((duration / spacing_s).floor() as usize).max(1)
    } else {
        1
    };
    let slot = duration / count as f64;
    let length = (grid.nx.saturating_sub(1)) as f64 * grid.dx;
    let scale = length.max(1000.0);
    let frequency = 10f64.min(0.2 / grid.dt_s());
    let rng = CounterRng::new(seed).stream(EVENT_STREAM);
    (0..count)
        .map(|k| {
            let r = rng.row(k as u64);
            let s_amplitude = 0.5 + 1.5 * r.uniform(3);
            Event {
                origin_time: (k as f64 + 0.7 * r.uniform(0)) * slot,
                position: grid.x0 + length * r.uniform(1),
                offset: (0.05 + 0.25 * r.uniform(2)) * scale,
                p_amplitude: s_amplitude / 2.0,
                s_amplitude,
                frequency,
                ..Event::new(0.0, 0.0, 0.0)
            }
        })
        .collect()
}

/// One channel's arrival of a wavefront: nearest sample `m` and the fractional rest.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    /// Row nearest to the arrival time.
    m: i64,
    /// Arrival time minus `m * dt`, seconds (|delta| <= dt / 2).
    delta: f64,
    /// `cos(ω delta)` and `sin(ω delta)`.
    cos_d: f64,
    sin_d: f64,
}

/// A precomputed wavefront (one phase of one event).
#[derive(Debug, Clone)]
struct Front {
    amplitude: f64,
    a: f64,
    /// The pulse is evaluated for rows `m - k_max ..= m + k_max`.
    k_max: i64,
    /// `cos(ω k dt)` and `sin(ω k dt)` for `k = -k_max ..= k_max`.
    cos_k: Vec<f64>,
    sin_k: Vec<f64>,
    arrivals: Vec<Arrival>,
    /// Rows spanned by the front over all channels (windows included).
    first_row: i64,
    last_row: i64,
}

impl Front {
    fn new(grid: &Grid, times: &[f64], amplitude: f64, frequency: f64) -> Self {
        let dt = grid.dt_s();
        let pulse = GaussPulse::new(frequency);
        let omega = 2.0 * PI * frequency;
        let k_max = (pulse.half_width(ENVELOPE_TOL) / dt).ceil() as i64 + 1;
        let (cos_k, sin_k) = (-k_max..=k_max)
            .map(|k| (omega * (k as f64 * dt)).sin_cos())
            .map(|(s, c)| (c, s))
            .unzip();
        let arrivals: Vec<Arrival> = times
            .iter()
            .map(|&t| {
                let m = (t / dt).round() as i64;
                let delta = t - m as f64 * dt;
                let (sin_d, cos_d) = (omega * delta).sin_cos();
                Arrival {
                    m,
                    delta,
                    cos_d,
                    sin_d,
                }
            })
            .collect();
        let first_row = arrivals.iter().map(|a| a.m).min().unwrap_or(0) - k_max;
        let last_row = arrivals.iter().map(|a| a.m).max().unwrap_or(0) + k_max;
        Self {
            amplitude,
            a: pulse.a,
            k_max,
            cos_k,
            sin_k,
            arrivals,
            first_row,
            last_row,
        }
    }

    /// The pulse of channel `arrival` at `k` rows from its nearest sample (|k| <= k_max).
    #[inline(always)]
    fn value(&self, arrival: &Arrival, k: i64, dt: f64) -> f64 {
        let tau = k as f64 * dt - arrival.delta;
        let idx = (k + self.k_max) as usize;
        let osc = self.cos_k[idx] * arrival.cos_d + self.sin_k[idx] * arrival.sin_d;
        self.amplitude * (-self.a * tau * tau).exp() * osc
    }
}

/// Builder of a [`WavefrontGenerator`]; start from [`WavefrontGenerator::builder`].
///
/// Defaults: 10 ms × 10 m sampling from 2024-01-01T00:00:00 and 0 m, seed 42, noise
/// standard deviation 0.1, and events scattered one per 20 s ([`scatter_events`]).
///
/// ```
/// use xdas_synthetics::{Event, WavefrontGenerator};
///
/// let generator = WavefrontGenerator::<f64>::builder(1000, 200)
///     .dt_ns(5_000_000)
///     .dx(4.0)
///     .seed(1)
///     .noise(0.0)
///     .events(vec![Event::new(1.0, 400.0, 2000.0)])
///     .build()?;
/// assert_eq!(generator.grid().dx, 4.0);
/// # Ok::<(), xdas_synthetics::SyntheticsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct GeneratorBuilder<T> {
    grid: Grid,
    seed: u64,
    noise: f64,
    events: Option<Vec<Event>>,
    event_spacing: f64,
    _t: PhantomData<fn() -> T>,
}

impl<T: Sample> GeneratorBuilder<T> {
    /// Start time, nanoseconds since the Unix epoch.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(10, 10).start_ns(0).build()?;
    /// assert_eq!(g.grid().start_ns, 0);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn start_ns(mut self, start_ns: i64) -> Self {
        self.grid.start_ns = start_ns;
        self
    }

    /// Time step, nanoseconds (> 0).
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(10, 10).dt_ns(2_000_000).build()?;
    /// assert_eq!(g.grid().dt_s(), 0.002);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn dt_ns(mut self, dt_ns: i64) -> Self {
        self.grid.dt_ns = dt_ns;
        self
    }

    /// Distance of the first channel, metres.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(10, 10).x0(100.0).build()?;
    /// assert_eq!(g.grid().distance(0), 100.0);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn x0(mut self, x0: f64) -> Self {
        self.grid.x0 = x0;
        self
    }

    /// Channel spacing, metres (> 0).
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(10, 10).dx(1.0).build()?;
    /// assert_eq!(g.grid().distance(9), 9.0);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn dx(mut self, dx: f64) -> Self {
        self.grid.dx = dx;
        self
    }

    /// Seed of the noise and of the scattered events.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let a = WavefrontGenerator::<f32>::builder(10, 10).seed(1).build()?;
    /// let b = WavefrontGenerator::<f32>::builder(10, 10).seed(2).build()?;
    /// assert_ne!(a.chunk(0, 10), b.chunk(0, 10));
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Standard deviation of the additive Gaussian noise (>= 0; 0 gives pure wavefronts).
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f64>::builder(10, 10).noise(0.0).events(vec![]).build()?;
    /// assert!(g.chunk(0, 10).iter().all(|&v| v == 0.0));
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn noise(mut self, noise: f64) -> Self {
        self.noise = noise;
        self
    }

    /// Explicit events (replaces the scattered ones).
    ///
    /// ```
    /// use xdas_synthetics::{Event, WavefrontGenerator};
    /// let g = WavefrontGenerator::<f32>::builder(10, 10)
    ///     .events(vec![Event::new(0.0, 0.0, 100.0)])
    ///     .build()?;
    /// assert_eq!(g.events().len(), 1);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn events(mut self, events: Vec<Event>) -> Self {
        self.events = Some(events);
        self
    }

    /// Mean time between scattered events, seconds (default 20 s); ignored with
    /// explicit [`events`](Self::events).
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(60_000, 10).event_spacing(60.0).build()?;
    /// assert_eq!(g.events().len(), 10); // 600 s of record
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn event_spacing(mut self, seconds: f64) -> Self {
        self.event_spacing = seconds;
        self
    }

    /// Validate and precompute the wavefronts.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// assert!(WavefrontGenerator::<f32>::builder(10, 10).dx(0.0).build().is_err());
    /// ```
    pub fn build(self) -> Result<WavefrontGenerator<T>> {
        let grid = self.grid;
        if grid.nt == 0 || grid.nx == 0 {
            return Err(SyntheticsError::invalid(
                "shape",
                format!("nt and nx must be positive, got ({}, {})", grid.nt, grid.nx),
            ));
        }
        if grid.dt_ns <= 0 {
            return Err(SyntheticsError::invalid(
                "dt_ns",
                format!("must be positive, got {}", grid.dt_ns),
            ));
        }
        if grid.nt as u128 * grid.dt_ns as u128 > i64::MAX as u128 {
            return Err(SyntheticsError::invalid(
                "nt",
                "the record overflows i64 nanoseconds",
            ));
        }
        if !(grid.dx.is_finite() && grid.dx > 0.0 && grid.x0.is_finite()) {
            return Err(SyntheticsError::invalid(
                "dx",
                format!(
                    "x0 must be finite and dx positive, got {} and {}",
                    grid.x0, grid.dx
                ),
            ));
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(SyntheticsError::invalid(
                "noise",
                format!("must be finite and non-negative, got {}", self.noise),
            ));
        }
        let events = match self.events {
            Some(events) => events,
            None => scatter_events(&grid, self.seed, self.event_spacing),
        };
        for e in &events {
            e.validate()?;
        }
        let fronts = events
            .iter()
            .flat_map(|e| {
                let (tp, ts) = e.arrival_times(&grid);
                [
                    Front::new(&grid, &tp, e.p_amplitude, e.frequency),
                    Front::new(&grid, &ts, e.s_amplitude, e.frequency),
                ]
            })
            .filter(|f| f.amplitude != 0.0)
            .collect();
        Ok(WavefrontGenerator {
            grid,
            noise: self.noise,
            noise_rng: CounterRng::new(self.seed).stream(NOISE_STREAM),
            events,
            fronts,
            _t: PhantomData,
        })
    }
}

/// A synthetic DAS data set of any size, produced chunk by chunk along time.
///
/// The value at `(row, channel)` is `noise * N(0, 1)` from the counter-based
/// [`CounterRng`] plus, for each [`Event`], a P and an S [`GaussPulse`] centred on
/// their arrival times. Every value depends only on `(seed, row, channel)` and the
/// configuration: chunks of any size, generated in any order on any number of
/// threads, concatenate to bitwise the same array. Values are computed in `f64` and
/// rounded once to `T`, so the `f32` data are the `f64` data rounded.
///
/// Nothing but the configuration is held in memory; pulses are only evaluated within
/// a window around their arrivals (where the envelope exceeds 10⁻¹⁰ of its peak), and
/// rows are generated in parallel with rayon.
///
/// ```
/// use ndarray::{concatenate, Axis};
/// use xdas_synthetics::WavefrontGenerator;
///
/// let generator = WavefrontGenerator::<f32>::builder(1000, 64).build()?;
/// let whole = generator.chunk(0, 1000);
/// let parts: Vec<_> = generator.chunks(300).map(|(_start, a)| a).collect();
/// let views: Vec<_> = parts.iter().map(|a| a.view()).collect();
/// assert_eq!(concatenate(Axis(0), &views).unwrap(), whole);
/// # Ok::<(), xdas_synthetics::SyntheticsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct WavefrontGenerator<T> {
    grid: Grid,
    noise: f64,
    noise_rng: CounterRng,
    events: Vec<Event>,
    fronts: Vec<Front>,
    _t: PhantomData<fn() -> T>,
}

impl<T: Sample> WavefrontGenerator<T> {
    /// A builder for an `nt × nx` data set, with the defaults of [`GeneratorBuilder`].
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(100_000, 10_000).build()?;
    /// assert_eq!(g.grid().shape(), (100_000, 10_000));
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn builder(nt: usize, nx: usize) -> GeneratorBuilder<T> {
        GeneratorBuilder {
            grid: Grid {
                start_ns: START_2024_01_01_NS,
                dt_ns: 10_000_000,
                nt,
                x0: 0.0,
                dx: 10.0,
                nx,
            },
            seed: 42,
            noise: 0.1,
            events: None,
            event_spacing: 20.0,
            _t: PhantomData,
        }
    }

    /// The sampling of the whole data set.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f64>::builder(500, 20).build()?;
    /// assert_eq!(g.grid().nt, 500);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The events whose wavefronts the data carry.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f64>::builder(4000, 20).build()?;
    /// assert_eq!(g.events().len(), 2); // 40 s, one event per 20 s
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Standard deviation of the noise.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// assert_eq!(WavefrontGenerator::<f64>::builder(1, 1).build()?.noise(), 0.1);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// Rows `start .. start + nrows` of the data set, all channels.
    ///
    /// # Panics
    /// If `start + nrows` exceeds the number of rows of the grid.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(100, 8).build()?;
    /// let c = g.chunk(90, 10);
    /// assert_eq!(c.dim(), (10, 8));
    /// assert_eq!(c.row(0), g.chunk(0, 100).row(90));
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn chunk(&self, start: usize, nrows: usize) -> Array2<T> {
        let mut out = Array2::from_elem((nrows, self.grid.nx), T::default());
        self.fill(start, out.view_mut());
        out
    }

    /// Write rows `start .. start + out.nrows()` into `out` (no allocation when `out` is
    /// in standard C order).
    ///
    /// # Panics
    /// If `out` does not have `nx` columns or the rows exceed the grid.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f64>::builder(50, 4).build()?;
    /// let mut buf = Array2::zeros((5, 4));
    /// g.fill(10, buf.view_mut());
    /// assert_eq!(buf, g.chunk(10, 5));
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn fill(&self, start: usize, mut out: ArrayViewMut2<'_, T>) {
        let (nrows, ncols) = out.dim();
        assert_eq!(ncols, self.grid.nx, "the output must have nx columns");
        assert!(
            start
                .checked_add(nrows)
                .is_some_and(|end| end <= self.grid.nt),
            "rows {start}..{} exceed the {} rows of the grid",
            start.saturating_add(nrows),
            self.grid.nt
        );
        match out.as_slice_mut() {
            Some(buf) => self.fill_rows(start, buf),
            None => {
                let mut tmp = vec![T::default(); nrows * ncols];
                self.fill_rows(start, &mut tmp);
                let tmp = Array2::from_shape_vec((nrows, ncols), tmp)
                    .expect("the buffer has the output's size");
                out.assign(&tmp);
            }
        }
    }

    /// Chunks of `size` rows (the last one possibly shorter) from the first row on, as
    /// `(first_row, data)`.
    ///
    /// # Panics
    /// If `size` is zero.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(250, 16).build()?;
    /// let sizes: Vec<_> = g.chunks(100).map(|(start, a)| (start, a.nrows())).collect();
    /// assert_eq!(sizes, [(0, 100), (100, 100), (200, 50)]);
    /// # Ok::<(), xdas_synthetics::SyntheticsError>(())
    /// ```
    pub fn chunks(&self, size: usize) -> Chunks<'_, T> {
        assert!(size > 0, "the chunk size must be positive");
        Chunks {
            generator: self,
            next: 0,
            size,
        }
    }

    /// Fill a C-order buffer of whole rows starting at row `start`.
    fn fill_rows(&self, start: usize, buf: &mut [T]) {
        let nx = self.grid.nx;
        let block_rows = (TASK_SAMPLES / nx).max(1);
        buf.par_chunks_mut(block_rows * nx)
            .enumerate()
            .for_each(|(b, block)| self.fill_block(start + b * block_rows, block));
    }

    /// Fill the rows `first ..` of one block (the unit of parallel work).
    fn fill_block(&self, first: usize, block: &mut [T]) {
        let nx = self.grid.nx;
        let nrows = block.len() / nx;
        let dt = self.grid.dt_s();
        let (b0, b1) = (first as i64, (first + nrows) as i64);
        // Channels of each front whose window meets this block.
        let active: Vec<(&Front, Vec<usize>)> = self
            .fronts
            .iter()
            .filter(|f| f.last_row >= b0 && f.first_row < b1)
            .map(|f| {
                let channels = f
                    .arrivals
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.m + f.k_max >= b0 && a.m - f.k_max < b1)
                    .map(|(j, _)| j)
                    .collect();
                (f, channels)
            })
            .collect();
        let mut scratch = vec![0.0f64; nx];
        for (r, out) in block.chunks_exact_mut(nx).enumerate() {
            let i = first + r;
            if self.noise > 0.0 {
                let rng = self.noise_rng.row(i as u64);
                for (j, v) in scratch.iter_mut().enumerate() {
                    *v = self.noise * rng.normal(j as u64);
                }
            } else {
                scratch.fill(0.0);
            }
            let row = i as i64;
            for (front, channels) in &active {
                for &j in channels {
                    let arrival = &front.arrivals[j];
                    let k = row - arrival.m;
                    if k.abs() <= front.k_max {
                        scratch[j] += front.value(arrival, k, dt);
                    }
                }
            }
            for (o, &v) in out.iter_mut().zip(&scratch) {
                *o = T::from_f64(v);
            }
        }
    }
}

/// Iterator over the chunks of a [`WavefrontGenerator`]; see
/// [`WavefrontGenerator::chunks`]. Yields `(first_row, data)`.
///
/// ```
/// use xdas_synthetics::WavefrontGenerator;
/// let g = WavefrontGenerator::<f64>::builder(10, 3).build()?;
/// assert_eq!(g.chunks(4).len(), 3);
/// # Ok::<(), xdas_synthetics::SyntheticsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Chunks<'a, T> {
    generator: &'a WavefrontGenerator<T>,
    next: usize,
    size: usize,
}

impl<T: Sample> Iterator for Chunks<'_, T> {
    type Item = (usize, Array2<T>);

    fn next(&mut self) -> Option<Self::Item> {
        let nt = self.generator.grid.nt;
        if self.next >= nt {
            return None;
        }
        let start = self.next;
        let nrows = self.size.min(nt - start);
        self.next += nrows;
        Some((start, self.generator.chunk(start, nrows)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self
            .generator
            .grid
            .nt
            .saturating_sub(self.next)
            .div_ceil(self.size);
        (left, Some(left))
    }
}

impl<T: Sample> ExactSizeIterator for Chunks<'_, T> {}
