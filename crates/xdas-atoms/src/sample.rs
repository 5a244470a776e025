//! [`DownSample`] and [`UpSample`]: sample selection and zero insertion along a dim.

use ndarray::{ArrayD, Axis, IxDyn};
use serde_json::{Value, json};
use xdas_core::{DataArray, Indexer};

use crate::along::{Along, Stream};
use crate::chunk::{Chunk, Sample};
use crate::error::{Result, invalid};
use crate::polyphase::{Origin, relabel};
use crate::state::{decode_opt_chunk, encode_opt_chunk, field};

/// The stream behind [`DownSample`]: keeps `[::factor]` with a global phase.
pub struct DownStream {
    pub(crate) factor: usize,
    pub(crate) dim: String,
    pub(crate) buffer: Option<Chunk>,
    /// The run's first label and rate (regular coordinates): output labels are computed
    /// from it, so that they do not depend on where the chunks were cut.
    pub(crate) origin: Option<Origin>,
    /// Input samples of the run taken in so far (buffered ones included).
    pub(crate) consumed: usize,
}

impl DownStream {
    pub(crate) fn new(factor: usize, dim: &str) -> Self {
        DownStream {
            factor,
            dim: dim.into(),
            buffer: None,
            origin: None,
            consumed: 0,
        }
    }

    /// `[::factor]` of `c`, whose first sample is sample `first` of the run.
    fn every(&self, c: &Chunk, dim: &str, first: usize) -> Result<Chunk> {
        let out = c.isel(dim, Indexer::slice(None, None, Some(self.factor as i64)))?;
        let Some(origin) = &self.origin else {
            return Ok(out);
        };
        let n = out.len_along(dim)?;
        let coord = origin.block(first as i64, 1, self.factor, n, dim)?;
        Ok(match out {
            Chunk::F32(da) => Chunk::F32(da.assign_coord(dim, coord)?),
            Chunk::F64(da) => Chunk::F64(da.assign_coord(dim, coord)?),
            Chunk::C64(da) => Chunk::C64(da.assign_coord(dim, coord)?),
            Chunk::C128(da) => Chunk::C128(da.assign_coord(dim, coord)?),
            other => other,
        })
    }
}

