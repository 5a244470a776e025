//! FIR and IIR rate changes and filters designed in physical units: [`FIRFilter`],
//! [`Resample`], [`ResamplePoly`], [`Decimate`] — all built on the polyphase engine
//! ([`crate::Polyphase`]) or on recursive sections.

use xdas_signal::design::{BandType, FilterKind, PassZero, firwin, iirfilter_sos};
use xdas_signal::window::Window;

use crate::along::{Along, Stream};
use crate::chain::{ChainStream, DesignedStream, Identity};
use crate::error::{Result, invalid};
use crate::filter::RecursiveStream;
use crate::polyphase::{Placement, PolyStream};
use crate::sample::{DownStream, UpStream};

fn fmt_window(w: &Window) -> String {
    format!("{w:?}")
}

/// Parameters of a [`FIRFilter`] (xdas's names; cutoffs in Hz).
#[derive(Debug, Clone)]
pub struct FirParams {
    /// Number of taps.
    pub numtaps: usize,
    /// Corner frequencies in Hz.
    pub cutoff: Vec<f64>,
    /// `lowpass`, `highpass`, `bandpass` or `bandstop` (xdas's default: bandpass).
    pub btype: String,
    /// Window of the design (xdas's default: hamming).
    pub window: Window,
    /// Kaiser transition width in Hz (overrides `window`), as in `firwin`.
    pub width: Option<f64>,
    /// Scale the passband to unity gain.
    pub scale: bool,
    /// Upsampling factor.
    pub up: usize,
    /// Downsampling factor.
    pub down: usize,
}

impl FirParams {
    /// Defaults for everything but the essentials.
    pub fn new(numtaps: usize, cutoff: Vec<f64>, btype: &str) -> Self {
        FirParams {
            numtaps,
            cutoff,
            btype: btype.into(),
            window: Window::Hamming,
            width: None,
            scale: true,
            up: 1,
            down: 1,
        }
    }

    fn pass_zero(&self) -> Result<PassZero> {
        Ok(match BandType::parse(&self.btype)? {
            BandType::Lowpass => PassZero::Lowpass,
            BandType::Highpass => PassZero::Highpass,
            BandType::Bandpass => PassZero::Bandpass,
            BandType::Bandstop => PassZero::Bandstop,
        })
    }

    fn signature(&self, dim: &str) -> String {
        format!(
            "FIRFilter(numtaps={}, cutoff={:?}, btype={:?}, window={}, width={:?}, scale={}, up={}, down={}, dim={dim:?})",
            self.numtaps,
            self.cutoff,
            self.btype,
            fmt_window(&self.window),
            self.width,
            self.scale,
            self.up,
            self.down
        )
    }

    /// The polyphase stream at sampling rate `fs`.
    pub(crate) fn stream(&self, fs: f64, dim: &str, name: &'static str) -> Result<PolyStream> {
        let taps = firwin(
            self.numtaps,
            &self.cutoff,
            self.width,
            &self.window,
            self.pass_zero()?,
            self.scale,
            Some(fs * self.up as f64),
        )?;
        let taps: Vec<f64> = taps.iter().map(|t| t * self.up as f64).collect();
        let placement = if self.up != 1 || self.down != 1 {
            Placement::Compensate
        } else {
            Placement::ShiftCoords
        };
        PolyStream::new(
            name,
            String::new(),
            taps,
            self.up,
            self.down,
            placement,
            dim,
        )
    }
}

/// A windowed-sinc FIR filter designed in Hz at the data's sampling rate
/// (`scipy.signal.firwin(numtaps, cutoff, width, window, pass_zero=btype, scale,
/// fs=fs·up)`), run as a polyphase filter with memory (xdas's `FIRFilter`).
///
/// Without resampling (`up = down = 1`) the output has the input's length and the
/// group delay `(numtaps − 1)/2` samples is taken off the coordinate. With `up` or
/// `down` the taps (× `up`) resample as `scipy.signal.resample_poly` does.
///
/// ```
/// use xdas_atoms::{AtomExt, FIRFilter, FirParams};
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray(); // 100 Hz
/// let mut lp = FIRFilter::new(FirParams::new(31, vec![10.0], "lowpass"), "time").unwrap();
/// assert_eq!(lp.apply(da).unwrap().shape(), vec![100, 2]);
/// ```
pub struct FIRFilter;

