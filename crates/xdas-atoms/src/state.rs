//! Saving and loading the state of a pipeline.
//!
//! Every atom reports its state as a JSON value ([`crate::Atom::state`]) and takes it
//! back ([`crate::Atom::set_state`]). Arrays inside are stored exactly: their bytes
//! (little-endian) in base64, so NaNs and every bit survive. Chunks held in buffers keep
//! their coordinates, names and attributes.
//!
//! A state file ([`save`] / [`load`]) also records the pipeline's signature (its ops and
//! parameters); loading it into a pipeline with another signature is an error.

use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use num_complex::Complex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use xdas_core::{Attrs, Coordinate, DataArray, Element};

use crate::atom::Atom;
use crate::chunk::{Buf, Chunk};
use crate::error::{AtomError, Result};
use crate::picks::Picks;

const FORMAT: &str = "xdas-rs pipeline state";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct StateFile {
    format: String,
    version: u32,
    signature: String,
    state: Value,
}

/// Write `atom`'s state to `path` atomically (a temporary file renamed over `path`).
pub fn save(atom: &dyn Atom, path: &Path) -> Result<()> {
    let file = StateFile {
        format: FORMAT.into(),
        version: VERSION,
        signature: atom.signature(),
        state: atom.state()?,
    };
    let text = serde_json::to_vec(&file).map_err(|e| AtomError::State(e.to_string()))?;
    let io = |source| AtomError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&text).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// Load the state saved in `path` into `atom`, which must have been built from the same
/// description (same signature).
pub fn load(atom: &mut dyn Atom, path: &Path) -> Result<()> {
    let text = std::fs::read(path).map_err(|source| AtomError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let file: StateFile = serde_json::from_slice(&text)
        .map_err(|e| AtomError::State(format!("{}: not a state file ({e})", path.display())))?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(AtomError::State(format!(
            "{}: unsupported state format {:?} version {}",
            path.display(),
            file.format,
            file.version
        )));
    }
    let mine = atom.signature();
    if file.signature != mine {
        return Err(AtomError::State(format!(
            "{}: saved from a different pipeline\n  saved:   {}\n  this one: {}",
            path.display(),
            file.signature,
            mine
        )));
    }
    atom.set_state(file.state)
}

// ---------------------------------------------------------------- values

/// Encode a typed array.
pub fn encode_buf(b: &Buf) -> Value {
    match b {
        Buf::F32(a) => encode_array("float32", a),
        Buf::F64(a) => encode_array("float64", a),
    }
}

/// Decode what [`encode_buf`] wrote.
pub fn decode_buf(v: &Value) -> Result<Buf> {
    let (dtype, shape, bytes) = array_parts(v)?;
    Ok(match dtype.as_str() {
        "float32" => Buf::F32(decode_array(&shape, &bytes)?),
        "float64" => Buf::F64(decode_array(&shape, &bytes)?),
        other => return Err(AtomError::State(format!("unknown state dtype {other:?}"))),
    })
}

/// An optional buffer.
pub fn encode_opt_buf(b: &Option<Buf>) -> Value {
    b.as_ref().map(encode_buf).unwrap_or(Value::Null)
}

/// Decode an optional buffer.
pub fn decode_opt_buf(v: &Value) -> Result<Option<Buf>> {
    if v.is_null() {
        Ok(None)
    } else {
        decode_buf(v).map(Some)
    }
}

/// Encode a chunk (data, dims, coordinates, name and attributes).
pub fn encode_chunk(c: &Chunk) -> Value {
    fn record<T: Element + Bytes>(dtype: &str, da: &DataArray<T>) -> Value {
        let coords: Vec<(&str, &Coordinate)> = da.coords().collect();
        json!({
            "array": encode_array(dtype, da.data()),
            "dims": da.dims(),
            "coords": serde_json::to_value(coords).expect("coordinates serialise"),
            "name": da.name(),
            "attrs": serde_json::to_value(da.attrs()).expect("attributes serialise"),
        })
    }
    match c {
        Chunk::F32(da) => record("float32", da),
        Chunk::F64(da) => record("float64", da),
        Chunk::C64(da) => record("complex64", da),
        Chunk::C128(da) => record("complex128", da),
        Chunk::Picks(p) => json!({ "picks": serde_json::to_value(p).expect("picks serialise") }),
    }
}

