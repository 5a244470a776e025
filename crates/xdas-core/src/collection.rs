//! [`DataCollection`]: nested mappings and sequences of [`DataArray`]s.

use crate::array::{DataArray, Element};
use crate::coords::Method;
use crate::error::{Error, Result};
use crate::select::{Indexer, Label};

/// A per-leaf transformation: `None` drops the leaf.
type LeafFn<'a, T> = &'a dyn Fn(&DataArray<T>) -> Result<Option<DataArray<T>>>;

/// A tree of arrays: the Rust counterpart of xdas's `DataMapping` / `DataSequence`.
///
/// Selections apply to every leaf; leaves that come out empty (a zero-length dim) or that
/// do not have the dim are dropped, as xdas does.
///
/// ```
/// use ndarray::ArrayD;
/// use xdas_core::{Coordinate, DataArray, DataCollection, Indexer};
/// let da = DataArray::new(
///     ArrayD::<f64>::zeros(vec![10]),
///     &["time"],
///     vec![("time", Coordinate::from_block(0.0, 10, 1.0, "time"))],
/// )
/// .unwrap();
/// let dc = DataCollection::mapping(None, vec![("a".into(), DataCollection::Array(da.clone()))]);
/// let sub = dc.isel("time", Indexer::range(0, 5)).unwrap();
/// assert_eq!(sub.get("a").unwrap().as_array().unwrap().shape(), &[5]);
/// ```
#[derive(Debug, Clone)]
pub enum DataCollection<T> {
    /// A leaf.
    Array(DataArray<T>),
    /// Named children in order.
    Mapping {
        name: Option<String>,
        items: Vec<(String, DataCollection<T>)>,
    },
    /// Children by position.
    Sequence {
        name: Option<String>,
        items: Vec<DataCollection<T>>,
    },
}

impl<T: Element> DataCollection<T> {
    /// A mapping node.
    pub fn mapping(name: Option<String>, items: Vec<(String, DataCollection<T>)>) -> Self {
        DataCollection::Mapping { name, items }
    }

    /// A sequence node.
    pub fn sequence(name: Option<String>, items: Vec<DataCollection<T>>) -> Self {
        DataCollection::Sequence { name, items }
    }

    /// The leaf array, if this is a leaf.
    pub fn as_array(&self) -> Option<&DataArray<T>> {
        match self {
            DataCollection::Array(a) => Some(a),
            _ => None,
        }
    }

    /// A child of a mapping by key, or of a sequence by position (`"0"`, `"1"`, ...).
    pub fn get(&self, key: &str) -> Result<&DataCollection<T>> {
        match self {
            DataCollection::Mapping { items, .. } => items
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .ok_or_else(|| Error::KeyNotFound(key.to_string())),
            DataCollection::Sequence { items, .. } => key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .ok_or_else(|| Error::KeyNotFound(key.to_string())),
            DataCollection::Array(_) => Err(Error::KeyNotFound(key.to_string())),
        }
    }

    /// Every leaf, depth first.
    pub fn leaves(&self) -> Vec<&DataArray<T>> {
        match self {
            DataCollection::Array(a) => vec![a],
            DataCollection::Mapping { items, .. } => {
                items.iter().flat_map(|(_, v)| v.leaves()).collect()
            }
            DataCollection::Sequence { items, .. } => {
                items.iter().flat_map(|v| v.leaves()).collect()
            }
        }
    }

    /// Apply `f` to every leaf, dropping leaves for which it returns `None` and nodes
    /// left with no children.
    fn filter_map(&self, f: LeafFn<'_, T>) -> Result<Option<Self>> {
        Ok(match self {
            DataCollection::Array(a) => f(a)?.map(DataCollection::Array),
            DataCollection::Mapping { name, items } => {
                let mut out = Vec::new();
                for (k, v) in items {
                    if let Some(c) = v.filter_map(f)? {
                        out.push((k.clone(), c));
                    }
                }
                (!out.is_empty()).then(|| DataCollection::Mapping {
                    name: name.clone(),
                    items: out,
                })
            }
            DataCollection::Sequence { name, items } => {
                let mut out = Vec::new();
                for v in items {
                    if let Some(c) = v.filter_map(f)? {
                        out.push(c);
                    }
                }
                (!out.is_empty()).then(|| DataCollection::Sequence {
                    name: name.clone(),
                    items: out,
                })
            }
        })
    }

    fn keep(a: DataArray<T>) -> Option<DataArray<T>> {
        (!a.shape().contains(&0)).then_some(a)
    }

    /// Positional selection on every leaf that has `dim`; empty leaves are dropped.
    pub fn isel(&self, dim: &str, indexer: Indexer) -> Result<Self> {
        let f = |a: &DataArray<T>| -> Result<Option<DataArray<T>>> {
            match a.axis(dim) {
                Err(_) => Ok(None),
                Ok(_) => Ok(Self::keep(a.isel(dim, indexer.clone())?)),
            }
        };
        Ok(self.filter_map(&f)?.unwrap_or_else(|| self.emptied()))
    }

    /// Label selection on every leaf that has `dim`; leaves where nothing matches are
    /// dropped.
    pub fn sel(&self, dim: &str, label: Label, method: Method, endpoint: bool) -> Result<Self> {
        let f = |a: &DataArray<T>| -> Result<Option<DataArray<T>>> {
            match a.axis(dim) {
                Err(_) => Ok(None),
                Ok(_) => match a.sel(dim, label.clone(), method, endpoint) {
                    Ok(s) => Ok(Self::keep(s)),
                    Err(Error::LabelNotFound { .. }) => Ok(None),
                    Err(e) => Err(e),
                },
            }
        };
        Ok(self.filter_map(&f)?.unwrap_or_else(|| self.emptied()))
    }

    fn emptied(&self) -> Self {
        match self {
            DataCollection::Mapping { name, .. } => DataCollection::Mapping {
                name: name.clone(),
                items: vec![],
            },
            DataCollection::Sequence { name, .. }
            | DataCollection::Array(DataArray { name, .. }) => DataCollection::Sequence {
                name: name.clone(),
                items: vec![],
            },
        }
    }

    /// Same structure, names, key order and equal leaves.
    pub fn equals(&self, other: &Self) -> bool {
        match (self, other) {
            (DataCollection::Array(a), DataCollection::Array(b)) => a.equals(b),
            (
                DataCollection::Mapping {
                    name: n1,
                    items: i1,
                },
                DataCollection::Mapping {
                    name: n2,
                    items: i2,
                },
            ) => {
                n1 == n2
                    && i1.len() == i2.len()
                    && i1
                        .iter()
                        .zip(i2)
                        .all(|((k1, v1), (k2, v2))| k1 == k2 && v1.equals(v2))
            }
            (
                DataCollection::Sequence {
                    name: n1,
                    items: i1,
                },
                DataCollection::Sequence {
                    name: n2,
                    items: i2,
                },
            ) => n1 == n2 && i1.len() == i2.len() && i1.iter().zip(i2).all(|(a, b)| a.equals(b)),
            _ => false,
        }
    }
}
