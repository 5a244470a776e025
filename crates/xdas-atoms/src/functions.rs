//! Stateless function atoms: elementwise maths, and every `xdas.signal` / `xdas.fft`
//! function of [`xdas_signal::dataarray`] as an atom, with xdas's names and parameters.
//!
//! * Elementwise ([`square`], [`abs`], [`sqrt`], [`log10`], [`scale`], [`add`]) work on
//!   any chunking.
//! * Whole-record functions ([`detrend`], [`taper`], [`filter`], [`decimate`], [`rfft`],
//!   ...) need the whole record along their `dim`: they run chunk by chunk when the
//!   stream is cut along another dim, and refuse (an [`AtomError::Invalid`]) a stream cut
//!   along their own dim, whose chunked result would differ from the whole-array one.
//!   [`medfilt`] refuses a stream cut along any dim its kernel spans.
//!
//! Parameters are the kinds a text description can supply — names as strings (windows,
//! band types, pad types, ...), numbers, lists — and are checked when the atom is built:
//! a bad name or value is an [`AtomError::Invalid`] then, not when data arrive. Each atom's
//! [`Atom::signature`] lists every parameter, with names in their canonical spelling
//! (`btype="bp"` gives `btype="bandpass"`).
//!
//! ```
//! use xdas_atoms::{Atom, AtomExt, Chunk};
//! use xdas_atoms::functions::{detrend, scale};
//! # fn main() -> xdas_atoms::Result<()> {
//! let da = xdas_synthetics::dummy::<f64>((50, 4)).to_dataarray();
//! let mut atom = detrend("constant", "time")?;
//! assert_eq!(atom.signature(), r#"detrend(type="constant", dim="time")"#);
//! // chunks along distance: per chunk, equal to the whole-array result
//! let chunks: Vec<Chunk> = (0..4).map(|j| Chunk::from(da.clone()).range("distance", j, j + 1)).collect::<Result<_, _>>()?;
//! let joined = atom.run_chunks(chunks, "distance")?.unwrap();
//! assert!(joined.equals(&atom.apply(da.clone())?));
//! // chunks along time: refused
//! assert!(atom.call(Chunk::from(da.clone()), Some("time")).is_err());
//! assert_eq!(scale(2.5).signature(), "scale(factor=2.5)");
//! # Ok(()) }
//! ```

use std::fmt::Display;

use ndarray::{ArrayD, IxDyn};
use num_complex::Complex;
use serde_json::Value;
use xdas_core::{DataArray, Scalar};
use xdas_signal::dataarray as xs;
use xdas_signal::decimate::DecimateFtype;
use xdas_signal::design::BandType;
use xdas_signal::detrend::DetrendType;
use xdas_signal::filter::PadType;
use xdas_signal::mean_removal::PadMode;
use xdas_signal::resample::ResamplePad;
use xdas_signal::spectral::{Norm, Scaling};
use xdas_signal::window::Window;
use xdas_signal::{Real, SignalError};

use crate::atom::Atom;
use crate::chunk::Chunk;
use crate::error::{AtomError, Result, invalid};
use crate::func::Func;

// ---------------------------------------------------------------------------------------
// Helpers: errors, signatures, windows.

/// A kernel's refusal of a parameter, as an [`AtomError::Invalid`] naming `atom`.
fn refused(atom: &str, e: SignalError) -> AtomError {
    match e {
        SignalError::InvalidArgument(m) => invalid(atom, m),
        other => invalid(atom, other.to_string()),
    }
}

fn dtype_error(atom: &str, chunk: &Chunk) -> AtomError {
    AtomError::DType {
        atom: atom.to_string(),
        dtype: chunk.dtype_name().to_string(),
    }
}

/// A string as Python writes it in a signature (double-quoted).
fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn py_opt<T: Display>(v: Option<T>) -> String {
    v.map_or_else(|| "None".to_string(), |v| v.to_string())
}

fn py_opt_f64(v: Option<f64>) -> String {
    v.map_or_else(|| "None".to_string(), |v| format!("{v:?}"))
}

fn f64s(v: &[f64]) -> String {
    format!("{v:?}")
}

fn sos_repr(sos: &[[f64; 6]]) -> String {
    let rows: Vec<String> = sos.iter().map(|r| f64s(r)).collect();
    format!("[{}]", rows.join(", "))
}

fn check_dim(atom: &str, dim: &str) -> Result<()> {
    if dim.is_empty() {
        return Err(invalid(atom, "the dim name is empty"));
    }
    Ok(())
}

/// A window as a text description gives it: a scipy name (`"hann"`), or a name with its
/// parameter (`("kaiser", 5.0)`, also written `"kaiser,5.0"` or `"('kaiser', 5.0)"`).
///
/// Names and aliases are scipy's (see [`Window::parse`]): `kaiser` (beta) and `gaussian`
/// (std) need a parameter, `tukey` takes an optional one (alpha, default 0.5). The spec
/// is checked when the atom using it is built.
///
/// ```
/// use xdas_atoms::functions::WindowSpec;
/// use xdas_signal::window::Window;
/// assert_eq!(WindowSpec::from("hann").window().unwrap(), Window::Hann);
/// assert_eq!(WindowSpec::from(("kaiser", 5.0)).window().unwrap(), Window::Kaiser(5.0));
/// assert_eq!(WindowSpec::from("('tukey', 0.25)").window().unwrap(), Window::Tukey(0.25));
/// assert!(WindowSpec::from("kaiser").window().is_err()); // beta missing
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSpec {
    name: String,
    param: Option<f64>,
}

impl WindowSpec {
    /// The window, or the reason the spec names none.
    pub fn window(&self) -> std::result::Result<Window, SignalError> {
        if self.param.is_some() {
            return Window::parse(&self.name, self.param);
        }
        // "name", or a tuple written as text: "name,param", "(name, param)", "('name', 5)".
        let text = self.name.trim();
        let text = text
            .strip_prefix('(')
            .and_then(|t| t.strip_suffix(')'))
            .unwrap_or(text);
        let unquote = |s: &str| s.trim().trim_matches(|c| c == '\'' || c == '"').to_string();
        match text.split_once(',') {
            None => Window::parse(&unquote(text), None),
            Some((name, param)) => {
                let p = param.trim();
                let value: f64 = p.parse().map_err(|_| {
                    SignalError::InvalidArgument(format!(
                        "window {:?}: the parameter {p:?} is not a number",
                        self.name
                    ))
                })?;
                Window::parse(&unquote(name), Some(value))
            }
        }
    }
}

