//! Reading the native layout: one group holding a data variable and its coordinates, or a
//! collection of such groups.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hdf5::types::{
    FixedAscii, FixedUnicode, TypeDescriptor, VarLenArray, VarLenAscii, VarLenUnicode,
};
use hdf5::{Dataset, File, Group, IndexType, IterationOrder, Location, ObjectReference1};
use xdas_core::coords::{InterpCoordinate, SampledCoordinate};
use xdas_core::{AttrValue, Attrs, Coordinate, DataCollection, Datetime, Element, Scalar, Values};

use super::cf;
use crate::error::{IoError, Result};
use crate::h5::H5Dataset;
use crate::lazy::{FromData, LazyArray};

/// The engine name.
pub(crate) const ENGINE: &str = "netcdf";

/// The `NAME` prefix netCDF-4 gives dimension scales that are not variables.
pub(crate) const PHONY_PREFIX: &str = "This is a netCDF dimension but not a netCDF variable.";

/// Attributes that belong to the storage layers (HDF5 dimension scales, netCDF-4,
/// xarray's CF decoding) or to xdas's coordinate encoding, never to the user.
const HIDDEN_ATTRS: &[&str] = &[
    "DIMENSION_LIST",
    "REFERENCE_LIST",
    "CLASS",
    "NAME",
    "_Netcdf4Dimid",
    "_Netcdf4Coordinates",
    "_NCProperties",
    "_FillValue",
    "missing_value",
    "coordinates",
    "coordinate_interpolation",
    "coordinate_sampling",
];

/// A tree of lazily opened arrays: what a file written from a `DataCollection` holds.
///
/// ```no_run
/// use xdas_io::native::open_collection;
/// let tree = open_collection("collection.nc").unwrap();
/// for (group, array) in tree.leaves() {
///     println!("{group}: {:?} {:?}", array.dims(), array.shape());
/// }
/// ```
#[derive(Debug, Clone)]
pub enum LazyCollection {
    /// One array (a leaf, or a file holding a single array).
    Array(LazyArray),
    /// Named children, in the file's creation order.
    Mapping {
        /// The level name (`None` when written without one).
        name: Option<String>,
        /// `(key, child)` pairs.
        items: Vec<(String, LazyCollection)>,
    },
    /// Children keyed `0..n` in the file.
    Sequence {
        /// The level name.
        name: Option<String>,
        /// The children in order.
        items: Vec<LazyCollection>,
    },
}

impl LazyCollection {
    /// Every array with its key path (`"a"`, `"b/0"`, ...; `""` for a single array).
    pub fn leaves(&self) -> Vec<(String, &LazyArray)> {
        let mut out = Vec::new();
        self.collect("", &mut out);
        out
    }

