//! Zarr v3 stores of DataArrays: [`write_zarr`], [`ZarrWriter`] (append along one dim)
//! and [`open_zarr`] (lazy).
//!
//! A DataArray is stored as **one Zarr v3 array** (a directory holding `zarr.json` and
//! the chunk files `c/i/j/...`), written with the [`zarrs`] crate:
//!
//! * the samples: the array's data type (`int8` … `uint64`, `float32`, `float64`), a
//!   regular chunk grid ([`ZarrOptions::chunks`]), the `bytes` codec (little endian),
//!   then zstd ([`Compression`]; blosc with the `blosc` feature); fill value 0 (integers)
//!   or NaN (floats);
//! * `dimension_names`: the dims;
//! * the labels: under the key `"xdas"` of the array's `attributes`, described below.
//!   Other attribute keys are left alone (free for other tools).
//!
//! Reading ([`open_zarr`]) only parses `zarr.json`; a block of samples is read when asked
//! for, touching only the chunks it overlaps ([`ZarrSource`]).
//!
//! # The `"xdas"` attribute (layout version 1)
//!
//! ```json
//! "attributes": {
//!   "xdas": {
//!     "version": 1,
//!     "dims": ["time", "distance"],
//!     "name": "strain_rate",
//!     "attrs": {"units": "1/s", "gauge_length": 10.0},
//!     "coords": [
//!       {"name": "time", "kind": "interpolated", "dim": "time",
//!        "dtype": "datetime64[ns]", "unit": "ns",
//!        "tie_indices": [0, 299], "tie_values": [1672531200000000000, 1672531205980000000],
//!        "sampling": {"num": 20000000, "den": 1, "tolerance": 0}},
//!       {"name": "distance", "kind": "interpolated", "dim": "distance", "dtype": "float64",
//!        "tie_indices": [0, 400], "tie_values": [0.0, 10000.0],
//!        "sampling": {"num": 25.0, "den": 1, "tolerance": 1e-8}}
//!     ]
//!   }
//! }
//! ```
//!
//! * `version`: 1. `dims`: one name per axis (equal to `dimension_names`). `name`: a
//!   string or `null`. `attrs`: an object or `null` (no attributes, as distinct from `{}`).
//! * `coords`: a list (order kept) of one JSON object per coordinate, with `name`,
//!   `kind`, `dtype`, `dim` (absent for scalars) and, by kind:
//!
//!   | kind | fields |
//!   |---|---|
//!   | `interpolated` | `tie_indices` (integers), `tie_values`, `sampling`: `null` (irregular) or `{num, den, tolerance}` — the exact rate `num / den` and its tolerance |
//!   | `sampled` | `tie_values` (segment starts), `tie_lengths` (segment lengths), `sampling`: `{num, den}` (`null` only when empty) |
//!   | `dense` | `values` |
//!   | `scalar` | `value` |
//!
//! * `dtype`: `float64`, `int64` (dense and scalar only), `str` (dense and scalar only),
//!   `datetime64[ns]` or `timedelta64[ns]` (scalar only). **Datetimes** (and timedeltas,
//!   rates and tolerances of datetime coordinates) are JSON integers counting `unit`s
//!   since 1970-01-01T00:00:00 UTC; the writer always uses `"unit": "ns"` (int64
//!   nanoseconds, as numpy's `datetime64[ns]`); the reader also accepts `s`, `ms`, `us`.
//! * **Floats** are JSON numbers, written to round-trip exactly; NaN and infinities are the
//!   strings `"NaN"`, `"Infinity"`, `"-Infinity"` (the Zarr v3 fill-value convention).
//! * **Attribute values**: a string, an integer, a float (always written with a decimal
//!   point or exponent, so `10.0` stays a float), or a non-empty array of one of these.
//!   Values JSON cannot say plainly are a one-key object naming the type: a non-finite
//!   float `{"float64": "NaN"}`, a float array holding one `{"float64": [1.5, "NaN"]}`,
//!   and the empty arrays `{"int64": []}`, `{"float64": []}`, `{"str": []}`.
//!
//! A Zarr array without the `"xdas"` key (written by another tool) opens with its
//! `dimension_names` as dims (`dim_0`, `dim_1`, … where unnamed), no coordinates, no
//! name and no attributes. A malformed `"xdas"` key is an error naming what is wrong.
//!
//! # Appending
//!
//! [`ZarrWriter`] grows the array along one dim, chunk by chunk: every appended
//! DataArray must have the same dims, the same shape off that dim, the same element type
//! and equal coordinates off that dim; the coordinates along it are joined end to end and
//! simplified within a tolerance, so that contiguous chunks keep two tie points and gaps or
//! overlaps become tie points (as `DataArray::concat`). `zarr.json` is rewritten after
//! every append, so the store is readable at any point of a stream;
//! [`ZarrWriter::open`] resumes it and [`ZarrWriter::truncate`] cuts it back to a
//! checkpoint. (A dense coordinate along the append dim stores every value in
//! `zarr.json`, so it grows with the stream; tie-point coordinates stay small.)
//!
//! ```
//! use ndarray::{ArrayD, IxDyn};
//! use xdas_core::{Coordinate, DataArray, Datetime, Timedelta};
//! use xdas_io::zarr::{ZarrOptions, ZarrWriter, open_zarr};
//!
//! let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
//! let block = |k: usize| {
//!     DataArray::new(
//!         ArrayD::from_shape_fn(IxDyn(&[100, 8]), |i| (i[0] + 100 * k) as f32),
//!         &["time", "distance"],
//!         vec![
//!             ("time", Coordinate::from_block_time(
//!                 t0 + Timedelta::from_ns(k as i64 * 1_000_000_000), 100,
//!                 Timedelta::from_ns(10_000_000), "time")),
//!             ("distance", Coordinate::from_block(0.0, 8, 5.0, "distance")),
//!         ],
//!     )
//!     .unwrap()
//! };
//! let dir = std::env::temp_dir().join(format!("xdas-zarr-doc-{}", std::process::id()));
//! let mut w = ZarrWriter::<f32>::create(&dir, "time", ZarrOptions::default()).unwrap();
//! for k in 0..3 {
//!     w.append(&block(k)).unwrap();
//! }
//! w.finish().unwrap();
//! let lazy = open_zarr(&dir).unwrap();
//! assert_eq!(lazy.shape(), vec![300, 8]);
//! let second = lazy.isel("time", 100, 200).unwrap().load_as::<f32>().unwrap();
//! assert!(second.equals(&block(1)));
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};
use serde_json::{Map, Value as Json};
use xdas_core::coords::{AxisValue, CoordKind, InterpCoordinate, SampledCoordinate};
use xdas_core::{
    AttrValue, Attrs, Coordinate, DType, DataArray, Datetime, Element, Scalar, Timedelta,
    Tolerance, Values,
};
use zarrs::array::data_type as zdt;
use zarrs::array::{Array, ArrayBuilder, FillValue};
use zarrs::filesystem::FilesystemStore;

use crate::data::Data;
use crate::engine::{Engine, Probe};
use crate::error::{IoError, Result};
use crate::lazy::{LazyArray, Source};

/// The engine name of Zarr stores ([`LazyArray::engine`]).
pub const ENGINE: &str = "zarr";
/// The key of the Zarr attributes holding the xdas labels.
pub const LAYOUT_KEY: &str = "xdas";
/// The version of the layout written (see the module docs).
pub const LAYOUT_VERSION: i64 = 1;