impl Stream for DownStream {
    fn name(&self) -> &'static str {
        "DownSample"
    }
    fn signature(&self) -> String {
        format!("DownSample(factor={}, dim={:?})", self.factor, self.dim)
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        self.buffer = None;
        self.consumed = 0;
        let dim = crate::each_array!(first, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
        self.origin = Origin::of(first, &dim, "DownSample").ok();
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        if self.factor == 1 {
            return Ok(vec![chunk]);
        }
        let dim = crate::each_array!(&chunk, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
        let size = chunk.len_along(&dim)?;
        let joined = match self.buffer.take() {
            Some(b) if b.len_along(&dim)? > 0 => Chunk::concat(&[b, chunk], &dim)?,
            _ => chunk,
        };
        let n = joined.len_along(&dim)?;
        // the run sample of joined[0]: the buffer holds the last n − size of them
        let first = self.consumed + size - n;
        self.consumed += size;
        let keep = n - n % self.factor;
        self.buffer = Some(joined.range(&dim, keep, n)?);
        if keep == 0 {
            return Ok(Vec::new());
        }
        let head = self.every(&joined.range(&dim, 0, keep)?, &dim, first)?;
        Ok(vec![head])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        match self.buffer.take() {
            Some(b) if b.len_along(&self.dim).unwrap_or(0) > 0 => {
                let dim = crate::each_array!(&b, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
                let first = self.consumed - b.len_along(&dim)?;
                Ok(vec![self.every(&b, &dim, first)?])
            }
            _ => Ok(Vec::new()),
        }
    }
    fn clear(&mut self) {
        self.buffer = None;
        self.origin = None;
        self.consumed = 0;
    }
    fn save(&self) -> Result<Value> {
        Ok(json!({
            "buffer": encode_opt_chunk(&self.buffer),
            "origin": serde_json::to_value(&self.origin).map_err(|e| crate::AtomError::State(e.to_string()))?,
            "consumed": self.consumed,
        }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.buffer = decode_opt_chunk(field(state, "buffer")?)?;
        self.origin = crate::state::field_as(state, "origin")?;
        self.consumed = crate::state::field_as(state, "consumed")?;
        Ok(())
    }
}

/// Keep every `factor`-th sample along `dim`, with the phase kept across chunks
/// (xdas's `DownSample`; no anti-alias filter — see [`Decimate`]).
///
/// ```
/// use xdas_atoms::{AtomExt, DownSample};
/// let da = xdas_synthetics::dummy::<f64>((10, 2)).to_dataarray();
/// assert_eq!(DownSample::new(3, "time").apply(da).unwrap().shape(), vec![4, 2]);
/// ```
pub struct DownSample;

impl DownSample {
    /// Keep one sample in `factor` (≥ 1).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(factor: usize, dim: &str) -> Along<DownStream> {
        Along::new(DownStream::new(factor.max(1), dim))
    }

    /// Like [`DownSample::new`], refusing a zero factor.
    pub fn checked(factor: usize, dim: &str) -> Result<Along<DownStream>> {
        if factor == 0 {
            return Err(invalid("DownSample", "factor must be at least 1"));
        }
        Ok(DownSample::new(factor, dim))
    }
}

/// The stream behind [`UpSample`] (no memory: each input sample becomes `factor`).
pub struct UpStream {
    pub(crate) factor: usize,
    pub(crate) scale: bool,
    pub(crate) dim: String,
    /// The run's first label and rate: labels come from it, whatever the chunking.
    pub(crate) origin: Option<Origin>,
    /// Input samples of the run so far.
    pub(crate) consumed: usize,
}

impl UpStream {
    pub(crate) fn new(factor: usize, scale: bool, dim: &str) -> Self {
        UpStream {
            factor,
            scale,
            dim: dim.into(),
            origin: None,
            consumed: 0,
        }
    }

    fn push_typed<T: Sample>(&mut self, da: DataArray<T>) -> Result<Chunk> {
        let dim = da.resolve_dim(&self.dim)?.to_string();
        let axis = da.axis(&dim)?;
        let n = da.shape()[axis];
        let mut shape = da.shape().to_vec();
        shape[axis] = n * self.factor;
        let mut data = ArrayD::<T>::zeros(IxDyn(&shape));
        let gain = T::of(self.factor as f64);
        {
            let mut every = data.slice_axis_mut(
                Axis(axis),
                ndarray::Slice::new(0, None, self.factor as isize),
            );
            every.assign(da.data());
            if self.scale {
                every.mapv_inplace(|v| v * gain);
            }
        }
        let shift = (self.consumed * self.factor) as i64;
        self.consumed += n;
        let coord = match &self.origin {
            Some(o) => o.block(shift, self.factor, 1, n * self.factor, &dim)?,
            None => Origin::of(&T::chunk(da.clone()), &dim, "UpSample")?.block(
                0,
                self.factor,
                1,
                n * self.factor,
                &dim,
            )?,
        };
        Ok(T::chunk(relabel(&da, &dim, data, coord)?))
    }
}

impl Stream for UpStream {
    fn name(&self) -> &'static str {
        "UpSample"
    }
    fn signature(&self) -> String {
        format!(
            "UpSample(factor={}, scale={}, dim={:?})",
            self.factor,
            if self.scale { "True" } else { "False" },
            self.dim
        )
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        let dim = crate::each_array!(first, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
        self.origin = Origin::of(first, &dim, "UpSample").ok();
        self.consumed = 0;
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        if self.factor == 1 {
            return Ok(vec![chunk]);
        }
        Ok(vec![
            crate::with_real!(chunk, "UpSample", da => self.push_typed(da))?,
        ])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        Ok(Vec::new())
    }
    fn clear(&mut self) {
        self.origin = None;
        self.consumed = 0;
    }
    fn save(&self) -> Result<Value> {
        Ok(json!({
            "origin": serde_json::to_value(&self.origin).map_err(|e| crate::AtomError::State(e.to_string()))?,
            "consumed": self.consumed,
        }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.origin = crate::state::field_as(state, "origin")?;
        self.consumed = crate::state::field_as(state, "consumed")?;
        Ok(())
    }
}

/// Insert `factor − 1` zeros after every sample along `dim`, multiplying the samples by
/// `factor` when `scale` (xdas's `UpSample`); the rate becomes `factor` times higher.
///
/// ```
/// use xdas_atoms::{AtomExt, UpSample};
/// let da = xdas_synthetics::dummy::<f64>((10, 2)).to_dataarray();
/// assert_eq!(UpSample::new(3, true, "time").apply(da).unwrap().shape(), vec![30, 2]);
/// ```
pub struct UpSample;

impl UpSample {
    /// Upsample by `factor` (≥ 1).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(factor: usize, scale: bool, dim: &str) -> Along<UpStream> {
        Along::new(UpStream::new(factor.max(1), scale, dim))
    }
}
