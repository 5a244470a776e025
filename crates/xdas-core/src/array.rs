//! [`DataArray`]: an N-d array with named dims, coordinates, a name and attributes.

use crate::attrs::Attrs;
use crate::coords::Coordinate;
use crate::error::{Error, Result};
use crate::value::DType;
use ndarray::ArrayD;

/// An element type a [`DataArray`] can hold.
pub trait Element: Clone + Send + Sync + std::fmt::Debug + 'static {
    /// The numpy dtype name of the element.
    const DTYPE: DType;
    /// Equality where NaN equals NaN (`array_equal(equal_nan=True)`).
    fn same(&self, other: &Self) -> bool;
}

macro_rules! element_int {
    ($($t:ty => $d:ident),*) => {$(
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            fn same(&self, other: &Self) -> bool { self == other }
        }
    )*};
}
element_int!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32,
    u64 => U64, bool => Bool);

impl Element for f32 {
    const DTYPE: DType = DType::F32;
    fn same(&self, other: &Self) -> bool {
        self == other || (self.is_nan() && other.is_nan())
    }
}
impl Element for f64 {
    const DTYPE: DType = DType::F64;
    fn same(&self, other: &Self) -> bool {
        self == other || (self.is_nan() && other.is_nan())
    }
}

impl Element for num_complex::Complex<f32> {
    const DTYPE: DType = DType::C64;
    fn same(&self, other: &Self) -> bool {
        self.re.same(&other.re) && self.im.same(&other.im)
    }
}
impl Element for num_complex::Complex<f64> {
    const DTYPE: DType = DType::C128;
    fn same(&self, other: &Self) -> bool {
        self.re.same(&other.re) && self.im.same(&other.im)
    }
}

/// A labeled N-d array: the Rust counterpart of `xdas.DataArray`.
///
/// Coordinates are kept in insertion order, keyed by name; a coordinate whose name is a
/// dim is that dim's *dimension coordinate* (used by `sel`). A dim may have no coordinate.
/// `"first"` and `"last"` name the first and last dims wherever a dim is expected.
///
/// ```
/// use ndarray::{ArrayD, IxDyn};
/// use xdas_core::{Coordinate, DataArray, Indexer};
/// let da = DataArray::new(
///     ArrayD::from_shape_fn(IxDyn(&[9, 3]), |i| (i[0] * 3 + i[1]) as f64),
///     &["time", "distance"],
///     vec![("time", Coordinate::from_block(0.0, 9, 1.0, "time"))],
/// )
/// .unwrap();
/// let every_third = da.isel("first", Indexer::slice(None, None, Some(3))).unwrap();
/// assert_eq!(every_third.shape(), &[3, 3]);
/// assert_eq!(every_third.coord("time").unwrap().value(2).unwrap(), 6.0.into());
/// assert!(da.isel("depth", Indexer::Index(0)).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct DataArray<T> {
    pub(crate) data: ArrayD<T>,
    pub(crate) dims: Vec<String>,
    pub(crate) coords: Vec<(String, Coordinate)>,
    pub(crate) name: Option<String>,
    pub(crate) attrs: Option<Attrs>,
}

impl<T: Element> DataArray<T> {
    /// Build and validate: one dim name per axis (unique), every non-scalar coordinate on
    /// one of the dims with the axis' length.
    pub fn new(data: ArrayD<T>, dims: &[&str], coords: Vec<(&str, Coordinate)>) -> Result<Self> {
        let dims: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
        Self::from_parts(
            data,
            dims,
            coords
                .into_iter()
                .map(|(k, c)| (k.to_string(), c))
                .collect(),
            None,
            None,
        )
    }