    fn collect<'a>(&'a self, prefix: &str, out: &mut Vec<(String, &'a LazyArray)>) {
        let join = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}/{k}")
            }
        };
        match self {
            LazyCollection::Array(a) => out.push((prefix.to_string(), a)),
            LazyCollection::Mapping { items, .. } => {
                for (k, c) in items {
                    c.collect(&join(k), out);
                }
            }
            LazyCollection::Sequence { items, .. } => {
                for (i, c) in items.iter().enumerate() {
                    c.collect(&join(&i.to_string()), out);
                }
            }
        }
    }

    /// The array, when this is a single array.
    pub fn as_array(&self) -> Option<&LazyArray> {
        match self {
            LazyCollection::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Read every leaf as `T` (`f32`/`f64`), keeping the tree.
    pub fn load_as<T: Element + FromData>(&self) -> Result<DataCollection<T>> {
        Ok(match self {
            LazyCollection::Array(a) => DataCollection::Array(a.load_as::<T>()?),
            LazyCollection::Mapping { name, items } => DataCollection::mapping(
                name.clone(),
                items
                    .iter()
                    .map(|(k, c)| Ok((k.clone(), c.load_as::<T>()?)))
                    .collect::<Result<_>>()?,
            ),
            LazyCollection::Sequence { name, items } => DataCollection::sequence(
                name.clone(),
                items
                    .iter()
                    .map(|c| c.load_as::<T>())
                    .collect::<Result<_>>()?,
            ),
        })
    }
}

fn ferr(path: &Path, message: impl Into<String>) -> IoError {
    IoError::format(path, ENGINE, message)
}

fn h5err(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::hdf5(path, e)
}

/// Member names of a group, in creation order when the file tracks it.
pub(crate) fn members(g: &Group) -> Vec<String> {
    g.member_names_by(IndexType::CreationOrder, IterationOrder::Increasing)
        .or_else(|_| g.member_names_by(IndexType::Name, IterationOrder::Native))
        .unwrap_or_default()
}

/// Attribute names in creation order when tracked, else in storage order.
fn attr_names(loc: &Location) -> Vec<String> {
    loc.attr_names_by(IndexType::CreationOrder, IterationOrder::Increasing)
        .or_else(|_| loc.attr_names_by(IndexType::Name, IterationOrder::Native))
        .or_else(|_| loc.attr_names())
        .unwrap_or_default()
}

fn get_attr(loc: &Location, name: &str) -> Option<AttrValue> {
    let a = loc.attr(name).ok()?;
    crate::h5::attr_value(&a)
}

/// A string attribute; `Err` names the attribute when it is not a string.
fn str_attr(path: &Path, what: &str, loc: &Location, name: &str) -> Result<Option<String>> {
    if !loc
        .attr_names()
        .unwrap_or_default()
        .iter()
        .any(|n| n == name)
    {
        return Ok(None);
    }
    match get_attr(loc, name) {
        Some(AttrValue::Str(s)) => Ok(Some(s)),
        Some(AttrValue::StrArray(v)) if v.len() == 1 => Ok(v.into_iter().next()),
        other => Err(ferr(
            path,
            format!("attribute {name:?} of {what} is not a string ({other:?})"),
        )),
    }
}

/// A numeric attribute (scalar or one-element array) as `i64`.
fn int_attr(path: &Path, what: &str, loc: &Location, name: &str) -> Result<Option<i64>> {
    if !loc
        .attr_names()
        .unwrap_or_default()
        .iter()
        .any(|n| n == name)
    {
        return Ok(None);
    }
    let bad = |v: &dyn std::fmt::Debug| {
        ferr(
            path,
            format!("attribute {name:?} of {what} is not an integer ({v:?})"),
        )
    };
    match get_attr(loc, name) {
        Some(AttrValue::Int(v)) => Ok(Some(v)),
        Some(AttrValue::IntArray(v)) if v.len() == 1 => Ok(Some(v[0])),
        Some(AttrValue::Float(v)) if v.fract() == 0.0 && v.abs() < 9.2e18 => Ok(Some(v as i64)),
        Some(AttrValue::FloatArray(v))
            if v.len() == 1 && v[0].fract() == 0.0 && v[0].abs() < 9.2e18 =>
        {
            Ok(Some(v[0] as i64))
        }
        other => Err(bad(&other)),
    }
}

/// A numeric attribute (scalar or one-element array) as `f64`.
fn float_attr(path: &Path, what: &str, loc: &Location, name: &str) -> Result<Option<f64>> {
    if !loc
        .attr_names()
        .unwrap_or_default()
        .iter()
        .any(|n| n == name)
    {
        return Ok(None);
    }
    match get_attr(loc, name) {
        Some(AttrValue::Float(v)) => Ok(Some(v)),
        Some(AttrValue::Int(v)) => Ok(Some(v as f64)),
        Some(AttrValue::FloatArray(v)) if v.len() == 1 => Ok(Some(v[0])),
        Some(AttrValue::IntArray(v)) if v.len() == 1 => Ok(Some(v[0] as f64)),
        other => Err(ferr(
            path,
            format!("attribute {name:?} of {what} is not a number ({other:?})"),
        )),
    }
}

/// Values of a small variable, as stored.
#[derive(Debug, Clone)]
enum Raw {
    F64(Vec<f64>),
    I64(Vec<i64>),
    Str(Vec<String>),
}

fn read_raw(path: &Path, name: &str, ds: &Dataset) -> Result<Raw> {
    let td = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| h5err(path, format!("type of {name:?}: {e}")))?;
    let rd = |e: hdf5::Error| h5err(path, format!("reading {name:?}: {e}"));
    let trim = |s: &str| s.trim_end_matches('\0').to_string();
    Ok(match td {
        TypeDescriptor::Float(_) => Raw::F64(ds.read_raw::<f64>().map_err(rd)?),
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Boolean => {
            Raw::I64(ds.read_raw::<i64>().map_err(rd)?)
        }
        TypeDescriptor::VarLenUnicode => Raw::Str(
            ds.read_raw::<VarLenUnicode>()
                .map_err(rd)?
                .iter()
                .map(|s| trim(s.as_str()))
                .collect(),
        ),
        TypeDescriptor::VarLenAscii => Raw::Str(
            ds.read_raw::<VarLenAscii>()
                .map_err(rd)?
                .iter()
                .map(|s| trim(s.as_str()))
                .collect(),
        ),
        TypeDescriptor::FixedAscii(_) => Raw::Str(
            ds.read_raw::<FixedAscii<4096>>()
                .map_err(rd)?
                .iter()
                .map(|s| trim(s.as_str()))
                .collect(),
        ),
        TypeDescriptor::FixedUnicode(_) => Raw::Str(
            ds.read_raw::<FixedUnicode<4096>>()
                .map_err(rd)?
                .iter()
                .map(|s| trim(s.as_str()))
                .collect(),
        ),
        other => {
            return Err(ferr(
                path,
                format!("variable {name:?} has an unsupported type {other:?}"),
            ));
        }
    })
}

/// One dataset of a group, as netCDF sees it.
struct Var {
    name: String,
    ds: Dataset,
    /// Dim names (from the dimension scales), `None` when the variable has none.
    dims: Option<Vec<String>>,
}

