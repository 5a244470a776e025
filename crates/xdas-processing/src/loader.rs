//! Loaders: where chunks come from.

use std::str::FromStr;

use xdas_atoms::Chunk;
use xdas_core::DType;
use xdas_io::LazyArray;

use crate::error::{ProcessError, Result};

/// A chunk length along the chunk dim: samples, or a byte budget per chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkSize {
    /// This many samples along the dim.
    Samples(usize),
    /// As many samples as fit in this many bytes (of the loaded element type).
    Bytes(u64),
}

/// `dim=size`, e.g. `time=10000` or `time=256MB` (`KB`, `MB`, `GB` are powers of 1000,
/// `KiB`, `MiB`, `GiB` of 1024).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSpec {
    /// The dim the data is cut along.
    pub dim: String,
    /// The chunk length.
    pub size: ChunkSize,
}

impl FromStr for ChunkSpec {
    type Err = ProcessError;

    /// ```
    /// use xdas_processing::{ChunkSize, ChunkSpec};
    /// let c: ChunkSpec = "time=256MB".parse().unwrap();
    /// assert_eq!(c.size, ChunkSize::Bytes(256_000_000));
    /// assert_eq!("time=10000".parse::<ChunkSpec>().unwrap().size, ChunkSize::Samples(10000));
    /// assert!("time=0".parse::<ChunkSpec>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<ChunkSpec> {
        let bad = |why: &str| {
            ProcessError::Invalid(format!(
                "chunks {s:?}: {why} (expected DIM=SAMPLES or DIM=SIZE with KB/MB/GB, e.g. time=10000 or time=256MB)"
            ))
        };
        let (dim, size) = s.split_once('=').ok_or_else(|| bad("no '='"))?;
        let dim = dim.trim();
        if dim.is_empty() {
            return Err(bad("no dim name"));
        }
        let size = size.trim();
        let split = size
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(size.len());
        let (num, unit) = size.split_at(split);
        let unit_bytes: Option<f64> = match unit.trim().to_ascii_lowercase().as_str() {
            "" => None,
            "b" => Some(1.0),
            "kb" | "k" => Some(1e3),
            "mb" | "m" => Some(1e6),
            "gb" | "g" => Some(1e9),
            "kib" => Some(1024.0),
            "mib" => Some(1024.0 * 1024.0),
            "gib" => Some(1024.0 * 1024.0 * 1024.0),
            _ => return Err(bad("unknown unit")),
        };
        let size = match unit_bytes {
            None => ChunkSize::Samples(num.parse().map_err(|_| bad("not a whole number"))?),
            Some(u) => {
                let n: f64 = num.parse().map_err(|_| bad("not a number"))?;
                ChunkSize::Bytes((n * u).round() as u64)
            }
        };
        if matches!(size, ChunkSize::Samples(0) | ChunkSize::Bytes(0)) {
            return Err(bad("the size must be positive"));
        }
        Ok(ChunkSpec {
            dim: dim.to_string(),
            size,
        })
    }
}

/// A source of chunks along one dim, able to restart at any chunk (for resuming).
pub trait Loader: Send {
    /// The dim chunks are cut along.
    fn chunk_dim(&self) -> &str;
    /// Number of chunks, when known.
    fn n_chunks(&self) -> Option<usize>;
    /// Total bytes of input, when known.
    fn total_bytes(&self) -> Option<u64>;
    /// Index of the next chunk.
    fn position(&self) -> usize;
    /// Continue from chunk `position` (resuming a run).
    fn seek(&mut self, position: usize) -> Result<()>;
    /// The next chunk and the bytes it read, or `None` at the end.
    fn next_chunk(&mut self) -> Option<Result<(Chunk, u64)>>;
    /// A description of the input and the chunking; a checkpoint only resumes a run
    /// whose loader gives the same identity.
    fn identity(&self) -> String;
}

