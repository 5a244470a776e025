#![allow(dead_code)]
//! The golden-case harness: case files, `.npy` reading, comparisons, and one module per
//! area that claims and checks its cases.

pub use xdas_testdata::case;

pub mod design;
pub mod filter;
pub mod xsignal;

use case::Case;

/// Outcome of offering a case to an area: `None` = not this area's case.
pub type Check = Option<Result<(), String>>;

/// Offer `case` to every area in turn.
pub fn dispatch(case: &Case) -> Check {
    design::check(case)
        .or_else(|| filter::check(case))
        .or_else(|| xsignal::check(case))
}
