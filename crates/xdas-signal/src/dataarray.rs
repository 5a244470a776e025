//! The signal functions on [`DataArray`]s, with the names and parameters of `xdas.signal`.
//!
//! Dims are named (`"first"`/`"last"` allowed); physical parameters (cutoff frequencies in
//! Hz, window lengths in coordinate units) use the dim's sampling interval. The kernels
//! of this crate do the numbers; this layer only keeps the coordinates right:
//!
//! * `decimate` keeps `[::q]` of every coordinate on the dim;
//! * `resample_poly` rebuilds the dim's coordinate at the new exact rate from the first
//!   sample (other coordinates on the dim are dropped, as xdas does);
//! * `differentiate` drops the last sample; `midpoints` moves the coordinate by half a
//!   step (on datetime axes too, where xdas 0.2.10 raises);
//! * `hilbert` gives a complex array with the same coordinates.

use crate::Real;
use crate::decimate::DecimateFtype;
use crate::design::{BandType, FilterKind, iirfilter_sos};
use crate::detrend::DetrendType;
use crate::error::{Result, invalid};
use crate::filter::PadType;
use crate::window::Window;
use ndarray::ArrayD;
use num_complex::Complex;
use xdas_core::coords::{CoordKind, InterpCoordinate, SampledCoordinate};
use xdas_core::{Coordinate, DataArray, Indexer, Scalar, Timedelta};

/// The axis of `dim` and the dim's sampling interval in its units (seconds for time).
fn axis_and_step<E: xdas_core::Element>(
    da: &DataArray<E>,
    dim: &str,
) -> Result<(usize, String, f64)> {
    let axis = da.axis(dim)?;
    let name = da.dims()[axis].clone();
    let d = da
        .coord(&name)?
        .sampling_interval_seconds()
        .ok_or_else(|| invalid(format!("dimension {name:?} has no sampling interval")))?;
    Ok((axis, name, d))
}

/// The half-step shift of `midpoints=True`, in the coordinate's own units.
fn half_step(coord: &Coordinate, d: f64) -> Scalar {
    match coord.dtype() {
        xdas_core::DType::Datetime => Scalar::Timedelta(Timedelta::from_seconds(d / 2.0)),
        _ => Scalar::F64(d / 2.0),
    }
}

fn shift_dim<T: Real>(da: DataArray<T>, dim: &str, d: f64) -> Result<DataArray<T>> {
    let coord = da.coord(dim)?.clone();
    let shifted = coord.shifted(&half_step(&coord, d))?;
    Ok(da.assign_coord(dim, shifted)?)
}

/// `xdas.signal.detrend`: remove a linear or constant trend along `dim`.
pub fn detrend<T: Real>(da: &DataArray<T>, kind: DetrendType, dim: &str) -> Result<DataArray<T>> {
    let axis = da.axis(dim)?;
    let y = crate::detrend::detrend(da.data().view(), axis, kind, &[])?;
    Ok(da.with_data(y)?)
}

/// `xdas.signal.taper`: multiply by a window along `dim` (symmetric unless `fftbins`).
pub fn taper<T: Real>(
    da: &DataArray<T>,
    window: &Window,
    fftbins: bool,
    dim: &str,
) -> Result<DataArray<T>> {
    let axis = da.axis(dim)?;
    let y = crate::taper::taper(da.data().view(), window, fftbins, axis)?;
    Ok(da.with_data(y)?)
}

/// `xdas.signal.filter`: a Butterworth filter of `corners` poles at `freq` Hz along
/// `dim`, causal (`sosfilt`) or zero-phase (`sosfiltfilt`).
pub fn filter<T: Real>(
    da: &DataArray<T>,
    freq: &[f64],
    btype: BandType,
    corners: usize,
    zerophase: bool,
    dim: &str,
) -> Result<DataArray<T>> {
    let (axis, _, d) = axis_and_step(da, dim)?;
    let sos = iirfilter_sos(corners, freq, btype, FilterKind::Butter, Some(1.0 / d))?;
    let y = if zerophase {
        crate::filter::sosfiltfilt(&sos, da.data().view(), axis, PadType::Odd, None)?
    } else {
        crate::filter::sosfilt(&sos, da.data().view(), axis, None)?.0
    };
    Ok(da.with_data(y)?)
}