impl From<&str> for WindowSpec {
    fn from(name: &str) -> Self {
        WindowSpec {
            name: name.to_string(),
            param: None,
        }
    }
}
impl From<String> for WindowSpec {
    fn from(name: String) -> Self {
        WindowSpec { name, param: None }
    }
}
impl From<(&str, f64)> for WindowSpec {
    fn from((name, param): (&str, f64)) -> Self {
        WindowSpec {
            name: name.to_string(),
            param: Some(param),
        }
    }
}
impl From<(String, f64)> for WindowSpec {
    fn from((name, param): (String, f64)) -> Self {
        WindowSpec {
            name,
            param: Some(param),
        }
    }
}
impl From<Window> for WindowSpec {
    fn from(w: Window) -> Self {
        let (name, param) = window_parts(&w);
        WindowSpec {
            name: name.to_string(),
            param,
        }
    }
}

fn window_parts(w: &Window) -> (&'static str, Option<f64>) {
    match *w {
        Window::Boxcar => ("boxcar", None),
        Window::Hann => ("hann", None),
        Window::Hamming => ("hamming", None),
        Window::Blackman => ("blackman", None),
        Window::Bartlett => ("bartlett", None),
        Window::Cosine => ("cosine", None),
        Window::Tukey(a) => ("tukey", Some(a)),
        Window::Kaiser(b) => ("kaiser", Some(b)),
        Window::Gaussian(s) => ("gaussian", Some(s)),
    }
}

/// The canonical text of a window in a signature: `"hann"` or `("kaiser", 5.0)`.
fn window_repr(w: &Window) -> String {
    match window_parts(w) {
        (name, None) => quoted(name),
        (name, Some(p)) => format!("({}, {p:?})", quoted(name)),
    }
}

fn parse_window(atom: &str, spec: impl Into<WindowSpec>) -> Result<Window> {
    spec.into().window().map_err(|e| refused(atom, e))
}

fn parse_btype(atom: &str, btype: &str) -> Result<(BandType, &'static str)> {
    let b = BandType::parse(btype).map_err(|e| refused(atom, e))?;
    let name = match b {
        BandType::Lowpass => "lowpass",
        BandType::Highpass => "highpass",
        BandType::Bandpass => "bandpass",
        BandType::Bandstop => "bandstop",
    };
    Ok((b, name))
}

fn parse_padtype(atom: &str, padtype: &str) -> Result<(PadType, &'static str)> {
    match padtype {
        "odd" => Ok((PadType::Odd, "odd")),
        "even" => Ok((PadType::Even, "even")),
        "constant" => Ok((PadType::Constant, "constant")),
        "none" | "None" => Ok((PadType::None, "none")),
        other => Err(invalid(
            atom,
            format!("padtype must be 'odd', 'even', 'constant' or 'none', not {other:?}"),
        )),
    }
}

fn parse_resample_pad(atom: &str, padtype: &str) -> Result<ResamplePad> {
    Ok(match padtype {
        "constant" => ResamplePad::Constant,
        "mean" => ResamplePad::Mean,
        "median" => ResamplePad::Median,
        "minimum" => ResamplePad::Minimum,
        "maximum" => ResamplePad::Maximum,
        "edge" => ResamplePad::Edge,
        "line" => ResamplePad::Line,
        "smooth" => ResamplePad::Smooth,
        "symmetric" => ResamplePad::Symmetric,
        "reflect" => ResamplePad::Reflect,
        "wrap" => ResamplePad::Wrap,
        "antisymmetric" => ResamplePad::Antisymmetric,
        "antireflect" => ResamplePad::Antireflect,
        other => {
            return Err(invalid(
                atom,
                format!(
                    "unknown padtype {other:?} (constant, mean, median, minimum, maximum, edge, \
                     line, smooth, symmetric, reflect, wrap, antisymmetric, antireflect)"
                ),
            ));
        }
    })
}

fn parse_norm(atom: &str, norm: &str) -> Result<Norm> {
    Norm::parse(norm).map_err(|e| refused(atom, e))
}

fn check_n(atom: &str, what: &str, n: Option<usize>) -> Result<()> {
    if n == Some(0) {
        return Err(invalid(atom, format!("{what} must be positive")));
    }
    Ok(())
}

/// Run `b / a` through the kernel's checks (empty, non-finite, `a[0] == 0`).
fn check_ba(atom: &str, b: &[f64], a: &[f64]) -> Result<()> {
    let probe = ArrayD::<f64>::zeros(IxDyn(&[1]));
    xdas_signal::filter::lfilter(b, a, probe.view(), 0, None).map_err(|e| refused(atom, e))?;
    Ok(())
}

/// Run `sos` through the kernel's checks (no sections, non-finite, `a0 != 1`).
fn check_sos(atom: &str, sos: &[[f64; 6]]) -> Result<()> {
    let probe = ArrayD::<f64>::zeros(IxDyn(&[1]));
    xdas_signal::filter::sosfilt(sos, probe.view(), 0, None).map_err(|e| refused(atom, e))?;
    Ok(())
}

/// A whole-record function along `dim`.
fn whole(
    name: &'static str,
    dim: &str,
    signature: String,
    f: impl Fn(Chunk) -> Result<Chunk> + Send + Sync + 'static,
) -> Func {
    Func::along(name, dim, f).with_signature(signature)
}

/// Run `$body` with `$da` bound to a complex array; other chunks are a DType error.
macro_rules! with_complex {
    ($chunk:expr, $atom:expr, $da:ident => $body:expr) => {
        match $chunk {
            Chunk::C64($da) => $body,
            Chunk::C128($da) => $body,
            other => Err(dtype_error($atom, &other)),
        }
    };
}

// ---------------------------------------------------------------------------------------
// Elementwise.

/// Apply `f` to every sample in place, in parallel (the chunk is ours: no copy).
fn map_real<T: Real>(
    mut da: DataArray<T>,
    f: impl Fn(T) -> T + Sync + Send,
) -> Result<DataArray<T>> {
    da.data_mut().par_mapv_inplace(f);
    Ok(da)
}

fn map_complex<T: Real>(
    mut da: DataArray<Complex<T>>,
    f: impl Fn(Complex<T>) -> Complex<T> + Sync + Send,
) -> Result<DataArray<Complex<T>>>
where
    Complex<T>: xdas_core::Element,
{
    da.data_mut().par_mapv_inplace(f);
    Ok(da)
}

