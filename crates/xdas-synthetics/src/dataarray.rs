//! Labelling synthetic data as [`DataArray`]s: time and distance as regular interpolated
//! coordinates, exactly as xdas builds them (`Coordinate["interpolated"].from_block`).

use crate::generator::WavefrontGenerator;
use crate::grid::{Grid, Synthetic};
use crate::sample::Sample;
use ndarray::Array2;
use xdas_core::{Coordinate, DataArray, Datetime, Element, Timedelta};

impl Grid {
    /// The `time` coordinate of rows `start..start + n`.
    pub fn time_coord(&self, start: usize, n: usize) -> Coordinate {
        Coordinate::from_block_time(
            Datetime::from_ns(self.time_ns(start)),
            n,
            Timedelta::from_ns(self.dt_ns),
            "time",
        )
    }

    /// The `distance` coordinate of every channel.
    pub fn distance_coord(&self) -> Coordinate {
        Coordinate::from_block(self.x0, self.nx, self.dx, "distance")
    }

    /// Label `data` holding rows `start..` of this grid as a `(time, distance)` array.
    pub fn label<T: Element>(&self, start: usize, data: Array2<T>) -> DataArray<T> {
        let n = data.nrows();
        DataArray::new(
            data.into_dyn(),
            &["time", "distance"],
            vec![
                ("time", self.time_coord(start, n)),
                ("distance", self.distance_coord()),
            ],
        )
        .expect("a grid's coordinates match its data by construction")
    }
}

impl<T: Element> Synthetic<T> {
    /// The data set as a `(time, distance)` [`DataArray`], as xdas returns it.
    ///
    /// ```
    /// let da = xdas_synthetics::wavelet_wavefronts().to_dataarray();
    /// assert_eq!(da.shape(), &[300, 401]);
    /// ```
    pub fn to_dataarray(&self) -> DataArray<T> {
        self.grid.label(0, self.data.clone())
    }
}

impl<T: Sample + Element> WavefrontGenerator<T> {
    /// Rows `start..start + nrows` as a labelled `(time, distance)` chunk.
    ///
    /// ```
    /// use xdas_synthetics::WavefrontGenerator;
    /// let g = WavefrontGenerator::<f32>::builder(1000, 50).build().unwrap();
    /// let chunk = g.chunk_dataarray(100, 10);
    /// assert_eq!(chunk.shape(), &[10, 50]);
    /// assert_eq!(chunk.coord("time").unwrap().value(0).unwrap(),
    ///            g.chunk_dataarray(0, 1000).coord("time").unwrap().value(100).unwrap());
    /// ```
    pub fn chunk_dataarray(&self, start: usize, nrows: usize) -> DataArray<T> {
        self.grid().label(start, self.chunk(start, nrows))
    }
}
