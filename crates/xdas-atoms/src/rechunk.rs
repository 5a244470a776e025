//! [`Rechunk`]: merge and split a stream into chunks of a fixed number of samples.

use serde_json::{Value, json};

use crate::along::{Along, Stream};
use crate::chunk::Chunk;
use crate::error::{AtomError, Result, invalid};
use crate::state::{decode_opt_chunk, encode_opt_chunk, field};

/// Stream of [`Rechunk`]: holds the samples that do not fill a whole chunk yet.
pub struct RechunkStream {
    dim: String,
    size: usize,
    /// Samples received but not emitted (fewer than `size`), with their coordinates.
    pending: Option<Chunk>,
}

impl RechunkStream {
    /// The target number of samples per chunk.
    pub fn size(&self) -> usize {
        self.size
    }
}

impl Stream for RechunkStream {
    fn name(&self) -> &'static str {
        "Rechunk"
    }
    fn signature(&self) -> String {
        format!("Rechunk(chunks={{{:?}: {}}})", self.dim, self.size)
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, _first: &Chunk) -> Result<()> {
        self.pending = None;
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        let name = crate::each_array!(&chunk,
            da => da.resolve_dim(&self.dim)?.to_string(),
            _p => return Err(AtomError::DType { atom: "Rechunk".into(), dtype: "picks".into() }));
        let joined = match self.pending.take() {
            Some(p) => Chunk::concat(&[p, chunk], &name)?,
            None => chunk,
        };
        let n = joined.len_along(&name)?;
        let whole = n - n % self.size;
        let out = (0..whole)
            .step_by(self.size)
            .map(|i| joined.range(&name, i, i + self.size))
            .collect::<Result<Vec<_>>>()?;
        if whole < n {
            self.pending = Some(joined.range(&name, whole, n)?);
        }
        Ok(out)
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        Ok(self.pending.take().into_iter().collect())
    }
    fn clear(&mut self) {
        self.pending = None;
    }
    fn save(&self) -> Result<Value> {
        Ok(json!({ "pending": encode_opt_chunk(&self.pending) }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.pending = decode_opt_chunk(field(state, "pending")?)?;
        Ok(())
    }
}

/// Merge and split incoming chunks into chunks of exactly `size` samples along `dim`
/// (xdas's `Rechunk({dim: size})`); [`crate::Atom::flush`] emits the remainder.
///
/// Works on any array (real or complex). A gap or a rate change ends the current run
/// (its remainder is emitted first), so chunks never straddle a discontinuity. An eager
/// call returns its input (re-joined from its pieces).
///
/// ```
/// use xdas_atoms::{AtomExt, rechunk::Rechunk};
/// let da = xdas_synthetics::dummy::<f64>((100, 3)).to_dataarray();
/// let chunks = da.split(xdas_core::Split::Sections(4), "time", Default::default()).unwrap();
/// let mut atom = Rechunk::new("time", 30).unwrap();
/// let out = atom.iter_chunks(chunks.into_iter().map(Into::into), "time").unwrap();
/// let sizes: Vec<usize> = out.iter().map(|c| c.shape()[0]).collect();
/// assert_eq!(sizes, vec![30, 30, 30, 10]);
/// ```
pub struct Rechunk;

impl Rechunk {
    /// Chunks of `size` samples (at least 1) along `dim` (`"first"` / `"last"` allowed).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(dim: &str, size: usize) -> Result<Along<RechunkStream>> {
        if size == 0 {
            return Err(invalid(
                "Rechunk",
                "the chunk size must be a strictly positive integer",
            ));
        }
        Ok(Along::new(RechunkStream {
            dim: dim.into(),
            size,
            pending: None,
        }))
    }
}