impl FIRFilter {
    /// Check the parameters; the taps are designed on the first chunk.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(params: FirParams, dim: &str) -> Result<Along<DesignedStream>> {
        if params.numtaps == 0 {
            return Err(invalid("FIRFilter", "numtaps must be at least 1"));
        }
        if params.up == 0 || params.down == 0 {
            return Err(invalid("FIRFilter", "up and down must be at least 1"));
        }
        params
            .pass_zero()
            .map_err(|e| invalid("FIRFilter", e.to_string()))?;
        let signature = params.signature(dim);
        let d = dim.to_string();
        Ok(Along::new(DesignedStream::new(
            "FIRFilter",
            signature,
            dim,
            move |fs| Ok(Box::new(params.stream(fs, &d, "FIRFilter")?) as Box<dyn Stream>),
        )))
    }
}

// ------------------------------------------------------------------ Resample

/// What a [`Resample`] aims at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// A sampling rate (Hz, or per coordinate unit).
    Rate(f64),
    /// A sampling interval (seconds, or coordinate units).
    Interval(f64),
    /// Explicit factors.
    Factors(usize, usize),
}

/// Parameters of a [`Resample`] (xdas's names and defaults).
#[derive(Debug, Clone)]
pub struct ResampleParams {
    /// The target.
    pub target: Target,
    /// `fir` (polyphase, as `resample_poly`) or `iir` (upsample → Chebyshev I → downsample).
    pub method: String,
    /// Snap to the nearest grid nesting the input's (`round(1/r)` or `round(r)`).
    pub snap: bool,
    /// Largest `up` the solver tries (default 10).
    pub maxup: usize,
    /// Largest `down` accepted.
    pub maxdown: Option<usize>,
    /// Relative deviation allowed from the requested ratio (default 1e-5).
    pub tolerance: Option<f64>,
    /// FIR design window (default kaiser 5.0).
    pub window: Option<Window>,
    /// FIR length (default `20·max(up, down) + 1`).
    pub numtaps: Option<usize>,
    /// IIR order (default 8).
    pub order: Option<usize>,
}

impl ResampleParams {
    /// Defaults for a target.
    pub fn new(target: Target) -> Self {
        ResampleParams {
            target,
            method: "fir".into(),
            snap: false,
            maxup: 10,
            maxdown: None,
            tolerance: None,
            window: None,
            numtaps: None,
            order: None,
        }
    }

    fn signature(&self, name: &str, dim: &str) -> String {
        format!(
            "{name}(target={:?}, method={:?}, snap={}, maxup={}, maxdown={:?}, tolerance={:?}, window={:?}, numtaps={:?}, order={:?}, dim={dim:?})",
            self.target,
            self.method,
            self.snap,
            self.maxup,
            self.maxdown,
            self.tolerance,
            self.window,
            self.numtaps,
            self.order
        )
    }

    /// `(up, down)` for input rate `fs` (xdas's solver).
    pub fn factors(&self, fs: f64) -> Result<(usize, usize)> {
        let ratio = match self.target {
            Target::Factors(up, down) => return Ok((up, down)),
            Target::Rate(rate) => rate / fs,
            Target::Interval(interval) => 1.0 / fs / interval,
        };
        if self.snap {
            return Ok(if ratio < 1.0 {
                (1, ((1.0 / ratio).round_ties_even() as usize).max(1))
            } else {
                ((ratio.round_ties_even() as usize).max(1), 1)
            });
        }
        let tol = self.tolerance.unwrap_or(1e-5);
        let mut closest: Option<(usize, usize, f64)> = None;
        for up in 1..=self.maxup {
            let down = ((up as f64 / ratio).round_ties_even() as usize).max(1);
            if self.maxdown.is_some_and(|m| down > m) {
                continue;
            }
            let dev = (up as f64 / down as f64 - ratio).abs() / ratio;
            if dev <= tol {
                return Ok((up, down));
            }
            if closest.is_none_or(|c| dev < c.2) {
                closest = Some((up, down, dev));
            }
        }
        let hint = closest
            .map(|(u, d, dev)| format!(" (closest: {u}/{d}, {:.2}% off)", dev * 100.0))
            .unwrap_or_default();
        Err(invalid(
            "Resample",
            format!(
                "no up/down with up <= {} gives the ratio {ratio} within {tol}{hint}; use snap, a \
                 looser tolerance or a larger maxup",
                self.maxup
            ),
        ))
    }

