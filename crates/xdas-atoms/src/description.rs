//! Pipeline descriptions: a pipeline as TOML or JSON, built without Rust code.
//!
//! A description is a list of steps, each a table with `op` — the xdas name: atoms in
//! CamelCase as in `xdas.atoms`, functions in snake_case as in `xdas.signal` / numpy —
//! and the parameters under xdas's names. Steps run in order ([`crate::Sequential`]).
//! Unknown ops, unknown or missing parameters and wrong types are errors naming the
//! step (1-based; `2.1` = first sub-step of step 2) and the key.
//!
//! ```toml
//! # the seed pipeline: FIR decimation along distance, a high-pass along time, power
//! [[step]]
//! op = "decimate"
//! q = 2
//! ftype = "fir"
//! dim = "distance"
//!
//! [[step]]
//! op = "IIRFilter"
//! order = 4
//! cutoff = 1.5
//! btype = "highpass"
//! dim = "time"
//!
//! [[step]]
//! op = "square"
//! ```
//!
//! Every stateful atom also takes `on_discontinuity = "reset"` (default) or `"raise"`:
//! what a gap or a change of sampling rate between chunks does.
//!
//! # Atoms (state carried between chunks along `dim`)
//!
//! | op | parameters (defaults) | example |
//! |---|---|---|
//! | `LFilter` | `b`, `a`, `dim="last"` | `{op="LFilter", b=[0.5, 0.5], a=[1.0], dim="time"}` |
//! | `SOSFilter` | `sos` (rows of 6), `dim="last"` | `{op="SOSFilter", sos=[[1.0, 0.0, 0.0, 1.0, -0.5, 0.0]], dim="time"}` |
//! | `IIRFilter` | `order`, `cutoff` (Hz, one or two), `btype="bandpass"`, `ftype="butter"`, `stype="sos"`, `rp`, `rs`, `dim="last"` | `{op="IIRFilter", order=4, cutoff=1.5, btype="highpass", dim="time"}` |
//! | `FIRFilter` | `numtaps`, `cutoff`, `btype="bandpass"`, `window="hamming"`, `width`, `scale=true`, `up=1`, `down=1`, `dim="last"` | `{op="FIRFilter", numtaps=31, cutoff=10.0, btype="lowpass", dim="time"}` |
//! | `Filter` | `freq=[low, high]` (`"none"` opens an end), `ftype="iir"`, `order=4`, `transition`, `zerophase=false`, `dim="time"` | `{op="Filter", freq=[1.0, 10.0], dim="time"}` |
//! | `Polyphase` | `taps`, `up=1`, `down=1`, `compensate=false`, `dim="last"` | `{op="Polyphase", taps=[0.25, 0.5, 0.25], down=2, dim="time"}` |
//! | `DownSample` | `factor`, `dim="last"` | `{op="DownSample", factor=2, dim="time"}` |
//! | `UpSample` | `factor`, `scale=true`, `dim="last"` | `{op="UpSample", factor=3, dim="time"}` |
//! | `Resample` | one of `rate` / `interval` / `up`+`down`; `method="fir"`, `snap=false`, `maxup=10`, `maxdown`, `tolerance`, `window`, `numtaps`, `order`, `dim="time"` | `{op="Resample", rate=20.0, dim="time"}` |
//! | `ResamplePoly` | `target`, `maxfactor=100`, `window=["kaiser", 5.0]`, `dim="last"` | `{op="ResamplePoly", target=25.0, dim="time"}` |
//! | `Decimate` | `q`, `n`, `ftype="iir"`, `zero_phase=false` (iir) / `true` (fir), `dim="time"` | `{op="Decimate", q=4, ftype="fir", dim="time"}` |
//! | `Integrate` | `midpoints=false`, `dim="time"` | `{op="Integrate", dim="time"}` |
//! | `Differentiate` | `midpoints=false`, `dim="time"` | `{op="Differentiate", dim="time"}` |
//! | `STFT` | `wlen` (s), `hop` (s), `window="hann"`, `scaling="spectrum"`, `nfft`, `dim="time"` | `{op="STFT", wlen=1.0, dim="time"}` |
//! | `STALTA` | `sta`, `lta` (s), `method="recursive"`, `dim="time"` | `{op="STALTA", sta=0.1, lta=1.0, method="recursive", dim="time"}` |
//! | `Trigger` | `thresh`, `dim="time"` | `{op="Trigger", thresh=3.0, dim="time"}` |
//! | `Rechunk` | `chunks={dim=size}` | `{op="Rechunk", chunks={time=1000}}` |
//! | `Sequential` | `step` (a nested list of steps) | `{op="Sequential", step=[{op="square"}]}` |
//!
//! # Functions (whole record along `dim`; chunking along another dim only)
//!
//! | op | parameters (defaults) | example |
//! |---|---|---|
//! | `square`, `abs`, `sqrt`, `log10` | — | `{op="square"}` |
//! | `scale` / `add` | `factor` / `offset` | `{op="scale", factor=1e-3}` |
//! | `detrend` | `type="linear"`, `dim="last"` | `{op="detrend", type="constant", dim="time"}` |
//! | `taper` | `window="hann"`, `fftbins=false`, `dim="last"` | `{op="taper", window="tukey", dim="time"}` |
//! | `filter` | `freq`, `btype`, `corners=4`, `zerophase=false`, `dim="last"` | `{op="filter", freq=[1.0, 10.0], btype="bandpass", dim="time"}` |
//! | `hilbert` | `N`, `dim="last"` | `{op="hilbert", dim="time"}` |
//! | `lfilter` / `sosfilt` | `b`, `a` / `sos`, `dim="last"` | `{op="lfilter", b=[1.0], a=[1.0, -0.9], dim="time"}` |
//! | `filtfilt` / `sosfiltfilt` | `b`, `a` / `sos`, `padtype="odd"`, `padlen`, `dim="last"` | `{op="sosfiltfilt", sos=[[1.0, 0.0, 0.0, 1.0, -0.5, 0.0]], dim="time"}` |
//! | `decimate` | `q`, `n`, `ftype="iir"`, `zero_phase=true`, `dim="last"` | `{op="decimate", q=2, ftype="fir", dim="distance"}` |
//! | `resample_poly` | `up`, `down`, `window=["kaiser", 5.0]`, `padtype="constant"`, `cval`, `dim="last"` | `{op="resample_poly", up=2, down=5, dim="time"}` |
//! | `integrate` / `differentiate` | `midpoints=false`, `dim="last"` | `{op="differentiate", dim="distance"}` |
//! | `sliding_mean_removal` | `wlen`, `window="hann"`, `pad_mode="reflect"`, `dim="last"` | `{op="sliding_mean_removal", wlen=500.0, dim="distance"}` |
//! | `medfilt` | `kernel_dim={dim=odd size}` (samples) or `kernel={dim=length}` (coordinate units) | `{op="medfilt", kernel_dim={distance=5}}` |
//! | `segment_mean_removal` | `limits` (numbers or ISO datetimes), `window="hann"`, `dim="last"` | `{op="segment_mean_removal", limits=[0.0, 200.0, 390.0], dim="distance"}` |
//! | `rfft` / `fft` / `ifft` / `irfft` | `n`, `dim="last"`, `newdim`, `norm` | `{op="rfft", dim="time", newdim="frequency"}` |
//! | `stft` | `window="hann"`, `nperseg=256`, `noverlap`, `nfft`, `return_onesided=true`, `dim="last"`, `newdim="spectrum"`, `scaling="spectrum"` | `{op="stft", nperseg=64, dim="time"}` |
//!
//! ```
//! use xdas_atoms::{AtomExt, description};
//! let mut p = description::from_toml(r#"
//!     [[step]]
//!     op = "IIRFilter"
//!     order = 4
//!     cutoff = 5.0
//!     btype = "highpass"
//!     dim = "time"
//!     [[step]]
//!     op = "square"
//! "#).unwrap();
//! let da = xdas_synthetics::dummy::<f64>((100, 3)).to_dataarray();
//! assert_eq!(p.apply(da).unwrap().shape(), vec![100, 3]);
//! let err = description::from_toml("[[step]]\nop = \"LFilter\"\nb = [1.0]\n").err().unwrap();
//! assert_eq!(err.to_string(), "pipeline step 1 (LFilter): missing required parameter \"a\"");
//! ```

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use xdas_signal::window::Window;