/// The variables of a group (phony dimension scales excluded).
struct GroupVars {
    vars: Vec<Var>,
    /// Names that xarray treats as coordinates (dimension coordinates, `coordinates`).
    coords: HashSet<String>,
}

impl GroupVars {
    fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|v| v.name == name)
    }
}

fn basename(full: &str) -> String {
    full.rsplit('/').next().unwrap_or(full).to_string()
}

/// Whether a dataset is a dimension scale, and if so whether it is phony (a netCDF
/// dimension without a variable).
fn dim_scale(ds: &Dataset) -> Option<bool> {
    let class = match get_attr(ds, "CLASS")? {
        AttrValue::Str(s) => s,
        _ => return None,
    };
    if class != "DIMENSION_SCALE" {
        return None;
    }
    let phony =
        matches!(get_attr(ds, "NAME"), Some(AttrValue::Str(n)) if n.starts_with(PHONY_PREFIX));
    Some(phony)
}

/// The dim names of a dataset, from its `DIMENSION_LIST` (or its own name for a
/// dimension coordinate).
fn dims_of(path: &Path, g: &Group, name: &str, ds: &Dataset) -> Result<Option<Vec<String>>> {
    let ndim = ds.ndim();
    if ndim == 0 {
        return Ok(Some(Vec::new()));
    }
    if dim_scale(ds) == Some(false) && ndim == 1 {
        return Ok(Some(vec![name.to_string()]));
    }
    let Ok(attr) = ds.attr("DIMENSION_LIST") else {
        return Ok(None);
    };
    let lists = attr
        .read_raw::<VarLenArray<ObjectReference1>>()
        .map_err(|e| {
            ferr(
                path,
                format!("DIMENSION_LIST of {name:?} is unreadable: {e}"),
            )
        })?;
    if lists.len() != ndim {
        return Err(ferr(
            path,
            format!(
                "DIMENSION_LIST of {name:?} has {} entries for {ndim} dimensions",
                lists.len()
            ),
        ));
    }
    let mut dims = Vec::with_capacity(ndim);
    for (axis, list) in lists.iter().enumerate() {
        let r = list.as_slice().first().ok_or_else(|| {
            ferr(
                path,
                format!("no dimension scale on axis {axis} of {name:?}"),
            )
        })?;
        let obj = g.dereference(r).map_err(|e| {
            ferr(
                path,
                format!("dimension scale of axis {axis} of {name:?} cannot be resolved: {e}"),
            )
        })?;
        let scale = match obj {
            hdf5::ReferencedObject::Dataset(d) => d,
            _ => {
                return Err(ferr(
                    path,
                    format!("dimension scale of axis {axis} of {name:?} is not a dataset"),
                ));
            }
        };
        dims.push(basename(&scale.name()));
    }
    Ok(Some(dims))
}

fn group_vars(path: &Path, g: &Group) -> Result<GroupVars> {
    let mut vars = Vec::new();
    let mut coords = HashSet::new();
    for name in members(g) {
        let Ok(ds) = g.dataset(&name) else {
            continue; // a subgroup or a named datatype
        };
        let scale = dim_scale(&ds);
        if scale == Some(true) {
            continue;
        }
        if scale == Some(false) {
            coords.insert(name.clone());
        }
        let dims = dims_of(path, g, &name, &ds)?;
        vars.push(Var { name, ds, dims });
    }
    // xarray's decode_coords: the group's and every variable's `coordinates` attribute
    let mut listed = Vec::new();
    if let Some(AttrValue::Str(s)) = get_attr(g, "coordinates") {
        listed.push(s);
    }
    for v in &vars {
        if let Some(AttrValue::Str(s)) = get_attr(&v.ds, "coordinates") {
            listed.push(s);
        }
    }
    for s in listed {
        for w in s.split_whitespace() {
            if vars.iter().any(|v| v.name == w) {
                coords.insert(w.to_string());
            }
        }
    }
    Ok(GroupVars { vars, coords })
}

/// Whether a group carries a CF `Conventions` attribute.
pub(crate) fn is_cf(loc: &Location) -> bool {
    matches!(get_attr(loc, "Conventions"), Some(AttrValue::Str(s)) if s.contains("CF"))
}