/// Chunks of a [`LazyArray`] (one file, many files, Zarr) along one dim; the last chunk
/// may be short. Stored `float64` and 32/64-bit integers load as `f64`, the rest
/// (`float32`, 8/16-bit integers) as `f32`.
///
/// While a chunk is handed on, the next one is already being read on a helper thread:
/// the disk never waits for the caller's work between two chunks (selecting and
/// labelling a chunk, queueing it). On the 2 GB seed run that idle time was ~10 % of
/// the reads.
pub struct ArrayLoader {
    array: LazyArray,
    dim: String,
    step: usize,
    len: usize,
    pos: usize,
    as_f64: bool,
    row_bytes: u64,
    /// The chunk at `pos`, being read ahead (`seek` drops it).
    ahead: Option<std::thread::JoinHandle<Result<Chunk>>>,
}

impl ArrayLoader {
    /// Cut `array` along `spec.dim`.
    ///
    /// ```
    /// use xdas_io::{InMemory, LazyArray, Data};
    /// use xdas_processing::{ArrayLoader, Loader};
    /// use std::sync::Arc;
    /// let data = ndarray::ArrayD::<f32>::zeros(vec![100, 4]);
    /// let src = Arc::new(InMemory(Data::F32(data)));
    /// let lazy = LazyArray::new(src, vec!["time".into(), "distance".into()], vec![], None, None, "memory").unwrap();
    /// let mut l = ArrayLoader::new(lazy, &"time=30".parse().unwrap()).unwrap();
    /// assert_eq!(l.n_chunks(), Some(4));
    /// let (chunk, bytes) = l.next_chunk().unwrap().unwrap();
    /// assert_eq!((chunk.shape(), bytes), (vec![30, 4], 30 * 4 * 4));
    /// ```
    pub fn new(array: LazyArray, spec: &ChunkSpec) -> Result<ArrayLoader> {
        let axis = array.axis(&spec.dim).map_err(|_| {
            ProcessError::Invalid(format!(
                "chunks: the data has no dim {:?} (dims are {:?})",
                spec.dim,
                array.dims()
            ))
        })?;
        let dim = array.dims()[axis].clone();
        let shape = array.shape();
        let len = shape[axis];
        let as_f64 = matches!(
            array.dtype(),
            DType::F64 | DType::I32 | DType::I64 | DType::U32 | DType::U64
        );
        let itemsize: u64 = if as_f64 { 8 } else { 4 };
        let row: u64 = shape
            .iter()
            .enumerate()
            .filter(|&(a, _)| a != axis)
            .map(|(_, &n)| n as u64)
            .product();
        let row_bytes = row.max(1) * itemsize;
        let step = match spec.size {
            ChunkSize::Samples(n) => n,
            ChunkSize::Bytes(b) => ((b / row_bytes) as usize).max(1),
        };
        if step == 0 {
            return Err(ProcessError::Invalid(
                "chunks: the size must be positive".into(),
            ));
        }
        Ok(ArrayLoader {
            array,
            dim,
            step,
            len,
            pos: 0,
            as_f64,
            row_bytes,
            ahead: None,
        })
    }

    /// Load the samples `start..stop` along `dim` of `array` as one chunk.
    fn load(
        array: &LazyArray,
        dim: &str,
        start: usize,
        stop: usize,
        as_f64: bool,
    ) -> Result<Chunk> {
        let part = array.isel(dim, start, stop)?;
        Ok(if as_f64 {
            Chunk::F64(part.load_as::<f64>()?)
        } else {
            Chunk::F32(part.load_as::<f32>()?)
        })
    }

    /// Wait for the chunk being read ahead, if any, and forget it.
    fn cancel_ahead(&mut self) {
        if let Some(handle) = self.ahead.take() {
            let _ = handle.join();
        }
    }

    /// Samples per chunk.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The array being cut.
    pub fn array(&self) -> &LazyArray {
        &self.array
    }
}

