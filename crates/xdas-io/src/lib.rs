//! # xdas-io — reading and writing DAS data
//!
//! This crate owns every on-disk format: the native NetCDF4/HDF5 layout of Python xdas
//! (CF-1.13, and the older CF-1.9), Zarr v3, and the vendors' formats (AP Sensing, ASN
//! OptoDAS, Febus, PRODML, Silixa, Terra15, TDMS, miniSEED, ...), opened lazily and combined
//! across many files into one array by their coordinates.
//!
//! It depends on [`xdas_core`] only and knows nothing of atoms; the engines arrive with the
//! I/O issue.

pub use xdas_core;
