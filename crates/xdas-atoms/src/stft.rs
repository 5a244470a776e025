//! [`STFT`]: short-time Fourier transform with the window length and hop in physical
//! units, run frame by frame across chunks.

use num_complex::Complex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use xdas_core::coords::{CoordKind, InterpCoordinate, SampledCoordinate};
use xdas_core::{Coordinate, DataArray, Datetime, Element, Scalar, Timedelta};
use xdas_signal::spectral::{Scaling, next_fast_len};
use xdas_signal::window::{Window, get_window};

use crate::along::{Along, Stream};
use crate::chunk::{Chunk, Sample};
use crate::error::{AtomError, Result, invalid};
use crate::functions::WindowSpec;
use crate::state::{decode_opt_chunk, encode_opt_chunk, field, field_as};

const NAME: &str = "STFT";
/// The name of the dim the transform adds.
pub const FREQUENCY: &str = "frequency";
/// Longest window accepted, in samples.
const MAX_NPERSEG: f64 = (1u64 << 32) as f64;

/// A real sample type whose spectra are a [`Chunk`] (`f32` → `complex64`, `f64` →
/// `complex128`).
trait Spectral: Sample {
    fn complex_chunk(da: DataArray<Complex<Self>>) -> Chunk;
}

impl Spectral for f32 {
    fn complex_chunk(da: DataArray<Complex<f32>>) -> Chunk {
        Chunk::C64(da)
    }
}

impl Spectral for f64 {
    fn complex_chunk(da: DataArray<Complex<f64>>) -> Chunk {
        Chunk::C128(da)
    }
}

/// `round(n / d)`, ties to even (`d > 0`).
fn div_round_even(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The frame-centre grid of a run: the label of frame 0 and the exact step between
/// frames. Frame `k` is labelled `label0 + k · step`, computed the same way whatever the
/// chunking, so chunked outputs join into the eager coordinate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Grid {
    /// Datetime axis: step `num / den` ns, tolerance `tol` ns.
    Time {
        label0: i64,
        num: i64,
        den: u64,
        tol: i64,
        sampled: bool,
    },
    /// Float axis.
    Float {
        label0: f64,
        step: f64,
        tol: f64,
        sampled: bool,
    },
}

impl Grid {
    /// The grid of frames of `nperseg` samples every `hop` samples over a run whose dim
    /// coordinate (sampling interval `d`) is `coord`: centres at sample `nperseg // 2`.
    fn of(coord: &Coordinate, d: f64, nperseg: usize, hop: usize) -> Result<Grid> {
        let centre = (nperseg / 2) as i128;
        let first = coord.value(0)?;
        let (sampled, time) = match coord.kind() {
            CoordKind::InterpTime(c) => (
                false,
                c.ratio()
                    .map(|r| (r.num.ns(), r.den, c.tolerance().unwrap_or_default().ns())),
            ),
            CoordKind::SampledTime(c) => (true, c.ratio().map(|r| (r.num.ns(), r.den, 0))),
            CoordKind::InterpF64(_) | CoordKind::SampledF64(_) => {
                (matches!(coord.kind(), CoordKind::SampledF64(_)), None)
            }
            _ => (false, None),
        };
        match first {
            Scalar::Datetime(t0) => {
                let (num, den, tol) =
                    time.unwrap_or_else(|| (Timedelta::from_seconds(d).ns(), 1, 0));
                if num <= 0 || den == 0 {
                    return Err(invalid(NAME, "the time coordinate must increase"));
                }
                let label0 = t0.ns() as i128 + div_round_even(centre * num as i128, den as i128);
                let snum = num as u128 * hop as u128;
                let g = gcd(snum, den as u128).max(1);
                let (snum, sden) = (snum / g, den as u128 / g);
                let label0 = i64::try_from(label0)
                    .map_err(|_| invalid(NAME, "frame times out of the datetime range"))?;
                let snum = i64::try_from(snum)
                    .map_err(|_| invalid(NAME, "the hop is too long for a datetime axis"))?;
                // a step that is not a whole number of ns rounds every label: one ns of slack
                let tol = if sden > 1 { tol.max(1) } else { tol };
                Ok(Grid::Time {
                    label0,
                    num: snum,
                    den: sden as u64,
                    tol,
                    sampled,
                })
            }
            Scalar::F64(x0) => {
                let (step, tol) = match coord.kind() {
                    CoordKind::InterpF64(c) => c
                        .ratio()
                        .map(|r| (r.num / r.den as f64, c.tolerance().unwrap_or(1e-8)))
                        .unwrap_or((d, 1e-8)),
                    CoordKind::SampledF64(c) => c
                        .ratio()
                        .map(|r| (r.num / r.den as f64, 1e-8))
                        .unwrap_or((d, 1e-8)),
                    _ => (d, 1e-8),
                };
                Ok(Grid::Float {
                    label0: x0 + centre as f64 * step,
                    step: step * hop as f64,
                    tol,
                    sampled,
                })
            }
            other => Err(invalid(
                NAME,
                format!("cannot label frames along a coordinate starting at {other}"),
            )),
        }
    }

