//! HDF5 vendor engines, group B: PRODML (Silixa iDAS, OptaSense FBE), GDR, H5Simple,
//! Neubrex. Real files are read in place from `$XDAS_TEST_DATA/data/das` (default
//! `../shared`); tests print "skipping" and pass when they are absent.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use hdf5::types::VarLenUnicode;
use ndarray::{Array1, Array2};
use xdas_core::coords::CoordKind;
use xdas_core::{DType, Scalar, Values};
use xdas_io::engine::{engine, engines};
use xdas_io::{Data, InMemory, IoError, LazyArray, Probe, Source};

// ------------------------------------------------------------------ helpers

use xdas_testdata::vendor_file as file;

fn data_dir() -> PathBuf {
    xdas_testdata::shared_dir().join("data").join("das")
}

/// A unique temporary path, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(tag: &str) -> Temp {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        Temp(std::env::temp_dir().join(format!("xdas_vendors_b_{}_{n}_{tag}", std::process::id())))
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn vlu(s: &str) -> VarLenUnicode {
    s.parse().expect("no NUL in test strings")
}

fn time_at(da: &LazyArray, i: usize) -> String {
    match da
        .coord("time")
        .expect("time coordinate")
        .value(i)
        .expect("in range")
    {
        Scalar::Datetime(t) => t.to_string(),
        other => panic!("time label {other:?} is not a datetime"),
    }
}

fn distance_at(da: &LazyArray, i: usize) -> f64 {
    match da
        .coord("distance")
        .expect("distance coordinate")
        .value(i)
        .expect("in range")
    {
        Scalar::F64(x) => x,
        other => panic!("distance label {other:?} is not a float"),
    }
}

struct Expected {
    file: &'static str,
    engine: &'static str,
    dims: &'static [&'static str],
    shape: &'static [usize],
    dtype: DType,
    time: (&'static str, &'static str),
    distance: (f64, f64),
    /// Absolute tolerance on distances.
    distance_tol: f64,
}

/// The table of issue 5 (DASCore 0.1.24 / xdas 0.2.10), with the decisions the
/// engines' docs explain (FBE band axis, h5simple's last time, neubrex's float32).
const EXPECTED: &[Expected] = &[
    Expected {
        file: "iDAS005_hdf5_example.626.h5",
        engine: "prodml",
        dims: &["time", "distance"],
        shape: &[1000, 1152],
        dtype: DType::I16,
        time: (
            "2019-05-31T08:38:50.626928000",
            "2019-05-31T08:38:51.625928000",
        ),
        distance: (-120.47233438491821, 1054.6434018611908),
        distance_tol: 1e-9,
    },
    Expected {
        file: "prodml_2.0.h5",
        engine: "prodml",
        dims: &["time", "distance"],
        shape: &[2500, 512],
        dtype: DType::I16,
        time: (
            "1970-01-01T00:00:00.000000000",
            "1970-01-01T00:00:12.495000000",
        ),
        distance: (-265.4475164413452, 256.2589485645294),
        distance_tol: 1e-9,
    },
    Expected {
        // DASCore: five 453×301 float32 patches, one per band; here one array with a
        // trailing band axis
        file: "prodml_fbe_1.h5",
        engine: "prodml",
        dims: &["time", "distance", "band"],
        shape: &[453, 301, 5],
        dtype: DType::F32,
        time: (
            "2023-04-26T16:14:49.042000000",
            "2023-04-26T16:53:23.282000000",
        ),
        distance: (0.0, 306.28570318222046),
        distance_tol: 1e-9,
    },
    Expected {
        file: "gdr_1.h5",
        engine: "gdr",
        dims: &["time", "distance"],
        shape: &[10000, 10],
        dtype: DType::F32,
        time: (
            "2016-03-08T17:40:30.195000000",
            "2016-03-08T17:40:40.194000000",
        ),
        distance: (0.0, 9.189),
        distance_tol: 1e-9,
    },
    Expected {
        // DASCore: dim "channel" and last time ...780 (step truncated to whole ns);
        // here "distance" holding channel numbers and the file's last stamp
        file: "h5_simple_1.h5",
        engine: "h5simple",
        dims: &["time", "distance"],
        shape: &[200, 100],
        dtype: DType::F32,
        time: (
            "2023-09-04T20:05:06.884208128",
            "2023-09-04T20:05:07.680197888",
        ),
        distance: (0.0, 99.0),
        distance_tol: 0.0,
    },
    Expected {
        // DASCore prints the float32 7200.358; the float64 widening gives 7200.35779...
        file: "neubrex_das_1.h5",
        engine: "neubrex",
        dims: &["time", "distance"],
        shape: &[30, 17534],
        dtype: DType::F32,
        time: (
            "2023-05-22T06:25:34.617505100",
            "2023-05-22T06:25:34.646505100",
        ),
        distance: (0.0, 7200.358),
        distance_tol: 1e-3,
    },
];