/// Open the array stored in group `g` (at `gpath` in the file).
pub(crate) fn read_array(path: &Path, g: &Group, gpath: &str) -> Result<LazyArray> {
    if !is_cf(g) {
        return Err(ferr(
            path,
            format!("group {gpath:?} has no CF `Conventions` attribute (not the xdas layout)"),
        ));
    }
    let gv = group_vars(path, g)?;
    // the data variable: the only non-coordinate variable, or the one with a
    // `coordinate*` attribute (xdas's rule; `coordinates` itself is xarray's)
    let data_vars: Vec<&Var> = gv
        .vars
        .iter()
        .filter(|v| !gv.coords.contains(&v.name))
        .collect();
    let main = if data_vars.len() == 1 {
        data_vars[0]
    } else {
        let tagged: Vec<&Var> = data_vars
            .iter()
            .copied()
            .filter(|v| {
                attr_names(&v.ds)
                    .iter()
                    .any(|a| a.contains("coordinate") && a != "coordinates")
            })
            .collect();
        match tagged.len() {
            1 => tagged[0],
            0 => {
                return Err(ferr(
                    path,
                    format!("no data variable found in group {gpath:?}"),
                ));
            }
            _ => {
                let names: Vec<&str> = tagged.iter().map(|v| v.name.as_str()).collect();
                return Err(ferr(
                    path,
                    format!("several possible data arrays in group {gpath:?}: {names:?}"),
                ));
            }
        }
    };
    if attr_names(&main.ds).iter().any(|a| a == "__tiling__") {
        return Err(ferr(
            path,
            format!(
                "{:?} is a tile placeholder (xdas vtype=\"tiles\"), which this reader does not \
                 support; write the array with an HDF5 virtual dataset instead",
                main.name
            ),
        ));
    }
    if attr_names(&main.ds).iter().any(|a| a == "__dask_array__") {
        return Err(ferr(
            path,
            format!("{:?} holds a Python dask graph, not data", main.name),
        ));
    }
    let dims = main.dims.clone().ok_or_else(|| {
        ferr(
            path,
            format!(
                "data variable {:?} has no dimension scales (DIMENSION_LIST): its dims are unknown",
                main.name
            ),
        )
    })?;
    let coords = read_coords(path, &gv, main, &dims)?;
    let attrs = read_attrs(&main.ds);
    let full = if gpath == "/" {
        format!("/{}", main.name)
    } else {
        format!("{}/{}", gpath.trim_end_matches('/'), main.name)
    };
    check_virtual_sources(path, &main.ds, &main.name)?;
    // described, not held open: the file closes when this function returns (see
    // `H5DatasetRef`); reads reopen it
    let source = H5Dataset::from_dataset(main.ds.clone(), path, &full)?.describe();
    let name = (main.name != "__values__").then(|| main.name.clone());
    LazyArray::new(Arc::new(source), dims, coords, name, attrs, ENGINE)
        .map_err(|e| ferr(path, e.to_string()))
}

/// The `(file, dataset)` mappings of a virtual dataset (empty for other layouts).
///
/// hdf5-metno's own `virtual_map` cannot decode the hyperslabs h5py writes ("Blocks can
/// not overlap"), so the names are read with the two C calls that need no selection.
pub(crate) fn virtual_sources(ds: &Dataset) -> Vec<(String, String)> {
    use std::os::raw::c_char;
    unsafe extern "C" {
        fn H5Pget_virtual_count(dcpl_id: i64, count: *mut usize) -> i32;
        fn H5Pget_virtual_filename(
            dcpl_id: i64,
            index: usize,
            name: *mut c_char,
            size: usize,
        ) -> isize;
        fn H5Pget_virtual_dsetname(
            dcpl_id: i64,
            index: usize,
            name: *mut c_char,
            size: usize,
        ) -> isize;
    }
    let Ok(dcpl) = ds.dcpl() else {
        return Vec::new();
    };
    if dcpl.layout() != hdf5::dataset::Layout::Virtual {
        return Vec::new();
    }
    let id = dcpl.id();
    let text = |f: unsafe extern "C" fn(i64, usize, *mut c_char, usize) -> isize, i: usize| {
        // SAFETY: `id` is a live property list; the first call asks for the length,
        // the second fills a buffer of that length plus the terminating NUL.
        let n = unsafe { f(id, i, std::ptr::null_mut(), 0) };
        if n < 0 {
            return None;
        }
        let mut buf = vec![0u8; n as usize + 1];
        let m = unsafe { f(id, i, buf.as_mut_ptr().cast(), buf.len()) };
        if m < 0 {
            return None;
        }
        buf.truncate(n as usize);
        Some(String::from_utf8_lossy(&buf).into_owned())
    };
    hdf5::sync::sync(|| {
        let mut count = 0usize;
        // SAFETY: `id` is a live dataset creation property list of a virtual dataset.
        if unsafe { H5Pget_virtual_count(id, &mut count) } < 0 {
            return Vec::new();
        }
        (0..count)
            .filter_map(|i| {
                Some((
                    text(H5Pget_virtual_filename, i)?,
                    text(H5Pget_virtual_dsetname, i)?,
                ))
            })
            .collect()
    })
}

/// For a virtual dataset, every source file must exist (HDF5 would silently fill the
/// missing blocks): relative names are looked up beside the virtual file, then from the
/// working directory, as HDF5 does.
fn check_virtual_sources(path: &Path, ds: &Dataset, name: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    for (file, _) in virtual_sources(ds) {
        if file == "." {
            continue; // the virtual file itself
        }
        let src = PathBuf::from(&file);
        let found = if src.is_absolute() {
            src.exists() || dir.join(src.file_name().unwrap_or_default()).exists()
        } else {
            dir.join(&src).exists() || src.exists()
        };
        if !found {
            return Err(ferr(
                path,
                format!("virtual dataset {name:?} maps a missing source file {file:?}"),
            ));
        }
    }
    Ok(())
}

