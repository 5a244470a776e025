//! Lazy arrays: labels now, samples when a block is asked for.
//!
//! A [`Source`] reads any block of a stored array; a [`LazyArray`] puts dims,
//! coordinates, a name and attributes on a selected region of a source. Selecting
//! ([`LazyArray::isel`]) only narrows the region and slices the coordinates; nothing is
//! read until [`LazyArray::load`].

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::ArrayD;
use xdas_core::{Attrs, Coordinate, DType, DataArray, Element};

use crate::data::Data;
use crate::error::{IoError, Result};

/// One stored array, readable block by block.
pub trait Source: Send + Sync + fmt::Debug {
    /// Full shape.
    fn shape(&self) -> Vec<usize>;
    /// Stored element type.
    fn dtype(&self) -> DType;
    /// Read the block `region` (one range per axis, within the shape).
    fn read(&self, region: &[Range<usize>]) -> Result<Data>;
    /// The files and datasets holding the samples, for writing virtual datasets that
    /// point at them (`None`: not file-backed, e.g. in memory or a vendor layout that
    /// needs conversion).
    fn pieces(&self) -> Option<Vec<Piece>> {
        None
    }
}

/// Where a block of a source lives: `count` samples per axis of `dataset` in `file`
/// starting at `src_start` land at `dst_start` of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// The file.
    pub file: PathBuf,
    /// The dataset path inside it.
    pub dataset: String,
    /// Start of the block in the file's dataset.
    pub src_start: Vec<usize>,
    /// Start of the block in the source.
    pub dst_start: Vec<usize>,
    /// Block size.
    pub count: Vec<usize>,
    /// Shape of the whole dataset in the file (a virtual dataset names it).
    pub file_shape: Vec<usize>,
}

impl Piece {
    /// All of dataset `dataset` (of shape `shape`) in `file`, as the whole source.
    pub fn whole(file: &Path, dataset: &str, shape: &[usize]) -> Piece {
        Piece {
            file: file.to_path_buf(),
            dataset: dataset.to_string(),
            src_start: vec![0; shape.len()],
            dst_start: vec![0; shape.len()],
            count: shape.to_vec(),
            file_shape: shape.to_vec(),
        }
    }
}

fn check_region(shape: &[usize], region: &[Range<usize>]) -> Result<()> {
    if region.len() != shape.len()
        || region
            .iter()
            .zip(shape)
            .any(|(r, &n)| r.start > r.end || r.end > n)
    {
        return Err(IoError::Invalid(format!(
            "region {region:?} is outside an array of shape {shape:?}"
        )));
    }
    Ok(())
}

/// Samples already in memory.
#[derive(Debug, Clone)]
pub struct InMemory(pub Data);

impl Source for InMemory {
    fn shape(&self) -> Vec<usize> {
        self.0.shape().to_vec()
    }
    fn dtype(&self) -> DType {
        self.0.dtype()
    }
    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        check_region(self.0.shape(), region)?;
        let info: Vec<ndarray::SliceInfoElem> = region
            .iter()
            .map(|r| ndarray::SliceInfoElem::Slice {
                start: r.start as isize,
                end: Some(r.end as isize),
                step: 1,
            })
            .collect();
        Ok(crate::each_data!(&self.0, a => {
            let v = a.slice(info.as_slice()).to_owned();
            Data::from(v)
        }))
    }
}

macro_rules! data_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<ArrayD<$t>> for Data {
            fn from(a: ArrayD<$t>) -> Self {
                Data::$v(a)
            }
        }
    )*};
}
data_from!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32,
    u64 => U64, f32 => F32, f64 => F64);

/// Sources joined end to end along one axis (files of one acquisition).
#[derive(Debug)]
pub struct Stack {
    parts: Vec<Arc<dyn Source>>,
    axis: usize,
    offsets: Vec<usize>,
    shape: Vec<usize>,
    dtype: DType,
}

impl Stack {
    /// Join `parts` (same dtype, same shape off `axis`) along `axis`.
    pub fn new(parts: Vec<Arc<dyn Source>>, axis: usize) -> Result<Stack> {
        let first = parts
            .first()
            .ok_or_else(|| IoError::Invalid("nothing to stack".into()))?;
        let mut shape = first.shape();
        if axis >= shape.len() {
            return Err(IoError::Invalid(format!("no axis {axis} to stack along")));
        }
        let dtype = first.dtype();
        let mut offsets = vec![0];
        let mut total = 0;
        for p in &parts {
            let s = p.shape();
            let same_off_axis = s.len() == shape.len()
                && s.iter()
                    .zip(&shape)
                    .enumerate()
                    .all(|(i, (a, b))| i == axis || a == b);
            if !same_off_axis || p.dtype() != dtype {
                return Err(IoError::Invalid(format!(
                    "cannot stack {:?} {s:?} with {dtype:?} {shape:?} along axis {axis}",
                    p.dtype()
                )));
            }
            total += s[axis];
            offsets.push(total);
        }
        shape[axis] = total;
        Ok(Stack {
            parts,
            axis,
            offsets,
            shape,
            dtype,
        })
    }
}

