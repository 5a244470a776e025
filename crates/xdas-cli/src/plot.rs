//! `xdas plot`: a waterfall image (PNG) of a 2-D DAS array.
//!
//! Time runs down the vertical axis and distance across; values are shown in a
//! blue–white–red diverging colour map, symmetric around zero and clipped at a
//! percentile of `|value|`. Big arrays are binned to at most one value per pixel (the
//! value of largest magnitude in each bin, with its sign, so short events survive the
//! decimation); `xdas plot` reads the selected window chunk by chunk, so memory stays
//! bounded whatever the file's size.
//!
//! Drawing uses plotters' bitmap backend and PNG encoder; every piece of text is drawn
//! with the small built-in 5×7 bitmap font below, so nothing depends on system fonts
//! (no fontconfig, no freetype, no font file).

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use ndarray::{ArrayView2, Ix2};
use plotters::coord::Shift;
use plotters::prelude::*;
use xdas_core::{Coordinate, DataArray, Datetime, Method, Scalar};
use xdas_io::LazyArray;

/// Arguments of `xdas plot`.
#[derive(Args, Debug, Clone)]
pub struct PlotArgs {
    /// A file, a directory or a glob (joined along time); must form one array.
    pub path: String,
    /// The PNG to write.
    #[arg(long, short)]
    pub output: std::path::PathBuf,
    /// The dim along the vertical axis (drawn downwards).
    #[arg(long, default_value = "time")]
    pub dim: String,
    /// First label along --dim (ISO datetime on a time axis, a number otherwise).
    #[arg(long)]
    pub start: Option<String>,
    /// Last label along --dim (inclusive).
    #[arg(long)]
    pub end: Option<String>,
    /// Image width in pixels.
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    /// Image height in pixels.
    #[arg(long, default_value_t = 800)]
    pub height: u32,
    /// Colour clipping: the percentile of |value| mapped to the ends of the colour map.
    #[arg(long, default_value_t = 99.0)]
    pub clip: f64,
}

/// Samples read per chunk by `xdas plot` (64 MiB of f32).
const CHUNK_SAMPLES: usize = 1 << 24;
/// At most this many samples are kept to estimate the clipping percentile.
const MAX_PERCENTILE_SAMPLES: usize = 1 << 21;
/// Accepted image sizes (each side).
const MIN_SIDE: u32 = 64;
const MAX_SIDE: u32 = 16_384;

/// Run `xdas plot`.
pub fn run(args: &PlotArgs) -> Result<()> {
    run_chunked(args, CHUNK_SAMPLES)
}

/// [`run`], reading about `chunk_samples` samples at a time.
fn run_chunked(args: &PlotArgs, chunk_samples: usize) -> Result<()> {
    check_output(&args.output)?;
    check_options(args.clip, (args.width, args.height))?;
    let opened = xdas_io::open_inputs(std::slice::from_ref(&args.path))
        .with_context(|| format!("cannot open {}", args.path))?;
    let lazy = match opened.as_array() {
        Some(a) => a.clone(),
        None => {
            let leaves = opened.leaves();
            let keys: Vec<&str> = leaves.iter().map(|(k, _)| k.as_str()).collect();
            bail!(
                "{} holds {} arrays of different layout ({}); plot one file or a narrower glob",
                args.path,
                leaves.len(),
                keys.join(", ")
            );
        }
    };
    if lazy.dims().len() != 2 {
        bail!(
            "{}: a waterfall needs a 2-D array, this one has dims {:?}",
            args.path,
            lazy.dims()
        );
    }
    let axis = lazy
        .axis(&args.dim)
        .with_context(|| format!("{}: cannot plot along --dim {:?}", args.path, args.dim))?;
    let vdim = lazy.dims()[axis].clone();
    let lazy = select(&lazy, &vdim, args.start.as_deref(), args.end.as_deref())
        .with_context(|| args.path.clone())?;
    let hdim = lazy.dims()[1 - axis].clone();
    let shape = lazy.shape();
    let frame = Frame::new(
        &vdim,
        &hdim,
        (shape[axis], shape[1 - axis]),
        lazy.coord(&vdim),
        lazy.coord(&hdim),
        value_label(lazy.name(), lazy.attrs()),
    )
    .with_context(|| format!("cannot plot {}", args.path))?;
    let title = title_of(&args.path, &frame);
    let mut plot = Plot::prepare(frame, (args.width, args.height))?;
    // read the window chunk by chunk along the vertical dim
    let rows = (chunk_samples / shape[1 - axis].max(1)).max(1);
    let n = shape[axis];
    let mut lo = 0;
    while lo < n {
        let hi = (lo + rows).min(n);
        let chunk = lazy
            .isel(&vdim, lo, hi)
            .and_then(|c| c.load_as::<f32>())
            .with_context(|| format!("cannot read {} ({vdim} {lo}..{hi})", args.path))?;
        let view = chunk
            .data()
            .view()
            .into_dimensionality::<Ix2>()
            .context("the array read is not 2-D")?;
        if axis == 0 {
            plot.feed(view);
        } else {
            plot.feed(view.reversed_axes());
        }
        lo = hi;
    }
    plot.finish(&args.output, &title, args.clip)
}

/// A waterfall of a 2-D array, written as a PNG to `path`.
///
/// The vertical axis is `time` when the array has that dim (either order: a
/// `(distance, time)` array is transposed), otherwise its first dim. Colours are
/// blue–white–red, symmetric around 0 and clipped at ±the `clip_percentile`-th
/// percentile of `|value|`; there are at most one value per pixel (each pixel shows the
/// sample of largest magnitude among those it covers). `size` is (width, height) in
/// pixels.
// Public for the demo and the tests; the `plot` subcommand goes through `run`.
pub fn waterfall(
    da: &DataArray<f32>,
    path: &Path,
    title: &str,
    clip_percentile: f64,
    size: (u32, u32),
) -> Result<()> {
    if da.ndim() != 2 {
        bail!(
            "a waterfall needs a 2-D array, this one has dims {:?}",
            da.dims()
        );
    }
    let vdim = if da.dims().iter().any(|d| d == "time") {
        "time".to_string()
    } else {
        da.dims()[0].clone()
    };
    waterfall_along(da, &vdim, path, title, clip_percentile, size)
}

