//! Concatenation and splitting along a dim.

use crate::array::{DataArray, Element};
use crate::coords::{Coordinate, SplitKind, Tolerance};
use crate::error::{Error, Result};
use crate::select::Indexer;
use crate::value::Scalar;
use ndarray::Axis;
use std::cmp::Ordering;

/// How to cut an array in [`DataArray::split`].
#[derive(Debug, Clone, PartialEq)]
pub enum Split {
    /// At every gap and overlap of the dim's coordinate (within the tolerance).
    Discontinuities,
    /// At every gap.
    Gaps,
    /// At every overlap.
    Overlaps,
    /// Into `n` nearly equal parts (the first `len % n` get one more element).
    Sections(usize),
    /// At these indices.
    Indices(Vec<usize>),
}

fn first_value_cmp(a: &Option<Scalar>, b: &Option<Scalar>) -> Ordering {
    match (a, b) {
        (Some(Scalar::F64(x)), Some(Scalar::F64(y))) => x.total_cmp(y),
        (Some(Scalar::I64(x)), Some(Scalar::I64(y))) => x.cmp(y),
        (Some(Scalar::Datetime(x)), Some(Scalar::Datetime(y))) => x.cmp(y),
        (Some(Scalar::Str(x)), Some(Scalar::Str(y))) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

impl<T: Element> DataArray<T> {
    /// Concatenate along `dim`, ordered by the first value of the dim's coordinate.
    ///
    /// The dim coordinates are joined (gaps and overlaps become tie points) and then
    /// simplified within `tolerance` (`Off`: not simplified). Empty inputs are skipped. A
    /// dim the inputs lack is created in front. Unlike xdas, every input is checked:
    /// dims, the shape off `dim`, and coordinates on the other dims must agree.
    pub fn concat(objs: &[&Self], dim: &str, tolerance: Tolerance) -> Result<Self> {
        let first = objs
            .first()
            .ok_or_else(|| Error::Concat("nothing to concatenate".into()))?;
        let dim = match first.resolve_dim(dim) {
            Ok(d) => d.to_string(),
            Err(_) if dim == "first" || dim == "last" => {
                return Err(Error::Concat("cannot concatenate 0-d arrays".into()));
            }
            Err(_) => dim.to_string(),
        };
        // a new dim is added in front of every input
        let expanded: Vec<Self>;
        let objs: Vec<&Self> = if first.dims.contains(&dim) {
            objs.to_vec()
        } else {
            expanded = objs
                .iter()
                .map(|o| o.expand_dims(&dim))
                .collect::<Result<_>>()?;
            expanded.iter().collect()
        };
        let axis = objs[0].axis(&dim)?;
        let mut parts: Vec<&Self> = objs
            .iter()
            .copied()
            .filter(|o| o.shape().get(axis).is_some_and(|&n| n > 0))
            .collect();
        if parts.is_empty() {
            return Ok(objs[0].clone());
        }
        let lead = parts[0];
        for o in &parts[1..] {
            if o.dims != lead.dims {
                return Err(Error::Concat(format!(
                    "dims {:?} and {:?} differ",
                    lead.dims, o.dims
                )));
            }
            for (ax, (a, b)) in lead.shape().iter().zip(o.shape()).enumerate() {
                if ax != axis && a != b {
                    return Err(Error::Concat(format!(
                        "shapes {:?} and {:?} differ off dimension {dim:?}",
                        lead.shape(),
                        o.shape()
                    )));
                }
            }
            for (k, c) in &lead.coords {
                if c.dim().is_some_and(|d| d != dim) {
                    let same = o.coords.iter().any(|(ko, co)| ko == k && co.equals(c));
                    if !same {
                        return Err(Error::Concat(format!(
                            "coordinate {k:?} differs between the inputs"
                        )));
                    }
                }
            }
        }
        let dim_coord_name = lead
            .coords
            .iter()
            .find(|(k, c)| k == &dim && c.dim() == Some(dim.as_str()))
            .map(|(k, _)| k.clone());
        if let Some(name) = &dim_coord_name {
            let first_of = |o: &&Self| {
                o.coords
                    .iter()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, c)| c.value(0).ok())
            };
            parts.sort_by(|a, b| first_value_cmp(&first_of(a), &first_of(b)));
        }
        let lead = parts[0];
        let mut coords = Vec::with_capacity(lead.coords.len());
        for (k, c) in &lead.coords {
            if c.dim() == Some(dim.as_str()) {
                let pieces = parts
                    .iter()
                    .map(|o| {
                        o.coords
                            .iter()
                            .find(|(ko, _)| ko == k)
                            .map(|(_, c)| c)
                            .ok_or_else(|| Error::Concat(format!("coordinate {k:?} is missing")))
                    })
                    .collect::<Result<Vec<&Coordinate>>>()?;
                let joined = Coordinate::concat(&pieces)?;
                let joined = match tolerance {
                    Tolerance::Off => joined,
                    t => joined.simplify(t),
                };
                coords.push((k.clone(), joined));
            } else {
                coords.push((k.clone(), c.clone()));
            }
        }
        let views: Vec<_> = parts.iter().map(|o| o.data.view()).collect();
        let data =
            ndarray::concatenate(Axis(axis), &views).map_err(|e| Error::Concat(e.to_string()))?;
        Ok(Self {
            data,
            dims: lead.dims.clone(),
            coords,
            name: lead.name.clone(),
            attrs: lead.attrs.clone(),
        })
    }

    /// Cut along `dim` (see [`Split`]); `tolerance` applies to the discontinuity kinds.
    pub fn split(&self, how: Split, dim: &str, tolerance: Tolerance) -> Result<Vec<Self>> {
        let axis = self.axis(dim)?;
        let dim = self.dims[axis].clone();
        let n = self.shape()[axis];
        let kind = match how {
            Split::Discontinuities => Some(SplitKind::Discontinuities),
            Split::Gaps => Some(SplitKind::Gaps),
            Split::Overlaps => Some(SplitKind::Overlaps),
            _ => None,
        };
        let indices = match (kind, how) {
            (Some(kind), _) => {
                let coord = self
                    .coords
                    .iter()
                    .find(|(k, c)| k == &dim && c.dim() == Some(dim.as_str()))
                    .map(|(_, c)| c)
                    .ok_or_else(|| Error::CoordNotFound(dim.clone()))?;
                coord.split_indices(kind, tolerance)?
            }
            (None, Split::Sections(k)) => {
                if k == 0 || k > n {
                    return Err(Error::InvalidArgument(format!(
                        "cannot split a dimension of length {n} into {k} sections"
                    )));
                }
                let (q, r) = (n / k, n % k);
                let mut acc = 0;
                (0..k - 1)
                    .map(|i| {
                        acc += q + usize::from(i < r);
                        acc
                    })
                    .collect()
            }
            (None, Split::Indices(v)) => v,
            _ => unreachable!(),
        };
        self.split_at(&dim, &indices)
    }

    /// Cut before each index of `indices` (ascending, within `0..=len`).
    pub(crate) fn split_at(&self, dim: &str, indices: &[usize]) -> Result<Vec<Self>> {
        let n = self.shape()[self.axis(dim)?];
        let mut bounds = vec![0];
        for &i in indices {
            if i > n || i < *bounds.last().expect("non-empty") {
                return Err(Error::InvalidArgument(format!(
                    "split indices {indices:?} must increase within 0..={n}"
                )));
            }
            bounds.push(i);
        }
        bounds.push(n);
        bounds
            .windows(2)
            .map(|w| self.isel(dim, Indexer::range(w[0] as i64, w[1] as i64)))
            .collect()
    }
}