use crate::atom::{Atom, OnDiscontinuity};
use crate::error::{AtomError, Result};
use crate::functions as f;
use crate::{
    Decimate, DownSample, FIRFilter, Filter, FirParams, IIRFilter, LFilter, Polyphase, Resample,
    ResampleParams, ResamplePoly, SOSFilter, Sequential, Target, UpSample,
};

/// Build a pipeline from TOML text (a list of `[[step]]` tables).
pub fn from_toml(text: &str) -> Result<Sequential> {
    let value: toml::Value = toml::from_str(text).map_err(|e| AtomError::Description {
        step: "-".into(),
        op: "-".into(),
        message: format!("not valid TOML: {e}"),
    })?;
    let json = serde_json::to_value(value).map_err(|e| AtomError::Description {
        step: "-".into(),
        op: "-".into(),
        message: e.to_string(),
    })?;
    from_value(&json)
}

/// Build a pipeline from JSON text: `{"step": [{"op": ...}, ...]}` or a bare list of
/// steps.
pub fn from_json(text: &str) -> Result<Sequential> {
    let json: Value = serde_json::from_str(text).map_err(|e| AtomError::Description {
        step: "-".into(),
        op: "-".into(),
        message: format!("not valid JSON: {e}"),
    })?;
    from_value(&json)
}