/// Compression of the chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// Stored raw.
    None,
    /// Zstandard at `level` (1 fast … 22 small; negative levels are faster still).
    Zstd {
        /// The zstd level.
        level: i32,
    },
    /// Blosc (zstd inside, byte shuffle) at `level` 0 … 9; with the `blosc` feature
    /// (c-blosc is compiled from C).
    #[cfg(feature = "blosc")]
    Blosc {
        /// The blosc level.
        level: u8,
    },
}

impl Default for Compression {
    /// Zstd level 3 (zstd's own default).
    fn default() -> Self {
        Compression::Zstd { level: 3 }
    }
}

/// How [`write_zarr`] and [`ZarrWriter`] store an array.
///
/// ```
/// use xdas_io::zarr::{Compression, ZarrOptions};
/// let o = ZarrOptions { chunks: Some(vec![1000, 512]), ..ZarrOptions::default() };
/// assert_eq!(o.compression, Compression::Zstd { level: 3 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ZarrOptions {
    /// Chunk shape, one length (> 0) per dim. `None`: about 4 MiB per chunk, halving the
    /// longest side of the (first) array until it fits — so a [`ZarrWriter`] whose
    /// blocks are of equal length gets chunks aligned on them.
    pub chunks: Option<Vec<usize>>,
    /// Chunk compression.
    pub compression: Compression,
    /// Replace an existing Zarr store at the path (only a directory holding `zarr.json`,
    /// `.zarray` or `.zgroup` is ever removed). `false`: an existing path is an error.
    pub overwrite: bool,
}

mod sealed {
    /// What the Zarr side needs of an element type.
    pub trait Sealed: zarrs::array::Element + zarrs::array::ElementOwned + Copy {
        fn zarr_data_type() -> zarrs::array::DataType;
        fn fill_value() -> zarrs::array::FillValue;
        fn into_data(a: ndarray::ArrayD<Self>) -> crate::data::Data;
    }
}

/// Element types [`write_zarr`] and [`ZarrWriter`] store: `i8` … `u64`, `f32`, `f64`.
pub trait ZarrElement: Element + sealed::Sealed {}

macro_rules! zarr_element {
    ($($t:ty => $f:ident, $fill:expr, $v:ident);* $(;)?) => {$(
        impl sealed::Sealed for $t {
            fn zarr_data_type() -> zarrs::array::DataType {
                zdt::$f()
            }
            fn fill_value() -> FillValue {
                FillValue::from($fill as $t)
            }
            fn into_data(a: ArrayD<Self>) -> Data {
                Data::$v(a)
            }
        }
        impl ZarrElement for $t {}
    )*};
}
zarr_element!(
    i8 => int8, 0, I8; i16 => int16, 0, I16; i32 => int32, 0, I32; i64 => int64, 0, I64;
    u8 => uint8, 0, U8; u16 => uint16, 0, U16; u32 => uint32, 0, U32; u64 => uint64, 0, U64;
    f32 => float32, f32::NAN, F32; f64 => float64, f64::NAN, F64;
);

fn os(path: &Path, source: std::io::Error) -> IoError {
    IoError::Os {
        path: path.to_path_buf(),
        source,
    }
}

fn fmt_err(path: &Path, message: impl Into<String>) -> IoError {
    IoError::format(path, ENGINE, message)
}

fn is_zarr_dir(path: &Path) -> bool {
    path.is_dir()
        && ["zarr.json", ".zarray", ".zgroup"]
            .iter()
            .any(|f| path.join(f).is_file())
}

/// Check the options against an array of `ndim` dims and make the path free.
fn prepare_path(path: &Path, options: &ZarrOptions) -> Result<()> {
    match options.compression {
        Compression::Zstd { level } if !(-131_072..=22).contains(&level) => {
            return Err(IoError::Invalid(format!(
                "zstd level {level} is outside -131072..=22"
            )));
        }
        #[cfg(feature = "blosc")]
        Compression::Blosc { level } if level > 9 => {
            return Err(IoError::Invalid(format!(
                "blosc level {level} is outside 0..=9"
            )));
        }
        _ => {}
    }
    if std::fs::symlink_metadata(path).is_ok() {
        if !options.overwrite {
            return Err(IoError::Invalid(format!(
                "{}: already exists (set ZarrOptions::overwrite to replace a Zarr store)",
                path.display()
            )));
        }
        if !is_zarr_dir(path) {
            return Err(IoError::Invalid(format!(
                "{}: exists and is not a Zarr store; not replacing it",
                path.display()
            )));
        }
        std::fs::remove_dir_all(path).map_err(|e| os(path, e))?;
    }
    Ok(())
}

/// About 4 MiB of samples per chunk: halve the longest side until it fits.
fn default_chunks(shape: &[usize], elem_size: usize) -> Vec<usize> {
    const TARGET_BYTES: usize = 4 << 20;
    let target = (TARGET_BYTES / elem_size.max(1)).max(1);
    let mut c: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
    while c.iter().fold(1usize, |a, &b| a.saturating_mul(b)) > target {
        let Some(i) = (0..c.len()).max_by_key(|&i| (c[i], std::cmp::Reverse(i))) else {
            break;
        };
        if c[i] <= 1 {
            break;
        }
        c[i] = c[i].div_ceil(2);
    }
    c
}

fn check_chunks(chunks: &[usize], ndim: usize) -> Result<()> {
    if chunks.len() != ndim || chunks.contains(&0) {
        return Err(IoError::Invalid(format!(
            "chunks {chunks:?}: need {ndim} lengths, all > 0"
        )));
    }
    Ok(())
}

fn standard_slice<T: Clone>(a: &ArrayD<T>) -> std::borrow::Cow<'_, [T]> {
    match a.as_slice() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(a.iter().cloned().collect()),
    }
}

/// Write `data` at `offset` of the array (nothing for an empty block).
fn store_block<T: ZarrElement>(
    path: &Path,
    array: &Array<FilesystemStore>,
    offset: &[usize],
    data: &ArrayD<T>,
) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let subset: Vec<Range<u64>> = offset
        .iter()
        .zip(data.shape())
        .map(|(&o, &n)| o as u64..(o + n) as u64)
        .collect();
    let samples = standard_slice(data);
    array
        .store_array_subset(&subset, &samples[..])
        .map_err(|e| fmt_err(path, format!("writing samples {subset:?}: {e}")))
}

