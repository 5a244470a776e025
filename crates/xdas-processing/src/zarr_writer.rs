//! [`ZarrOutput`]: one Zarr v3 array, appended chunk by chunk along the chunk dim.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use xdas_atoms::Chunk;
use xdas_io::zarr::{ZarrOptions, ZarrWriter};

use crate::error::{ProcessError, Result};
use crate::writer::Writer;

enum Inner {
    F32(ZarrWriter<f32>),
    F64(ZarrWriter<f64>),
}

/// Streams output chunks into one Zarr array (created at the first chunk, with that
/// chunk's dtype).
pub struct ZarrOutput {
    path: PathBuf,
    dim: String,
    inner: Option<Inner>,
    length: usize,
}

fn werr(e: impl std::fmt::Display) -> ProcessError {
    ProcessError::Write(e.to_string())
}

impl ZarrOutput {
    /// Write to `path` along `dim`; with `resume`, continue the array already there.
    pub fn create(path: &Path, dim: &str, resume: bool) -> Result<Self> {
        if !resume && path.exists() {
            std::fs::remove_dir_all(path).map_err(|e| werr(format!("{}: {e}", path.display())))?;
        }
        Ok(ZarrOutput {
            path: path.to_path_buf(),
            dim: dim.to_string(),
            inner: None,
            length: 0,
        })
    }

    fn axis_len(&self) -> usize {
        self.length
    }
}

impl Writer for ZarrOutput {
    fn write(&mut self, chunk: Chunk) -> Result<u64> {
        if self.inner.is_none() {
            let opts = ZarrOptions::default();
            self.inner = Some(match &chunk {
                Chunk::F32(_) => {
                    Inner::F32(ZarrWriter::create(&self.path, &self.dim, opts).map_err(werr)?)
                }
                Chunk::F64(_) => {
                    Inner::F64(ZarrWriter::create(&self.path, &self.dim, opts).map_err(werr)?)
                }
                other => {
                    return Err(werr(format!(
                        "Zarr output takes real arrays, not {}",
                        other.dtype_name()
                    )));
                }
            });
        }
        let (n, bytes) = match (self.inner.as_mut().expect("created"), &chunk) {
            (Inner::F32(w), Chunk::F32(da)) => {
                w.append(da).map_err(werr)?;
                (
                    da.shape()[da.axis(&self.dim).map_err(werr)?],
                    da.data().len() as u64 * 4,
                )
            }
            (Inner::F64(w), Chunk::F64(da)) => {
                w.append(da).map_err(werr)?;
                (
                    da.shape()[da.axis(&self.dim).map_err(werr)?],
                    da.data().len() as u64 * 8,
                )
            }
            (_, other) => {
                return Err(werr(format!(
                    "a {} chunk after chunks of another type",
                    other.dtype_name()
                )));
            }
        };
        self.length += n;
        Ok(bytes)
    }

    fn progress(&self) -> Value {
        let dtype = match &self.inner {
            Some(Inner::F32(_)) => "float32",
            Some(Inner::F64(_)) => "float64",
            None => "none",
        };
        json!({ "length": self.axis_len(), "dtype": dtype })
    }

    fn resume(&mut self, progress: &Value) -> Result<()> {
        let length = progress["length"].as_u64().unwrap_or(0) as usize;
        self.length = length;
        match progress["dtype"].as_str() {
            Some("float32") => {
                let mut w = ZarrWriter::<f32>::open(&self.path, &self.dim).map_err(werr)?;
                w.truncate(length).map_err(werr)?;
                self.inner = Some(Inner::F32(w));
            }
            Some("float64") => {
                let mut w = ZarrWriter::<f64>::open(&self.path, &self.dim).map_err(werr)?;
                w.truncate(length).map_err(werr)?;
                self.inner = Some(Inner::F64(w));
            }
            _ => {
                if self.path.exists() {
                    std::fs::remove_dir_all(&self.path).map_err(werr)?;
                }
                self.inner = None;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        match self.inner.take() {
            Some(Inner::F32(w)) => w.finish().map_err(werr),
            Some(Inner::F64(w)) => w.finish().map_err(werr),
            None => Ok(()),
        }
    }
}
