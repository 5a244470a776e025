//! Writing the native layout (CF-1.13, as xdas 0.2.10 writes it): coordinates as tie-point
//! variables, netCDF-4 dimension scales, and the data variable (in memory, streamed from a
//! lazy array, or an HDF5 virtual dataset over the files a lazy array reads).

use std::ops::Range;
use std::path::{Path, PathBuf};

use hdf5::plist::dataset_create::{AllocTime, AttrCreationOrder, FillTime};
use hdf5::types::{FixedAscii, VarLenArray, VarLenUnicode};
use hdf5::{Dataset, File, Group, H5Type, Location, ObjectReference1};
use ndarray::ArrayD;
use xdas_core::coords::{AxisValue, CoordKind, InterpCoordinate, SampledCoordinate};
use xdas_core::{
    AttrValue, Attrs, Coordinate, DType, DataArray, DataCollection, Datetime, Element, Scalar,
    Values,
};

use super::cf;
use super::read::{ENGINE, PHONY_PREFIX};
use crate::data::Data;
use crate::error::{IoError, Result};
use crate::lazy::{LazyArray, Piece};

/// How the data variable is stored.
///
/// The default is what xdas writes without `encoding`: one contiguous, uncompressed
/// dataset.
///
/// ```
/// use xdas_io::native::WriteOptions;
/// // 50-sample time chunks over every channel, deflate level 4 with byte shuffling
/// let opts = WriteOptions::default().chunks(vec![50, 21]).deflate(4).shuffle(true);
/// assert_eq!(opts.deflate, Some(4));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteOptions {
    /// Chunk shape (one entry per dim, each ≥ 1; clipped to the array). `None`: contiguous,
    /// unless compression asks for chunks (then about 1 MiB chunks along the first dim).
    pub chunks: Option<Vec<usize>>,
    /// Deflate (gzip) level 0–9; `None`: uncompressed.
    pub deflate: Option<u8>,
    /// Byte-shuffle before deflating (better ratios on smooth float data).
    pub shuffle: bool,
    /// Write the samples of a contiguous, uncompressed data variable with `O_DIRECT`,
    /// past the page cache (only [`write()`]; see [`WriteOptions::direct_io`]).
    pub direct_io: bool,
}

impl WriteOptions {
    /// Set the chunk shape.
    pub fn chunks(mut self, chunks: Vec<usize>) -> Self {
        self.chunks = Some(chunks);
        self
    }
    /// Set the deflate level (0–9).
    pub fn deflate(mut self, level: u8) -> Self {
        self.deflate = Some(level);
        self
    }
    /// Enable or disable the shuffle filter.
    pub fn shuffle(mut self, on: bool) -> Self {
        self.shuffle = on;
        self
    }
    /// Write the data samples with `O_DIRECT` (for streams of large outputs).
    ///
    /// The HDF5 library writes the file's layout, with the data variable's storage
    /// allocated, 4 KiB-aligned and left unwritten; the samples are then written at that
    /// offset straight to the disk, without being copied into the page cache. A chunked
    /// run writes as much as it reads, and on this project's VM buffered writes ran at
    /// ~0.5 GB/s of CPU-bound copying and halved the speed of the concurrent reads.
    /// Applies to [`write()`] of a contiguous (unchunked, uncompressed) data variable;
    /// other layouts, and file systems without `O_DIRECT`, are written as usual. The
    /// file is the same byte for byte either way.
    pub fn direct_io(mut self, on: bool) -> Self {
        self.direct_io = on;
        self
    }
}

/// Element types [`write()`] accepts: the numbers HDF5 stores natively.
pub trait NativeElement: Element + H5Type + Copy {}
impl NativeElement for f32 {}
impl NativeElement for f64 {}
impl NativeElement for i8 {}
impl NativeElement for i16 {}
impl NativeElement for i32 {}
impl NativeElement for i64 {}
impl NativeElement for u8 {}
impl NativeElement for u16 {}
impl NativeElement for u32 {}
impl NativeElement for u64 {}

fn werr(path: &Path, message: impl Into<String>) -> IoError {
    IoError::format(path, ENGINE, message)
}

fn h5w(path: &Path, what: &str) -> impl Fn(hdf5::Error) -> IoError {
    let path = path.to_path_buf();
    let what = what.to_string();
    move |e| IoError::hdf5(&path, format!("{what}: {e}"))
}

// ------------------------------------------------------------------ attributes

fn set_str(path: &Path, loc: &Location, name: &str, value: &str) -> Result<()> {
    let v: VarLenUnicode = value
        .parse()
        .map_err(|e| werr(path, format!("attribute {name:?}: {e}")))?;
    let what = format!("attribute {name:?}");
    loc.new_attr::<VarLenUnicode>()
        .create(name)
        .and_then(|a| a.write_scalar(&v))
        .map_err(h5w(path, &what))
}

fn set_strs(path: &Path, loc: &Location, name: &str, values: &[String]) -> Result<()> {
    let v = values
        .iter()
        .map(|s| s.parse::<VarLenUnicode>())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| werr(path, format!("attribute {name:?}: {e}")))?;
    loc.new_attr_builder()
        .with_data(&v)
        .create(name)
        .map(|_| ())
        .map_err(h5w(path, &format!("attribute {name:?}")))
}

fn set_array<T: H5Type + Clone>(
    path: &Path,
    loc: &Location,
    name: &str,
    values: &[T],
) -> Result<()> {
    loc.new_attr_builder()
        .with_data(values)
        .create(name)
        .map(|_| ())
        .map_err(h5w(path, &format!("attribute {name:?}")))
}

fn set_scalar<T: H5Type>(path: &Path, loc: &Location, name: &str, value: &T) -> Result<()> {
    loc.new_attr::<T>()
        .create(name)
        .and_then(|a| a.write_scalar(value))
        .map_err(h5w(path, &format!("attribute {name:?}")))
}