/// Create the store and the array for `da` (metadata and samples).
fn create_array<T: ZarrElement>(
    path: &Path,
    da: &DataArray<T>,
    options: &ZarrOptions,
) -> Result<Array<FilesystemStore>> {
    let chunks = match &options.chunks {
        Some(c) => {
            check_chunks(c, da.ndim())?;
            c.clone()
        }
        None => default_chunks(da.shape(), std::mem::size_of::<T>()),
    };
    let layout = layout_json(da.dims(), da.name(), da.attrs(), da.coords());
    std::fs::create_dir_all(path).map_err(|e| os(path, e))?;
    let store = FilesystemStore::new(path).map_err(|e| fmt_err(path, e.to_string()))?;
    let shape: Vec<u64> = da.shape().iter().map(|&n| n as u64).collect();
    let chunk_shape: Vec<u64> = chunks.iter().map(|&n| n as u64).collect();
    let mut builder = ArrayBuilder::new(shape, chunk_shape, T::zarr_data_type(), T::fill_value());
    match options.compression {
        Compression::None => {}
        Compression::Zstd { level } => {
            builder.bytes_to_bytes_codecs(vec![Arc::new(zarrs::array::codec::ZstdCodec::new(
                level, false,
            ))]);
        }
        #[cfg(feature = "blosc")]
        Compression::Blosc { level } => {
            use zarrs::array::codec::bytes_to_bytes::blosc::{
                BloscCodec, BloscCompressionLevel, BloscCompressor, BloscShuffleMode,
            };
            let clevel = BloscCompressionLevel::try_from(level)
                .map_err(|l| IoError::Invalid(format!("blosc level {l} is outside 0..=9")))?;
            let codec = BloscCodec::new(
                BloscCompressor::Zstd,
                clevel,
                None,
                BloscShuffleMode::Shuffle,
                Some(std::mem::size_of::<T>()),
            )
            .map_err(|e| fmt_err(path, format!("blosc: {e}")))?;
            builder.bytes_to_bytes_codecs(vec![Arc::new(codec)]);
        }
    }
    let mut attributes = Map::new();
    attributes.insert(LAYOUT_KEY.to_string(), layout);
    builder
        .dimension_names(Some(da.dims().iter().map(String::as_str)))
        .attributes(attributes);
    let array = builder
        .build(Arc::new(store), "/")
        .map_err(|e| fmt_err(path, format!("creating the array: {e}")))?;
    store_block(path, &array, &vec![0; da.ndim()], da.data())?;
    array
        .store_metadata()
        .map_err(|e| fmt_err(path, format!("writing zarr.json: {e}")))?;
    Ok(array)
}

/// Write a DataArray as a new Zarr v3 array at `path` (a directory).
///
/// ```
/// use ndarray::ArrayD;
/// use xdas_core::{Coordinate, DataArray};
/// use xdas_io::zarr::{ZarrOptions, open_zarr, write_zarr};
///
/// let da = DataArray::new(
///     ArrayD::<i16>::ones(vec![50, 4]),
///     &["time", "distance"],
///     vec![("time", Coordinate::from_block(0.0, 50, 0.01, "time"))],
/// )
/// .unwrap()
/// .with_name("raw");
/// let dir = std::env::temp_dir().join(format!("xdas-zarr-write-doc-{}", std::process::id()));
/// write_zarr(&da, &dir, &ZarrOptions::default()).unwrap();
/// let back = open_zarr(&dir).unwrap();
/// assert_eq!(back.dtype(), xdas_core::DType::I16);
/// assert!(back.load_as::<f64>().unwrap().equals(&da.with_data(da.data().mapv(f64::from)).unwrap()));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_zarr<T: ZarrElement>(
    da: &DataArray<T>,
    path: impl AsRef<Path>,
    options: &ZarrOptions,
) -> Result<()> {
    let path = path.as_ref();
    prepare_path(path, options)?;
    create_array(path, da, options).map(drop)
}

// ---------------------------------------------------------------------------------------
// appending

struct WriterState {
    array: Array<FilesystemStore>,
    axis: usize,
    dims: Vec<String>,
    shape: Vec<usize>,
    coords: Vec<(String, Coordinate)>,
    name: Option<String>,
    attrs: Option<Attrs>,
}

/// Streams DataArrays into one Zarr array, appending along one dim.
///
/// [`create`](ZarrWriter::create) claims a new path; the first [`append`](ZarrWriter::append)
/// creates the array (dims, chunks, labels from that block), the following ones extend
/// it. [`open`](ZarrWriter::open) resumes an existing store. See the module docs for an
/// example.
pub struct ZarrWriter<T: ZarrElement> {
    path: PathBuf,
    dim: String,
    options: ZarrOptions,
    tolerance: Tolerance,
    state: Option<WriterState>,
    _t: PhantomData<fn() -> T>,
}

impl<T: ZarrElement> fmt::Debug for ZarrWriter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZarrWriter")
            .field("path", &self.path)
            .field("dim", &self.dim)
            .field("dtype", &T::DTYPE)
            .field("shape", &self.state.as_ref().map(|s| &s.shape))
            .finish()
    }
}

impl<T: ZarrElement> ZarrWriter<T> {
    /// A writer of a new store at `path`, appending along `dim` (`"first"`/`"last"`
    /// allowed). Nothing is written before the first append.
    pub fn create(path: impl AsRef<Path>, dim: &str, options: ZarrOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        prepare_path(&path, &options)?;
        Ok(ZarrWriter {
            path,
            dim: dim.to_string(),
            options,
            tolerance: Tolerance::Default,
            state: None,
            _t: PhantomData,
        })
    }

    /// Resume appending along `dim` to an existing store written by this module (its
    /// element type must be `T`; its chunks and compression are kept).
    pub fn open(path: impl AsRef<Path>, dim: &str) -> Result<Self> {
        let path = store_dir(path.as_ref())?;
        // validates the labels against the shape, as a reader would
        open_zarr(&path)?;
        let (array, meta) = open_array(&path)?;
        let dtype = zarr_dtype(&path, &array)?;
        if dtype != T::DTYPE {
            return Err(IoError::Invalid(format!(
                "{}: stores {dtype} samples, cannot append {} ones",
                path.display(),
                T::DTYPE
            )));
        }
        let Some(meta) = meta else {
            return Err(fmt_err(
                &path,
                format!("no {LAYOUT_KEY:?} attribute: not written by xdas, cannot append"),
            ));
        };
        let axis = meta
            .dims
            .iter()
            .position(|d| d == dim)
            .or(match dim {
                "first" if !meta.dims.is_empty() => Some(0),
                "last" => meta.dims.len().checked_sub(1),
                _ => None,
            })
            .ok_or_else(|| {
                IoError::Invalid(format!(
                    "{}: no dim {dim:?} to append along (dims are {:?})",
                    path.display(),
                    meta.dims
                ))
            })?;
        let shape = array.shape().iter().map(|&n| n as usize).collect();
        Ok(ZarrWriter {
            dim: meta.dims[axis].clone(),
            options: ZarrOptions::default(),
            tolerance: Tolerance::Default,
            state: Some(WriterState {
                array,
                axis,
                dims: meta.dims,
                shape,
                coords: meta.coords,
                name: meta.name,
                attrs: meta.attrs,
            }),
            path,
            _t: PhantomData,
        })
    }