/// `numpy.square`: every sample squared (complex samples too: `z·z`).
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// let da = xdas_synthetics::dummy::<f32>((3, 2)).to_dataarray();
/// let Chunk::F32(y) = xdas_atoms::functions::square().apply(da).unwrap() else { panic!() };
/// assert_eq!(y.data()[[2, 1]], 25.0);
/// ```
pub fn square() -> Func {
    Func::new("square", |c| {
        Ok(match c {
            Chunk::F32(da) => Chunk::F32(map_real(da, |v| v * v)?),
            Chunk::F64(da) => Chunk::F64(map_real(da, |v| v * v)?),
            Chunk::C64(da) => Chunk::C64(map_complex(da, |z| z * z)?),
            Chunk::C128(da) => Chunk::C128(map_complex(da, |z| z * z)?),
            other => return Err(dtype_error("square", &other)),
        })
    })
}

/// `numpy.abs`: the absolute value; complex samples give their real magnitude
/// (`complex64 → float32`, `complex128 → float64`).
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// use xdas_atoms::functions::{abs, hilbert};
/// let da = xdas_synthetics::dummy::<f64>((8, 2)).to_dataarray();
/// let analytic = hilbert(None, "time").unwrap().apply(da).unwrap();
/// let envelope = abs().apply(analytic).unwrap();
/// assert_eq!(envelope.dtype_name(), "float64");
/// ```
pub fn abs() -> Func {
    Func::new("abs", |c| {
        Ok(match c {
            Chunk::F32(da) => Chunk::F32(map_real(da, f32::abs)?),
            Chunk::F64(da) => Chunk::F64(map_real(da, f64::abs)?),
            Chunk::C64(da) => Chunk::F32(da.with_data(da.data().mapv(|z| z.norm()))?),
            Chunk::C128(da) => Chunk::F64(da.with_data(da.data().mapv(|z| z.norm()))?),
            other => return Err(dtype_error("abs", &other)),
        })
    })
}

/// `numpy.sqrt` of real samples (negative samples give NaN).
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// let da = xdas_synthetics::dummy::<f64>((3, 3)).to_dataarray();
/// let Chunk::F64(y) = xdas_atoms::functions::sqrt().apply(da).unwrap() else { panic!() };
/// assert_eq!(y.data()[[1, 1]], 2.0);
/// ```
pub fn sqrt() -> Func {
    Func::new("sqrt", |c| {
        Ok(match c {
            Chunk::F32(da) => Chunk::F32(map_real(da, f32::sqrt)?),
            Chunk::F64(da) => Chunk::F64(map_real(da, f64::sqrt)?),
            other => return Err(dtype_error("sqrt", &other)),
        })
    })
}

/// `numpy.log10` of real samples (zero gives −∞, negative samples NaN).
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// let da = xdas_synthetics::dummy::<f64>((11, 10)).to_dataarray();
/// let Chunk::F64(y) = xdas_atoms::functions::log10().apply(da).unwrap() else { panic!() };
/// assert_eq!(y.data()[[10, 0]], 2.0);
/// ```
pub fn log10() -> Func {
    Func::new("log10", |c| {
        Ok(match c {
            Chunk::F32(da) => Chunk::F32(map_real(da, f32::log10)?),
            Chunk::F64(da) => Chunk::F64(map_real(da, f64::log10)?),
            other => return Err(dtype_error("log10", &other)),
        })
    })
}

/// Multiply every sample by `factor` (in the data's precision: `float32` data stay
/// `float32`, as numpy does with a Python float).
///
/// ```
/// use xdas_atoms::{Atom, AtomExt, Chunk};
/// let da = xdas_synthetics::dummy::<f64>((2, 2)).to_dataarray();
/// let mut atom = xdas_atoms::functions::scale(2.5);
/// assert_eq!(atom.signature(), "scale(factor=2.5)");
/// let Chunk::F64(y) = atom.apply(da).unwrap() else { panic!() };
/// assert_eq!(y.data()[[1, 1]], 7.5);
/// ```
pub fn scale(factor: f64) -> Func {
    Func::new("scale", move |c| {
        Ok(match c {
            Chunk::F32(da) => Chunk::F32(map_real(da, |v| v * factor as f32)?),
            Chunk::F64(da) => Chunk::F64(map_real(da, |v| v * factor)?),
            Chunk::C64(da) => Chunk::C64(map_complex(da, |z| z * factor as f32)?),
            Chunk::C128(da) => Chunk::C128(map_complex(da, |z| z * factor)?),
            other => return Err(dtype_error("scale", &other)),
        })
    })
    .with_signature(format!("scale(factor={factor:?})"))
}

/// Add `offset` to every sample (to the real part of complex samples).
///
/// ```
/// use xdas_atoms::{Atom, AtomExt, Chunk};
/// let da = xdas_synthetics::dummy::<f32>((2, 2)).to_dataarray();
/// let mut atom = xdas_atoms::functions::add(-1.0);
/// assert_eq!(atom.signature(), "add(offset=-1.0)");
/// let Chunk::F32(y) = atom.apply(da).unwrap() else { panic!() };
/// assert_eq!(y.data()[[0, 0]], -1.0);
/// ```
pub fn add(offset: f64) -> Func {
    Func::new("add", move |c| {
        Ok(match c {
            Chunk::F32(da) => Chunk::F32(map_real(da, |v| v + offset as f32)?),
            Chunk::F64(da) => Chunk::F64(map_real(da, |v| v + offset)?),
            Chunk::C64(da) => Chunk::C64(map_complex(da, |z| z + offset as f32)?),
            Chunk::C128(da) => Chunk::C128(map_complex(da, |z| z + offset)?),
            other => return Err(dtype_error("add", &other)),
        })
    })
    .with_signature(format!("add(offset={offset:?})"))
}

// ---------------------------------------------------------------------------------------
// Whole-record functions of xdas.signal.

/// `xdas.signal.detrend`: remove the least-squares line (`type = "linear"` or `"l"`) or
/// the mean (`"constant"` or `"c"`) along `dim`.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// let da = xdas_synthetics::dummy::<f64>((10, 3)).to_dataarray(); // linear in time
/// let Chunk::F64(y) = xdas_atoms::functions::detrend("linear", "time").unwrap().apply(da).unwrap() else { panic!() };
/// assert!(y.data().iter().all(|v| v.abs() < 1e-9));
/// assert!(xdas_atoms::functions::detrend("quadratic", "time").is_err());
/// ```
pub fn detrend(r#type: &str, dim: &str) -> Result<Func> {
    const NAME: &str = "detrend";
    check_dim(NAME, dim)?;
    let (kind, canon) = match r#type {
        "linear" | "l" => (DetrendType::Linear, "linear"),
        "constant" | "c" => (DetrendType::Constant, "constant"),
        other => {
            return Err(invalid(
                NAME,
                format!("type must be 'linear' or 'constant', not {other:?}"),
            ));
        }
    };
    let sig = format!("detrend(type={}, dim={})", quoted(canon), quoted(dim));
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::detrend(&da, kind, &d)?))),
    ))
}