fn set_fixed(path: &Path, loc: &Location, name: &str, value: &str) -> Result<()> {
    let bad = |e: String| werr(path, format!("attribute {name:?}: {e}"));
    if value.len() < 16 {
        let v = FixedAscii::<16>::from_ascii(value.as_bytes()).map_err(|e| bad(e.to_string()))?;
        set_scalar(path, loc, name, &v)
    } else if value.len() < 64 {
        let v = FixedAscii::<64>::from_ascii(value.as_bytes()).map_err(|e| bad(e.to_string()))?;
        set_scalar(path, loc, name, &v)
    } else {
        let v = FixedAscii::<1024>::from_ascii(value.as_bytes()).map_err(|e| bad(e.to_string()))?;
        set_scalar(path, loc, name, &v)
    }
}

/// A user attribute, as h5netcdf writes it: numbers as one-element arrays, strings as
/// variable-length UTF-8 scalars.
fn set_attr(path: &Path, loc: &Location, name: &str, value: &AttrValue) -> Result<()> {
    match value {
        AttrValue::Str(s) => set_str(path, loc, name, s),
        AttrValue::Int(v) => set_array(path, loc, name, &[*v]),
        AttrValue::Float(v) => set_array(path, loc, name, &[*v]),
        AttrValue::IntArray(v) => set_array(path, loc, name, v),
        AttrValue::FloatArray(v) => set_array(path, loc, name, v),
        AttrValue::StrArray(v) => set_strs(path, loc, name, v),
    }
}

/// `key`, `key_dtype`, `key_units` of a timedelta (nanoseconds), or a plain float.
enum Delta {
    Ns(i64),
    F64(f64),
}

fn set_delta(path: &Path, loc: &Location, key: &str, d: &Delta) -> Result<()> {
    match d {
        Delta::F64(v) => set_array(path, loc, key, &[*v]),
        Delta::Ns(n) => {
            set_array(path, loc, key, &[*n])?;
            set_str(path, loc, &format!("{key}_dtype"), "timedelta64[ns]")?;
            set_str(path, loc, &format!("{key}_units"), "nanoseconds")
        }
    }
}

// ------------------------------------------------------------------ dimensions

/// One netCDF dimension: its scale dataset and the variables attached to it.
struct Dim {
    name: String,
    id: i32,
    scale: Dataset,
    /// Whether the scale is a coordinate variable (holds data, `NAME` = its name).
    is_var: bool,
    /// `(variable, axis)` pairs attached to this scale.
    refs: Vec<(String, u32)>,
}

#[derive(H5Type, Clone, Copy)]
#[repr(C)]
struct RefEntry {
    dataset: ObjectReference1,
    dimension: u32,
}

/// The netCDF bookkeeping of one group being written.
struct Layout<'a> {
    path: &'a Path,
    group: &'a Group,
    dims: Vec<Dim>,
    next_id: i32,
}

impl<'a> Layout<'a> {
    fn dim(&self, name: &str) -> Option<&Dim> {
        self.dims.iter().find(|d| d.name == name)
    }

    /// A dimension without a variable: an empty float32 scale dataset.
    fn phony_dim(&mut self, name: &str, size: usize) -> Result<()> {
        if let Some(d) = self.dim(name) {
            if d.scale.shape() != [size] {
                return Err(werr(
                    self.path,
                    format!("dimension {name:?} is used with two sizes"),
                ));
            }
            return Ok(());
        }
        let scale = self
            .group
            .new_dataset::<f32>()
            .shape([size])
            .create(name)
            .map_err(h5w(self.path, &format!("dimension {name:?}")))?;
        self.add_dim(name, scale, false)
    }

    fn add_dim(&mut self, name: &str, scale: Dataset, is_var: bool) -> Result<()> {
        let id = self.next_id;
        self.next_id += 1;
        set_scalar(self.path, &scale, "_Netcdf4Dimid", &id)?;
        set_fixed(self.path, &scale, "CLASS", "DIMENSION_SCALE")?;
        let label = if is_var {
            name.to_string()
        } else {
            format!(
                "{PHONY_PREFIX}{:>10}",
                scale.shape().first().copied().unwrap_or(0)
            )
        };
        set_fixed(self.path, &scale, "NAME", &label)?;
        self.dims.push(Dim {
            name: name.to_string(),
            id,
            scale,
            is_var,
            refs: Vec::new(),
        });
        Ok(())
    }

    /// Attach `ds` (variable `name`) to the scales of `dims`: `DIMENSION_LIST`,
    /// `_Netcdf4Coordinates`, `_Netcdf4Dimid`.
    fn attach(&mut self, name: &str, ds: &Dataset, dims: &[&str]) -> Result<()> {
        if dims.is_empty() {
            return Ok(());
        }
        let mut lists = Vec::with_capacity(dims.len());
        let mut ids = Vec::with_capacity(dims.len());
        for (axis, d) in dims.iter().enumerate() {
            let path = self.path;
            let dim = self
                .dims
                .iter_mut()
                .find(|x| x.name == *d)
                .ok_or_else(|| werr(path, format!("no dimension {d:?} for {name:?}")))?;
            let r: ObjectReference1 = self
                .group
                .reference(d)
                .map_err(h5w(path, &format!("reference to {d:?}")))?;
            lists.push(VarLenArray::from_slice(&[r]));
            ids.push(dim.id);
            dim.refs.push((name.to_string(), axis as u32));
        }
        let is_dim_var = self.dims.iter().any(|d| d.is_var && d.name == name);
        if !is_dim_var {
            set_array(self.path, ds, "DIMENSION_LIST", &lists)?;
        }
        set_array(self.path, ds, "_Netcdf4Coordinates", &ids)?;
        if !is_dim_var {
            set_scalar(self.path, ds, "_Netcdf4Dimid", &ids[0])?;
        }
        Ok(())
    }

