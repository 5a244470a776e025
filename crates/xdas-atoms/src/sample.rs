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
    fn start(&mut self, _first: &Chunk) -> Result<()> {
        self.buffer = None;
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        if self.factor == 1 {
            return Ok(vec![chunk]);
        }
        let dim = crate::each_array!(&chunk, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
        let joined = match self.buffer.take() {
            Some(b) if b.len_along(&dim)? > 0 => Chunk::concat(&[b, chunk], &dim)?,
            _ => chunk,
        };
        let n = joined.len_along(&dim)?;
        let keep = n - n % self.factor;
        self.buffer = Some(joined.range(&dim, keep, n)?);
        if keep == 0 {
            return Ok(Vec::new());
        }
        let head = joined.isel(
            &dim,
            Indexer::slice(Some(0), Some(keep as i64), Some(self.factor as i64)),
        )?;
        Ok(vec![head])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        match self.buffer.take() {
            Some(b) if b.len_along(&self.dim).unwrap_or(0) > 0 => {
                let dim = crate::each_array!(&b, da => da.resolve_dim(&self.dim)?.to_string(), _p => self.dim.clone());
                Ok(vec![b.isel(
                    &dim,
                    Indexer::slice(None, None, Some(self.factor as i64)),
                )?])
            }
            _ => Ok(Vec::new()),
        }
    }
    fn clear(&mut self) {
        self.buffer = None;
    }
    fn save(&self) -> Result<Value> {
        Ok(json!({ "buffer": encode_opt_chunk(&self.buffer) }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.buffer = decode_opt_chunk(field(state, "buffer")?)?;
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
        Along::new(DownStream {
            factor: factor.max(1),
            dim: dim.into(),
            buffer: None,
        })
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
}

impl UpStream {
    fn push_typed<T: Sample>(&self, da: DataArray<T>) -> Result<Chunk> {
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
        let origin = Origin::of(
            &T::chunk(da.isel(&dim, Indexer::range(0, 0))?),
            &dim,
            "UpSample",
        )
        .or_else(|_| Origin::of(&T::chunk(da.clone()), &dim, "UpSample"))?;
        let coord = origin.block(0, self.factor, 1, n * self.factor, &dim)?;
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
    fn start(&mut self, _: &Chunk) -> Result<()> {
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
    fn clear(&mut self) {}
    fn save(&self) -> Result<Value> {
        Ok(Value::Null)
    }
    fn load(&mut self, _: &Value) -> Result<()> {
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
        Along::new(UpStream {
            factor: factor.max(1),
            scale,
            dim: dim.into(),
        })
    }
}