    /// The tolerance within which the appended coordinates are simplified (default: the
    /// coordinates' own; [`Tolerance::Off`]: keep every tie point).
    pub fn with_tolerance(mut self, tolerance: Tolerance) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The store.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The shape written so far (`None` before the first append).
    pub fn shape(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.shape.as_slice())
    }

    /// Append one block. The first block defines dims, name, attributes and the other
    /// coordinates; later ones must match (dims, shape off the dim, coordinates off the
    /// dim, coordinate kinds along it), else nothing is written and the error says what
    /// differs. Name and attributes of later blocks are not compared (the first's stay).
    pub fn append(&mut self, da: &DataArray<T>) -> Result<()> {
        let Some(state) = self.state.as_mut() else {
            let axis = da.axis(&self.dim).map_err(|_| {
                IoError::Invalid(format!(
                    "no dim {:?} to append along (dims are {:?})",
                    self.dim,
                    da.dims()
                ))
            })?;
            self.dim = da.dims()[axis].clone();
            let array = create_array(&self.path, da, &self.options)?;
            self.state = Some(WriterState {
                array,
                axis,
                dims: da.dims().to_vec(),
                shape: da.shape().to_vec(),
                coords: da
                    .coords()
                    .map(|(k, c)| (k.to_string(), c.clone()))
                    .collect(),
                name: da.name().map(str::to_string),
                attrs: da.attrs().cloned(),
            });
            return Ok(());
        };
        let axis = state.axis;
        let bad = |m: String| IoError::Invalid(format!("cannot append: {m}"));
        if da.dims() != state.dims.as_slice() {
            return Err(bad(format!(
                "dims {:?} differ from the store's {:?}",
                da.dims(),
                state.dims
            )));
        }
        for (ax, (&a, &b)) in da.shape().iter().zip(&state.shape).enumerate() {
            if ax != axis && a != b {
                return Err(bad(format!(
                    "shape {:?} differs from the store's {:?} off dim {:?}",
                    da.shape(),
                    state.shape,
                    self.dim
                )));
            }
        }
        for (k, _) in da.coords() {
            if !state.coords.iter().any(|(n, _)| n == k) {
                return Err(bad(format!("coordinate {k:?} is not in the store")));
            }
        }
        let mut coords = Vec::with_capacity(state.coords.len());
        for (k, stored) in &state.coords {
            let new = da
                .coords()
                .find(|(n, _)| n == k)
                .map(|(_, c)| c)
                .ok_or_else(|| bad(format!("coordinate {k:?} is missing")))?;
            if stored.dim() == Some(self.dim.as_str()) {
                let joined = Coordinate::concat(&[stored, new])
                    .map_err(|e| bad(format!("coordinate {k:?}: {e}")))?;
                let joined = match self.tolerance {
                    Tolerance::Off => joined,
                    t => joined.simplify(t),
                };
                coords.push((k.clone(), joined));
            } else if stored.equals(new) {
                coords.push((k.clone(), stored.clone()));
            } else {
                return Err(bad(format!(
                    "coordinate {k:?} differs from the store's (only coordinates along {:?} \
                     may change)",
                    self.dim
                )));
            }
        }
        let n = da.shape()[axis];
        if n == 0 {
            return Ok(());
        }
        let old_shape = state.shape.clone();
        let mut new_shape = old_shape.clone();
        new_shape[axis] += n;
        let as_u64 = |s: &[usize]| s.iter().map(|&x| x as u64).collect::<Vec<u64>>();
        state
            .array
            .set_shape(as_u64(&new_shape))
            .map_err(|e| fmt_err(&self.path, format!("growing the array: {e}")))?;
        let mut offset = vec![0; old_shape.len()];
        offset[axis] = old_shape[axis];
        let layout = layout_json(
            &state.dims,
            state.name.as_deref(),
            state.attrs.as_ref(),
            coords.iter().map(|(k, c)| (k.as_str(), c)),
        );
        let previous = state
            .array
            .attributes_mut()
            .insert(LAYOUT_KEY.to_string(), layout);
        let written = store_block(&self.path, &state.array, &offset, da.data()).and_then(|()| {
            state
                .array
                .store_metadata()
                .map_err(|e| fmt_err(&self.path, format!("writing zarr.json: {e}")))
        });
        if let Err(e) = written {
            // leave the writer as it was (zarr.json on disk still describes the old shape)
            let _ = state.array.set_shape(as_u64(&old_shape));
            if let Some(p) = previous {
                state
                    .array
                    .attributes_mut()
                    .insert(LAYOUT_KEY.to_string(), p);
            }
            return Err(e);
        }
        state.shape = new_shape;
        state.coords = coords;
        Ok(())
    }

    /// Cut the array back to its first `len` samples along the dim (e.g. to the last
    /// checkpoint of a stream that crashed): the coordinates along it are sliced,
    /// `zarr.json` is rewritten, then the chunks wholly beyond are removed.
    pub fn truncate(&mut self, len: usize) -> Result<()> {
        let Some(state) = self.state.as_mut() else {
            return match len {
                0 => Ok(()),
                _ => Err(IoError::Invalid(format!(
                    "{}: nothing written yet, cannot keep {len} samples",
                    self.path.display()
                ))),
            };
        };
        let axis = state.axis;
        let n = state.shape[axis];
        if len > n {
            return Err(IoError::Invalid(format!(
                "cannot truncate the {n} samples along {:?} to {len}",
                self.dim
            )));
        }
        if len == n {
            return Ok(());
        }
        let coords = state
            .coords
            .iter()
            .map(|(k, c)| {
                let c = if c.dim() == Some(self.dim.as_str()) {
                    c.slice(0, len, 1)?
                } else {
                    c.clone()
                };
                Ok((k.clone(), c))
            })
            .collect::<Result<Vec<_>>>()?;
        let ndim = state.shape.len();
        let grid = state.array.chunk_grid_shape().to_vec();
        let chunk_len = state
            .array
            .chunk_shape(&vec![0; ndim])
            .map_err(|e| fmt_err(&self.path, format!("chunk shape: {e}")))?[axis]
            .get();
        let old_shape = state.shape.clone();
        let mut new_shape = old_shape.clone();
        new_shape[axis] = len;
        let as_u64 = |s: &[usize]| s.iter().map(|&x| x as u64).collect::<Vec<u64>>();
        state
            .array
            .set_shape(as_u64(&new_shape))
            .map_err(|e| fmt_err(&self.path, format!("shrinking the array: {e}")))?;
        let layout = layout_json(
            &state.dims,
            state.name.as_deref(),
            state.attrs.as_ref(),
            coords.iter().map(|(k, c)| (k.as_str(), c)),
        );
        let previous = state
            .array
            .attributes_mut()
            .insert(LAYOUT_KEY.to_string(), layout);
        if let Err(e) = state.array.store_metadata() {
            let _ = state.array.set_shape(as_u64(&old_shape));
            if let Some(p) = previous {
                state
                    .array
                    .attributes_mut()
                    .insert(LAYOUT_KEY.to_string(), p);
            }
            return Err(fmt_err(&self.path, format!("writing zarr.json: {e}")));
        }
        state.shape = new_shape;
        state.coords = coords;
        // zarr.json no longer reaches these chunks: removing them only frees space
        let first_outside = (len as u64).div_ceil(chunk_len);
        if grid.get(axis).is_some_and(|&g| first_outside < g) {
            let chunks: Vec<Range<u64>> = grid
                .iter()
                .enumerate()
                .map(|(i, &g)| if i == axis { first_outside..g } else { 0..g })
                .collect();
            state
                .array
                .erase_chunks(&chunks)
                .map_err(|e| fmt_err(&self.path, format!("removing chunks: {e}")))?;
        }
        Ok(())
    }

    /// Finish the stream (every append already left a complete store); an error when
    /// nothing was appended, since then nothing was written.
    pub fn finish(self) -> Result<()> {
        match self.state {
            Some(_) => Ok(()),
            None => Err(IoError::Invalid(format!(
                "{}: nothing was appended, no Zarr array written",
                self.path.display()
            ))),
        }
    }
}

// ---------------------------------------------------------------------------------------
// reading

/// The samples of a Zarr array: reads only the chunks a region overlaps.
pub struct ZarrSource {
    path: PathBuf,
    array: Array<FilesystemStore>,
    shape: Vec<usize>,
    dtype: DType,
}

impl fmt::Debug for ZarrSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZarrSource")
            .field("path", &self.path)
            .field("shape", &self.shape)
            .field("dtype", &self.dtype)
            .finish()
    }
}

impl ZarrSource {
    /// Open the Zarr array at `path` (a directory, or its `zarr.json`).
    pub fn open(path: impl AsRef<Path>) -> Result<ZarrSource> {
        let path = store_dir(path.as_ref())?;
        let (array, _) = open_array(&path)?;
        Self::from_array(path, array)
    }

