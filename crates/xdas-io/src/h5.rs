//! HDF5 plumbing shared by the native format and the vendor engines: opening files with
//! clear errors, a lazily read dataset ([`H5Dataset`]), and typed attribute readers that
//! accept every string and number layout vendors use.
//!
//! The `hdf5` crate serialises every library call behind one global lock; callers that
//! want read-ahead run the reads on one I/O thread and do the conversion elsewhere
//! (the pipelined executor does). Large blocks of rows of a contiguous dataset skip the
//! library: their bytes are read straight from the file, with `O_DIRECT` when they are
//! not in the page cache (see [`H5Dataset`]).

use std::ops::Range;
use std::path::{Path, PathBuf};

use hdf5::datatype::ByteOrder;
use hdf5::types::{
    FixedAscii, FixedUnicode, FloatSize, IntSize, TypeDescriptor, VarLenAscii, VarLenUnicode,
};
use hdf5::{Attribute, Dataset, File, Location};
use ndarray::{ArrayD, IxDyn};
use xdas_core::{AttrValue, DType};

use crate::data::Data;
use crate::error::{IoError, Result};
use crate::lazy::{Piece, Source};

/// The HDF5 signature, at offset 0, 512, 1024, ... of a file.
const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// Whether the file starts with the HDF5 signature (also behind a user block).
pub fn is_hdf5(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut offset = 0u64;
    let mut buf = [0u8; 8];
    while offset + 8 <= len {
        if f.seek(SeekFrom::Start(offset)).is_err() || f.read_exact(&mut buf).is_err() {
            return false;
        }
        if &buf == SIGNATURE {
            return true;
        }
        offset = if offset == 0 { 512 } else { offset * 2 };
    }
    false
}

/// Open an HDF5 file read-only, with a readable error for missing, non-HDF5 and
/// truncated files.
pub fn open(path: &Path) -> Result<File> {
    if let Err(source) = std::fs::metadata(path) {
        return Err(IoError::Os {
            path: path.to_path_buf(),
            source,
        });
    }
    if !is_hdf5(path) {
        return Err(IoError::Invalid(format!(
            "{}: not an HDF5 file (no HDF5 signature)",
            path.display()
        )));
    }
    hdf5::silence_errors(true);
    let file = File::open(path).map_err(|e| IoError::hdf5(path, e))?;
    close_on_exec(&file);
    Ok(file)
}

