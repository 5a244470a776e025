//! The element types of the kernels: `f32` and `f64`.

use ndarray::ScalarOperand;
use num_traits::{Float, FloatConst, FromPrimitive, NumAssign};
use std::fmt::Debug;
use std::iter::Sum;

/// A real floating-point sample type (`f32` or `f64`).
///
/// Coefficients (filter taps, windows, designs) are always computed in `f64`; kernels
/// convert them once to `T` and run in `T`.
pub trait Real:
    Float
    + FloatConst
    + FromPrimitive
    + NumAssign
    + ScalarOperand
    + Sum
    + Debug
    + Default
    + Send
    + Sync
    + 'static
    + xdas_core::Element
{
    /// From an `f64` (rounded to nearest for `f32`).
    fn of(x: f64) -> Self;
    /// To an `f64` (exact).
    fn to64(self) -> f64;
}

impl Real for f32 {
    #[inline]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn to64(self) -> f64 {
        self as f64
    }
}

impl Real for f64 {
    #[inline]
    fn of(x: f64) -> Self {
        x
    }
    #[inline]
    fn to64(self) -> f64 {
        self
    }
}