fn check_expected(e: &Expected) -> Option<LazyArray> {
    let path = file(e.file)?;
    let da = xdas_io::open(&path).unwrap_or_else(|err| panic!("{}: {err}", e.file));
    assert_eq!(da.engine(), e.engine, "{}", e.file);
    assert_eq!(da.dims(), e.dims, "{}", e.file);
    assert_eq!(da.shape(), e.shape, "{}", e.file);
    assert_eq!(da.dtype(), e.dtype, "{}", e.file);
    let (nt, nd) = (e.shape[0], e.shape[1]);
    assert_eq!(time_at(&da, 0), e.time.0, "{} first time", e.file);
    assert_eq!(time_at(&da, nt - 1), e.time.1, "{} last time", e.file);
    let (d0, d1) = (distance_at(&da, 0), distance_at(&da, nd - 1));
    assert!(
        (d0 - e.distance.0).abs() <= e.distance_tol,
        "{}: first distance {d0}",
        e.file
    );
    assert!(
        (d1 - e.distance.1).abs() <= e.distance_tol,
        "{}: last distance {d1}",
        e.file
    );
    println!(
        "{}: {} {:?} {:?} {:?}; time {} … {}; distance {d0} … {d1}",
        e.file,
        da.engine(),
        da.dims(),
        da.shape(),
        da.dtype(),
        time_at(&da, 0),
        time_at(&da, nt - 1)
    );
    Some(da)
}

/// A block read lazily equals the same block of a full read.
fn check_block(da: &LazyArray, block: &[Range<usize>]) {
    let full = da.load().expect("full read");
    assert_eq!(full.shape(), da.shape().as_slice());
    let mut sub = da.clone();
    for (dim, r) in da.dims().to_vec().iter().zip(block) {
        sub = sub.isel(dim, r.start, r.end).expect("selection in range");
    }
    let lazy = sub.load().expect("block read");
    let eager = InMemory(full).read(block).expect("block of the full read");
    assert_eq!(lazy, eager, "block {block:?}");
    // labels follow the selection
    assert_eq!(time_at(&sub, 0), time_at(da, block[0].start));
}

fn expected(name: &str) -> &'static Expected {
    EXPECTED.iter().find(|e| e.file == name).expect("listed")
}

// ------------------------------------------------------------------ real files

#[test]
fn idas_prodml_2_1() {
    let Some(da) = check_expected(expected("iDAS005_hdf5_example.626.h5")) else {
        return;
    };
    check_block(&da, &[100..357, 500..777]);
    let attrs = da.attrs().expect("attributes");
    assert_eq!(attrs.get("schema_version"), Some(&"2.1".into()));
    assert_eq!(attrs.get("vendor"), Some(&"Silixa".into()));
    assert_eq!(attrs.get("gauge_length"), Some(&10.0.into()));
    assert_eq!(
        da.coord("time").unwrap().sampling_interval_seconds(),
        Some(0.001)
    );
}