/// `xdas.signal.taper`: multiply by a window along `dim` (symmetric, or periodic when
/// `fftbins`).
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// use xdas_atoms::functions::taper;
/// let da = xdas_synthetics::dummy::<f64>((10, 3)).to_dataarray();
/// let Chunk::F64(y) = taper("hann", false, "time").unwrap().apply(da.clone()).unwrap() else { panic!() };
/// assert_eq!(y.data()[[0, 2]], 0.0);
/// assert!(taper(("tukey", 0.1), false, "time").is_ok());
/// assert!(taper("kaiser", false, "time").is_err()); // beta missing
/// ```
pub fn taper(window: impl Into<WindowSpec>, fftbins: bool, dim: &str) -> Result<Func> {
    const NAME: &str = "taper";
    check_dim(NAME, dim)?;
    let w = parse_window(NAME, window)?;
    let sig = format!(
        "taper(window={}, fftbins={}, dim={})",
        window_repr(&w),
        py_bool(fftbins),
        quoted(dim)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::taper(&da, &w, fftbins, &d)?))),
    ))
}

/// `xdas.signal.filter`: a Butterworth filter of `corners` poles at `freq` Hz (one
/// corner for `lowpass`/`highpass`, two for `bandpass`/`bandstop`) along `dim`, causal or
/// zero-phase (forward-backward). The corners are checked against the Nyquist frequency
/// of the data when they arrive.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// use xdas_atoms::functions::filter;
/// let da = xdas_synthetics::dummy::<f64>((100, 3)).to_dataarray(); // 100 Hz
/// let y = filter(vec![1.0, 10.0], "bandpass", 4, true, "time").unwrap().apply(da).unwrap();
/// assert_eq!(y.shape(), vec![100, 3]);
/// assert!(filter(vec![1.0], "bandpass", 4, false, "time").is_err()); // two corners needed
/// ```
pub fn filter(
    freq: Vec<f64>,
    btype: &str,
    corners: usize,
    zerophase: bool,
    dim: &str,
) -> Result<Func> {
    const NAME: &str = "filter";
    check_dim(NAME, dim)?;
    let (band, canon) = parse_btype(NAME, btype)?;
    let want = if matches!(band, BandType::Bandpass | BandType::Bandstop) {
        2
    } else {
        1
    };
    if freq.len() != want {
        return Err(invalid(
            NAME,
            format!(
                "a {canon} filter needs {want} corner frequenc{}, got {}",
                if want == 1 { "y" } else { "ies" },
                freq.len()
            ),
        ));
    }
    if freq.iter().any(|f| !(f.is_finite() && *f > 0.0)) {
        return Err(invalid(
            NAME,
            format!("corner frequencies must be finite and positive, got {freq:?}"),
        ));
    }
    if want == 2 && freq[0] >= freq[1] {
        return Err(invalid(
            NAME,
            format!("the low corner must be below the high corner, got {freq:?}"),
        ));
    }
    if corners == 0 {
        return Err(invalid(
            NAME,
            "corners (the filter order) must be at least 1",
        ));
    }
    let sig = format!(
        "filter(freq={}, btype={}, corners={corners}, zerophase={}, dim={})",
        f64s(&freq),
        quoted(canon),
        py_bool(zerophase),
        quoted(dim)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::filter(&da, &freq, band, corners, zerophase, &d)?))),
    ))
}

/// `xdas.signal.hilbert`: the analytic signal along `dim` (complex output, same
/// coordinates), with `n` Fourier components (default: the length along `dim`).
///
/// ```
/// use xdas_atoms::AtomExt;
/// let da = xdas_synthetics::dummy::<f32>((16, 2)).to_dataarray();
/// let y = xdas_atoms::functions::hilbert(None, "time").unwrap().apply(da).unwrap();
/// assert_eq!(y.dtype_name(), "complex64");
/// ```
pub fn hilbert(n: Option<usize>, dim: &str) -> Result<Func> {
    const NAME: &str = "hilbert";
    check_dim(NAME, dim)?;
    check_n(NAME, "N", n)?;
    let sig = format!("hilbert(N={}, dim={})", py_opt(n), quoted(dim));
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::hilbert(&da, n, &d)?))),
    ))
}

/// `xdas.signal.lfilter(b, a, da, dim)` without a carried state (`zi=None`): every chunk
/// along another dim is filtered from rest. For a filter carried across chunks along
/// `dim`, use [`crate::LFilter`].
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// let da = xdas_synthetics::dummy::<f64>((4, 1)).to_dataarray(); // 0, 1, 2, 3
/// let mut cumsum = xdas_atoms::functions::lfilter(vec![1.0], vec![1.0, -1.0], "time").unwrap();
/// let Chunk::F64(y) = cumsum.apply(da).unwrap() else { panic!() };
/// assert_eq!(y.data().as_slice().unwrap(), &[0.0, 1.0, 3.0, 6.0]);
/// assert!(xdas_atoms::functions::lfilter(vec![1.0], vec![0.0, 1.0], "time").is_err());
/// ```
pub fn lfilter(b: Vec<f64>, a: Vec<f64>, dim: &str) -> Result<Func> {
    const NAME: &str = "lfilter";
    check_dim(NAME, dim)?;
    check_ba(NAME, &b, &a)?;
    let sig = format!(
        "lfilter(b={}, a={}, dim={})",
        f64s(&b),
        f64s(&a),
        quoted(dim)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::lfilter(&b, &a, &da, &d, None)?.0))),
    ))
}

/// `xdas.signal.sosfilt(sos, da, dim)` without a carried state (`zi=None`). For a filter
/// carried across chunks along `dim`, use [`crate::SOSFilter`].
///
/// ```
/// use xdas_atoms::AtomExt;
/// let da = xdas_synthetics::dummy::<f64>((6, 2)).to_dataarray();
/// let sos = vec![[0.5, 0.0, 0.0, 1.0, -0.5, 0.0]];
/// let y = xdas_atoms::functions::sosfilt(sos, "time").unwrap().apply(da).unwrap();
/// assert_eq!(y.shape(), vec![6, 2]);
/// assert!(xdas_atoms::functions::sosfilt(vec![[1.0, 0.0, 0.0, 2.0, 0.0, 0.0]], "time").is_err());
/// ```
pub fn sosfilt(sos: Vec<[f64; 6]>, dim: &str) -> Result<Func> {
    const NAME: &str = "sosfilt";
    check_dim(NAME, dim)?;
    check_sos(NAME, &sos)?;
    let sig = format!("sosfilt(sos={}, dim={})", sos_repr(&sos), quoted(dim));
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::sosfilt(&sos, &da, &d, None)?.0))),
    ))
}

