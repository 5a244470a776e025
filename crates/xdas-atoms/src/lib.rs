//! # xdas-atoms — stateful atoms and pipelines
//!
//! Processing units ("atoms") that run on a whole array or on a stream of chunks, and
//! give the same result either way, bit for bit. Filters with memory carry their state
//! from chunk to chunk; a pipeline's whole state can be saved and resumed.
//!
//! | item | holds |
//! |---|---|
//! | [`Atom`], [`AtomExt`] | the protocol: `call` a chunk → 0..n chunks, `flush`, `reset`, state |
//! | [`Chunk`], [`Picks`] | what flows between atoms |
//! | [`Along`], [`Stream`] | one mechanism for every atom with memory along a dim: seams, eager runs |
//! | [`Sequential`], [`Func`] | composition, and any function of a chunk as an atom |
//! | [`LFilter`], [`SOSFilter`], [`IIRFilter`] | recursive filters |
//! | [`Polyphase`], [`FIRFilter`], [`Resample`], [`ResamplePoly`], [`Decimate`], [`DownSample`], [`UpSample`] | FIR filtering and rate changes |
//! | [`Integrate`], [`Differentiate`], [`STFT`], [`Rechunk`] | calculus, spectrogram and re-chunking with memory |
//! | [`detect`] | STA/LTA and the trigger |
//! | [`functions`] | every `xdas.signal` function and elementwise maths as stateless atoms |
//! | [`description`] | pipelines from TOML / JSON |
//! | [`state`] | saving and loading pipeline state |

mod along;
mod atom;
pub mod calculus;
mod chain;
mod chunk;
pub mod description;
pub mod detect;
mod error;
mod filter;
mod func;
pub mod functions;
mod picks;
mod polyphase;
pub mod rate;
pub mod rechunk;
mod resample;
mod sample;
mod seam;
mod sequential;
pub mod state;
pub mod stft;

pub use along::{Along, Stream};
pub use atom::{Atom, AtomExt, OnDiscontinuity};
pub use calculus::{Differentiate, DifferentiateStream, Integrate, IntegrateStream};
pub use chain::{ChainStream, DesignedStream};
pub use chunk::{Buf, Chunk, Sample};
pub use detect::{STALTA, StaLtaStream, Trigger, TriggerStream};
pub use error::{AtomError, Result};
pub use filter::{
    Filter, IIRFilter, IirParams, IirStream, LFilter, RecursiveStream, SOSFilter, Stype,
};
pub use func::Func;
pub use functions::{MedFilt, WindowSpec};
pub use picks::Picks;
pub use polyphase::{PolyStream, Polyphase};
pub use rechunk::{Rechunk, RechunkStream};
pub use resample::{
    Decimate, FIRFilter, FirParams, Resample, ResampleParams, ResamplePoly, Target,
};
pub use sample::{DownSample, DownStream, UpSample, UpStream};
pub use sequential::Sequential;
pub use stft::{STFT, StftStream};