/// Build a pipeline from a file: `.json` is JSON, anything else TOML.
pub fn from_file(path: &std::path::Path) -> Result<Sequential> {
    let text = std::fs::read_to_string(path).map_err(|source| AtomError::Io {
        path: path.display().to_string(),
        source,
    })?;
    if path.extension().is_some_and(|e| e == "json") {
        from_json(&text)
    } else {
        from_toml(&text)
    }
}

/// Build a pipeline from a parsed description.
pub fn from_value(v: &Value) -> Result<Sequential> {
    let steps = match v {
        Value::Array(list) => list,
        Value::Object(map) => {
            if let Some(k) = map.keys().find(|k| *k != "step") {
                return Err(AtomError::Description {
                    step: "-".into(),
                    op: "-".into(),
                    message: format!("unknown top-level key {k:?} (expected [[step]] tables)"),
                });
            }
            match map.get("step") {
                Some(Value::Array(list)) => list,
                _ => {
                    return Err(AtomError::Description {
                        step: "-".into(),
                        op: "-".into(),
                        message: "a pipeline needs at least one [[step]]".into(),
                    });
                }
            }
        }
        _ => {
            return Err(AtomError::Description {
                step: "-".into(),
                op: "-".into(),
                message: "a pipeline is a list of steps".into(),
            });
        }
    };
    build_steps(steps, "")
}

fn build_steps(steps: &[Value], prefix: &str) -> Result<Sequential> {
    if steps.is_empty() {
        return Err(AtomError::Description {
            step: if prefix.is_empty() {
                "-".into()
            } else {
                prefix.trim_end_matches('.').into()
            },
            op: "-".into(),
            message: "a pipeline needs at least one step".into(),
        });
    }
    let mut atoms = Vec::with_capacity(steps.len());
    for (i, s) in steps.iter().enumerate() {
        let id = format!("{prefix}{}", i + 1);
        atoms.push(build_step(s, &id)?);
    }
    Ok(Sequential::new(atoms))
}

/// The parameters of one step, remembering which were used.
struct Params<'a> {
    id: &'a str,
    op: String,
    map: &'a Map<String, Value>,
    used: BTreeSet<&'static str>,
}

impl<'a> Params<'a> {
    fn err(&self, message: impl Into<String>) -> AtomError {
        AtomError::Description {
            step: self.id.to_string(),
            op: self.op.clone(),
            message: message.into(),
        }
    }

    fn raw(&mut self, key: &'static str) -> Option<&'a Value> {
        self.used.insert(key);
        self.map.get(key)
    }

    fn missing(&self, key: &str) -> AtomError {
        self.err(format!("missing required parameter {key:?}"))
    }

    fn wrong(&self, key: &str, want: &str, got: &Value) -> AtomError {
        self.err(format!("parameter {key:?} must be {want}, got {got}"))
    }

    fn opt_f64(&mut self, key: &'static str) -> Result<Option<f64>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.wrong(key, "a number", v)),
        }
    }

    fn f64(&mut self, key: &'static str) -> Result<f64> {
        self.opt_f64(key)?.ok_or_else(|| self.missing(key))
    }

