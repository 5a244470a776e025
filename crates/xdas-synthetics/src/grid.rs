//! Sampling facts of a generated data set, as plain numbers.

use ndarray::Array2;

/// Nanoseconds in one second.
pub(crate) const NS_PER_S: i64 = 1_000_000_000;

/// 2023-01-01T00:00:00 in nanoseconds since the Unix epoch (start of
/// [`wavelet_wavefronts`](crate::wavelet_wavefronts)).
pub const START_2023_01_01_NS: i64 = 1_672_531_200 * NS_PER_S;
/// 2024-01-01T00:00:00 in nanoseconds since the Unix epoch (start of
/// [`randn_wavefronts`](crate::randn_wavefronts) and of the scalable generator).
pub const START_2024_01_01_NS: i64 = 1_704_067_200 * NS_PER_S;
/// 2024-05-21T00:00:00 in nanoseconds since the Unix epoch (start of [`dummy`](crate::dummy)).
pub const START_2024_05_21_NS: i64 = 1_716_249_600 * NS_PER_S;

/// The regular (time × distance) sampling of a 2-D data set.
///
/// Row `i` is at `start_ns + i * dt_ns` nanoseconds since the Unix epoch (UTC, as a
/// naive datetime in Python xdas); column `j` is at `x0 + j * dx` metres along the fibre.
///
/// ```
/// use xdas_synthetics::Grid;
///
/// let g = Grid { start_ns: 0, dt_ns: 20_000_000, nt: 300, x0: 0.0, dx: 25.0, nx: 401 };
/// assert_eq!(g.shape(), (300, 401));
/// assert_eq!(g.time_s(50), 1.0);
/// assert_eq!(g.distance(400), 10_000.0);
/// assert_eq!(g.end_ns(), 5_980_000_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// Time of the first row, nanoseconds since 1970-01-01T00:00:00 UTC.
    pub start_ns: i64,
    /// Time step in nanoseconds.
    pub dt_ns: i64,
    /// Number of rows (time samples).
    pub nt: usize,
    /// Distance of the first column, metres.
    pub x0: f64,
    /// Distance step, metres.
    pub dx: f64,
    /// Number of columns (channels).
    pub nx: usize,
}

impl Grid {
    /// `(nt, nx)`, the shape of the data.
    ///
    /// ```
    /// # use xdas_synthetics::Grid;
    /// let g = Grid { start_ns: 0, dt_ns: 1, nt: 2, x0: 0.0, dx: 1.0, nx: 3 };
    /// assert_eq!(g.shape(), (2, 3));
    /// ```
    pub fn shape(&self) -> (usize, usize) {
        (self.nt, self.nx)
    }

    /// The time step in seconds.
    ///
    /// ```
    /// # use xdas_synthetics::Grid;
    /// let g = Grid { start_ns: 0, dt_ns: 10_000_000, nt: 2, x0: 0.0, dx: 1.0, nx: 3 };
    /// assert_eq!(g.dt_s(), 0.01);
    /// ```
    pub fn dt_s(&self) -> f64 {
        self.dt_ns as f64 / NS_PER_S as f64
    }

    /// Absolute time of row `i`, nanoseconds since the Unix epoch.
    ///
    /// ```
    /// # use xdas_synthetics::Grid;
    /// let g = Grid { start_ns: 100, dt_ns: 10, nt: 5, x0: 0.0, dx: 1.0, nx: 1 };
    /// assert_eq!(g.time_ns(3), 130);
    /// ```
    pub fn time_ns(&self, i: usize) -> i64 {
        self.start_ns + i as i64 * self.dt_ns
    }

    /// Time of the last row (the end tie point), nanoseconds since the Unix epoch.
    /// Equals `start_ns` for an empty grid.
    ///
    /// ```
    /// # use xdas_synthetics::Grid;
    /// let g = Grid { start_ns: 0, dt_ns: 10, nt: 5, x0: 0.0, dx: 1.0, nx: 1 };
    /// assert_eq!(g.end_ns(), 40);
    /// ```
    pub fn end_ns(&self) -> i64 {
        self.time_ns(self.nt.saturating_sub(1))
    }

    /// Time of row `i` in seconds after the start, computed like numpy's
    /// `arange(n) * step / timedelta64(1, "s")` (one rounding).
    ///
    /// ```
    /// # use xdas_synthetics::Grid;
    /// let g = Grid { start_ns: 0, dt_ns: 20_000_000, nt: 300, x0: 0.0, dx: 25.0, nx: 401 };
    /// assert_eq!(g.time_s(3), 0.06);
    /// ```
    pub fn time_s(&self, i: usize) -> f64 {
        (i as i64 * self.dt_ns) as f64 / NS_PER_S as f64
    }

    /// Distance of column `j` in metres: `x0 + j * dx`.
    ///
    /// ```
    /// # use xdas_synthetics::Grid;
    /// let g = Grid { start_ns: 0, dt_ns: 1, nt: 1, x0: 100.0, dx: 2.5, nx: 10 };
    /// assert_eq!(g.distance(4), 110.0);
    /// ```
    pub fn distance(&self, j: usize) -> f64 {
        self.x0 + j as f64 * self.dx
    }

    /// The start as a [`jiff::Timestamp`].
    ///
    /// ```
    /// use xdas_synthetics::{Grid, START_2023_01_01_NS};
    /// let g = Grid { start_ns: START_2023_01_01_NS, dt_ns: 1, nt: 1, x0: 0.0, dx: 1.0, nx: 1 };
    /// assert_eq!(g.start().to_string(), "2023-01-01T00:00:00Z");
    /// ```
    pub fn start(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_nanosecond(i128::from(self.start_ns))
            .expect("an i64 of nanoseconds is always a valid timestamp")
    }
}

/// A generated data set: the `(time, distance)` array and its sampling.
///
/// ```
/// use xdas_synthetics::dummy;
///
/// let s = dummy::<f64>((100, 10));
/// assert_eq!(s.data.dim(), s.grid.shape());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Synthetic<T = f64> {
    /// The values, C-order, axis 0 is time and axis 1 is distance.
    pub data: Array2<T>,
    /// The time and distance sampling of `data`.
    pub grid: Grid,
}