impl Source for Stack {
    fn shape(&self) -> Vec<usize> {
        self.shape.clone()
    }
    fn dtype(&self) -> DType {
        self.dtype
    }
    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        check_region(&self.shape, region)?;
        let want = &region[self.axis];
        let mut blocks = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            let (lo, hi) = (self.offsets[i], self.offsets[i + 1]);
            let (a, b) = (want.start.max(lo), want.end.min(hi));
            if a >= b {
                continue;
            }
            let mut r = region.to_vec();
            r[self.axis] = a - lo..b - lo;
            blocks.push(p.read(&r)?);
        }
        if blocks.is_empty() {
            // an empty selection: read an empty block of the first part
            let mut r = region.to_vec();
            r[self.axis] = 0..0;
            return self.parts[0].read(&r);
        }
        if blocks.len() == 1 {
            return Ok(blocks.pop().expect("one block"));
        }
        Data::concatenate(self.axis, &blocks)
    }
    fn pieces(&self) -> Option<Vec<Piece>> {
        let mut all = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            for mut piece in p.pieces()? {
                piece.dst_start[self.axis] += self.offsets[i];
                all.push(piece);
            }
        }
        Some(all)
    }
}

/// A source with its axes reordered (vendors storing `(channel, time)`).
#[derive(Debug)]
pub struct Transposed {
    inner: Arc<dyn Source>,
    /// `perm[i]`: the inner axis of axis `i`.
    perm: Vec<usize>,
}

impl Transposed {
    /// Axis `i` of the result is axis `perm[i]` of `inner`.
    pub fn new(inner: Arc<dyn Source>, perm: Vec<usize>) -> Result<Transposed> {
        let n = inner.shape().len();
        let mut seen = vec![false; n];
        if perm.len() != n
            || perm
                .iter()
                .any(|&p| p >= n || std::mem::replace(&mut seen[p], true))
        {
            return Err(IoError::Invalid(format!(
                "{perm:?} is not a permutation of {n} axes"
            )));
        }
        Ok(Transposed { inner, perm })
    }
}

impl Source for Transposed {
    fn shape(&self) -> Vec<usize> {
        let s = self.inner.shape();
        self.perm.iter().map(|&p| s[p]).collect()
    }
    fn dtype(&self) -> DType {
        self.inner.dtype()
    }
    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        check_region(&self.shape(), region)?;
        let mut inner_region = vec![0..0; region.len()];
        for (i, &p) in self.perm.iter().enumerate() {
            inner_region[p] = region[i].clone();
        }
        Ok(self.inner.read(&inner_region)?.permuted(&self.perm))
    }
}

/// A labelled, lazily read array: dims, coordinates, name and attributes over a region
/// of a [`Source`].
#[derive(Debug, Clone)]
pub struct LazyArray {
    source: Arc<dyn Source>,
    region: Vec<Range<usize>>,
    dims: Vec<String>,
    coords: Vec<(String, Coordinate)>,
    name: Option<String>,
    attrs: Option<Attrs>,
    engine: String,
}

impl LazyArray {
    /// Label a whole source. Coordinates must fit the shape (as in
    /// [`DataArray::from_parts`]).
    pub fn new(
        source: Arc<dyn Source>,
        dims: Vec<String>,
        coords: Vec<(String, Coordinate)>,
        name: Option<String>,
        attrs: Option<Attrs>,
        engine: &str,
    ) -> Result<LazyArray> {
        let shape = source.shape();
        if dims.len() != shape.len() {
            return Err(IoError::Invalid(format!(
                "{} dims {dims:?} for a stored array of shape {shape:?}",
                dims.len()
            )));
        }
        // validate the labels against the shape with an empty template
        let template: DataArray<u8> = DataArray::from_parts(
            ArrayD::zeros(vec![0; shape.len()]),
            dims.clone(),
            Vec::new(),
            None,
            None,
        )?;
        drop(template);
        for (cname, c) in &coords {
            if let Some(d) = c.dim() {
                let axis = dims.iter().position(|x| x == d).ok_or_else(|| {
                    IoError::Invalid(format!("coordinate {cname:?} is on unknown dim {d:?}"))
                })?;
                if c.len() != shape[axis] {
                    return Err(IoError::Invalid(format!(
                        "coordinate {cname:?} has {} labels for {} samples along {d:?}",
                        c.len(),
                        shape[axis]
                    )));
                }
            }
        }
        Ok(LazyArray {
            region: shape.iter().map(|&n| 0..n).collect(),
            source,
            dims,
            coords,
            name,
            attrs,
            engine: engine.to_string(),
        })
    }