/// `xdas.signal.hilbert`: the analytic signal along `dim`.
pub fn hilbert<T: Real>(
    da: &DataArray<T>,
    n: Option<usize>,
    dim: &str,
) -> Result<DataArray<Complex<T>>>
where
    Complex<T>: xdas_core::Element,
{
    let axis = da.axis(dim)?;
    let y = crate::spectral::hilbert(da.data().view(), n, axis)?;
    Ok(da.with_data(y)?)
}

/// Initial state of `lfilter`/`sosfilt`: xdas's `zi=...` is [`Zi::Zeros`].
#[derive(Debug, Clone)]
pub enum Zi<T> {
    /// Zeros of the right shape (`zi=...` in xdas).
    Zeros,
    /// A given state.
    Given(ArrayD<T>),
}

fn state_shape(shape: &[usize], axis: usize, order: usize, sections: Option<usize>) -> Vec<usize> {
    let mut s = shape.to_vec();
    s[axis] = order;
    if let Some(n) = sections {
        s.insert(0, n);
    }
    s
}

/// `xdas.signal.lfilter`: IIR/FIR filtering along `dim`; with a `zi`, also the final
/// state.
pub fn lfilter<T: Real>(
    b: &[f64],
    a: &[f64],
    da: &DataArray<T>,
    dim: &str,
    zi: Option<Zi<T>>,
) -> Result<(DataArray<T>, Option<ArrayD<T>>)> {
    let axis = da.axis(dim)?;
    let zi = zi.map(|z| match z {
        Zi::Zeros => ArrayD::zeros(state_shape(
            da.shape(),
            axis,
            b.len().max(a.len()).saturating_sub(1),
            None,
        )),
        Zi::Given(z) => z,
    });
    let (y, zf) =
        crate::filter::lfilter(b, a, da.data().view(), axis, zi.as_ref().map(|z| z.view()))?;
    Ok((da.with_data(y)?, zf))
}

/// `xdas.signal.sosfilt`: second-order-sections filtering along `dim`; with a `zi`, also
/// the final state (`(n_sections, ..., 2, ...)`).
pub fn sosfilt<T: Real>(
    sos: &[[f64; 6]],
    da: &DataArray<T>,
    dim: &str,
    zi: Option<Zi<T>>,
) -> Result<(DataArray<T>, Option<ArrayD<T>>)> {
    let axis = da.axis(dim)?;
    let zi = zi.map(|z| match z {
        Zi::Zeros => ArrayD::zeros(state_shape(da.shape(), axis, 2, Some(sos.len()))),
        Zi::Given(z) => z,
    });
    let (y, zf) =
        crate::filter::sosfilt(sos, da.data().view(), axis, zi.as_ref().map(|z| z.view()))?;
    Ok((da.with_data(y)?, zf))
}

/// `xdas.signal.filtfilt` (method "pad").
pub fn filtfilt<T: Real>(
    b: &[f64],
    a: &[f64],
    da: &DataArray<T>,
    dim: &str,
    padtype: PadType,
    padlen: Option<usize>,
) -> Result<DataArray<T>> {
    let axis = da.axis(dim)?;
    Ok(da.with_data(crate::filter::filtfilt(
        b,
        a,
        da.data().view(),
        axis,
        padtype,
        padlen,
    )?)?)
}

/// `xdas.signal.sosfiltfilt`.
pub fn sosfiltfilt<T: Real>(
    sos: &[[f64; 6]],
    da: &DataArray<T>,
    dim: &str,
    padtype: PadType,
    padlen: Option<usize>,
) -> Result<DataArray<T>> {
    let axis = da.axis(dim)?;
    Ok(da.with_data(crate::filter::sosfiltfilt(
        sos,
        da.data().view(),
        axis,
        padtype,
        padlen,
    )?)?)
}