    /// Write every scale's `REFERENCE_LIST`.
    fn finish(self) -> Result<()> {
        for d in &self.dims {
            if d.refs.is_empty() {
                continue;
            }
            let mut entries = Vec::with_capacity(d.refs.len());
            for (var, axis) in &d.refs {
                let r: ObjectReference1 = self
                    .group
                    .reference(var)
                    .map_err(h5w(self.path, &format!("reference to {var:?}")))?;
                entries.push(RefEntry {
                    dataset: r,
                    dimension: *axis,
                });
            }
            set_array(self.path, &d.scale, "REFERENCE_LIST", &entries)?;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------ variables

fn create_1d<T: H5Type + Copy>(
    path: &Path,
    g: &Group,
    name: &str,
    values: &[T],
    fill: Option<T>,
) -> Result<Dataset> {
    let mut b = g.new_dataset::<T>().shape([values.len()]);
    if let Some(f) = fill {
        b = b.fill_value(f);
    }
    let ds = b
        .create(name)
        .map_err(h5w(path, &format!("variable {name:?}")))?;
    if !values.is_empty() {
        ds.write_raw(values)
            .map_err(h5w(path, &format!("variable {name:?}")))?;
    }
    Ok(ds)
}

/// A 1-D (`scalar` false) or 0-d variable holding `values`, with the attributes xarray
/// adds (`_FillValue` for floats, `units`/`calendar` for datetimes).
fn values_var(
    path: &Path,
    g: &Group,
    name: &str,
    values: &Values,
    scalar: bool,
) -> Result<Dataset> {
    let what = format!("variable {name:?}");
    let shape: Vec<usize> = if scalar { vec![] } else { vec![values.len()] };
    macro_rules! num {
        ($t:ty, $v:expr, $fill:expr) => {{
            let mut b = g.new_dataset::<$t>().shape(shape.clone());
            if let Some(f) = $fill {
                b = b.fill_value(f);
            }
            let ds = b.create(name).map_err(h5w(path, &what))?;
            if !$v.is_empty() {
                ds.write_raw($v).map_err(h5w(path, &what))?;
            }
            ds
        }};
    }
    Ok(match values {
        Values::F64(v) => {
            let ds = num!(f64, v.as_slice(), Some(f64::NAN));
            set_array(path, &ds, "_FillValue", &[f64::NAN])?;
            ds
        }
        Values::I64(v) => num!(i64, v.as_slice(), None::<i64>),
        Values::Datetime(v) => {
            let (counts, units) = cf::encode_times(v);
            let ds = num!(i64, counts.as_slice(), None::<i64>);
            set_str(path, &ds, "units", &units)?;
            set_str(path, &ds, "calendar", "proleptic_gregorian")?;
            ds
        }
        Values::Str(v) => {
            let s = v
                .iter()
                .map(|s| s.parse::<VarLenUnicode>())
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| werr(path, format!("{what}: {e}")))?;
            let ds = g
                .new_dataset::<VarLenUnicode>()
                .shape(shape.clone())
                .create(name)
                .map_err(h5w(path, &what))?;
            if !s.is_empty() {
                ds.write_raw(&s).map_err(h5w(path, &what))?;
            }
            ds
        }
    })
}

/// The scalar NaN container of an interpolation or sampling description.
fn nan_container(path: &Path, g: &Group, name: &str) -> Result<Dataset> {
    let what = format!("variable {name:?}");
    let ds = g
        .new_dataset::<f64>()
        .shape(())
        .fill_value(f64::NAN)
        .create(name)
        .map_err(h5w(path, &what))?;
    ds.write_scalar(&f64::NAN).map_err(h5w(path, &what))?;
    set_array(path, &ds, "_FillValue", &[f64::NAN])?;
    Ok(ds)
}

/// Tie values of a float or datetime axis coordinate.
trait TieValue: AxisValue {
    fn values(v: &[Self]) -> Values;
    fn delta(d: Self::Delta) -> Delta;
    fn floor_div(num: Self::Delta, den: u64) -> Self::Delta;
}

impl TieValue for f64 {
    fn values(v: &[f64]) -> Values {
        Values::F64(v.to_vec())
    }
    fn delta(d: f64) -> Delta {
        Delta::F64(d)
    }
    fn floor_div(num: f64, den: u64) -> f64 {
        num / den as f64
    }
}

impl TieValue for Datetime {
    fn values(v: &[Datetime]) -> Values {
        Values::Datetime(v.to_vec())
    }
    fn delta(d: xdas_core::Timedelta) -> Delta {
        Delta::Ns(d.ns())
    }
    fn floor_div(num: xdas_core::Timedelta, den: u64) -> xdas_core::Timedelta {
        xdas_core::Timedelta::from_ns(num.ns().div_euclid(den.max(1) as i64))
    }
}

fn write_interp<V: TieValue>(
    lay: &mut Layout,
    name: &str,
    dim: &str,
    c: &InterpCoordinate<V>,
) -> Result<()> {
    let (path, g) = (lay.path, lay.group);
    let ivar = nan_container(path, g, &format!("{name}_interpolation"))?;
    set_str(path, &ivar, "interpolation_name", "linear")?;
    set_str(
        path,
        &ivar,
        "tie_point_mapping",
        &format!("{dim}: {name}_indices {name}_points"),
    )?;
    set_str(path, &ivar, "computational_precision", "64")?;
    if let Some(r) = c.ratio() {
        set_delta(
            path,
            &ivar,
            "sampling_interval",
            &V::delta(V::floor_div(r.num, r.den)),
        )?;
        if r.den != 1 {
            set_delta(path, &ivar, "sampling_numerator", &V::delta(r.num))?;
            set_array(path, &ivar, "sampling_denominator", &[r.den as i64])?;
        }
    }
    if let Some(t) = c.tolerance() {
        set_delta(path, &ivar, "tolerance", &V::delta(t))?;
    }
    let points = format!("{name}_points");
    let indices: Vec<i64> = c.tie_indices().iter().map(|&i| i as i64).collect();
    let iname = format!("{name}_indices");
    let ids = create_1d(path, g, &iname, &indices, None)?;
    lay.attach(&iname, &ids, &[&points])?;
    let vname = format!("{name}_values");
    let vds = values_var(path, g, &vname, &V::values(c.tie_values()), false)?;
    lay.attach(&vname, &vds, &[&points])?;
    Ok(())
}

fn write_sampled<V: TieValue>(
    lay: &mut Layout,
    name: &str,
    dim: &str,
    c: &SampledCoordinate<V>,
) -> Result<()> {
    let (path, g) = (lay.path, lay.group);
    let svar = nan_container(path, g, &format!("{name}_sampling"))?;
    set_str(
        path,
        &svar,
        "tie_point_mapping",
        &format!("{dim}: {name}_lengths {name}_points"),
    )?;
    let r = c.ratio().ok_or_else(|| {
        werr(
            path,
            format!("sampled coordinate {name:?} has no rate (empty)"),
        )
    })?;
    set_delta(
        path,
        &svar,
        "sampling_interval",
        &V::delta(V::floor_div(r.num, r.den)),
    )?;
    if r.den != 1 {
        set_delta(path, &svar, "sampling_numerator", &V::delta(r.num))?;
        set_array(path, &svar, "sampling_denominator", &[r.den as i64])?;
    }
    let points = format!("{name}_points");
    let lengths: Vec<i64> = c.tie_lengths().iter().map(|&i| i as i64).collect();
    let lname = format!("{name}_lengths");
    let lds = create_1d(path, g, &lname, &lengths, None)?;
    lay.attach(&lname, &lds, &[&points])?;
    let vname = format!("{name}_values");
    let vds = values_var(path, g, &vname, &V::values(c.tie_values()), false)?;
    lay.attach(&vname, &vds, &[&points])?;
    Ok(())
}

fn scalar_values(s: &Scalar) -> Values {
    match s {
        Scalar::F64(v) => Values::F64(vec![*v]),
        Scalar::I64(v) => Values::I64(vec![*v]),
        Scalar::Datetime(v) => Values::Datetime(vec![*v]),
        // timedeltas are stored as integer nanoseconds (xdas opens the file with
        // `decode_timedelta=False`, so they read back as integers there too)
        Scalar::Timedelta(v) => Values::I64(vec![v.ns()]),
        Scalar::Str(v) => Values::Str(vec![v.clone()]),
    }
}

/// Name of the data variable of an unnamed array (as xarray names it).
const DATA_VAR: &str = "__values__";

/// What the data variable holds.
pub(crate) enum Payload<'a, T> {
    /// An in-memory array.
    Memory(&'a ArrayD<T>),
    /// A lazy array, streamed by blocks.
    Lazy(&'a LazyArray),
    /// A virtual dataset over these mappings.
    Virtual(&'a [Mapping]),
    /// Storage for an in-memory array, allocated (contiguous) but left unwritten: the
    /// caller writes the samples at the offset [`write_group`] returns.
    Reserved(&'a ArrayD<T>),
}

/// One mapping of a virtual dataset.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    file: String,
    dataset: String,
    src_shape: Vec<usize>,
    src_start: Vec<usize>,
    dst_start: Vec<usize>,
    count: Vec<usize>,
}

/// The labels of an array being written.
pub(crate) struct Meta<'a> {
    pub dims: &'a [String],
    pub shape: &'a [usize],
    pub dtype: DType,
    pub coords: &'a [(String, Coordinate)],
    pub name: Option<&'a str>,
    pub attrs: Option<&'a Attrs>,
}

/// Write one array's layout into group `g`. For [`Payload::Reserved`], returns the file
/// offset where the data variable's samples go (`None`: they were written already).
pub(crate) fn write_group<T: NativeElement>(
    path: &Path,
    g: &Group,
    meta: &Meta,
    payload: Payload<T>,
    options: &WriteOptions,
) -> Result<Option<u64>> {
    set_str(path, g, "Conventions", "CF-1.13")?;
    let var_name = meta.name.unwrap_or(DATA_VAR);
    if var_name.is_empty() || var_name.contains('/') || var_name == "." {
        return Err(werr(path, format!("invalid array name {var_name:?}")));
    }
    for (cname, c) in meta.coords {
        if cname.is_empty() || cname.contains('/') {
            return Err(werr(path, format!("invalid coordinate name {cname:?}")));
        }
        if let Some(d) = c.dim()
            && !meta.dims.iter().any(|x| x == d)
        {
            return Err(werr(
                path,
                format!("coordinate {cname:?} is on unknown dim {d:?}"),
            ));
        }
        if c.dim().is_none() && !c.is_scalar() {
            return Err(werr(path, format!("coordinate {cname:?} has no dim")));
        }
        if meta.dims.iter().any(|d| d == cname) && c.dim() != Some(cname.as_str()) {
            return Err(werr(
                path,
                format!("coordinate {cname:?} is named like a dim but does not label it"),
            ));
        }
    }
    let mut lay = Layout {
        path,
        group: g,
        dims: Vec::new(),
        next_id: 0,
    };
    // dimensions of the metadata pass: tie points and dense dimension coordinates
    for (cname, c) in meta.coords {
        match c.kind() {
            CoordKind::InterpF64(x) => {
                lay.phony_dim(&format!("{cname}_points"), x.tie_indices().len())?
            }
            CoordKind::InterpTime(x) => {
                lay.phony_dim(&format!("{cname}_points"), x.tie_indices().len())?
            }
            CoordKind::SampledF64(x) => {
                lay.phony_dim(&format!("{cname}_points"), x.tie_lengths().len())?
            }
            CoordKind::SampledTime(x) => {
                lay.phony_dim(&format!("{cname}_points"), x.tie_lengths().len())?
            }
            CoordKind::Dense(v) if c.dim() == Some(cname.as_str()) => {
                let ds = values_var(path, g, cname, v, false)?;
                lay.add_dim(cname, ds, true)?;
            }
            _ => {}
        }
    }
    // the coordinate variables
    let mut non_dim = Vec::new();
    for (cname, c) in meta.coords {
        let dim = c.dim().unwrap_or_default();
        match c.kind() {
            CoordKind::InterpF64(x) => write_interp(&mut lay, cname, dim, x)?,
            CoordKind::InterpTime(x) => write_interp(&mut lay, cname, dim, x)?,
            CoordKind::SampledF64(x) => write_sampled(&mut lay, cname, dim, x)?,
            CoordKind::SampledTime(x) => write_sampled(&mut lay, cname, dim, x)?,
            CoordKind::Dense(v) => {
                if dim == cname {
                    // the dimension scale itself; attached below with the data dims
                    continue;
                }
                if lay.dim(dim).is_none() {
                    let axis = meta.dims.iter().position(|d| d == dim).unwrap_or(0);
                    lay.phony_dim(dim, meta.shape[axis])?;
                }
                let ds = values_var(path, g, cname, v, false)?;
                lay.attach(cname, &ds, &[dim])?;
                non_dim.push(cname.clone());
            }
            CoordKind::Scalar(s) => {
                values_var(path, g, cname, &scalar_values(s), true)?;
                non_dim.push(cname.clone());
            }
        }
    }
    for (cname, _) in meta.coords {
        if let Some(d) = lay.dims.iter().find(|d| d.is_var && d.name == *cname) {
            let ds = d.scale.clone();
            lay.attach(cname, &ds, &[cname])?;
        }
    }
    if !non_dim.is_empty() {
        set_str(path, g, "coordinates", &non_dim.join(" "))?;
    }
    // the data dims that carry no coordinate variable
    for (d, &n) in meta.dims.iter().zip(meta.shape) {
        lay.phony_dim(d, n)?;
    }
    // the data variable
    let (ds, reserved) = data_var(path, g, var_name, meta, payload, options)?;
    let dims: Vec<&str> = meta.dims.iter().map(String::as_str).collect();
    lay.attach(var_name, &ds, &dims)?;
    if let Some(attrs) = meta.attrs {
        for (k, v) in attrs.iter() {
            if matches!(k, "coordinate_interpolation" | "coordinate_sampling")
                || k.starts_with("__") && k.ends_with("__") && k.len() >= 4
            {
                continue; // reserved: the file's own encoding
            }
            set_attr(path, &ds, k, v)?;
        }
    }
    let interp: Vec<String> = meta
        .coords
        .iter()
        .filter(|(_, c)| matches!(c.kind(), CoordKind::InterpF64(_) | CoordKind::InterpTime(_)))
        .map(|(n, _)| format!("{n}_values: {n}_interpolation"))
        .collect();
    if !interp.is_empty() {
        set_str(path, &ds, "coordinate_interpolation", &interp.join(" "))?;
    }
    let sampled: Vec<String> = meta
        .coords
        .iter()
        .filter(|(_, c)| {
            matches!(
                c.kind(),
                CoordKind::SampledF64(_) | CoordKind::SampledTime(_)
            )
        })
        .map(|(n, _)| format!("{n}_values: {n}_sampling"))
        .collect();
    if !sampled.is_empty() {
        set_str(path, &ds, "coordinate_sampling", &sampled.join(" "))?;
    }
    lay.finish()?;
    Ok(reserved)
}

/// Chunk shape for the options (clipped to the array; `None`: contiguous).
fn chunk_shape(
    path: &Path,
    meta: &Meta,
    options: &WriteOptions,
    elem: usize,
) -> Result<Option<Vec<usize>>> {
    let shape = meta.shape;
    if shape.is_empty() {
        return Ok(None);
    }
    if let Some(c) = &options.chunks {
        if c.len() != shape.len() || c.contains(&0) {
            return Err(IoError::Invalid(format!(
                "{}: chunks {c:?} do not fit an array of shape {shape:?}",
                path.display()
            )));
        }
        return Ok(Some(
            c.iter()
                .zip(shape)
                .map(|(&c, &n)| c.min(n.max(1)))
                .collect(),
        ));
    }
    if options.deflate.is_some() || options.shuffle {
        // about 1 MiB per chunk, whole along every dim but the first
        let row: usize = shape[1..].iter().product::<usize>().max(1) * elem;
        let rows = ((1 << 20) / row).clamp(1, shape[0].max(1));
        let mut c = shape.iter().map(|&n| n.max(1)).collect::<Vec<_>>();
        c[0] = rows;
        return Ok(Some(c));
    }
    Ok(None)
}

fn hyperslab(region: &[Range<usize>]) -> hdf5::Selection {
    let slab: Vec<hdf5::SliceOrIndex> = region.iter().map(|r| r.clone().into()).collect();
    hdf5::Selection::from(hdf5::Hyperslab::from(slab))
}

/// Size of the blocks a lazy array is streamed in.
const BLOCK_BYTES: usize = 32 << 20;

fn data_var<T: NativeElement>(
    path: &Path,
    g: &Group,
    name: &str,
    meta: &Meta,
    payload: Payload<T>,
    options: &WriteOptions,
) -> Result<(Dataset, Option<u64>)> {
    let what = format!("data variable {name:?}");
    let shape = meta.shape.to_vec();
    macro_rules! build {
        ($t:ty) => {{
            let mut b = g.new_dataset::<$t>().shape(shape.clone());
            b = b.with_dcpl(|p| p.attr_creation_order(AttrCreationOrder::Indexed));
            match &payload {
                Payload::Virtual(maps) => {
                    b = b.fill_value(fill_of::<$t>());
                    for m in maps.iter() {
                        let src_sel: Vec<Range<usize>> = m
                            .src_start
                            .iter()
                            .zip(&m.count)
                            .map(|(&s, &c)| s..s + c)
                            .collect();
                        let dst_sel: Vec<Range<usize>> = m
                            .dst_start
                            .iter()
                            .zip(&m.count)
                            .map(|(&s, &c)| s..s + c)
                            .collect();
                        b = b.virtual_map(
                            &m.file,
                            &m.dataset,
                            m.src_shape.clone(),
                            hyperslab(&src_sel),
                            shape.clone(),
                            hyperslab(&dst_sel),
                        );
                    }
                }
                Payload::Reserved(_) => {
                    // contiguous, allocated now (so that it has an offset), never filled
                    b = b.with_dcpl(|p| {
                        p.alloc_time(Some(AllocTime::Early))
                            .fill_time(FillTime::Never)
                    });
                }
                _ => {
                    if let Some(c) = chunk_shape(path, meta, options, std::mem::size_of::<$t>())? {
                        b = b.chunk(c);
                        if options.shuffle {
                            b = b.shuffle();
                        }
                        if let Some(level) = options.deflate {
                            if level > 9 {
                                return Err(IoError::Invalid(format!(
                                    "deflate level {level} is not in 0..=9"
                                )));
                            }
                            b = b.deflate(level);
                        }
                    }
                }
            }
            b.create(name).map_err(h5w(path, &what))?
        }};
    }
    let ds = match meta.dtype {
        DType::F32 => build!(f32),
        DType::F64 => build!(f64),
        DType::I8 => build!(i8),
        DType::I16 => build!(i16),
        DType::I32 => build!(i32),
        DType::I64 => build!(i64),
        DType::U8 => build!(u8),
        DType::U16 => build!(u16),
        DType::U32 => build!(u32),
        DType::U64 => build!(u64),
        other => {
            return Err(IoError::Invalid(format!(
                "{}: cannot store {other} data",
                path.display()
            )));
        }
    };
    let mut reserved = None;
    match payload {
        Payload::Memory(a) => {
            if !a.is_empty() {
                let a = a.as_standard_layout();
                ds.write(&a.view()).map_err(h5w(path, &what))?;
            }
        }
        Payload::Reserved(a) => match ds.offset() {
            Some(offset) => reserved = Some(offset),
            None => {
                let a = a.as_standard_layout();
                ds.write(&a.view()).map_err(h5w(path, &what))?;
            }
        },
        Payload::Lazy(lazy) => stream(path, &ds, lazy, &what)?,
        Payload::Virtual(_) => {}
    }
    Ok((ds, reserved))
}

/// The fill value xdas gives virtual datasets: NaN for floats, the minimum for ints.
trait Fill {
    fn fill() -> Self;
}
macro_rules! fill_int {
    ($($t:ty),*) => {$(impl Fill for $t { fn fill() -> Self { <$t>::MIN } })*};
}
fill_int!(i8, i16, i32, i64, u8, u16, u32, u64);
impl Fill for f32 {
    fn fill() -> Self {
        f32::NAN
    }
}
impl Fill for f64 {
    fn fill() -> Self {
        f64::NAN
    }
}
fn fill_of<T: Fill>() -> T {
    T::fill()
}

/// Copy a lazy array into `ds` by blocks along the first dim (one read and one
/// hyperslab write per block, about [`BLOCK_BYTES`] each).
fn stream(path: &Path, ds: &Dataset, lazy: &LazyArray, what: &str) -> Result<()> {
    let shape = lazy.shape();
    let region = lazy.region().to_vec();
    if shape.contains(&0) {
        return Ok(());
    }
    let write = |data: Data, out: &[Range<usize>]| -> Result<()> {
        let sel = hyperslab(out);
        crate::each_data!(&data, a => {
            let a = a.as_standard_layout();
            ds.write_slice(&a.view(), sel).map_err(h5w(path, what))
        })
    };
    if shape.is_empty() {
        return write(lazy.load()?, &[]);
    }
    let elem = data_size(lazy.dtype());
    let row: usize = shape[1..].iter().product::<usize>().max(1) * elem;
    let mut rows = (BLOCK_BYTES / row).max(1);
    if let Some(c) = ds.chunk() {
        rows = (rows / c[0]).max(1) * c[0];
    }
    let mut start = 0;
    while start < shape[0] {
        let stop = (start + rows).min(shape[0]);
        let mut src = region.clone();
        src[0] = region[0].start + start..region[0].start + stop;
        let mut out: Vec<Range<usize>> = shape.iter().map(|&n| 0..n).collect();
        out[0] = start..stop;
        write(lazy.source().read(&src)?, &out)?;
        start = stop;
    }
    Ok(())
}

fn data_size(d: DType) -> usize {
    match d {
        DType::I8 | DType::U8 | DType::Bool => 1,
        DType::I16 | DType::U16 => 2,
        DType::I32 | DType::U32 | DType::F32 => 4,
        _ => 8,
    }
}

// ------------------------------------------------------------------ files

fn create_file(path: &Path) -> Result<File> {
    create_file_aligned(path, false)
}

/// Create (replace) `path`; with `aligned`, objects of 64 KiB and more start on a
/// boundary that `O_DIRECT` writes can use.
fn create_file_aligned(path: &Path, aligned: bool) -> Result<File> {
    crate::h5::forget(path);
    hdf5::silence_errors(true);
    let mut builder = File::with_options();
    if aligned {
        builder.with_fapl(|p| p.alignment(64 << 10, crate::direct::ALIGN as u64));
    }
    let file = builder
        .create(path)
        .map_err(|e| IoError::hdf5(path, format!("cannot create: {e}")))?;
    crate::h5::close_on_exec(&file);
    Ok(file)
}

fn finish_file(path: &Path, file: &File) -> Result<()> {
    let props = format!("version=2,xdas-rs={},hdf5={}", env!("CARGO_PKG_VERSION"), {
        let (a, b, c) = hdf5::library_version();
        format!("{a}.{b}.{c}")
    });
    set_fixed(path, file, "_NCProperties", &props)?;
    file.flush().map_err(h5w(path, "flush"))
}

/// Write a [`DataArray`] to `path` in the native layout (CF-1.13), as
/// `DataArray.to_netcdf` of xdas 0.2.10 does. The file is replaced if it exists.
///
/// ```
/// use ndarray::ArrayD;
/// use xdas_core::{Coordinate, DataArray, Datetime, Timedelta};
/// use xdas_io::native::{WriteOptions, open_collection, write};
///
/// let t0: Datetime = "2023-01-01T00:00:00".parse().unwrap();
/// let da = DataArray::new(
///     ArrayD::<f32>::zeros(vec![100, 8]),
///     &["time", "distance"],
///     vec![
///         ("time", Coordinate::from_block_time(t0, 100, Timedelta::from_ns(4_000_000), "time")),
///         ("distance", Coordinate::from_block(0.0, 8, 10.0, "distance")),
///     ],
/// )
/// .unwrap();
/// let path = std::env::temp_dir().join(format!("xdas-doc-write-{}.nc", std::process::id()));
/// write(&da, &path, &WriteOptions::default()).unwrap();
/// let back = xdas_io::open(&path).unwrap().load_as::<f32>().unwrap();
/// assert!(back.equals(&da));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn write<T: NativeElement>(
    da: &DataArray<T>,
    path: impl AsRef<Path>,
    options: &WriteOptions,
) -> Result<()> {
    let path = path.as_ref();
    let direct = options.direct_io
        && options.chunks.is_none()
        && options.deflate.is_none()
        && !options.shuffle
        && !da.data().is_empty();
    let samples = if direct { da.data().as_slice() } else { None };
    let Some(samples) = samples else {
        let file = create_file(path)?;
        write_array_group(path, &file, da, options)?;
        return finish_file(path, &file);
    };
    // the layout through HDF5, the samples' storage aligned and left unwritten ...
    let file = create_file_aligned(path, true)?;
    let offset = array_group(path, &file, da, Payload::Reserved(da.data()), options)?;
    finish_file(path, &file)?;
    drop(file);
    // ... then the samples, once HDF5 has closed the file
    if let Some(offset) = offset {
        // SAFETY: the elements are plain numbers (no padding); the slice covers exactly
        // their bytes, in memory order, which is HDF5's native layout of the dataset.
        let bytes = unsafe {
            std::slice::from_raw_parts(
                samples.as_ptr().cast::<u8>(),
                std::mem::size_of_val(samples),
            )
        };
        crate::direct::write_at(path, offset, bytes)
            .map_err(|e| IoError::hdf5(path, format!("cannot write the samples: {e}")))?;
    }
    Ok(())
}

/// Write a lazy array to `path`, reading it block by block (bounded memory: about
/// 32 MiB of samples at a time), in its stored dtype.
///
/// ```no_run
/// use xdas_io::native::{WriteOptions, write_lazy};
/// let lazy = xdas_io::open("big.h5").unwrap();
/// write_lazy(&lazy, "copy.nc", &WriteOptions::default().deflate(4)).unwrap();
/// ```
pub fn write_lazy(lazy: &LazyArray, path: impl AsRef<Path>, options: &WriteOptions) -> Result<()> {
    let path = path.as_ref();
    let shape = lazy.shape();
    let meta = Meta {
        dims: lazy.dims(),
        shape: &shape,
        dtype: lazy.dtype(),
        coords: lazy.coords(),
        name: lazy.name(),
        attrs: lazy.attrs(),
    };
    let file = create_file(path)?;
    write_group::<f64>(path, &file, &meta, Payload::Lazy(lazy), options)?;
    finish_file(path, &file)
}

/// How a source file is named in a virtual dataset written at `target`: its bare name
/// (or a relative path) when it is in the target's directory (or below it), else its
/// absolute path.
fn source_name(target: &Path, file: &Path) -> Result<String> {
    let abs = |p: &Path| -> Result<PathBuf> {
        std::fs::canonicalize(p).map_err(|source| IoError::Os {
            path: p.to_path_buf(),
            source,
        })
    };
    let src = abs(file)?;
    let tdir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tdir = abs(tdir)?;
    let name = match src.strip_prefix(&tdir) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => src,
    };
    name.to_str().map(str::to_string).ok_or_else(|| {
        werr(
            target,
            format!("source path {} is not UTF-8", name.display()),
        )
    })
}

/// The mappings of a virtual dataset over the file-backed pieces of `lazy`'s selection.
fn mappings(target: &Path, lazy: &LazyArray) -> Result<Vec<Mapping>> {
    let pieces: Vec<Piece> = lazy.source().pieces().ok_or_else(|| {
        IoError::Invalid(format!(
            "{}: the array is not backed by files (in memory, or a layout that needs \
             conversion): write it with `write_lazy` instead",
            target.display()
        ))
    })?;
    let region = lazy.region();
    let mut out = Vec::new();
    for p in pieces {
        let n = region.len();
        if p.src_start.len() != n || p.dst_start.len() != n || p.count.len() != n {
            return Err(IoError::Invalid(format!(
                "piece of {} has the wrong rank for a {n}-d array",
                p.file.display()
            )));
        }
        let mut src_start = Vec::with_capacity(n);
        let mut dst_start = Vec::with_capacity(n);
        let mut count = Vec::with_capacity(n);
        let mut empty = false;
        for (ax, r) in region.iter().enumerate() {
            let lo = r.start.max(p.dst_start[ax]);
            let hi = r.end.min(p.dst_start[ax] + p.count[ax]);
            if lo >= hi {
                empty = true;
                break;
            }
            src_start.push(p.src_start[ax] + (lo - p.dst_start[ax]));
            dst_start.push(lo - r.start);
            count.push(hi - lo);
        }
        if empty {
            continue;
        }
        out.push(Mapping {
            file: source_name(target, &p.file)?,
            dataset: p.dataset.clone(),
            src_shape: p.file_shape.clone(),
            src_start,
            dst_start,
            count,
        });
    }
    Ok(out)
}

/// Write `lazy` as a small file whose data variable is an HDF5 virtual dataset over the
/// files it reads (its source's [`pieces`](crate::Source::pieces)), with the full
/// labels. Sources next to (or below) the new file are named relatively, so the files
/// can be moved together; others by their absolute path. Python xdas opens the result
/// like any native file.
///
/// ```no_run
/// use xdas_io::native::write_virtual;
/// let day = xdas_io::open("day.nc").unwrap(); // e.g. several files stacked
/// write_virtual(&day, "day_vds.nc").unwrap();
/// ```
pub fn write_virtual(lazy: &LazyArray, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let maps = mappings(path, lazy)?;
    let shape = lazy.shape();
    let meta = Meta {
        dims: lazy.dims(),
        shape: &shape,
        dtype: lazy.dtype(),
        coords: lazy.coords(),
        name: lazy.name(),
        attrs: lazy.attrs(),
    };
    let file = create_file(path)?;
    write_group::<f64>(
        path,
        &file,
        &meta,
        Payload::Virtual(&maps),
        &WriteOptions::default(),
    )?;
    finish_file(path, &file)
}

fn create_group(path: &Path, parent: &Group, name: &str) -> Result<Group> {
    use hdf5::plist::group_create::LinkCreationOrder;
    if name.is_empty() || name.contains('/') || name == "." {
        return Err(werr(path, format!("invalid collection key {name:?}")));
    }
    parent
        .create_group_builder()
        .with_gcpl(|p| p.link_creation_order(LinkCreationOrder::Indexed))
        .create(name)
        .map_err(h5w(path, &format!("group {name:?}")))
}

fn array_meta<'a, T: NativeElement>(
    da: &'a DataArray<T>,
    coords: &'a [(String, Coordinate)],
) -> Meta<'a> {
    Meta {
        dims: da.dims(),
        shape: da.shape(),
        dtype: T::DTYPE,
        coords,
        name: da.name(),
        attrs: da.attrs(),
    }
}