    fn from_array(path: PathBuf, array: Array<FilesystemStore>) -> Result<ZarrSource> {
        let dtype = zarr_dtype(&path, &array)?;
        let shape = array
            .shape()
            .iter()
            .map(|&n| usize::try_from(n))
            .collect::<std::result::Result<Vec<usize>, _>>()
            .map_err(|_| fmt_err(&path, "array shape does not fit in memory indices"))?;
        Ok(ZarrSource {
            path,
            array,
            shape,
            dtype,
        })
    }

    fn read_typed<T: ZarrElement>(&self, region: &[Range<usize>]) -> Result<ArrayD<T>> {
        let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
        if shape.contains(&0) {
            return Ok(ArrayD::from_shape_vec(IxDyn(&shape), Vec::new())
                .expect("an empty array of an empty shape"));
        }
        let subset: Vec<Range<u64>> = region
            .iter()
            .map(|r| r.start as u64..r.end as u64)
            .collect();
        let v: Vec<T> = self
            .array
            .retrieve_array_subset(&subset)
            .map_err(|e| fmt_err(&self.path, format!("reading {region:?}: {e}")))?;
        ArrayD::from_shape_vec(IxDyn(&shape), v)
            .map_err(|e| fmt_err(&self.path, format!("reading {region:?}: {e}")))
    }
}

impl Source for ZarrSource {
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
                "region {region:?} is outside an array of shape {:?}",
                self.shape
            )));
        }
        macro_rules! read_as {
            ($($d:ident => $t:ty),*) => {
                match self.dtype {
                    $(DType::$d => self.read_typed::<$t>(region).map(<$t as sealed::Sealed>::into_data),)*
                    other => Err(fmt_err(&self.path, format!("unsupported data type {other}"))),
                }
            };
        }
        read_as!(I8 => i8, I16 => i16, I32 => i32, I64 => i64, U8 => u8, U16 => u16,
            U32 => u32, U64 => u64, F32 => f32, F64 => f64)
    }
}

/// The store directory of `path` (the directory itself, or the parent of a `zarr.json`).
fn store_dir(path: &Path) -> Result<PathBuf> {
    let meta = std::fs::metadata(path).map_err(|e| os(path, e))?;
    if meta.is_dir() {
        return Ok(path.to_path_buf());
    }
    if path.file_name().is_some_and(|n| n == "zarr.json") {
        return Ok(match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        });
    }
    Err(fmt_err(
        path,
        "not a directory: a Zarr store is a directory holding zarr.json",
    ))
}

/// Open the array at the root of the store `path`, with its parsed `"xdas"` layout
/// (`None`: absent).
fn open_array(path: &Path) -> Result<(Array<FilesystemStore>, Option<Layout>)> {
    let meta_file = path.join("zarr.json");
    if meta_file.is_file() {
        // parse it first for clear messages; zarrs then validates it in full
        let text = std::fs::read(&meta_file).map_err(|e| os(&meta_file, e))?;
        let json: Json = serde_json::from_slice(&text)
            .map_err(|e| fmt_err(&meta_file, format!("not valid JSON: {e}")))?;
        match json.get("node_type").and_then(Json::as_str) {
            Some("array") => {}
            Some("group") => {
                return Err(fmt_err(
                    path,
                    "is a Zarr group, not an array (open one of its arrays)",
                ));
            }
            _ => {
                return Err(fmt_err(
                    &meta_file,
                    "no \"node_type\": \"array\": not Zarr v3 array metadata",
                ));
            }
        }
    } else if !path.join(".zarray").is_file() {
        return Err(fmt_err(
            path,
            "no zarr.json (nor a Zarr v2 .zarray): not a Zarr array",
        ));
    }
    let store = FilesystemStore::new(path).map_err(|e| fmt_err(path, e.to_string()))?;
    let array = Array::open(Arc::new(store), "/")
        .map_err(|e| fmt_err(path, format!("opening the array: {e}")))?;
    let layout = match array.attributes().get(LAYOUT_KEY) {
        None => None,
        Some(v) => Some(
            parse_layout(v).map_err(|m| fmt_err(path, format!("attribute {LAYOUT_KEY:?}: {m}")))?,
        ),
    };
    Ok((array, layout))
}

fn zarr_dtype(path: &Path, array: &Array<FilesystemStore>) -> Result<DType> {
    use zarrs::array::data_type::*;
    let t = array.data_type();
    let found = if t.is::<Int8DataType>() {
        DType::I8
    } else if t.is::<Int16DataType>() {
        DType::I16
    } else if t.is::<Int32DataType>() {
        DType::I32
    } else if t.is::<Int64DataType>() {
        DType::I64
    } else if t.is::<UInt8DataType>() {
        DType::U8
    } else if t.is::<UInt16DataType>() {
        DType::U16
    } else if t.is::<UInt32DataType>() {
        DType::U32
    } else if t.is::<UInt64DataType>() {
        DType::U64
    } else if t.is::<Float32DataType>() {
        DType::F32
    } else if t.is::<Float64DataType>() {
        DType::F64
    } else {
        let name = t.to_string();
        return Err(fmt_err(
            path,
            format!("unsupported data type {name} (int8 … uint64, float32, float64 are read)"),
        ));
    };
    Ok(found)
}

/// Open a Zarr array lazily: labels now, samples on [`LazyArray::load`] (only the chunks
/// the selection overlaps are read). `path` is the store directory (or its `zarr.json`).
///
/// ```no_run
/// let da = xdas_io::zarr::open_zarr("run.zarr")?;
/// let first_second = da.isel("time", 0, 1000)?.load_as::<f32>()?;
/// # Ok::<(), xdas_io::IoError>(())
/// ```
pub fn open_zarr(path: impl AsRef<Path>) -> Result<LazyArray> {
    let path = store_dir(path.as_ref())?;
    let (array, layout) = open_array(&path)?;
    let ndim = array.dimensionality();
    let zarr_dims: Option<Vec<Option<String>>> = array.dimension_names().as_ref().map(|names| {
        names
            .iter()
            .map(|n| n.as_deref().map(str::to_string))
            .collect()
    });
    let source = ZarrSource::from_array(path.clone(), array)?;
    let (dims, coords, name, attrs) = match layout {
        Some(l) => {
            if l.dims.len() != ndim {
                return Err(fmt_err(
                    &path,
                    format!(
                        "{} dims {:?} for an array of {ndim} dimensions",
                        l.dims.len(),
                        l.dims
                    ),
                ));
            }
            if let Some(z) = &zarr_dims
                && z.iter()
                    .zip(&l.dims)
                    .any(|(a, b)| a.as_ref().is_some_and(|a| a != b))
            {
                return Err(fmt_err(
                    &path,
                    format!(
                        "dimension_names {z:?} disagree with the {LAYOUT_KEY:?} dims {:?}",
                        l.dims
                    ),
                ));
            }
            (l.dims, l.coords, l.name, l.attrs)
        }
        None => {
            let dims = (0..ndim)
                .map(|i| {
                    zarr_dims
                        .as_ref()
                        .and_then(|z| z.get(i).cloned().flatten())
                        .unwrap_or_else(|| format!("dim_{i}"))
                })
                .collect();
            (dims, Vec::new(), None, None)
        }
    };
    LazyArray::new(Arc::new(source), dims, coords, name, attrs, ENGINE)
        .map_err(|e| fmt_err(&path, e.to_string()))
}

/// The Zarr engine for [`crate::open`]-style detection: accepts a store's `zarr.json`
/// (a directory cannot be probed as a file; [`ZarrEngine::open`] takes either).
#[derive(Debug, Clone, Copy, Default)]
pub struct ZarrEngine;

