//! Recursive filters with memory: [`LFilter`], [`SOSFilter`], [`IIRFilter`].

use ndarray::ArrayD;
use serde_json::{Value, json};
use xdas_core::DataArray;
use xdas_signal::design::{BandType, FilterKind, iirfilter_ba, iirfilter_sos};

use crate::along::{Along, Stream};
use crate::chunk::{Buf, Chunk, Sample};
use crate::error::{AtomError, Result, invalid};
use crate::state::{decode_opt_buf, encode_opt_buf, field, field_as};

/// Coefficients of a recursive filter.
#[derive(Debug, Clone, PartialEq)]
enum Coefs {
    Ba { b: Vec<f64>, a: Vec<f64> },
    Sos(Vec<[f64; 6]>),
}

/// The filter memory of one run: `zi`, replaced by `zf` after every chunk.
#[derive(Debug, Clone, Default)]
struct Memory {
    zi: Option<Buf>,
}

impl Memory {
    fn step<T: Sample>(
        &mut self,
        coefs: &Coefs,
        da: DataArray<T>,
        dim: &str,
        atom: &str,
    ) -> Result<Chunk> {
        let axis = da.axis(dim)?;
        let zshape = |shape: &[usize]| -> Vec<usize> {
            match coefs {
                Coefs::Ba { b, a } => {
                    let mut s = shape.to_vec();
                    s[axis] = b.len().max(a.len()) - 1;
                    s
                }
                Coefs::Sos(sos) => {
                    let mut s = vec![sos.len()];
                    s.extend_from_slice(shape);
                    s[axis + 1] = 2;
                    s
                }
            }
        };
        let want = zshape(da.shape());
        let zi = match &self.zi {
            None => ArrayD::<T>::zeros(want),
            Some(buf) => {
                let z = T::unbuf(buf).ok_or_else(|| AtomError::DType {
                    atom: atom.into(),
                    dtype: format!("{} after chunks of another type", da.dtype()),
                })?;
                if z.shape() != want.as_slice() {
                    return Err(invalid(
                        atom,
                        format!(
                            "chunk of shape {:?} does not match the filter state {:?} of the \
                             previous chunks",
                            da.shape(),
                            z.shape()
                        ),
                    ));
                }
                z.clone()
            }
        };
        let mut da = da;
        if da.data().is_standard_layout() {
            // the chunk is ours: filter it in place (no new array per chunk)
            let x = da.data_mut().view_mut();
            let zf = match coefs {
                Coefs::Ba { b, a } => {
                    xdas_signal::filter::lfilter_inplace(b, a, x, axis, zi.view())?
                }
                Coefs::Sos(sos) => xdas_signal::filter::sosfilt_inplace(sos, x, axis, zi.view())?,
            };
            self.zi = Some(T::buf(zf));
            return Ok(T::chunk(da));
        }
        let (y, zf) = match coefs {
            Coefs::Ba { b, a } => {
                xdas_signal::filter::lfilter(b, a, da.data().view(), axis, Some(zi.view()))?
            }
            Coefs::Sos(sos) => {
                xdas_signal::filter::sosfilt(sos, da.data().view(), axis, Some(zi.view()))?
            }
        };
        self.zi = zf.map(T::buf);
        Ok(T::chunk(da.with_data(y)?))
    }
}

fn fmt_f64s(v: &[f64]) -> String {
    format!("{v:?}")
}

fn fmt_sos(sos: &[[f64; 6]]) -> String {
    let rows: Vec<String> = sos.iter().map(|r| fmt_f64s(r)).collect();
    format!("[{}]", rows.join(", "))
}

/// Stream of [`LFilter`] / [`SOSFilter`].
pub struct RecursiveStream {
    name: &'static str,
    coefs: Coefs,
    dim: String,
    memory: Memory,
}

impl RecursiveStream {
    /// A `sosfilt` stream named `name` (for atoms built from sections).
    pub(crate) fn sos(name: &'static str, sos: Vec<[f64; 6]>, dim: &str) -> Self {
        RecursiveStream {
            name,
            coefs: Coefs::Sos(sos),
            dim: dim.into(),
            memory: Memory::default(),
        }
    }
}

