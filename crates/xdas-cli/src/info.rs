//! `xdas info`: what a file (or a set of files) holds, without reading samples.

use anyhow::{Context, Result};
use clap::Args;
use serde_json::{Value, json};
use xdas_core::{Coordinate, Scalar, SplitKind, Tolerance};
use xdas_io::LazyArray;

/// Arguments of `xdas info`.
#[derive(Args)]
pub struct InfoArgs {
    /// One JSON object per path on stdout.
    #[arg(long)]
    pub json: bool,
    /// Files, directories or globs (each path is reported separately).
    #[arg(required = true)]
    pub paths: Vec<String>,
}

fn scalar_json(s: &Scalar) -> Value {
    match s {
        Scalar::F64(v) => json!(v),
        Scalar::I64(v) => json!(v),
        Scalar::Datetime(d) => json!(d.to_iso()),
        Scalar::Timedelta(t) => json!(t.ns() as f64 / 1e9),
        Scalar::Str(s) => json!(s),
    }
}

fn coord_json(c: &Coordinate) -> Value {
    let n = c.len();
    let first = c.value(0).ok();
    let last = n.checked_sub(1).and_then(|i| c.value(i).ok());
    let gaps = c
        .split_indices(SplitKind::Discontinuities, Tolerance::Default)
        .map(|v| v.len())
        .unwrap_or(0);
    json!({
        "first": first.as_ref().map(scalar_json),
        "last": last.as_ref().map(scalar_json),
        "size": n,
        "sampling_interval": c.sampling_interval_seconds(),
        "discontinuities": gaps,
    })
}

/// The JSON description of one array.
pub fn describe(a: &LazyArray) -> Value {
    let mut coords = serde_json::Map::new();
    for (name, c) in a.coords() {
        if c.dim().is_some() {
            coords.insert(name.clone(), coord_json(c));
        }
    }
    json!({
        "engine": a.engine(),
        "dims": a.dims(),
        "shape": a.shape(),
        "dtype": a.dtype().name(),
        "name": a.name(),
        "coords": coords,
    })
}

fn text(path: &str, key: &str, a: &LazyArray) -> String {
    let mut s = format!(
        "{path}{}: {} {:?} {} {:?}\n",
        if key.is_empty() {
            String::new()
        } else {
            format!(" [{key}]")
        },
        a.engine(),
        a.dims(),
        a.dtype().name(),
        a.shape()
    );
    for (name, c) in a.coords() {
        let v = coord_json(c);
        let show = |x: &Value| match x {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        s.push_str(&format!(
            "  {name}: {} … {} ({} samples, interval {}, {} discontinuities)\n",
            show(&v["first"]),
            show(&v["last"]),
            v["size"],
            show(&v["sampling_interval"]),
            v["discontinuities"]
        ));
    }
    s
}

/// Run `xdas info`.
pub fn run(args: &InfoArgs) -> Result<()> {
    for path in &args.paths {
        let opened = xdas_io::open_inputs(std::slice::from_ref(path))
            .with_context(|| format!("cannot open {path}"))?;
        let leaves = opened.leaves();
        if args.json {
            let members: Vec<Value> = leaves.iter().map(|(_, a)| describe(a)).collect();
            let v = if members.len() == 1 {
                let mut m = members.into_iter().next().expect("one");
                m["path"] = json!(path);
                m
            } else {
                json!({ "path": path, "members": members })
            };
            println!("{v}");
        } else {
            for (key, a) in leaves {
                print!("{}", text(path, &key, a));
            }
        }
    }
    Ok(())
}
