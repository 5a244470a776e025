//! Checkpoints: after each chunk is durably written, the pipeline state, the loader
//! position and the writer's progress are saved together (write, fsync, rename), so a
//! killed run resumes where the last checkpoint left it and ends bitwise identical to an
//! uninterrupted run.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ProcessError, Result};

const FORMAT: &str = "xdas-rs checkpoint";
const VERSION: u32 = 1;

/// What a checkpoint file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    format: String,
    version: u32,
    /// The loader's identity (input and chunking).
    pub input: String,
    /// The pipeline's signature.
    pub pipeline: String,
    /// Chunks of input consumed.
    pub position: usize,
    /// The pipeline state.
    pub state: Value,
    /// The writer's progress.
    pub writer: Value,
}

impl Checkpoint {
    /// A checkpoint after `position` chunks.
    pub fn new(
        input: String,
        pipeline: String,
        position: usize,
        state: Value,
        writer: Value,
    ) -> Self {
        Checkpoint {
            format: FORMAT.into(),
            version: VERSION,
            input,
            pipeline,
            position,
            state,
            writer,
        }
    }

    /// Save atomically: a temporary file, fsync, rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        let err = |e: std::io::Error| ProcessError::Checkpoint(format!("{}: {e}", path.display()));
        let bytes =
            serde_json::to_vec(self).map_err(|e| ProcessError::Checkpoint(e.to_string()))?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        let mut f = std::fs::File::create(&tmp).map_err(err)?;
        f.write_all(&bytes).map_err(err)?;
        f.sync_all().map_err(err)?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(err)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Load and check a checkpoint against this run's input and pipeline.
    pub fn load(path: &Path, input: &str, pipeline: &str) -> Result<Checkpoint> {
        let bytes = std::fs::read(path)
            .map_err(|e| ProcessError::Checkpoint(format!("{}: {e}", path.display())))?;
        let c: Checkpoint = serde_json::from_slice(&bytes).map_err(|e| {
            ProcessError::Checkpoint(format!("{}: corrupt checkpoint ({e})", path.display()))
        })?;
        if c.format != FORMAT || c.version != VERSION {
            return Err(ProcessError::Checkpoint(format!(
                "{}: not an xdas-rs checkpoint (format {:?} version {})",
                path.display(),
                c.format,
                c.version
            )));
        }
        if c.input != input {
            return Err(ProcessError::Checkpoint(format!(
                "{}: written for another input or chunking\n  checkpoint: {}\n  this run:   {input}",
                path.display(),
                c.input
            )));
        }
        if c.pipeline != pipeline {
            return Err(ProcessError::Checkpoint(format!(
                "{}: written for another pipeline\n  checkpoint: {}\n  this run:   {pipeline}",
                path.display(),
                c.pipeline
            )));
        }
        Ok(c)
    }
}