#[test]
fn prodml_2_0() {
    let Some(da) = check_expected(expected("prodml_2.0.h5")) else {
        return;
    };
    check_block(&da, &[1000..2500, 0..7]);
    assert_eq!(
        da.attrs().unwrap().get("schema_version"),
        Some(&"2.0".into())
    );
    assert_eq!(
        da.coord("time").unwrap().sampling_interval_seconds(),
        Some(0.005)
    );
}

#[test]
fn prodml_fbe_bands() {
    let Some(da) = check_expected(expected("prodml_fbe_1.h5")) else {
        return;
    };
    check_block(&da, &[50..133, 10..300, 1..4]);
    let band = da.coord("band").unwrap();
    assert_eq!(band.values(), Values::I64(vec![0, 1, 2, 3, 4]));
    let Values::F64(lo) = da.coord("start_frequency").unwrap().values() else {
        panic!("start_frequency is not float")
    };
    assert_eq!(lo[0], -0.48828125);
    assert_eq!(lo[4], 199.70703125);
    assert_eq!(
        da.coord("time").unwrap().sampling_interval_seconds(),
        Some(5.12)
    );
    // band i of the array is FbeData[i] of the file, as DASCore's patch i
    let path = file("prodml_fbe_1.h5").unwrap();
    let f = hdf5::File::open(&path).unwrap();
    for i in [0usize, 2, 4] {
        let want: Array2<f32> = f
            .dataset(&format!("/Acquisition/Processed/Fbe[0]/FbeData[{i}]"))
            .unwrap()
            .read_2d()
            .unwrap();
        let got = da.isel("band", i, i + 1).unwrap().load().unwrap();
        let Data::F32(got) = got else {
            panic!("not float32")
        };
        assert_eq!(got.shape(), &[453, 301, 1]);
        assert_eq!(got.index_axis(ndarray::Axis(2), 0), want.view().into_dyn());
    }
    // an empty band selection reads an empty block
    let none = da.isel("band", 2, 2).unwrap().load().unwrap();
    assert_eq!(none.shape(), &[453, 301, 0]);
    // the public FBE entry point gives the same array
    let fbe = xdas_io::vendors::prodml::open_fbe(&path).unwrap();
    assert_eq!(fbe.shape(), da.shape());
}

#[test]
fn gdr() {
    let Some(da) = check_expected(expected("gdr_1.h5")) else {
        return;
    };
    check_block(&da, &[9000..10000, 3..10]);
    assert_eq!(
        da.coord("time").unwrap().sampling_interval_seconds(),
        Some(0.001)
    );
    let attrs = da.attrs().unwrap();
    assert_eq!(attrs.get("raw_data_standard"), Some(&"PRODML v2.2".into()));
    assert_eq!(attrs.get("gauge_length"), Some(&10.0.into()));
}

#[test]
fn h5simple() {
    let Some(da) = check_expected(expected("h5_simple_1.h5")) else {
        return;
    };
    check_block(&da, &[1..199, 40..41]);
    // the spatial labels are channel numbers, and say so
    assert_eq!(
        da.attrs().unwrap().get("spatial_axis"),
        Some(&"channel".into())
    );
    // within a microsecond of DASCore's last time (…780, its step truncated to whole ns)
    let last = xdas_core::Datetime::parse(&time_at(&da, 199)).unwrap();
    let dascore = xdas_core::Datetime::parse("2023-09-04T20:05:07.680197780").unwrap();
    assert!((last.ns() - dascore.ns()).abs() < 1000);
}

#[test]
fn neubrex() {
    let Some(da) = check_expected(expected("neubrex_das_1.h5")) else {
        return;
    };
    check_block(&da, &[3..30, 17000..17534]);
    assert_eq!(
        da.coord("time").unwrap().sampling_interval_seconds(),
        Some(0.001)
    );
    // the last position is the file's StopPosition to float32 precision
    assert_eq!(distance_at(&da, 17533) as f32, 7200.358_f32);
    let attrs = da.attrs().unwrap();
    assert_eq!(attrs.get("instrument_model"), Some(&"NBX-S4110".into()));
}