/// [`waterfall`] with `vdim` down the vertical axis.
pub fn waterfall_along(
    da: &DataArray<f32>,
    vdim: &str,
    path: &Path,
    title: &str,
    clip_percentile: f64,
    size: (u32, u32),
) -> Result<()> {
    check_output(path)?;
    check_options(clip_percentile, size)?;
    if da.ndim() != 2 {
        bail!(
            "a waterfall needs a 2-D array, this one has dims {:?}",
            da.dims()
        );
    }
    let axis = da.axis(vdim)?;
    let hdim = da.dims()[1 - axis].clone();
    let view = da
        .data()
        .view()
        .into_dimensionality::<Ix2>()
        .context("the data is not 2-D")?;
    let view = if axis == 0 {
        view
    } else {
        view.reversed_axes()
    };
    let coord = |d: &str| da.coord(d).ok();
    let frame = Frame::new(
        vdim,
        &hdim,
        view.dim(),
        coord(vdim),
        coord(&hdim),
        value_label(da.name(), da.attrs()),
    )?;
    let mut plot = Plot::prepare(frame, size)?;
    plot.feed(view);
    plot.finish(path, title, clip_percentile)
}

// ---------------------------------------------------------------------------------
// arguments and selection

fn check_output(path: &Path) -> Result<()> {
    let ok = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !ok {
        bail!("the output {} must be a .png file", path.display());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        bail!(
            "cannot write {}: the directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

fn check_options(clip: f64, (w, h): (u32, u32)) -> Result<()> {
    if !(clip > 0.0 && clip <= 100.0) {
        bail!("the clip percentile must be in (0, 100], not {clip}");
    }
    for (what, v) in [("width", w), ("height", h)] {
        if !(MIN_SIDE..=MAX_SIDE).contains(&v) {
            bail!("the image {what} must be {MIN_SIDE} to {MAX_SIDE} pixels, not {v}");
        }
    }
    Ok(())
}

/// A label given on the command line, typed after the coordinate.
fn parse_label(text: &str, coord: &Coordinate, flag: &str) -> Result<Scalar> {
    let first = coord.value(0).ok();
    if matches!(first, Some(Scalar::Datetime(_))) {
        let t = Datetime::parse(text).map_err(|e| {
            anyhow!("{flag} {text:?} is not an ISO datetime (the axis holds datetimes): {e}")
        })?;
        Ok(Scalar::Datetime(t))
    } else {
        let v: f64 = text
            .trim()
            .parse()
            .map_err(|_| anyhow!("{flag} {text:?} is not a number (the axis holds numbers)"))?;
        Ok(Scalar::F64(v))
    }
}

/// `start..=end` (labels) along `dim`; at least 2 samples must remain.
fn select(
    lazy: &LazyArray,
    dim: &str,
    start: Option<&str>,
    end: Option<&str>,
) -> Result<LazyArray> {
    let n = lazy.shape()[lazy.axis(dim)?];
    let (lo, hi) = if start.is_none() && end.is_none() {
        (0, n)
    } else {
        let coord = lazy
            .coord(dim)
            .filter(|c| c.dim() == Some(dim) && c.len() == n)
            .ok_or_else(|| {
                anyhow!("--start/--end need a coordinate along {dim:?}, there is none")
            })?;
        if n == 0 {
            bail!("nothing to plot: there are no samples along {dim:?}");
        }
        let s = start
            .map(|t| parse_label(t, coord, "--start"))
            .transpose()?;
        let e = end.map(|t| parse_label(t, coord, "--end")).transpose()?;
        let (lo, hi) = coord
            .slice_indexer(s.as_ref(), e.as_ref(), true)
            .with_context(|| format!("cannot select along {dim:?}"))?;
        if hi.saturating_sub(lo) < 2 {
            let first = coord.value(0).map(|v| show(&v)).unwrap_or_default();
            let last = coord.value(n - 1).map(|v| show(&v)).unwrap_or_default();
            bail!(
                "nothing to plot: --start {} / --end {} select {} of the {n} samples along {dim:?} ({first} .. {last}); a waterfall needs at least 2",
                start.unwrap_or("(none)"),
                end.unwrap_or("(none)"),
                hi.saturating_sub(lo)
            );
        }
        (lo, hi)
    };
    Ok(lazy.isel(dim, lo, hi)?)
}

fn show(v: &Scalar) -> String {
    match v {
        Scalar::Datetime(d) => d.to_iso(),
        other => other.to_string(),
    }
}

fn value_label(name: Option<&str>, attrs: Option<&xdas_core::Attrs>) -> String {
    let units = attrs
        .and_then(|a| a.get("units"))
        .map(|u| match u {
            xdas_core::AttrValue::Str(u) => u.clone(),
            other => other.to_string(),
        })
        .filter(|u| !u.trim().is_empty());
    let name = name.filter(|n| !n.trim().is_empty());
    match (name, units) {
        (Some(n), Some(u)) => format!("{n} ({u})"),
        (Some(n), None) => n.to_string(),
        (None, Some(u)) => format!("amplitude ({u})"),
        (None, None) => "amplitude".to_string(),
    }
}

fn title_of(path: &str, frame: &Frame) -> String {
    match (
        frame.v.coord.value(0),
        frame.v.coord.value(frame.v.n.saturating_sub(1)),
    ) {
        (Ok(Scalar::Datetime(a)), Ok(Scalar::Datetime(b))) => {
            format!("{path}  {} .. {}", iso_ms(a), iso_ms(b))
        }
        _ => path.to_string(),
    }
}

fn iso_ms(t: Datetime) -> String {
    let s = t.to_iso();
    s.get(..23).unwrap_or(&s).to_string()
}

// ---------------------------------------------------------------------------------
// the figure: axes, layout, binning, rendering

/// One axis: its dim, length and coordinate (sample indices when there is none).
struct AxisInfo {
    dim: String,
    n: usize,
    coord: Coordinate,
    indexed: bool,
}

impl AxisInfo {
    fn new(dim: &str, n: usize, coord: Option<&Coordinate>) -> AxisInfo {
        match coord.filter(|c| c.dim() == Some(dim) && c.len() == n) {
            Some(c) => AxisInfo {
                dim: dim.to_string(),
                n,
                coord: c.clone(),
                indexed: false,
            },
            None => AxisInfo {
                dim: dim.to_string(),
                n,
                coord: Coordinate::from_block(0.0, n, 1.0, dim),
                indexed: true,
            },
        }
    }

    fn is_time(&self) -> bool {
        matches!(self.coord.value(0), Ok(Scalar::Datetime(_)))
    }

    /// The axis title.
    fn label(&self) -> String {
        if self.indexed {
            return format!("{} (sample)", self.dim);
        }
        if self.is_time() {
            let day = |i: usize| match self.coord.value(i) {
                Ok(Scalar::Datetime(d)) => d.to_iso()[..10].to_string(),
                _ => String::new(),
            };
            let (a, b) = (day(0), day(self.n - 1));
            return if a == b {
                format!("{} (UTC, {a})", self.dim)
            } else {
                format!("{} (UTC, {a} .. {b})", self.dim)
            };
        }
        if self.dim == "distance" {
            "distance (m)".to_string()
        } else {
            self.dim.clone()
        }
    }
}

/// What is plotted: the vertical and horizontal axes and the colour bar's title.
struct Frame {
    v: AxisInfo,
    h: AxisInfo,
    value_label: String,
}

impl Frame {
    fn new(
        vdim: &str,
        hdim: &str,
        (nv, nh): (usize, usize),
        vcoord: Option<&Coordinate>,
        hcoord: Option<&Coordinate>,
        value_label: String,
    ) -> Result<Frame> {
        if nv < 2 || nh < 1 {
            bail!(
                "nothing to plot: the array has {nv} sample(s) along {vdim:?} and {nh} along {hdim:?}; a waterfall needs at least 2 along {vdim:?} and 1 along {hdim:?}"
            );
        }
        Ok(Frame {
            v: AxisInfo::new(vdim, nv, vcoord),
            h: AxisInfo::new(hdim, nh, hcoord),
            value_label,
        })
    }
}

/// Pixel positions of the parts of the figure.
struct Layout {
    width: i32,
    height: i32,
    /// Font scale (pixels per font pixel).
    s: i32,
    /// The data area: left, top, width, height.
    px: i32,
    py: i32,
    pw: i32,
    ph: i32,
    /// The colour bar's left edge and width.
    cx: i32,
    cw: i32,
    vticks: Vec<Tick>,
    hticks: Vec<Tick>,
}

struct Tick {
    /// Pixel offset along the axis from the data area's edge.
    at: i32,
    label: String,
}

/// A figure being filled: layout known, samples binned as they come.
struct Plot {
    frame: Frame,
    layout: Layout,
    bins: Binner,
}

impl Plot {
    fn prepare(frame: Frame, (width, height): (u32, u32)) -> Result<Plot> {
        let (w, h) = (width as i32, height as i32);
        let s = ((w.min(h) as f64 / 500.0).round() as i32).clamp(1, 4);
        let line = 10 * s;
        let pad = 8 * s;
        let tick = 4 * s;
        let top = pad + 2 * line + pad / 2;
        let bottom = tick + 2 * s + line + 3 * s + line + pad;
        let ph = h - top - bottom;
        // colour bar: gap, bar, tick, labels (up to 9 characters), gap, title
        let cw = 12 * s;
        let right = 10 * s + cw + 6 * s + text_width("-8.88e-88", s) + 4 * s + line + pad / 2;
        if ph < 16 {
            bail!(
                "the image is too small for the axes: {width}x{height} pixels leave {ph} rows for the data"
            );
        }
        let vticks = ticks(&frame.v, ph, s, false);
        let vlabel_w = vticks
            .iter()
            .map(|t| text_width(&t.label, s))
            .max()
            .unwrap_or(0);
        let left = pad / 2 + line + 3 * s + vlabel_w + 2 * s + tick;
        let pw = w - left - right;
        if pw < 16 {
            bail!(
                "the image is too small for the axes: {width}x{height} pixels leave {pw} columns for the data"
            );
        }
        let hticks = ticks(&frame.h, pw, s, true);
        let layout = Layout {
            width: w,
            height: h,
            s,
            px: left,
            py: top,
            pw,
            ph,
            cx: left + pw + 10 * s,
            cw,
            vticks,
            hticks,
        };
        let bins = Binner::new(
            (frame.v.n, frame.h.n),
            (frame.v.n.min(ph as usize), frame.h.n.min(pw as usize)),
        );
        Ok(Plot {
            frame,
            layout,
            bins,
        })
    }

    /// The next rows (vertical × horizontal).
    fn feed(&mut self, block: ArrayView2<f32>) {
        self.bins.feed(block);
    }

    fn finish(self, path: &Path, title: &str, clip_percentile: f64) -> Result<()> {
        let Plot {
            frame,
            layout: l,
            bins,
        } = self;
        if bins.next_row != frame.v.n {
            bail!(
                "internal error: {} of {} rows were binned",
                bins.next_row,
                frame.v.n
            );
        }
        let clip = bins.clip(clip_percentile);
        let subtitle = format!(
            "{} x {} samples ({} x {}), colours clipped at +/-{} ({}th percentile of |value|)",
            frame.v.n,
            frame.h.n,
            frame.v.dim,
            frame.h.dim,
            short_number(clip.value as f64),
            short_number(clip_percentile),
        ) + if clip.note.is_empty() { "" } else { "; " }
            + clip.note;

        let root = BitMapBackend::new(path, (l.width as u32, l.height as u32)).into_drawing_area();
        let draw = || -> Result<(), DrawingAreaErrorKind<_>> {
            root.fill(&WHITE)?;
            let mut c = Canvas { area: &root };
            // the data, one bin per pixel or more
            let mut buf = vec![0u8; (l.pw * l.ph * 3) as usize];
            let (br, bc) = (bins.out_rows, bins.out_cols);
            let colx: Vec<usize> = (0..l.pw as usize).map(|x| x * bc / l.pw as usize).collect();
            for y in 0..l.ph as usize {
                let r = y * br / l.ph as usize;
                let row = &bins.vals[r * bc..(r + 1) * bc];
                let dst = &mut buf[y * l.pw as usize * 3..(y + 1) * l.pw as usize * 3];
                for (x, px) in dst.chunks_exact_mut(3).enumerate() {
                    px.copy_from_slice(&colour(row[colx[x]], clip.value));
                }
            }
            blit(&root, (l.px, l.py), (l.pw, l.ph), buf)?;
            // the colour bar, +clip at the top
            let mut bar = vec![0u8; (l.cw * l.ph * 3) as usize];
            for y in 0..l.ph {
                let t = 1.0 - 2.0 * (y as f32 + 0.5) / l.ph as f32;
                let rgb = colour(t, 1.0);
                for x in 0..l.cw {
                    let i = ((y * l.cw + x) * 3) as usize;
                    bar[i..i + 3].copy_from_slice(&rgb);
                }
            }
            blit(&root, (l.cx, l.py), (l.cw, l.ph), bar)?;
            // frames
            c.frame(l.px - 1, l.py - 1, l.px + l.pw, l.py + l.ph)?;
            c.frame(l.cx - 1, l.py - 1, l.cx + l.cw, l.py + l.ph)?;
            let s = l.s;
            let tick = 4 * s;
            let line = 10 * s;
            // vertical axis: ticks and labels on the left, title rotated
            for t in &l.vticks {
                let y = l.py + t.at;
                c.rect(l.px - 1 - tick, y, l.px - 2, y + s / 2, &BLACK)?;
                c.text(
                    l.px - 1 - tick - 2 * s,
                    y,
                    &t.label,
                    s,
                    Align::Right,
                    &BLACK,
                )?;
            }
            let vlabel = fit(&frame.v.label(), l.ph, s);
            c.vtext(4 * s + line / 2, l.py + l.ph / 2, &vlabel, s, &BLACK)?;
            // horizontal axis: ticks and labels below
            let yb = l.py + l.ph;
            for t in &l.hticks {
                let x = l.px + t.at;
                c.rect(x, yb + 1, x + s / 2, yb + tick, &BLACK)?;
                c.text_top(x, yb + tick + 2 * s, &t.label, s, Align::Center, &BLACK)?;
            }
            let hlabel = fit(&frame.h.label(), l.pw, s);
            c.text_top(
                l.px + l.pw / 2,
                yb + tick + 2 * s + line + 3 * s,
                &hlabel,
                s,
                Align::Center,
                &BLACK,
            )?;
            // colour bar ticks
            for k in 0..5 {
                let frac = k as f64 / 4.0;
                let v = clip.value as f64 * (1.0 - 2.0 * frac);
                let y = l.py + (frac * (l.ph - 1) as f64).round() as i32;
                let x = l.cx + l.cw;
                c.rect(x + 1, y, x + 3 * s, y + s / 2, &BLACK)?;
                c.text(
                    x + 3 * s + 3 * s,
                    y,
                    &short_number(v),
                    s,
                    Align::Left,
                    &BLACK,
                )?;
            }
            let cbar_label = fit(&frame.value_label, l.ph, s);
            let xlab = l.cx + l.cw + 6 * s + text_width("-8.88e-88", s) + 4 * s + line / 2;
            c.vtext(xlab, l.py + l.ph / 2, &cbar_label, s, &BLACK)?;
            // title and subtitle
            let pad = 8 * s;
            c.text_top(
                l.width / 2,
                pad,
                &fit_end(title, l.width - 2 * pad, s),
                s,
                Align::Center,
                &BLACK,
            )?;
            let grey = RGBColor(80, 80, 80);
            let ss = if text_width(&subtitle, s) <= l.width - 2 * pad {
                s
            } else {
                (s - 1).max(1)
            };
            c.text_top(
                l.width / 2,
                pad + line + s,
                &fit(&subtitle, l.width - 2 * pad, ss),
                ss,
                Align::Center,
                &grey,
            )?;
            root.present()
        };
        draw()
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

fn blit<'a>(
    root: &DrawingArea<BitMapBackend<'a>, Shift>,
    pos: (i32, i32),
    (w, h): (i32, i32),
    buf: Vec<u8>,
) -> Result<(), DrawingAreaErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>> {
    match BitMapElement::with_owned_buffer(pos, (w as u32, h as u32), buf) {
        Some(e) => root.draw(&e),
        None => Ok(()),
    }
}

/// `text` shortened with "..." to fit `width` pixels at scale `s`.
fn fit(text: &str, width: i32, s: i32) -> String {
    let max = (width / (6 * s)).max(0) as usize;
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(3);
    chars[..keep].iter().collect::<String>() + "..."
}

/// `text` shortened from the start with "..." to fit `width` pixels at scale `s`.
fn fit_end(text: &str, width: i32, s: i32) -> String {
    let max = (width / (6 * s)).max(0) as usize;
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(3);
    "...".to_string() + &chars[chars.len() - keep..].iter().collect::<String>()
}

/// Up to 3 significant digits, compact.
fn short_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() {
            "0".into()
        } else {
            v.to_string()
        };
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        let s = format!("{v:.2e}");
        // 1.50e-6 -> 1.5e-6
        match s.split_once('e') {
            Some((m, e)) => {
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.')
                } else {
                    m
                };
                format!("{m}e{e}")
            }
            None => s,
        }
    }
}

// ---------------------------------------------------------------------------------
// binning and clipping

/// Samples reduced to at most one value per output pixel: the value of largest
/// magnitude in each bin, with its sign (NaN where a bin has no finite sample). Also
/// keeps an evenly strided sample of `|value|` to estimate the clipping percentile.
struct Binner {
    n_rows: usize,
    n_cols: usize,
    out_rows: usize,
    out_cols: usize,
    col_bin: Vec<usize>,
    vals: Vec<f32>,
    stride: usize,
    samples: Vec<f32>,
    next_row: usize,
}

struct Clip {
    value: f32,
    note: &'static str,
}

impl Binner {
    fn new((n_rows, n_cols): (usize, usize), (out_rows, out_cols): (usize, usize)) -> Binner {
        let total = n_rows.saturating_mul(n_cols);
        Binner {
            n_rows,
            n_cols,
            out_rows,
            out_cols,
            col_bin: (0..n_cols).map(|j| j * out_cols / n_cols).collect(),
            vals: vec![f32::NAN; out_rows * out_cols],
            stride: coprime_stride(total.div_ceil(MAX_PERCENTILE_SAMPLES).max(1), n_cols),
            samples: Vec::with_capacity(total.min(MAX_PERCENTILE_SAMPLES)),
            next_row: 0,
        }
    }

    fn feed(&mut self, block: ArrayView2<f32>) {
        debug_assert_eq!(block.ncols(), self.n_cols);
        for row in block.rows() {
            let r = self.next_row;
            if r >= self.n_rows {
                break;
            }
            let rb = r * self.out_rows / self.n_rows;
            let dst = &mut self.vals[rb * self.out_cols..(rb + 1) * self.out_cols];
            for (&v, &c) in row.iter().zip(&self.col_bin) {
                if v.is_finite() {
                    let cur = &mut dst[c];
                    if cur.is_nan() || v.abs() > cur.abs() {
                        *cur = v;
                    }
                }
            }
            // the samples at flat indices that are multiples of the stride
            let base = r * self.n_cols;
            let mut j = (self.stride - base % self.stride) % self.stride;
            while j < self.n_cols {
                let v = row[j];
                if v.is_finite() {
                    self.samples.push(v.abs());
                }
                j += self.stride;
            }
            self.next_row += 1;
        }
    }

    /// The clipping value: the percentile of |value|, falling back to the largest
    /// |value| and then to 1 so that nothing divides by zero.
    fn clip(&self, percentile: f64) -> Clip {
        let mut samples = self.samples.clone();
        let p = percentile_of(&mut samples, percentile).unwrap_or(0.0);
        if p > 0.0 && p.is_finite() {
            return Clip { value: p, note: "" };
        }
        let max = self
            .vals
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f32, |m, v| m.max(v.abs()));
        if max > 0.0 && max.is_finite() {
            Clip {
                value: max,
                note: "percentile is 0, clipped at max |value|",
            }
        } else if self.vals.iter().any(|v| v.is_finite()) {
            Clip {
                value: 1.0,
                note: "all values are 0",
            }
        } else {
            Clip {
                value: 1.0,
                note: "no finite values",
            }
        }
    }
}