/// `xdas.signal.decimate`: anti-alias and keep every `q`-th sample along `dim`; every
/// coordinate on the dim keeps `[::q]`.
pub fn decimate<T: Real>(
    da: &DataArray<T>,
    q: usize,
    n: Option<usize>,
    ftype: DecimateFtype,
    zero_phase: bool,
    dim: &str,
) -> Result<DataArray<T>> {
    let axis = da.axis(dim)?;
    if q == 0 {
        return Err(invalid("the decimation factor q must be positive"));
    }
    let y = crate::decimate::decimate(da.data().view(), q, n, ftype, axis, zero_phase)?;
    // `[::q]` of every coordinate on the dim, without copying the samples
    let name = da.dims()[axis].clone();
    let len = da.shape()[axis];
    let coords = da
        .coords()
        .map(|(k, c)| {
            let c = if c.dim() == Some(name.as_str()) {
                c.slice(0, len, q)?
            } else {
                c.clone()
            };
            Ok((k.to_string(), c))
        })
        .collect::<std::result::Result<Vec<_>, xdas_core::Error>>()?;
    Ok(DataArray::from_parts(
        y,
        da.dims().to_vec(),
        coords,
        da.name().map(str::to_string),
        da.attrs().cloned(),
    )?)
}

/// The dim coordinate of `n` samples from `coord`'s first value at `up/down` times the
/// rate: exact for regular interpolated coordinates.
fn resampled_coord(
    coord: &Coordinate,
    n: usize,
    up: usize,
    down: usize,
    d: f64,
    dim: &str,
) -> Result<Coordinate> {
    let first = coord.value(0)?;
    let c = match (coord.kind(), first) {
        (CoordKind::InterpF64(c), Scalar::F64(start)) if c.ratio().is_some() => {
            let r = c.ratio().expect("checked");
            Coordinate::new(
                InterpCoordinate::from_block(
                    start,
                    n,
                    r.num * down as f64 / up as f64,
                    1,
                    c.tolerance(),
                ),
                dim,
            )
        }
        (CoordKind::InterpTime(c), Scalar::Datetime(start)) if c.ratio().is_some() => {
            let r = c.ratio().expect("checked");
            Coordinate::new(
                InterpCoordinate::from_block(
                    start,
                    n,
                    r.num * down as i64,
                    r.den * up as u64,
                    c.tolerance(),
                ),
                dim,
            )
        }
        (CoordKind::SampledTime(_), Scalar::Datetime(start)) => Coordinate::new(
            SampledCoordinate::from_block(
                start,
                n,
                Timedelta::from_seconds(d) * down as i64,
                up as u64,
            ),
            dim,
        ),
        (CoordKind::SampledF64(_), Scalar::F64(start)) => Coordinate::new(
            SampledCoordinate::from_block(start, n, d * down as f64 / up as f64, 1),
            dim,
        ),
        (_, Scalar::Datetime(start)) => Coordinate::new(
            InterpCoordinate::from_block(
                start,
                n,
                Timedelta::from_seconds(d) * down as i64,
                up as u64,
                None,
            ),
            dim,
        ),
        (_, Scalar::F64(start)) => {
            Coordinate::from_block(start, n, d * down as f64 / up as f64, dim)
        }
        (_, other) => {
            return Err(invalid(format!(
                "cannot resample a coordinate starting at {other}"
            )));
        }
    };
    Ok(c)
}

/// `xdas.signal.resample_poly`: polyphase resampling by `up/down` along `dim` (Kaiser
/// window, β = 5, by default); the dim's coordinate restarts at the first sample with
/// the new exact rate.
pub fn resample_poly<T: Real>(
    da: &DataArray<T>,
    up: usize,
    down: usize,
    dim: &str,
    window: &Window,
    padtype: crate::resample::ResamplePad,
    cval: Option<f64>,
) -> Result<DataArray<T>> {
    let (axis, name, d) = axis_and_step(da, dim)?;
    let y =
        crate::resample::resample_poly(da.data().view(), up, down, axis, window, padtype, cval)?;
    let coord = resampled_coord(da.coord(&name)?, y.shape()[axis], up, down, d, &name)?;
    let coords: Vec<(String, Coordinate)> = da
        .coords()
        .filter(|(k, c)| !(c.dim() == Some(name.as_str()) && *k != name))
        .map(|(k, c)| {
            (
                k.to_string(),
                if k == name { coord.clone() } else { c.clone() },
            )
        })
        .collect();
    Ok(DataArray::from_parts(
        y,
        da.dims().to_vec(),
        coords,
        da.name().map(str::to_string),
        da.attrs().cloned(),
    )?)
}