/// User attributes: everything but the storage bookkeeping, the coordinate encoding and
/// xdas's `__reserved__` names. One-element arrays read as scalars (h5netcdf writes
/// every number as a one-element array).
fn read_attrs(ds: &Dataset) -> Option<Attrs> {
    let mut attrs = Attrs::new();
    for n in attr_names(ds) {
        if HIDDEN_ATTRS.contains(&n.as_str())
            || (n.starts_with("__") && n.ends_with("__") && n.len() >= 4)
        {
            continue;
        }
        let Some(v) = get_attr(ds, &n) else { continue };
        let v = match v {
            AttrValue::IntArray(a) if a.len() == 1 => AttrValue::Int(a[0]),
            AttrValue::FloatArray(a) if a.len() == 1 => AttrValue::Float(a[0]),
            AttrValue::StrArray(a) if a.len() == 1 => {
                AttrValue::Str(a.into_iter().next().unwrap_or_default())
            }
            v => v,
        };
        attrs.insert(&n, v);
    }
    (!attrs.is_empty()).then_some(attrs)
}

/// Datetimes from a variable with CF time units.
fn decode_time_var(path: &Path, v: &Var, raw: Raw, units: &str) -> Result<Vec<Datetime>> {
    match raw {
        Raw::I64(x) => cf::decode_times_i64(&x, units),
        Raw::F64(x) => cf::decode_times_f64(&x, units),
        Raw::Str(_) => Err(format!("string values with time units {units:?}")),
    }
    .map_err(|e| ferr(path, format!("variable {:?}: {e}", v.name)))
}

fn time_units(path: &Path, v: &Var) -> Result<Option<String>> {
    Ok(
        str_attr(path, &format!("variable {:?}", v.name), &v.ds, "units")?
            .filter(|u| cf::is_time_units(u)),
    )
}

/// Values of a dense or scalar coordinate variable.
fn dense_values(path: &Path, v: &Var) -> Result<Values> {
    let raw = read_raw(path, &v.name, &v.ds)?;
    if let Some(units) = time_units(path, v)? {
        return Ok(Values::Datetime(decode_time_var(path, v, raw, &units)?));
    }
    Ok(match raw {
        Raw::F64(x) => Values::F64(x),
        Raw::I64(x) => Values::I64(x),
        Raw::Str(x) => Values::Str(x),
    })
}

/// Tie values: floats or datetimes.
enum Ties {
    F64(Vec<f64>),
    Time(Vec<Datetime>),
}

fn tie_values(path: &Path, gv: &GroupVars, name: &str, role: &str) -> Result<Ties> {
    let v = gv
        .get(name)
        .ok_or_else(|| ferr(path, format!("{role} variable {name:?} is missing")))?;
    if v.ds.ndim() != 1 {
        return Err(ferr(path, format!("{role} variable {name:?} is not 1-D")));
    }
    let raw = read_raw(path, name, &v.ds)?;
    if let Some(units) = time_units(path, v)? {
        return Ok(Ties::Time(decode_time_var(path, v, raw, &units)?));
    }
    match raw {
        Raw::F64(x) => Ok(Ties::F64(x)),
        Raw::I64(x) => Ok(Ties::F64(x.into_iter().map(|i| i as f64).collect())),
        Raw::Str(_) => Err(ferr(
            path,
            format!("{role} variable {name:?} holds strings"),
        )),
    }
}

fn index_values(path: &Path, gv: &GroupVars, name: &str, role: &str) -> Result<Vec<usize>> {
    let v = gv
        .get(name)
        .ok_or_else(|| ferr(path, format!("{role} variable {name:?} is missing")))?;
    if v.ds.ndim() != 1 {
        return Err(ferr(path, format!("{role} variable {name:?} is not 1-D")));
    }
    match read_raw(path, name, &v.ds)? {
        Raw::I64(x) => x
            .into_iter()
            .map(|i| {
                usize::try_from(i)
                    .map_err(|_| ferr(path, format!("{role} variable {name:?} holds {i}")))
            })
            .collect(),
        Raw::F64(x) => x
            .into_iter()
            .map(|f| {
                if f >= 0.0 && f.fract() == 0.0 && f < 9.0e15 {
                    Ok(f as usize)
                } else {
                    Err(ferr(path, format!("{role} variable {name:?} holds {f}")))
                }
            })
            .collect(),
        Raw::Str(_) => Err(ferr(
            path,
            format!("{role} variable {name:?} holds strings"),
        )),
    }
}

/// A rate-like attribute (`key`, `key_units`), as nanoseconds (datetime axes) or a float.
#[derive(Debug, Clone, Copy)]
enum Delta {
    Ns(i64),
    F64(f64),
}