/// `xdas.signal.filtfilt(b, a, da, dim, padtype, padlen)` (method `"pad"`): zero-phase
/// forward-backward filtering; `padtype` is `"odd"`, `"even"`, `"constant"` or `"none"`,
/// `padlen` defaults to `3 · max(len(a), len(b))`.
///
/// ```
/// use xdas_atoms::AtomExt;
/// use xdas_atoms::functions::filtfilt;
/// let da = xdas_synthetics::dummy::<f64>((50, 2)).to_dataarray();
/// let y = filtfilt(vec![0.5, 0.5], vec![1.0], "time", "odd", None).unwrap().apply(da).unwrap();
/// assert_eq!(y.shape(), vec![50, 2]);
/// assert!(filtfilt(vec![0.5], vec![1.0], "time", "mirror", None).is_err());
/// ```
pub fn filtfilt(
    b: Vec<f64>,
    a: Vec<f64>,
    dim: &str,
    padtype: &str,
    padlen: Option<usize>,
) -> Result<Func> {
    const NAME: &str = "filtfilt";
    check_dim(NAME, dim)?;
    check_ba(NAME, &b, &a)?;
    let (pad, canon) = parse_padtype(NAME, padtype)?;
    let sig = format!(
        "filtfilt(b={}, a={}, dim={}, padtype={}, padlen={})",
        f64s(&b),
        f64s(&a),
        quoted(dim),
        quoted(canon),
        py_opt(padlen)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::filtfilt(&b, &a, &da, &d, pad, padlen)?))),
    ))
}

/// `xdas.signal.sosfiltfilt(sos, da, dim, padtype, padlen)`: zero-phase second-order
/// sections filtering (`padtype` as in [`filtfilt`]).
///
/// ```
/// use xdas_atoms::AtomExt;
/// let da = xdas_synthetics::dummy::<f32>((50, 2)).to_dataarray();
/// let sos = vec![[0.25, 0.5, 0.25, 1.0, 0.0, 0.0]];
/// let y = xdas_atoms::functions::sosfiltfilt(sos, "time", "even", Some(5)).unwrap().apply(da).unwrap();
/// assert_eq!(y.dtype_name(), "float32");
/// ```
pub fn sosfiltfilt(
    sos: Vec<[f64; 6]>,
    dim: &str,
    padtype: &str,
    padlen: Option<usize>,
) -> Result<Func> {
    const NAME: &str = "sosfiltfilt";
    check_dim(NAME, dim)?;
    check_sos(NAME, &sos)?;
    let (pad, canon) = parse_padtype(NAME, padtype)?;
    let sig = format!(
        "sosfiltfilt(sos={}, dim={}, padtype={}, padlen={})",
        sos_repr(&sos),
        quoted(dim),
        quoted(canon),
        py_opt(padlen)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::sosfiltfilt(&sos, &da, &d, pad, padlen)?))),
    ))
}

/// `xdas.signal.decimate`: anti-alias (`ftype = "iir"`: Chebyshev I of order `n`,
/// default 8; `"fir"`: Hamming FIR of `n + 1` taps, default `20 q`) and keep every
/// `q`-th sample along `dim`, causally or with `zero_phase`.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// use xdas_atoms::functions::decimate;
/// let da = xdas_synthetics::dummy::<f64>((100, 4)).to_dataarray();
/// let mut atom = decimate(2, None, "fir", true, "distance").unwrap();
/// // cut along time: each chunk is decimated along distance
/// let chunks = vec![Chunk::from(da.clone()).range("time", 0, 60).unwrap(), Chunk::from(da.clone()).range("time", 60, 100).unwrap()];
/// let joined = atom.run_chunks(chunks, "time").unwrap().unwrap();
/// assert_eq!(joined.shape(), vec![100, 2]);
/// assert!(joined.equals(&atom.apply(da).unwrap()));
/// assert!(decimate(0, None, "iir", true, "time").is_err());
/// ```
pub fn decimate(
    q: usize,
    n: Option<usize>,
    ftype: &str,
    zero_phase: bool,
    dim: &str,
) -> Result<Func> {
    const NAME: &str = "decimate";
    check_dim(NAME, dim)?;
    if q == 0 {
        return Err(invalid(NAME, "the decimation factor q must be positive"));
    }
    check_n(NAME, "n", n)?;
    let (kind, canon) = match ftype {
        "iir" => (DecimateFtype::Iir, "iir"),
        "fir" => (DecimateFtype::Fir, "fir"),
        other => {
            return Err(invalid(
                NAME,
                format!("ftype must be 'iir' or 'fir', not {other:?}"),
            ));
        }
    };
    let sig = format!(
        "decimate(q={q}, n={}, ftype={}, zero_phase={}, dim={})",
        py_opt(n),
        quoted(canon),
        py_bool(zero_phase),
        quoted(dim)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::decimate(&da, q, n, kind, zero_phase, &d)?))),
    ))
}

/// `xdas.signal.resample_poly`: polyphase resampling by `up / down` along `dim` with a
/// lowpass FIR windowed by `window` (xdas's default is `("kaiser", 5.0)`); `padtype` is
/// scipy's (`"constant"` — with `cval`, default 0 — `"mean"`, `"median"`, `"minimum"`,
/// `"maximum"`, `"edge"`, `"line"`, `"smooth"`, `"symmetric"`, `"reflect"`, `"wrap"`,
/// `"antisymmetric"`, `"antireflect"`). The dim's coordinate restarts at the first sample
/// with the new exact rate.
///
/// ```
/// use xdas_atoms::AtomExt;
/// use xdas_atoms::functions::resample_poly;
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray();
/// let mut atom = resample_poly(2, 5, "time", ("kaiser", 5.0), "constant", None).unwrap();
/// assert_eq!(atom.apply(da).unwrap().shape(), vec![40, 2]);
/// assert!(resample_poly(2, 5, "time", "hann", "mean", Some(1.0)).is_err()); // cval needs "constant"
/// ```
pub fn resample_poly(
    up: usize,
    down: usize,
    dim: &str,
    window: impl Into<WindowSpec>,
    padtype: &str,
    cval: Option<f64>,
) -> Result<Func> {
    const NAME: &str = "resample_poly";
    check_dim(NAME, dim)?;
    if up == 0 || down == 0 {
        return Err(invalid(
            NAME,
            format!("up and down must be positive, got {up} and {down}"),
        ));
    }
    let w = parse_window(NAME, window)?;
    let pad = parse_resample_pad(NAME, padtype)?;
    if let Some(c) = cval {
        if pad != ResamplePad::Constant {
            return Err(invalid(
                NAME,
                format!("cval has no effect when padtype is {padtype:?}"),
            ));
        }
        if !c.is_finite() {
            return Err(invalid(NAME, format!("cval must be finite, got {c}")));
        }
    }
    let sig = format!(
        "resample_poly(up={up}, down={down}, dim={}, window={}, padtype={}, cval={})",
        quoted(dim),
        window_repr(&w),
        quoted(padtype),
        py_opt_f64(cval)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::resample_poly(&da, up, down, &d, &w, pad, cval)?))),
    ))
}