/// Mark the descriptor of an HDF5 file close-on-exec.
///
/// The HDF5 library opens files without `O_CLOEXEC`: a child process started while a
/// file is open (a script, a viewer) inherits the descriptor and the library's lock on
/// it, and the file cannot be rewritten until that child exits — even after this
/// process has closed it.
pub(crate) fn close_on_exec(file: &File) {
    hdf5::sync::sync(|| {
        let mut handle: *mut std::ffi::c_void = std::ptr::null_mut();
        // SAFETY: a valid file id; with the default (sec2) driver the handle points at
        // the file's `int` descriptor, which stays open while the file is.
        unsafe {
            if hdf5_sys::h5f::H5Fget_vfd_handle(file.id(), hdf5_sys::h5p::H5P_DEFAULT, &mut handle)
                >= 0
                && !handle.is_null()
            {
                let fd = *(handle as *const libc::c_int);
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
    });
}

/// The element type of a dataset, if it is a plain number.
pub fn dtype_of(ds: &Dataset) -> Option<DType> {
    let td = ds.dtype().ok()?.to_descriptor().ok()?;
    number_dtype(&td)
}

fn number_dtype(td: &TypeDescriptor) -> Option<DType> {
    Some(match td {
        TypeDescriptor::Integer(IntSize::U1) => DType::I8,
        TypeDescriptor::Integer(IntSize::U2) => DType::I16,
        TypeDescriptor::Integer(IntSize::U4) => DType::I32,
        TypeDescriptor::Integer(IntSize::U8) => DType::I64,
        TypeDescriptor::Unsigned(IntSize::U1) => DType::U8,
        TypeDescriptor::Unsigned(IntSize::U2) => DType::U16,
        TypeDescriptor::Unsigned(IntSize::U4) => DType::U32,
        TypeDescriptor::Unsigned(IntSize::U8) => DType::U64,
        TypeDescriptor::Float(FloatSize::U4) => DType::F32,
        TypeDescriptor::Float(FloatSize::U8) => DType::F64,
        _ => return None,
    })
}

/// `$read!(type, Data variant)` for a numeric `$dtype`; the arm `$other => $fallback`
/// for the rest.
macro_rules! by_number_type {
    ($dtype:expr, $read:ident, $other:pat => $fallback:expr) => {
        match $dtype {
            DType::I8 => $read!(i8, I8),
            DType::I16 => $read!(i16, I16),
            DType::I32 => $read!(i32, I32),
            DType::I64 => $read!(i64, I64),
            DType::U8 => $read!(u8, U8),
            DType::U16 => $read!(u16, U16),
            DType::U32 => $read!(u32, U32),
            DType::U64 => $read!(u64, U64),
            DType::F32 => $read!(f32, F32),
            DType::F64 => $read!(f64, F64),
            $other => $fallback,
        }
    };
}

/// A numeric HDF5 dataset, read block by block (hyperslabs).
#[derive(Debug, Clone)]
pub struct H5Dataset {
    path: PathBuf,
    name: String,
    ds: Dataset,
    shape: Vec<usize>,
    dtype: DType,
}

impl H5Dataset {
    /// The dataset `name` of `file` (opened from `path`); it must hold plain numbers.
    pub fn open(file: &File, path: &Path, name: &str) -> Result<H5Dataset> {
        let ds = file
            .dataset(name)
            .map_err(|e| IoError::hdf5(path, format!("dataset {name:?}: {e}")))?;
        Self::from_dataset(ds, path, name)
    }

    /// Wrap an open dataset.
    pub fn from_dataset(ds: Dataset, path: &Path, name: &str) -> Result<H5Dataset> {
        let dtype = dtype_of(&ds).ok_or_else(|| {
            IoError::Invalid(format!(
                "{}: dataset {name:?} does not hold numbers",
                path.display()
            ))
        })?;
        Ok(H5Dataset {
            path: path.to_path_buf(),
            name: name.to_string(),
            shape: ds.shape(),
            ds,
            dtype,
        })
    }

    /// This dataset described by file, path, shape and dtype, to be reopened on each
    /// read instead of holding the file open (see [`H5DatasetRef`]).
    pub fn describe(&self) -> H5DatasetRef {
        H5DatasetRef {
            path: self.path.clone(),
            name: self.name.clone(),
            shape: self.shape.clone(),
            dtype: self.dtype,
        }
    }

    /// The underlying dataset.
    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }

    /// The file offset of the samples, when they can be read as plain bytes: a
    /// contiguous dataset with its storage allocated, in a file opened read-only (no
    /// unflushed writes of this process) without a user block, stored in the machine's
    /// byte order.
    fn raw_offset(&self) -> Option<u64> {
        let offset = self.ds.offset()?;
        let file = self.ds.file().ok()?;
        if !file.is_read_only() || file.userblock() != 0 {
            return None;
        }
        let dt = self.ds.dtype().ok()?;
        let native = if cfg!(target_endian = "little") {
            ByteOrder::LittleEndian
        } else {
            ByteOrder::BigEndian
        };
        let same_order = dt.size() == 1 || dt.byte_order() == native;
        (same_order && Some(dt.size()) == self.dtype.itemsize()).then_some(offset)
    }

    /// Whole rows (full along every dimension but the first) of a large enough block,
    /// read as bytes from the file without the library: with `O_DIRECT` when cold (the
    /// disk's full speed, no page-cache copy), into a buffer placed so that the file's
    /// alignment matches memory's (no staging copy). `Ok(None)`: not such a read.
    fn read_rows(&self, region: &[Range<usize>]) -> Result<Option<Data>> {
        let whole_rows = region.len() == self.shape.len()
            && !region.is_empty()
            && region[1..]
                .iter()
                .zip(&self.shape[1..])
                .all(|(r, &n)| *r == (0..n));
        let Some(size) = self.dtype.itemsize() else {
            return Ok(None);
        };
        let bytes = region.iter().map(|r| r.len()).product::<usize>() * size;
        if !whole_rows || bytes < crate::direct::MIN_DIRECT_READ {
            return Ok(None);
        }
        let Some(base) = self.raw_offset() else {
            return Ok(None);
        };
        let row = bytes / region[0].len();
        let (offset, len) = (base + (region[0].start * row) as u64, bytes);
        let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
        let err = |source| IoError::Os {
            path: self.path.clone(),
            source,
        };
        macro_rules! rd {
            ($t:ty, $v:ident) => {
                Data::$v(read_block::<$t>(&self.path, offset, len, &shape).map_err(err)?)
            };
        }
        Ok(Some(by_number_type!(self.dtype, rd, _ => return Ok(None))))
    }

    /// Read the whole dataset as `f64` (small coordinate arrays).
    pub fn read_all_f64(&self) -> Result<ArrayD<f64>> {
        let region: Vec<Range<usize>> = self.shape.iter().map(|&n| 0..n).collect();
        Ok(self.read(&region)?.to_f64())
    }
}

impl Source for H5Dataset {
    fn shape(&self) -> Vec<usize> {
        self.shape.clone()
    }
    fn dtype(&self) -> DType {
        self.dtype
    }
    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        if region.len() != self.shape.len()
            || region
                .iter()
                .zip(&self.shape)
                .any(|(r, &n)| r.start > r.end || r.end > n)
        {
            return Err(IoError::Invalid(format!(
                "region {region:?} outside dataset {:?} of shape {:?}",
                self.name, self.shape
            )));
        }
        let count: Vec<usize> = region.iter().map(|r| r.len()).collect();
        if self.shape.is_empty() {
            // a scalar dataset: its one value, as a 0-d array
            let err =
                |e: hdf5::Error| IoError::hdf5(&self.path, format!("reading {:?}: {e}", self.name));
            return Ok(match self.dtype {
                DType::F32 => Data::F32(self.ds.read_dyn::<f32>().map_err(err)?),
                DType::I16 => Data::I16(self.ds.read_dyn::<i16>().map_err(err)?),
                DType::I32 => Data::I32(self.ds.read_dyn::<i32>().map_err(err)?),
                DType::I64 => Data::I64(self.ds.read_dyn::<i64>().map_err(err)?),
                _ => Data::F64(self.ds.read_dyn::<f64>().map_err(err)?),
            });
        }
        if count.contains(&0) {
            return Ok(empty(self.dtype, &count));
        }
        if let Some(data) = self.read_rows(region)? {
            return Ok(data);
        }
        let slab: Vec<hdf5::SliceOrIndex> = region.iter().map(|r| r.clone().into()).collect();
        let sel = hdf5::Selection::from(hdf5::Hyperslab::from(slab));
        let err =
            |e: hdf5::Error| IoError::hdf5(&self.path, format!("reading {:?}: {e}", self.name));
        macro_rules! rd {
            ($t:ty, $v:ident) => {
                Data::$v(self.ds.read_slice::<$t, _, IxDyn>(sel).map_err(err)?)
            };
        }
        Ok(by_number_type!(self.dtype, rd, other => {
            return Err(IoError::Invalid(format!("unsupported dtype {other:?}")))
        }))
    }
    fn pieces(&self) -> Option<Vec<Piece>> {
        Some(vec![Piece::whole(&self.path, &self.name, &self.shape)])
    }
}

