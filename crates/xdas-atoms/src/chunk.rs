//! [`Chunk`]: what flows between atoms — a labelled array of any supported element type,
//! or a table of picks.

use ndarray::ArrayD;
use num_complex::Complex;
use xdas_core::{DataArray, Element, Indexer, Split, Tolerance};
use xdas_signal::Real;

use crate::error::{AtomError, Result};
use crate::picks::Picks;

/// One piece of data passed to or returned by an [`crate::Atom`].
///
/// Real arrays are `f32` or `f64`; complex arrays come out of spectral atoms (`STFT`,
/// `hilbert`, `fft`); [`Picks`] come out of `Trigger`.
#[derive(Debug, Clone)]
pub enum Chunk {
    /// `float32` samples.
    F32(DataArray<f32>),
    /// `float64` samples.
    F64(DataArray<f64>),
    /// `complex64` samples.
    C64(DataArray<Complex<f32>>),
    /// `complex128` samples.
    C128(DataArray<Complex<f64>>),
    /// A picks table.
    Picks(Picks),
}

/// Run `$body` with `$da` bound to the array inside `$chunk` (any element type);
/// `$picks` handles a picks table.
#[macro_export]
#[doc(hidden)]
macro_rules! each_array {
    ($chunk:expr, $da:ident => $body:expr, $p:ident => $picks:expr) => {
        match $chunk {
            $crate::Chunk::F32($da) => $body,
            $crate::Chunk::F64($da) => $body,
            $crate::Chunk::C64($da) => $body,
            $crate::Chunk::C128($da) => $body,
            $crate::Chunk::Picks($p) => $picks,
        }
    };
}

impl Chunk {
    /// The numpy name of the element type (`"float32"`, ..., or `"picks"`).
    pub fn dtype_name(&self) -> &'static str {
        match self {
            Chunk::F32(_) => "float32",
            Chunk::F64(_) => "float64",
            Chunk::C64(_) => "complex64",
            Chunk::C128(_) => "complex128",
            Chunk::Picks(_) => "picks",
        }
    }

    /// The dims of the array (a picks table has none).
    pub fn dims(&self) -> Vec<String> {
        each_array!(self, da => da.dims().to_vec(), _p => Vec::new())
    }

    /// The shape of the array (a picks table: its number of rows).
    pub fn shape(&self) -> Vec<usize> {
        each_array!(self, da => da.shape().to_vec(), p => vec![p.len()])
    }

    /// Number of samples along `dim`.
    pub fn len_along(&self, dim: &str) -> Result<usize> {
        each_array!(self, da => Ok(da.shape()[da.axis(dim)?]), p => Ok(p.len()))
    }

    /// The array, when this is not a picks table.
    pub fn is_array(&self) -> bool {
        !matches!(self, Chunk::Picks(_))
    }

    /// Positional selection along `dim`.
    pub fn isel(&self, dim: &str, indexer: Indexer) -> Result<Chunk> {
        Ok(match self {
            Chunk::F32(da) => Chunk::F32(da.isel(dim, indexer)?),
            Chunk::F64(da) => Chunk::F64(da.isel(dim, indexer)?),
            Chunk::C64(da) => Chunk::C64(da.isel(dim, indexer)?),
            Chunk::C128(da) => Chunk::C128(da.isel(dim, indexer)?),
            Chunk::Picks(p) => Chunk::Picks(p.clone()),
        })
    }

    /// Samples `start..stop` along `dim`.
    pub fn range(&self, dim: &str, start: usize, stop: usize) -> Result<Chunk> {
        self.isel(dim, Indexer::range(start as i64, stop as i64))
    }

    /// Join chunks of one kind along `dim` (gap-aware, like `xdas.concat`); picks tables
    /// are appended.
    pub fn concat(chunks: &[Chunk], dim: &str) -> Result<Chunk> {
        fn join<T: Element>(parts: Vec<&DataArray<T>>, dim: &str) -> Result<DataArray<T>> {
            let nonempty: Vec<&DataArray<T>> = parts
                .iter()
                .copied()
                .filter(|d| d.axis(dim).map(|a| d.shape()[a] > 0).unwrap_or(true))
                .collect();
            match nonempty.len() {
                0 => Ok(parts[0].clone()),
                1 => Ok(nonempty[0].clone()),
                _ => Ok(DataArray::concat(&nonempty, dim, Tolerance::Default)?),
            }
        }
        let first = chunks
            .first()
            .ok_or_else(|| AtomError::Core(xdas_core::Error::Concat("no chunks".into())))?;
        macro_rules! gather {
            ($v:ident) => {{
                let mut parts = Vec::with_capacity(chunks.len());
                for c in chunks {
                    match c {
                        Chunk::$v(da) => parts.push(da),
                        other => {
                            return Err(AtomError::DType {
                                atom: "concat".into(),
                                dtype: format!(
                                    "{} mixed with {}",
                                    other.dtype_name(),
                                    first.dtype_name()
                                ),
                            });
                        }
                    }
                }
                Chunk::$v(join(parts, dim)?)
            }};
        }
        Ok(match first {
            Chunk::F32(_) => gather!(F32),
            Chunk::F64(_) => gather!(F64),
            Chunk::C64(_) => gather!(C64),
            Chunk::C128(_) => gather!(C128),
            Chunk::Picks(_) => {
                let mut all = Picks::default();
                for c in chunks {
                    match c {
                        Chunk::Picks(p) => all.append(p)?,
                        other => {
                            return Err(AtomError::DType {
                                atom: "concat".into(),
                                dtype: format!("{} mixed with picks", other.dtype_name()),
                            });
                        }
                    }
                }
                Chunk::Picks(all)
            }
        })
    }

    /// Cut at every gap or overlap of `dim`'s coordinate (within its tolerance). A dim
    /// without a coordinate, or a picks table, is one piece; a continuous chunk is
    /// returned as is (no copy).
    pub fn split_discontinuities(self, dim: &str) -> Result<Vec<Chunk>> {
        macro_rules! cut {
            ($da:expr, $v:ident) => {{
                let name = $da.resolve_dim(dim)?.to_string();
                if $da.coord(&name).is_err() || $da.shape()[$da.axis(&name)?] < 2 {
                    return Ok(vec![self]);
                }
                let seams = $da
                    .coord(&name)?
                    .split_indices(xdas_core::SplitKind::Discontinuities, Tolerance::Default)?;
                if seams.is_empty() {
                    return Ok(vec![self]);
                }
                $da.split(Split::Discontinuities, &name, Tolerance::Default)?
                    .into_iter()
                    .map(Chunk::$v)
                    .collect()
            }};
        }
        Ok(match &self {
            Chunk::F32(da) => cut!(da, F32),
            Chunk::F64(da) => cut!(da, F64),
            Chunk::C64(da) => cut!(da, C64),
            Chunk::C128(da) => cut!(da, C128),
            Chunk::Picks(_) => vec![self],
        })
    }

    /// Strict equality: same kind, bitwise data (NaN equals NaN) and equal coordinates.
    pub fn equals(&self, other: &Chunk) -> bool {
        match (self, other) {
            (Chunk::F32(a), Chunk::F32(b)) => a.equals(b),
            (Chunk::F64(a), Chunk::F64(b)) => a.equals(b),
            (Chunk::C64(a), Chunk::C64(b)) => a.equals(b),
            (Chunk::C128(a), Chunk::C128(b)) => a.equals(b),
            (Chunk::Picks(a), Chunk::Picks(b)) => a == b,
            _ => false,
        }
    }

    /// The `f64` array, or an error naming `atom`.
    pub fn into_f64(self, atom: &str) -> Result<DataArray<f64>> {
        match self {
            Chunk::F64(da) => Ok(da),
            other => Err(AtomError::DType {
                atom: atom.into(),
                dtype: other.dtype_name().into(),
            }),
        }
    }
}