    /// The engine that opened it (`"netcdf"`, `"febus"`, ...).
    pub fn engine(&self) -> &str {
        &self.engine
    }

    /// Dim names.
    pub fn dims(&self) -> &[String] {
        &self.dims
    }

    /// Shape of the selection.
    pub fn shape(&self) -> Vec<usize> {
        self.region.iter().map(|r| r.len()).collect()
    }

    /// Stored element type.
    pub fn dtype(&self) -> DType {
        self.source.dtype()
    }

    /// The coordinates.
    pub fn coords(&self) -> &[(String, Coordinate)] {
        &self.coords
    }

    /// One coordinate by name.
    pub fn coord(&self, name: &str) -> Option<&Coordinate> {
        self.coords.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The attributes.
    pub fn attrs(&self) -> Option<&Attrs> {
        self.attrs.as_ref()
    }

    /// The underlying source.
    pub fn source(&self) -> &Arc<dyn Source> {
        &self.source
    }

    /// The selected region of the source.
    pub fn region(&self) -> &[Range<usize>] {
        &self.region
    }

    /// Axis of `dim` (also `"first"` / `"last"`).
    pub fn axis(&self, dim: &str) -> Result<usize> {
        let n = self.dims.len();
        match dim {
            "first" if n > 0 => Ok(0),
            "last" if n > 0 => Ok(n - 1),
            _ => self.dims.iter().position(|d| d == dim).ok_or_else(|| {
                IoError::Invalid(format!("no dim {dim:?} (dims are {:?})", self.dims))
            }),
        }
    }

    /// Samples `start..stop` along `dim` (nothing is read).
    pub fn isel(&self, dim: &str, start: usize, stop: usize) -> Result<LazyArray> {
        let axis = self.axis(dim)?;
        let n = self.region[axis].len();
        if start > stop || stop > n {
            return Err(IoError::Invalid(format!(
                "selection {start}..{stop} outside the {n} samples along {:?}",
                self.dims[axis]
            )));
        }
        let name = self.dims[axis].clone();
        let mut out = self.clone();
        let base = self.region[axis].start;
        out.region[axis] = base + start..base + stop;
        for (_, c) in &mut out.coords {
            if c.dim() == Some(name.as_str()) {
                *c = c.slice(start, stop, 1)?;
            }
        }
        Ok(out)
    }

    /// Replace the labels (same dims and shape), e.g. after fixing a vendor's coordinate.
    pub fn with_coords(mut self, coords: Vec<(String, Coordinate)>) -> Result<LazyArray> {
        let shape = self.shape();
        for (cname, c) in &coords {
            if let Some(d) = c.dim() {
                let axis = self.axis(d)?;
                if c.len() != shape[axis] {
                    return Err(IoError::Invalid(format!(
                        "coordinate {cname:?} has {} labels for {} samples",
                        c.len(),
                        shape[axis]
                    )));
                }
            }
        }
        self.coords = coords;
        Ok(self)
    }

    /// Read the selection as stored.
    pub fn load(&self) -> Result<Data> {
        self.source.read(&self.region)
    }

    /// Read the selection as a labelled array of `T` (`f32` or `f64`, converted on the
    /// fly from any stored type).
    pub fn load_as<T: Element + FromData>(&self) -> Result<DataArray<T>> {
        let data = T::from_data(self.load()?);
        self.label(data)
    }

    /// Put this array's labels on `data` (of the selection's shape).
    pub fn label<T: Element>(&self, data: ArrayD<T>) -> Result<DataArray<T>> {
        Ok(DataArray::from_parts(
            data,
            self.dims.clone(),
            self.coords.clone(),
            self.name.clone(),
            self.attrs.clone(),
        )?)
    }
}

/// Element types a stored array converts to when loaded.
pub trait FromData: Sized {
    /// Convert.
    fn from_data(d: Data) -> ArrayD<Self>;
}

impl FromData for f64 {
    fn from_data(d: Data) -> ArrayD<f64> {
        match d {
            Data::F64(a) => a,
            other => other.to_f64(),
        }
    }
}

impl FromData for f32 {
    fn from_data(d: Data) -> ArrayD<f32> {
        match d {
            Data::F32(a) => a,
            other => other.to_f32(),
        }
    }
}
