//! Human-readable summaries of coordinates and arrays (like xdas's `repr`).

use crate::array::{DataArray, Element};
use crate::coords::{CoordKind, Coordinate};
use crate::value::Scalar;
use std::fmt;

fn short(s: &Scalar) -> String {
    match s {
        // datetimes to the millisecond, as xdas prints them
        Scalar::Datetime(t) => t.to_iso()[..23].to_string(),
        Scalar::F64(v) => format!("{v:.3}"),
        other => other.to_string(),
    }
}

impl fmt::Display for Coordinate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.len();
        let range = match (self.value(0), n) {
            (_, 0) => "empty".to_string(),
            (Ok(a), 1) => short(&a),
            (Ok(a), _) => format!(
                "{} to {}",
                short(&a),
                self.value(n - 1).map(|b| short(&b)).unwrap_or_default()
            ),
            (Err(_), _) => "?".into(),
        };
        let detail = match self.kind() {
            CoordKind::InterpF64(c) => {
                format!("interpolated, {} tie points", c.tie_indices().len())
            }
            CoordKind::InterpTime(c) => {
                format!("interpolated, {} tie points", c.tie_indices().len())
            }
            CoordKind::SampledF64(c) => format!("sampled, {} segments", c.tie_values().len()),
            CoordKind::SampledTime(c) => format!("sampled, {} segments", c.tie_values().len()),
            CoordKind::Dense(v) => format!("dense {}", v.dtype()),
            CoordKind::Scalar(s) => format!("scalar {}", s.dtype()),
        };
        let step = match self.sampling_interval() {
            Some(Scalar::Timedelta(d)) => format!(", every {}", d.to_iso()),
            Some(s) => format!(", every {s}"),
            None => String::new(),
        };
        write!(f, "{range} ({detail}{step})")
    }
}

/// ```
/// use ndarray::ArrayD;
/// use xdas_core::{Coordinate, DataArray};
/// let da = DataArray::new(
///     ArrayD::<f32>::zeros(vec![3, 2]),
///     &["time", "distance"],
///     vec![("distance", Coordinate::from_block(0.0, 2, 25.0, "distance"))],
/// )
/// .unwrap();
/// let text = da.to_string();
/// assert!(text.starts_with("<DataArray float32 (time: 3, distance: 2)>"));
/// assert!(text.contains("distance (distance): 0.000 to 25.000"));
/// ```
impl<T: Element> fmt::Display for DataArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<String> = self
            .dims()
            .iter()
            .zip(self.shape())
            .map(|(d, n)| format!("{d}: {n}"))
            .collect();
        let name = self.name().map(|n| format!(" {n:?}")).unwrap_or_default();
        writeln!(
            f,
            "<DataArray{name} {} ({})>",
            self.dtype(),
            sizes.join(", ")
        )?;
        if self.coords().next().is_some() {
            writeln!(f, "Coordinates:")?;
        }
        for (k, c) in self.coords() {
            let marker = if c.dim() == Some(k) { "*" } else { " " };
            let dim = c.dim().unwrap_or("");
            writeln!(f, "  {marker} {k} ({dim}): {c}")?;
        }
        if let Some(attrs) = self.attrs()
            && !attrs.is_empty()
        {
            writeln!(f, "Attributes:")?;
            for (k, v) in attrs.iter() {
                writeln!(f, "    {k}: {v}")?;
            }
        }
        Ok(())
    }
}
