//! Shared inputs of the criterion benchmarks in `benches/` (see `benches/README.md`).

use ndarray::{Array2, ArrayD};
use xdas_signal::Real;

/// Time samples of the DAS-sized benchmark arrays.
pub const NT: usize = 5_000;
/// Channels of the DAS-sized benchmark arrays.
pub const NCH: usize = 10_000;

/// A `(NT, NCH)` row-major `(time, channel)` array of deterministic pseudo-random
/// samples in [-1, 1) (xorshift64*), the same in every benchmark and run.
pub fn random_data<T: Real>() -> ArrayD<T> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    Array2::from_shape_simple_fn((NT, NCH), || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        let v = s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        T::of(v as f64 / (1u64 << 52) as f64 - 1.0)
    })
    .into_dyn()
}