/// Each engine recognises its own files and no other file of the data directory.
#[test]
fn detection_does_not_swallow_other_formats() {
    let dir = data_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipping: {} not found", dir.display());
        return;
    };
    let ours = ["prodml", "gdr", "h5simple", "neubrex"];
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let owner = EXPECTED.iter().find(|e| e.file == name).map(|e| e.engine);
        let probe = Probe::new(&path).unwrap();
        for e in ours {
            let verdict = engine(e).unwrap().detect(&probe);
            assert_eq!(
                verdict.is_ok(),
                owner == Some(e),
                "{e} on {name}: {verdict:?}"
            );
        }
    }
}

// ------------------------------------------------------------------ bad input

/// Copy the first `n` bytes of `src`.
fn truncated(src: &Path, n: usize, tag: &str) -> Temp {
    let bytes = std::fs::read(src).unwrap();
    let t = Temp::new(tag);
    std::fs::write(t.path(), &bytes[..n.min(bytes.len())]).unwrap();
    t
}

/// Opening (and, if that succeeds, reading) gives an error with a message.
fn fails_cleanly(path: &Path) -> IoError {
    let err = match xdas_io::open(path) {
        Err(e) => e,
        Ok(da) => da
            .load()
            .expect_err("a truncated or corrupted file must not read successfully"),
    };
    assert!(!err.to_string().is_empty());
    err
}

#[test]
fn truncated_files_give_errors() {
    for e in EXPECTED {
        let Some(path) = file(e.file) else { continue };
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        for (n, tag) in [(len / 2, "half"), (4096, "4k")] {
            let t = truncated(&path, n, &format!("{tag}.h5"));
            let err = fails_cleanly(t.path());
            assert!(matches!(err, IoError::Unknown { .. }), "{err}");
            // the engine itself, asked directly, says what is wrong
            let direct = xdas_io::open_with(t.path(), e.engine)
                .and_then(|da| da.load().map(|_| ()))
                .expect_err("a truncated file must not read successfully");
            assert!(!direct.to_string().is_empty());
            println!("{} ({tag}): {direct}", e.file);
        }
    }
}

/// Copy `name` and change one attribute with `edit`.
fn corrupted(name: &str, edit: impl FnOnce(&hdf5::File) -> hdf5::Result<()>) -> Option<Temp> {
    let src = file(name)?;
    let t = Temp::new(&format!("corrupt_{name}"));
    std::fs::copy(&src, t.path()).unwrap();
    let f = hdf5::File::open_rw(t.path()).unwrap();
    edit(&f).unwrap();
    f.close().unwrap();
    Some(t)
}

/// Replace attribute `attr` of object `obj` by the string `value`.
fn set_str(f: &hdf5::File, obj: &str, attr: &str, value: &str) -> hdf5::Result<()> {
    fn on(loc: &hdf5::Location, attr: &str, value: &str) -> hdf5::Result<()> {
        if loc.attr(attr).is_ok() {
            loc.delete_attr(attr)?;
        }
        loc.new_attr::<VarLenUnicode>()
            .create(attr)?
            .write_scalar(&vlu(value))
    }
    if obj == "/" {
        on(f, attr, value)
    } else if let Ok(d) = f.dataset(obj) {
        on(&d, attr, value)
    } else {
        let g = f.group(obj)?;
        on(&g, attr, value)
    }
}

fn assert_format_error(err: &IoError, engine: &str, needle: &str) {
    match err {
        IoError::Format {
            engine: e, message, ..
        } => {
            assert_eq!(e, engine, "{err}");
            assert!(message.contains(needle), "{needle:?} not in {message:?}");
        }
        other => panic!("expected a {engine} format error about {needle}, got {other}"),
    }
}