impl Stream for RecursiveStream {
    fn name(&self) -> &'static str {
        self.name
    }
    fn signature(&self) -> String {
        match &self.coefs {
            Coefs::Ba { b, a } => format!(
                "LFilter(b={}, a={}, dim={:?})",
                fmt_f64s(b),
                fmt_f64s(a),
                self.dim
            ),
            Coefs::Sos(sos) => format!("SOSFilter(sos={}, dim={:?})", fmt_sos(sos), self.dim),
        }
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, _first: &Chunk) -> Result<()> {
        self.memory = Memory::default();
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        let (coefs, name) = (&self.coefs, self.name);
        let dim = self.dim.clone();
        let memory = &mut self.memory;
        let out = crate::with_real!(chunk, name, da => {
            let d = da.resolve_dim(&dim)?.to_string();
            memory.step(coefs, da, &d, name)
        })?;
        Ok(vec![out])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        Ok(Vec::new())
    }
    fn clear(&mut self) {
        self.memory = Memory::default();
    }
    fn save(&self) -> Result<Value> {
        Ok(json!({ "zi": encode_opt_buf(&self.memory.zi) }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.memory.zi = decode_opt_buf(field(state, "zi")?)?;
        Ok(())
    }
}

/// `scipy.signal.lfilter(b, a)` along `dim`, with the filter state `zi → zf` carried
/// from chunk to chunk (xdas's `LFilter`).
///
/// ```
/// use xdas_atoms::{AtomExt, LFilter};
/// let da = xdas_synthetics::dummy::<f64>((6, 2)).to_dataarray();
/// let y = LFilter::new(vec![1.0], vec![1.0, -1.0], "time").apply(da).unwrap(); // cumsum
/// assert_eq!(y.shape(), vec![6, 2]);
/// ```
pub struct LFilter;

impl LFilter {
    /// The filter `b / a` along `dim` (`a[0] != 0`; checked on the first chunk).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(b: Vec<f64>, a: Vec<f64>, dim: &str) -> Along<RecursiveStream> {
        Along::new(RecursiveStream {
            name: "LFilter",
            coefs: Coefs::Ba { b, a },
            dim: dim.into(),
            memory: Memory::default(),
        })
    }
}

/// `scipy.signal.sosfilt(sos)` along `dim` with the state carried from chunk to chunk
/// (xdas's `SOSFilter`).
///
/// ```
/// use xdas_atoms::{AtomExt, SOSFilter};
/// let da = xdas_synthetics::dummy::<f32>((6, 2)).to_dataarray();
/// let y = SOSFilter::new(vec![[0.5, 0.0, 0.0, 1.0, -0.5, 0.0]], "time").apply(da).unwrap();
/// assert_eq!(y.dtype_name(), "float32");
/// ```
pub struct SOSFilter;

impl SOSFilter {
    /// Second-order sections `[b0, b1, b2, a0, a1, a2]` along `dim`.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(sos: Vec<[f64; 6]>, dim: &str) -> Along<RecursiveStream> {
        Along::new(RecursiveStream {
            name: "SOSFilter",
            coefs: Coefs::Sos(sos),
            dim: dim.into(),
            memory: Memory::default(),
        })
    }
}

/// How an [`IIRFilter`] is run: second-order sections (default) or `b / a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stype {
    /// `sosfilt`.
    Sos,
    /// `lfilter`.
    Ba,
}

/// Parameters of an [`IIRFilter`] (xdas's names; `cutoff` in Hz, one corner or two).
#[derive(Debug, Clone, PartialEq)]
pub struct IirParams {
    /// Filter order.
    pub order: usize,
    /// Corner frequencies in Hz (one, or two for band filters).
    pub cutoff: Vec<f64>,
    /// Band type (xdas's default is `bandpass`).
    pub btype: BandType,
    /// Family: `butter`, `cheby1`, `cheby2`, `ellip`, `bessel`.
    pub ftype: String,
    /// Passband ripple (dB), for cheby1 / ellip.
    pub rp: Option<f64>,
    /// Stopband attenuation (dB), for cheby2 / ellip.
    pub rs: Option<f64>,
    /// Sections or `b / a`.
    pub stype: Stype,
}

/// Stream of [`IIRFilter`]: designs the filter at the sampling rate of the first chunk.
pub struct IirStream {
    name: &'static str,
    signature: Option<String>,
    params: IirParams,
    kind: FilterKind,
    dim: String,
    fs: Option<f64>,
    inner: Option<RecursiveStream>,
}

