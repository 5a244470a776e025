//! [`Along`]: turns a [`Stream`] — a kernel with memory along one dim — into an
//! [`Atom`] that judges seams, splits eager input at discontinuities, and saves state.

use serde_json::{Value, json};
use xdas_core::Coordinate;

use crate::atom::{Atom, OnDiscontinuity};
use crate::chunk::Chunk;
use crate::error::{AtomError, Result};
use crate::seam::{Edge, Seam};
use crate::state::{field, field_as};

/// A processing kernel with memory along one dim, fed consecutive, continuous pieces.
///
/// [`Along`] calls [`Stream::start`] on the first piece of each continuous run,
/// [`Stream::push`] on every piece, [`Stream::finish`] at the end of a run (end of
/// stream, or a gap when resetting), and [`Stream::clear`] to forget the run.
pub trait Stream: Send {
    /// The xdas name (`"LFilter"`).
    fn name(&self) -> &'static str;
    /// Every parameter, as in [`Atom::signature`].
    fn signature(&self) -> String;
    /// The dim the kernel works along (may be `"first"` / `"last"`).
    fn dim(&self) -> &str;
    /// Prepare a run from its first piece (sampling rate, axis, zeroed memory).
    fn start(&mut self, first: &Chunk) -> Result<()>;
    /// Process the next piece of the run.
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>>;
    /// Emit what is held back at the end of a run.
    fn finish(&mut self) -> Result<Vec<Chunk>>;
    /// Forget the run.
    fn clear(&mut self);
    /// The run's state.
    fn save(&self) -> Result<Value>;
    /// Restore a state from [`Stream::save`].
    fn load(&mut self, state: &Value) -> Result<()>;
}

/// An [`Atom`] running a [`Stream`] along its dim (see [`Atom`] for the protocol).
pub struct Along<S> {
    stream: S,
    on_discontinuity: OnDiscontinuity,
    live: bool,
    edge: Option<Edge>,
}

impl<S: Stream> Along<S> {
    /// Wrap a stream; gaps and rate changes reset it.
    pub fn new(stream: S) -> Self {
        Along {
            stream,
            on_discontinuity: OnDiscontinuity::Reset,
            live: false,
            edge: None,
        }
    }

    /// Choose what a gap or a rate change does.
    pub fn on_discontinuity(mut self, policy: OnDiscontinuity) -> Self {
        self.on_discontinuity = policy;
        self
    }

    /// The wrapped stream.
    pub fn stream(&self) -> &S {
        &self.stream
    }

    /// The wrapped stream, mutably.
    pub fn stream_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    fn resolve(&self, chunk: &Chunk) -> Result<String> {
        let dim = self.stream.dim();
        crate::each_array!(chunk,
            da => Ok(da.resolve_dim(dim)?.to_string()),
            _p => Err(AtomError::DType { atom: self.stream.name().into(), dtype: "picks".into() }))
    }

    fn coord(chunk: &Chunk, dim: &str) -> Option<Coordinate> {
        crate::each_array!(chunk, da => da.coord(dim).ok().cloned(), _p => None)
    }

