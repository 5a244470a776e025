//! The sampling rate of a chunk along a dim, for atoms designed in physical units.

use crate::chunk::Chunk;
use crate::error::{AtomError, Result};

/// The sampling interval of `chunk` along `dim`, in coordinate units (seconds for
/// datetime axes).
pub fn interval_seconds(chunk: &Chunk, dim: &str, atom: &str) -> Result<f64> {
    let d = crate::each_array!(chunk,
        da => {
            let name = da.resolve_dim(dim)?;
            da.coord(name).ok().and_then(|c| c.sampling_interval_seconds())
        },
        _p => None);
    match d {
        Some(d) if d.is_finite() && d > 0.0 => Ok(d),
        _ => Err(AtomError::Invalid {
            atom: atom.into(),
            message: format!(
                "needs the sampling interval along {dim:?}, but its coordinate declares none"
            ),
        }),
    }
}

/// The sampling rate (1 / interval) of `chunk` along `dim`.
pub fn sampling_rate(chunk: &Chunk, dim: &str, atom: &str) -> Result<f64> {
    Ok(1.0 / interval_seconds(chunk, dim, atom)?)
}
