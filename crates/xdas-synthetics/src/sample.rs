//! The element types the generators can produce.

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point element type of generated data: `f32` or `f64`.
///
/// Generators compute in `f64` and round once when storing, so an `f32` data set is
/// exactly the `f64` one rounded to `f32`.
///
/// ```
/// use xdas_synthetics::Sample;
/// assert_eq!(<f32 as Sample>::from_f64(0.1), 0.1f32);
/// assert_eq!(Sample::to_f64(0.5f32), 0.5);
/// ```
pub trait Sample:
    Copy + Send + Sync + PartialEq + PartialOrd + Default + std::fmt::Debug + 'static + sealed::Sealed
{
    /// Round an `f64` to this type (`as` semantics: to nearest, ties to even).
    ///
    /// ```
    /// use xdas_synthetics::Sample;
    /// assert_eq!(<f64 as Sample>::from_f64(1.5), 1.5);
    /// ```
    fn from_f64(v: f64) -> Self;

    /// Widen to `f64` (exact).
    ///
    /// ```
    /// use xdas_synthetics::Sample;
    /// assert_eq!(Sample::to_f64(2.0f64), 2.0);
    /// ```
    fn to_f64(self) -> f64;
}

impl Sample for f32 {
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Sample for f64 {
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}