impl Engine for ZarrEngine {
    fn name(&self) -> &'static str {
        ENGINE
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        if probe.path().file_name().is_none_or(|n| n != "zarr.json") {
            return Err("not a zarr.json file".into());
        }
        let head = String::from_utf8_lossy(probe.head());
        if head.trim_start().starts_with('{') && head.contains("\"zarr_format\"") {
            Ok(())
        } else {
            Err("zarr.json without \"zarr_format\"".into())
        }
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        open_zarr(path)
    }
}

// ---------------------------------------------------------------------------------------
// the "xdas" attribute: writing

fn float_json(x: f64) -> Json {
    if x.is_finite() {
        Json::from(x)
    } else if x.is_nan() {
        Json::from("NaN")
    } else if x > 0.0 {
        Json::from("Infinity")
    } else {
        Json::from("-Infinity")
    }
}

/// The JSON of f64 and datetime axis values (datetimes as int64 ns).
trait AxisJson: AxisValue {
    /// `dtype` of a coordinate of these values.
    const JSON_DTYPE: &'static str;
    fn value_json(self) -> Json;
    fn delta_json(d: Self::Delta) -> Json;
    /// `unit`: nanoseconds per unit (datetimes; 1 for floats).
    fn value_from(v: &Json, unit: i64) -> std::result::Result<Self, String>;
    fn delta_from(v: &Json, unit: i64) -> std::result::Result<Self::Delta, String>;
}

impl AxisJson for f64 {
    const JSON_DTYPE: &'static str = "float64";
    fn value_json(self) -> Json {
        float_json(self)
    }
    fn delta_json(d: f64) -> Json {
        float_json(d)
    }
    fn value_from(v: &Json, _: i64) -> std::result::Result<f64, String> {
        parse_f64(v)
    }
    fn delta_from(v: &Json, _: i64) -> std::result::Result<f64, String> {
        parse_f64(v)
    }
}

impl AxisJson for Datetime {
    const JSON_DTYPE: &'static str = "datetime64[ns]";
    fn value_json(self) -> Json {
        Json::from(self.ns())
    }
    fn delta_json(d: Timedelta) -> Json {
        Json::from(d.ns())
    }
    fn value_from(v: &Json, unit: i64) -> std::result::Result<Datetime, String> {
        parse_ns(v, unit).map(Datetime::from_ns)
    }
    fn delta_from(v: &Json, unit: i64) -> std::result::Result<Timedelta, String> {
        parse_ns(v, unit).map(Timedelta::from_ns)
    }
}

fn axis_header<V: AxisJson>(o: &mut Map<String, Json>) {
    o.insert("dtype".into(), V::JSON_DTYPE.into());
    if V::JSON_DTYPE.starts_with("datetime") {
        o.insert("unit".into(), "ns".into());
    }
}

fn interp_json<V: AxisJson>(c: &InterpCoordinate<V>, o: &mut Map<String, Json>) {
    o.insert("kind".into(), "interpolated".into());
    axis_header::<V>(o);
    o.insert("tie_indices".into(), Json::from(c.tie_indices().to_vec()));
    o.insert(
        "tie_values".into(),
        Json::Array(c.tie_values().iter().map(|v| v.value_json()).collect()),
    );
    let sampling = match (c.ratio(), c.tolerance()) {
        (Some(r), Some(tol)) => {
            let mut s = Map::new();
            s.insert("num".into(), V::delta_json(r.num));
            s.insert("den".into(), Json::from(r.den));
            s.insert("tolerance".into(), V::delta_json(tol));
            Json::Object(s)
        }
        _ => Json::Null,
    };
    o.insert("sampling".into(), sampling);
}

fn sampled_json<V: AxisJson>(c: &SampledCoordinate<V>, o: &mut Map<String, Json>) {
    o.insert("kind".into(), "sampled".into());
    axis_header::<V>(o);
    o.insert(
        "tie_values".into(),
        Json::Array(c.tie_values().iter().map(|v| v.value_json()).collect()),
    );
    o.insert("tie_lengths".into(), Json::from(c.tie_lengths().to_vec()));
    let sampling = match c.ratio() {
        Some(r) => {
            let mut s = Map::new();
            s.insert("num".into(), V::delta_json(r.num));
            s.insert("den".into(), Json::from(r.den));
            Json::Object(s)
        }
        None => Json::Null,
    };
    o.insert("sampling".into(), sampling);
}

fn coord_json(name: &str, c: &Coordinate) -> Json {
    let mut o = Map::new();
    o.insert("name".into(), name.into());
    match c.kind() {
        CoordKind::InterpF64(x) => interp_json(x, &mut o),
        CoordKind::InterpTime(x) => interp_json(x, &mut o),
        CoordKind::SampledF64(x) => sampled_json(x, &mut o),
        CoordKind::SampledTime(x) => sampled_json(x, &mut o),
        CoordKind::Dense(v) => {
            o.insert("kind".into(), "dense".into());
            let values: Vec<Json> = match v {
                Values::F64(x) => {
                    o.insert("dtype".into(), "float64".into());
                    x.iter().map(|&f| float_json(f)).collect()
                }
                Values::I64(x) => {
                    o.insert("dtype".into(), "int64".into());
                    x.iter().map(|&i| Json::from(i)).collect()
                }
                Values::Datetime(x) => {
                    o.insert("dtype".into(), "datetime64[ns]".into());
                    o.insert("unit".into(), "ns".into());
                    x.iter().map(|t| Json::from(t.ns())).collect()
                }
                Values::Str(x) => {
                    o.insert("dtype".into(), "str".into());
                    x.iter().map(|s| Json::from(s.as_str())).collect()
                }
            };
            o.insert("values".into(), Json::Array(values));
        }
        CoordKind::Scalar(s) => {
            o.insert("kind".into(), "scalar".into());
            let value = match s {
                Scalar::F64(x) => {
                    o.insert("dtype".into(), "float64".into());
                    float_json(*x)
                }
                Scalar::I64(x) => {
                    o.insert("dtype".into(), "int64".into());
                    Json::from(*x)
                }
                Scalar::Datetime(t) => {
                    o.insert("dtype".into(), "datetime64[ns]".into());
                    o.insert("unit".into(), "ns".into());
                    Json::from(t.ns())
                }
                Scalar::Timedelta(t) => {
                    o.insert("dtype".into(), "timedelta64[ns]".into());
                    o.insert("unit".into(), "ns".into());
                    Json::from(t.ns())
                }
                Scalar::Str(x) => {
                    o.insert("dtype".into(), "str".into());
                    Json::from(x.as_str())
                }
            };
            o.insert("value".into(), value);
        }
    }
    if let Some(d) = c.dim() {
        o.insert("dim".into(), d.into());
    }
    // readable key order: name, kind, dim, dtype, unit, then the data
    let mut ordered = Map::new();
    for k in ["name", "kind", "dim", "dtype", "unit"] {
        if let Some(v) = o.remove(k) {
            ordered.insert(k.into(), v);
        }
    }
    ordered.extend(o);
    Json::Object(ordered)
}

fn typed(key: &str, v: Json) -> Json {
    let mut o = Map::new();
    o.insert(key.into(), v);
    Json::Object(o)
}