/// `xdas.signal.integrate`: cumulative sum times the sampling interval along `dim`.
pub fn integrate<T: Real>(da: &DataArray<T>, midpoints: bool, dim: &str) -> Result<DataArray<T>> {
    let (axis, name, d) = axis_and_step(da, dim)?;
    let out = da.with_data(crate::calculus::integrate(da.data().view(), d, axis)?)?;
    if midpoints {
        shift_dim(out, &name, d)
    } else {
        Ok(out)
    }
}

/// `xdas.signal.differentiate`: first difference over the sampling interval along `dim`
/// (one sample shorter; the lower labels are kept, or the midpoints).
pub fn differentiate<T: Real>(
    da: &DataArray<T>,
    midpoints: bool,
    dim: &str,
) -> Result<DataArray<T>> {
    let (axis, name, d) = axis_and_step(da, dim)?;
    let y = crate::calculus::differentiate(da.data().view(), d, axis)?;
    let out = da
        .isel(&name, Indexer::slice(None, Some(-1), None))?
        .with_data(y)?;
    if midpoints {
        shift_dim(out, &name, d)
    } else {
        Ok(out)
    }
}

/// `xdas.signal.sliding_mean_removal`: subtract the running mean over `wlen` (coordinate
/// units, made an odd number of samples) along `dim`.
pub fn sliding_mean_removal<T: Real>(
    da: &DataArray<T>,
    wlen: f64,
    window: &Window,
    pad_mode: crate::mean_removal::PadMode,
    dim: &str,
) -> Result<DataArray<T>> {
    let (axis, _, d) = axis_and_step(da, dim)?;
    if wlen.is_nan() || wlen <= 0.0 {
        return Err(invalid(format!(
            "the window length must be positive, got {wlen}"
        )));
    }
    let mut n = (wlen / d).round_ties_even() as usize;
    if n % 2 == 0 {
        n += 1;
    }
    let y = crate::mean_removal::sliding_mean_removal(da.data().view(), n, window, pad_mode, axis)?;
    Ok(da.with_data(y)?)
}

/// `xdas.signal.medfilt`: median filter with a kernel length per dim (others 1).
pub fn medfilt<T: Real>(da: &DataArray<T>, kernel: &[(&str, usize)]) -> Result<DataArray<T>> {
    let mut sizes = vec![1; da.ndim()];
    for (dim, k) in kernel {
        sizes[da.axis(dim)?] = *k;
    }
    Ok(da.with_data(crate::medfilt::medfilt(da.data().view(), &sizes)?)?)
}

/// Where a dim starts and how it advances: a datetime start with the exact step
/// `num/den`, or a float start and step.
enum Axis0 {
    Time(xdas_core::Datetime, Timedelta, u64),
    Float(f64, f64),
}

/// The start and step of `coord` (sampling interval `d`, in seconds on time axes).
fn axis0(coord: &Coordinate, d: f64) -> Result<Axis0> {
    Ok(match (coord.kind(), coord.value(0)?) {
        (CoordKind::InterpTime(c), Scalar::Datetime(t0)) if c.ratio().is_some() => {
            let r = c.ratio().expect("checked");
            Axis0::Time(t0, r.num, r.den)
        }
        (_, Scalar::Datetime(t0)) => Axis0::Time(t0, Timedelta::from_seconds(d), 1),
        (_, Scalar::F64(x0)) => Axis0::Float(x0, d),
        (_, other) => {
            return Err(invalid(format!(
                "cannot use a coordinate starting at {other}"
            )));
        }
    })
}

/// A regular coordinate starting `offset_half_samples / 2` samples after the dim's first
/// value and advancing `every` samples per index.
fn regular_from(
    a: &Axis0,
    n: usize,
    offset_half_samples: usize,
    every: usize,
    dim: &str,
) -> Coordinate {
    match *a {
        Axis0::Time(t0, num, den) => {
            let off =
                (offset_half_samples as i128 * num.ns() as i128 + den as i128) / (2 * den as i128);
            let start = t0 + Timedelta::from_ns(off as i64);
            Coordinate::new(
                InterpCoordinate::from_block(start, n, num * every as i64, den, None),
                dim,
            )
        }
        Axis0::Float(x0, d) => Coordinate::from_block(
            x0 + offset_half_samples as f64 / 2.0 * d,
            n,
            every as f64 * d,
            dim,
        ),
    }
}

