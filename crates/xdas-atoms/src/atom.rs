//! The [`Atom`] protocol: a processing unit fed chunk by chunk.

use serde_json::Value;

use crate::chunk::Chunk;
use crate::error::{AtomError, Result};

/// What a stateful atom does when a chunk does not continue the previous one along its
/// dim with a gap or a change of sampling rate (an overlap is always an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDiscontinuity {
    /// Flush what is buffered, forget the state and start afresh (xdas's default).
    #[default]
    Reset,
    /// Return an error.
    Raise,
}

impl OnDiscontinuity {
    /// `"reset"` or `"raise"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reset" => Some(OnDiscontinuity::Reset),
            "raise" => Some(OnDiscontinuity::Raise),
            _ => None,
        }
    }
}

/// A processing unit: called on chunks, it returns zero or more output chunks.
///
/// * `call(x, Some(dim))` processes one chunk of a stream cut along `dim`. Atoms working
///   along that dim keep their state (filter memory, buffered samples, sample counters)
///   from one call to the next, so that joining the outputs of all calls and of the final
///   [`Atom::flush`] equals processing the whole array at once, bit for bit. Between
///   chunks they judge the seam from the coordinates: a gap or a rate change resets the
///   state (or errors, see [`OnDiscontinuity`]); an overlap errors.
/// * `call(x, None)` is an eager call on a whole array: stateful atoms split it at the
///   discontinuities of their dim, run each piece from a fresh state, flush, and join the
///   results; the atom is left reset. It returns one chunk (none when the input is too
///   short to give any output).
/// * [`Atom::reset`] forgets all state (recursively).
/// * [`Atom::state`] / [`Atom::set_state`] export and import the whole state, so that a
///   freshly built atom of the same [`Atom::signature`] resumes where this one stopped
///   (see [`crate::state`]).
///
/// ```
/// use xdas_atoms::{Atom, AtomExt, LFilter};
/// # fn main() -> xdas_atoms::Result<()> {
/// let da = xdas_synthetics::dummy::<f64>((100, 3)).to_dataarray(); // (time, distance)
/// let mut atom = LFilter::new(vec![0.5], vec![1.0, -0.5], "time");
/// let whole = atom.apply(da.clone())?;
/// let chunks = da.split(xdas_core::Split::Sections(7), "time", Default::default())?;
/// let joined = atom.run_chunks(chunks.into_iter().map(Into::into), "time")?;
/// assert!(joined.unwrap().equals(&whole));
/// # Ok(()) }
/// ```
pub trait Atom: Send {
    /// The xdas name of the atom (`"LFilter"`, `"Sequential"`, `"square"`, ...).
    fn name(&self) -> &str;
    /// The atom's description with every parameter: two atoms with the same signature
    /// compute the same thing and can exchange state.
    fn signature(&self) -> String;
    /// Process one chunk (`chunk_dim`: the dim the stream is cut along, `None` for an
    /// eager call on a whole array).
    fn call(&mut self, chunk: Chunk, chunk_dim: Option<&str>) -> Result<Vec<Chunk>>;
    /// Emit what is still buffered at the end of a stream and end it.
    fn flush(&mut self) -> Result<Vec<Chunk>>;
    /// Forget all state.
    fn reset(&mut self);
    /// The whole state as a JSON value (arrays stored bit-exactly).
    fn state(&self) -> Result<Value>;
    /// Restore a state exported by [`Atom::state`] of an atom with the same signature.
    fn set_state(&mut self, state: Value) -> Result<()>;
    /// Choose what gaps and rate changes between chunks do (atoms without memory along
    /// a dim ignore it).
    fn set_on_discontinuity(&mut self, _policy: OnDiscontinuity) {}
}

/// Conveniences on every [`Atom`].
pub trait AtomExt: Atom {
    /// Eager call on a whole array: the one output chunk.
    fn apply(&mut self, x: impl Into<Chunk>) -> Result<Chunk> {
        let mut out = self.call(x.into(), None)?;
        match out.len() {
            1 => Ok(out.pop().expect("one chunk")),
            0 => Err(AtomError::Invalid {
                atom: self.name().to_string(),
                message: "the input is too short to give any output".into(),
            }),
            n => Err(AtomError::Invalid {
                atom: self.name().to_string(),
                message: format!("an eager call gave {n} chunks instead of one"),
            }),
        }
    }

    /// Feed `chunks` cut along `dim`, flush, reset, and return every output chunk.
    fn iter_chunks(
        &mut self,
        chunks: impl IntoIterator<Item = Chunk>,
        dim: &str,
    ) -> Result<Vec<Chunk>> {
        let mut out = Vec::new();
        for c in chunks {
            out.extend(self.call(c, Some(dim))?);
        }
        out.extend(self.flush()?);
        self.reset();
        Ok(out)
    }

    /// [`AtomExt::iter_chunks`], with the outputs joined along `dim` (`None` when there
    /// is no output).
    fn run_chunks(
        &mut self,
        chunks: impl IntoIterator<Item = Chunk>,
        dim: &str,
    ) -> Result<Option<Chunk>> {
        let out = self.iter_chunks(chunks, dim)?;
        if out.is_empty() {
            return Ok(None);
        }
        Chunk::concat(&out, dim).map(Some)
    }
}

impl<A: Atom + ?Sized> AtomExt for A {}

impl Atom for Box<dyn Atom> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn signature(&self) -> String {
        (**self).signature()
    }
    fn call(&mut self, chunk: Chunk, chunk_dim: Option<&str>) -> Result<Vec<Chunk>> {
        (**self).call(chunk, chunk_dim)
    }
    fn flush(&mut self) -> Result<Vec<Chunk>> {
        (**self).flush()
    }
    fn reset(&mut self) {
        (**self).reset()
    }
    fn state(&self) -> Result<Value> {
        (**self).state()
    }
    fn set_state(&mut self, state: Value) -> Result<()> {
        (**self).set_state(state)
    }
    fn set_on_discontinuity(&mut self, policy: OnDiscontinuity) {
        (**self).set_on_discontinuity(policy)
    }
}