/// `xdas.signal.integrate` (function form): cumulative sum times the sampling interval
/// along `dim`; `midpoints` moves the dim's labels by half a step. The stateful form that
/// carries the sum across chunks along `dim` is [`crate::calculus`]'s `Integrate`.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// let da = xdas_synthetics::dummy::<f64>((4, 1)).to_dataarray(); // 0, 1, 2, 3 at 100 Hz
/// let Chunk::F64(y) = xdas_atoms::functions::integrate(false, "time").unwrap().apply(da).unwrap() else { panic!() };
/// assert!((y.data()[[3, 0]] - 0.06).abs() < 1e-12);
/// ```
pub fn integrate(midpoints: bool, dim: &str) -> Result<Func> {
    const NAME: &str = "integrate";
    check_dim(NAME, dim)?;
    let sig = format!(
        "integrate(midpoints={}, dim={})",
        py_bool(midpoints),
        quoted(dim)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::integrate(&da, midpoints, &d)?))),
    ))
}

/// `xdas.signal.differentiate` (function form): first difference over the sampling
/// interval along `dim` (one sample shorter; the lower labels kept, or the midpoints).
/// The stateful form is [`crate::calculus`]'s `Differentiate`.
///
/// ```
/// use xdas_atoms::AtomExt;
/// let da = xdas_synthetics::dummy::<f64>((4, 2)).to_dataarray();
/// let y = xdas_atoms::functions::differentiate(true, "time").unwrap().apply(da).unwrap();
/// assert_eq!(y.shape(), vec![3, 2]);
/// ```
pub fn differentiate(midpoints: bool, dim: &str) -> Result<Func> {
    const NAME: &str = "differentiate";
    check_dim(NAME, dim)?;
    let sig = format!(
        "differentiate(midpoints={}, dim={})",
        py_bool(midpoints),
        quoted(dim)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::differentiate(&da, midpoints, &d)?))),
    ))
}

/// `xdas.signal.sliding_mean_removal`: subtract the running `window`-weighted mean over
/// `wlen` (in the dim's coordinate units: seconds along time; made an odd number of
/// samples) along `dim`; `pad_mode` is numpy's (`"reflect"`, `"symmetric"`,
/// `"constant"`, `"edge"`, `"wrap"`).
///
/// ```
/// use xdas_atoms::AtomExt;
/// use xdas_atoms::functions::sliding_mean_removal;
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray();
/// let y = sliding_mean_removal(0.1, "hann", "reflect", "time").unwrap().apply(da).unwrap();
/// assert_eq!(y.shape(), vec![100, 2]);
/// assert!(sliding_mean_removal(-1.0, "hann", "reflect", "time").is_err());
/// ```
pub fn sliding_mean_removal(
    wlen: f64,
    window: impl Into<WindowSpec>,
    pad_mode: &str,
    dim: &str,
) -> Result<Func> {
    const NAME: &str = "sliding_mean_removal";
    check_dim(NAME, dim)?;
    if !(wlen.is_finite() && wlen > 0.0) {
        return Err(invalid(
            NAME,
            format!("the window length wlen must be finite and positive, got {wlen}"),
        ));
    }
    let w = parse_window(NAME, window)?;
    let mode = PadMode::parse(pad_mode).map_err(|e| refused(NAME, e))?;
    let sig = format!(
        "sliding_mean_removal(wlen={wlen:?}, window={}, pad_mode={}, dim={})",
        window_repr(&w),
        quoted(pad_mode),
        quoted(dim)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::sliding_mean_removal(&da, wlen, &w, mode, &d)?))),
    ))
}

/// `xdas.signal.segment_mean_removal`: subtract from every segment between consecutive
/// `limits` (labels of `dim`: numbers, or datetimes along time) its `window`-weighted
/// mean; samples outside the segments are unchanged.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// use xdas_core::Scalar;
/// let da = xdas_synthetics::dummy::<f64>((4, 6)).to_dataarray(); // distance 0..50 m
/// let limits = vec![Scalar::F64(0.0), Scalar::F64(30.0), Scalar::F64(60.0)];
/// let mut atom = xdas_atoms::functions::segment_mean_removal(limits, "boxcar", "distance").unwrap();
/// let Chunk::F64(y) = atom.apply(da).unwrap() else { panic!() };
/// assert_eq!(y.data()[[0, 1]], 0.0);
/// ```
pub fn segment_mean_removal(
    limits: Vec<Scalar>,
    window: impl Into<WindowSpec>,
    dim: &str,
) -> Result<Func> {
    const NAME: &str = "segment_mean_removal";
    check_dim(NAME, dim)?;
    let w = parse_window(NAME, window)?;
    let shown: Vec<String> = limits.iter().map(|l| l.to_string()).collect();
    let sig = format!(
        "segment_mean_removal(limits=[{}], window={}, dim={})",
        shown.join(", "),
        window_repr(&w),
        quoted(dim)
    );
    let d = dim.to_string();
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::segment_mean_removal(&da, &limits, &w, &d)?))),
    ))
}

// ---------------------------------------------------------------------------------------
// medfilt: whole record along every dim its kernel spans.

/// The kernel of a [`MedFilt`]: sizes in samples, or lengths in coordinate units.
#[derive(Debug, Clone)]
enum Kernel {
    Samples(Vec<(String, usize)>),
    Lengths(Vec<(String, f64)>),
}

/// A median filter atom ([`medfilt`], [`medfilt_physical`]): stateless; refuses a stream
/// cut along any dim its kernel spans.
#[derive(Clone)]
pub struct MedFilt {
    func: Func,
    /// The dims the kernel spans (more than one sample), as given.
    dims: Vec<String>,
}

