//! The native format of Python xdas: NetCDF4 / HDF5 files following CF-1.13 (xdas
//! 0.2.10), CF-1.9 (xdas 0.2.7) and the older spellings.
//!
//! # Layout
//!
//! One group (the root, or a collection leaf) holds:
//!
//! * `Conventions` containing `"CF"` (xdas refuses other files);
//! * the data variable (`__values__` when the array has no name), whose
//!   netCDF-4 dimension scales give the dims, and whose attributes are the user's plus
//!   `coordinate_interpolation` / `coordinate_sampling`;
//! * per interpolated coordinate `c` (CF-1.13 "coordinate subsampling"): `c_indices` and
//!   `c_values` on the dim `c_points`, and the NaN container `c_interpolation` whose
//!   attributes give the dim (`tie_point_mapping = "dim: c_indices c_points"`) and the
//!   exact rate (`sampling_interval`, or `sampling_numerator` / `sampling_denominator`,
//!   and `tolerance`; timedeltas as `key`, `key_dtype`, `key_units`);
//! * per sampled coordinate: `c_values`, `c_lengths` and the container `c_sampling`;
//! * dense and scalar coordinates as ordinary (xarray) coordinate variables.
//!
//! Datetimes are CF numbers (`"milliseconds since 2023-01-01 00:00:00"`, any unit from
//! days to nanoseconds, any reference spelling, integers or floats). The 0.2.7 spelling
//! (`"time: time_indices time_values"`, interpolation variables without rate, sampled
//! intervals as the container's value) reads as well. Data are read lazily
//! ([`crate::h5::H5Dataset`]: one hyperslab per block, whatever the layout: contiguous,
//! chunked with deflate/shuffle, or an HDF5 virtual dataset whose sources are found beside
//! the virtual file).
//!
//! Collections (`DataCollection.to_netcdf`) are groups `/<level>/<key>/…`; they open as a
//! [`LazyCollection`] with [`open_collection`]. [`crate::open`] opens a file holding one
//! array (or a collection with a single leaf) as that array.
//!
//! # Writing
//!
//! [`write()`] (in-memory arrays), [`write_lazy`] (streamed by blocks) and
//! [`write_virtual`] (an HDF5 virtual dataset over the files a lazy array reads) write the
//! CF-1.13 layout exactly as xdas 0.2.10 does, dimension scales included, so that
//! `xdas.open_dataarray` reads the files back `equals` to the source.
//!
//! # Checking interoperability with Python xdas
//!
//! The test `python_xdas_reads_what_we_write` (in `tests/native.rs`) does the check
//! whenever a Python with xdas 0.2.10 is around (`XDAS_PYTHON`, default
//! `/tmp/venv/bin/python`; the test says "skipping" otherwise):
//!
//! ```text
//! XDAS_PYTHON=/tmp/venv/bin/python XDAS_INTEROP_DIR=/tmp/interop \
//!     cargo test -p xdas-io --test native python -- --nocapture
//! ```
//!
//! 1. Rust writes arrays with every coordinate kind (interpolated with and without rate,
//!    with gaps and a `num/den` rate, sampled, dense floats/datetimes/strings, scalars,
//!    non-dimensional coordinates), a float32 chunked/deflated file, an HDF5 virtual
//!    dataset over three files, and a nested collection; beside each file a `.json`
//!    (dims, shape, dtype, name, coordinate kinds) and a `.raw` copy of the samples.
//! 2. Python opens each with `xd.open_dataarray` (`xd.open_datacollection`), checks it
//!    against the JSON and the samples, writes it back with `to_netcdf` and checks that
//!    the copy reads back `equals`.
//! 3. Rust reads Python's copies and checks they `equals` the arrays it wrote.
//!
//! `XDAS_INTEROP_DIR` keeps the files for a look with `h5dump` or h5py (the default is a
//! temporary directory, removed afterwards).
//!
//! ```no_run
//! let da = xdas_io::open("/work/shared/data/das/xdas_netcdf.nc").unwrap();
//! assert_eq!(da.engine(), "netcdf");
//! let block = da.isel("time", 0, 100).unwrap().load_as::<f64>().unwrap();
//! assert_eq!(block.shape(), &[100, 401]);
//! ```

mod cf;
mod read;
mod write;

use std::path::Path;

use crate::engine::{Engine, Probe};
use crate::error::Result;
use crate::lazy::LazyArray;

pub use read::LazyCollection;
pub use write::{
    NativeElement, WriteOptions, described, write, write_collection, write_lazy, write_virtual,
};

/// The engine of the native format (`"netcdf"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NetcdfEngine;

impl Engine for NetcdfEngine {
    fn name(&self) -> &'static str {
        read::ENGINE
    }

    fn detect(&self, probe: &Probe) -> std::result::Result<(), String> {
        let file = match probe.hdf5() {
            Ok(f) => f,
            Err(why) if probe.head().starts_with(b"\x89HDF\r\n\x1a\n") => {
                // say what the library says: truncated files are the usual cause
                let detail = crate::h5::open(probe.path())
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or(why);
                return Err(format!("an HDF5 file that cannot be opened: {detail}"));
            }
            Err(why) => return Err(why),
        };
        read::detect(file)
    }

    fn open(&self, path: &Path) -> Result<LazyArray> {
        match read::read_file(path)? {
            LazyCollection::Array(a) => Ok(a),
            tree => {
                let leaves = tree.leaves();
                if leaves.len() == 1 {
                    return Ok(leaves[0].1.clone());
                }
                let keys: Vec<&str> = leaves.iter().map(|(k, _)| k.as_str()).collect();
                Err(crate::IoError::format(
                    path,
                    read::ENGINE,
                    format!(
                        "the file holds a collection of {} arrays ({}): open it with \
                         `native::open_collection`",
                        leaves.len(),
                        keys.join(", ")
                    ),
                ))
            }
        }
    }
}

/// The engines of this module.
pub(crate) const ENGINES: &[&dyn Engine] = &[&NetcdfEngine];

/// Open a native file as a tree of lazy arrays: [`LazyCollection::Array`] for a file
/// holding one array, mappings and sequences for collections.
///
/// ```no_run
/// use xdas_io::native::open_collection;
/// let tree = open_collection("network.nc").unwrap();
/// for (key, array) in tree.leaves() {
///     println!("{key}: {:?}", array.shape());
/// }
/// ```
pub fn open_collection(path: impl AsRef<Path>) -> Result<LazyCollection> {
    read::read_file(path.as_ref())
}

/// The `(file, dataset)` pairs a file's data variable maps when it is an HDF5 virtual
/// dataset (as stored: relative names are relative to the virtual file's directory);
/// empty for ordinary files.
///
/// ```no_run
/// let sources = xdas_io::native::virtual_sources("day_vds.nc").unwrap();
/// for (file, dataset) in sources {
///     println!("{file}:{dataset}");
/// }
/// ```
pub fn virtual_sources(path: impl AsRef<Path>) -> Result<Vec<(String, String)>> {
    let path = path.as_ref();
    let lazy = NetcdfEngine.open(path)?;
    let file = crate::h5::open(path)?;
    let Some(piece) = lazy.source().pieces().and_then(|p| p.into_iter().next()) else {
        return Ok(Vec::new());
    };
    let ds = file
        .dataset(&piece.dataset)
        .map_err(|e| crate::IoError::hdf5(path, e))?;
    Ok(read::virtual_sources(&ds))
}
