//! Scalar values, value vectors and dtype names shared by coordinates and attributes.

use crate::time::{Datetime, Timedelta};
use std::fmt;

/// Element types, named as numpy names them (`float32`, `datetime64[ns]`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    C64,
    C128,
    Datetime,
    Timedelta,
    Str,
}

impl DType {
    /// The numpy name.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::C64 => "complex64",
            DType::C128 => "complex128",
            DType::Datetime => "datetime64[ns]",
            DType::Timedelta => "timedelta64[ns]",
            DType::Str => "str",
        }
    }

    /// Bytes per element, as numpy's `itemsize` (`None` for strings, which vary).
    ///
    /// ```
    /// use xdas_core::DType;
    /// assert_eq!(DType::F32.itemsize(), Some(4));
    /// assert_eq!(DType::C128.itemsize(), Some(16));
    /// assert_eq!(DType::Str.itemsize(), None);
    /// ```
    pub fn itemsize(self) -> Option<usize> {
        Some(match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::C64 => 8,
            DType::Datetime | DType::Timedelta => 8,
            DType::C128 => 16,
            DType::Str => return None,
        })
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value: a coordinate value, a selection label or an attribute.
///
/// Labels given as strings are parsed as ISO datetimes on datetime coordinates, as xdas
/// does with `da.sel(time="2023-01-01T00:00:01")`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Scalar {
    F64(f64),
    I64(i64),
    Datetime(Datetime),
    Timedelta(Timedelta),
    Str(String),
}

impl Scalar {
    /// The dtype of the value.
    pub fn dtype(&self) -> DType {
        match self {
            Scalar::F64(_) => DType::F64,
            Scalar::I64(_) => DType::I64,
            Scalar::Datetime(_) => DType::Datetime,
            Scalar::Timedelta(_) => DType::Timedelta,
            Scalar::Str(_) => DType::Str,
        }
    }

    /// NaN-aware equality (NaN equals NaN), as in `array_equal(equal_nan=True)`.
    pub fn same(&self, other: &Scalar) -> bool {
        match (self, other) {
            (Scalar::F64(a), Scalar::F64(b)) => a == b || (a.is_nan() && b.is_nan()),
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::F64(v) => write!(f, "{v}"),
            Scalar::I64(v) => write!(f, "{v}"),
            Scalar::Datetime(v) => write!(f, "{v}"),
            Scalar::Timedelta(v) => write!(f, "{v}"),
            Scalar::Str(v) => write!(f, "{v:?}"),
        }
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Self {
        Scalar::F64(v)
    }
}
impl From<i64> for Scalar {
    fn from(v: i64) -> Self {
        Scalar::I64(v)
    }
}
impl From<Datetime> for Scalar {
    fn from(v: Datetime) -> Self {
        Scalar::Datetime(v)
    }
}
impl From<Timedelta> for Scalar {
    fn from(v: Timedelta) -> Self {
        Scalar::Timedelta(v)
    }
}
impl From<&str> for Scalar {
    fn from(v: &str) -> Self {
        Scalar::Str(v.to_string())
    }
}
impl From<String> for Scalar {
    fn from(v: String) -> Self {
        Scalar::Str(v)
    }
}

/// A 1-D vector of values of one type (dense coordinates, array attributes).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Values {
    F64(Vec<f64>),
    I64(Vec<i64>),
    Datetime(Vec<Datetime>),
    Str(Vec<String>),
}

impl Values {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::F64(v) => v.len(),
            Values::I64(v) => v.len(),
            Values::Datetime(v) => v.len(),
            Values::Str(v) => v.len(),
        }
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The dtype.
    pub fn dtype(&self) -> DType {
        match self {
            Values::F64(_) => DType::F64,
            Values::I64(_) => DType::I64,
            Values::Datetime(_) => DType::Datetime,
            Values::Str(_) => DType::Str,
        }
    }

    /// The value at `i` (panics when out of range; callers check).
    pub fn get(&self, i: usize) -> Scalar {
        match self {
            Values::F64(v) => Scalar::F64(v[i]),
            Values::I64(v) => Scalar::I64(v[i]),
            Values::Datetime(v) => Scalar::Datetime(v[i]),
            Values::Str(v) => Scalar::Str(v[i].clone()),
        }
    }

    /// The values at `indices`.
    pub fn take(&self, indices: &[usize]) -> Values {
        match self {
            Values::F64(v) => Values::F64(indices.iter().map(|&i| v[i]).collect()),
            Values::I64(v) => Values::I64(indices.iter().map(|&i| v[i]).collect()),
            Values::Datetime(v) => Values::Datetime(indices.iter().map(|&i| v[i]).collect()),
            Values::Str(v) => Values::Str(indices.iter().map(|&i| v[i].clone()).collect()),
        }
    }

    /// Concatenate vectors of the same type.
    pub fn concat(parts: &[&Values]) -> Option<Values> {
        let first = parts.first()?;
        macro_rules! cat {
            ($var:ident) => {{
                let mut out = Vec::new();
                for p in parts {
                    match p {
                        Values::$var(v) => out.extend(v.iter().cloned()),
                        _ => return None,
                    }
                }
                Values::$var(out)
            }};
        }
        Some(match first {
            Values::F64(_) => cat!(F64),
            Values::I64(_) => cat!(I64),
            Values::Datetime(_) => cat!(Datetime),
            Values::Str(_) => cat!(Str),
        })
    }
}

/// NaN-aware equality: two float vectors are equal when they hold the same values, NaN
/// matching NaN.
impl PartialEq for Values {
    fn eq(&self, other: &Values) -> bool {
        match (self, other) {
            (Values::F64(a), Values::F64(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
            }
            (Values::I64(a), Values::I64(b)) => a == b,
            (Values::Datetime(a), Values::Datetime(b)) => a == b,
            (Values::Str(a), Values::Str(b)) => a == b,
            _ => false,
        }
    }
}

impl From<Vec<f64>> for Values {
    fn from(v: Vec<f64>) -> Self {
        Values::F64(v)
    }
}
impl From<Vec<i64>> for Values {
    fn from(v: Vec<i64>) -> Self {
        Values::I64(v)
    }
}
impl From<Vec<Datetime>> for Values {
    fn from(v: Vec<Datetime>) -> Self {
        Values::Datetime(v)
    }
}
impl From<Vec<String>> for Values {
    fn from(v: Vec<String>) -> Self {
        Values::Str(v)
    }
}