/// `da`'s labels with the dim `old` renamed `new` and labelled by `new_coord`, over
/// `data` (other coordinates on `old` are dropped).
fn rename_dim<T: xdas_core::Element, U: xdas_core::Element>(
    da: &DataArray<T>,
    old: &str,
    new: &str,
    new_coord: Coordinate,
    data: ArrayD<U>,
) -> Result<DataArray<U>> {
    let dims: Vec<String> = da
        .dims()
        .iter()
        .map(|d| if d == old { new.to_string() } else { d.clone() })
        .collect();
    let mut coords: Vec<(String, Coordinate)> = da
        .coords()
        .filter(|(_, c)| c.dim() != Some(old))
        .map(|(k, c)| (k.to_string(), c.clone()))
        .collect();
    coords.push((new.to_string(), new_coord));
    Ok(DataArray::from_parts(
        data,
        dims,
        coords,
        da.name().map(str::to_string),
        da.attrs().cloned(),
    )?)
}

/// `xdas.fft.rfft`: the one-sided spectrum along `dim`, which becomes `newdim` with a
/// frequency coordinate (`0, 1/(n·d), ...`; Hz on time axes).
pub fn rfft<T: Real>(
    da: &DataArray<T>,
    n: Option<usize>,
    dim: &str,
    newdim: &str,
    norm: crate::spectral::Norm,
) -> Result<DataArray<Complex<T>>>
where
    Complex<T>: xdas_core::Element,
{
    let (axis, name, d) = axis_and_step(da, dim)?;
    let n = n.unwrap_or(da.shape()[axis]);
    let y = crate::spectral::rfft(da.data().view(), Some(n), axis, norm)?;
    let f = Coordinate::from_block(0.0, n / 2 + 1, 1.0 / (n as f64 * d), newdim);
    rename_dim(da, &name, newdim, f, y)
}

/// `xdas.fft.fft` of real data: the two-sided spectrum along `dim`, `fftshift`ed, which
/// becomes `newdim` with its (centred) frequency coordinate.
pub fn fft<T: Real>(
    da: &DataArray<T>,
    n: Option<usize>,
    dim: &str,
    newdim: &str,
    norm: crate::spectral::Norm,
) -> Result<DataArray<Complex<T>>>
where
    Complex<T>: xdas_core::Element,
{
    let (axis, name, d) = axis_and_step(da, dim)?;
    let n = n.unwrap_or(da.shape()[axis]);
    let xc = da.data().mapv(|v| Complex::new(v, T::zero()));
    let y = crate::spectral::fft(xc.view(), Some(n), axis, norm)?;
    let y = crate::spectral::fftshift_axis(y.view(), axis)?;
    let start = crate::spectral::fftshift(&crate::spectral::fftfreq(n, d))[0];
    let f = Coordinate::from_block(start, n, 1.0 / (n as f64 * d), newdim);
    rename_dim(da, &name, newdim, f, y)
}

