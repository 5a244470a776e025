//! Vendor engines, group A: AP Sensing, ASN OptoDAS, Febus A1, Terra15, Silixa HDF5.
//!
//! Every real file in `../shared/data/das` opens through auto-detection with the dims,
//! shape, dtype and first/last coordinates of issue 5 (where xdas 0.2.10 and DASCore
//! 0.1.24 disagree, the value the vendor's metadata supports — see each engine's docs);
//! a block read equals the same block of a full read; truncated and corrupted copies give
//! a clear error. Synthetic Febus strain-rate files cover overlap trimming.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use hdf5::types::VarLenUnicode;
use ndarray::{ArrayD, IxDyn, SliceInfoElem};
use xdas_core::{DType, Datetime, Scalar};
use xdas_io::vendors::febus::{self, FebusOptions};
use xdas_io::{IoError, LazyArray};

// ------------------------------------------------------------------ plumbing

use xdas_testdata::vendor_file;

/// A unique temporary path, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(tag: &str) -> Temp {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        Temp(std::env::temp_dir().join(format!("xdas_vendors_a_{}_{n}_{tag}", std::process::id())))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A writable copy of `src`.
fn copy_of(src: &Path, tag: &str) -> Temp {
    let t = Temp::new(tag);
    std::fs::copy(src, &t.0).unwrap();
    let mut perm = std::fs::metadata(&t.0).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(&t.0, perm).unwrap();
    t
}

/// A copy of `src` changed by `edit`.
fn corrupted(src: &Path, tag: &str, edit: impl FnOnce(&hdf5::File) -> hdf5::Result<()>) -> Temp {
    let t = copy_of(src, tag);
    {
        let f = hdf5::File::open_rw(&t.0).unwrap();
        edit(&f).unwrap();
    }
    t
}

/// The first `len` bytes of `src`.
fn truncated(src: &Path, len: usize, tag: &str) -> Temp {
    let t = Temp::new(tag);
    let bytes = std::fs::read(src).unwrap();
    std::fs::write(&t.0, &bytes[..len.min(bytes.len())]).unwrap();
    t
}

fn text(v: &str) -> VarLenUnicode {
    v.parse().unwrap()
}

/// Replace an attribute by a string one.
fn set_str_attr(loc: &hdf5::Location, name: &str, value: &str) -> hdf5::Result<()> {
    if loc.attr(name).is_ok() {
        loc.delete_attr(name)?;
    }
    loc.new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&text(value))
}

/// Replace a dataset by a string one.
fn set_str_dataset(g: &hdf5::Group, name: &str, value: &str) -> hdf5::Result<()> {
    if g.link_exists(name) {
        g.unlink(name)?;
    }
    g.new_dataset::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&text(value))
}

fn time_at(da: &LazyArray, i: usize) -> String {
    match da.coord("time").unwrap().value(i).unwrap() {
        Scalar::Datetime(t) => t.to_string(),
        other => panic!("time label {other:?}"),
    }
}

