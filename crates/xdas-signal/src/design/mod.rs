//! Filter design.