/// `xdas.signal.stft`: short-time Fourier transform along `dim` (scipy's
/// `boundary=None, padded=False`). `dim` keeps its name, labelled by the segment centres
/// (`t0 + nperseg/2·dt`, every `(nperseg − noverlap)·dt`); a last dim `newdim` holds the
/// frequencies (two-sided spectra are `fftshift`ed).
#[allow(clippy::too_many_arguments)]
pub fn stft<T: Real>(
    da: &DataArray<T>,
    window: &Window,
    nperseg: usize,
    noverlap: Option<usize>,
    nfft: Option<usize>,
    return_onesided: bool,
    dim: &str,
    newdim: &str,
    scaling: crate::spectral::Scaling,
) -> Result<DataArray<Complex<T>>>
where
    Complex<T>: xdas_core::Element,
{
    let (axis, name, d) = axis_and_step(da, dim)?;
    if nperseg == 0 {
        return Err(invalid("stft: nperseg must be positive"));
    }
    let w = crate::window::get_window(window, nperseg, true)?;
    let noverlap = noverlap.unwrap_or(nperseg / 2);
    let nfft = nfft.unwrap_or(nperseg);
    let s = crate::spectral::stft(
        da.data().view(),
        &w,
        nperseg,
        Some(noverlap),
        Some(nfft),
        return_onesided,
        scaling,
        1.0 / d,
        axis,
    )?;
    let last = s.data.ndim() - 1;
    let data = if return_onesided {
        s.data
    } else {
        crate::spectral::fftshift_axis(s.data.view(), last)?
    };
    let nseg = data.shape()[axis];
    let seg = regular_from(
        &axis0(da.coord(&name)?, d)?,
        nseg,
        nperseg,
        nperseg - noverlap,
        &name,
    );
    let (f0, nf) = if return_onesided {
        (0.0, nfft / 2 + 1)
    } else {
        (
            crate::spectral::fftshift(&crate::spectral::fftfreq(nfft, d))[0],
            nfft,
        )
    };
    let f = Coordinate::from_block(f0, nf, 1.0 / (nfft as f64 * d), newdim);
    let mut dims = da.dims().to_vec();
    dims.push(newdim.to_string());
    let mut coords: Vec<(String, Coordinate)> = da
        .coords()
        .filter(|(_, c)| c.dim() != Some(name.as_str()))
        .map(|(k, c)| (k.to_string(), c.clone()))
        .collect();
    coords.push((name.clone(), seg));
    coords.push((newdim.to_string(), f));
    Ok(DataArray::from_parts(
        data,
        dims,
        coords,
        da.name().map(str::to_string),
        da.attrs().cloned(),
    )?)
}

/// `xdas.fft.ifft`: the inverse of [`fft`] (its input `ifftshift`ed first) along `dim`,
/// which becomes `newdim`, labelled by the lag from 0 every `1/(n·df)` (xdas labels it
/// with frequencies again).
pub fn ifft<T: Real>(
    da: &DataArray<Complex<T>>,
    n: Option<usize>,
    dim: &str,
    newdim: &str,
    norm: crate::spectral::Norm,
) -> Result<DataArray<Complex<T>>>
where
    Complex<T>: xdas_core::Element,
{
    let (axis, name, df) = axis_and_step(da, dim)?;
    let n = n.unwrap_or(da.shape()[axis]);
    let x = crate::spectral::ifftshift_axis(da.data().view(), axis)?;
    let y = crate::spectral::ifft(x.view(), Some(n), axis, norm)?;
    let t = Coordinate::from_block(0.0, n, 1.0 / (n as f64 * df), newdim);
    rename_dim(da, &name, newdim, t, y)
}

/// `xdas.fft.irfft`: the inverse of [`rfft`] along `dim` (`n` defaults to `2(m − 1)`),
/// which becomes `newdim`, labelled by the lag from 0 every `1/(n·df)`.
pub fn irfft<T: Real>(
    da: &DataArray<Complex<T>>,
    n: Option<usize>,
    dim: &str,
    newdim: &str,
    norm: crate::spectral::Norm,
) -> Result<DataArray<T>>
where
    Complex<T>: xdas_core::Element,
{
    let (axis, name, df) = axis_and_step(da, dim)?;
    let m = da.shape()[axis];
    let n = n.unwrap_or(2 * m.saturating_sub(1));
    let y = crate::spectral::irfft(da.data().view(), Some(n), axis, norm)?;
    let t = Coordinate::from_block(0.0, n, 1.0 / (n as f64 * df), newdim);
    rename_dim(da, &name, newdim, t, y)
}

/// `xdas.signal.segment_mean_removal`: subtract from every segment between consecutive
/// `limits` (labels of `dim`; each segment includes its start and excludes its end) its
/// window-weighted mean; samples outside the segments are unchanged.
pub fn segment_mean_removal<T: Real>(
    da: &DataArray<T>,
    limits: &[Scalar],
    window: &Window,
    dim: &str,
) -> Result<DataArray<T>> {
    let axis = da.axis(dim)?;
    let coord = da.coord(&da.dims()[axis].clone())?.clone();
    let bounds = limits
        .iter()
        .map(|l| coord.slice_indexer(Some(l), None, true).map(|(a, _)| a))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let y = crate::mean_removal::segment_mean_removal(da.data().view(), &bounds, window, axis)?;
    Ok(da.with_data(y)?)
}