    /// The coordinate of frames `k0 .. k0 + n` (`n >= 1`) along `dim`.
    fn coord(&self, k0: usize, n: usize, dim: &str) -> Result<Coordinate> {
        match *self {
            Grid::Time {
                label0,
                num,
                den,
                tol,
                sampled,
            } => {
                let at = |k: usize| -> Result<Datetime> {
                    let off = div_round_even(k as i128 * num as i128, den as i128);
                    i64::try_from(label0 as i128 + off)
                        .map(Datetime::from_ns)
                        .map_err(|_| invalid(NAME, "frame times out of the datetime range"))
                };
                let num = Timedelta::from_ns(num);
                if sampled {
                    return Ok(Coordinate::new(
                        SampledCoordinate::from_block(at(k0)?, n, num, den),
                        dim,
                    ));
                }
                let (ti, tv) = if n == 1 {
                    (vec![0], vec![at(k0)?])
                } else {
                    (vec![0, n - 1], vec![at(k0)?, at(k0 + n - 1)?])
                };
                let c = InterpCoordinate::new(ti, tv)?.with_rate(
                    num,
                    den,
                    Some(Timedelta::from_ns(tol)),
                )?;
                Ok(Coordinate::new(c, dim))
            }
            Grid::Float {
                label0,
                step,
                tol,
                sampled,
            } => {
                let at = |k: usize| label0 + k as f64 * step;
                if sampled {
                    return Ok(Coordinate::new(
                        SampledCoordinate::from_block(at(k0), n, step, 1),
                        dim,
                    ));
                }
                let (ti, tv) = if n == 1 {
                    (vec![0], vec![at(k0)])
                } else {
                    (vec![0, n - 1], vec![at(k0), at(k0 + n - 1)])
                };
                let c = InterpCoordinate::new(ti, tv)?.with_rate(step, 1, Some(tol))?;
                Ok(Coordinate::new(c, dim))
            }
        }
    }
}

/// The transform of a run, designed from its sampling interval.
struct Design {
    /// Sampling interval (seconds on time axes).
    d: f64,
    nperseg: usize,
    hop: usize,
    nfft: usize,
    window: Vec<f64>,
    /// The frequency coordinate.
    freqs: Coordinate,
}

/// One continuous run: its design, frame grid, frames emitted so far and the samples
/// not consumed yet.
struct Run {
    design: Design,
    grid: Grid,
    next: usize,
    pending: Option<Chunk>,
}

/// Stream of [`STFT`]: buffers the samples of the incomplete frame between chunks.
pub struct StftStream {
    wlen: f64,
    hop: Option<f64>,
    window: Window,
    scaling: Scaling,
    nfft: Option<usize>,
    dim: String,
    run: Option<Run>,
}

impl StftStream {
    /// The window length in samples, the hop in samples and the FFT length at the
    /// sampling interval `d`.
    fn design(&self, d: f64, sampled: bool) -> Result<Design> {
        if !(d.is_finite() && d > 0.0) {
            return Err(invalid(NAME, format!("bad sampling interval {d}")));
        }
        let fs = 1.0 / d;
        let target = (self.wlen * fs).round_ties_even();
        if target.is_nan() || target > MAX_NPERSEG {
            return Err(invalid(
                NAME,
                format!("a window of {} s is too long at {fs} Hz", self.wlen),
            ));
        }
        let nperseg = next_fast_len((target as usize).max(1));
        let hop = match self.hop {
            None => (nperseg / 2).max(1),
            Some(h) => ((h * fs).round_ties_even().min(nperseg as f64) as usize).max(1),
        };
        let nfft = self.nfft.unwrap_or(nperseg);
        if nfft < nperseg {
            return Err(invalid(
                NAME,
                format!("nfft ({nfft}) must be at least the window length in samples ({nperseg})"),
            ));
        }
        let window = get_window(&self.window, nperseg, true)?;
        let nf = nfft / 2 + 1;
        let df = 1.0 / (nfft as f64 * d);
        let freqs = if sampled {
            Coordinate::new(SampledCoordinate::from_block(0.0, nf, df, 1), FREQUENCY)
        } else {
            Coordinate::from_block(0.0, nf, df, FREQUENCY)
        };
        Ok(Design {
            d,
            nperseg,
            hop,
            nfft,
            window,
            freqs,
        })
    }

    fn run(&mut self) -> Result<&mut Run> {
        self.run
            .as_mut()
            .ok_or_else(|| invalid(NAME, "the stream was not started"))
    }
}