    fn stream(&self, fs: f64, dim: &str, name: &'static str) -> Result<Box<dyn Stream>> {
        let (up, down) = self.factors(fs)?;
        if up == 1 && down == 1 {
            return Ok(Box::new(Identity(dim.into())));
        }
        match self.method.as_str() {
            "fir" => {
                let numtaps = self.numtaps.unwrap_or(20 * up.max(down) + 1);
                let cutoff = (fs * up as f64 / down as f64).min(fs) / 2.0;
                let mut p = FirParams::new(numtaps, vec![cutoff], "lowpass");
                p.window = self.window.unwrap_or(Window::Kaiser(5.0));
                p.up = up;
                p.down = down;
                Ok(Box::new(p.stream(fs, dim, name)?))
            }
            "iir" => {
                let order = self.order.unwrap_or(8);
                let sos = iirfilter_sos(
                    order,
                    &[0.8 / up.max(down) as f64],
                    BandType::Lowpass,
                    FilterKind::Cheby1 { rp: 0.05 },
                    None,
                )?;
                Ok(Box::new(ChainStream {
                    name,
                    signature: String::new(),
                    dim: dim.into(),
                    stages: vec![
                        Box::new(UpStream::new(up, true, dim)),
                        Box::new(RecursiveStream::sos(name, sos, dim)),
                        Box::new(DownStream::new(down, dim)),
                    ],
                }))
            }
            other => Err(invalid(
                name,
                format!("method must be 'fir' or 'iir', not {other:?}"),
            )),
        }
    }
}

/// Resample along `dim` to a rate, an interval or by `up/down`, with memory
/// (xdas's `Resample`, methods `fir` and `iir`).
///
/// The factors come from xdas's solver: for `up = 1..maxup`, `down = round(up / r)`;
/// the first within `tolerance` (relative) wins. `fir` gives
/// `scipy.signal.resample_poly` sample for sample; `iir` upsamples, filters with a
/// Chebyshev I (order 8, 0.05 dB, 0.8/max(up, down)) and downsamples.
///
/// ```
/// use xdas_atoms::{AtomExt, Resample, ResampleParams, Target};
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray(); // 100 Hz
/// let mut r = Resample::new(ResampleParams::new(Target::Rate(40.0)), "time").unwrap();
/// assert_eq!(r.apply(da).unwrap().shape(), vec![40, 2]);
/// ```
pub struct Resample;

impl Resample {
    /// Check the parameters; the factors are solved on the first chunk.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(params: ResampleParams, dim: &str) -> Result<Along<DesignedStream>> {
        Self::named("Resample", params, dim)
    }

    fn named(
        name: &'static str,
        params: ResampleParams,
        dim: &str,
    ) -> Result<Along<DesignedStream>> {
        if !matches!(params.method.as_str(), "fir" | "iir") {
            return Err(invalid(
                name,
                format!(
                    "method must be 'fir' or 'iir' (chunkable), not {:?}",
                    params.method
                ),
            ));
        }
        match params.target {
            Target::Rate(v) | Target::Interval(v) if !(v.is_finite() && v > 0.0) => {
                return Err(invalid(
                    name,
                    format!("the target must be positive, got {v}"),
                ));
            }
            Target::Factors(u, d) if u == 0 || d == 0 => {
                return Err(invalid(name, "up and down must be at least 1"));
            }
            _ => {}
        }
        if params.maxup == 0 {
            return Err(invalid(name, "maxup must be at least 1"));
        }
        let signature = params.signature(name, dim);
        let d = dim.to_string();
        Ok(Along::new(DesignedStream::new(
            name,
            signature,
            dim,
            move |fs| params.stream(fs, &d, name),
        )))
    }
}