#[test]
fn corrupted_attributes_give_errors() {
    // PRODML: a start time that is not a time
    if let Some(t) = corrupted("prodml_2.0.h5", |f| {
        set_str(
            f,
            "/Acquisition/Raw[0]/RawData",
            "PartStartTime",
            "yesterday",
        )
    }) {
        let err = fails_cleanly(t.path());
        println!("{err}");
        assert_format_error(&err, "prodml", "PartStartTime");
    }
    // PRODML: a spatial sampling interval that is not a number
    if let Some(t) = corrupted("iDAS005_hdf5_example.626.h5", |f| {
        set_str(f, "/Acquisition", "SpatialSamplingInterval", "one metre")
    }) {
        let err = fails_cleanly(t.path());
        println!("{err}");
        assert_format_error(&err, "prodml", "SpatialSamplingInterval");
    }
    // PRODML FBE: unknown dimension names
    if let Some(t) = corrupted("prodml_fbe_1.h5", |f| {
        set_str(
            f,
            "/Acquisition/Processed/Fbe[0]/FbeData[3]",
            "Dimensions",
            "time, depth",
        )
    }) {
        let err = fails_cleanly(t.path());
        println!("{err}");
        assert_format_error(&err, "prodml", "depth");
    }
    // GDR: spacing "NaN"
    if let Some(t) = corrupted("gdr_1.h5", |f| {
        set_str(
            f,
            "/DasMetadata/Interrogator/Acquisition",
            "SpatialSamplingInterval",
            "NaN",
        )
    }) {
        let err = fails_cleanly(t.path());
        println!("{err}");
        assert_format_error(&err, "gdr", "SpatialSamplingInterval");
    }
    // H5Simple: dims naming an unknown axis
    if let Some(t) = corrupted("h5_simple_1.h5", |f| set_str(f, "/", "dims", "time,banana")) {
        let err = fails_cleanly(t.path());
        println!("{err}");
        assert_format_error(&err, "h5simple", "banana");
    }
    // Neubrex: a GPS time stamp that is not a time
    if let Some(t) = corrupted("neubrex_das_1.h5", |f| {
        set_str(f, "/Acoustic", "GPSTimeStamp(UTC)", "2023-13-45 99:99")
    }) {
        let err = fails_cleanly(t.path());
        println!("{err}");
        assert_format_error(&err, "neubrex", "GPSTimeStamp(UTC)");
    }
    // Neubrex: a time decimation nobody documented
    if let Some(t) = corrupted("neubrex_das_1.h5", |f| {
        let a = f.dataset("/Acoustic")?;
        a.delete_attr("TimeDecimationFilter")?;
        a.new_attr::<u8>()
            .create("TimeDecimationFilter")?
            .write_scalar(&4u8)
    }) {
        let err = fails_cleanly(t.path());
        println!("{err}");
        assert_format_error(&err, "neubrex", "TimeDecimationFilter");
    }
}

fn assert_unknown(err: IoError) {
    let IoError::Unknown { tried, .. } = &err else {
        panic!("expected IoError::Unknown, got {err}");
    };
    let all: Vec<&str> = engines().iter().map(|e| e.name()).collect();
    let names: Vec<&str> = tried.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, all, "every engine is tried, in order");
    for (n, why) in tried {
        assert!(!why.trim().is_empty(), "{n} gives no reason");
    }
    for ours in ["prodml", "gdr", "h5simple", "neubrex"] {
        assert!(names.contains(&ours), "{ours} not tried");
    }
    println!("{err}");
}

#[test]
fn random_bytes_are_unknown() {
    let t = Temp::new("random.h5");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..10_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(t.path(), bytes).unwrap();
    assert_unknown(xdas_io::open(t.path()).unwrap_err());
}

