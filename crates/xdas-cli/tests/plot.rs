//! `xdas plot`: waterfall PNGs from in-memory arrays and from files, through the
//! library functions (the module is included directly, so these run before the
//! subcommand is wired into the binary).

#[allow(dead_code)]
#[path = "../src/plot.rs"]
mod plot;

use std::path::{Path, PathBuf};

use ndarray::ArrayD;
use xdas_core::{Coordinate, DataArray, Datetime, Timedelta};
use xdas_io::native::{WriteOptions, write};

fn tempdir(tag: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("xdas-plot-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The width and height of a PNG, after checking its signature and IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.len() > 33,
        "{} is too short for a PNG",
        path.display()
    );
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

fn array(nt: usize, nx: usize, f: impl Fn(usize, usize) -> f32) -> DataArray<f32> {
    array_at("2024-03-01T12:34:56", nt, nx, f)
}

fn array_at(start: &str, nt: usize, nx: usize, f: impl Fn(usize, usize) -> f32) -> DataArray<f32> {
    let t0: Datetime = start.parse().unwrap();
    DataArray::new(
        ArrayD::from_shape_fn(vec![nt, nx], |ix| f(ix[0], ix[1])),
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::from_block_time(t0, nt, Timedelta::from_ns(1_000_000), "time"),
            ),
            ("distance", Coordinate::from_block(0.0, nx, 2.0, "distance")),
        ],
    )
    .unwrap()
}

fn args(path: &Path, output: &Path) -> plot::PlotArgs {
    plot::PlotArgs {
        path: path.to_string_lossy().into_owned(),
        output: output.to_path_buf(),
        dim: "time".into(),
        start: None,
        end: None,
        width: 640,
        height: 480,
        clip: 99.0,
    }
}

