//! Engines: one per file format, chosen from the file's content.
//!
//! [`open`] offers the file to every engine in turn ([`engines`]); each says quickly
//! whether the content is its format ([`Engine::detect`]) and why not. The first that
//! accepts opens it; when none does, the error lists every engine and its reason.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use crate::error::{IoError, Result};
use crate::lazy::LazyArray;

/// What an engine can look at to recognise a file: its first bytes, and the file opened
/// as HDF5 (once, shared by every HDF5 engine).
pub struct Probe {
    path: PathBuf,
    head: Vec<u8>,
    hdf5: OnceCell<std::result::Result<hdf5::File, String>>,
}

impl Probe {
    /// Read the first 4 KiB of `path`.
    pub fn new(path: &Path) -> Result<Probe> {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|source| IoError::Os {
            path: path.to_path_buf(),
            source,
        })?;
        let mut head = Vec::with_capacity(4096);
        f.by_ref()
            .take(4096)
            .read_to_end(&mut head)
            .map_err(|source| IoError::Os {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Probe {
            path: path.to_path_buf(),
            head,
            hdf5: OnceCell::new(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its first bytes (up to 4 KiB).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The file opened as HDF5, or why it cannot be.
    pub fn hdf5(&self) -> std::result::Result<&hdf5::File, String> {
        self.hdf5
            .get_or_init(|| {
                crate::h5::open(&self.path).map_err(|e| match e {
                    // the path is already in the error's context
                    IoError::Hdf5 { message, .. } => {
                        format!("not a readable HDF5 file ({message})")
                    }
                    _ => "not an HDF5 file".to_string(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// One file format.
pub trait Engine: Sync {
    /// Short name (`"netcdf"`, `"febus"`, `"tdms"`, ...), as xdas's `engine=`.
    fn name(&self) -> &'static str;
    /// `Ok` when the file is in this format; otherwise why not (one short line).
    fn detect(&self, probe: &Probe) -> std::result::Result<(), String>;
    /// Open the file lazily (metadata only).
    fn open(&self, path: &Path) -> Result<LazyArray>;
}

/// Every engine, in the order [`open`] tries them.
pub fn engines() -> Vec<&'static dyn Engine> {
    let mut all: Vec<&'static dyn Engine> = Vec::new();
    all.extend_from_slice(crate::native::ENGINES);
    all.extend_from_slice(crate::vendors::ENGINES);
    all
}

/// The engine called `name`.
pub fn engine(name: &str) -> Result<&'static dyn Engine> {
    engines()
        .into_iter()
        .find(|e| e.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = engines().iter().map(|e| e.name()).collect();
            IoError::Invalid(format!(
                "unknown engine {name:?} (known: {})",
                names.join(", ")
            ))
        })
}

/// Open one file lazily with the engine its content calls for.
pub fn open(path: impl AsRef<Path>) -> Result<LazyArray> {
    let path = path.as_ref();
    // a Zarr store is a directory
    if path.is_dir() {
        if path.join("zarr.json").is_file() {
            return crate::zarr::open_zarr(path);
        }
        return Err(IoError::Invalid(format!(
            "{}: a directory that is not a Zarr store (open its files instead)",
            path.display()
        )));
    }
    let probe = Probe::new(path)?;
    let mut tried = Vec::new();
    for e in engines() {
        match e.detect(&probe) {
            Ok(()) => return e.open(path),
            Err(why) => tried.push((e.name().to_string(), why)),
        }
    }
    Err(IoError::Unknown {
        path: path.to_path_buf(),
        tried,
    })
}

/// Open one file with a given engine (no detection).
pub fn open_with(path: impl AsRef<Path>, engine_name: &str) -> Result<LazyArray> {
    engine(engine_name)?.open(path.as_ref())
}