impl From<DataArray<f32>> for Chunk {
    fn from(da: DataArray<f32>) -> Self {
        Chunk::F32(da)
    }
}
impl From<DataArray<f64>> for Chunk {
    fn from(da: DataArray<f64>) -> Self {
        Chunk::F64(da)
    }
}
impl From<DataArray<Complex<f32>>> for Chunk {
    fn from(da: DataArray<Complex<f32>>) -> Self {
        Chunk::C64(da)
    }
}
impl From<DataArray<Complex<f64>>> for Chunk {
    fn from(da: DataArray<Complex<f64>>) -> Self {
        Chunk::C128(da)
    }
}
impl From<Picks> for Chunk {
    fn from(p: Picks) -> Self {
        Chunk::Picks(p)
    }
}

/// A real sample type atoms compute in (`f32` or `f64`), with its way in and out of a
/// [`Chunk`] and of a typed state buffer ([`Buf`]).
pub trait Sample: Real + Element {
    /// Wrap an array.
    fn chunk(da: DataArray<Self>) -> Chunk;
    /// The array, if the chunk holds this type.
    fn unchunk(c: &Chunk) -> Option<&DataArray<Self>>;
    /// Wrap a state array.
    fn buf(a: ArrayD<Self>) -> Buf;
    /// The state array, if it holds this type.
    fn unbuf(b: &Buf) -> Option<&ArrayD<Self>>;
}

impl Sample for f32 {
    fn chunk(da: DataArray<Self>) -> Chunk {
        Chunk::F32(da)
    }
    fn unchunk(c: &Chunk) -> Option<&DataArray<Self>> {
        match c {
            Chunk::F32(da) => Some(da),
            _ => None,
        }
    }
    fn buf(a: ArrayD<Self>) -> Buf {
        Buf::F32(a)
    }
    fn unbuf(b: &Buf) -> Option<&ArrayD<Self>> {
        match b {
            Buf::F32(a) => Some(a),
            _ => None,
        }
    }
}
impl Sample for f64 {
    fn chunk(da: DataArray<Self>) -> Chunk {
        Chunk::F64(da)
    }
    fn unchunk(c: &Chunk) -> Option<&DataArray<Self>> {
        match c {
            Chunk::F64(da) => Some(da),
            _ => None,
        }
    }
    fn buf(a: ArrayD<Self>) -> Buf {
        Buf::F64(a)
    }
    fn unbuf(b: &Buf) -> Option<&ArrayD<Self>> {
        match b {
            Buf::F64(a) => Some(a),
            _ => None,
        }
    }
}

/// A typed state array (filter state, running sums, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum Buf {
    /// `float32` values.
    F32(ArrayD<f32>),
    /// `float64` values.
    F64(ArrayD<f64>),
}

/// Run `$body` with `$da` bound to a real array (`f32` or `f64`), `T` to its type; other
/// chunks are a [`AtomError::DType`] naming `$atom`.
#[macro_export]
#[doc(hidden)]
macro_rules! with_real {
    ($chunk:expr, $atom:expr, $da:ident => $body:expr) => {
        match $chunk {
            $crate::Chunk::F32($da) => $body,
            $crate::Chunk::F64($da) => $body,
            other => Err($crate::AtomError::DType {
                atom: $atom.to_string(),
                dtype: other.dtype_name().to_string(),
            }),
        }
    };
}