    /// Build from owned parts (validated like [`DataArray::new`]).
    pub fn from_parts(
        data: ArrayD<T>,
        dims: Vec<String>,
        coords: Vec<(String, Coordinate)>,
        name: Option<String>,
        attrs: Option<Attrs>,
    ) -> Result<Self> {
        if dims.len() != data.ndim() {
            return Err(Error::Shape(format!(
                "{} dims {:?} for an array of {} dimensions",
                dims.len(),
                dims,
                data.ndim()
            )));
        }
        for (i, d) in dims.iter().enumerate() {
            if dims[..i].contains(d) {
                return Err(Error::InvalidArgument(format!(
                    "dimension {d:?} given twice"
                )));
            }
        }
        for (i, (name, _)) in coords.iter().enumerate() {
            if coords[..i].iter().any(|(n, _)| n == name) {
                return Err(Error::InvalidArgument(format!(
                    "coordinate {name:?} given twice"
                )));
            }
        }
        let da = Self {
            data,
            dims,
            coords,
            name,
            attrs,
        };
        for (name, c) in &da.coords {
            if let Some(dim) = c.dim() {
                let axis =
                    da.dims
                        .iter()
                        .position(|d| d == dim)
                        .ok_or_else(|| Error::DimNotFound {
                            dim: dim.to_string(),
                            dims: da.dims.clone(),
                        })?;
                if c.len() != da.data.shape()[axis] {
                    return Err(Error::Shape(format!(
                        "coordinate {name:?} has {} values but dimension {dim:?} has {}",
                        c.len(),
                        da.data.shape()[axis]
                    )));
                }
            }
        }
        Ok(da)
    }

    /// The same array with a name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The same array with attributes.
    pub fn with_attrs(mut self, attrs: Attrs) -> Self {
        self.attrs = Some(attrs);
        self
    }

    /// The values.
    pub fn data(&self) -> &ArrayD<T> {
        &self.data
    }

    /// The values, mutably (the shape cannot change through this).
    pub fn data_mut(&mut self) -> &mut ArrayD<T> {
        &mut self.data
    }

    /// Take the values out.
    pub fn into_data(self) -> ArrayD<T> {
        self.data
    }

    /// The same labels over new values of the same shape (e.g. a kernel's output).
    pub fn with_data<U: Element>(&self, data: ArrayD<U>) -> Result<DataArray<U>> {
        if data.shape() != self.data.shape() {
            return Err(Error::Shape(format!(
                "new data of shape {:?} for an array of shape {:?}",
                data.shape(),
                self.data.shape()
            )));
        }
        Ok(DataArray {
            data,
            dims: self.dims.clone(),
            coords: self.coords.clone(),
            name: self.name.clone(),
            attrs: self.attrs.clone(),
        })
    }

    /// Dimension names.
    pub fn dims(&self) -> &[String] {
        &self.dims
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.data.ndim()
    }

    /// The numpy dtype of the elements.
    pub fn dtype(&self) -> DType {
        T::DTYPE
    }

    /// The name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The attributes (`None` is distinct from empty, as in xdas).
    pub fn attrs(&self) -> Option<&Attrs> {
        self.attrs.as_ref()
    }

    /// Coordinates in order, by name.
    pub fn coords(&self) -> impl Iterator<Item = (&str, &Coordinate)> {
        self.coords.iter().map(|(k, c)| (k.as_str(), c))
    }

    /// Resolve `"first"`/`"last"` and check the dim exists.
    pub fn resolve_dim(&self, dim: &str) -> Result<&str> {
        let axis = self.axis(dim)?;
        Ok(&self.dims[axis])
    }

    /// The axis number of a dim (`"first"`/`"last"` allowed).
    pub fn axis(&self, dim: &str) -> Result<usize> {
        let found = match dim {
            "first" if !self.dims.iter().any(|d| d == "first") => {
                (!self.dims.is_empty()).then_some(0)
            }
            "last" if !self.dims.iter().any(|d| d == "last") => self.dims.len().checked_sub(1),
            _ => self.dims.iter().position(|d| d == dim),
        };
        found.ok_or_else(|| Error::DimNotFound {
            dim: dim.to_string(),
            dims: self.dims.clone(),
        })
    }

