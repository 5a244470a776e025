//! # xdas-processing — the chunked executor
//!
//! Running a pipeline of [`xdas_atoms`] over data larger than memory: a [`Loader`] reads
//! chunks, the pipeline runs on them, a [`Writer`] stores the results — the three
//! overlapping on their own threads ([`process`]), with [checkpoints](checkpoint) so that a
//! killed run resumes and ends bitwise identical to an uninterrupted one.
//!
//! | item | holds |
//! |---|---|
//! | [`process`], [`Options`], [`Report`] | the executor and what it measured |
//! | [`ArrayLoader`], [`MemoryLoader`], [`ChunkSpec`] | chunks of a lazy array (`time=10000`, `time=256MB`) |
//! | [`DataArrayWriter`], [`MemoryWriter`], [`PicksCsvWriter`] | native files + `index.nc`, memory, picks CSV |
//! | [`checkpoint`] | checkpoint files |
//! | [`watch::DirectoryWatcher`] | files as they arrive in a directory |
//! | [`zmq::ZmqPublisher`], [`zmq::ZmqSubscriber`] | ZeroMQ streams, wire-compatible with xdas |
//! | [`ChunkAllocator`] | a global allocator that reuses freed chunk buffers (for binaries) |

mod alloc;
pub mod checkpoint;
mod error;
mod executor;
mod loader;
mod native_writer;
pub mod watch;
mod writer;
mod zarr_writer;
pub mod zmq;

pub use alloc::ChunkAllocator;
pub use error::{ProcessError, Result};
pub use executor::{Options, Report, process};
pub use loader::{ArrayLoader, ChunkSize, ChunkSpec, Loader, MemoryLoader};
pub use native_writer::{DataArrayWriter, INDEX};
pub use writer::{MemoryWriter, PicksCsvWriter, Writer};
pub use xdas_atoms;
pub use xdas_io;
pub use zarr_writer::ZarrOutput;
