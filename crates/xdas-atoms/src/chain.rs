//! Streams built from streams: [`ChainStream`] (stages inside one atom, one seam
//! judgement for all) and [`DesignedStream`] (designed from the sampling rate of a
//! run's first chunk).

use serde_json::{Value, json};

use crate::along::Stream;
use crate::chunk::Chunk;
use crate::error::{AtomError, Result};
use crate::state::{field, field_as};

/// Streams run one after the other inside one atom (one seam judgement for all).
pub struct ChainStream {
    pub(crate) name: &'static str,
    pub(crate) signature: String,
    pub(crate) dim: String,
    pub(crate) stages: Vec<Box<dyn Stream>>,
}

impl ChainStream {
    fn feed(&mut self, from: usize, chunks: Vec<Chunk>) -> Result<Vec<Chunk>> {
        let mut chunks = chunks;
        for s in &mut self.stages[from..] {
            let mut next = Vec::new();
            for c in chunks {
                next.extend(s.push(c)?);
            }
            chunks = next;
        }
        Ok(chunks)
    }
}

impl Stream for ChainStream {
    fn name(&self) -> &'static str {
        self.name
    }
    fn signature(&self) -> String {
        self.signature.clone()
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        // later stages start lazily on their first input (its coordinates may differ)
        for s in &mut self.stages {
            s.clear();
        }
        self.stages[0].start(first)?;
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        self.feed(0, vec![chunk])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        let mut out = Vec::new();
        for i in 0..self.stages.len() {
            let tail = self.stages[i].finish()?;
            out.extend(self.feed(i + 1, tail)?);
        }
        Ok(out)
    }
    fn clear(&mut self) {
        for s in &mut self.stages {
            s.clear();
        }
    }
    fn save(&self) -> Result<Value> {
        Ok(Value::Array(
            self.stages
                .iter()
                .map(|s| s.save())
                .collect::<Result<_>>()?,
        ))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        let list = state
            .as_array()
            .filter(|l| l.len() == self.stages.len())
            .ok_or_else(|| AtomError::State(format!("{}: wrong number of stages", self.name)))?;
        for (s, v) in self.stages.iter_mut().zip(list) {
            s.load(v)?;
        }
        Ok(())
    }
}

type Design = dyn Fn(f64) -> Result<Box<dyn Stream>> + Send;

/// A stream designed from the sampling rate of a run's first chunk (FIR taps, IIR
/// sections, resampling factors).
pub struct DesignedStream {
    name: &'static str,
    signature: String,
    dim: String,
    design: Box<Design>,
    fs: Option<f64>,
    inner: Option<Box<dyn Stream>>,
}

impl DesignedStream {
    pub(crate) fn new(
        name: &'static str,
        signature: String,
        dim: &str,
        design: impl Fn(f64) -> Result<Box<dyn Stream>> + Send + 'static,
    ) -> Self {
        DesignedStream {
            name,
            signature,
            dim: dim.into(),
            design: Box::new(design),
            fs: None,
            inner: None,
        }
    }
}

impl Stream for DesignedStream {
    fn name(&self) -> &'static str {
        self.name
    }
    fn signature(&self) -> String {
        self.signature.clone()
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        let fs = crate::rate::sampling_rate(first, &self.dim, self.name)?;
        let mut inner = (self.design)(fs)?;
        inner.start(first)?;
        self.inner = Some(inner);
        self.fs = Some(fs);
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        self.inner.as_mut().expect("started").push(chunk)
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        match &mut self.inner {
            Some(s) => s.finish(),
            None => Ok(Vec::new()),
        }
    }
    fn clear(&mut self) {
        self.inner = None;
        self.fs = None;
    }
    fn save(&self) -> Result<Value> {
        let inner = self.inner.as_ref().map(|s| s.save()).transpose()?;
        Ok(json!({ "fs": self.fs, "inner": inner }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.clear();
        let fs: Option<f64> = field_as(state, "fs")?;
        if let Some(fs) = fs {
            let mut inner = (self.design)(fs)?;
            inner.load(field(state, "inner")?)?;
            self.inner = Some(inner);
            self.fs = Some(fs);
        }
        Ok(())
    }
}

/// A stream passing chunks through unchanged (resampling by 1/1).
pub(crate) struct Identity(pub(crate) String);

impl Stream for Identity {
    fn name(&self) -> &'static str {
        "Identity"
    }
    fn signature(&self) -> String {
        "Identity".into()
    }
    fn dim(&self) -> &str {
        &self.0
    }
    fn start(&mut self, _: &Chunk) -> Result<()> {
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        Ok(vec![chunk])
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

impl Stream for Box<dyn Stream> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn signature(&self) -> String {
        (**self).signature()
    }
    fn dim(&self) -> &str {
        (**self).dim()
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        (**self).start(first)
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        (**self).push(chunk)
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        (**self).finish()
    }
    fn clear(&mut self) {
        (**self).clear()
    }
    fn save(&self) -> Result<Value> {
        (**self).save()
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        (**self).load(state)
    }
}