impl IirStream {
    fn design(&self, fs: f64) -> Result<RecursiveStream> {
        let p = &self.params;
        let coefs = match p.stype {
            Stype::Sos => Coefs::Sos(iirfilter_sos(
                p.order,
                &p.cutoff,
                p.btype,
                self.kind,
                Some(fs),
            )?),
            Stype::Ba => {
                let ba = iirfilter_ba(p.order, &p.cutoff, p.btype, self.kind, Some(fs))?;
                Coefs::Ba { b: ba.b, a: ba.a }
            }
        };
        Ok(RecursiveStream {
            name: "IIRFilter",
            coefs,
            dim: self.dim.clone(),
            memory: Memory::default(),
        })
    }
}

impl IirStream {
    /// Report another name and signature (for atoms built on an IIR design).
    pub(crate) fn rename(&mut self, name: &'static str, signature: String) {
        self.name = name;
        self.signature = Some(signature);
    }
}

impl Stream for IirStream {
    fn name(&self) -> &'static str {
        self.name
    }
    fn signature(&self) -> String {
        if let Some(s) = &self.signature {
            return s.clone();
        }
        let p = &self.params;
        format!(
            "IIRFilter(order={}, cutoff={:?}, btype={:?}, ftype={:?}, stype={:?}, rp={:?}, rs={:?}, dim={:?})",
            p.order, p.cutoff, p.btype, p.ftype, p.stype, p.rp, p.rs, self.dim
        )
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        let fs = crate::rate::sampling_rate(first, &self.dim, "IIRFilter")?;
        self.inner = Some(self.design(fs)?);
        self.fs = Some(fs);
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        self.inner.as_mut().expect("started").push(chunk)
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        Ok(Vec::new())
    }
    fn clear(&mut self) {
        self.inner = None;
        self.fs = None;
    }
    fn save(&self) -> Result<Value> {
        let inner = self.inner.as_ref().map(|s| s.save()).transpose()?;
        Ok(json!({ "fs": self.fs, "filter": inner }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        let fs: Option<f64> = field_as(state, "fs")?;
        self.clear();
        if let Some(fs) = fs {
            let mut inner = self.design(fs)?;
            inner.load(field(state, "filter")?)?;
            self.inner = Some(inner);
            self.fs = Some(fs);
        }
        Ok(())
    }
}

/// An IIR filter designed from its order and corner frequencies in Hz at the sampling
/// rate of the data (`scipy.signal.iirfilter(order, cutoff, rp, rs, btype, ftype=...,
/// output=stype, fs=1/dt)`), run with its state carried from chunk to chunk (xdas's
/// `IIRFilter`).
///
/// ```
/// use xdas_atoms::{AtomExt, IIRFilter};
/// // 50 Hz data, 4th-order Butterworth high-pass at 5 Hz
/// let da = xdas_synthetics::dummy::<f64>((50, 2)).to_dataarray();
/// let mut hp = IIRFilter::new(4, vec![5.0], "highpass", "butter", None, None, "sos", "time").unwrap();
/// assert_eq!(hp.apply(da).unwrap().shape(), vec![50, 2]);
/// ```
pub struct IIRFilter;

impl IIRFilter {
    /// Check the parameters (names as in scipy: `btype` lowpass/highpass/bandpass/
    /// bandstop, `ftype` butter/cheby1/cheby2/ellip/bessel, `stype` sos/ba).
    #[allow(clippy::new_ret_no_self, clippy::too_many_arguments)]
    pub fn new(
        order: usize,
        cutoff: Vec<f64>,
        btype: &str,
        ftype: &str,
        rp: Option<f64>,
        rs: Option<f64>,
        stype: &str,
        dim: &str,
    ) -> Result<Along<IirStream>> {
        let btype = BandType::parse(btype)?;
        let kind = FilterKind::parse(ftype, rp, rs)?;
        let stype = match stype {
            "sos" => Stype::Sos,
            "ba" => Stype::Ba,
            other => {
                return Err(invalid(
                    "IIRFilter",
                    format!("stype must be 'sos' or 'ba', not {other:?}"),
                ));
            }
        };
        let want = if matches!(btype, BandType::Bandpass | BandType::Bandstop) {
            2
        } else {
            1
        };
        if cutoff.len() != want {
            return Err(invalid(
                "IIRFilter",
                format!(
                    "a {btype:?} filter needs {want} cutoff frequencies, got {}",
                    cutoff.len()
                ),
            ));
        }
        if order == 0 {
            return Err(invalid("IIRFilter", "order must be at least 1"));
        }
        Ok(Along::new(IirStream {
            name: "IIRFilter",
            signature: None,
            params: IirParams {
                order,
                cutoff,
                btype,
                ftype: ftype.to_string(),
                rp,
                rs,
                stype,
            },
            kind,
            dim: dim.into(),
            fs: None,
            inner: None,
        }))
    }
}

/// xdas 0.2.10's `Filter(freq=(low, high), ftype, order, transition, zerophase)`: a
/// low-, high- or band-pass from a pair of corners in Hz (`None` opens one end).
///
/// * `iir` (default): a Butterworth of `order` (default 4) in sections, with state —
///   as [`IIRFilter`]; with `zerophase` it is run forwards and backwards over the whole
///   record (`sosfiltfilt`), which cannot be chunked along `dim` (an error).
/// * `fir`: a Hamming-windowed FIR of `ceil(3.3·fs/transition)` taps made odd
///   (`transition` defaults to a tenth of the lowest corner), as [`crate::FIRFilter`].
///
/// ```
/// use xdas_atoms::{AtomExt, Filter};
/// let da = xdas_synthetics::dummy::<f64>((200, 2)).to_dataarray(); // 100 Hz
/// let mut bp = Filter::new((Some(1.0), Some(10.0)), "iir", 4, None, false, "time").unwrap();
/// assert_eq!(bp.apply(da).unwrap().shape(), vec![200, 2]);
/// ```
pub struct Filter;

impl Filter {
    /// Check the corners and build the filter atom.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        freq: (Option<f64>, Option<f64>),
        ftype: &str,
        order: usize,
        transition: Option<f64>,
        zerophase: bool,
        dim: &str,
    ) -> Result<Box<dyn crate::Atom>> {
        let (btype, cutoff) = match freq {
            (None, None) => {
                return Err(invalid(
                    "Filter",
                    "at least one corner frequency must be given",
                ));
            }
            (None, Some(hi)) => ("lowpass", vec![hi]),
            (Some(lo), None) => ("highpass", vec![lo]),
            (Some(lo), Some(hi)) => ("bandpass", vec![lo, hi]),
        };
        if cutoff.iter().any(|f| !(f.is_finite() && *f > 0.0)) {
            return Err(invalid(
                "Filter",
                format!("corner frequencies must be positive, got {freq:?}"),
            ));
        }
        let signature = format!(
            "Filter(freq={freq:?}, ftype={ftype:?}, order={order}, transition={transition:?}, zerophase={}, dim={dim:?})",
            if zerophase { "True" } else { "False" }
        );
        match ftype {
            "iir" if zerophase => {
                let band = BandType::parse(btype)?;
                let d = dim.to_string();
                let f = crate::Func::along("Filter", dim, move |c| {
                    crate::with_real!(c, "Filter", da => Ok(crate::Sample::chunk(
                        xdas_signal::dataarray::filter(&da, &cutoff, band, order, true, &d)?)))
                })
                .with_signature(signature);
                Ok(Box::new(f))
            }
            "iir" => {
                if order == 0 {
                    return Err(invalid("Filter", "order must be at least 1"));
                }
                let mut atom =
                    IIRFilter::new(order, cutoff, btype, "butter", None, None, "sos", dim)?;
                atom.stream_mut().rename("Filter", signature);
                Ok(Box::new(atom))
            }
            "fir" => {
                let lowest = cutoff.iter().cloned().fold(f64::INFINITY, f64::min);
                let transition = transition.unwrap_or(0.1 * lowest);
                if !(transition.is_finite() && transition > 0.0) {
                    return Err(invalid("Filter", "transition must be positive"));
                }
                let d = dim.to_string();
                Ok(Box::new(Along::new(crate::chain::DesignedStream::new(
                    "Filter",
                    signature,
                    dim,
                    move |fs| {
                        let numtaps = (3.3 * fs / transition).ceil() as usize / 2 * 2 + 1;
                        let p = crate::FirParams::new(numtaps, cutoff.clone(), btype);
                        Ok(Box::new(p.stream(fs, &d, "Filter")?) as Box<dyn Stream>)
                    },
                ))))
            }
            other => Err(invalid(
                "Filter",
                format!("ftype must be 'iir' or 'fir', not {other:?}"),
            )),
        }
    }
}
