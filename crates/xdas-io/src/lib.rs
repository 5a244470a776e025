//! # xdas-io — reading and writing DAS data
//!
//! This crate owns every on-disk format: the native NetCDF4/HDF5 layout of Python xdas
//! (CF-1.13, and the older CF-1.9), Zarr v3, and the vendors' formats (AP Sensing, ASN
//! OptoDAS, Febus, PRODML, Silixa, Terra15, TDMS, miniSEED, ...), opened lazily and
//! combined across many files into one array by their coordinates.
//!
//! | item | holds |
//! |---|---|
//! | [`LazyArray`], [`Source`] | labels now, samples on demand; [`Stack`], [`Transposed`], [`InMemory`] sources |
//! | [`Data`] | samples as stored (int8 … float64), converted to f32/f64 on load |
//! | [`h5`] | HDF5 files, hyperslab reads, attribute readers |
//! | [`open`], [`Engine`] | one file, the engine chosen from its content |
//! | [`native`] | the xdas format: read (CF-1.13, CF-1.9, older), write, virtual datasets |
//! | [`vendors`], [`tdms`], [`miniseed`] | vendor engines |
//! | [`open_zarr`], [`write_zarr`], [`ZarrWriter`] | Zarr v3, appendable |
//! | [`open_inputs`], [`open_mfdataarray`] | many files as one lazy array, or a collection |
//! | [`IoError`] | typed errors |

mod data;
mod direct;
pub mod engine;
mod error;
pub mod h5;
mod lazy;
pub mod miniseed;
mod multi;
pub mod native;
pub mod tdms;
pub mod vendors;
pub mod zarr;

pub use data::Data;
pub use engine::{Engine, Probe, open, open_with};
pub use error::{IoError, Result};
pub use lazy::{FromData, InMemory, LazyArray, Piece, Source, Stack, Transposed};
pub use multi::{combine, expand_inputs, open_inputs, open_mfdataarray};
pub use native::{LazyCollection, WriteOptions, open_collection};
pub use xdas_core;
pub use zarr::{Compression, ZarrOptions, ZarrWriter, open_zarr, write_zarr};
