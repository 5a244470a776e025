//! [`Picks`]: the table a `Trigger` emits — one row per pick, one column per dim (the
//! coordinate of the pick along it) plus the picked `value`.

use serde::{Deserialize, Serialize};
use xdas_core::Values;

use crate::error::{AtomError, Result};

/// A picks table (xdas's DataFrame of picks).
///
/// ```
/// use xdas_atoms::Picks;
/// use xdas_core::Values;
/// let p = Picks::new(vec![("distance".into(), Values::F64(vec![0.0, 25.0]))], vec![3.5, 4.0]).unwrap();
/// assert_eq!(p.len(), 2);
/// assert_eq!(p.columns(), vec!["distance", "value"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Picks {
    coords: Vec<(String, Values)>,
    value: Vec<f64>,
}

impl Picks {
    /// A table from coordinate columns and the values (all the same length).
    pub fn new(coords: Vec<(String, Values)>, value: Vec<f64>) -> Result<Self> {
        if let Some((name, c)) = coords.iter().find(|(_, c)| c.len() != value.len()) {
            return Err(AtomError::State(format!(
                "picks column {name:?} has {} rows, value has {}",
                c.len(),
                value.len()
            )));
        }
        Ok(Picks { coords, value })
    }

    /// Number of picks.
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// No picks.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Column names: the coordinate columns, then `value`.
    pub fn columns(&self) -> Vec<&str> {
        self.coords
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(std::iter::once("value"))
            .collect()
    }

    /// A coordinate column.
    pub fn column(&self, name: &str) -> Option<&Values> {
        self.coords.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The picked values.
    pub fn values(&self) -> &[f64] {
        &self.value
    }

    /// Append the rows of `other` (same columns, or `self` empty without columns).
    pub fn append(&mut self, other: &Picks) -> Result<()> {
        if self.coords.is_empty() && self.value.is_empty() {
            *self = other.clone();
            return Ok(());
        }
        if other.coords.is_empty() && other.value.is_empty() {
            return Ok(());
        }
        if self.columns() != other.columns() {
            return Err(AtomError::State(format!(
                "cannot append picks with columns {:?} to {:?}",
                other.columns(),
                self.columns()
            )));
        }
        for ((_, a), (_, b)) in self.coords.iter_mut().zip(&other.coords) {
            match (a, b) {
                (Values::F64(a), Values::F64(b)) => a.extend_from_slice(b),
                (Values::I64(a), Values::I64(b)) => a.extend_from_slice(b),
                (Values::Datetime(a), Values::Datetime(b)) => a.extend_from_slice(b),
                (Values::Str(a), Values::Str(b)) => a.extend_from_slice(b),
                _ => return Err(AtomError::State("picks columns of different types".into())),
            }
        }
        self.value.extend_from_slice(&other.value);
        Ok(())
    }

    /// The table as CSV text (header, then one line per pick; datetimes in ISO-8601).
    pub fn to_csv(&self) -> String {
        let mut out = self.columns().join(",");
        out.push('\n');
        for i in 0..self.len() {
            for (_, col) in &self.coords {
                let cell = match col {
                    Values::F64(v) => format!("{}", v[i]),
                    Values::I64(v) => format!("{}", v[i]),
                    Values::Datetime(v) => format!("{}", v[i]),
                    Values::Str(v) => v[i].clone(),
                };
                out.push_str(&cell);
                out.push(',');
            }
            out.push_str(&format!("{}\n", self.value[i]));
        }
        out
    }
}