/// The smallest stride `>= s` without a common factor with the row length, so that the
/// strided samples visit every column rather than the same few.
fn coprime_stride(s: usize, n_cols: usize) -> usize {
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let mut s = s;
    while s > 1 && gcd(s, n_cols) != 1 {
        s += 1;
    }
    s
}

/// The `p`-th percentile (linear interpolation, as numpy's default) of `v`.
fn percentile_of(v: &mut [f32], p: f64) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    let n = v.len();
    let rank = (p / 100.0).clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = rank.floor() as usize;
    let frac = (rank - lo as f64) as f32;
    let (_, a, rest) = v.select_nth_unstable_by(lo, |x, y| x.total_cmp(y));
    let a = *a;
    if frac == 0.0 || rest.is_empty() {
        return Some(a);
    }
    let b = rest.iter().copied().fold(f32::INFINITY, f32::min);
    Some(a + (b - a) * frac)
}

/// Blue–white–red (ColorBrewer RdBu, reversed), `v / clip` clipped to [-1, 1]; NaN is
/// light grey.
fn colour(v: f32, clip: f32) -> [u8; 3] {
    const MAP: [[f32; 3]; 11] = [
        [5.0, 48.0, 97.0],
        [33.0, 102.0, 172.0],
        [67.0, 147.0, 195.0],
        [146.0, 197.0, 222.0],
        [209.0, 229.0, 240.0],
        [247.0, 247.0, 247.0],
        [253.0, 219.0, 199.0],
        [244.0, 165.0, 130.0],
        [214.0, 96.0, 77.0],
        [178.0, 24.0, 43.0],
        [103.0, 0.0, 31.0],
    ];
    if !v.is_finite() {
        return [200, 200, 200];
    }
    let t = (v / clip).clamp(-1.0, 1.0);
    let u = (t + 1.0) * 5.0; // 0..=10
    let i = (u.floor() as usize).min(9);
    let f = u - i as f32;
    let mut out = [0u8; 3];
    for k in 0..3 {
        out[k] = (MAP[i][k] + (MAP[i + 1][k] - MAP[i][k]) * f).round() as u8;
    }
    out
}