impl MedFilt {
    fn build(kernel: Kernel) -> Result<MedFilt> {
        const NAME: &str = "medfilt";
        let names: Vec<&String> = match &kernel {
            Kernel::Samples(k) => k.iter().map(|(d, _)| d).collect(),
            Kernel::Lengths(k) => k.iter().map(|(d, _)| d).collect(),
        };
        if names.is_empty() {
            return Err(invalid(NAME, "the kernel names no dim"));
        }
        for (i, d) in names.iter().enumerate() {
            check_dim(NAME, d)?;
            if names[..i].contains(d) {
                return Err(invalid(NAME, format!("dim {d:?} is given twice")));
            }
        }
        let (sig, dims) = match &kernel {
            Kernel::Samples(k) => {
                if let Some((d, n)) = k.iter().find(|(_, n)| n % 2 != 1) {
                    return Err(invalid(
                        NAME,
                        format!("each kernel size must be odd, got {n} along {d:?}"),
                    ));
                }
                let shown: Vec<String> = k
                    .iter()
                    .map(|(d, n)| format!("{}: {n}", quoted(d)))
                    .collect();
                (
                    format!("medfilt(kernel_dim={{{}}})", shown.join(", ")),
                    k.iter()
                        .filter(|(_, n)| *n > 1)
                        .map(|(d, _)| d.clone())
                        .collect(),
                )
            }
            Kernel::Lengths(k) => {
                if let Some((d, l)) = k.iter().find(|(_, l)| !(l.is_finite() && *l >= 0.0)) {
                    return Err(invalid(
                        NAME,
                        format!("kernel lengths must be finite and >= 0, got {l} along {d:?}"),
                    ));
                }
                let shown: Vec<String> = k
                    .iter()
                    .map(|(d, l)| format!("{}: {l:?}", quoted(d)))
                    .collect();
                (
                    format!("medfilt(kernel={{{}}})", shown.join(", ")),
                    k.iter().map(|(d, _)| d.clone()).collect(),
                )
            }
        };
        let func = Func::new(NAME, move |c| {
            let sizes: Vec<(String, usize)> = match &kernel {
                Kernel::Samples(k) => k.clone(),
                Kernel::Lengths(k) => k
                    .iter()
                    .map(|(d, l)| {
                        let step = crate::rate::interval_seconds(&c, d, NAME)?;
                        let n = ((l / step).round_ties_even() as usize).max(1);
                        Ok((d.clone(), if n % 2 == 1 { n } else { n + 1 }))
                    })
                    .collect::<Result<_>>()?,
            };
            let refs: Vec<(&str, usize)> = sizes.iter().map(|(d, n)| (d.as_str(), *n)).collect();
            crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::medfilt(&da, &refs)?)))
        })
        .with_signature(sig);
        Ok(MedFilt { func, dims })
    }
}

impl Atom for MedFilt {
    fn name(&self) -> &str {
        self.func.name()
    }

    fn signature(&self) -> String {
        self.func.signature()
    }

    fn call(&mut self, chunk: Chunk, chunk_dim: Option<&str>) -> Result<Vec<Chunk>> {
        if let Some(cd) = chunk_dim {
            let resolve = |d: &str| {
                crate::each_array!(&chunk,
                    da => da.resolve_dim(d).map(str::to_string).unwrap_or_else(|_| d.to_string()),
                    _p => d.to_string())
            };
            let cut = resolve(cd);
            if self.dims.iter().any(|d| resolve(d) == cut) {
                return Err(invalid(
                    self.func.name(),
                    format!(
                        "works on the whole record along {:?}, but the data come in chunks \
                         along {cd:?}: chunked results would differ from whole-array ones \
                         (chunk along another dim)",
                        self.dims
                    ),
                ));
            }
        }
        self.func.call(chunk, chunk_dim)
    }

    fn flush(&mut self) -> Result<Vec<Chunk>> {
        self.func.flush()
    }

    fn reset(&mut self) {
        self.func.reset()
    }

    fn state(&self) -> Result<Value> {
        self.func.state()
    }

    fn set_state(&mut self, state: Value) -> Result<()> {
        self.func.set_state(state)
    }
}

/// `xdas.signal.medfilt(da, kernel_dim)`: median filter with an odd kernel size in
/// samples per listed dim (unlisted dims: 1), zero-padded at the edges. Refuses a stream
/// cut along a dim whose size is more than 1.
///
/// ```
/// use xdas_atoms::{Atom, AtomExt, Chunk};
/// use xdas_atoms::functions::medfilt;
/// let da = xdas_synthetics::dummy::<f64>((20, 4)).to_dataarray();
/// let mut atom = medfilt(vec![("time".into(), 5), ("distance".into(), 1)]).unwrap();
/// assert_eq!(atom.signature(), r#"medfilt(kernel_dim={"time": 5, "distance": 1})"#);
/// assert_eq!(atom.apply(da.clone()).unwrap().shape(), vec![20, 4]);
/// assert!(atom.call(Chunk::from(da), Some("time")).is_err());
/// assert!(medfilt(vec![("time".into(), 4)]).is_err()); // even
/// ```
pub fn medfilt(kernel_dim: Vec<(String, usize)>) -> Result<MedFilt> {
    MedFilt::build(Kernel::Samples(kernel_dim))
}

/// `xdas.atoms.medfilt(kernel)`: median filter with kernel lengths in the dims'
/// coordinate units (seconds along time, metres along distance), each turned into the
/// nearest odd number of samples (at least 1) at the data's sampling interval. Refuses a
/// stream cut along any listed dim.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// use xdas_atoms::functions::{medfilt, medfilt_physical};
/// let da = xdas_synthetics::dummy::<f64>((20, 4)).to_dataarray(); // 100 Hz, 10 m
/// let a = medfilt_physical(vec![("time".into(), 0.05), ("distance".into(), 30.0)]).unwrap().apply(da.clone()).unwrap();
/// let b = medfilt(vec![("time".into(), 5), ("distance".into(), 3)]).unwrap().apply(da).unwrap();
/// assert!(a.equals(&b));
/// ```
pub fn medfilt_physical(kernel: Vec<(String, f64)>) -> Result<MedFilt> {
    MedFilt::build(Kernel::Lengths(kernel))
}

// ---------------------------------------------------------------------------------------
// Spectra.

/// `xdas.fft.rfft` of real data: the one-sided spectrum along `dim`, which becomes
/// `newdim` (xdas's default `"spectrum"`) labelled by frequency; `n` points (default: the
/// length along `dim`), `norm` is numpy's (`"backward"`, `"ortho"`, `"forward"`).
///
/// ```
/// use xdas_atoms::AtomExt;
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray();
/// let y = xdas_atoms::functions::rfft(None, "time", "frequency", "backward").unwrap().apply(da).unwrap();
/// assert_eq!((y.dims(), y.shape()), (vec!["frequency".to_string(), "distance".to_string()], vec![51, 2]));
/// ```
pub fn rfft(n: Option<usize>, dim: &str, newdim: &str, norm: &str) -> Result<Func> {
    spectrum("rfft", n, dim, newdim, norm)
}

