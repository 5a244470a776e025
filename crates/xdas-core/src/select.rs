//! Positional (`isel`) and label (`sel`) selection on a [`DataArray`].

use crate::array::{DataArray, Element};
use crate::coords::{Coordinate, Method, SplitKind, Tolerance};
use crate::error::{Error, Result};
use crate::value::Scalar;
use ndarray::{Axis, Slice};

/// A positional selector along one dim (negative numbers count from the end, as in
/// Python).
#[derive(Debug, Clone, PartialEq)]
pub enum Indexer {
    /// One position: the dim is removed, its coordinates become scalar coordinates.
    Index(i64),
    /// `start:stop:step` (step > 0).
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: Option<i64>,
    },
    /// Positions in any order; coordinates on the dim become dense.
    List(Vec<i64>),
}

impl Indexer {
    /// `start:stop:step`.
    pub fn slice(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Self {
        Indexer::Slice { start, stop, step }
    }

    /// `start:stop`.
    pub fn range(start: i64, stop: i64) -> Self {
        Indexer::Slice {
            start: Some(start),
            stop: Some(stop),
            step: None,
        }
    }
}

/// A label selector along one dim.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// One label: the dim is removed.
    Value(Scalar),
    /// The inclusive label range `[start, stop]` (open ends with `None`).
    Range {
        start: Option<Scalar>,
        stop: Option<Scalar>,
    },
    /// Several labels.
    List(Vec<Scalar>),
}

/// Python's `slice.indices(len)` for a positive step.
pub(crate) fn normalize_slice(
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
    len: usize,
) -> Result<(usize, usize, usize)> {
    let step = step.unwrap_or(1);
    if step <= 0 {
        return Err(Error::InvalidArgument(format!(
            "slice step must be positive, got {step}"
        )));
    }
    let n = len as i64;
    let clip = |v: i64| -> usize {
        let v = if v < 0 { v + n } else { v };
        v.clamp(0, n) as usize
    };
    let a = start.map_or(0, clip);
    let b = stop.map_or(len, clip);
    Ok((a, b.max(a), step as usize))
}

fn normalize_index(i: i64, len: usize) -> Result<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(Error::IndexOutOfBounds { index: i, len });
    }
    Ok(j as usize)
}