fn attr_json(v: &AttrValue) -> Json {
    match v {
        AttrValue::Str(s) => Json::from(s.as_str()),
        AttrValue::Int(i) => Json::from(*i),
        AttrValue::Float(x) if x.is_finite() => Json::from(*x),
        AttrValue::Float(x) => typed("float64", float_json(*x)),
        AttrValue::IntArray(v) if v.is_empty() => typed("int64", Json::Array(vec![])),
        AttrValue::IntArray(v) => Json::from(v.clone()),
        AttrValue::FloatArray(v) => {
            let arr = Json::Array(v.iter().map(|&x| float_json(x)).collect());
            if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
                typed("float64", arr)
            } else {
                arr
            }
        }
        AttrValue::StrArray(v) if v.is_empty() => typed("str", Json::Array(vec![])),
        AttrValue::StrArray(v) => Json::from(v.clone()),
    }
}

fn layout_json<'a>(
    dims: &[String],
    name: Option<&str>,
    attrs: Option<&Attrs>,
    coords: impl Iterator<Item = (&'a str, &'a Coordinate)>,
) -> Json {
    let mut o = Map::new();
    o.insert("version".into(), LAYOUT_VERSION.into());
    o.insert("dims".into(), Json::from(dims.to_vec()));
    o.insert("name".into(), name.map_or(Json::Null, Json::from));
    o.insert(
        "attrs".into(),
        attrs.map_or(Json::Null, |a| {
            Json::Object(
                a.iter()
                    .map(|(k, v)| (k.to_string(), attr_json(v)))
                    .collect(),
            )
        }),
    );
    o.insert(
        "coords".into(),
        Json::Array(coords.map(|(k, c)| coord_json(k, c)).collect()),
    );
    Json::Object(o)
}

// ---------------------------------------------------------------------------------------
// the "xdas" attribute: reading (errors are messages; the caller adds the path)

type Msg<T> = std::result::Result<T, String>;

struct Layout {
    dims: Vec<String>,
    name: Option<String>,
    attrs: Option<Attrs>,
    coords: Vec<(String, Coordinate)>,
}

fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn parse_f64(v: &Json) -> Msg<f64> {
    match v {
        Json::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a float")),
        Json::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(format!("{s:?} is not a number")),
        },
        other => Err(format!("expected a number, found {}", kind_of(other))),
    }
}

fn parse_i64(v: &Json) -> Msg<i64> {
    v.as_i64()
        .ok_or_else(|| format!("expected an int64 integer, found {v}"))
}

fn parse_usize(v: &Json) -> Msg<usize> {
    v.as_u64()
        .and_then(|x| usize::try_from(x).ok())
        .ok_or_else(|| format!("expected a non-negative integer, found {v}"))
}

fn parse_ns(v: &Json, unit: i64) -> Msg<i64> {
    let x = parse_i64(v)?;
    x.checked_mul(unit)
        .ok_or_else(|| format!("{x} overflows int64 nanoseconds"))
}

fn get<'a>(o: &'a Map<String, Json>, key: &str) -> Msg<&'a Json> {
    o.get(key).ok_or_else(|| format!("missing {key:?}"))
}

fn get_str<'a>(o: &'a Map<String, Json>, key: &str) -> Msg<&'a str> {
    let v = get(o, key)?;
    v.as_str()
        .ok_or_else(|| format!("{key:?} must be a string, found {}", kind_of(v)))
}

fn get_array<'a>(o: &'a Map<String, Json>, key: &str) -> Msg<&'a Vec<Json>> {
    let v = get(o, key)?;
    v.as_array()
        .ok_or_else(|| format!("{key:?} must be an array, found {}", kind_of(v)))
}

fn each<T>(o: &Map<String, Json>, key: &str, f: impl Fn(&Json) -> Msg<T>) -> Msg<Vec<T>> {
    get_array(o, key)?
        .iter()
        .enumerate()
        .map(|(i, v)| f(v).map_err(|m| format!("{key}[{i}]: {m}")))
        .collect()
}

/// The value type of a coordinate object, with nanoseconds per unit for times.
#[derive(Debug, Clone, Copy, PartialEq)]
enum VType {
    F64,
    I64,
    Str,
    Datetime(i64),
    Timedelta(i64),
}

fn vtype(o: &Map<String, Json>) -> Msg<VType> {
    let dtype = get_str(o, "dtype")?;
    let time_unit = |base: &str| -> Msg<i64> {
        let bracket = dtype
            .strip_prefix(base)
            .filter(|r| !r.is_empty())
            .map(|r| {
                r.strip_prefix('[')
                    .and_then(|r| r.strip_suffix(']'))
                    .ok_or_else(|| format!("bad dtype {dtype:?}"))
            })
            .transpose()?;
        let field = match o.get("unit") {
            None => None,
            Some(u) => Some(
                u.as_str()
                    .ok_or_else(|| format!("\"unit\" must be a string, found {}", kind_of(u)))?,
            ),
        };
        let unit = match (bracket, field) {
            (Some(a), Some(b)) if a != b => {
                return Err(format!("dtype {dtype:?} disagrees with unit {b:?}"));
            }
            (Some(a), _) => a,
            (None, Some(b)) => b,
            (None, None) => return Err(format!("dtype {dtype:?} needs a \"unit\"")),
        };
        match unit {
            "ns" => Ok(1),
            "us" => Ok(1_000),
            "ms" => Ok(1_000_000),
            "s" => Ok(1_000_000_000),
            u => Err(format!("unknown time unit {u:?} (s, ms, us, ns)")),
        }
    };
    Ok(match dtype {
        "float64" => VType::F64,
        "int64" => VType::I64,
        "str" => VType::Str,
        d if d.starts_with("datetime64") => VType::Datetime(time_unit("datetime64")?),
        d if d.starts_with("timedelta64") => VType::Timedelta(time_unit("timedelta64")?),
        d => return Err(format!("unknown dtype {d:?}")),
    })
}

fn parse_interp<V: AxisJson>(o: &Map<String, Json>, unit: i64) -> Msg<InterpCoordinate<V>> {
    let ti = each(o, "tie_indices", parse_usize)?;
    let tv = each(o, "tie_values", |v| V::value_from(v, unit))?;
    let c = InterpCoordinate::new(ti, tv).map_err(|e| e.to_string())?;
    match o.get("sampling") {
        None | Some(Json::Null) => Ok(c),
        Some(Json::Object(s)) => {
            let at = |k: &str, m: String| format!("sampling.{k}: {m}");
            let num = V::delta_from(get(s, "num")?, unit).map_err(|m| at("num", m))?;
            let den = get(s, "den")?
                .as_u64()
                .filter(|&d| d > 0)
                .ok_or_else(|| at("den", "expected a positive integer".into()))?;
            let tol = V::delta_from(get(s, "tolerance")?, unit).map_err(|m| at("tolerance", m))?;
            c.with_rate(num, den, Some(tol)).map_err(|e| e.to_string())
        }
        Some(other) => Err(format!(
            "\"sampling\" must be an object or null, found {}",
            kind_of(other)
        )),
    }
}

fn parse_sampled<V: AxisJson>(o: &Map<String, Json>, unit: i64) -> Msg<SampledCoordinate<V>> {
    let tv = each(o, "tie_values", |v| V::value_from(v, unit))?;
    let tl = each(o, "tie_lengths", parse_usize)?;
    match o.get("sampling") {
        None | Some(Json::Null) if tv.is_empty() && tl.is_empty() => Ok(SampledCoordinate::empty()),
        None | Some(Json::Null) => Err("a sampled coordinate needs \"sampling\"".into()),
        Some(Json::Object(s)) => {
            let num =
                V::delta_from(get(s, "num")?, unit).map_err(|m| format!("sampling.num: {m}"))?;
            let den = get(s, "den")?
                .as_u64()
                .filter(|&d| d > 0)
                .ok_or_else(|| "sampling.den: expected a positive integer".to_string())?;
            SampledCoordinate::new(tv, tl, num, den).map_err(|e| e.to_string())
        }
        Some(other) => Err(format!(
            "\"sampling\" must be an object, found {}",
            kind_of(other)
        )),
    }
}