/// xdas's deprecated `ResamplePoly(target, maxfactor=100, window=("kaiser", 5.0))`:
/// `Resample(rate=target, method="fir", maxup=maxfactor, window=window)`.
///
/// ```
/// use xdas_atoms::{AtomExt, ResamplePoly};
/// use xdas_signal::window::Window;
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray(); // 100 Hz
/// let mut r = ResamplePoly::new(50.0, 100, Window::Kaiser(5.0), "time").unwrap();
/// assert_eq!(r.apply(da).unwrap().shape(), vec![50, 2]);
/// ```
pub struct ResamplePoly;

impl ResamplePoly {
    /// Resample to `target` Hz.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        target: f64,
        maxfactor: usize,
        window: Window,
        dim: &str,
    ) -> Result<Along<DesignedStream>> {
        let mut p = ResampleParams::new(Target::Rate(target));
        p.maxup = maxfactor;
        p.window = Some(window);
        Resample::named("ResamplePoly", p, dim)
    }
}

// ------------------------------------------------------------------ Decimate

/// `scipy.signal.decimate(x, q, n, ftype)` along the chunk dim itself, with memory:
/// `iir` is the causal Chebyshev I (order `n`, default 8) `sosfilt` then `[::q]`; `fir`
/// is `firwin(n + 1, 1/q)` (default `n = 20q`, hamming) through a polyphase filter —
/// zero-phase (`resample_poly`, the tail held until flush) by default, or causal with
/// `zero_phase = false`. Coordinates are the input's `[::q]`. Zero-phase IIR needs the
/// whole record and is refused (use the `decimate` function on whole arrays).
///
/// ```
/// use xdas_atoms::{AtomExt, Decimate};
/// let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray();
/// let mut d = Decimate::new(4, None, "iir", false, "time").unwrap();
/// assert_eq!(d.apply(da).unwrap().shape(), vec![25, 2]);
/// ```
pub struct Decimate;

impl Decimate {
    /// Decimate by `q`.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        q: usize,
        n: Option<usize>,
        ftype: &str,
        zero_phase: bool,
        dim: &str,
    ) -> Result<Along<Box<dyn Stream>>> {
        if q == 0 {
            return Err(invalid("Decimate", "q must be at least 1"));
        }
        let signature = format!(
            "Decimate(q={q}, n={n:?}, ftype={ftype:?}, zero_phase={}, dim={dim:?})",
            if zero_phase { "True" } else { "False" }
        );
        let stream: Box<dyn Stream> = match ftype {
            "iir" => {
                if zero_phase {
                    return Err(invalid(
                        "Decimate",
                        "zero-phase IIR decimation filters backwards over the whole record; \
                         set zero_phase = false, use ftype = 'fir', or the `decimate` function",
                    ));
                }
                let sos = iirfilter_sos(
                    n.unwrap_or(8),
                    &[0.8 / q as f64],
                    BandType::Lowpass,
                    FilterKind::Cheby1 { rp: 0.05 },
                    None,
                )?;
                Box::new(ChainStream {
                    name: "Decimate",
                    signature,
                    dim: dim.into(),
                    stages: vec![
                        Box::new(RecursiveStream::sos("Decimate", sos, dim)),
                        Box::new(DownStream::new(q, dim)),
                    ],
                })
            }
            "fir" => {
                let taps = firwin(
                    n.unwrap_or(20 * q) + 1,
                    &[1.0 / q as f64],
                    None,
                    &Window::Hamming,
                    PassZero::True,
                    true,
                    None,
                )?;
                let placement = if zero_phase {
                    Placement::Compensate
                } else {
                    Placement::KeepCoords
                };
                Box::new(PolyStream::new(
                    "Decimate", signature, taps, 1, q, placement, dim,
                )?)
            }
            other => {
                return Err(invalid(
                    "Decimate",
                    format!("ftype must be 'iir' or 'fir', not {other:?}"),
                ));
            }
        };
        Ok(Along::new(stream))
    }
}
