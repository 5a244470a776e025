//! [`DataArrayWriter`]: a directory of native files, one per output chunk
//! (`000000000.nc`, `000000001.nc`, ...), plus `index.nc`, a virtual dataset over them that
//! Python xdas 0.2.10 opens with `xd.open_dataarray` as the whole result.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use xdas_atoms::Chunk;
use xdas_io::LazyArray;
use xdas_io::native::{WriteOptions, described, write, write_virtual};

use crate::error::{ProcessError, Result};
use crate::writer::Writer;

/// Name of the virtual dataset written by [`Writer::finish`].
pub const INDEX: &str = "index.nc";

/// One native file per output chunk, and `index.nc` over all of them.
pub struct DataArrayWriter {
    dir: PathBuf,
    options: WriteOptions,
    /// Files written since the last [`Writer::sync`].
    unsynced: Vec<PathBuf>,
    /// What each chunk file `0..` holds, as written (`None`: written by an earlier run,
    /// read back from the file for the index).
    written: Vec<Option<LazyArray>>,
    dim: String,
    /// The file being written on a helper thread (see [`Writer::write`]).
    inflight: Option<std::thread::JoinHandle<Result<()>>>,
}

fn werr(e: impl std::fmt::Display) -> ProcessError {
    ProcessError::Write(e.to_string())
}

/// The outcome of a file written on a helper thread, once it is done.
fn finished(h: std::thread::JoinHandle<Result<()>>) -> Result<()> {
    h.join()
        .unwrap_or_else(|_| Err(werr("the file-writing thread panicked")))
}

fn is_chunk_file(name: &str) -> Option<usize> {
    let stem = name.strip_suffix(".nc")?;
    (stem.len() == 9 && stem.bytes().all(|b| b.is_ascii_digit())).then(|| stem.parse().ok())?
}

impl DataArrayWriter {
    /// Write into `dir` (created if needed; earlier chunk files and index there are
    /// deleted), joining along `dim` in the index.
    pub fn create(dir: &Path, dim: &str, options: WriteOptions) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| werr(format!("{}: {e}", dir.display())))?;
        let mut w = DataArrayWriter {
            dir: dir.to_path_buf(),
            options,
            unsynced: Vec::new(),
            written: Vec::new(),
            dim: dim.to_string(),
            inflight: None,
        };
        w.remove_from(0)?;
        Ok(w)
    }

    /// Continue writing into `dir` (with [`Writer::resume`], which removes chunk files
    /// written after the checkpoint).
    pub fn open(dir: &Path, dim: &str, options: WriteOptions) -> Result<Self> {
        if !dir.is_dir() {
            return Err(werr(format!(
                "{}: no output directory to continue",
                dir.display()
            )));
        }
        Ok(DataArrayWriter {
            dir: dir.to_path_buf(),
            options,
            unsynced: Vec::new(),
            written: Vec::new(),
            dim: dim.to_string(),
            inflight: None,
        })
    }

    /// The output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The files written, in order.
    pub fn files(&self) -> Vec<PathBuf> {
        (0..self.written.len()).map(|i| self.file(i)).collect()
    }

    fn file(&self, i: usize) -> PathBuf {
        self.dir.join(format!("{i:09}.nc"))
    }

    /// Wait for the file being written on the helper thread; its error, if any.
    fn settle(&mut self) -> Result<()> {
        self.inflight.take().map_or(Ok(()), finished)
    }

    /// Delete chunk files numbered `from` and above, and the index.
    fn remove_from(&mut self, from: usize) -> Result<()> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| werr(format!("{}: {e}", self.dir.display())))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let stale = match is_chunk_file(&name) {
                Some(i) => i >= from,
                None => name == INDEX,
            };
            if stale {
                std::fs::remove_file(entry.path()).map_err(werr)?;
            }
        }
        Ok(())
    }
}

impl Writer for DataArrayWriter {
    /// Each file is written on a helper thread while the next chunk's arrives: the HDF5
    /// layout of one file (serialised by the library's lock) then overlaps with the
    /// direct write of the previous file's samples, and the disk always has a write in
    /// flight. At most one file is in flight; its error comes out of the next call.
    fn write(&mut self, chunk: Chunk) -> Result<u64> {
        let path = self.file(self.written.len());
        let (bytes, described) = match &chunk {
            Chunk::F32(da) => ((da.data().len() * 4) as u64, described(da, &path)),
            Chunk::F64(da) => ((da.data().len() * 8) as u64, described(da, &path)),
            other => {
                return Err(werr(format!(
                    "{}: native files hold real arrays, not {} (use a .csv output for picks)",
                    self.dir.display(),
                    other.dtype_name()
                )));
            }
        };
        let described = described.map_err(werr)?;
        let options = self.options.clone();
        let target = path.clone();
        let handle = std::thread::Builder::new()
            .name("xdas-write".into())
            .spawn(move || match &chunk {
                Chunk::F32(da) => write(da, &target, &options).map_err(werr),
                Chunk::F64(da) => write(da, &target, &options).map_err(werr),
                _ => Ok(()),
            })
            .map_err(werr)?;
        let previous = self.inflight.replace(handle);
        self.written.push(Some(described));
        self.unsynced.push(path);
        previous.map_or(Ok(()), finished)?;
        Ok(bytes)
    }

    fn sync(&mut self) -> Result<()> {
        self.settle()?;
        for p in &self.unsynced {
            let f = std::fs::File::open(p).map_err(werr)?;
            f.sync_all().map_err(werr)?;
        }
        self.unsynced.clear();
        // the directory entries of the new files
        if let Ok(d) = std::fs::File::open(&self.dir) {
            d.sync_all().map_err(werr)?;
        }
        Ok(())
    }

    fn progress(&self) -> Value {
        json!({ "files": self.written.len() })
    }

    fn resume(&mut self, progress: &Value) -> Result<()> {
        self.settle()?;
        let n = progress["files"]
            .as_u64()
            .ok_or_else(|| ProcessError::Checkpoint("writer progress without \"files\"".into()))?
            as usize;
        for i in 0..n {
            if !self.file(i).exists() {
                return Err(ProcessError::Checkpoint(format!(
                    "{} is missing: the output directory changed since the checkpoint",
                    self.file(i).display()
                )));
            }
        }
        self.remove_from(n)?;
        self.unsynced.clear();
        self.written = vec![None; n];
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.settle()?;
        if self.written.is_empty() {
            return Ok(());
        }
        // the chunks as written (no reopening: 100 files took 0.3 s to open again), and
        // files of an earlier run as read back
        let arrays = self
            .written
            .iter()
            .enumerate()
            .map(|(i, w)| match w {
                Some(a) => Ok(a.clone()),
                None => xdas_io::open(self.file(i)).map_err(werr),
            })
            .collect::<Result<Vec<_>>>()?;
        let joined = xdas_io::combine(arrays, &self.dim).map_err(werr)?;
        let lazy = joined.as_array().ok_or_else(|| {
            werr("the output chunks do not share one layout; no index.nc written")
        })?;
        write_virtual(lazy, self.dir.join(INDEX)).map_err(werr)
    }
}

impl Drop for DataArrayWriter {
    /// A file still being written is finished (no write outlives the writer).
    fn drop(&mut self) {
        let _ = self.settle();
    }
}