fn delta_attr(path: &Path, what: &str, loc: &Location, key: &str) -> Result<Option<Delta>> {
    let units = str_attr(path, what, loc, &format!("{key}_units"))?;
    if units.is_some() || str_attr(path, what, loc, &format!("{key}_dtype"))?.is_some() {
        let Some(count) = int_attr(path, what, loc, key)? else {
            return Ok(None);
        };
        let ns = cf::delta_ns(count, units.as_deref())
            .map_err(|e| ferr(path, format!("attribute {key:?} of {what}: {e}")))?;
        return Ok(Some(Delta::Ns(ns)));
    }
    Ok(float_attr(path, what, loc, key)?.map(Delta::F64))
}

/// The declared rate of an interpolation or sampling variable:
/// `(numerator, denominator, tolerance)`.
fn rate_attrs(
    path: &Path,
    what: &str,
    loc: &Location,
) -> Result<Option<(Delta, u64, Option<Delta>)>> {
    let tol = delta_attr(path, what, loc, "tolerance")?;
    if let Some(den) = int_attr(path, what, loc, "sampling_denominator")? {
        let den = u64::try_from(den)
            .ok()
            .filter(|&d| d > 0)
            .ok_or_else(|| ferr(path, format!("sampling_denominator of {what} is {den}")))?;
        let num = delta_attr(path, what, loc, "sampling_numerator")?.ok_or_else(|| {
            ferr(
                path,
                format!("{what} has a sampling_denominator but no sampling_numerator"),
            )
        })?;
        return Ok(Some((num, den, tol)));
    }
    Ok(delta_attr(path, what, loc, "sampling_interval")?.map(|num| (num, 1, tol)))
}

fn as_ns(path: &Path, what: &str, d: Delta) -> Result<i64> {
    match d {
        Delta::Ns(n) => Ok(n),
        // a bare number on a datetime axis: xdas takes it as seconds
        Delta::F64(f) if f.is_finite() => Ok((f * 1e9).round_ties_even() as i64),
        Delta::F64(f) => Err(ferr(path, format!("{what}: non-finite interval {f}"))),
    }
}

fn as_f64(d: Delta) -> f64 {
    match d {
        Delta::Ns(n) => n as f64,
        Delta::F64(f) => f,
    }
}

/// Split `"a: b c: d"` into groups `(["a"], "b"), (["c"], "d")`.
fn word_groups(mapping: &str) -> Vec<(Vec<String>, String)> {
    let mut groups = Vec::new();
    let mut keys = Vec::new();
    for w in mapping.split_whitespace() {
        if let Some(k) = w.strip_suffix(':') {
            keys.push(k.to_string());
        } else {
            groups.push((std::mem::take(&mut keys), w.to_string()));
        }
    }
    groups
}

/// `"D: A B"` of a `tie_point_mapping`.
fn parse_mapping(path: &Path, what: &str, s: &str) -> Result<(String, String, String)> {
    let bad = || {
        ferr(
            path,
            format!("{what}: cannot parse tie point mapping {s:?} (\"dim: a b\")"),
        )
    };
    let (dim, rest) = s.split_once(':').ok_or_else(bad)?;
    let mut words = rest.split_whitespace();
    let (a, b) = (words.next().ok_or_else(bad)?, words.next().ok_or_else(bad)?);
    let ok = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '_');
    let dim = dim.trim();
    if !ok(dim) || !ok(a) || !ok(b) {
        return Err(bad());
    }
    Ok((dim.to_string(), a.to_string(), b.to_string()))
}

fn interp_coord(
    path: &Path,
    gv: &GroupVars,
    coord: &str,
    dim: &str,
    indices: &str,
    values: &str,
) -> Result<Coordinate> {
    let what = format!("interpolated coordinate {coord:?}");
    let ti = index_values(path, gv, indices, "tie index")?;
    let tv = tie_values(path, gv, values, "tie value")?;
    let rate = match gv.get(&format!("{coord}_interpolation")) {
        Some(v) => rate_attrs(path, &what, &v.ds)?,
        None => None,
    };
    let bad = |e: xdas_core::Error| ferr(path, format!("{what}: {e}"));
    Ok(match tv {
        Ties::F64(tv) => {
            let mut c = InterpCoordinate::new(ti, tv).map_err(bad)?;
            if let Some((num, den, tol)) = rate {
                c = c
                    .with_rate(as_f64(num), den, tol.map(as_f64))
                    .map_err(bad)?;
            }
            Coordinate::new(c, dim)
        }
        Ties::Time(tv) => {
            let mut c = InterpCoordinate::new(ti, tv).map_err(bad)?;
            if let Some((num, den, tol)) = rate {
                let num = cf::td(as_ns(path, &what, num)?);
                let tol = tol.map(|t| as_ns(path, &what, t)).transpose()?.map(cf::td);
                c = c.with_rate(num, den, tol).map_err(bad)?;
            }
            Coordinate::new(c, dim)
        }
    })
}