fn parse_coord(v: &Json) -> Msg<(String, Coordinate)> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("expected an object, found {}", kind_of(v)))?;
    let name = get_str(o, "name")?.to_string();
    let inner = || -> Msg<Coordinate> {
        let kind = get_str(o, "kind")?;
        let t = vtype(o)?;
        let dim = || get_str(o, "dim");
        let unsupported = || {
            Err(format!(
                "a {kind} coordinate cannot hold {} values",
                get_str(o, "dtype").unwrap_or("?")
            ))
        };
        Ok(match kind {
            "interpolated" => match t {
                VType::F64 => Coordinate::new(parse_interp::<f64>(o, 1)?, dim()?),
                VType::Datetime(u) => Coordinate::new(parse_interp::<Datetime>(o, u)?, dim()?),
                _ => return unsupported(),
            },
            "sampled" => match t {
                VType::F64 => Coordinate::new(parse_sampled::<f64>(o, 1)?, dim()?),
                VType::Datetime(u) => Coordinate::new(parse_sampled::<Datetime>(o, u)?, dim()?),
                _ => return unsupported(),
            },
            "dense" => {
                let values = match t {
                    VType::F64 => Values::F64(each(o, "values", parse_f64)?),
                    VType::I64 => Values::I64(each(o, "values", parse_i64)?),
                    VType::Str => Values::Str(each(o, "values", |v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| format!("expected a string, found {}", kind_of(v)))
                    })?),
                    VType::Datetime(u) => Values::Datetime(each(o, "values", |v| {
                        parse_ns(v, u).map(Datetime::from_ns)
                    })?),
                    VType::Timedelta(_) => return unsupported(),
                };
                Coordinate::dense(values, dim()?)
            }
            "scalar" => {
                let v = get(o, "value")?;
                let s = match t {
                    VType::F64 => Scalar::F64(parse_f64(v)?),
                    VType::I64 => Scalar::I64(parse_i64(v)?),
                    VType::Str => Scalar::Str(
                        v.as_str()
                            .ok_or_else(|| format!("expected a string, found {}", kind_of(v)))?
                            .to_string(),
                    ),
                    VType::Datetime(u) => Scalar::Datetime(Datetime::from_ns(parse_ns(v, u)?)),
                    VType::Timedelta(u) => Scalar::Timedelta(Timedelta::from_ns(parse_ns(v, u)?)),
                };
                Coordinate::scalar(s)
            }
            k => {
                return Err(format!(
                    "unknown kind {k:?} (interpolated, sampled, dense, scalar)"
                ));
            }
        })
    };
    let c = inner().map_err(|m| format!("coordinate {name:?}: {m}"))?;
    Ok((name, c))
}

fn parse_attr(v: &Json) -> Msg<AttrValue> {
    fn floats(a: &[Json]) -> Msg<Vec<f64>> {
        a.iter()
            .enumerate()
            .map(|(i, x)| parse_f64(x).map_err(|m| format!("[{i}]: {m}")))
            .collect()
    }
    match v {
        Json::String(s) => Ok(AttrValue::Str(s.clone())),
        Json::Number(n) => match (n.as_i64(), n.is_f64()) {
            (Some(i), _) => Ok(AttrValue::Int(i)),
            (None, true) => Ok(AttrValue::Float(n.as_f64().unwrap_or(f64::NAN))),
            (None, false) => Err(format!("{n} does not fit in int64")),
        },
        Json::Array(a) if a.is_empty() => Err(
            "an empty array is ambiguous: write {\"int64\": []}, {\"float64\": []} or {\"str\": []}"
                .into(),
        ),
        Json::Array(a) => {
            if a.iter().all(Json::is_string) {
                Ok(AttrValue::StrArray(
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect(),
                ))
            } else if a.iter().all(Json::is_i64) {
                Ok(AttrValue::IntArray(a.iter().filter_map(Json::as_i64).collect()))
            } else if a.iter().all(Json::is_number) {
                Ok(AttrValue::FloatArray(floats(a)?))
            } else {
                Err("an array must hold only strings or only numbers".into())
            }
        }
        Json::Object(o) if o.len() == 1 => {
            let (k, x) = o.iter().next().expect("one entry");
            match (k.as_str(), x) {
                ("float64", Json::Array(a)) => Ok(AttrValue::FloatArray(floats(a)?)),
                ("float64", x) => Ok(AttrValue::Float(parse_f64(x)?)),
                ("int64", Json::Array(a)) => Ok(AttrValue::IntArray(
                    a.iter()
                        .enumerate()
                        .map(|(i, x)| parse_i64(x).map_err(|m| format!("[{i}]: {m}")))
                        .collect::<Msg<_>>()?,
                )),
                ("int64", x) => Ok(AttrValue::Int(parse_i64(x)?)),
                ("str", Json::Array(a)) => Ok(AttrValue::StrArray(
                    a.iter()
                        .enumerate()
                        .map(|(i, x)| {
                            x.as_str()
                                .map(str::to_string)
                                .ok_or_else(|| format!("[{i}]: expected a string"))
                        })
                        .collect::<Msg<_>>()?,
                )),
                ("str", Json::String(s)) => Ok(AttrValue::Str(s.clone())),
                (k, _) => Err(format!(
                    "unknown typed value {{{k:?}: ...}} (float64, int64, str)"
                )),
            }
        }
        other => Err(format!("unsupported value: {}", kind_of(other))),
    }
}

fn parse_layout(v: &Json) -> Msg<Layout> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("expected an object, found {}", kind_of(v)))?;
    let version = get(o, "version")?
        .as_i64()
        .ok_or_else(|| "\"version\" must be an integer".to_string())?;
    if version != LAYOUT_VERSION {
        return Err(format!(
            "layout version {version} is not supported (this reader knows {LAYOUT_VERSION})"
        ));
    }
    let dims = each(o, "dims", |d| {
        d.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("expected a string, found {}", kind_of(d)))
    })?;
    for (i, d) in dims.iter().enumerate() {
        if dims[..i].contains(d) {
            return Err(format!("dim {d:?} given twice"));
        }
    }
    let name = match o.get("name") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(format!(
                "\"name\" must be a string or null, found {}",
                kind_of(other)
            ));
        }
    };
    let attrs = match o.get("attrs") {
        None | Some(Json::Null) => None,
        Some(Json::Object(a)) => {
            let mut attrs = Attrs::new();
            for (k, v) in a {
                attrs.insert(k, parse_attr(v).map_err(|m| format!("attrs.{k}: {m}"))?);
            }
            Some(attrs)
        }
        Some(other) => {
            return Err(format!(
                "\"attrs\" must be an object or null, found {}",
                kind_of(other)
            ));
        }
    };
    let coords = match o.get("coords") {
        None | Some(Json::Null) => Vec::new(),
        Some(_) => get_array(o, "coords")?
            .iter()
            .enumerate()
            .map(|(i, c)| parse_coord(c).map_err(|m| format!("coords[{i}]: {m}")))
            .collect::<Msg<Vec<_>>>()?,
    };
    for (i, (k, _)) in coords.iter().enumerate() {
        if coords[..i].iter().any(|(n, _)| n == k) {
            return Err(format!("coordinate {k:?} given twice"));
        }
    }
    Ok(Layout {
        dims,
        name,
        attrs,
        coords,
    })
}