    fn opt_usize(&mut self, key: &'static str) -> Result<Option<usize>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(|n| Some(n as usize))
                .ok_or_else(|| self.wrong(key, "a non-negative integer", v)),
        }
    }

    fn usize(&mut self, key: &'static str) -> Result<usize> {
        self.opt_usize(key)?.ok_or_else(|| self.missing(key))
    }

    fn usize_or(&mut self, key: &'static str, default: usize) -> Result<usize> {
        Ok(self.opt_usize(key)?.unwrap_or(default))
    }

    fn bool_or(&mut self, key: &'static str, default: bool) -> Result<bool> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| self.wrong(key, "true or false", v)),
        }
    }

    fn opt_str(&mut self, key: &'static str) -> Result<Option<&'a str>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| self.wrong(key, "a string", v)),
        }
    }

    fn str_or(&mut self, key: &'static str, default: &'a str) -> Result<&'a str> {
        Ok(self.opt_str(key)?.unwrap_or(default))
    }

    fn str(&mut self, key: &'static str) -> Result<&'a str> {
        self.opt_str(key)?.ok_or_else(|| self.missing(key))
    }

    fn f64s(&mut self, key: &'static str) -> Result<Vec<f64>> {
        let v = self.raw(key).ok_or_else(|| self.missing(key))?;
        let list = v
            .as_array()
            .ok_or_else(|| self.wrong(key, "a list of numbers", v))?;
        list.iter()
            .map(|x| {
                x.as_f64()
                    .ok_or_else(|| self.wrong(key, "a list of numbers", v))
            })
            .collect()
    }

    /// A number or a list of numbers.
    fn one_or_more(&mut self, key: &'static str) -> Result<Vec<f64>> {
        let v = self.raw(key).ok_or_else(|| self.missing(key))?;
        if let Some(x) = v.as_f64() {
            return Ok(vec![x]);
        }
        let list = v
            .as_array()
            .ok_or_else(|| self.wrong(key, "a number or a list of numbers", v))?;
        list.iter()
            .map(|x| {
                x.as_f64()
                    .ok_or_else(|| self.wrong(key, "a number or a list of numbers", v))
            })
            .collect()
    }

    fn sos(&mut self, key: &'static str) -> Result<Vec<[f64; 6]>> {
        let v = self.raw(key).ok_or_else(|| self.missing(key))?;
        let bad = || self.wrong(key, "a list of sections, each a list of 6 numbers", v);
        let rows = v.as_array().ok_or_else(bad)?;
        rows.iter()
            .map(|r| {
                let r = r.as_array().filter(|r| r.len() == 6).ok_or_else(bad)?;
                let mut out = [0.0; 6];
                for (o, x) in out.iter_mut().zip(r) {
                    *o = x.as_f64().ok_or_else(bad)?;
                }
                Ok(out)
            })
            .collect()
    }

    /// A window: `"hann"` or `["kaiser", 5.0]`.
    fn window(&mut self, key: &'static str) -> Result<Option<Window>> {
        let Some(v) = self.raw(key) else {
            return Ok(None);
        };
        let (name, param) = match v {
            Value::String(s) => (s.as_str(), None),
            Value::Array(a) if (1..=2).contains(&a.len()) && a[0].is_string() => {
                let p = match a.get(1) {
                    None => None,
                    Some(x) => Some(
                        x.as_f64()
                            .ok_or_else(|| self.wrong(key, "a window name or [name, number]", v))?,
                    ),
                };
                (a[0].as_str().expect("string"), p)
            }
            _ => return Err(self.wrong(key, "a window name or [name, number]", v)),
        };
        Window::parse(name, param)
            .map(Some)
            .map_err(|e| self.err(format!("parameter \"{key}\": {e}")))
    }

    /// The window as the function atoms take it.
    fn window_spec(&mut self, key: &'static str, default: f::WindowSpec) -> Result<f::WindowSpec> {
        let Some(v) = self.raw(key) else {
            return Ok(default);
        };
        match v {
            Value::String(s) => Ok(f::WindowSpec::from(s.as_str())),
            Value::Array(a) if a.len() == 2 && a[0].is_string() && a[1].is_number() => {
                Ok(f::WindowSpec::from((
                    a[0].as_str().expect("string"),
                    a[1].as_f64().expect("number"),
                )))
            }
            _ => Err(self.wrong(key, "a window name or [name, number]", v)),
        }
    }

    /// A `{dim = size}` table.
    fn dim_sizes(&mut self, key: &'static str) -> Result<Vec<(String, usize)>> {
        let v = self.raw(key).ok_or_else(|| self.missing(key))?;
        let bad = || self.wrong(key, "a table {dim = size}", v);
        let map = v.as_object().ok_or_else(bad)?;
        map.iter()
            .map(|(k, n)| Ok((k.clone(), n.as_u64().ok_or_else(bad)? as usize)))
            .collect()
    }

    /// Every key given must have been read.
    fn finish(&self) -> Result<()> {
        for k in self.map.keys() {
            if k != "op" && !self.used.contains(k.as_str()) {
                return Err(self.err(format!("unknown parameter {k:?}")));
            }
        }
        Ok(())
    }
}