fn sampled_coord(
    path: &Path,
    gv: &GroupVars,
    coord: &str,
    dim: &str,
    values: &str,
    lengths: &str,
    rate: (Delta, u64),
) -> Result<Coordinate> {
    let what = format!("sampled coordinate {coord:?}");
    let tl = index_values(path, gv, lengths, "tie length")?;
    let tv = tie_values(path, gv, values, "tie value")?;
    let bad = |e: xdas_core::Error| ferr(path, format!("{what}: {e}"));
    let (num, den) = rate;
    Ok(match tv {
        Ties::F64(tv) => Coordinate::new(
            SampledCoordinate::new(tv, tl, as_f64(num), den).map_err(bad)?,
            dim,
        ),
        Ties::Time(tv) => {
            let num = cf::td(as_ns(path, &what, num)?);
            Coordinate::new(SampledCoordinate::new(tv, tl, num, den).map_err(bad)?, dim)
        }
    })
}

fn read_coords(
    path: &Path,
    gv: &GroupVars,
    main: &Var,
    dims: &[String],
) -> Result<Vec<(String, Coordinate)>> {
    let mut coords: Vec<(String, Coordinate)> = Vec::new();
    let push = |coords: &mut Vec<(String, Coordinate)>,
                name: String,
                c: Coordinate|
     -> Result<()> {
        if let Some(d) = c.dim()
            && !dims.iter().any(|x| x == d)
        {
            return Err(ferr(
                path,
                format!(
                    "coordinate {name:?} is on dim {d:?}, which the data does not have ({dims:?})"
                ),
            ));
        }
        if coords.iter().any(|(n, _)| *n == name) {
            return Err(ferr(path, format!("coordinate {name:?} is defined twice")));
        }
        coords.push((name, c));
        Ok(())
    };
    // dense and scalar coordinates: xarray coordinates whose dims the data has
    for v in &gv.vars {
        if !gv.coords.contains(&v.name) || v.name == main.name {
            continue;
        }
        let Some(vd) = &v.dims else { continue };
        if !vd.iter().all(|d| dims.contains(d)) || vd.len() > 1 {
            continue;
        }
        let values = dense_values(path, v)?;
        let c = if vd.is_empty() {
            if values.len() != 1 {
                return Err(ferr(
                    path,
                    format!("scalar coordinate {:?} is empty", v.name),
                ));
            }
            Coordinate::scalar(match values.get(0) {
                Scalar::Str(s) => Scalar::Str(s),
                other => other,
            })
        } else {
            Coordinate::dense(values, &vd[0])
        };
        push(&mut coords, v.name.clone(), c)?;
    }
    // interpolated coordinates
    if let Some(mapping) = str_attr(
        path,
        &format!("variable {:?}", main.name),
        &main.ds,
        "coordinate_interpolation",
    )? {
        let groups = word_groups(&mapping);
        let cf13 = !groups.is_empty()
            && groups.iter().all(|(keys, w)| {
                keys.len() == 1
                    && gv.get(w).is_some_and(|v| {
                        attr_names(&v.ds).iter().any(|a| a == "interpolation_name")
                    })
            });
        if cf13 {
            for (keys, interpolation) in &groups {
                let name = interpolation
                    .strip_suffix("_interpolation")
                    .unwrap_or(interpolation)
                    .to_string();
                let ivar = gv.get(interpolation).ok_or_else(|| {
                    ferr(
                        path,
                        format!("interpolation variable {interpolation:?} is missing"),
                    )
                })?;
                let what = format!("interpolation variable {interpolation:?}");
                let tpm = str_attr(path, &what, &ivar.ds, "tie_point_mapping")?
                    .ok_or_else(|| ferr(path, format!("{what} has no tie_point_mapping")))?;
                let (dim, indices, _points) = parse_mapping(path, &what, &tpm)?;
                let c = interp_coord(path, gv, &name, &dim, &indices, &keys[0])?;
                push(&mut coords, name, c)?;
            }
        } else {
            // the 0.2.7 spelling: "dim: indices values" groups, coordinate named as its dim
            let words: Vec<&str> = mapping.split_whitespace().collect();
            if words.is_empty() || words.len() % 3 != 0 {
                return Err(ferr(
                    path,
                    format!("cannot parse coordinate_interpolation {mapping:?}"),
                ));
            }
            for w in words.chunks(3) {
                let dim = w[0].strip_suffix(':').ok_or_else(|| {
                    ferr(
                        path,
                        format!("cannot parse coordinate_interpolation {mapping:?}"),
                    )
                })?;
                let c = interp_coord(path, gv, dim, dim, w[1], w[2])?;
                push(&mut coords, dim.to_string(), c)?;
            }
        }
    }
    // sampled coordinates
    if let Some(mapping) = str_attr(
        path,
        &format!("variable {:?}", main.name),
        &main.ds,
        "coordinate_sampling",
    )? {
        let groups = word_groups(&mapping);
        if groups.is_empty() || groups.iter().any(|(k, _)| k.len() != 1) {
            return Err(ferr(
                path,
                format!("cannot parse coordinate_sampling {mapping:?}"),
            ));
        }
        for (keys, sampling) in &groups {
            let first = &keys[0];
            let svar = gv
                .get(sampling)
                .ok_or_else(|| ferr(path, format!("sampling variable {sampling:?} is missing")))?;
            let what = format!("sampling variable {sampling:?}");
            let tpm = str_attr(path, &what, &svar.ds, "tie_point_mapping")?
                .ok_or_else(|| ferr(path, format!("{what} has no tie_point_mapping")))?;
            let (dim, second, third) = parse_mapping(path, &what, &tpm)?;
            if let Some((num, den, _)) = rate_attrs(path, &what, &svar.ds)? {
                let name = sampling
                    .strip_suffix("_sampling")
                    .unwrap_or(sampling)
                    .to_string();
                let c = sampled_coord(path, gv, &name, &dim, first, &second, (num, den))?;
                push(&mut coords, name, c)?;
            } else {
                // 0.2.7: the interval is the sampling variable's value (units/dtype attrs)
                let raw = read_raw(path, sampling, &svar.ds)?;
                let units = str_attr(path, &what, &svar.ds, "units")?;
                let num = match (raw, units) {
                    (Raw::I64(v), Some(u)) if v.len() == 1 => Delta::Ns(
                        cf::delta_ns(v[0], Some(&u))
                            .map_err(|e| ferr(path, format!("{what}: {e}")))?,
                    ),
                    (Raw::I64(v), None) if v.len() == 1 => Delta::F64(v[0] as f64),
                    (Raw::F64(v), _) if v.len() == 1 => Delta::F64(v[0]),
                    _ => {
                        return Err(ferr(path, format!("{what} holds no sampling interval")));
                    }
                };
                let c = sampled_coord(path, gv, first, &dim, &second, &third, (num, 1))?;
                push(&mut coords, first.clone(), c)?;
            }
        }
    }
    Ok(coords)
}