impl Loader for ArrayLoader {
    fn chunk_dim(&self) -> &str {
        &self.dim
    }
    fn n_chunks(&self) -> Option<usize> {
        Some(self.len.div_ceil(self.step))
    }
    fn total_bytes(&self) -> Option<u64> {
        Some(self.len as u64 * self.row_bytes)
    }
    fn position(&self) -> usize {
        self.pos
    }
    fn seek(&mut self, position: usize) -> Result<()> {
        if position > self.len.div_ceil(self.step) {
            return Err(ProcessError::Checkpoint(format!(
                "position {position} is past the {} chunks of the input",
                self.len.div_ceil(self.step)
            )));
        }
        self.cancel_ahead();
        self.pos = position;
        Ok(())
    }
    fn next_chunk(&mut self) -> Option<Result<(Chunk, u64)>> {
        let start = self.pos * self.step;
        if start >= self.len {
            return None;
        }
        let stop = (start + self.step).min(self.len);
        let bytes = (stop - start) as u64 * self.row_bytes;
        let chunk = match self.ahead.take() {
            Some(handle) => handle.join().unwrap_or_else(|_| {
                Err(ProcessError::Invalid(
                    "the read-ahead thread panicked".into(),
                ))
            }),
            None => Self::load(&self.array, &self.dim, start, stop, self.as_f64),
        };
        self.pos += 1;
        // the next chunk comes from the disk while this one is handed on
        let next_stop = (stop + self.step).min(self.len);
        if chunk.is_ok() && stop < self.len {
            let (array, dim, as_f64) = (self.array.clone(), self.dim.clone(), self.as_f64);
            let handle = std::thread::Builder::new()
                .name("xdas-read-ahead".into())
                .spawn(move || Self::load(&array, &dim, stop, next_stop, as_f64));
            if let Ok(handle) = handle {
                self.ahead = Some(handle);
            }
        }
        Some(chunk.map(|c| (c, bytes)))
    }
    fn identity(&self) -> String {
        format!(
            "{} array {:?} {:?} {:?}, chunks of {} along {:?}",
            self.array.engine(),
            self.array.dims(),
            self.array.shape(),
            self.array.dtype(),
            self.step,
            self.dim
        )
    }
}

impl Drop for ArrayLoader {
    /// A chunk still being read ahead is waited for (no read outlives the loader).
    fn drop(&mut self) {
        self.cancel_ahead();
    }
}

/// Chunks already in memory (tests, small jobs).
pub struct MemoryLoader {
    chunks: Vec<Chunk>,
    dim: String,
    pos: usize,
}

impl MemoryLoader {
    /// Feed `chunks` cut along `dim`.
    pub fn new(chunks: Vec<Chunk>, dim: &str) -> Self {
        MemoryLoader {
            chunks,
            dim: dim.into(),
            pos: 0,
        }
    }
}

pub(crate) fn bytes_of(c: &Chunk) -> u64 {
    let n: usize = c.shape().iter().product();
    let item = match c {
        Chunk::F32(_) => 4,
        Chunk::F64(_) | Chunk::C64(_) => 8,
        Chunk::C128(_) => 16,
        Chunk::Picks(_) => 0,
    };
    (n * item) as u64
}

impl Loader for MemoryLoader {
    fn chunk_dim(&self) -> &str {
        &self.dim
    }
    fn n_chunks(&self) -> Option<usize> {
        Some(self.chunks.len())
    }
    fn total_bytes(&self) -> Option<u64> {
        Some(self.chunks.iter().map(bytes_of).sum())
    }
    fn position(&self) -> usize {
        self.pos
    }
    fn seek(&mut self, position: usize) -> Result<()> {
        if position > self.chunks.len() {
            return Err(ProcessError::Checkpoint("position past the input".into()));
        }
        self.pos = position;
        Ok(())
    }
    fn next_chunk(&mut self) -> Option<Result<(Chunk, u64)>> {
        let c = self.chunks.get(self.pos)?.clone();
        self.pos += 1;
        let b = bytes_of(&c);
        Some(Ok((c, b)))
    }
    fn identity(&self) -> String {
        let shapes: Vec<Vec<usize>> = self.chunks.iter().map(|c| c.shape()).collect();
        format!("memory chunks {shapes:?} along {:?}", self.dim)
    }
}