/// A numeric HDF5 dataset known by file and path, with its shape and dtype, not opened
/// until a block is read: what a writer describes of the files it has just written
/// (joining them into a virtual dataset needs no reopening of each file).
#[derive(Debug, Clone, PartialEq)]
pub struct H5DatasetRef {
    /// The file.
    pub path: PathBuf,
    /// The dataset's path inside the file (e.g. `/__values__`).
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its element type.
    pub dtype: DType,
}

impl Source for H5DatasetRef {
    fn shape(&self) -> Vec<usize> {
        self.shape.clone()
    }
    fn dtype(&self) -> DType {
        self.dtype
    }
    fn read(&self, region: &[Range<usize>]) -> Result<Data> {
        let ds = cached(&self.path, &self.name)?;
        if ds.shape != self.shape || ds.dtype != self.dtype {
            return Err(IoError::Invalid(format!(
                "{}: dataset {:?} is {:?} {:?}, not the {:?} {:?} written there",
                self.path.display(),
                self.name,
                ds.dtype,
                ds.shape,
                self.dtype,
                self.shape
            )));
        }
        ds.read(region)
    }
    fn pieces(&self) -> Option<Vec<Piece>> {
        Some(vec![Piece::whole(&self.path, &self.name, &self.shape)])
    }
}