#[test]
fn hdf5_of_unknown_layout_is_unknown() {
    let t = Temp::new("unknown_layout.h5");
    {
        let f = hdf5::File::create(t.path()).unwrap();
        let g = f.create_group("measurements").unwrap();
        g.new_dataset_builder()
            .with_data(&Array2::<f32>::zeros((10, 4)))
            .create("strain")
            .unwrap();
        // near misses of the four layouts
        f.create_group("Acquisition").unwrap(); // PRODML without its attributes
        f.create_group("DasMetadata").unwrap(); // GDR without its attributes
        f.new_dataset_builder()
            .with_data(&Array2::<f32>::zeros((10, 4)))
            .create("data")
            .unwrap(); // H5Simple without a time array
        f.new_dataset_builder()
            .with_data(&Array2::<f32>::zeros((10, 4)))
            .create("Acoustic")
            .unwrap(); // Neubrex without its attributes
    }
    let err = xdas_io::open(t.path()).unwrap_err();
    if let IoError::Unknown { tried, .. } = &err {
        let why = |n: &str| tried.iter().find(|(e, _)| e == n).map(|(_, w)| w.clone());
        assert_eq!(
            why("prodml").unwrap(),
            "/Acquisition has no \"schemaVersion\" attribute"
        );
        assert_eq!(
            why("gdr").unwrap(),
            "/DasMetadata has no \"MetadataStandard\" attribute"
        );
        assert!(why("h5simple").unwrap().contains("no root time dataset"));
        assert!(why("neubrex").unwrap().contains("NEUBRESCOPE.DAS.Model"));
    }
    assert_unknown(err);
}

// ------------------------------------------------------------------ synthetic layouts

/// A minimal PRODML file: `/Acquisition` and `Raw[0]/RawData` of `data` stored with
/// `dimensions`.
fn prodml_file(t: &Temp, data: &Array2<i16>, dimensions: Option<[&str; 2]>, nt: usize) {
    let f = hdf5::File::create(t.path()).unwrap();
    let acq = f.create_group("Acquisition").unwrap();
    acq.new_attr::<VarLenUnicode>()
        .create("schemaVersion")
        .unwrap()
        .write_scalar(&vlu("2.0"))
        .unwrap();
    acq.new_attr::<f64>()
        .create("SpatialSamplingInterval")
        .unwrap()
        .write_scalar(&2.0)
        .unwrap();
    acq.new_attr::<i64>()
        .create("StartLocusIndex")
        .unwrap()
        .write_scalar(&5)
        .unwrap();
    let raw = acq.create_group("Raw[0]").unwrap();
    let ds = raw
        .new_dataset_builder()
        .with_data(data)
        .create("RawData")
        .unwrap();
    if let Some(dims) = dimensions {
        ds.new_attr_builder()
            .with_data(&[vlu(dims[0]), vlu(dims[1])])
            .create("Dimensions")
            .unwrap();
    }
    ds.new_attr::<VarLenUnicode>()
        .create("PartStartTime")
        .unwrap()
        .write_scalar(&vlu("2024-01-01T00:00:00.000000+00:00"))
        .unwrap();
    let end = format!("2024-01-01T00:00:00.{:06}Z", 10_000 * nt.saturating_sub(1));
    ds.new_attr::<VarLenUnicode>()
        .create("PartEndTime")
        .unwrap()
        .write_scalar(&vlu(&end))
        .unwrap();
}

#[test]
fn prodml_locus_major_layout_is_transposed() {
    let (nt, nd) = (7, 3);
    let stored = Array2::from_shape_fn((nd, nt), |(d, t)| (100 * d + t) as i16);
    let t = Temp::new("prodml_swapped.h5");
    prodml_file(&t, &stored, Some(["locus", "time"]), nt);
    let da = xdas_io::open(t.path()).unwrap();
    assert_eq!(da.engine(), "prodml");
    assert_eq!(da.dims(), ["time", "distance"]);
    assert_eq!(da.shape(), [nt, nd]);
    assert_eq!(time_at(&da, nt - 1), "2024-01-01T00:00:00.060000000");
    assert_eq!(distance_at(&da, 0), 10.0);
    assert_eq!(distance_at(&da, nd - 1), 14.0);
    let Data::I16(got) = da.load().unwrap() else {
        panic!("not int16")
    };
    assert_eq!(got, stored.t().into_dyn());
    check_block(&da, &[2..5, 1..3]);
}

#[test]
fn prodml_without_dimensions_uses_time_major() {
    let stored = Array2::from_shape_fn((4, 6), |(t, d)| (10 * t + d) as i16);
    let t = Temp::new("prodml_nodims.h5");
    prodml_file(&t, &stored, None, 4);
    let da = xdas_io::open(t.path()).unwrap();
    assert_eq!(da.shape(), [4, 6]);
    assert_eq!(da.load().unwrap(), Data::I16(stored.into_dyn()));
}