/// Whether a group holds variables (an array) rather than only subgroups.
fn has_datasets(g: &Group) -> bool {
    g.datasets().map(|d| !d.is_empty()).unwrap_or(false)
}

fn child_groups(g: &Group) -> Vec<(String, Group)> {
    members(g)
        .into_iter()
        .filter_map(|n| g.group(&n).ok().map(|c| (n, c)))
        .collect()
}

/// A level of a collection: group `level` (named after the collection) whose children
/// are keys.
fn read_level(path: &Path, level: &Group, lpath: &str, depth: usize) -> Result<LazyCollection> {
    if depth > 64 {
        return Err(ferr(path, "collection nested deeper than 64 levels"));
    }
    let lname = basename(&level.name());
    let name = (lname != "collection").then_some(lname);
    let mut items = Vec::new();
    for (key, child) in child_groups(level) {
        let cpath = format!("{}/{key}", lpath.trim_end_matches('/'));
        let node = if has_datasets(&child) {
            LazyCollection::Array(read_array(path, &child, &cpath)?)
        } else {
            let sub = child_groups(&child);
            let (sname, sg) = sub
                .into_iter()
                .next()
                .ok_or_else(|| ferr(path, format!("collection group {cpath:?} is empty")))?;
            read_level(path, &sg, &format!("{cpath}/{sname}"), depth + 1)?
        };
        items.push((key, node));
    }
    let positional = items
        .iter()
        .enumerate()
        .all(|(i, (k, _))| *k == i.to_string());
    // (an empty level is a sequence, as in xdas)
    Ok(if positional {
        LazyCollection::Sequence {
            name,
            items: items.into_iter().map(|(_, c)| c).collect(),
        }
    } else {
        LazyCollection::Mapping { name, items }
    })
}

/// Open a native file as a tree: a single array, or a collection.
pub(crate) fn read_file(path: &Path) -> Result<LazyCollection> {
    let file: File = crate::h5::open(path).map_err(|e| match e {
        IoError::Hdf5 { message, .. } => ferr(path, format!("cannot open as HDF5: {message}")),
        other => other,
    })?;
    let root: &Group = &file;
    if has_datasets(root) {
        return Ok(LazyCollection::Array(read_array(path, root, "/")?));
    }
    let levels = child_groups(root);
    let (lname, level) = levels
        .into_iter()
        .next()
        .ok_or_else(|| ferr(path, "the file holds neither variables nor groups"))?;
    if has_datasets(&level) {
        // an array written into a group (`to_netcdf(group=...)`)
        return Ok(LazyCollection::Array(read_array(
            path,
            &level,
            &format!("/{lname}"),
        )?));
    }
    read_level(path, &level, &format!("/{lname}"), 0)
}

/// Why a file is not in the native layout (`Ok` when it is).
pub(crate) fn detect(file: &File) -> std::result::Result<(), String> {
    if is_cf(file) {
        return Ok(());
    }
    // a collection: root → level → key → ... → a CF group
    let mut g: Group = (**file).clone();
    for _ in 0..16 {
        if has_datasets(&g) {
            break;
        }
        let Some((_, next)) = child_groups(&g).into_iter().next() else {
            break;
        };
        if is_cf(&next) {
            return Ok(());
        }
        g = next;
    }
    Err(
        "HDF5 file without a CF `Conventions` attribute (neither at the root nor in a \
         collection group): not the xdas netCDF layout"
            .into(),
    )
}