/// Decode what [`encode_chunk`] wrote.
pub fn decode_chunk(v: &Value) -> Result<Chunk> {
    let bad = |what: &str| AtomError::State(format!("corrupt chunk record: {what}"));
    if let Some(p) = v.get("picks") {
        let p: Picks = serde_json::from_value(p.clone()).map_err(|e| bad(&e.to_string()))?;
        return Ok(Chunk::Picks(p));
    }
    let (dtype, shape, bytes) = array_parts(v.get("array").ok_or_else(|| bad("array"))?)?;
    let dims: Vec<String> = serde_json::from_value(v.get("dims").cloned().unwrap_or_default())
        .map_err(|e| bad(&format!("dims: {e}")))?;
    let coords: Vec<(String, Coordinate)> =
        serde_json::from_value(v.get("coords").cloned().unwrap_or_default())
            .map_err(|e| bad(&format!("coords: {e}")))?;
    let name: Option<String> = serde_json::from_value(v.get("name").cloned().unwrap_or_default())
        .map_err(|e| bad(&format!("name: {e}")))?;
    let attrs: Option<Attrs> = serde_json::from_value(v.get("attrs").cloned().unwrap_or_default())
        .map_err(|e| bad(&format!("attrs: {e}")))?;
    macro_rules! build {
        ($t:ty, $v:ident) => {
            Chunk::$v(DataArray::<$t>::from_parts(
                decode_array(&shape, &bytes)?,
                dims,
                coords,
                name,
                attrs,
            )?)
        };
    }
    Ok(match dtype.as_str() {
        "float32" => build!(f32, F32),
        "float64" => build!(f64, F64),
        "complex64" => build!(Complex<f32>, C64),
        "complex128" => build!(Complex<f64>, C128),
        other => return Err(bad(&format!("dtype {other:?}"))),
    })
}

/// An optional chunk.
pub fn encode_opt_chunk(c: &Option<Chunk>) -> Value {
    c.as_ref().map(encode_chunk).unwrap_or(Value::Null)
}

/// Decode an optional chunk.
pub fn decode_opt_chunk(v: &Value) -> Result<Option<Chunk>> {
    if v.is_null() {
        Ok(None)
    } else {
        decode_chunk(v).map(Some)
    }
}

/// A field of a state object, or a clear error.
pub fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value> {
    v.get(key)
        .ok_or_else(|| AtomError::State(format!("missing state field {key:?}")))
}

/// A field deserialised into `T`.
pub fn field_as<T: serde::de::DeserializeOwned>(v: &Value, key: &str) -> Result<T> {
    serde_json::from_value(field(v, key)?.clone())
        .map_err(|e| AtomError::State(format!("state field {key:?}: {e}")))
}

// ---------------------------------------------------------------- bytes

/// Element types stored as little-endian bytes.
pub trait Bytes: Copy {
    /// Bytes per element.
    const SIZE: usize;
    /// Append the element's bytes.
    fn put(self, out: &mut Vec<u8>);
    /// Read one element.
    fn get(b: &[u8]) -> Self;
}

macro_rules! bytes_float {
    ($t:ty, $n:expr) => {
        impl Bytes for $t {
            const SIZE: usize = $n;
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(b: &[u8]) -> Self {
                <$t>::from_le_bytes(b.try_into().expect("element size"))
            }
        }
        impl Bytes for Complex<$t> {
            const SIZE: usize = 2 * $n;
            fn put(self, out: &mut Vec<u8>) {
                self.re.put(out);
                self.im.put(out);
            }
            fn get(b: &[u8]) -> Self {
                Complex::new(<$t>::get(&b[..$n]), <$t>::get(&b[$n..]))
            }
        }
    };
}
bytes_float!(f32, 4);
bytes_float!(f64, 8);

fn encode_array<T: Bytes>(dtype: &str, a: &ArrayD<T>) -> Value {
    let mut bytes = Vec::with_capacity(a.len() * T::SIZE);
    for &v in a.iter() {
        v.put(&mut bytes);
    }
    json!({ "dtype": dtype, "shape": a.shape(), "data": base64_encode(&bytes) })
}

fn array_parts(v: &Value) -> Result<(String, Vec<usize>, Vec<u8>)> {
    let dtype: String = field_as(v, "dtype")?;
    let shape: Vec<usize> = field_as(v, "shape")?;
    let data: String = field_as(v, "data")?;
    Ok((dtype, shape, base64_decode(&data)?))
}

fn decode_array<T: Bytes>(shape: &[usize], bytes: &[u8]) -> Result<ArrayD<T>> {
    let n: usize = shape.iter().product();
    if bytes.len() != n * T::SIZE {
        return Err(AtomError::State(format!(
            "array of shape {shape:?} needs {} bytes, found {}",
            n * T::SIZE,
            bytes.len()
        )));
    }
    let data: Vec<T> = bytes.chunks_exact(T::SIZE).map(T::get).collect();
    ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|e| AtomError::State(e.to_string()))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= c.len() {
                out.push(B64[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Result<Vec<u8>> {
    let bad = || AtomError::State("corrupt base64 array data".into());
    let s = s.as_bytes();
    if s.len() % 4 != 0 {
        return Err(bad());
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for c in s.chunks(4) {
        let mut n = 0u32;
        let mut pad = 0;
        for &ch in c {
            let v = match ch {
                b'A'..=b'Z' => ch - b'A',
                b'a'..=b'z' => ch - b'a' + 26,
                b'0'..=b'9' => ch - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' => {
                    pad += 1;
                    0
                }
                _ => return Err(bad()),
            };
            n = n << 6 | v as u32;
        }
        let b = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&b[..3 - pad.min(2)]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for n in 0..20 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn buf_round_trip_keeps_nan_bits() {
        let a =
            ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.5f64, f64::NAN, -0.0, 1e-310]).unwrap();
        let back = decode_buf(&encode_buf(&Buf::F64(a.clone()))).unwrap();
        let Buf::F64(b) = back else { panic!() };
        assert!(
            a.iter()
                .zip(b.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits())
        );
    }
}
