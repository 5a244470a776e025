//! Test support for the xdas-rs crates: the golden cases of `../shared/reference/golden`
//! (found through `XDAS_TEST_DATA`), a minimal `.npy` reader, golden coordinates, and
//! tolerance comparisons. Not published; used as a dev-dependency only.
#![allow(clippy::missing_panics_doc)]

pub mod case;
pub mod coords;
pub mod npy;

pub use case::{Case, close, close_c, exact, golden_dir, shared_dir, vendor_file};
pub use coords::{coord, input_dataarray};
pub use npy::Npy;