    /// One continuous piece of a chunked stream.
    fn step(&mut self, chunk: Chunk, dim: &str) -> Result<Vec<Chunk>> {
        if chunk.len_along(dim)? == 0 {
            return Ok(Vec::new());
        }
        let coord = Self::coord(&chunk, dim);
        let mut out = Vec::new();
        if self.live {
            let seam = match (&self.edge, &coord) {
                (Some(edge), Some(c)) => edge.judge(c),
                _ => None,
            };
            let seam = seam.ok_or_else(|| AtomError::Discontinuity {
                atom: self.stream.name().into(),
                message: format!(
                    "cannot tell whether the chunk continues the previous one: the {dim:?} \
                     coordinate declares no sampling interval"
                ),
            })?;
            match seam {
                Seam::Continuous => {}
                Seam::Overlap(what) => {
                    return Err(AtomError::Discontinuity {
                        atom: self.stream.name().into(),
                        message: format!(
                            "the chunk overlaps the previous one along {dim:?}: {what}"
                        ),
                    });
                }
                Seam::Gap(what) | Seam::RateChange(what) => match self.on_discontinuity {
                    OnDiscontinuity::Raise => {
                        return Err(AtomError::Discontinuity {
                            atom: self.stream.name().into(),
                            message: format!("discontinuity along {dim:?}: {what}"),
                        });
                    }
                    OnDiscontinuity::Reset => {
                        out.extend(self.stream.finish()?);
                        self.stream.clear();
                        self.live = false;
                    }
                },
            }
        }
        if !self.live {
            self.stream.start(&chunk)?;
            self.live = true;
            self.edge = None;
        }
        self.edge = coord.as_ref().and_then(|c| Edge::of(c, self.edge.as_ref()));
        out.extend(self.stream.push(chunk)?);
        Ok(out)
    }

    fn eager(&mut self, chunk: Chunk, dim: &str) -> Result<Vec<Chunk>> {
        let mut out = Vec::new();
        for piece in chunk.split_discontinuities(dim)? {
            self.stream.clear();
            self.stream.start(&piece)?;
            out.extend(self.stream.push(piece)?);
            out.extend(self.stream.finish()?);
        }
        self.stream.clear();
        if out.len() <= 1 {
            return Ok(out);
        }
        Ok(vec![Chunk::concat(&out, dim)?])
    }
}

impl<S: Stream> Atom for Along<S> {
    fn name(&self) -> &str {
        self.stream.name()
    }

    fn signature(&self) -> String {
        match self.on_discontinuity {
            OnDiscontinuity::Reset => self.stream.signature(),
            OnDiscontinuity::Raise => {
                let s = self.stream.signature();
                format!("{}, on_discontinuity='raise')", s.trim_end_matches(')'))
            }
        }
    }

    fn call(&mut self, chunk: Chunk, chunk_dim: Option<&str>) -> Result<Vec<Chunk>> {
        let dim = self.resolve(&chunk)?;
        let chunked = match chunk_dim {
            Some(cd) => {
                let cd = crate::each_array!(&chunk, da => da.resolve_dim(cd).map(str::to_string).unwrap_or_else(|_| cd.to_string()), _p => cd.to_string());
                cd == dim
            }
            None => false,
        };
        if !chunked {
            if self.live {
                return Err(AtomError::Invalid {
                    atom: self.name().into(),
                    message: "a whole-array call in the middle of a chunked stream; flush or \
                              reset first"
                        .into(),
                });
            }
            return self.eager(chunk, &dim);
        }
        // a chunk with a gap inside is several pieces, each judged at its seam
        let mut out = Vec::new();
        for piece in chunk.split_discontinuities(&dim)? {
            out.extend(self.step(piece, &dim)?);
        }
        Ok(out)
    }

    fn flush(&mut self) -> Result<Vec<Chunk>> {
        if !self.live {
            return Ok(Vec::new());
        }
        let out = self.stream.finish()?;
        self.reset();
        Ok(out)
    }

    fn reset(&mut self) {
        self.stream.clear();
        self.live = false;
        self.edge = None;
    }

    fn state(&self) -> Result<Value> {
        Ok(json!({
            "live": self.live,
            "edge": serde_json::to_value(&self.edge).map_err(|e| AtomError::State(e.to_string()))?,
            "stream": if self.live { self.stream.save()? } else { Value::Null },
        }))
    }

    fn set_on_discontinuity(&mut self, policy: OnDiscontinuity) {
        self.on_discontinuity = policy;
    }

    fn set_state(&mut self, state: Value) -> Result<()> {
        self.reset();
        let live: bool = field_as(&state, "live")?;
        let edge: Option<Edge> = field_as(&state, "edge")?;
        if live {
            self.stream.load(field(&state, "stream")?)?;
        }
        self.live = live;
        self.edge = edge;
        Ok(())
    }
}