fn write_array_group<T: NativeElement>(
    path: &Path,
    g: &Group,
    da: &DataArray<T>,
    options: &WriteOptions,
) -> Result<()> {
    array_group(path, g, da, Payload::Memory(da.data()), options).map(|_| ())
}

/// [`write_group`] for a [`DataArray`]'s labels with `payload` as its samples.
fn array_group<T: NativeElement>(
    path: &Path,
    g: &Group,
    da: &DataArray<T>,
    payload: Payload<T>,
    options: &WriteOptions,
) -> Result<Option<u64>> {
    let coords: Vec<(String, Coordinate)> = da
        .coords()
        .map(|(k, c)| (k.to_string(), c.clone()))
        .collect();
    write_group(path, g, &array_meta(da, &coords), payload, options)
}

/// What [`write()`] puts into `path` for `da`, as a lazy array over the file's data
/// variable, without opening the file: a writer of many files can join the ones it wrote
/// (e.g. into a virtual dataset) without reading them back.
pub fn described<T: NativeElement>(da: &DataArray<T>, path: impl AsRef<Path>) -> Result<LazyArray> {
    let source = crate::h5::H5DatasetRef {
        path: path.as_ref().to_path_buf(),
        name: format!("/{}", da.name().unwrap_or(DATA_VAR)),
        shape: da.shape().to_vec(),
        dtype: da.dtype(),
    };
    LazyArray::new(
        std::sync::Arc::new(source),
        da.dims().to_vec(),
        da.coords()
            .map(|(k, c)| (k.to_string(), c.clone()))
            .collect(),
        da.name().map(str::to_string),
        da.attrs().cloned(),
        ENGINE,
    )
}

