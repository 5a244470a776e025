//! The `xdas` binary end to end: process with checkpoints, killed with SIGKILL and
//! resumed (bitwise identical to an uninterrupted run), info --json, and one-line errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ndarray::ArrayD;
use serde_json::Value;
use xdas_core::{Coordinate, DataArray, Datetime, Timedelta};
use xdas_io::native::{WriteOptions, write};

fn xdas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xdas"))
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xdas-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A (time, distance) float32 file at 1 kHz.
fn input(dir: &Path, nt: usize, nx: usize) -> PathBuf {
    let t0: Datetime = "2024-03-01T00:00:00".parse().unwrap();
    let data = ArrayD::from_shape_fn(vec![nt, nx], |ix| {
        ((ix[0] as f32) * 0.013 + ix[1] as f32 * 0.7).sin() + (ix[0] % 97) as f32 * 1e-3
    });
    let da = DataArray::new(
        data,
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::from_block_time(t0, nt, Timedelta::from_ns(1_000_000), "time"),
            ),
            ("distance", Coordinate::from_block(0.0, nx, 2.0, "distance")),
        ],
    )
    .unwrap();
    let path = dir.join("input.nc");
    write(&da, &path, &WriteOptions::default()).unwrap();
    path
}

const SEED: &str = r#"
[[step]]
op = "decimate"
q = 2
ftype = "fir"
dim = "distance"

[[step]]
op = "IIRFilter"
order = 4
cutoff = 50.0
btype = "highpass"
dim = "time"

[[step]]
op = "square"
"#;

fn load(path: &Path) -> DataArray<f32> {
    xdas_io::open(path).unwrap().load_as::<f32>().unwrap()
}

#[test]
fn killed_run_resumes_bitwise() {
    let dir = tempdir("kill");
    let inp = input(&dir, 6000, 64);
    let pipe = dir.join("seed.toml");
    std::fs::write(&pipe, SEED).unwrap();
    let args = |out: &Path| {
        vec![
            "process".to_string(),
            "--pipeline".into(),
            pipe.display().to_string(),
            "--chunks".into(),
            "time=100".into(),
            "--checkpoint-interval".into(),
            "0".into(),
            "--quiet".into(),
            inp.display().to_string(),
            "--output".into(),
            out.display().to_string(),
        ]
    };
    // uninterrupted
    let full = dir.join("full");
    let st = xdas().args(args(&full)).status().unwrap();
    assert!(st.success());
    // killed mid-run
    let out = dir.join("out");
    let ckpt = PathBuf::from(format!("{}.checkpoint", out.display()));
    let mut child = xdas()
        .args(args(&out))
        .env("XDAS_CHUNK_DELAY_MS", "20")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    loop {
        let files = std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
        if ckpt.exists() && files >= 10 {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the run never got going"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the run was not interrupted");
    assert!(ckpt.exists());
    // without --resume: refused, nothing touched
    let o = xdas().args(args(&out)).output().unwrap();
    assert!(!o.status.success());
    let msg = String::from_utf8_lossy(&o.stderr);
    assert!(
        msg.contains("--resume") && msg.lines().count() == 1,
        "{msg}"
    );
    // resumed
    let mut resume = args(&out);
    resume.push("--resume".into());
    let st = xdas().args(&resume).status().unwrap();
    assert!(st.success());
    assert!(!ckpt.exists());
    let a = load(&full.join("index.nc"));
    let b = load(&out.join("index.nc"));
    assert!(a.equals(&b), "resumed output differs");
    assert_eq!(a.shape(), &[6000, 32]);
    // every chunk file identical too
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "index.nc")
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&full), names(&out));
    for n in names(&full) {
        assert!(load(&full.join(&n)).equals(&load(&out.join(&n))), "{n}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn info_json_describes_files() {
    let dir = tempdir("info");
    let inp = input(&dir, 500, 8);
    let o = xdas().args(["info", "--json"]).arg(&inp).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["engine"], "netcdf");
    assert_eq!(v["dims"], serde_json::json!(["time", "distance"]));
    assert_eq!(v["shape"], serde_json::json!([500, 8]));
    assert_eq!(v["dtype"], "float32");
    assert_eq!(
        v["coords"]["time"]["first"],
        "2024-03-01T00:00:00.000000000"
    );
    assert_eq!(v["coords"]["time"]["last"], "2024-03-01T00:00:00.499000000");
    assert_eq!(v["coords"]["distance"]["last"], 14.0);
    assert_eq!(v["coords"]["distance"]["size"], 8);
    // text form
    let o = xdas().arg("info").arg(&inp).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("netcdf"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_are_one_line_and_non_zero() {
    let dir = tempdir("err");
    let junk = dir.join("junk.bin");
    std::fs::write(&junk, b"definitely not DAS data").unwrap();
    for args in [
        vec!["info".to_string(), junk.display().to_string()],
        vec![
            "info".to_string(),
            dir.join("missing.h5").display().to_string(),
        ],
        vec![
            "process".into(),
            "--pipeline".into(),
            dir.join("none.toml").display().to_string(),
            junk.display().to_string(),
            "--output".into(),
            dir.join("o").display().to_string(),
        ],
    ] {
        let o = xdas().args(&args).output().unwrap();
        assert!(!o.status.success(), "{args:?}");
        let msg = String::from_utf8_lossy(&o.stderr);
        assert_eq!(msg.trim_end().lines().count(), 1, "{args:?}: {msg}");
        assert!(msg.starts_with("xdas: error: "), "{msg}");
    }
    // a chunk dim that does not exist, a zero chunk size
    let inp = input(&dir, 100, 4);
    let pipe = dir.join("p.toml");
    std::fs::write(&pipe, "[[step]]\nop = \"square\"\n").unwrap();
    for chunks in ["depth=10", "time=0"] {
        let o = xdas()
            .args(["process", "--quiet", "--chunks", chunks, "--pipeline"])
            .arg(&pipe)
            .arg(&inp)
            .arg("--output")
            .arg(dir.join("o2"))
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert_eq!(
            String::from_utf8_lossy(&o.stderr)
                .trim_end()
                .lines()
                .count(),
            1
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn convert_and_chunk_larger_than_data() {
    let dir = tempdir("convert");
    let inp = input(&dir, 300, 6);
    let out = dir.join("conv");
    let o = xdas()
        .args(["convert", "--quiet", "--chunks", "time=100000"])
        .arg(&inp)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(load(&out.join("index.nc")).equals(&load(&inp)));
    std::fs::remove_dir_all(&dir).unwrap();
}