fn f64_at(da: &LazyArray, dim: &str, i: usize) -> f64 {
    match da.coord(dim).unwrap().value(i).unwrap() {
        Scalar::F64(v) => v,
        other => panic!("{dim} label {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

struct Expect {
    engine: &'static str,
    dims: &'static [&'static str],
    shape: &'static [usize],
    dtype: DType,
    time: (&'static str, &'static str),
    distance: (f64, f64),
}

/// Open through auto-detection and check the labels.
fn check(name: &str, e: &Expect) -> Option<LazyArray> {
    let path = vendor_file(name)?;
    let da = xdas_io::open(&path).unwrap_or_else(|err| panic!("{name}: {err}"));
    assert_eq!(da.engine(), e.engine, "{name}");
    assert_eq!(da.dims(), e.dims, "{name}");
    assert_eq!(da.shape(), e.shape, "{name}");
    assert_eq!(da.dtype(), e.dtype, "{name}");
    let nt = da.shape()[0];
    let nx = *da.shape().last().unwrap();
    let t = (time_at(&da, 0), time_at(&da, nt - 1));
    assert_eq!((t.0.as_str(), t.1.as_str()), e.time, "{name} time");
    let d = (f64_at(&da, "distance", 0), f64_at(&da, "distance", nx - 1));
    assert!(
        close(d.0, e.distance.0) && close(d.1, e.distance.1),
        "{name} distance {d:?}, expected {:?}",
        e.distance
    );
    println!(
        "{name}: {} {:?} {:?} {:?}; time {} .. {}; distance {} .. {}",
        da.engine(),
        da.dims(),
        da.shape(),
        da.dtype(),
        t.0,
        t.1,
        d.0,
        d.1
    );
    Some(da)
}

/// Values as f64, NaN-aware equality.
fn same(a: &ArrayD<f64>, b: &ArrayD<f64>) -> bool {
    a.shape() == b.shape()
        && a.iter()
            .zip(b.iter())
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

/// A block read (an inner window on every axis) equals that window of a full read.
fn check_block_read(da: &LazyArray) {
    let full = da.load().unwrap();
    assert_eq!(full.shape(), da.shape().as_slice());
    assert_eq!(full.dtype(), da.dtype());
    let full = full.to_f64();
    let mut sub = da.clone();
    let mut info = Vec::new();
    for (axis, dim) in da.dims().iter().enumerate() {
        let n = da.shape()[axis];
        let (a, b) = if n > 2 { (n / 3, n - n / 4) } else { (0, n) };
        sub = sub.isel(dim, a, b).unwrap();
        info.push(SliceInfoElem::Slice {
            start: a as isize,
            end: Some(b as isize),
            step: 1,
        });
    }
    let block = sub.load().unwrap();
    assert_eq!(block.dtype(), da.dtype());
    let want = full.slice(info.as_slice()).to_owned();
    assert!(same(&block.to_f64(), &want), "block read differs");
    // an empty selection reads nothing
    let none = da
        .isel(&da.dims()[0].clone(), 1, 1)
        .unwrap()
        .load()
        .unwrap();
    assert_eq!(none.shape()[0], 0);
    // load_as converts on the fly
    let typed = sub.load_as::<f64>().unwrap();
    assert!(same(&typed.data().clone().into_dyn(), &want));
}

/// Truncated copies (first half, first 4 KiB) fail with an error, not a panic.
fn check_truncated(path: &Path, tag: &str) {
    let len = std::fs::metadata(path).unwrap().len() as usize;
    for (cut, what) in [(len / 2, "half"), (4096, "4k")] {
        let t = truncated(path, cut, &format!("{tag}_{what}"));
        let result =
            std::panic::catch_unwind(|| xdas_io::open(&t.0).and_then(|da| da.load().map(|_| ())));
        let result = result.unwrap_or_else(|_| panic!("{tag} truncated to {cut} bytes panicked"));
        let err = result.expect_err("a truncated file must not read");
        let msg = err.to_string();
        assert!(!msg.is_empty());
        println!(
            "{tag} truncated to {cut} B: {}",
            msg.lines().next().unwrap_or("")
        );
    }
}

/// `open` on a corrupted copy gives a format error from `engine` naming `needle`.
fn check_corrupted(t: &Temp, engine: &str, needle: &str) {
    let result = std::panic::catch_unwind(|| xdas_io::open(&t.0));
    let err = result
        .unwrap_or_else(|_| panic!("{engine}: a corrupted file panicked"))
        .expect_err("a corrupted file must not open");
    let msg = err.to_string();
    assert!(
        matches!(&err, IoError::Format { engine: e, .. } if e == engine),
        "{engine}: expected a format error, got {msg}"
    );
    assert!(
        msg.contains(needle),
        "{engine}: {msg:?} does not mention {needle:?}"
    );
    println!("{engine} corrupted: {msg}");
}

// ------------------------------------------------------------------ AP Sensing

#[test]
fn ap_sensing() {
    let e = Expect {
        engine: "apsensing",
        dims: &["time", "distance"],
        shape: &[150, 4082],
        dtype: DType::I32,
        time: (
            "2023-09-24T12:46:31.739618000",
            "2023-09-24T12:46:32.037618000",
        ),
        // xdas; DASCore's 5128.038633266008 stretches the step (see the engine docs)
        distance: (124.14780987876313, 5123.955725923952),
    };
    let Some(da) = check("ap_sensing_1.hdf5", &e) else {
        return;
    };
    check_block_read(&da);
    assert_eq!(
        da.coord("distance").unwrap().sampling_interval(),
        Some(Scalar::F64(1.2251428365707397))
    );
}

/// The distance decision, from the file's own metadata: the declared channel step is
/// `SpatialSamplingPoints · SamplingInterval`, and the channel count follows from the
/// raw sample range, the gauge and that step — DASCore's end of axis does not.
#[test]
fn ap_sensing_distance_follows_the_declared_sampling() {
    let Some(path) = vendor_file("ap_sensing_1.hdf5") else {
        return;
    };
    let f = hdf5::File::open(&path).unwrap();
    let one = |n: &str| f.dataset(n).unwrap().read_raw::<f64>().unwrap()[0];
    let (s0, s1) = (one("DAQ/SampleStart"), one("DAQ/SampleEnd"));
    let interval = one("DAQ/SamplingInterval");
    let gauge = one("ProcessingServer/GaugeLengthPoints");
    let step_pts = one("ProcessingServer/SpatialSamplingPoints");
    let step = one("ProcessingServer/SpatialSampling");
    let (x0, x_end) = (one("DAQ/PositionStart"), one("DAQ/PositionEnd"));
    let nx = ((s1 - s0 + 1.0 - gauge) / step_pts).floor() + 1.0;
    assert_eq!(nx, 4082.0);
    assert!((step - step_pts * interval).abs() < 1e-6);
    assert!((x0 - s0 * interval).abs() < 1e-3 && (x_end - s1 * interval).abs() < 1e-3);

    let da = xdas_io::open(&path).unwrap();
    let last = f64_at(&da, "distance", 4081);
    // the last gauge ends inside the recorded range ...
    assert!(last + gauge * interval <= x_end);
    // ... and DASCore's stretched axis is not the declared one
    let dascore_step = (x_end - x0) / nx;
    assert!((dascore_step - step).abs() > 5e-4);
    assert!((last - 5128.038633266008).abs() > 4.0);
}

#[test]
fn ap_sensing_bad_input() {
    let Some(path) = vendor_file("ap_sensing_1.hdf5") else {
        return;
    };
    check_truncated(&path, "ap_sensing");
    let t = corrupted(&path, "aps_rate", |f| {
        f.dataset("ProcessingServer/DataRate")?
            .write_raw(&[0i32][..])
    });
    check_corrupted(&t, "apsensing", "DataRate");
    let t = corrupted(&path, "aps_stamp", |f| {
        set_str_dataset(&f.group("Metadata")?, "Timestamp", "24/09/2023 noon")
    });
    check_corrupted(&t, "apsensing", "Timestamp");
    let t = corrupted(&path, "aps_dx", |f| {
        set_str_dataset(&f.group("ProcessingServer")?, "SpatialSampling", "1.2 m")
    });
    check_corrupted(&t, "apsensing", "SpatialSampling");
}

// ------------------------------------------------------------------ OptoDAS

#[test]
fn optodas_decimated() {
    let e = Expect {
        engine: "asn",
        dims: &["time", "distance"],
        shape: &[5000, 51],
        dtype: DType::F32,
        time: (
            "2023-10-27T14:23:37.020000000",
            "2023-10-27T14:23:47.018000000",
        ),
        // DASCore; our last label is exactly 35000 · dx = 35745.50667711385 (1e-10 m)
        distance: (33192.25620017715, 35745.50667711374),
    };
    let Some(da) = check("decimated_optodas.hdf5", &e) else {
        return;
    };
    check_block_read(&da);
    // one regular block, 50 undecimated channels (roiDec) apart
    let d = da.coord("distance").unwrap();
    let Some(Scalar::F64(step)) = d.sampling_interval() else {
        panic!("distance is not regular: {d:?}");
    };
    assert!(close(step, 50.0 * 1.0213001907746815));
    assert!(da.attrs().is_none(), "dataScale is 1: nothing to report");
}

#[test]
fn optodas_bad_input() {
    let Some(path) = vendor_file("decimated_optodas.hdf5") else {
        return;
    };
    check_truncated(&path, "optodas");
    let t = corrupted(&path, "asn_dt", |f| {
        f.dataset("header/dt")?.write_scalar(&-1.0f64)
    });
    check_corrupted(&t, "asn", "header/dt");
    let t = corrupted(&path, "asn_names", |f| {
        set_str_dataset(&f.group("header")?, "dimensionNames", "channel")
    });
    check_corrupted(&t, "asn", "dimensionNames");
    // without the channel list, xdas's ROI rule cannot describe a cut-down file
    let t = corrupted(&path, "asn_channels", |f| {
        f.group("header")?.unlink("channels")
    });
    check_corrupted(&t, "asn", "51 columns");
}

/// A file stored `(distance, time)` (as `header/dimensionNames` says) reads the same
/// `time × distance` array, through a transposed source.
#[test]
fn optodas_distance_major() {
    let Some(path) = vendor_file("decimated_optodas.hdf5") else {
        return;
    };
    let t = corrupted(&path, "asn_transposed", |f| {
        let data: ndarray::Array2<f32> = f.dataset("data")?.read_2d()?;
        f.unlink("data")?;
        f.new_dataset_builder()
            .with_data(&data.t().as_standard_layout())
            .create("data")?;
        let h = f.group("header")?;
        h.unlink("dimensionNames")?;
        h.new_dataset_builder()
            .with_data(&[text("distance"), text("time")][..])
            .create("dimensionNames")?;
        let r = h.group("dimensionRanges")?;
        r.relink("dimension0", "swap")?;
        r.relink("dimension1", "dimension0")?;
        r.relink("swap", "dimension1")
    });
    let da = xdas_io::open(&t.0).unwrap();
    let orig = xdas_io::open(&path).unwrap();
    assert_eq!(da.dims(), ["time", "distance"]);
    assert_eq!(da.shape(), [5000, 51]);
    assert!(
        da.coord("time")
            .unwrap()
            .equals(orig.coord("time").unwrap())
    );
    assert!(
        da.coord("distance")
            .unwrap()
            .equals(orig.coord("distance").unwrap())
    );
    assert_eq!(da.load().unwrap(), orig.load().unwrap());
    let part = |a: &LazyArray| {
        a.isel("time", 100, 300)
            .unwrap()
            .isel("distance", 7, 40)
            .unwrap()
            .load()
            .unwrap()
    };
    assert_eq!(part(&da), part(&orig));
}

// ------------------------------------------------------------------ Febus

/// The default reading of `febus_2.h5`: its PSD rows read as time samples, with
/// xdas 0.2.10's labels (1050 rows, centred on the block stamp) rather than DASCore
/// 0.1.24's (1049 rows from 11:40:14.014478397) — see the engine's docs for why — and
/// flagged as spectra.
#[test]
fn febus_psd_default_reads_time_like_xdas() {
    let e = Expect {
        engine: "febus",
        dims: &["time", "distance"],
        shape: &[1050, 101],
        dtype: DType::F32,
        time: (
            "2025-09-23T11:40:12.584954000",
            "2025-09-23T11:40:13.583602000",
        ),
        distance: (101.0, 141.0),
    };
    let Some(da) = check("febus_2.h5", &e) else {
        return;
    };
    check_block_read(&da);
    assert_eq!(da.name(), Some("psd"));
    // xdas's step: Spacing[1] = 0.952381 ms rounded to the µs
    assert_eq!(
        da.coord("time").unwrap().sampling_interval(),
        Some(Scalar::Timedelta(xdas_core::Timedelta::from_ns(952_000)))
    );
    // the kept second starts 0.5 s before the block stamp (11:40:13.084954); with the
    // rounded step its middle row falls 0.2 ms short of the stamp (exact: see below)
    assert_eq!(time_at(&da, 525), "2025-09-23T11:40:13.084754000");
    // flagged: the dataset holds spectra
    let attrs = da.attrs().expect("attributes");
    let text = |k: &str| match attrs.get(k) {
        Some(xdas_core::AttrValue::Str(s)) => s.clone(),
        other => panic!("{k}: {other:?}"),
    };
    assert_eq!(text("febus_content"), "psd");
    assert_eq!(text("units"), "dB re 1 nStrain|sqrt(Hz)");
    let note = text("febus_note");
    assert!(
        note.contains("spectral") && note.contains("spectra: true"),
        "{note}"
    );
    // the rows are 975..2025 of the block (1951 excess rows: 975 before, 976 after),
    // the rows xdas and DASCore both return
    let path = vendor_file("febus_2.h5").unwrap();
    let f = hdf5::File::open(&path).unwrap();
    let block = f
        .dataset("fa1-24090193/Source1/Zone1/PSD [dB re 1 nStrain|sqrt(Hz)]")
        .unwrap()
        .read_dyn::<f32>()
        .unwrap();
    let want = block
        .slice(ndarray::s![0, 975..2025, ..])
        .mapv(f64::from)
        .into_dyn();
    assert!(same(&da.load_as::<f64>().unwrap().data().clone(), &want));
}

/// `exact_step` keeps `Spacing[1]` = 1/1050 s: same start, last label 0.4 ms later.
#[test]
fn febus_psd_exact_step() {
    let Some(path) = vendor_file("febus_2.h5") else {
        return;
    };
    let opts = FebusOptions {
        exact_step: true,
        ..Default::default()
    };
    let da = febus::open_with_options(&path, &opts).unwrap();
    assert_eq!(da.dims(), ["time", "distance"]);
    assert_eq!(da.shape(), [1050, 101]);
    assert_eq!(time_at(&da, 0), "2025-09-23T11:40:12.584954000");
    assert_eq!(time_at(&da, 1049), "2025-09-23T11:40:13.584001619");
    assert_eq!(time_at(&da, 525), "2025-09-23T11:40:13.084954000");
}

/// The spectral reading, on request.
#[test]
fn febus_psd_as_spectra() {
    let Some(path) = vendor_file("febus_2.h5") else {
        return;
    };
    let opts = FebusOptions {
        spectra: true,
        ..Default::default()
    };
    let da = febus::open_with_options(&path, &opts).unwrap();
    assert_eq!(da.engine(), "febus");
    assert_eq!(da.dims(), ["time", "frequency", "distance"]);
    assert_eq!(da.shape(), [1, 3001, 101]);
    assert_eq!(da.dtype(), DType::F32);
    // the block stamp (the centre of its 1.05 s window), to the µs
    assert_eq!(time_at(&da, 0), "2025-09-23T11:40:13.084954000");
    let (x0, x1) = (f64_at(&da, "distance", 0), f64_at(&da, "distance", 100));
    assert!(close(x0, 101.0) && close(x1, 141.0), "{x0} {x1}");
    check_block_read(&da);
    assert_eq!(da.name(), Some("psd"));
    let attrs = da.attrs().expect("attributes");
    assert_eq!(
        attrs.get("units"),
        Some(&xdas_core::AttrValue::Str(
            "dB re 1 nStrain|sqrt(Hz)".into()
        ))
    );
    assert_eq!(
        attrs.get("febus_content"),
        Some(&xdas_core::AttrValue::Str("psd".into()))
    );
    assert!(attrs.get("febus_note").is_none());
    let (f0, f1) = (f64_at(&da, "frequency", 0), f64_at(&da, "frequency", 3000));
    assert!(close(f0, 952.3809523809523) && close(f1, 3809.523809523809));
    assert!(close(
        match da.coord("frequency").unwrap().sampling_interval() {
            Some(Scalar::F64(v)) => v,
            other => panic!("{other:?}"),
        },
        1.0 / 1.05
    ));
}

/// The facts, read from `febus_2.h5`, behind the engine's two decisions: the zone holds
/// spectra (kept available as `spectra: true`), and, read as time (the default), the
/// block stamp labels the centre of the block (xdas's placement, not DASCore's).
#[test]
fn febus_psd_metadata() {
    let Some(path) = vendor_file("febus_2.h5") else {
        return;
    };
    let f = hdf5::File::open(&path).unwrap();
    let src = f.group("fa1-24090193/Source1").unwrap();
    let zone = src.group("Zone1").unwrap();
    let attr = |g: &hdf5::Group, n: &str| g.attr(n).unwrap().read_raw::<f64>().unwrap();
    let names = zone.member_names().unwrap();
    assert_eq!(names, ["PSD [dB re 1 nStrain|sqrt(Hz)]"]);
    // the source block: 26250 samples of 0.04 ms = 1.05 s, centred on the stamp
    let (s_ext, s_sp, s_org) = (
        attr(&src, "Extent"),
        attr(&src, "Spacing"),
        attr(&src, "Origin"),
    );
    let window_ms = (s_ext[3] - s_ext[2] + 1.0) * s_sp[1];
    assert!((window_ms - 1050.0).abs() < 1e-6);
    assert!((s_org[1] + window_ms / 2.0).abs() < 1e-6);
    // = one block period (BlockRate 1000 mHz) plus the declared 5 % overlap
    assert_eq!(attr(&src, "BlockRate")[0], 1000.0);
    assert_eq!(attr(&src, "BlockOverlap")[0], 5.0);
    // the zone's row spacing is that window's frequency resolution, 1 / 1.05 Hz
    let z_sp = attr(&zone, "Spacing");
    assert!((z_sp[1] - 1000.0 / window_ms).abs() < 1e-9);
    // read as time, 3001 rows at 1050 Hz would span 2.86 s per 1 s block: 186 % overlap
    let rows = 3001.0;
    let overlap = rows * z_sp[1] / 1000.0 - 1.0;
    assert!(overlap > 1.8, "{overlap}");

    // read as time: both libraries keep round(1 s / dt) = 1050 rows from row 975
    let keep = (1000.0 / z_sp[1]).round();
    assert_eq!(keep, 1050.0);
    let skip = ((rows - keep) / 2.0).floor();
    assert_eq!(skip, 975.0);
    // xdas: stamp on the middle row → the kept second is [stamp − 0.5 s, stamp + 0.5 s),
    // inside the ±525 ms window the stamp labels
    let xdas_start_ms = (skip - (rows / 2.0).floor()) * z_sp[1];
    assert!((xdas_start_ms + 500.0).abs() < 1e-6);
    assert!(xdas_start_ms >= s_org[1] && xdas_start_ms + 1000.0 <= s_org[1] + window_ms);
    // DASCore: stamp + zone Origin[1] (= 0) is row 0 → its second starts 0.93 s after
    // the stamp, past the end of that window
    let z_org = attr(&zone, "Origin");
    assert_eq!(z_org[1], 0.0);
    let dascore_start_ms = z_org[1] + skip * z_sp[1];
    assert!(
        dascore_start_ms > s_org[1] + window_ms,
        "{dascore_start_ms}"
    );
}

#[test]
fn febus_bad_input() {
    let Some(path) = vendor_file("febus_2.h5") else {
        return;
    };
    check_truncated(&path, "febus");
    let zone = "fa1-24090193/Source1/Zone1";
    let t = corrupted(&path, "febus_spacing", |f| {
        let g = f.group(zone)?;
        set_str_attr(&g, "Spacing", "0.4 m")
    });
    check_corrupted(&t, "febus", "Spacing");
    let t = corrupted(&path, "febus_extent", |f| {
        let g = f.group(zone)?;
        g.delete_attr("Extent")?;
        g.new_attr::<f64>()
            .shape(2)
            .create("Extent")?
            .write_raw(&[1.0, 2.0][..])
    });
    check_corrupted(&t, "febus", "Extent");
    let t = corrupted(&path, "febus_time", |f| {
        let g = f.group("fa1-24090193/Source1")?;
        g.unlink("time")?;
        g.new_dataset_builder()
            .with_data(&[1.0f64, 2.0][..])
            .create("time")?;
        Ok(())
    });
    check_corrupted(&t, "febus", "2 stamps for 1 blocks");
}

// ------------------------------------------------ synthetic Febus strain-rate files

const T0: &str = "2024-05-01T00:00:00";

/// A strain-rate file: `nblocks` blocks of `nrows` rows (`dt` = 0.2 ms, 1 block/s) and
/// 4 channels; block `k` row `r` channel `c` holds `(5000 k + r − 500) · 10 + c`, so a
/// correct trim of 500 rows each side reads `10 i + c` at time index `i`.
fn strain_rate_file(tag: &str, stamps: &[f64], origin_t: f64, zones: usize) -> Temp {
    let t = Temp::new(tag);
    let (nrows, nx) = (6000usize, 4usize);
    let nblocks = stamps.len();
    let f = hdf5::File::create(&t.0).unwrap();
    let src = f.create_group("fa1-00000000/Source1").unwrap();
    src.new_dataset_builder()
        .with_data(stamps)
        .create("time")
        .unwrap();
    for name in ["SamplingRate", "Hostname", "WholeExtent", "AmpliPower"] {
        src.new_attr::<i32>()
            .create(name)
            .unwrap()
            .write_scalar(&1)
            .unwrap();
    }
    for z in 1..=zones {
        let zone = src.create_group(&format!("Zone{z}")).unwrap();
        let put = |name: &str, v: &[f64]| {
            zone.new_attr::<f64>()
                .shape(v.len())
                .create(name)
                .unwrap()
                .write_raw(v)
                .unwrap();
        };
        put("Spacing", &[2.0, 0.2, 1.0]);
        put("Extent", &[10.0, 13.0, 0.0, 5999.0, 0.0, 0.0]);
        put("Origin", &[5.0, origin_t, 0.0]);
        put("BlockRate", &[1000.0]);
        put("GaugeLength", &[10.0]);
        let mut data = ndarray::Array3::<f32>::zeros((nblocks, nrows, nx));
        for ((k, r, c), v) in data.indexed_iter_mut() {
            *v = ((5000 * k + r) as f32 - 500.0) * 10.0 + c as f32;
        }
        zone.new_dataset_builder()
            .with_data(&data)
            .create("StrainRate")
            .unwrap();
    }
    t
}

fn t0_seconds() -> f64 {
    Datetime::parse(T0).unwrap().ns() as f64 / 1e9
}

#[test]
fn febus_strain_rate_trims_overlaps() {
    let s = t0_seconds();
    let t = strain_rate_file("sr", &[s, s + 1.0, s + 2.0], 0.0, 1);
    let da = xdas_io::open(&t.0).unwrap();
    assert_eq!(da.engine(), "febus");
    assert_eq!(da.dims(), ["time", "distance"]);
    assert_eq!(da.name(), Some("strain_rate"));
    assert_eq!(da.shape(), [15000, 4]);
    // stamps refer to the middle row (3000): the first kept row (500) is 0.5 s earlier
    assert_eq!(time_at(&da, 0), "2024-04-30T23:59:59.500000000");
    assert_eq!(time_at(&da, 14999), "2024-05-01T00:00:02.499800000");
    assert_eq!(
        da.coord("time").unwrap().sampling_interval(),
        Some(Scalar::Timedelta(xdas_core::Timedelta::from_ns(200_000)))
    );
    assert_eq!(f64_at(&da, "distance", 0), 25.0);
    assert_eq!(f64_at(&da, "distance", 3), 31.0);
    let v = da.load_as::<f64>().unwrap();
    for ((i, c), x) in v
        .data()
        .clone()
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap()
        .indexed_iter()
    {
        assert_eq!(*x, (10 * i + c) as f64, "row {i} channel {c}");
    }
    // block reads across block boundaries
    for (a, b) in [
        (4990, 5010),
        (0, 1),
        (14999, 15000),
        (3000, 12000),
        (5000, 10000),
    ] {
        let part = da
            .isel("time", a, b)
            .unwrap()
            .isel("distance", 1, 3)
            .unwrap();
        let got = part.load_as::<f64>().unwrap();
        let want = ArrayD::from_shape_fn(IxDyn(&[b - a, 2]), |ix| {
            (10 * (a + ix[0]) + ix[1] + 1) as f64
        });
        assert_eq!(got.data(), &want, "rows {a}..{b}");
    }
    check_block_read(&da);
}

/// xdas 0.2.7 bug 13: `overlaps = (k, 0)` must keep `block − k` rows, not none.
#[test]
fn febus_overlaps_with_a_zero_end() {
    let s = t0_seconds();
    let t = strain_rate_file("sr_k0", &[s, s + 1.0, s + 2.0], 0.0, 1);
    let opts = FebusOptions {
        overlaps: Some((1000, 0)),
        ..Default::default()
    };
    let da = febus::open_with_options(&t.0, &opts).unwrap();
    assert_eq!(da.shape(), [15000, 4]);
    // first kept row 1000 of block 0: (1000 − 500) · 10
    let first = da.isel("time", 0, 1).unwrap().load_as::<f64>().unwrap();
    assert_eq!(
        first.data().iter().copied().collect::<Vec<_>>(),
        [5000.0, 5001.0, 5002.0, 5003.0]
    );
    // the start moves with the trim: (1000 − 3000) · 0.2 ms before the stamp
    assert_eq!(time_at(&da, 0), "2024-04-30T23:59:59.600000000");
    // and (0, k) too
    let opts = FebusOptions {
        overlaps: Some((0, 1000)),
        ..Default::default()
    };
    let da = febus::open_with_options(&t.0, &opts).unwrap();
    assert_eq!(da.shape(), [15000, 4]);
    assert_eq!(time_at(&da, 0), "2024-04-30T23:59:59.400000000");
    // nothing left is an error, not an empty array
    let opts = FebusOptions {
        overlaps: Some((3000, 3000)),
        ..Default::default()
    };
    let err = febus::open_with_options(&t.0, &opts).unwrap_err();
    assert!(err.to_string().contains("leave nothing"), "{err}");
}

#[test]
fn febus_time_origin_and_gaps() {
    let s = t0_seconds();
    // Origin[1] = −100 ms: the stamp is row 500, the first kept row
    let t = strain_rate_file("sr_origin", &[s, s + 1.0], -100.0, 1);
    let da = xdas_io::open(&t.0).unwrap();
    assert_eq!(time_at(&da, 0), "2024-05-01T00:00:00.000000000");
    // a late third block: a gap of 0.5 s in the labels, none in the samples
    let t = strain_rate_file("sr_gap", &[s, s + 1.0, s + 2.5], 0.0, 1);
    let da = xdas_io::open(&t.0).unwrap();
    assert_eq!(da.shape(), [15000, 4]);
    assert_eq!(time_at(&da, 9999), "2024-05-01T00:00:01.499800000");
    assert_eq!(time_at(&da, 10000), "2024-05-01T00:00:02.000000000");
    assert_eq!(time_at(&da, 14999), "2024-05-01T00:00:02.999800000");
    let tail = da
        .isel("time", 9999, 10001)
        .unwrap()
        .load_as::<f64>()
        .unwrap();
    assert_eq!(tail.data()[[1, 0]], 100000.0);
}

#[test]
fn febus_several_zones() {
    let s = t0_seconds();
    let t = strain_rate_file("sr_zones", &[s, s + 1.0], 0.0, 2);
    let err = xdas_io::open(&t.0).unwrap_err();
    assert!(err.to_string().contains("2 zones"), "{err}");
    let opts = FebusOptions {
        zone: Some(("Source1".into(), "Zone2".into())),
        ..Default::default()
    };
    let da = febus::open_with_options(&t.0, &opts).unwrap();
    assert_eq!(da.shape(), [10000, 4]);
    let opts = FebusOptions {
        zone: Some(("Source1".into(), "Zone9".into())),
        ..Default::default()
    };
    assert!(febus::open_with_options(&t.0, &opts).is_err());
}

// ------------------------------------------------------------------ Terra15

#[test]
fn terra15_v5() {
    let e = Expect {
        engine: "terra15",
        dims: &["time", "distance"],
        shape: &[2060, 43],
        dtype: DType::F32,
        // the stored doubles to the ns, as xdas (DASCore: ...288 / ...777)
        time: (
            "2022-08-23T23:09:54.373836279",
            "2022-08-23T23:09:55.013713598",
        ),
        distance: (30.220190562593654, 98.82819075875223),
    };
    let Some(da) = check("terra15_v5_test_file.hdf5", &e) else {
        return;
    };
    check_block_read(&da);
}

#[test]
fn terra15_unfilled_last_frame() {
    let Some(path) = vendor_file("terra15_v5_test_file.hdf5") else {
        return;
    };
    let t = corrupted(&path, "t15_frame", |f| {
        let ds = f.dataset("data_product/gps_time")?;
        let mut v = ds.read_raw::<f64>()?;
        for x in &mut v[1960..] {
            *x = 0.0;
        }
        ds.write_raw(&v[..])
    });
    let da = xdas_io::open(&t.0).unwrap();
    assert_eq!(da.shape(), [1960, 43]);
    let full = xdas_io::open(&path).unwrap();
    let want = full.isel("time", 0, 1960).unwrap().load().unwrap();
    assert_eq!(da.load().unwrap(), want);
    assert!(da.isel("time", 1950, 1960).unwrap().load().is_ok());
    let f = hdf5::File::open(&path).unwrap();
    let gps = f
        .dataset("data_product/gps_time")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    let last = Datetime::from_ns((gps[1959] * 1e6).round() as i64 * 1000);
    let got = match da.coord("time").unwrap().value(1959).unwrap() {
        Scalar::Datetime(t) => t,
        other => panic!("{other:?}"),
    };
    assert!((got.ns() - last.ns()).abs() < 1000);
}

/// Version 4 keeps the samples in the group named by the `data_product` attribute;
/// version 6 has the layout of version 5.
#[test]
fn terra15_v4_and_v6_layouts() {
    let Some(path) = vendor_file("terra15_v5_test_file.hdf5") else {
        return;
    };
    let orig = xdas_io::open(&path).unwrap();
    let version = |v: i64| {
        move |f: &hdf5::File| -> hdf5::Result<()> {
            f.delete_attr("file_version")?;
            f.new_attr::<i64>().create("file_version")?.write_scalar(&v)
        }
    };
    let t = corrupted(&path, "t15_v4", |f| {
        version(4)(f)?;
        f.relink("data_product", "velocity")
    });
    let v4 = xdas_io::open(&t.0).unwrap();
    assert_eq!(v4.engine(), "terra15");
    assert!(
        v4.coord("time")
            .unwrap()
            .equals(orig.coord("time").unwrap())
    );
    assert_eq!(v4.load().unwrap(), orig.load().unwrap());
    let t = corrupted(&path, "t15_v6", version(6));
    let v6 = xdas_io::open(&t.0).unwrap();
    assert!(
        v6.coord("distance")
            .unwrap()
            .equals(orig.coord("distance").unwrap())
    );
    assert_eq!(v6.shape(), orig.shape());
    // a version 4 file whose data product group is missing
    let t = corrupted(&path, "t15_v4_bad", version(4));
    check_corrupted(&t, "terra15", "velocity");
}

#[test]
fn terra15_bad_input() {
    let Some(path) = vendor_file("terra15_v5_test_file.hdf5") else {
        return;
    };
    check_truncated(&path, "terra15");
    let t = corrupted(&path, "t15_version", |f| {
        f.delete_attr("file_version")?;
        f.new_attr::<i64>()
            .create("file_version")?
            .write_scalar(&9i64)
    });
    check_corrupted(&t, "terra15", "file_version 9");
    let t = corrupted(&path, "t15_dx", |f| set_str_attr(f, "dx", "1.6 m"));
    check_corrupted(&t, "terra15", "\"dx\"");
    let t = corrupted(&path, "t15_time", |f| {
        f.dataset("data_product/gps_time")?
            .write_raw(&vec![f64::NAN; 2060][..])
    });
    check_corrupted(&t, "terra15", "gps_time");
}

// ------------------------------------------------------------------ Silixa HDF5

#[test]
fn silixa_h5() {
    let e = Expect {
        engine: "silixa_h5",
        dims: &["time", "distance"],
        shape: &[100, 3840],
        dtype: DType::I16,
        time: (
            "2023-09-22T18:29:26.158000000",
            "2023-09-22T18:29:26.356000000",
        ),
        // Start Distance + k · SpatialResolution · multiplier (DASCore: 8082.9 .. 15921.8)
        distance: (0.765761, 7839.635217),
    };
    let Some(da) = check("silixa_h5_1.hdf5", &e) else {
        return;
    };
    check_block_read(&da);
}

/// The distance decision: the axis ends next to the file's `Stop Distance (m)` and
/// inside the fibre; DASCore's starts beyond it.
#[test]
fn silixa_h5_distance_matches_stop_distance() {
    let Some(path) = vendor_file("silixa_h5_1.hdf5") else {
        return;
    };
    let f = hdf5::File::open(&path).unwrap();
    let ds = f.dataset("Acoustic").unwrap();
    let num = |n: &str| -> f64 {
        let s: VarLenUnicode = ds.attr(n).unwrap().read_scalar().unwrap();
        s.as_str().trim().parse().unwrap()
    };
    let da = xdas_io::open(&path).unwrap();
    let last = f64_at(&da, "distance", 3839);
    let step = num("SpatialResolution[m]") * num("Fibre Length Multiplier");
    assert!((last - num("Stop Distance (m)")).abs() < step / 10.0);
    let fibre = num("MeasureLength[m]") * num("Fibre Length Multiplier");
    assert!(last < fibre);
    let dascore_start = num("StartPosition[m]") + fibre;
    assert!(
        dascore_start > fibre,
        "DASCore's axis starts past the fibre's end"
    );
}

#[test]
fn silixa_h5_bad_input() {
    let Some(path) = vendor_file("silixa_h5_1.hdf5") else {
        return;
    };
    check_truncated(&path, "silixa_h5");
    let t = corrupted(&path, "six_fs", |f| {
        let ds = f.dataset("Acoustic")?;
        set_str_attr(&ds, "SamplingFrequency[Hz]", "fast")
    });
    check_corrupted(&t, "silixa_h5", "SamplingFrequency[Hz]");
    let t = corrupted(&path, "six_gps", |f| {
        let ds = f.dataset("Acoustic")?;
        set_str_attr(&ds, "GPSTimeStamp", "22/09/2023 (UTC)")
    });
    check_corrupted(&t, "silixa_h5", "GPSTimeStamp");
    // one sample every 31.7 years: 100 of them leave the datetime64[ns] range
    let t = corrupted(&path, "six_slow", |f| {
        let ds = f.dataset("Acoustic")?;
        set_str_attr(&ds, "SamplingFrequency[Hz]", "1e-9")
    });
    check_corrupted(&t, "silixa_h5", "datetime range");
}

// ------------------------------------------------------------------ detection

/// Each engine declines the other engines' files with a reason; a non-HDF5 file lists
/// every engine tried.
#[test]
fn detection_is_by_content() {
    let Some(path) = vendor_file("silixa_h5_1.hdf5") else {
        return;
    };
    // the extension does not matter
    let t = copy_of(&path, "noext.bin");
    assert_eq!(xdas_io::open(&t.0).unwrap().engine(), "silixa_h5");
    let junk = Temp::new("junk.h5");
    std::fs::write(&junk.0, b"not an HDF5 file at all").unwrap();
    let err = xdas_io::open(&junk.0).unwrap_err();
    let msg = err.to_string();
    for e in ["apsensing", "asn", "febus", "terra15", "silixa_h5"] {
        assert!(msg.contains(e), "{msg}");
    }
    // an HDF5 file of none of these layouts: one reason per engine
    let other = Temp::new("other.h5");
    {
        let f = hdf5::File::create(&other.0).unwrap();
        f.new_dataset::<f32>().shape((2, 2)).create("x").unwrap();
    }
    match xdas_io::open(&other.0) {
        Err(IoError::Unknown { tried, .. }) => {
            for e in ["apsensing", "asn", "febus", "terra15", "silixa_h5"] {
                let why = &tried.iter().find(|(n, _)| n == e).unwrap().1;
                assert!(!why.is_empty() && !why.contains('\n'), "{e}: {why:?}");
                println!("{e} declines: {why}");
            }
        }
        // a group-B engine may claim a lone dataset; the group-A ones must not
        Ok(da) => assert!(
            !["apsensing", "asn", "febus", "terra15", "silixa_h5"].contains(&da.engine()),
            "{}",
            da.engine()
        ),
        Err(e) => panic!("{e}"),
    }
}