impl<T: Element> DataArray<T> {
    /// Positional selection along one dim.
    pub fn isel(&self, dim: &str, indexer: Indexer) -> Result<Self> {
        let axis = self.axis(dim)?;
        let dim = self.dims[axis].clone();
        let len = self.shape()[axis];
        let on_dim = |c: &Coordinate| c.dim() == Some(dim.as_str());
        match indexer {
            Indexer::Index(i) => {
                let i = normalize_index(i, len)?;
                let data = self.data.index_axis(Axis(axis), i).to_owned();
                let mut coords = Vec::with_capacity(self.coords.len());
                for (k, c) in &self.coords {
                    coords.push((k.clone(), if on_dim(c) { c.at(i)? } else { c.clone() }));
                }
                let mut dims = self.dims.clone();
                dims.remove(axis);
                Ok(Self {
                    data,
                    dims,
                    coords,
                    name: self.name.clone(),
                    attrs: self.attrs.clone(),
                })
            }
            Indexer::Slice { start, stop, step } => {
                let (a, b, s) = normalize_slice(start, stop, step, len)?;
                let data = self
                    .data
                    .slice_axis(
                        Axis(axis),
                        Slice::new(a as isize, Some(b as isize), s as isize),
                    )
                    .to_owned();
                let coords = self
                    .coords
                    .iter()
                    .map(|(k, c)| {
                        let c = if on_dim(c) {
                            c.slice(a, b, s)?
                        } else {
                            c.clone()
                        };
                        Ok((k.clone(), c))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Self {
                    data,
                    dims: self.dims.clone(),
                    coords,
                    name: self.name.clone(),
                    attrs: self.attrs.clone(),
                })
            }
            Indexer::List(list) => {
                let idx = list
                    .iter()
                    .map(|&i| normalize_index(i, len))
                    .collect::<Result<Vec<_>>>()?;
                let data = self.data.select(Axis(axis), &idx);
                let mut coords = Vec::with_capacity(self.coords.len());
                for (k, c) in &self.coords {
                    coords.push((k.clone(), if on_dim(c) { c.take(&idx)? } else { c.clone() }));
                }
                Ok(Self {
                    data,
                    dims: self.dims.clone(),
                    coords,
                    name: self.name.clone(),
                    attrs: self.attrs.clone(),
                })
            }
        }
    }

    /// Positional selection along several dims, applied in order.
    pub fn isel_many(&self, indexers: &[(&str, Indexer)]) -> Result<Self> {
        let mut out = self.clone();
        // resolve aliases against the original dims before any dim disappears
        let resolved: Vec<(String, Indexer)> = indexers
            .iter()
            .map(|(d, ix)| Ok((self.resolve_dim(d)?.to_string(), ix.clone())))
            .collect::<Result<_>>()?;
        for (d, ix) in resolved {
            out = out.isel(&d, ix)?;
        }
        Ok(out)
    }

    /// The dimension coordinate used for label lookups along `dim`.
    fn dim_coord(&self, dim: &str) -> Result<&Coordinate> {
        self.coords
            .iter()
            .find(|(k, c)| k == dim && c.dim() == Some(dim))
            .or_else(|| self.coords.iter().find(|(_, c)| c.dim() == Some(dim)))
            .map(|(_, c)| c)
            .ok_or_else(|| {
                Error::CoordNotFound(format!("{dim} (no coordinate to select labels on)"))
            })
    }

    /// Label selection along one dim. Ranges are inclusive (`endpoint = true`) or exclude
    /// a stop that is exactly a coordinate value (`endpoint = false`); `method` applies to
    /// single labels and lists. A range on a coordinate with overlaps is resolved piece by
    /// piece between the overlaps and the pieces are joined back.
    pub fn sel(&self, dim: &str, label: Label, method: Method, endpoint: bool) -> Result<Self> {
        let axis = self.axis(dim)?;
        let dim = self.dims[axis].clone();
        let coord = self.dim_coord(&dim)?;
        match label {
            Label::Value(v) => {
                let i = coord.index_of(&v, method)?;
                self.isel(&dim, Indexer::Index(i as i64))
            }
            Label::List(vs) => {
                let idx = vs
                    .iter()
                    .map(|v| coord.index_of(v, method).map(|i| i as i64))
                    .collect::<Result<Vec<_>>>()?;
                self.isel(&dim, Indexer::List(idx))
            }
            Label::Range { start, stop } => {
                if coord.is_axis() && !coord.is_monotonic() {
                    let pieces = self.split_at(
                        &dim,
                        &coord.split_indices(SplitKind::Overlaps, Tolerance::Off)?,
                    )?;
                    let mut selected = Vec::new();
                    for p in &pieces {
                        let s = p.sel(
                            &dim,
                            Label::Range {
                                start: start.clone(),
                                stop: stop.clone(),
                            },
                            method,
                            endpoint,
                        )?;
                        selected.push(s);
                    }
                    let refs: Vec<&Self> = selected.iter().collect();
                    return Self::concat(&refs, &dim, Tolerance::Off);
                }
                let (a, b) = coord.slice_indexer(start.as_ref(), stop.as_ref(), endpoint)?;
                self.isel(&dim, Indexer::range(a as i64, b as i64))
            }
        }
    }

    /// The inclusive label range `[start, stop]` along `dim`.
    pub fn sel_range(
        &self,
        dim: &str,
        start: Option<Scalar>,
        stop: Option<Scalar>,
    ) -> Result<Self> {
        self.sel(dim, Label::Range { start, stop }, Method::Exact, true)
    }

    /// One label along `dim` (the dim is removed).
    pub fn sel_value(&self, dim: &str, label: impl Into<Scalar>, method: Method) -> Result<Self> {
        self.sel(dim, Label::Value(label.into()), method, true)
    }
}
