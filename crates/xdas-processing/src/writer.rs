//! Writers: where output chunks go. Every writer can say what it has durably written
//! ([`Writer::progress`]) and continue from there after a crash ([`Writer::resume`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use xdas_atoms::{Chunk, Picks};

use crate::error::{ProcessError, Result};

/// A destination for output chunks.
pub trait Writer: Send {
    /// Store one chunk; returns the bytes of data written.
    fn write(&mut self, chunk: Chunk) -> Result<u64>;
    /// Make everything written so far durable (a checkpoint follows).
    fn sync(&mut self) -> Result<()> {
        Ok(())
    }
    /// What has been written, as recorded in checkpoints.
    fn progress(&self) -> Value;
    /// Continue after `progress`, discarding anything written later (by a killed run).
    fn resume(&mut self, progress: &Value) -> Result<()>;
    /// End of the output (indexes, footers).
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

fn werr(e: impl std::fmt::Display) -> ProcessError {
    ProcessError::Write(e.to_string())
}

/// Keeps the output chunks in memory; [`MemoryWriter::result`] joins them.
#[derive(Default)]
pub struct MemoryWriter {
    chunks: Vec<Chunk>,
    dim: Option<String>,
}

impl MemoryWriter {
    /// Outputs joined along `dim` by [`MemoryWriter::result`].
    pub fn new(dim: &str) -> Self {
        MemoryWriter {
            chunks: Vec::new(),
            dim: Some(dim.into()),
        }
    }

    /// The chunks written.
    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// All output joined (`None` when there was none).
    pub fn result(&self) -> Result<Option<Chunk>> {
        if self.chunks.is_empty() {
            return Ok(None);
        }
        let dim = self.dim.as_deref().unwrap_or("first");
        Chunk::concat(&self.chunks, dim).map(Some).map_err(werr)
    }
}

impl Writer for MemoryWriter {
    fn write(&mut self, chunk: Chunk) -> Result<u64> {
        let b = crate::loader::bytes_of(&chunk);
        self.chunks.push(chunk);
        Ok(b)
    }
    fn progress(&self) -> Value {
        json!({ "chunks": self.chunks.len() })
    }
    fn resume(&mut self, progress: &Value) -> Result<()> {
        let n = progress["chunks"].as_u64().unwrap_or(0) as usize;
        if n > self.chunks.len() {
            return Err(ProcessError::Checkpoint(
                "an in-memory writer cannot resume a run it did not see".into(),
            ));
        }
        self.chunks.truncate(n);
        Ok(())
    }
}

/// Appends `Trigger` picks to a CSV file (header once; datetimes in ISO-8601).
pub struct PicksCsvWriter {
    path: PathBuf,
    file: Option<std::fs::File>,
    header: Option<String>,
    bytes: u64,
}

impl PicksCsvWriter {
    /// Create (truncate) `path`.
    pub fn create(path: &Path) -> Result<Self> {
        let file =
            std::fs::File::create(path).map_err(|e| werr(format!("{}: {e}", path.display())))?;
        Ok(PicksCsvWriter {
            path: path.to_path_buf(),
            file: Some(file),
            header: None,
            bytes: 0,
        })
    }

    /// Continue an existing file (with [`Writer::resume`], which trims it back to the
    /// checkpointed length).
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(werr(format!(
                "{}: no such file to continue",
                path.display()
            )));
        }
        Ok(PicksCsvWriter {
            path: path.to_path_buf(),
            file: None,
            header: None,
            bytes: 0,
        })
    }

    fn append(&mut self, picks: &Picks) -> Result<u64> {
        let csv = picks.to_csv();
        let (head, rows) = csv.split_once('\n').unwrap_or((&csv, ""));
        let mut text = String::new();
        match &self.header {
            None => {
                text.push_str(head);
                text.push('\n');
                self.header = Some(head.to_string());
            }
            Some(h) if h != head && !picks.is_empty() => {
                return Err(werr(format!(
                    "{}: picks with columns {head:?} after {h:?}",
                    self.path.display()
                )));
            }
            _ => {}
        }
        text.push_str(rows);
        let f = self.file.as_mut().ok_or_else(|| werr("writer closed"))?;
        f.write_all(text.as_bytes()).map_err(werr)?;
        self.bytes += text.len() as u64;
        Ok(text.len() as u64)
    }
}

impl Writer for PicksCsvWriter {
    fn write(&mut self, chunk: Chunk) -> Result<u64> {
        match chunk {
            Chunk::Picks(p) => self.append(&p),
            other => Err(werr(format!(
                "{}: a picks CSV takes Trigger output, not {} arrays",
                self.path.display(),
                other.dtype_name()
            ))),
        }
    }
    fn sync(&mut self) -> Result<()> {
        if let Some(f) = &self.file {
            f.sync_data().map_err(werr)?;
        }
        Ok(())
    }
    fn progress(&self) -> Value {
        json!({ "bytes": self.bytes, "header": self.header })
    }
    fn resume(&mut self, progress: &Value) -> Result<()> {
        let bytes = progress["bytes"].as_u64().unwrap_or(0);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(|e| werr(format!("{}: {e}", self.path.display())))?;
        file.set_len(bytes).map_err(werr)?;
        let mut file = file;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(werr)?;
        self.file = Some(file);
        self.bytes = bytes;
        self.header = progress["header"].as_str().map(str::to_string);
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        self.sync()?;
        self.file = None;
        Ok(())
    }
}