    /// The coordinate called `name` (`"first"`/`"last"` name the dims' coordinates).
    pub fn coord(&self, name: &str) -> Result<&Coordinate> {
        let name = match name {
            "first" | "last" => self.resolve_dim(name).unwrap_or(name),
            n => n,
        };
        self.coords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, c)| c)
            .ok_or_else(|| Error::CoordNotFound(name.to_string()))
    }

    /// Set (or replace) a coordinate, checking its dim and length.
    pub fn assign_coord(mut self, name: &str, coord: Coordinate) -> Result<Self> {
        if let Some(dim) = coord.dim() {
            let axis = self.axis(dim)?;
            if coord.len() != self.shape()[axis] {
                return Err(Error::Shape(format!(
                    "coordinate {name:?} has {} values but dimension {dim:?} has {}",
                    coord.len(),
                    self.shape()[axis]
                )));
            }
        }
        match self.coords.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = coord,
            None => self.coords.push((name.to_string(), coord)),
        }
        Ok(self)
    }

    /// Drop a coordinate by name (no-op when absent).
    pub fn drop_coord(mut self, name: &str) -> Self {
        self.coords.retain(|(k, _)| k != name);
        self
    }

    /// Reorder the dims; `dims` must be a permutation of the array's dims.
    pub fn transpose(&self, dims: &[&str]) -> Result<Self> {
        if dims.len() != self.ndim() {
            return Err(Error::InvalidArgument(format!(
                "transpose needs all {} dims, got {dims:?}",
                self.ndim()
            )));
        }
        let mut perm = Vec::with_capacity(dims.len());
        for d in dims {
            let a = self.axis(d)?;
            if perm.contains(&a) {
                return Err(Error::InvalidArgument(format!(
                    "dimension {d:?} given twice"
                )));
            }
            perm.push(a);
        }
        let data = self.data.clone().permuted_axes(perm.clone());
        Ok(Self {
            data: data.as_standard_layout().into_owned(),
            dims: perm.iter().map(|&a| self.dims[a].clone()).collect(),
            coords: self.coords.clone(),
            name: self.name.clone(),
            attrs: self.attrs.clone(),
        })
    }

    /// Add a new leading dim of length one; a scalar coordinate of that name becomes a
    /// one-value dense coordinate.
    pub fn expand_dims(&self, dim: &str) -> Result<Self> {
        if self.dims.iter().any(|d| d == dim) {
            return Err(Error::InvalidArgument(format!(
                "dimension {dim:?} already exists"
            )));
        }
        let data = self.data.clone().insert_axis(ndarray::Axis(0));
        let mut dims = vec![dim.to_string()];
        dims.extend(self.dims.iter().cloned());
        let coords = self
            .coords
            .iter()
            .map(|(k, c)| {
                if k == dim && c.is_scalar() {
                    (k.clone(), Coordinate::dense(c.values(), dim))
                } else {
                    (k.clone(), c.clone())
                }
            })
            .collect();
        Ok(Self {
            data,
            dims,
            coords,
            name: self.name.clone(),
            attrs: self.attrs.clone(),
        })
    }

    /// Strict equality, as xdas's `equals`: same dtype and shape, values equal (NaN equals
    /// NaN), same coordinates (names, kinds, values, dims), dims, name and attributes.
    /// Symmetric; never fails.
    pub fn equals(&self, other: &DataArray<T>) -> bool {
        self.data.shape() == other.data.shape()
            && self
                .data
                .iter()
                .zip(other.data.iter())
                .all(|(a, b)| a.same(b))
            && self.coords.len() == other.coords.len()
            && self
                .coords
                .iter()
                .all(|(k, c)| other.coords.iter().any(|(ko, co)| ko == k && co.equals(c)))
            && self.dims == other.dims
            && self.name == other.name
            && self.attrs == other.attrs
    }
}