// ---------------------------------------------------------------------------------
// ticks

/// Tick marks along an axis of `len` pixels; `horizontal` labels must not overlap
/// side by side, vertical ones are spaced by a few text lines.
fn ticks(axis: &AxisInfo, len: i32, s: i32, horizontal: bool) -> Vec<Tick> {
    let n = axis.n;
    let pos = |i: usize| ((i as f64 + 0.5) * len as f64 / n as f64).floor() as i32;
    let max_ticks = if horizontal {
        10
    } else {
        ((len / (40 * s)) as usize).clamp(2, 12)
    };
    let fits = |labels: &[String]| {
        if !horizontal {
            return true;
        }
        let w: i32 = labels.iter().map(|l| text_width(l, s) + 6 * 3 * s).sum();
        w <= len
    };
    let first = axis.coord.value(0).ok();
    let last = axis.coord.value(n - 1).ok();
    let nice = match (first, last) {
        (Some(Scalar::Datetime(a)), Some(Scalar::Datetime(b))) if a != b => time_ticks(
            axis,
            a.ns().min(b.ns()),
            a.ns().max(b.ns()),
            max_ticks,
            &fits,
        ),
        (Some(a), Some(b)) => match (as_f64(&a), as_f64(&b)) {
            (Some(a), Some(b)) if a != b => {
                number_ticks(axis, a.min(b), a.max(b), max_ticks, &fits)
            }
            _ => None,
        },
        _ => None,
    };
    let picked = nice.unwrap_or_else(|| {
        // not a monotonic, numeric or datetime axis: evenly spaced samples
        let k = max_ticks.min(n).max(1);
        let mut out: Vec<(usize, String)> = Vec::new();
        for t in 0..k {
            let i = if k == 1 { 0 } else { t * (n - 1) / (k - 1) };
            let label = match axis.coord.value(i) {
                Ok(Scalar::Datetime(d)) => hms(d.ns(), 1_000_000),
                Ok(Scalar::F64(v)) => short_number(v),
                Ok(Scalar::Str(v)) => v,
                Ok(v) => v.to_string(),
                Err(_) => i.to_string(),
            };
            out.push((i, label));
        }
        // thin out until horizontal labels fit
        let mut step = 1;
        loop {
            let kept: Vec<(usize, String)> = out.iter().step_by(step).cloned().collect();
            let labels: Vec<String> = kept.iter().map(|(_, l)| l.clone()).collect();
            if fits(&labels) || kept.len() <= 1 {
                break kept;
            }
            step += 1;
        }
    });
    picked
        .into_iter()
        .map(|(i, label)| Tick { at: pos(i), label })
        .collect()
}