/// Whether the dim coordinate is sampled (the frequency coordinate follows its kind).
fn is_sampled(c: &Coordinate) -> bool {
    matches!(
        c.kind(),
        CoordKind::SampledF64(_) | CoordKind::SampledTime(_)
    )
}

/// The frames `next ..` of `da` (which holds exactly `nframes` complete frames from its
/// first sample) as a complex array `(..., frame, ..., frequency)`.
fn transform<T: Spectral>(
    da: DataArray<T>,
    dim: &str,
    run: &Run,
    scaling: Scaling,
    nframes: usize,
) -> Result<Chunk>
where
    Complex<T>: Element,
{
    let ds = &run.design;
    let axis = da.axis(dim)?;
    let s = xdas_signal::spectral::stft(
        da.data().view(),
        &ds.window,
        ds.nperseg,
        Some(ds.nperseg - ds.hop),
        Some(ds.nfft),
        true,
        scaling,
        1.0 / ds.d,
        axis,
    )?;
    debug_assert_eq!(s.data.shape()[axis], nframes);
    let time = run.grid.coord(run.next, nframes, dim)?;
    let mut dims = da.dims().to_vec();
    dims.push(FREQUENCY.to_string());
    let mut coords: Vec<(String, Coordinate)> = Vec::new();
    for (k, c) in da.coords() {
        if k == dim {
            coords.push((k.to_string(), time.clone()));
        } else if c.dim() != Some(dim) {
            // other coordinates along the dim are dropped, as xdas does
            coords.push((k.to_string(), c.clone()));
        }
    }
    coords.push((FREQUENCY.to_string(), ds.freqs.clone()));
    let out = DataArray::from_parts(
        s.data,
        dims,
        coords,
        da.name().map(str::to_string),
        da.attrs().cloned(),
    )?;
    Ok(T::complex_chunk(out))
}

impl Stream for StftStream {
    fn name(&self) -> &'static str {
        NAME
    }
    fn signature(&self) -> String {
        format!(
            "STFT(wlen={:?}, hop={:?}, window={:?}, scaling={:?}, nfft={:?}, dim={:?})",
            self.wlen, self.hop, self.window, self.scaling, self.nfft, self.dim
        )
    }
    fn dim(&self) -> &str {
        &self.dim
    }
    fn start(&mut self, first: &Chunk) -> Result<()> {
        self.run = None;
        let d = crate::rate::interval_seconds(first, &self.dim, NAME)?;
        let coord = crate::each_array!(first,
            da => da.coord(da.resolve_dim(&self.dim)?)?.clone(),
            _p => return Err(AtomError::DType { atom: NAME.into(), dtype: "picks".into() }));
        let design = self.design(d, is_sampled(&coord))?;
        let grid = Grid::of(&coord, d, design.nperseg, design.hop)?;
        self.run = Some(Run {
            design,
            grid,
            next: 0,
            pending: None,
        });
        Ok(())
    }
    fn push(&mut self, chunk: Chunk) -> Result<Vec<Chunk>> {
        let scaling = self.scaling;
        let name = crate::each_array!(&chunk,
            da => da.resolve_dim(&self.dim)?.to_string(),
            _p => return Err(AtomError::DType { atom: NAME.into(), dtype: "picks".into() }));
        if !matches!(chunk, Chunk::F32(_) | Chunk::F64(_)) {
            return Err(AtomError::DType {
                atom: NAME.into(),
                dtype: chunk.dtype_name().into(),
            });
        }
        let run = self.run()?;
        let joined = match run.pending.take() {
            Some(p) => Chunk::concat(&[p, chunk], &name)?,
            None => chunk,
        };
        let n = joined.len_along(&name)?;
        let (nperseg, hop) = (run.design.nperseg, run.design.hop);
        if n < nperseg {
            run.pending = (n > 0).then_some(joined);
            return Ok(Vec::new());
        }
        let nframes = (n - nperseg) / hop + 1;
        let consumed = nframes * hop;
        let frames = joined.range(&name, 0, (nframes - 1) * hop + nperseg)?;
        run.pending = if consumed < n {
            Some(joined.range(&name, consumed, n)?)
        } else {
            None
        };
        let out =
            crate::with_real!(frames, NAME, da => transform(da, &name, run, scaling, nframes))?;
        run.next += nframes;
        Ok(vec![out])
    }
    fn finish(&mut self) -> Result<Vec<Chunk>> {
        // only complete frames are emitted: the tail is dropped
        if let Some(run) = self.run.as_mut() {
            run.pending = None;
        }
        Ok(Vec::new())
    }
    fn clear(&mut self) {
        self.run = None;
    }
    fn save(&self) -> Result<Value> {
        let Some(run) = &self.run else {
            return Ok(Value::Null);
        };
        Ok(json!({
            "d": run.design.d,
            "sampled": is_sampled(&run.design.freqs),
            "grid": serde_json::to_value(&run.grid).map_err(|e| AtomError::State(e.to_string()))?,
            "next": run.next,
            "pending": encode_opt_chunk(&run.pending),
        }))
    }
    fn load(&mut self, state: &Value) -> Result<()> {
        self.run = None;
        if state.is_null() {
            return Ok(());
        }
        let d: f64 = field_as(state, "d")?;
        let sampled: bool = field_as(state, "sampled")?;
        let grid: Grid = field_as(state, "grid")?;
        let next: usize = field_as(state, "next")?;
        let pending = decode_opt_chunk(field(state, "pending")?)?;
        let design = self.design(d, sampled)?;
        self.run = Some(Run {
            design,
            grid,
            next,
            pending,
        });
        Ok(())
    }
}

