//! Golden cases of this area (see `golden/mod.rs`).

use super::Check;
use super::case::Case;

/// Claim and check this area's cases; `None` for the others.
pub fn check(case: &Case) -> Check {
    let _ = case;
    None
}