fn as_f64(v: &Scalar) -> Option<f64> {
    match v {
        Scalar::F64(x) => Some(*x),
        Scalar::I64(x) => Some(*x as f64),
        _ => None,
    }
}

/// Round numbers between `lo` and `hi`, placed at their nearest samples.
fn number_ticks(
    axis: &AxisInfo,
    lo: f64,
    hi: f64,
    max_ticks: usize,
    fits: &dyn Fn(&[String]) -> bool,
) -> Option<Vec<(usize, String)>> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return None;
    }
    let e0 = (span / max_ticks as f64).log10().floor() as i32 - 1;
    for e in e0..e0 + 12 {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(e);
            let count = ((hi / step).floor() - (lo / step).ceil()) as i64 + 1;
            if count < 1 || count as usize > max_ticks {
                continue;
            }
            let decimals = (-(step.log10() - 1e-9).floor()).clamp(0.0, 9.0) as usize;
            let k0 = (lo / step).ceil() as i64;
            let mut out = Vec::new();
            for k in k0..k0 + count {
                let v = k as f64 * step;
                let i = place(axis, &Scalar::F64(v), |x| match x {
                    Scalar::F64(x) => (x - v).abs() <= step / 4.0,
                    Scalar::I64(x) => (*x as f64 - v).abs() <= step / 4.0,
                    _ => false,
                })?;
                if let Some(i) = i {
                    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
                    out.push((i, format!("{v:.decimals$}")));
                }
            }
            let labels: Vec<String> = out.iter().map(|(_, l)| l.clone()).collect();
            if fits(&labels) {
                return Some(out);
            }
        }
    }
    None
}