/// Short-time Fourier transform along `dim` with the window length `wlen` (and the hop)
/// in coordinate units — seconds on time axes (xdas's `STFT`).
///
/// * The window has `nperseg = next_fast_len(round(wlen · fs))` samples (at least 1);
///   frames start at the first sample and advance by `hop` (rounded to whole samples,
///   between 1 and `nperseg`; default `nperseg // 2`).
/// * Each frame is multiplied by the periodic `window` and transformed with an
///   `nfft`-point real FFT (default `nfft = nperseg`), scaled to `"spectrum"` (peak
///   amplitudes) or `"psd"` ([`xdas_signal::spectral::stft`]).
/// * Only complete frames are emitted. `dim` is relabelled with the frame centres,
///   `t0 + (nperseg // 2) · dt` every `hop · dt`, and a last dim `"frequency"` is added
///   (`0, fs/nfft, ...`). `f32` data gives `complex64`, `f64` gives `complex128`.
///
/// Chunked, the samples of the incomplete frame are buffered from chunk to chunk (and
/// dropped at a gap and at the end of the stream), so the frames of a chunked run equal
/// the eager ones bit for bit.
///
/// ```
/// use xdas_atoms::{AtomExt, stft::STFT};
/// let da = xdas_synthetics::dummy::<f64>((100, 3)).to_dataarray(); // 100 Hz
/// let mut atom = STFT::new(0.2, None, "hann", "spectrum", None, "time").unwrap();
/// let s = atom.apply(da).unwrap(); // 20-sample frames every 10 samples
/// assert_eq!(s.dims(), vec!["time", "distance", "frequency"]);
/// assert_eq!(s.shape(), vec![9, 3, 11]);
/// assert_eq!(s.dtype_name(), "complex128");
/// ```
pub struct STFT;

impl STFT {
    /// Check the parameters: `wlen > 0`; `0 < hop <= wlen` (coordinate units);
    /// `window` a scipy window — a name (`"hann"`), a name and its parameter
    /// (`("kaiser", 8.0)`, `"('tukey', 0.25)"`) or a [`Window`] (see [`WindowSpec`]);
    /// `scaling` `"spectrum"` or `"psd"`; `nfft > 0` (and at least the window length in
    /// samples, checked on the first chunk).
    ///
    /// ```
    /// use xdas_atoms::{AtomExt, stft::STFT};
    /// let da = xdas_synthetics::dummy::<f32>((100, 2)).to_dataarray();
    /// let mut atom = STFT::new(0.2, Some(0.05), ("kaiser", 8.0), "psd", Some(32), "time").unwrap();
    /// let s = atom.apply(da).unwrap(); // 20-sample frames every 5 samples, 32-point FFTs
    /// assert_eq!(s.shape(), vec![17, 2, 17]);
    /// assert_eq!(s.dtype_name(), "complex64");
    /// assert!(STFT::new(0.2, Some(0.5), "hann", "psd", None, "time").is_err()); // hop > wlen
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        wlen: f64,
        hop: Option<f64>,
        window: impl Into<WindowSpec>,
        scaling: &str,
        nfft: Option<usize>,
        dim: &str,
    ) -> Result<Along<StftStream>> {
        if !(wlen.is_finite() && wlen > 0.0) {
            return Err(invalid(NAME, format!("wlen must be positive, got {wlen}")));
        }
        if let Some(h) = hop
            && !(h > 0.0 && h <= wlen)
        {
            return Err(invalid(
                NAME,
                format!("hop must be positive and at most wlen ({wlen}), got {h}"),
            ));
        }
        if nfft == Some(0) {
            return Err(invalid(NAME, "nfft must be positive"));
        }
        let window = window.into().window()?;
        let scaling = Scaling::parse(scaling)?;
        Ok(Along::new(StftStream {
            wlen,
            hop,
            window,
            scaling,
            nfft,
            dim: dim.into(),
            run: None,
        }))
    }
}
