//! [`Sequential`]: atoms run one after the other.

use serde_json::{Value, json};

use crate::atom::Atom;
use crate::chunk::Chunk;
use crate::error::{AtomError, Result};
use crate::state::{field, field_as};

/// A chain of atoms: each chunk goes through every stage in turn; a stage's outputs (zero
/// or more chunks) are fed to the next. [`Atom::flush`] cascades: the tail flushed by a
/// stage goes through the later stages before they flush. [`Atom::reset`] reaches every
/// stage, nested ones included (xdas 0.2.7 skipped non-function stages).
///
/// ```
/// use xdas_atoms::{AtomExt, DownSample, LFilter, Sequential};
/// let mut seq = Sequential::new(vec![
///     Box::new(LFilter::new(vec![0.5, 0.5], vec![1.0], "time")),
///     Box::new(DownSample::new(2, "time")),
/// ]);
/// let da = xdas_synthetics::dummy::<f64>((10, 2)).to_dataarray();
/// let y = seq.apply(da).unwrap();
/// assert_eq!(y.shape(), vec![5, 2]);
/// ```
pub struct Sequential {
    atoms: Vec<Box<dyn Atom>>,
    chunk_dim: Option<String>,
}

impl Sequential {
    /// Chain `atoms`.
    pub fn new(atoms: Vec<Box<dyn Atom>>) -> Self {
        Sequential {
            atoms,
            chunk_dim: None,
        }
    }

    /// The stages.
    pub fn atoms(&self) -> &[Box<dyn Atom>] {
        &self.atoms
    }

    /// Append a stage.
    pub fn push(&mut self, atom: Box<dyn Atom>) {
        self.atoms.push(atom);
    }

    /// Feed `inputs` through the stages from `from` on.
    fn feed(&mut self, from: usize, inputs: Vec<Chunk>, cd: Option<&str>) -> Result<Vec<Chunk>> {
        let mut chunks = inputs;
        for atom in &mut self.atoms[from..] {
            let mut next = Vec::new();
            for c in chunks {
                next.extend(atom.call(c, cd)?);
            }
            chunks = next;
        }
        Ok(chunks)
    }
}

impl Atom for Sequential {
    fn name(&self) -> &str {
        "Sequential"
    }

    fn signature(&self) -> String {
        let inner: Vec<String> = self.atoms.iter().map(|a| a.signature()).collect();
        format!("Sequential([{}])", inner.join(", "))
    }

    fn call(&mut self, chunk: Chunk, chunk_dim: Option<&str>) -> Result<Vec<Chunk>> {
        if let Some(cd) = chunk_dim {
            self.chunk_dim = Some(cd.to_string());
        }
        self.feed(0, vec![chunk], chunk_dim)
    }

    fn flush(&mut self) -> Result<Vec<Chunk>> {
        let cd = self.chunk_dim.clone();
        let mut out = Vec::new();
        for i in 0..self.atoms.len() {
            let tail = self.atoms[i].flush()?;
            // the tail passes through the later stages before they flush
            out.extend(self.feed(i + 1, tail, cd.as_deref())?);
        }
        self.chunk_dim = None;
        Ok(out)
    }

    fn reset(&mut self) {
        for a in &mut self.atoms {
            a.reset();
        }
        self.chunk_dim = None;
    }

    fn state(&self) -> Result<Value> {
        let stages = self
            .atoms
            .iter()
            .map(|a| a.state())
            .collect::<Result<Vec<_>>>()?;
        Ok(json!({ "chunk_dim": self.chunk_dim, "stages": stages }))
    }

    fn set_state(&mut self, state: Value) -> Result<()> {
        let stages = field(&state, "stages")?
            .as_array()
            .ok_or_else(|| AtomError::State("Sequential: stages is not a list".into()))?;
        if stages.len() != self.atoms.len() {
            return Err(AtomError::State(format!(
                "Sequential: {} saved stages for {} stages",
                stages.len(),
                self.atoms.len()
            )));
        }
        for (a, s) in self.atoms.iter_mut().zip(stages) {
            a.set_state(s.clone())?;
        }
        self.chunk_dim = field_as(&state, "chunk_dim")?;
        Ok(())
    }
}
