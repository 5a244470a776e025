//! [`Data`]: an n-d array of any stored element type, with conversions to `f32`/`f64`.

use ndarray::ArrayD;
use xdas_core::DType;

use crate::error::{IoError, Result};

/// Samples as stored: the integer and float types DAS files use.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// `int8`
    I8(ArrayD<i8>),
    /// `int16`
    I16(ArrayD<i16>),
    /// `int32`
    I32(ArrayD<i32>),
    /// `int64`
    I64(ArrayD<i64>),
    /// `uint8`
    U8(ArrayD<u8>),
    /// `uint16`
    U16(ArrayD<u16>),
    /// `uint32`
    U32(ArrayD<u32>),
    /// `uint64`
    U64(ArrayD<u64>),
    /// `float32`
    F32(ArrayD<f32>),
    /// `float64`
    F64(ArrayD<f64>),
}

/// Run `$body` with `$a` bound to the array inside a [`Data`].
#[macro_export]
#[doc(hidden)]
macro_rules! each_data {
    ($data:expr, $a:ident => $body:expr) => {
        match $data {
            $crate::Data::I8($a) => $body,
            $crate::Data::I16($a) => $body,
            $crate::Data::I32($a) => $body,
            $crate::Data::I64($a) => $body,
            $crate::Data::U8($a) => $body,
            $crate::Data::U16($a) => $body,
            $crate::Data::U32($a) => $body,
            $crate::Data::U64($a) => $body,
            $crate::Data::F32($a) => $body,
            $crate::Data::F64($a) => $body,
        }
    };
}

impl Data {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            Data::I8(_) => DType::I8,
            Data::I16(_) => DType::I16,
            Data::I32(_) => DType::I32,
            Data::I64(_) => DType::I64,
            Data::U8(_) => DType::U8,
            Data::U16(_) => DType::U16,
            Data::U32(_) => DType::U32,
            Data::U64(_) => DType::U64,
            Data::F32(_) => DType::F32,
            Data::F64(_) => DType::F64,
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        each_data!(self, a => a.shape())
    }

    /// Widened to `f64` (exact for every type but 64-bit integers beyond 2^53).
    #[allow(clippy::unnecessary_cast)]
    pub fn to_f64(&self) -> ArrayD<f64> {
        each_data!(self, a => a.mapv(|v| v as f64))
    }

    /// Converted to `f32` (rounded, as numpy's `astype(float32)`).
    #[allow(clippy::unnecessary_cast)]
    pub fn to_f32(&self) -> ArrayD<f32> {
        each_data!(self, a => a.mapv(|v| v as f32))
    }

    /// Join blocks along `axis` (all of one type).
    pub fn concatenate(axis: usize, parts: &[Data]) -> Result<Data> {
        let first = parts
            .first()
            .ok_or_else(|| IoError::Invalid("nothing to concatenate".into()))?;
        macro_rules! join {
            ($v:ident) => {{
                let mut views = Vec::with_capacity(parts.len());
                for p in parts {
                    match p {
                        Data::$v(a) => views.push(a.view()),
                        other => {
                            return Err(IoError::Invalid(format!(
                                "cannot join {:?} data with {:?} data",
                                other.dtype(),
                                first.dtype()
                            )));
                        }
                    }
                }
                Data::$v(
                    ndarray::concatenate(ndarray::Axis(axis), &views)
                        .map_err(|e| IoError::Invalid(e.to_string()))?,
                )
            }};
        }
        Ok(match first {
            Data::I8(_) => join!(I8),
            Data::I16(_) => join!(I16),
            Data::I32(_) => join!(I32),
            Data::I64(_) => join!(I64),
            Data::U8(_) => join!(U8),
            Data::U16(_) => join!(U16),
            Data::U32(_) => join!(U32),
            Data::U64(_) => join!(U64),
            Data::F32(_) => join!(F32),
            Data::F64(_) => join!(F64),
        })
    }

    /// Reorder the axes (`perm[i]` = the source axis of output axis `i`), as a standard
    /// layout array.
    pub fn permuted(self, perm: &[usize]) -> Data {
        fn p<T: Clone>(a: ArrayD<T>, perm: &[usize]) -> ArrayD<T> {
            a.permuted_axes(perm.to_vec())
                .as_standard_layout()
                .into_owned()
        }
        match self {
            Data::I8(a) => Data::I8(p(a, perm)),
            Data::I16(a) => Data::I16(p(a, perm)),
            Data::I32(a) => Data::I32(p(a, perm)),
            Data::I64(a) => Data::I64(p(a, perm)),
            Data::U8(a) => Data::U8(p(a, perm)),
            Data::U16(a) => Data::U16(p(a, perm)),
            Data::U32(a) => Data::U32(p(a, perm)),
            Data::U64(a) => Data::U64(p(a, perm)),
            Data::F32(a) => Data::F32(p(a, perm)),
            Data::F64(a) => Data::F64(p(a, perm)),
        }
    }
}