/// How many datasets [`H5DatasetRef`] keeps open between reads.
const KEEP_OPEN: usize = 16;

/// Which version of a file a cached handle belongs to.
#[derive(PartialEq)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
}

fn stamp(path: &Path) -> Result<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).map_err(|source| IoError::Os {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Stamp {
        dev: m.dev(),
        ino: m.ino(),
        len: m.len(),
        mtime: (m.mtime(), m.mtime_nsec()),
    })
}

/// Datasets opened by [`H5DatasetRef::read`], least recently used first.
type OpenList = Vec<(PathBuf, String, Stamp, H5Dataset)>;
static OPEN: std::sync::Mutex<OpenList> = std::sync::Mutex::new(Vec::new());

/// Dataset `name` of `path`, from the few kept open (while the file is unchanged) or
/// opened now.
///
/// Why a small cache instead of a handle per lazy array: every open HDF5 file costs
/// about half a megabyte of metadata cache, zeroed on open, and the library compares
/// each new file with all open ones. Holding the 10,000 files of a day open made the
/// scan quadratic; now a scan closes each file, and reads reopen only what they use.
fn cached(path: &Path, name: &str) -> Result<H5Dataset> {
    let now = stamp(path)?;
    let mut open_list = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = open_list
        .iter()
        .position(|(p, n, st, _)| p == path && n == name && *st == now)
    {
        let entry = open_list.remove(i);
        let ds = entry.3.clone();
        open_list.push(entry);
        return Ok(ds);
    }
    // handles of an earlier version of this file
    open_list.retain(|(p, _, st, _)| p != path || *st == now);
    let file = open(path)?;
    let ds = H5Dataset::open(&file, path, name)?;
    open_list.push((path.to_path_buf(), name.to_string(), now, ds.clone()));
    if open_list.len() > KEEP_OPEN {
        open_list.remove(0);
    }
    Ok(ds)
}

/// Close the datasets of `path` kept open for reading (before the file is rewritten:
/// the HDF5 library refuses to create a file that it has open).
pub(crate) fn forget(path: &Path) {
    // the same file under another name too (same device and inode)
    let id = stamp(path).ok().map(|st| (st.dev, st.ino));
    let mut open_list = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    open_list.retain(|(p, _, st, _)| p != path && Some((st.dev, st.ino)) != id);
}

