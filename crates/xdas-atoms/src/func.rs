//! [`Func`]: a stateless atom wrapping a function of one chunk (xdas's `Partial`).

use std::sync::Arc;

use serde_json::Value;

use crate::atom::Atom;
use crate::chunk::Chunk;
use crate::error::{AtomError, Result};

type ChunkFn = dyn Fn(Chunk) -> Result<Chunk> + Send + Sync;

/// A stateless atom applying a function to each chunk.
///
/// Pointwise functions (`square`, scaling, ...) give the same result chunk by chunk as on
/// the whole array. A function that needs the whole record along one dim (`detrend`,
/// `decimate`, `taper`, ...) is built with [`Func::along`]: it runs per chunk when the
/// stream is cut along another dim, and is an error — rather than silently different
/// results — when the stream is cut along its own dim.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk, Func};
/// let mut double = Func::new("double", |c| match c {
///     Chunk::F64(da) => Ok(Chunk::F64(da.with_data(da.data() * 2.0)?)),
///     other => Ok(other),
/// });
/// let da = xdas_synthetics::dummy::<f64>((4, 2)).to_dataarray();
/// let Chunk::F64(y) = double.apply(da).unwrap() else { panic!() };
/// assert_eq!(y.data()[[1, 1]], 6.0);
/// ```
#[derive(Clone)]
pub struct Func {
    name: String,
    signature: String,
    dim: Option<String>,
    f: Arc<ChunkFn>,
}

impl Func {
    /// A pointwise function (any chunking gives the same result); `name` is also its
    /// signature.
    pub fn new(
        name: impl Into<String>,
        f: impl Fn(Chunk) -> Result<Chunk> + Send + Sync + 'static,
    ) -> Self {
        let name = name.into();
        Func {
            signature: name.clone(),
            name,
            dim: None,
            f: Arc::new(f),
        }
    }

    /// A function over the whole record along `dim`.
    pub fn along(
        name: impl Into<String>,
        dim: impl Into<String>,
        f: impl Fn(Chunk) -> Result<Chunk> + Send + Sync + 'static,
    ) -> Self {
        let mut func = Func::new(name, f);
        func.dim = Some(dim.into());
        func
    }

    /// Set the signature (the name with the parameters), which state files compare.
    pub fn with_signature(mut self, signature: impl Into<String>) -> Self {
        self.signature = signature.into();
        self
    }
}

impl Atom for Func {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> String {
        self.signature.clone()
    }

    fn call(&mut self, chunk: Chunk, chunk_dim: Option<&str>) -> Result<Vec<Chunk>> {
        if let (Some(dim), Some(cd)) = (&self.dim, chunk_dim) {
            let resolve = |d: &str| crate::each_array!(&chunk, da => da.resolve_dim(d).map(str::to_string).unwrap_or_else(|_| d.to_string()), _p => d.to_string());
            if resolve(dim) == resolve(cd) {
                return Err(AtomError::Invalid {
                    atom: self.name.clone(),
                    message: format!(
                        "works on the whole record along {dim:?}, but the data come in chunks \
                         along {cd:?}: chunked results would differ from whole-array ones \
                         (use a stateful atom such as Decimate, FIRFilter or IIRFilter, or \
                         chunk along another dim)"
                    ),
                });
            }
        }
        Ok(vec![(self.f)(chunk)?])
    }

    fn flush(&mut self) -> Result<Vec<Chunk>> {
        Ok(Vec::new())
    }

    fn reset(&mut self) {}

    fn state(&self) -> Result<Value> {
        Ok(Value::Null)
    }

    fn set_state(&mut self, _state: Value) -> Result<()> {
        Ok(())
    }
}