/// `xdas.fft.fft` of real data: the two-sided, centred (`fftshift`ed) spectrum along
/// `dim`, which becomes `newdim` (parameters as in [`rfft`]). Complex input is not
/// supported (a data type error).
///
/// ```
/// use xdas_atoms::AtomExt;
/// let da = xdas_synthetics::dummy::<f32>((100, 2)).to_dataarray();
/// let y = xdas_atoms::functions::fft(Some(128), "time", "frequency", "ortho").unwrap().apply(da).unwrap();
/// assert_eq!((y.dtype_name(), y.shape()), ("complex64", vec![128, 2]));
/// ```
pub fn fft(n: Option<usize>, dim: &str, newdim: &str, norm: &str) -> Result<Func> {
    spectrum("fft", n, dim, newdim, norm)
}

/// `xdas.fft.ifft`: the inverse of [`fft`] (complex input, `ifftshift`ed first) along
/// `dim`, which becomes `newdim` labelled by lag.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// use xdas_atoms::functions::{fft, ifft};
/// let da = xdas_synthetics::dummy::<f64>((8, 2)).to_dataarray();
/// let spec = fft(None, "time", "frequency", "backward").unwrap().apply(da.clone()).unwrap();
/// let Chunk::C128(back) = ifft(None, "frequency", "time", "backward").unwrap().apply(spec).unwrap() else { panic!() };
/// assert!((back.data()[[3, 1]].re - da.data()[[3, 1]]).abs() < 1e-12);
/// ```
pub fn ifft(n: Option<usize>, dim: &str, newdim: &str, norm: &str) -> Result<Func> {
    spectrum("ifft", n, dim, newdim, norm)
}

/// `xdas.fft.irfft`: the inverse of [`rfft`] (complex input; `n` defaults to
/// `2 (m − 1)`) along `dim`, which becomes `newdim` labelled by lag; real output.
///
/// ```
/// use xdas_atoms::{AtomExt, Chunk};
/// use xdas_atoms::functions::{irfft, rfft};
/// let da = xdas_synthetics::dummy::<f64>((8, 2)).to_dataarray();
/// let spec = rfft(None, "time", "frequency", "backward").unwrap().apply(da.clone()).unwrap();
/// let Chunk::F64(back) = irfft(None, "frequency", "time", "backward").unwrap().apply(spec).unwrap() else { panic!() };
/// assert!((back.data()[[5, 0]] - da.data()[[5, 0]]).abs() < 1e-12);
/// ```
pub fn irfft(n: Option<usize>, dim: &str, newdim: &str, norm: &str) -> Result<Func> {
    spectrum("irfft", n, dim, newdim, norm)
}

fn spectrum(
    name: &'static str,
    n: Option<usize>,
    dim: &str,
    newdim: &str,
    norm: &str,
) -> Result<Func> {
    check_dim(name, dim)?;
    if newdim.is_empty() {
        return Err(invalid(name, "the new dim name is empty"));
    }
    check_n(name, "n", n)?;
    let nm = parse_norm(name, norm)?;
    let sig = format!(
        "{name}(n={}, dim={{{}: {}}}, norm={})",
        py_opt(n),
        quoted(dim),
        quoted(newdim),
        quoted(norm)
    );
    let (d, nd) = (dim.to_string(), newdim.to_string());
    Ok(whole(name, dim, sig, move |c| match name {
        "rfft" => crate::with_real!(c, name, da => Ok(Chunk::from(xs::rfft(&da, n, &d, &nd, nm)?))),
        "fft" => crate::with_real!(c, name, da => Ok(Chunk::from(xs::fft(&da, n, &d, &nd, nm)?))),
        "ifft" => with_complex!(c, name, da => Ok(Chunk::from(xs::ifft(&da, n, &d, &nd, nm)?))),
        _ => with_complex!(c, name, da => Ok(Chunk::from(xs::irfft(&da, n, &d, &nd, nm)?))),
    }))
}

/// `xdas.signal.stft` (`xdas.spectral.stft`): short-time Fourier transform along `dim`
/// with segments of `nperseg` samples overlapping by `noverlap` (default `nperseg / 2`),
/// `nfft` points (default `nperseg`), one- or two-sided, `scaling` `"spectrum"` or
/// `"psd"`. `dim` keeps its name, labelled by the segment centres; a last dim `newdim`
/// holds the frequencies. (The stateful, chunkable form is [`crate::stft`]'s `STFT`.)
///
/// ```
/// use xdas_atoms::AtomExt;
/// use xdas_atoms::functions::stft;
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray();
/// let mut atom = stft("hann", 20, None, None, true, "time", "frequency", "spectrum").unwrap();
/// assert_eq!(atom.apply(da).unwrap().shape(), vec![9, 2, 11]);
/// assert!(stft("hann", 20, Some(20), None, true, "time", "frequency", "spectrum").is_err());
/// ```
#[allow(clippy::too_many_arguments)]
pub fn stft(
    window: impl Into<WindowSpec>,
    nperseg: usize,
    noverlap: Option<usize>,
    nfft: Option<usize>,
    return_onesided: bool,
    dim: &str,
    newdim: &str,
    scaling: &str,
) -> Result<Func> {
    const NAME: &str = "stft";
    check_dim(NAME, dim)?;
    if newdim.is_empty() {
        return Err(invalid(NAME, "the new dim name is empty"));
    }
    let w = parse_window(NAME, window)?;
    if nperseg == 0 {
        return Err(invalid(NAME, "nperseg must be positive"));
    }
    if let Some(o) = noverlap.filter(|&o| o >= nperseg) {
        return Err(invalid(
            NAME,
            format!("noverlap ({o}) must be less than nperseg ({nperseg})"),
        ));
    }
    if let Some(f) = nfft.filter(|&f| f < nperseg) {
        return Err(invalid(
            NAME,
            format!("nfft ({f}) must be at least nperseg ({nperseg})"),
        ));
    }
    let sc = Scaling::parse(scaling).map_err(|e| refused(NAME, e))?;
    let sig = format!(
        "stft(window={}, nperseg={nperseg}, noverlap={}, nfft={}, return_onesided={}, dim={}, newdim={}, scaling={})",
        window_repr(&w),
        py_opt(noverlap),
        py_opt(nfft),
        py_bool(return_onesided),
        quoted(dim),
        quoted(newdim),
        quoted(scaling)
    );
    let (d, nd) = (dim.to_string(), newdim.to_string());
    Ok(whole(
        NAME,
        dim,
        sig,
        move |c| crate::with_real!(c, NAME, da => Ok(Chunk::from(xs::stft(&da, &w, nperseg, noverlap, nfft, return_onesided, &d, &nd, sc)?))),
    ))
}