#[test]
fn prodml_zero_length_data_is_an_error() {
    let t = Temp::new("prodml_empty.h5");
    prodml_file(&t, &Array2::zeros((0, 5)), Some(["time", "locus"]), 0);
    let err = xdas_io::open(t.path()).unwrap_err();
    assert_format_error(&err, "prodml", "empty");
}

#[test]
fn prodml_without_data_is_an_error() {
    let t = Temp::new("prodml_nodata.h5");
    {
        let f = hdf5::File::create(t.path()).unwrap();
        let acq = f.create_group("Acquisition").unwrap();
        acq.new_attr::<VarLenUnicode>()
            .create("schemaVersion")
            .unwrap()
            .write_scalar(&vlu("2.1"))
            .unwrap();
        acq.new_attr::<f64>()
            .create("SpatialSamplingInterval")
            .unwrap()
            .write_scalar(&1.0)
            .unwrap();
        acq.create_group("Raw[0]").unwrap();
    }
    let err = xdas_io::open(t.path()).unwrap_err();
    assert_format_error(&err, "prodml", "no data");
}

/// H5Simple with a gap in its time stamps keeps the gap as tie points.
#[test]
fn h5simple_irregular_time_keeps_gaps() {
    let t = Temp::new("h5simple_gap.h5");
    let nt = 20;
    let times: Array1<f64> = (0..nt)
        .map(|k| 1_700_000_000.0 + 0.01 * k as f64 + if k >= 10 { 1.0 } else { 0.0 })
        .collect();
    {
        let f = hdf5::File::create(t.path()).unwrap();
        f.new_dataset_builder()
            .with_data(&Array2::<f64>::zeros((nt, 3)))
            .create("data")
            .unwrap();
        f.new_dataset_builder()
            .with_data(&times)
            .create("time")
            .unwrap();
        f.new_dataset_builder()
            .with_data(&Array1::from(vec![5.0, 7.5, 10.0]))
            .create("distance")
            .unwrap();
    }
    let da = xdas_io::open(t.path()).unwrap();
    assert_eq!(da.engine(), "h5simple");
    assert_eq!(da.dtype(), DType::F64);
    let CoordKind::InterpTime(c) = da.coord("time").unwrap().kind() else {
        panic!("time is not interpolated")
    };
    assert_eq!(c.tie_indices(), &[0, 9, 10, 19]);
    let t10 = xdas_core::Datetime::from_ns((times[10] * 1e9).round() as i64);
    assert_eq!(time_at(&da, 10), t10.to_string());
    assert!(
        t10.to_string().starts_with("2023-11-14T22:13:21.09999")
            || t10.to_string().starts_with("2023-11-14T22:13:21.1000")
    );
    assert_eq!(distance_at(&da, 2), 10.0);
    assert!(da.attrs().unwrap().get("spatial_axis").is_none());
}

/// H5Simple stored `(channel, time)`: found from the lengths, read transposed.
#[test]
fn h5simple_channel_major_layout() {
    let t = Temp::new("h5simple_swapped.h5");
    let stored = Array2::from_shape_fn((3, 5), |(c, k)| (10 * c + k) as f32);
    {
        let f = hdf5::File::create(t.path()).unwrap();
        f.new_dataset_builder()
            .with_data(&stored)
            .create("raw")
            .unwrap();
        let stamps: Array1<i64> = (0..5).map(|k| 1_600_000_000_000 + 2 * k).collect(); // ms
        f.new_dataset_builder()
            .with_data(&stamps)
            .create("timestamps")
            .unwrap();
    }
    let da = xdas_io::open(t.path()).unwrap();
    assert_eq!(da.shape(), [5, 3]);
    assert_eq!(time_at(&da, 4), "2020-09-13T12:26:40.008000000");
    let Data::F32(got) = da.load().unwrap() else {
        panic!("not float32")
    };
    assert_eq!(got, stored.t().into_dyn());
}