fn build_step(v: &Value, id: &str) -> Result<Box<dyn Atom>> {
    let map = v.as_object().ok_or_else(|| AtomError::Description {
        step: id.into(),
        op: "?".into(),
        message: format!("a step must be a table, got {v}"),
    })?;
    let op = match map.get("op") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(AtomError::Description {
                step: id.into(),
                op: "?".into(),
                message: format!("\"op\" must be a string, got {other}"),
            });
        }
        None => {
            return Err(AtomError::Description {
                step: id.into(),
                op: "?".into(),
                message: "missing \"op\"".into(),
            });
        }
    };
    let mut p = Params {
        id,
        op: op.clone(),
        map,
        used: BTreeSet::new(),
    };
    let wrap = |e: AtomError, p: &Params| match e {
        AtomError::Description { .. } => e,
        other => p.err(other.to_string()),
    };
    let atom = build_op(&mut p).map_err(|e| wrap(e, &p))?;
    p.finish()?;
    Ok(atom)
}

/// `on_discontinuity` of a stateful atom.
fn policy(p: &mut Params) -> Result<OnDiscontinuity> {
    let s = p.str_or("on_discontinuity", "reset")?;
    OnDiscontinuity::parse(s).ok_or_else(|| {
        p.err(format!(
            "parameter \"on_discontinuity\" must be \"reset\" or \"raise\", got {s:?}"
        ))
    })
}

fn boxed<S: crate::Stream + 'static>(a: crate::Along<S>, policy: OnDiscontinuity) -> Box<dyn Atom> {
    Box::new(a.on_discontinuity(policy))
}