/// Round times between `lo` and `hi` (ns), labelled HH:MM:SS.fff.
fn time_ticks(
    axis: &AxisInfo,
    lo: i64,
    hi: i64,
    max_ticks: usize,
    fits: &dyn Fn(&[String]) -> bool,
) -> Option<Vec<(usize, String)>> {
    const US: i64 = 1_000;
    const MS: i64 = 1_000_000;
    const S: i64 = 1_000_000_000;
    const MIN: i64 = 60 * S;
    const H: i64 = 60 * MIN;
    const D: i64 = 24 * H;
    let mut steps: Vec<i64> = vec![
        US,
        2 * US,
        5 * US,
        10 * US,
        20 * US,
        50 * US,
        100 * US,
        200 * US,
        500 * US,
        MS,
        2 * MS,
        5 * MS,
        10 * MS,
        20 * MS,
        50 * MS,
        100 * MS,
        200 * MS,
        500 * MS,
        S,
        2 * S,
        5 * S,
        10 * S,
        15 * S,
        30 * S,
        MIN,
        2 * MIN,
        5 * MIN,
        10 * MIN,
        15 * MIN,
        30 * MIN,
        H,
        2 * H,
        3 * H,
        6 * H,
        12 * H,
        D,
        2 * D,
        5 * D,
        10 * D,
        20 * D,
        50 * D,
        100 * D,
        200 * D,
        500 * D,
        1000 * D,
        2000 * D,
        5000 * D,
        10000 * D,
    ];
    steps.retain(|&st| (hi - lo) / st < 1000);
    for step in steps {
        let k0 = lo.div_euclid(step) + i64::from(lo.rem_euclid(step) != 0);
        let k1 = hi.div_euclid(step);
        let count = k1 - k0 + 1;
        if count < 1 || count as usize > max_ticks {
            continue;
        }
        let unit = if step < MS { US } else { MS };
        let mut out = Vec::new();
        for k in k0..=k1 {
            let t = k * step;
            let i = place(axis, &Scalar::Datetime(Datetime::from_ns(t)), |x| match x {
                Scalar::Datetime(d) => (d.ns() - t).abs() <= step / 4,
                _ => false,
            })?;
            if let Some(i) = i {
                out.push((i, hms(t, unit)));
            }
        }
        let labels: Vec<String> = out.iter().map(|(_, l)| l.clone()).collect();
        if fits(&labels) {
            return Some(out);
        }
    }
    None
}

/// The sample nearest `label`: `Some(None)` when that sample is too far (`close` fails:
/// the label falls in a gap), `None` when the coordinate cannot be searched.
fn place(
    axis: &AxisInfo,
    label: &Scalar,
    close: impl Fn(&Scalar) -> bool,
) -> Option<Option<usize>> {
    let i = axis.coord.index_of(label, Method::Nearest).ok()?;
    let v = axis.coord.value(i).ok()?;
    Some(close(&v).then_some(i))
}

/// `HH:MM:SS.fff` (or `.ffffff` when `unit` is a microsecond) of a time in ns (UTC).
fn hms(ns: i64, unit: i64) -> String {
    let day = ns.rem_euclid(86_400_000_000_000);
    let (h, rest) = (day / 3_600_000_000_000, day % 3_600_000_000_000);
    let (m, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let (sec, sub) = (rest / 1_000_000_000, rest % 1_000_000_000);
    if unit < 1_000_000 {
        format!("{h:02}:{m:02}:{sec:02}.{:06}", sub / 1_000)
    } else {
        format!("{h:02}:{m:02}:{sec:02}.{:03}", sub / 1_000_000)
    }
}

// ---------------------------------------------------------------------------------
// text: a 5×7 bitmap font (columns, least significant bit at the top; bit 7 holds
// descenders), printable ASCII from ' ' to '~'.

#[rustfmt::skip]
const FONT: [[u8; 5]; 95] = [
    [0x00, 0x00, 0x00, 0x00, 0x00], [0x00, 0x00, 0x5F, 0x00, 0x00], [0x00, 0x07, 0x00, 0x07, 0x00],
    [0x14, 0x7F, 0x14, 0x7F, 0x14], [0x24, 0x2A, 0x7F, 0x2A, 0x12], [0x23, 0x13, 0x08, 0x64, 0x62],
    [0x36, 0x49, 0x56, 0x20, 0x50], [0x00, 0x00, 0x07, 0x00, 0x00], [0x00, 0x1C, 0x22, 0x41, 0x00],
    [0x00, 0x41, 0x22, 0x1C, 0x00], [0x2A, 0x1C, 0x7F, 0x1C, 0x2A], [0x08, 0x08, 0x3E, 0x08, 0x08],
    [0x00, 0x80, 0x70, 0x30, 0x00], [0x08, 0x08, 0x08, 0x08, 0x08], [0x00, 0x00, 0x60, 0x60, 0x00],
    [0x20, 0x10, 0x08, 0x04, 0x02], [0x3E, 0x51, 0x49, 0x45, 0x3E], [0x00, 0x42, 0x7F, 0x40, 0x00],
    [0x72, 0x49, 0x49, 0x49, 0x46], [0x21, 0x41, 0x49, 0x4D, 0x33], [0x18, 0x14, 0x12, 0x7F, 0x10],
    [0x27, 0x45, 0x45, 0x45, 0x39], [0x3C, 0x4A, 0x49, 0x49, 0x31], [0x41, 0x21, 0x11, 0x09, 0x07],
    [0x36, 0x49, 0x49, 0x49, 0x36], [0x46, 0x49, 0x49, 0x29, 0x1E], [0x00, 0x00, 0x14, 0x00, 0x00],
    [0x00, 0x40, 0x34, 0x00, 0x00], [0x00, 0x08, 0x14, 0x22, 0x41], [0x14, 0x14, 0x14, 0x14, 0x14],
    [0x00, 0x41, 0x22, 0x14, 0x08], [0x02, 0x01, 0x59, 0x09, 0x06], [0x3E, 0x41, 0x5D, 0x59, 0x4E],
    [0x7C, 0x12, 0x11, 0x12, 0x7C], [0x7F, 0x49, 0x49, 0x49, 0x36], [0x3E, 0x41, 0x41, 0x41, 0x22],
    [0x7F, 0x41, 0x41, 0x41, 0x3E], [0x7F, 0x49, 0x49, 0x49, 0x41], [0x7F, 0x09, 0x09, 0x09, 0x01],
    [0x3E, 0x41, 0x41, 0x51, 0x73], [0x7F, 0x08, 0x08, 0x08, 0x7F], [0x00, 0x41, 0x7F, 0x41, 0x00],
    [0x20, 0x40, 0x41, 0x3F, 0x01], [0x7F, 0x08, 0x14, 0x22, 0x41], [0x7F, 0x40, 0x40, 0x40, 0x40],
    [0x7F, 0x02, 0x1C, 0x02, 0x7F], [0x7F, 0x04, 0x08, 0x10, 0x7F], [0x3E, 0x41, 0x41, 0x41, 0x3E],
    [0x7F, 0x09, 0x09, 0x09, 0x06], [0x3E, 0x41, 0x51, 0x21, 0x5E], [0x7F, 0x09, 0x19, 0x29, 0x46],
    [0x26, 0x49, 0x49, 0x49, 0x32], [0x03, 0x01, 0x7F, 0x01, 0x03], [0x3F, 0x40, 0x40, 0x40, 0x3F],
    [0x1F, 0x20, 0x40, 0x20, 0x1F], [0x3F, 0x40, 0x38, 0x40, 0x3F], [0x63, 0x14, 0x08, 0x14, 0x63],
    [0x03, 0x04, 0x78, 0x04, 0x03], [0x61, 0x59, 0x49, 0x4D, 0x43], [0x00, 0x7F, 0x41, 0x41, 0x41],
    [0x02, 0x04, 0x08, 0x10, 0x20], [0x00, 0x41, 0x41, 0x41, 0x7F], [0x04, 0x02, 0x01, 0x02, 0x04],
    [0x40, 0x40, 0x40, 0x40, 0x40], [0x00, 0x03, 0x07, 0x08, 0x00], [0x20, 0x54, 0x54, 0x78, 0x40],
    [0x7F, 0x28, 0x44, 0x44, 0x38], [0x38, 0x44, 0x44, 0x44, 0x28], [0x38, 0x44, 0x44, 0x28, 0x7F],
    [0x38, 0x54, 0x54, 0x54, 0x18], [0x00, 0x08, 0x7E, 0x09, 0x02], [0x18, 0xA4, 0xA4, 0x9C, 0x78],
    [0x7F, 0x08, 0x04, 0x04, 0x78], [0x00, 0x44, 0x7D, 0x40, 0x00], [0x20, 0x40, 0x40, 0x3D, 0x00],
    [0x7F, 0x10, 0x28, 0x44, 0x00], [0x00, 0x41, 0x7F, 0x40, 0x00], [0x7C, 0x04, 0x78, 0x04, 0x78],
    [0x7C, 0x08, 0x04, 0x04, 0x78], [0x38, 0x44, 0x44, 0x44, 0x38], [0xFC, 0x18, 0x24, 0x24, 0x18],
    [0x18, 0x24, 0x24, 0x18, 0xFC], [0x7C, 0x08, 0x04, 0x04, 0x08], [0x48, 0x54, 0x54, 0x54, 0x24],
    [0x04, 0x04, 0x3F, 0x44, 0x24], [0x3C, 0x40, 0x40, 0x20, 0x7C], [0x1C, 0x20, 0x40, 0x20, 0x1C],
    [0x3C, 0x40, 0x30, 0x40, 0x3C], [0x44, 0x28, 0x10, 0x28, 0x44], [0x4C, 0x90, 0x90, 0x90, 0x7C],
    [0x44, 0x64, 0x54, 0x4C, 0x44], [0x00, 0x08, 0x36, 0x41, 0x00], [0x00, 0x00, 0x7F, 0x00, 0x00],
    [0x00, 0x41, 0x36, 0x08, 0x00], [0x02, 0x01, 0x02, 0x04, 0x02],
];

fn glyph(c: char) -> &'static [u8; 5] {
    let i = c as u32;
    if (0x20..0x7F).contains(&i) {
        &FONT[(i - 0x20) as usize]
    } else {
        &FONT[('?' as u32 - 0x20) as usize]
    }
}