/// `len` bytes at `offset` of `path` as an array of `shape` (plain numbers in the
/// machine's byte order). The first element is placed at the same offset modulo the
/// direct-I/O alignment as in the file, so that a direct read lands in place.
fn read_block<T: Copy + Default>(
    path: &Path,
    offset: u64,
    len: usize,
    shape: &[usize],
) -> std::io::Result<ArrayD<T>> {
    let size = std::mem::size_of::<T>();
    let n = len / size;
    let align = crate::direct::ALIGN;
    // room for a disk block on either side: the read then fetches whole disk blocks at
    // once, and the bytes around the array are never part of it
    let mut v: Vec<T> = Vec::with_capacity(n + 2 * align / size);
    let base = v.as_ptr() as usize;
    let shift = (offset as usize % align + align - base % align) % align;
    let k = if shift % size == 0 { shift / size } else { 0 };
    v.resize(k, T::default());
    let slack = (k * size, (v.capacity() - k - n) * size);
    // SAFETY: the capacity holds `k + n` elements and the slack; `read_into` writes all
    // `len = n*size` bytes after the `k` initialised ones (and perhaps the slack) or fails
    // (then `v` is dropped with length `k`); `T` is a plain number for which any bytes
    // are a value.
    unsafe {
        crate::direct::read_into(path, offset, v.as_mut_ptr().add(k).cast(), len, slack)?;
        v.set_len(k + n);
    }
    let flat = ndarray::Array1::from_vec(v).slice_move(ndarray::s![k..]);
    flat.into_shape_with_order(IxDyn(shape))
        .map_err(|e| std::io::Error::other(e.to_string()))
}

fn empty(dtype: DType, shape: &[usize]) -> Data {
    let s = IxDyn(shape);
    match dtype {
        DType::I8 => Data::I8(ArrayD::zeros(s)),
        DType::I16 => Data::I16(ArrayD::zeros(s)),
        DType::I32 => Data::I32(ArrayD::zeros(s)),
        DType::I64 => Data::I64(ArrayD::zeros(s)),
        DType::U8 => Data::U8(ArrayD::zeros(s)),
        DType::U16 => Data::U16(ArrayD::zeros(s)),
        DType::U32 => Data::U32(ArrayD::zeros(s)),
        DType::U64 => Data::U64(ArrayD::zeros(s)),
        DType::F32 => Data::F32(ArrayD::zeros(s)),
        _ => Data::F64(ArrayD::zeros(s)),
    }
}

// ------------------------------------------------------------------ attributes

/// Read any attribute as an [`AttrValue`]: strings (fixed or variable, ASCII or UTF-8,
/// scalar or arrays), integers, floats (scalars or arrays). `None` for other types
/// (compound, references, ...).
pub fn attr_value(attr: &Attribute) -> Option<AttrValue> {
    let td = attr.dtype().ok()?.to_descriptor().ok()?;
    let scalar = attr.is_scalar() || attr.size() == 1 && attr.ndim() == 0;
    match &td {
        TypeDescriptor::FixedAscii(_)
        | TypeDescriptor::FixedUnicode(_)
        | TypeDescriptor::VarLenAscii
        | TypeDescriptor::VarLenUnicode => {
            let all = strings(attr, &td)?;
            if scalar {
                all.into_iter().next().map(AttrValue::Str)
            } else {
                Some(AttrValue::StrArray(all))
            }
        }
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Boolean => {
            let v: Vec<i64> = attr.read_raw::<i64>().ok()?;
            if scalar {
                v.first().copied().map(AttrValue::Int)
            } else {
                Some(AttrValue::IntArray(v))
            }
        }
        TypeDescriptor::Float(_) => {
            let v: Vec<f64> = attr.read_raw::<f64>().ok()?;
            if scalar {
                v.first().copied().map(AttrValue::Float)
            } else {
                Some(AttrValue::FloatArray(v))
            }
        }
        _ => None,
    }
}