#[test]
fn wavefronts_make_a_png_of_the_requested_size() {
    let dir = tempdir("wavefronts");
    let da = xdas_synthetics::wavelet_wavefronts().to_dataarray();
    let da: DataArray<f32> = da.with_data(da.data().mapv(|v| v as f32)).unwrap();
    for size in [(1200, 800), (640, 480), (333, 211)] {
        let out = dir.join(format!("wavefronts-{}x{}.png", size.0, size.1));
        plot::waterfall(&da, &out, "wavelet wavefronts", 99.0, size).unwrap();
        assert_eq!(png_size(&out), size);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn big_arrays_are_binned_and_dims_may_come_in_either_order() {
    let dir = tempdir("big");
    // 200k samples down, 3000 across: far more than the pixels
    let da = xdas_synthetics::dummy::<f32>((20_000, 300)).to_dataarray();
    let out = dir.join("dummy.png");
    plot::waterfall(&da, &out, "dummy", 99.0, (800, 600)).unwrap();
    assert_eq!(png_size(&out), (800, 600));

    let da = array(500, 40, |i, j| ((i as f32) * 0.05 - j as f32 * 0.3).sin());
    let a = dir.join("time-distance.png");
    let b = dir.join("distance-time.png");
    plot::waterfall(&da, &a, "t", 99.0, (400, 300)).unwrap();
    let transposed = da.transpose(&["distance", "time"]).unwrap();
    plot::waterfall(&transposed, &b, "t", 99.0, (400, 300)).unwrap();
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "a (distance, time) array is drawn as its transpose"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn constant_and_nan_arrays_do_not_divide_by_zero() {
    let dir = tempdir("constant");
    for (tag, v) in [("zeros", 0.0f32), ("fives", 5.0), ("nan", f32::NAN)] {
        let da = array(50, 20, |_, _| v);
        let out = dir.join(format!("{tag}.png"));
        plot::waterfall(&da, &out, tag, 99.0, (300, 200)).unwrap();
        assert_eq!(png_size(&out), (300, 200));
    }
    // mostly zeros: the 99th percentile is 0, the clip falls back to max |value|
    let da = array(100, 100, |i, j| if i == 3 && j == 4 { -2.0 } else { 0.0 });
    let out = dir.join("spike.png");
    plot::waterfall(&da, &out, "spike", 99.0, (300, 200)).unwrap();
    assert_eq!(png_size(&out), (300, 200));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn degenerate_arrays_and_options_are_clear_errors() {
    let dir = tempdir("degenerate");
    let out = dir.join("x.png");
    for nt in [0, 1] {
        let da = xdas_synthetics::dummy::<f32>((nt, 10)).to_dataarray();
        let e = plot::waterfall(&da, &out, "x", 99.0, (300, 200)).unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("nothing to plot") && msg.contains("at least 2"),
            "{msg}"
        );
    }
    let da = xdas_synthetics::dummy::<f32>((0, 0)).to_dataarray();
    let msg = format!(
        "{:#}",
        plot::waterfall(&da, &out, "x", 99.0, (300, 200)).unwrap_err()
    );
    assert!(msg.contains("nothing to plot"), "{msg}");
    assert!(!out.exists(), "no image for an error");

    let da = xdas_synthetics::dummy::<f32>((10, 10)).to_dataarray();
    let msg = format!(
        "{:#}",
        plot::waterfall(&da, &dir.join("x.svg"), "x", 99.0, (300, 200)).unwrap_err()
    );
    assert!(msg.contains(".png"), "{msg}");
    let msg = format!(
        "{:#}",
        plot::waterfall(&da, &out, "x", 0.0, (300, 200)).unwrap_err()
    );
    assert!(msg.contains("percentile"), "{msg}");
    let msg = format!(
        "{:#}",
        plot::waterfall(&da, &out, "x", 99.0, (10, 10)).unwrap_err()
    );
    assert!(msg.contains("width"), "{msg}");
    let msg = format!(
        "{:#}",
        plot::waterfall(&da, &dir.join("no/such/dir/x.png"), "x", 99.0, (300, 200)).unwrap_err()
    );
    assert!(msg.contains("cannot write"), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_reads_a_file_and_selects_a_window() {
    let dir = tempdir("run");
    let input = dir.join("input.nc");
    let da = array(2000, 30, |i, j| ((i as f32) * 0.013 + j as f32 * 0.7).sin());
    write(&da, &input, &WriteOptions::default()).unwrap();

    let out = dir.join("all.png");
    plot::run(&args(&input, &out)).unwrap();
    assert_eq!(png_size(&out), (640, 480));

    // a window by ISO datetimes
    let out = dir.join("window.png");
    let mut a = args(&input, &out);
    a.start = Some("2024-03-01T12:34:56.5".into());
    a.end = Some("2024-03-01T12:34:57.2".into());
    a.width = 500;
    a.height = 700;
    plot::run(&a).unwrap();
    assert_eq!(png_size(&out), (500, 700));

    // distance down the vertical axis, selected by numbers
    let out = dir.join("distance.png");
    let mut a = args(&input, &out);
    a.dim = "distance".into();
    a.start = Some("10".into());
    a.end = Some("40".into());
    plot::run(&a).unwrap();
    assert_eq!(png_size(&out), (640, 480));

    // one sample, an empty window, a window outside the data
    let out = dir.join("bad.png");
    for (start, end) in [
        ("2024-03-01T12:34:56.5", "2024-03-01T12:34:56.5"),
        ("2024-03-01T12:34:57", "2024-03-01T12:34:56"),
        ("2030-01-01", "2030-01-02"),
    ] {
        let mut a = args(&input, &out);
        a.start = Some(start.into());
        a.end = Some(end.into());
        let msg = format!("{:#}", plot::run(&a).unwrap_err());
        assert!(
            msg.contains("nothing to plot") && msg.contains("at least 2"),
            "{msg}"
        );
    }
    assert!(!out.exists());

    // labels of the wrong kind, a missing dim, a missing file
    let mut a = args(&input, &out);
    a.start = Some("12.5".into());
    let msg = format!("{:#}", plot::run(&a).unwrap_err());
    assert!(msg.contains("ISO datetime"), "{msg}");
    let mut a = args(&input, &out);
    a.dim = "depth".into();
    let msg = format!("{:#}", plot::run(&a).unwrap_err());
    assert!(msg.contains("depth"), "{msg}");
    let msg = format!(
        "{:#}",
        plot::run(&args(&dir.join("missing.nc"), &out)).unwrap_err()
    );
    assert!(msg.contains("cannot open"), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_joins_files_and_refuses_mixed_layouts() {
    let dir = tempdir("multi");
    let joined = dir.join("joined");
    std::fs::create_dir_all(&joined).unwrap();
    let f = |i: usize, j: usize| ((i as f32) * 0.02 + j as f32).cos();
    let a = array_at("2024-03-01T00:00:00", 1000, 20, f);
    let b = array_at("2024-03-01T00:00:01", 1000, 20, f);
    write(&a, joined.join("a.nc"), &WriteOptions::default()).unwrap();
    write(&b, joined.join("b.nc"), &WriteOptions::default()).unwrap();
    let out = dir.join("joined.png");
    let mut args_ = args(&joined.join("*.nc"), &out);
    args_.start = Some("2024-03-01T00:00:00.5".into());
    args_.end = Some("2024-03-01T00:00:01.5".into());
    plot::run(&args_).unwrap();
    assert_eq!(png_size(&out), (640, 480));

    let mixed = dir.join("mixed");
    std::fs::create_dir_all(&mixed).unwrap();
    write(&a, mixed.join("a.nc"), &WriteOptions::default()).unwrap();
    let c = array_at("2024-03-01T00:00:05", 1000, 7, f);
    write(&c, mixed.join("c.nc"), &WriteOptions::default()).unwrap();
    let out = dir.join("mixed.png");
    let msg = format!("{:#}", plot::run(&args(&mixed, &out)).unwrap_err());
    assert!(msg.contains("different layout"), "{msg}");
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