/// Width in pixels of `text` at scale `s` (6 font pixels a character, the last
/// column of spacing dropped).
fn text_width(text: &str, s: i32) -> i32 {
    let n = text.chars().count() as i32;
    if n == 0 { 0 } else { (6 * n - 1) * s }
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

type DrawResult<'a> =
    Result<(), DrawingAreaErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>>;

struct Canvas<'r, 'a> {
    area: &'r DrawingArea<BitMapBackend<'a>, Shift>,
}

impl<'a> Canvas<'_, 'a> {
    /// A filled rectangle, corners included.
    fn rect(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, color: &RGBColor) -> DrawResult<'a> {
        for y in y0.min(y1)..=y0.max(y1) {
            for x in x0.min(x1)..=x0.max(x1) {
                self.area.draw_pixel((x, y), color)?;
            }
        }
        Ok(())
    }

    /// A one-pixel outline, corners included.
    fn frame(&mut self, x0: i32, y0: i32, x1: i32, y1: i32) -> DrawResult<'a> {
        self.rect(x0, y0, x1, y0, &BLACK)?;
        self.rect(x0, y1, x1, y1, &BLACK)?;
        self.rect(x0, y0, x0, y1, &BLACK)?;
        self.rect(x1, y0, x1, y1, &BLACK)
    }

    /// Text whose vertical middle is at `y`.
    fn text(
        &mut self,
        x: i32,
        y: i32,
        text: &str,
        s: i32,
        align: Align,
        color: &RGBColor,
    ) -> DrawResult<'a> {
        self.text_top(x, y - 7 * s / 2, text, s, align, color)
    }

    /// Text whose cap line is at `y`, anchored at `x` by `align`.
    fn text_top(
        &mut self,
        x: i32,
        y: i32,
        text: &str,
        s: i32,
        align: Align,
        color: &RGBColor,
    ) -> DrawResult<'a> {
        let w = text_width(text, s);
        let x0 = match align {
            Align::Left => x,
            Align::Center => x - w / 2,
            Align::Right => x - w,
        };
        let (width, _) = self.area.dim_in_pixel();
        let x0 = x0.min(width as i32 - w).max(0);
        self.glyphs(text, s, color, |gx, gy| (x0 + gx, y + gy))
    }

    /// Text rotated a quarter turn anticlockwise (read bottom to top), centred on
    /// (`cx`, `cy`).
    fn vtext(&mut self, cx: i32, cy: i32, text: &str, s: i32, color: &RGBColor) -> DrawResult<'a> {
        let w = text_width(text, s);
        let (x0, y0) = (cx - 7 * s / 2, cy + w / 2);
        self.glyphs(text, s, color, |gx, gy| (x0 + gy, y0 - gx))
    }

    /// Every lit font pixel of `text` as an `s`×`s` block at `to(x, y)` (text
    /// coordinates: x along the line, y downwards from the cap line).
    fn glyphs(
        &mut self,
        text: &str,
        s: i32,
        color: &RGBColor,
        to: impl Fn(i32, i32) -> (i32, i32),
    ) -> DrawResult<'a> {
        for (k, ch) in text.chars().enumerate() {
            for (col, bits) in glyph(ch).iter().enumerate() {
                for row in 0..8 {
                    if bits >> row & 1 == 1 {
                        for dy in 0..s {
                            for dx in 0..s {
                                let gx = (k as i32 * 6 + col as i32) * s + dx;
                                let gy = row * s + dy;
                                self.area.draw_pixel(to(gx, gy), color)?;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn reading_in_chunks_draws_the_same_image() {
        let dir = std::env::temp_dir().join(format!("xdas-plot-chunks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let t0: Datetime = "2024-03-01T00:00:00".parse().unwrap();
        let dt = xdas_core::Timedelta::from_ns(2_000_000);
        for (dims, shape) in [
            (["time", "distance"], [3000, 40]),
            (["distance", "time"], [40, 3000]),
        ] {
            let data = ndarray::ArrayD::from_shape_fn(shape.to_vec(), |ix| {
                ((ix[0] * 7 + ix[1] * 3) % 101) as f32 - 50.0
            });
            let nt = if dims[0] == "time" {
                shape[0]
            } else {
                shape[1]
            };
            let da = DataArray::new(
                data,
                &dims,
                vec![
                    ("time", Coordinate::from_block_time(t0, nt, dt, "time")),
                    ("distance", Coordinate::from_block(0.0, 40, 1.0, "distance")),
                ],
            )
            .unwrap();
            let input = dir.join(format!("{}.nc", dims[0]));
            xdas_io::native::write(&da, &input, &Default::default()).unwrap();
            let mut images = Vec::new();
            for chunk in [usize::MAX, 1000, 1] {
                let args = PlotArgs {
                    path: input.to_string_lossy().into_owned(),
                    output: dir.join(format!("{}-{chunk}.png", dims[0])),
                    dim: "time".into(),
                    start: None,
                    end: None,
                    width: 400,
                    height: 300,
                    clip: 99.0,
                };
                run_chunked(&args, chunk).unwrap();
                images.push(std::fs::read(&args.output).unwrap());
            }
            assert_eq!(images[0], images[1]);
            assert_eq!(images[0], images[2]);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn percentile_matches_numpy_linear() {
        let mut v: Vec<f32> = (0..=100).map(|i| i as f32).collect();
        v.reverse();
        assert_eq!(percentile_of(&mut v.clone(), 99.0), Some(99.0));
        assert_eq!(percentile_of(&mut v.clone(), 100.0), Some(100.0));
        let mut w = vec![1.0f32, 2.0, 3.0, 4.0];
        // numpy.percentile([1, 2, 3, 4], 50) == 2.5
        assert_eq!(percentile_of(&mut w, 50.0), Some(2.5));
        assert_eq!(percentile_of(&mut [], 99.0), None);
    }

    #[test]
    fn binning_keeps_the_largest_magnitude_with_its_sign() {
        let mut a = Array2::<f32>::zeros((1000, 50));
        a[[123, 7]] = -3.0;
        a[[124, 7]] = 2.0;
        a[[500, 40]] = f32::NAN;
        let mut b = Binner::new((1000, 50), (100, 10));
        b.feed(a.slice(ndarray::s![..600, ..]));
        b.feed(a.slice(ndarray::s![600.., ..]));
        assert_eq!(b.next_row, 1000);
        assert_eq!(b.vals[12 * 10 + 1], -3.0);
        assert_eq!(b.vals.iter().filter(|v| **v != 0.0).count(), 1);
        // fewer samples than pixels: one bin per sample
        let mut b = Binner::new((3, 2), (3, 2));
        b.feed(
            Array2::from_shape_vec((3, 2), vec![1.0, -2.0, 3.0, 4.0, 5.0, 6.0])
                .unwrap()
                .view(),
        );
        assert_eq!(b.vals, vec![1.0, -2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn the_percentile_sample_visits_every_column() {
        // 4096 x 1024 samples, stride 2 would alias onto even columns only
        let (nr, nc) = (4096, 1024);
        let mut a = Array2::<f32>::zeros((nr, nc));
        for i in 0..nr {
            for j in (1..nc).step_by(2) {
                a[[i, j]] = 1.0;
            }
        }
        let mut b = Binner::new((nr, nc), (100, 100));
        assert!(b.stride > 1 && b.stride % 2 == 1, "stride {}", b.stride);
        b.feed(a.view());
        let ones = b.samples.iter().filter(|v| **v == 1.0).count() as f64;
        let frac = ones / b.samples.len() as f64;
        assert!((frac - 0.5).abs() < 0.01, "{frac}");
        assert!(b.samples.len() <= MAX_PERCENTILE_SAMPLES);
    }

    #[test]
    fn clipping_never_divides_by_zero() {
        let mut b = Binner::new((4, 4), (4, 4));
        b.feed(Array2::<f32>::zeros((4, 4)).view());
        let c = b.clip(99.0);
        assert_eq!(c.value, 1.0);
        assert_eq!(colour(0.0, c.value), [247, 247, 247]);
        assert_eq!(colour(f32::NAN, 1.0), [200, 200, 200]);
        assert_eq!(colour(-10.0, 1.0), [5, 48, 97]);
        assert_eq!(colour(10.0, 1.0), [103, 0, 31]);
    }

    #[test]
    fn labels() {
        let t: Datetime = "2024-05-21T13:04:05.678".parse().unwrap();
        assert_eq!(hms(t.ns(), 1_000_000), "13:04:05.678");
        assert_eq!(hms(t.ns() + 1_500, 1_000), "13:04:05.678001");
        assert_eq!(short_number(0.0), "0");
        assert_eq!(short_number(0.5), "0.5");
        assert_eq!(short_number(-123.456), "-123");
        assert_eq!(short_number(1.5e-6), "1.5e-6");
        assert_eq!(short_number(2.0e7), "2e7");
        assert_eq!(fit("abcdefghij", 6 * 6, 1), "abc...");
        assert_eq!(fit_end("abcdefghij", 6 * 6, 1), "...hij");
        assert_eq!(text_width("ab", 2), 22);
    }

    #[test]
    fn ticks_are_round_and_skip_gaps() {
        // 0..=99 m every 1 m, 200 pixels
        let axis = AxisInfo::new(
            "distance",
            100,
            Some(&Coordinate::from_block(0.0, 100, 1.0, "distance")),
        );
        let t = ticks(&axis, 200, 1, true);
        let labels: Vec<&str> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "20", "40", "60", "80"]);
        assert_eq!(t[1].at, 41);
        // a time axis with a gap: no tick inside it
        let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
        let dt = xdas_core::Timedelta::from_ns(10_000_000);
        let a = Coordinate::from_block_time(t0, 100, dt, "time");
        let b = Coordinate::from_block_time(
            Datetime::from_ns(t0.ns() + 5_000_000_000),
            100,
            dt,
            "time",
        );
        let c = Coordinate::concat(&[&a, &b]).unwrap();
        let axis = AxisInfo::new("time", 200, Some(&c));
        let t = ticks(&axis, 600, 1, false);
        let labels: Vec<&str> = t.iter().map(|t| t.label.as_str()).collect();
        assert!(labels.contains(&"00:00:00.000"), "{labels:?}");
        assert!(labels.contains(&"00:00:05.000"), "{labels:?}");
        assert!(
            !labels
                .iter()
                .any(|l| l.starts_with("00:00:02") || l.starts_with("00:00:03")),
            "{labels:?}"
        );
        // no coordinate: sample indices
        let axis = AxisInfo::new("channel", 7, None);
        assert_eq!(axis.label(), "channel (sample)");
        assert!(!ticks(&axis, 100, 1, true).is_empty());
    }
}