/// One level of a collection: group `<name or "collection">` under `parent`, one group
/// per key below it.
fn write_level<T: NativeElement>(
    path: &Path,
    parent: &Group,
    dc: &DataCollection<T>,
    options: &WriteOptions,
    depth: usize,
) -> Result<()> {
    if depth > 64 {
        return Err(werr(path, "collection nested deeper than 64 levels"));
    }
    let (name, items): (&Option<String>, Vec<(String, &DataCollection<T>)>) = match dc {
        DataCollection::Mapping { name, items } => {
            (name, items.iter().map(|(k, c)| (k.clone(), c)).collect())
        }
        DataCollection::Sequence { name, items } => (
            name,
            items
                .iter()
                .enumerate()
                .map(|(k, c)| (k.to_string(), c))
                .collect(),
        ),
        DataCollection::Array(da) => return write_array_group(path, parent, da, options),
    };
    let level = create_group(path, parent, name.as_deref().unwrap_or("collection"))?;
    for (key, child) in items {
        let g = create_group(path, &level, &key)?;
        match child {
            DataCollection::Array(da) => write_array_group(path, &g, da, options)?,
            nested => write_level(path, &g, nested, options, depth + 1)?,
        }
    }
    Ok(())
}

/// Write a [`DataCollection`] as xdas 0.2.10 does: groups
/// `/<level name or "collection">/<key>/…`, each leaf group holding a complete array
/// layout; sequences are keyed `0`, `1`, …. A single array is written as [`write()`] does.
/// Read it back with [`super::open_collection`].
///
/// ```
/// use ndarray::ArrayD;
/// use xdas_core::{Coordinate, DataArray, DataCollection};
/// use xdas_io::native::{WriteOptions, open_collection, write_collection};
///
/// let da = DataArray::new(
///     ArrayD::<f64>::zeros(vec![10, 2]),
///     &["time", "distance"],
///     vec![("time", Coordinate::from_block(0.0, 10, 0.5, "time"))],
/// )
/// .unwrap();
/// let dc = DataCollection::mapping(
///     Some("network".into()),
///     vec![("a".into(), DataCollection::Array(da.clone()))],
/// );
/// let path = std::env::temp_dir().join(format!("xdas-doc-coll-{}.nc", std::process::id()));
/// write_collection(&dc, &path, &WriteOptions::default()).unwrap();
/// let back = open_collection(&path).unwrap().load_as::<f64>().unwrap();
/// assert!(back.equals(&dc));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn write_collection<T: NativeElement>(
    dc: &DataCollection<T>,
    path: impl AsRef<Path>,
    options: &WriteOptions,
) -> Result<()> {
    let path = path.as_ref();
    let file = create_file(path)?;
    write_level(path, &file, dc, options, 0)?;
    finish_file(path, &file)
}