fn build_op(p: &mut Params) -> Result<Box<dyn Atom>> {
    let op = p.op.clone();
    Ok(match op.as_str() {
        // ------------------------------------------------------------ atoms
        "LFilter" => {
            let (b, a) = (p.f64s("b")?, p.f64s("a")?);
            let dim = p.str_or("dim", "last")?;
            boxed(LFilter::new(b, a, dim), policy(p)?)
        }
        "SOSFilter" => {
            let sos = p.sos("sos")?;
            let dim = p.str_or("dim", "last")?;
            boxed(SOSFilter::new(sos, dim), policy(p)?)
        }
        "IIRFilter" => {
            let order = p.usize("order")?;
            let cutoff = p.one_or_more("cutoff")?;
            let btype = p.str_or("btype", "bandpass")?;
            let ftype = p.str_or("ftype", "butter")?;
            let stype = p.str_or("stype", "sos")?;
            let (rp, rs) = (p.opt_f64("rp")?, p.opt_f64("rs")?);
            let dim = p.str_or("dim", "last")?;
            boxed(
                IIRFilter::new(order, cutoff, btype, ftype, rp, rs, stype, dim)?,
                policy(p)?,
            )
        }
        "FIRFilter" => {
            let mut fp = FirParams::new(
                p.usize("numtaps")?,
                p.one_or_more("cutoff")?,
                p.str_or("btype", "bandpass")?,
            );
            if let Some(w) = p.window("window")? {
                fp.window = w;
            }
            fp.width = p.opt_f64("width")?;
            fp.scale = p.bool_or("scale", true)?;
            fp.up = p.usize_or("up", 1)?;
            fp.down = p.usize_or("down", 1)?;
            let dim = p.str_or("dim", "last")?;
            boxed(FIRFilter::new(fp, dim)?, policy(p)?)
        }
        "Filter" => {
            let v = p.raw("freq").ok_or_else(|| p.missing("freq"))?;
            let bad = || p.wrong("freq", "[low, high] with \"none\" for an open end", v);
            let pair = v.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
            let corner = |x: &Value| -> Result<Option<f64>> {
                match x {
                    Value::Null => Ok(None),
                    Value::String(s) if s.eq_ignore_ascii_case("none") => Ok(None),
                    _ => x.as_f64().map(Some).ok_or_else(bad),
                }
            };
            let freq = (corner(&pair[0])?, corner(&pair[1])?);
            let ftype = p.str_or("ftype", "iir")?;
            let order = p.usize_or("order", 4)?;
            let transition = p.opt_f64("transition")?;
            let zerophase = p.bool_or("zerophase", false)?;
            let dim = p.str_or("dim", "time")?;
            let pol = policy(p)?;
            let mut atom = Filter::new(freq, ftype, order, transition, zerophase, dim)?;
            atom.set_on_discontinuity(pol);
            atom
        }
        "Polyphase" => {
            let taps = p.f64s("taps")?;
            let (up, down) = (p.usize_or("up", 1)?, p.usize_or("down", 1)?);
            let compensate = p.bool_or("compensate", false)?;
            let dim = p.str_or("dim", "last")?;
            boxed(Polyphase::new(taps, up, down, compensate, dim)?, policy(p)?)
        }
        "DownSample" => {
            let factor = p.usize("factor")?;
            let dim = p.str_or("dim", "last")?;
            boxed(DownSample::checked(factor, dim)?, policy(p)?)
        }
        "UpSample" => {
            let factor = p.usize("factor")?;
            if factor == 0 {
                return Err(p.err("parameter \"factor\" must be at least 1"));
            }
            let scale = p.bool_or("scale", true)?;
            let dim = p.str_or("dim", "last")?;
            boxed(UpSample::new(factor, scale, dim), policy(p)?)
        }
        "Resample" => {
            let rate = p.opt_f64("rate")?;
            let interval = p.opt_f64("interval")?;
            let (up, down) = (p.opt_usize("up")?, p.opt_usize("down")?);
            let target = match (rate, interval, up.is_some() || down.is_some()) {
                (Some(r), None, false) => Target::Rate(r),
                (None, Some(i), false) => Target::Interval(i),
                (None, None, true) => Target::Factors(up.unwrap_or(1), down.unwrap_or(1)),
                (None, None, false) => {
                    return Err(
                        p.err("one of \"rate\", \"interval\" or \"up\"/\"down\" is required")
                    );
                }
                _ => {
                    return Err(p.err(
                        "only one of \"rate\", \"interval\" or \"up\"/\"down\" may be given",
                    ));
                }
            };
            let mut rp = ResampleParams::new(target);
            rp.method = p.str_or("method", "fir")?.to_string();
            rp.snap = p.bool_or("snap", false)?;
            rp.maxup = p.usize_or("maxup", 10)?;
            rp.maxdown = p.opt_usize("maxdown")?;
            rp.tolerance = p.opt_f64("tolerance")?;
            rp.window = p.window("window")?;
            rp.numtaps = p.opt_usize("numtaps")?;
            rp.order = p.opt_usize("order")?;
            let dim = p.str_or("dim", "time")?;
            boxed(Resample::new(rp, dim)?, policy(p)?)
        }
        "ResamplePoly" => {
            let target = p.f64("target")?;
            let maxfactor = p.usize_or("maxfactor", 100)?;
            let window = p.window("window")?.unwrap_or(Window::Kaiser(5.0));
            let dim = p.str_or("dim", "last")?;
            boxed(
                ResamplePoly::new(target, maxfactor, window, dim)?,
                policy(p)?,
            )
        }
        "Decimate" => {
            let q = p.usize("q")?;
            let n = p.opt_usize("n")?;
            let ftype = p.str_or("ftype", "iir")?;
            let zero_phase = p.bool_or("zero_phase", ftype == "fir")?;
            let dim = p.str_or("dim", "time")?;
            boxed(Decimate::new(q, n, ftype, zero_phase, dim)?, policy(p)?)
        }
        "Integrate" => {
            let midpoints = p.bool_or("midpoints", false)?;
            let dim = p.str_or("dim", "time")?;
            boxed(crate::calculus::Integrate::new(midpoints, dim), policy(p)?)
        }
        "Differentiate" => {
            let midpoints = p.bool_or("midpoints", false)?;
            let dim = p.str_or("dim", "time")?;
            boxed(
                crate::calculus::Differentiate::new(midpoints, dim),
                policy(p)?,
            )
        }
        "STFT" => {
            let wlen = p.f64("wlen")?;
            let hop = p.opt_f64("hop")?;
            let window = p.str_or("window", "hann")?;
            let scaling = p.str_or("scaling", "spectrum")?;
            let nfft = p.opt_usize("nfft")?;
            let dim = p.str_or("dim", "time")?;
            boxed(
                crate::stft::STFT::new(wlen, hop, window, scaling, nfft, dim)?,
                policy(p)?,
            )
        }
        "STALTA" => {
            let (sta, lta) = (p.f64("sta")?, p.f64("lta")?);
            let method = p.str_or("method", "recursive")?;
            let dim = p.str_or("dim", "time")?;
            boxed(
                crate::detect::STALTA::new(sta, lta, method, dim)?,
                policy(p)?,
            )
        }
        "Trigger" => {
            let thresh = p.f64("thresh")?;
            let dim = p.str_or("dim", "time")?;
            boxed(crate::detect::Trigger::new(thresh, dim), policy(p)?)
        }
        "Rechunk" => {
            let chunks = p.dim_sizes("chunks")?;
            let [(dim, size)] = chunks.as_slice() else {
                return Err(
                    p.err("parameter \"chunks\" must name exactly one dim, e.g. {time = 1000}")
                );
            };
            boxed(crate::rechunk::Rechunk::new(dim, *size)?, policy(p)?)
        }
        "Sequential" => {
            let v = p.raw("step").ok_or_else(|| p.missing("step"))?;
            let list = v
                .as_array()
                .ok_or_else(|| p.wrong("step", "a list of steps", v))?;
            Box::new(build_steps(list, &format!("{}.", p.id))?)
        }
        // ------------------------------------------------------------ functions
        "square" => Box::new(f::square()),
        "abs" => Box::new(f::abs()),
        "sqrt" => Box::new(f::sqrt()),
        "log10" => Box::new(f::log10()),
        "scale" => Box::new(f::scale(p.f64("factor")?)),
        "add" => Box::new(f::add(p.f64("offset")?)),
        "detrend" => {
            let t = p.str_or("type", "linear")?;
            Box::new(f::detrend(t, p.str_or("dim", "last")?)?)
        }
        "taper" => {
            let w = p.window_spec("window", "hann".into())?;
            let fftbins = p.bool_or("fftbins", false)?;
            Box::new(f::taper(w, fftbins, p.str_or("dim", "last")?)?)
        }
        "filter" => {
            let freq = p.one_or_more("freq")?;
            let btype = p.str("btype")?;
            let corners = p.usize_or("corners", 4)?;
            let zerophase = p.bool_or("zerophase", false)?;
            Box::new(f::filter(
                freq,
                btype,
                corners,
                zerophase,
                p.str_or("dim", "last")?,
            )?)
        }
        "hilbert" => {
            let n = p.opt_usize("N")?;
            Box::new(f::hilbert(n, p.str_or("dim", "last")?)?)
        }
        "lfilter" => {
            let (b, a) = (p.f64s("b")?, p.f64s("a")?);
            Box::new(f::lfilter(b, a, p.str_or("dim", "last")?)?)
        }
        "sosfilt" => {
            let sos = p.sos("sos")?;
            Box::new(f::sosfilt(sos, p.str_or("dim", "last")?)?)
        }
        "filtfilt" => {
            let (b, a) = (p.f64s("b")?, p.f64s("a")?);
            let padtype = p.str_or("padtype", "odd")?;
            let padlen = p.opt_usize("padlen")?;
            Box::new(f::filtfilt(
                b,
                a,
                p.str_or("dim", "last")?,
                padtype,
                padlen,
            )?)
        }
        "sosfiltfilt" => {
            let sos = p.sos("sos")?;
            let padtype = p.str_or("padtype", "odd")?;
            let padlen = p.opt_usize("padlen")?;
            Box::new(f::sosfiltfilt(
                sos,
                p.str_or("dim", "last")?,
                padtype,
                padlen,
            )?)
        }
        "decimate" => {
            let q = p.usize("q")?;
            let n = p.opt_usize("n")?;
            let ftype = p.str_or("ftype", "iir")?;
            let zero_phase = p.bool_or("zero_phase", true)?;
            Box::new(f::decimate(
                q,
                n,
                ftype,
                zero_phase,
                p.str_or("dim", "last")?,
            )?)
        }
        "resample_poly" => {
            let (up, down) = (p.usize("up")?, p.usize("down")?);
            let w = p.window_spec("window", ("kaiser", 5.0).into())?;
            let padtype = p.str_or("padtype", "constant")?;
            let cval = p.opt_f64("cval")?;
            Box::new(f::resample_poly(
                up,
                down,
                p.str_or("dim", "last")?,
                w,
                padtype,
                cval,
            )?)
        }
        "integrate" => {
            let midpoints = p.bool_or("midpoints", false)?;
            Box::new(f::integrate(midpoints, p.str_or("dim", "last")?)?)
        }
        "differentiate" => {
            let midpoints = p.bool_or("midpoints", false)?;
            Box::new(f::differentiate(midpoints, p.str_or("dim", "last")?)?)
        }
        "sliding_mean_removal" => {
            let wlen = p.f64("wlen")?;
            let w = p.window_spec("window", "hann".into())?;
            let pad_mode = p.str_or("pad_mode", "reflect")?;
            Box::new(f::sliding_mean_removal(
                wlen,
                w,
                pad_mode,
                p.str_or("dim", "last")?,
            )?)
        }
        "medfilt" => {
            // xdas.signal: `kernel_dim` in samples; xdas 0.2.10's atom: `kernel` in
            // coordinate units
            if p.map.contains_key("kernel") {
                let v = p.raw("kernel").expect("present");
                let bad = || p.wrong("kernel", "a table {dim = length}", v);
                let map = v.as_object().ok_or_else(bad)?;
                let kernel = map
                    .iter()
                    .map(|(k, x)| Ok((k.clone(), x.as_f64().ok_or_else(bad)?)))
                    .collect::<Result<Vec<_>>>()?;
                Box::new(f::medfilt_physical(kernel)?)
            } else {
                Box::new(f::medfilt(p.dim_sizes("kernel_dim")?)?)
            }
        }
        "segment_mean_removal" => {
            let v = p.raw("limits").ok_or_else(|| p.missing("limits"))?;
            let bad = || p.wrong("limits", "a list of numbers or ISO-8601 datetimes", v);
            let list = v.as_array().ok_or_else(bad)?;
            let limits = list
                .iter()
                .map(|x| match x {
                    Value::String(s) => xdas_core::Datetime::parse(s)
                        .map(xdas_core::Scalar::Datetime)
                        .map_err(|_| bad()),
                    _ => x.as_f64().map(xdas_core::Scalar::F64).ok_or_else(bad),
                })
                .collect::<Result<Vec<_>>>()?;
            let w = p.window_spec("window", "hann".into())?;
            Box::new(f::segment_mean_removal(
                limits,
                w,
                p.str_or("dim", "last")?,
            )?)
        }
        "rfft" | "fft" | "ifft" | "irfft" => {
            let n = p.opt_usize("n")?;
            let dim = p.str_or("dim", "last")?;
            let default_new = if op.starts_with('i') {
                "signal"
            } else {
                "spectrum"
            };
            let newdim = p.str_or("newdim", default_new)?;
            let norm = p.str_or("norm", "backward")?;
            Box::new(match op.as_str() {
                "rfft" => f::rfft(n, dim, newdim, norm)?,
                "fft" => f::fft(n, dim, newdim, norm)?,
                "ifft" => f::ifft(n, dim, newdim, norm)?,
                _ => f::irfft(n, dim, newdim, norm)?,
            })
        }
        "stft" => {
            let w = p.window_spec("window", "hann".into())?;
            let nperseg = p.usize_or("nperseg", 256)?;
            let noverlap = p.opt_usize("noverlap")?;
            let nfft = p.opt_usize("nfft")?;
            let onesided = p.bool_or("return_onesided", true)?;
            let dim = p.str_or("dim", "last")?;
            let newdim = p.str_or("newdim", "spectrum")?;
            let scaling = p.str_or("scaling", "spectrum")?;
            Box::new(f::stft(
                w, nperseg, noverlap, nfft, onesided, dim, newdim, scaling,
            )?)
        }
        other => {
            return Err(p.err(format!(
                "unknown op {other:?} (atoms are CamelCase as in xdas.atoms, e.g. \"LFilter\"; \
                 functions snake_case as in xdas.signal, e.g. \"decimate\")"
            )));
        }
    })
}