fn strings(attr: &Attribute, td: &TypeDescriptor) -> Option<Vec<String>> {
    let trim = |s: &str| s.trim_end_matches('\0').to_string();
    Some(match td {
        TypeDescriptor::VarLenUnicode => attr
            .read_raw::<VarLenUnicode>()
            .ok()?
            .iter()
            .map(|s| trim(s.as_str()))
            .collect(),
        TypeDescriptor::VarLenAscii => attr
            .read_raw::<VarLenAscii>()
            .ok()?
            .iter()
            .map(|s| trim(s.as_str()))
            .collect(),
        TypeDescriptor::FixedAscii(_) => attr
            .read_raw::<FixedAscii<4096>>()
            .ok()?
            .iter()
            .map(|s| trim(s.as_str()))
            .collect(),
        TypeDescriptor::FixedUnicode(_) => attr
            .read_raw::<FixedUnicode<4096>>()
            .ok()?
            .iter()
            .map(|s| trim(s.as_str()))
            .collect(),
        _ => return None,
    })
}

/// Every readable attribute of an object, in the file's order (by name).
pub fn attrs_of(loc: &Location) -> Vec<(String, AttrValue)> {
    let mut names = loc.attr_names().unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            let a = loc.attr(&n).ok()?;
            attr_value(&a).map(|v| (n, v))
        })
        .collect()
}

/// A string attribute (`None` when absent; an error naming it when of another type).
pub fn attr_str(loc: &Location, name: &str) -> std::result::Result<Option<String>, String> {
    match get(loc, name) {
        None => Ok(None),
        Some(AttrValue::Str(s)) => Ok(Some(s)),
        Some(AttrValue::StrArray(v)) if v.len() == 1 => Ok(v.into_iter().next()),
        Some(other) => Err(format!("attribute {name:?} is not a string ({other:?})")),
    }
}

/// A number attribute, as `f64` (also from a one-element array or a numeric string).
pub fn attr_f64(loc: &Location, name: &str) -> std::result::Result<Option<f64>, String> {
    match get(loc, name) {
        None => Ok(None),
        Some(AttrValue::Float(v)) => Ok(Some(v)),
        Some(AttrValue::Int(v)) => Ok(Some(v as f64)),
        Some(AttrValue::FloatArray(v)) if v.len() == 1 => Ok(Some(v[0])),
        Some(AttrValue::IntArray(v)) if v.len() == 1 => Ok(Some(v[0] as f64)),
        Some(AttrValue::Str(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("attribute {name:?} is not a number ({s:?})")),
        Some(other) => Err(format!("attribute {name:?} is not a number ({other:?})")),
    }
}

/// An integer attribute (also from a one-element array or an integral float).
pub fn attr_i64(loc: &Location, name: &str) -> std::result::Result<Option<i64>, String> {
    match get(loc, name) {
        None => Ok(None),
        Some(AttrValue::Int(v)) => Ok(Some(v)),
        Some(AttrValue::IntArray(v)) if v.len() == 1 => Ok(Some(v[0])),
        Some(AttrValue::Float(v)) if v.fract() == 0.0 => Ok(Some(v as i64)),
        Some(AttrValue::Str(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("attribute {name:?} is not an integer ({s:?})")),
        Some(other) => Err(format!("attribute {name:?} is not an integer ({other:?})")),
    }
}

/// A numeric array attribute as `f64`s (a scalar gives one element).
pub fn attr_f64s(loc: &Location, name: &str) -> std::result::Result<Option<Vec<f64>>, String> {
    match get(loc, name) {
        None => Ok(None),
        Some(AttrValue::Float(v)) => Ok(Some(vec![v])),
        Some(AttrValue::Int(v)) => Ok(Some(vec![v as f64])),
        Some(AttrValue::FloatArray(v)) => Ok(Some(v)),
        Some(AttrValue::IntArray(v)) => Ok(Some(v.into_iter().map(|x| x as f64).collect())),
        Some(other) => Err(format!("attribute {name:?} is not numeric ({other:?})")),
    }
}

fn get(loc: &Location, name: &str) -> Option<AttrValue> {
    let a = loc.attr(name).ok()?;
    attr_value(&a)
}
