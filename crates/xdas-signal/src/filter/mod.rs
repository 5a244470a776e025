//! Filtering.
