//! The native format: golden files written by Python xdas, the old sample file, write →
//! read round trips over every coordinate kind, virtual datasets, damaged files, and (when
//! a Python with xdas is around) interoperability with Python xdas.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use serde_json::Value;
use xdas_core::coords::{InterpCoordinate, SampledCoordinate};
use xdas_core::{AttrValue, Attrs, Coordinate, DType, DataArray, Datetime, Scalar, Timedelta};
use xdas_io::native::{self, LazyCollection, WriteOptions};
use xdas_io::{IoError, LazyArray, Source, Stack};

// ------------------------------------------------------------------ helpers

fn shared() -> Option<PathBuf> {
    let p = xdas_testdata::shared_dir();
    p.is_dir().then_some(p)
}

/// A file under ../shared, or `None` (the test then skips).
fn shared_file(rel: &str) -> Option<PathBuf> {
    let p = shared()?.join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

macro_rules! need {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => {
                eprintln!("skipping: shared test data not found");
                return;
            }
        }
    };
}

/// A temporary directory removed on drop.
struct TmpDir(PathBuf);

impl TmpDir {
    fn new(tag: &str) -> TmpDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "xdas-native-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TmpDir(p)
    }
    fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A little-endian float64 C-order `.npy`.
fn npy_f64(path: &Path) -> ArrayD<f64> {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..6], b"\x93NUMPY");
    let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
    let header = std::str::from_utf8(&b[10..10 + hlen]).unwrap();
    assert!(header.contains("'<f8'") && header.contains("'fortran_order': False"));
    let shape_txt = header
        .split("'shape': (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    let shape: Vec<usize> = shape_txt
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let data: Vec<f64> = b[10 + hlen..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap()
}

fn t0() -> Datetime {
    "2023-01-01T00:00:00".parse().unwrap()
}

fn ns(v: &Value) -> i64 {
    v["timedelta64_ns"].as_i64().unwrap()
}

/// The coordinate a case JSON describes.
fn golden_coord(c: &Value) -> Coordinate {
    assert_eq!(c["type"], "InterpCoordinate");
    let dim = c["dim"].as_str().unwrap();
    let ti: Vec<usize> = c["tie_indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let ratio = c.get("sampling_ratio_num_den");
    if let Some(tv) = c["tie_values"].get("datetime64_ns") {
        let tv: Vec<Datetime> = tv
            .as_array()
            .unwrap()
            .iter()
            .map(|v| Datetime::from_ns(v.as_i64().unwrap()))
            .collect();
        let mut ic = InterpCoordinate::new(ti, tv).unwrap();
        if let Some(r) = ratio.filter(|r| !r.is_null()) {
            ic = ic
                .with_rate(
                    Timedelta::from_ns(ns(&r[0])),
                    r[1].as_u64().unwrap(),
                    Some(Timedelta::from_ns(ns(&c["tolerance"]))),
                )
                .unwrap();
        }
        Coordinate::new(ic, dim)
    } else {
        let tv: Vec<f64> = c["tie_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let mut ic = InterpCoordinate::new(ti, tv).unwrap();
        if let Some(r) = ratio.filter(|r| !r.is_null()) {
            ic = ic
                .with_rate(
                    r[0].as_f64().unwrap(),
                    r[1].as_u64().unwrap(),
                    Some(c["tolerance"].as_f64().unwrap()),
                )
                .unwrap();
        }
        Coordinate::new(ic, dim)
    }
}

/// Check an opened array against a case JSON (dims, shape, coordinates with tie points
/// and rates, name, attributes).
fn check_case(name: &str, lazy: &LazyArray, case: &Value) {
    let dims: Vec<&str> = case["dims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(lazy.dims(), dims.as_slice(), "{name}: dims");
    let shape: Vec<usize> = case["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(lazy.shape(), shape, "{name}: shape");
    let coords = case["coords"].as_object().unwrap();
    assert_eq!(
        lazy.coords().len(),
        coords.len(),
        "{name}: number of coordinates"
    );
    for (cname, c) in coords {
        let got = lazy
            .coord(cname)
            .unwrap_or_else(|| panic!("{name}: no coordinate {cname}"));
        let want = golden_coord(c);
        assert!(
            got.equals(&want),
            "{name}: coordinate {cname}: {got:?} != {want:?}"
        );
    }
    assert_eq!(
        lazy.name(),
        case.get("name").and_then(Value::as_str),
        "{name}: name"
    );
    match case.get("attrs").and_then(Value::as_object) {
        None => assert!(lazy.attrs().is_none(), "{name}: attrs {:?}", lazy.attrs()),
        Some(want) => {
            let got = lazy.attrs().expect("attrs");
            assert_eq!(got.len(), want.len(), "{name}: attrs {got:?}");
            for (k, v) in want {
                let g = got.get(k).unwrap_or_else(|| panic!("{name}: no attr {k}"));
                let w = match v {
                    Value::String(s) => AttrValue::Str(s.clone()),
                    Value::Number(n) if n.is_i64() => AttrValue::Int(n.as_i64().unwrap()),
                    Value::Number(n) => AttrValue::Float(n.as_f64().unwrap()),
                    other => panic!("unexpected attr {other}"),
                };
                assert_eq!(g, &w, "{name}: attr {k}");
            }
        }
    }
}

fn first_last_time(lazy: &LazyArray) -> (String, String) {
    let c = lazy.coord("time").unwrap();
    (
        c.value(0).unwrap().to_string(),
        c.value(c.len() - 1).unwrap().to_string(),
    )
}

// ------------------------------------------------------------------ golden files

#[test]
fn golden_format_cases() {
    let dir = need!(shared_file("reference/golden/format"));
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("format_cases.json")).unwrap())
            .unwrap();
    let small = npy_f64(&dir.join("../inputs/small.npy"));
    let gap = npy_f64(&dir.join("b_gap.values.npy"));
    let mut checked = 0;
    for (name, case) in cases.as_object().unwrap() {
        if !case.is_object() || case.get("dims").is_none() {
            continue; // roundtrip_checks
        }
        let file = [
            dir.join(format!("{name}.nc")),
            dir.join("c_virtual").join(format!("{name}.nc")),
        ]
        .into_iter()
        .find(|p| p.exists());
        let Some(file) = file else {
            // c_virtual_tiles.nc (a tile manifest) is described but not shipped
            eprintln!("skipping {name}: no file");
            continue;
        };
        let lazy = xdas_io::open(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(lazy.engine(), "netcdf");
        check_case(name, &lazy, case);
        let (first, last) = first_last_time(&lazy);
        println!(
            "{name}: dims {:?} shape {:?} dtype {} time {first} … {last}",
            lazy.dims(),
            lazy.shape(),
            lazy.dtype()
        );
        match name.as_str() {
            "a_plain" | "c_virtual_vds" => {
                assert_eq!(lazy.dtype(), DType::F64);
                assert_eq!(
                    lazy.load_as::<f64>().unwrap().data(),
                    &small,
                    "{name}: values"
                );
            }
            "b_gap" => {
                assert_eq!(lazy.dtype(), DType::F64);
                assert_eq!(
                    lazy.load_as::<f64>().unwrap().data(),
                    &gap,
                    "{name}: values"
                );
            }
            "b2_named_attrs_f32_gzip" => {
                assert_eq!(lazy.dtype(), DType::F32);
                assert_eq!(
                    lazy.load_as::<f32>().unwrap().data(),
                    &gap.mapv(|v| v as f32),
                    "{name}: values"
                );
                // a block across chunk boundaries of the compressed file
                let block = lazy
                    .isel("time", 45, 155)
                    .unwrap()
                    .load_as::<f64>()
                    .unwrap();
                let want = gap
                    .slice(ndarray::s![45..155, ..])
                    .mapv(|v| v as f32 as f64)
                    .into_dyn();
                assert_eq!(block.data(), &want);
            }
            other => panic!("unexpected case {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn golden_input_wavefronts() {
    let dir = need!(shared_file("reference/golden/inputs"));
    let lazy = xdas_io::open(dir.join("wavelet_wavefronts.nc")).unwrap();
    let case: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("wavelet_wavefronts.json")).unwrap(),
    )
    .unwrap();
    let mut case = case;
    case.as_object_mut().unwrap().remove("name");
    case.as_object_mut().unwrap().remove("attrs");
    check_case("wavelet_wavefronts", &lazy, &case);
    let data = lazy.load_as::<f64>().unwrap();
    assert_eq!(data.data(), &npy_f64(&dir.join("wavelet_wavefronts.npy")));
}

#[test]
fn golden_dataarraywriter_chunks() {
    let dir = need!(shared_file(
        "reference/golden/format/dataarraywriter_seed_chunks100"
    ));
    for (i, f) in ["000000000", "000000001", "000000002"].iter().enumerate() {
        let lazy = xdas_io::open(dir.join(f)).unwrap();
        assert_eq!(lazy.dims(), ["time", "distance"]);
        assert_eq!(lazy.shape(), [100, 201]);
        assert_eq!(lazy.dtype(), DType::F64);
        let (first, _) = first_last_time(&lazy);
        assert_eq!(first, format!("2023-01-01T00:00:0{}.000000000", 2 * i));
        let d = lazy.coord("distance").unwrap();
        assert_eq!(d.value(200).unwrap(), Scalar::F64(10000.0));
        assert!(
            lazy.load_as::<f64>()
                .unwrap()
                .data()
                .iter()
                .all(|v| v.is_finite())
        );
    }
}

#[test]
fn xdas_netcdf_sample() {
    let file = need!(shared_file("data/das/xdas_netcdf.nc"));
    let lazy = xdas_io::open(&file).unwrap();
    assert_eq!(lazy.engine(), "netcdf");
    assert_eq!(lazy.dims(), ["time", "distance"]);
    assert_eq!(lazy.shape(), [300, 401]);
    assert_eq!(lazy.dtype(), DType::F64);
    assert_eq!(lazy.name(), None);
    assert!(lazy.attrs().is_none());
    let (first, last) = first_last_time(&lazy);
    assert_eq!(first, "2023-01-01T00:00:00.000000000");
    assert_eq!(last, "2023-01-01T00:00:05.980000000");
    let d = lazy.coord("distance").unwrap();
    assert_eq!(d.value(0).unwrap(), Scalar::F64(0.0));
    assert_eq!(d.value(400).unwrap(), Scalar::F64(10000.0));
    // a CF-1.9 file: the coordinates carry no declared rate (xdas 0.2.10 loads them as
    // irregular)
    let Coordinate { .. } = d.clone();
    match lazy.coord("time").unwrap().kind() {
        xdas_core::coords::CoordKind::InterpTime(c) => {
            assert_eq!(c.tie_indices(), [0, 299]);
            assert!(c.ratio().is_none());
        }
        other => panic!("time is {other:?}"),
    }
    let da = lazy.load_as::<f64>().unwrap();
    assert!((da.data()[[0, 0]] - 0.04967141530112327).abs() < 1e-15);
    println!(
        "xdas_netcdf.nc: dims {:?} shape {:?} dtype {} time {first} … {last} distance 0 … 10000",
        lazy.dims(),
        lazy.shape(),
        lazy.dtype()
    );
    // a block equals the same block of the whole
    let block = lazy
        .isel("time", 100, 150)
        .unwrap()
        .load_as::<f64>()
        .unwrap();
    assert_eq!(
        block.data(),
        &da.data().slice(ndarray::s![100..150, ..]).into_dyn()
    );
}

#[test]
fn detection_says_why() {
    let dir = TmpDir::new("detect");
    let txt = dir.join("notes.txt");
    std::fs::write(&txt, "not hdf5").unwrap();
    let e = xdas_io::open(&txt).unwrap_err();
    assert!(matches!(e, IoError::Unknown { .. }), "{e}");
    assert!(e.to_string().contains("netcdf"), "{e}");
    if let Some(f) = shared_file("data/das/febus_2.h5") {
        let why = match xdas_io::open_with(&f, "netcdf") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a Febus file opened as native"),
        };
        assert!(why.contains("Conventions"), "{why}");
    }
}

// ------------------------------------------------------------------ collections

fn nested_collection() -> xdas_core::DataCollection<f64> {
    use xdas_core::DataCollection as DC;
    let a = sample_array::<f64>(12, 3).with_name("a_rate");
    let b = sample_array::<f64>(7, 2);
    let mut c = sample_array::<f64>(5, 4);
    c = c.with_attrs([("units", AttrValue::from("m"))].into_iter().collect());
    DC::mapping(
        Some("network".into()),
        vec![
            ("a".into(), DC::Array(a)),
            (
                "b".into(),
                DC::sequence(
                    Some("record".into()),
                    vec![DC::Array(b.clone()), DC::Array(c)],
                ),
            ),
            (
                "z".into(),
                DC::mapping(None, vec![("only".into(), DC::Array(b))]),
            ),
        ],
    )
}

#[test]
fn collections_round_trip_through_groups() {
    let dir = TmpDir::new("coll");
    // a single array is a one-leaf tree
    let da = sample_array::<f64>(12, 3);
    let single = dir.join("single.nc");
    native::write(&da, &single, &WriteOptions::default()).unwrap();
    match native::open_collection(&single).unwrap() {
        LazyCollection::Array(a) => assert!(a.load_as::<f64>().unwrap().equals(&da)),
        other => panic!("{other:?}"),
    }
    // nested mappings and sequences keep their names, keys and order
    let dc = nested_collection();
    let p = dir.join("coll.nc");
    native::write_collection(&dc, &p, &WriteOptions::default()).unwrap();
    let tree = native::open_collection(&p).unwrap();
    let keys: Vec<String> = tree.leaves().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["a", "b/0", "b/1", "z/only"]);
    assert!(tree.load_as::<f64>().unwrap().equals(&dc));
    match &tree {
        LazyCollection::Mapping { name, items } => {
            assert_eq!(name.as_deref(), Some("network"));
            assert!(
                matches!(&items[1].1, LazyCollection::Sequence { name, .. } if name.as_deref() == Some("record"))
            );
            assert!(matches!(
                &items[2].1,
                LazyCollection::Mapping { name: None, .. }
            ));
        }
        other => panic!("{other:?}"),
    }
    // `open` takes a one-leaf collection as its array and refuses several
    let e = xdas_io::open(&p).unwrap_err().to_string();
    assert!(e.contains("open_collection") && e.contains("b/0"), "{e}");
    let one = xdas_core::DataCollection::mapping(
        None,
        vec![("x".into(), xdas_core::DataCollection::Array(da.clone()))],
    );
    let q = dir.join("one.nc");
    native::write_collection(&one, &q, &WriteOptions::default()).unwrap();
    assert!(
        xdas_io::open(&q)
            .unwrap()
            .load_as::<f64>()
            .unwrap()
            .equals(&da)
    );
}

#[test]
fn cf_time_units_of_any_form() {
    // the CF-1.9 sample declares no rate, so any scale of its tie values is consistent
    let src = need!(shared_file("data/das/xdas_netcdf.nc"));
    let dir = TmpDir::new("units");
    let good = std::fs::read(&src).unwrap();
    let base = xdas_io::open(&src).unwrap();
    let times = |l: &LazyArray| -> Vec<i64> {
        match l.coord("time").unwrap().kind() {
            xdas_core::coords::CoordKind::InterpTime(c) => {
                c.tie_values().iter().map(|t| t.ns()).collect()
            }
            other => panic!("{other:?}"),
        }
    };
    let t = times(&base);
    assert_eq!(t, [1672531200000000000, 1672531205980000000]);
    let from = b"milliseconds since 2023-01-01 00:00:00";
    for (i, (to, scale, shift)) in [
        (
            &b"milliseconds since 2023-01-01T00:00:00"[..],
            1_000_000i64,
            0i64,
        ),
        (b"microseconds since 2023-01-01 00:00:00", 1_000, 0),
        (b"nanoseconds since 2023-01-01T00:00:00Z", 1, 0),
        (b"milliseconds since 2023-01-01 01:00+01", 1_000_000, 0),
        (
            b"milliseconds since 2023-1-1 0:0:1.5UTC",
            1_000_000,
            1_500_000_000,
        ),
        (
            b"milliseconds since 2023-01-02 00:00:00",
            1_000_000,
            86_400_000_000_000,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(from.len(), to.len(), "case {i}");
        let mut bytes = good.clone();
        // the tie values' units (the first occurrence is time_values' attribute)
        assert!(replace_once(&mut bytes, from, to));
        let p = dir.join(format!("u{i}.nc"));
        std::fs::write(&p, &bytes).unwrap();
        let l = xdas_io::open(&p).unwrap();
        let counts = [0i64, 5980];
        let want: Vec<i64> = counts.iter().map(|c| t[0] + shift + c * scale).collect();
        assert_eq!(times(&l), want, "case {i}: {}", String::from_utf8_lossy(to));
    }
    // on a file with a declared rate, rescaled tie values no longer fit it: an error
    if let Some(b) = shared_file("reference/golden/format/b_gap.nc") {
        let mut bytes = std::fs::read(b).unwrap();
        assert!(replace_once(
            &mut bytes,
            from,
            b"microseconds since 2023-01-01 00:00:00"
        ));
        let p = dir.join("rate.nc");
        std::fs::write(&p, &bytes).unwrap();
        let e = xdas_io::open(&p).unwrap_err().to_string();
        assert!(e.contains("not consistent"), "{e}");
    }
}

// ------------------------------------------------------------------ writing

fn sample_array<T: xdas_core::Element + From<f32>>(nt: usize, nx: usize) -> DataArray<T> {
    let data = ArrayD::from_shape_fn(IxDyn(&[nt, nx]), |i| {
        T::from((i[0] * nx + i[1]) as f32 * 0.5 - 3.0)
    });
    DataArray::new(
        data,
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::from_block_time(t0(), nt, Timedelta::from_ns(20_000_000), "time"),
            ),
            (
                "distance",
                Coordinate::from_block(0.0, nx, 25.0, "distance"),
            ),
        ],
    )
    .unwrap()
}

#[test]
fn write_options_chunks_and_deflate() {
    let dir = TmpDir::new("opts");
    let mut da = sample_array::<f32>(300, 21);
    let mut attrs = Attrs::new();
    attrs.insert("units", "1/s");
    attrs.insert("gauge_length", 10.0);
    da = da.with_name("strain_rate").with_attrs(attrs);
    let p = dir.join("gz.nc");
    native::write(
        &da,
        &p,
        &WriteOptions::default()
            .chunks(vec![50, 21])
            .deflate(4)
            .shuffle(true),
    )
    .unwrap();
    let lazy = xdas_io::open(&p).unwrap();
    assert_eq!(lazy.dtype(), DType::F32);
    assert!(lazy.load_as::<f32>().unwrap().equals(&da));
    let plain = dir.join("plain.nc");
    native::write(&da, &plain, &WriteOptions::default()).unwrap();
    let (a, b) = (
        std::fs::metadata(&p).unwrap().len(),
        std::fs::metadata(&plain).unwrap().len(),
    );
    assert!(a < b, "compressed {a} >= plain {b}");
    // bad options are errors, not panics
    assert!(
        native::write(
            &da,
            dir.join("bad.nc"),
            &WriteOptions::default().chunks(vec![0, 1])
        )
        .is_err()
    );
    assert!(
        native::write(
            &da,
            dir.join("bad2.nc"),
            &WriteOptions::default().deflate(12)
        )
        .is_err()
    );
    // integers too
    let di = da.with_data(da.data().mapv(|v| v as i16)).unwrap();
    native::write(&di, dir.join("i16.nc"), &WriteOptions::default()).unwrap();
    let back = xdas_io::open(dir.join("i16.nc")).unwrap();
    assert_eq!(back.dtype(), DType::I16);
    match back.load().unwrap() {
        xdas_io::Data::I16(a) => assert_eq!(&a, di.data()),
        other => panic!("{:?}", other.dtype()),
    }
}

#[test]
fn write_lazy_streams_and_contiguous_reads_are_one_hyperslab() {
    let dir = TmpDir::new("lazy");
    let (nt, nx) = (20_000, 500);
    let da = DataArray::new(
        ArrayD::from_shape_fn(IxDyn(&[nt, nx]), |i| (i[0] as f32) * 1e-3 + i[1] as f32),
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::from_block_time(t0(), nt, Timedelta::from_ns(1_000_000), "time"),
            ),
            ("distance", Coordinate::from_block(0.0, nx, 1.0, "distance")),
        ],
    )
    .unwrap();
    let p = dir.join("big.nc");
    native::write(&da, &p, &WriteOptions::default()).unwrap();
    let lazy = xdas_io::open(&p).unwrap();
    // the data variable is one contiguous dataset: one piece, read by hyperslabs
    let pieces = lazy.source().pieces().unwrap();
    assert_eq!(pieces.len(), 1);
    assert_eq!(pieces[0].dataset, "/__values__");
    // (its speed is measured by the `io` benchmark, not here)
    let block = lazy
        .isel("time", 5_000, 15_000)
        .unwrap()
        .load_as::<f32>()
        .unwrap();
    assert_eq!(block.shape(), [10_000, nx]);
    assert_eq!(block.data()[[0, 3]], 5.0 + 3.0);
    // streamed copy of a selection, chunked and compressed
    let sel = lazy.isel("time", 1_234, 19_001).unwrap();
    let q = dir.join("copy.nc");
    native::write_lazy(&sel, &q, &WriteOptions::default().deflate(1)).unwrap();
    let back = xdas_io::open(&q).unwrap().load_as::<f32>().unwrap();
    assert!(back.equals(&sel.load_as::<f32>().unwrap()));
}

#[test]
fn empty_and_one_dimensional_arrays() {
    let dir = TmpDir::new("empty");
    // no samples along time: empty tie arrays, zero-size dims
    let da = DataArray::new(
        ArrayD::<f64>::zeros(vec![0, 3]),
        &["time", "distance"],
        vec![
            (
                "time",
                Coordinate::new(InterpCoordinate::<Datetime>::empty(), "time"),
            ),
            ("distance", Coordinate::from_block(0.0, 3, 1.0, "distance")),
        ],
    )
    .unwrap();
    let p = dir.join("empty.nc");
    native::write(&da, &p, &WriteOptions::default()).unwrap();
    let back = xdas_io::open(&p).unwrap();
    assert_eq!(back.shape(), [0, 3]);
    assert!(back.load_as::<f64>().unwrap().equals(&da));
    // one dim, a dense coordinate named like it
    let da = DataArray::new(
        ArrayD::from_shape_vec(vec![4], vec![1.0f32, 2.0, 3.0, 4.0]).unwrap(),
        &["channel"],
        vec![(
            "channel",
            Coordinate::dense(vec![10i64, 20, 30, 40], "channel"),
        )],
    )
    .unwrap();
    let p = dir.join("one.nc");
    native::write(&da, &p, &WriteOptions::default().deflate(3)).unwrap();
    assert!(
        xdas_io::open(&p)
            .unwrap()
            .load_as::<f32>()
            .unwrap()
            .equals(&da)
    );
    // labels that do not fit the layout are refused before anything is written
    let bad = DataArray::new(
        ArrayD::<f64>::zeros(vec![2]),
        &["x"],
        vec![("a/b", Coordinate::dense(vec![1.0, 2.0], "x"))],
    )
    .unwrap();
    assert!(native::write(&bad, dir.join("bad.nc"), &WriteOptions::default()).is_err());
}

// ------------------------------------------------------------------ virtual datasets

fn three_parts(dir: &TmpDir) -> (DataArray<f64>, Vec<PathBuf>) {
    let whole = sample_array::<f64>(30, 4)
        .with_name("strain")
        .with_attrs([("units", AttrValue::from("1/s"))].into_iter().collect());
    let mut files = Vec::new();
    for (k, (a, b)) in [(0, 10), (10, 22), (22, 30)].into_iter().enumerate() {
        let part = whole.isel("time", xdas_core::Indexer::range(a, b)).unwrap();
        let p = dir.join(format!("part{k}.nc"));
        native::write(&part, &p, &WriteOptions::default()).unwrap();
        files.push(p);
    }
    (whole, files)
}

fn stacked(files: &[PathBuf], whole: &DataArray<f64>) -> LazyArray {
    let parts: Vec<Arc<dyn Source>> = files
        .iter()
        .map(|f| xdas_io::open(f).unwrap().source().clone())
        .collect();
    let coords = whole
        .coords()
        .map(|(k, c)| (k.to_string(), c.clone()))
        .collect();
    LazyArray::new(
        Arc::new(Stack::new(parts, 0).unwrap()),
        whole.dims().to_vec(),
        coords,
        whole.name().map(str::to_string),
        whole.attrs().cloned(),
        "netcdf",
    )
    .unwrap()
}

#[test]
fn virtual_dataset_over_three_files() {
    let dir = TmpDir::new("vds");
    let (whole, files) = three_parts(&dir);
    let lazy = stacked(&files, &whole);
    let vds = dir.join("vds.nc");
    native::write_virtual(&lazy, &vds).unwrap();
    assert!(
        std::fs::metadata(&vds).unwrap().len() < 40_000,
        "the VDS file holds no samples"
    );
    let back = xdas_io::open(&vds).unwrap();
    assert!(back.load_as::<f64>().unwrap().equals(&whole));
    // the mappings name the sources relatively
    let maps = native::virtual_sources(&vds).unwrap();
    let names: Vec<&str> = maps.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(names, ["part0.nc", "part1.nc", "part2.nc"]);
    assert!(maps.iter().all(|m| m.1 == "/strain"));
    // a selection across the seams maps only what it covers
    let sel = lazy.isel("time", 5, 25).unwrap();
    let vsel = dir.join("vsel.nc");
    native::write_virtual(&sel, &vsel).unwrap();
    let want = whole
        .isel("time", xdas_core::Indexer::range(5, 25))
        .unwrap();
    assert!(
        xdas_io::open(&vsel)
            .unwrap()
            .load_as::<f64>()
            .unwrap()
            .equals(&want)
    );
    // the files move together
    let moved = TmpDir::new("vds-moved");
    for n in ["part0.nc", "part1.nc", "part2.nc", "vds.nc"] {
        std::fs::copy(dir.join(n), moved.join(n)).unwrap();
    }
    assert!(
        xdas_io::open(moved.join("vds.nc"))
            .unwrap()
            .load_as::<f64>()
            .unwrap()
            .equals(&whole)
    );
    // a missing source is an error, not silent fill values
    std::fs::remove_file(moved.join("part1.nc")).unwrap();
    let e = xdas_io::open(moved.join("vds.nc")).unwrap_err().to_string();
    assert!(e.contains("part1.nc"), "{e}");
    // chaining: a VDS of a VDS
    let chained = dir.join("chained.nc");
    native::write_virtual(&back, &chained).unwrap();
    assert!(
        xdas_io::open(&chained)
            .unwrap()
            .load_as::<f64>()
            .unwrap()
            .equals(&whole)
    );
    // in-memory data cannot be written virtually
    let mem = LazyArray::new(
        Arc::new(xdas_io::InMemory(xdas_io::Data::F64(whole.data().clone()))),
        whole.dims().to_vec(),
        vec![],
        None,
        None,
        "memory",
    )
    .unwrap();
    assert!(native::write_virtual(&mem, dir.join("no.nc")).is_err());
}

#[test]
fn golden_vds_rewritten_virtually() {
    let src = need!(shared_file("reference/golden/format/c_virtual"));
    let dir = TmpDir::new("gvds");
    for n in ["000.nc", "001.nc", "002.nc"] {
        std::fs::copy(src.join(n), dir.join(n)).unwrap();
    }
    let parts: Vec<PathBuf> = ["000.nc", "001.nc", "002.nc"]
        .iter()
        .map(|n| dir.join(n))
        .collect();
    let golden = xdas_io::open(src.join("c_virtual_vds.nc")).unwrap();
    let sources: Vec<Arc<dyn Source>> = parts
        .iter()
        .map(|f| xdas_io::open(f).unwrap().source().clone())
        .collect();
    let lazy = LazyArray::new(
        Arc::new(Stack::new(sources, 0).unwrap()),
        golden.dims().to_vec(),
        golden.coords().to_vec(),
        None,
        None,
        "netcdf",
    )
    .unwrap();
    let out = dir.join("mine.nc");
    native::write_virtual(&lazy, &out).unwrap();
    let a = xdas_io::open(&out).unwrap().load_as::<f64>().unwrap();
    assert!(a.equals(&golden.load_as::<f64>().unwrap()));
}

// ------------------------------------------------------------------ damaged files

fn replace_once(bytes: &mut [u8], from: &[u8], to: &[u8]) -> bool {
    assert_eq!(from.len(), to.len());
    match bytes.windows(from.len()).position(|w| w == from) {
        Some(p) => {
            bytes[p..p + to.len()].copy_from_slice(to);
            true
        }
        None => false,
    }
}

fn open_and_load(p: &Path) -> Result<(), IoError> {
    let a = xdas_io::open(p)?;
    a.load()?;
    Ok(())
}

#[test]
fn truncated_files_are_errors() {
    let dir = TmpDir::new("trunc");
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(f) = shared_file("data/das/xdas_netcdf.nc") {
        files.push(f);
    }
    if let Some(d) = shared_file("reference/golden/format") {
        for n in ["a_plain.nc", "b_gap.nc", "b2_named_attrs_f32_gzip.nc"] {
            files.push(d.join(n));
        }
    }
    let own = dir.join("own.nc");
    native::write(
        &sample_array::<f32>(200, 30),
        &own,
        &WriteOptions::default().deflate(2),
    )
    .unwrap();
    files.push(own);
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        for frac in [2, 4, 10] {
            let cut = dir.join(format!(
                "cut_{frac}_{}",
                f.file_name().unwrap().to_string_lossy()
            ));
            std::fs::write(&cut, &bytes[..bytes.len() * (frac - 1) / frac]).unwrap();
            let r = open_and_load(&cut);
            assert!(
                r.is_err(),
                "{} cut at {}/{frac} opened",
                f.display(),
                frac - 1
            );
            let msg = r.unwrap_err().to_string();
            assert!(msg.contains("truncated"), "{msg}");
            println!("{} cut to {}/{frac}: {msg}", f.display(), frac - 1);
            // the engine named explicitly says the same
            let e = xdas_io::open_with(&cut, "netcdf").unwrap_err().to_string();
            assert!(e.contains("truncated"), "{e}");
        }
    }
}

#[test]
fn corrupted_attributes_are_errors() {
    let src = need!(shared_file("reference/golden/format/b_gap.nc"));
    let dir = TmpDir::new("corrupt");
    let good = std::fs::read(&src).unwrap();
    let cases: &[(&[u8], &[u8], &str)] = &[
        // the interpolation group names a variable that does not exist
        (
            b"time_values: time_interpolation",
            b"time_values: time_interpolatioX",
            "coordinate_interpolation",
        ),
        // an unknown CF time unit
        (
            b"milliseconds since 2023",
            b"millifortnit since 2023",
            "time unit",
        ),
        // a reference date that is not a date
        (
            b"since 2023-01-01 00:00:00",
            b"since 2023-13-01 00:00:00",
            "reference date",
        ),
        // a tie point mapping naming a missing index variable
        (
            b"time: time_indices time_points",
            b"time: time_indicez time_points",
            "time_indicez",
        ),
        // no CF conventions: not this format at all
        (b"CF-1.13", b"XX-1.13", "Conventions"),
    ];
    for (i, (from, to, expect)) in cases.iter().enumerate() {
        let mut bytes = good.clone();
        assert!(replace_once(&mut bytes, from, to), "pattern {i} not found");
        let p = dir.join(format!("bad{i}.nc"));
        std::fs::write(&p, &bytes).unwrap();
        let e = xdas_io::open(&p).unwrap_err().to_string();
        assert!(e.contains(expect), "case {i}: {e}");
        println!("corrupted {i}: {e}");
    }
}

// ------------------------------------------------------------------ round trips

/// A coordinate of a given kind along a time-like dim of `n` samples.
fn time_coord(kind: u8, n: usize, seed: &[i64], dim: &str) -> Coordinate {
    let s = |k: usize| seed[k % seed.len()];
    let dt = Timedelta::from_ns(1 + s(0).rem_euclid(50_000_000));
    let start = Datetime::from_ns(1_600_000_000_000_000_000 + s(1).rem_euclid(1 << 50));
    match kind {
        // regular interpolated datetime, exact integer rate
        0 => Coordinate::from_block_time(start, n, dt, dim),
        // regular interpolated datetime with a denominator (rate num/den)
        1 => Coordinate::new(
            InterpCoordinate::from_block(start, n, dt, 1 + s(2).rem_euclid(7) as u64, None),
            dim,
        ),
        // interpolated datetime with gaps: segments at the same rate, jumps between
        2 => {
            let (mut ti, mut tv) = (Vec::new(), Vec::new());
            let mut i = 0usize;
            let mut t = start;
            let mut k = 3;
            while i < n {
                let len = (1 + s(k).rem_euclid(6) as usize).min(n - i);
                ti.push(i);
                tv.push(t);
                if len > 1 {
                    ti.push(i + len - 1);
                    tv.push(t + Timedelta::from_ns(dt.ns() * (len as i64 - 1)));
                }
                t += Timedelta::from_ns(
                    dt.ns() * (len as i64 - 1) + 1 + s(k + 1).rem_euclid(1 << 33),
                );
                i += len;
                k += 2;
            }
            let c = InterpCoordinate::new(ti, tv).unwrap();
            let c = if s(4) % 2 == 0 {
                c.with_rate(dt, 1, None).unwrap()
            } else {
                c
            };
            Coordinate::new(c, dim)
        }
        // sampled datetime, segments with gaps, num/den rate
        3 => {
            let (mut tv, mut tl) = (Vec::new(), Vec::new());
            let mut i = 0;
            let mut t = start;
            let mut k = 5;
            while i < n {
                let len = (1 + s(k).rem_euclid(5) as usize).min(n - i);
                tv.push(t);
                tl.push(len);
                t += Timedelta::from_ns(dt.ns() * 10 * len as i64 + s(k + 1).rem_euclid(1 << 30));
                i += len;
                k += 2;
            }
            Coordinate::new(
                SampledCoordinate::new(tv, tl, dt, 1 + s(3).rem_euclid(4) as u64).unwrap(),
                dim,
            )
        }
        // dense datetimes (any order)
        4 => Coordinate::dense(
            (0..n)
                .map(|k| Datetime::from_ns(start.ns() + s(k + 7).rem_euclid(1 << 40)))
                .collect::<Vec<_>>(),
            dim,
        ),
        // float kinds
        _ => float_coord(kind - 5, n, seed, dim),
    }
}

fn float_coord(kind: u8, n: usize, seed: &[i64], dim: &str) -> Coordinate {
    let s = |k: usize| seed[k % seed.len()];
    let f = |k: usize| s(k) as f64 / 1024.0;
    match kind {
        // regular interpolated floats
        0 => Coordinate::from_block(f(0), n, 0.5 + f(1).abs(), dim),
        // irregular interpolated floats with gaps (adjacent tie pairs)
        1 => {
            let mut ti: Vec<usize> = vec![0];
            let mut k = 2;
            while *ti.last().unwrap() + 1 < n {
                let step = (1 + s(k).rem_euclid(4) as usize).min(n - 1 - ti.last().unwrap());
                ti.push(ti.last().unwrap() + step);
                k += 1;
            }
            let mut v = f(0);
            let tv: Vec<f64> = ti
                .iter()
                .enumerate()
                .map(|(j, _)| {
                    v += 1.0 + f(j + 3).abs();
                    v
                })
                .collect();
            Coordinate::new(InterpCoordinate::new(ti, tv).unwrap(), dim)
        }
        // sampled floats
        2 => {
            let (mut tv, mut tl) = (Vec::new(), Vec::new());
            let (mut i, mut x, mut k) = (0, f(0), 4);
            while i < n {
                let len = (1 + s(k).rem_euclid(5) as usize).min(n - i);
                tv.push(x);
                tl.push(len);
                x += 100.0 * len as f64 + f(k + 1).abs();
                i += len;
                k += 2;
            }
            Coordinate::new(SampledCoordinate::new(tv, tl, 2.5, 1).unwrap(), dim)
        }
        // dense floats (NaN included)
        _ => Coordinate::dense(
            (0..n)
                .map(|k| if s(k) % 17 == 0 { f64::NAN } else { f(k) })
                .collect::<Vec<_>>(),
            dim,
        ),
    }
}

fn random_attrs(seed: &[i64], words: &[String]) -> Option<Attrs> {
    if seed[0] % 3 == 0 {
        return None;
    }
    let mut a = Attrs::new();
    a.insert("units", words[0].as_str());
    a.insert("gauge_length", seed[1] as f64 / 7.0);
    a.insert("count", seed[2]);
    if seed[3] % 2 == 0 {
        a.insert("ints", seed.iter().take(3).copied().collect::<Vec<i64>>());
        a.insert(
            "floats",
            seed.iter()
                .take(4)
                .map(|&x| x as f64 * 0.25)
                .collect::<Vec<f64>>(),
        );
        if words.len() > 1 {
            // (a one-element array reads back as a scalar, in Python xdas too)
            a.insert("words", AttrValue::StrArray(words.to_vec()));
        }
    }
    Some(a)
}

fn build_array<T: xdas_core::Element>(
    data: ArrayD<T>,
    tkind: u8,
    xkind: u8,
    extras: bool,
    named: bool,
    seed: &[i64],
    words: &[String],
) -> DataArray<T> {
    let (nt, nx) = (data.shape()[0], data.shape()[1]);
    let mut coords = vec![("time".to_string(), time_coord(tkind, nt, seed, "time"))];
    match xkind {
        0..=3 => coords.push((
            "distance".to_string(),
            float_coord(xkind, nx, &seed[3..], "distance"),
        )),
        4 => coords.push((
            "distance".to_string(),
            Coordinate::dense(
                (0..nx)
                    .map(|k| format!("{}{k}", words[k % words.len()]))
                    .collect::<Vec<String>>(),
                "distance",
            ),
        )),
        _ => {} // a dim without a coordinate
    }
    if extras {
        coords.push((
            "station".into(),
            Coordinate::scalar(Scalar::Str(words[0].clone())),
        ));
        coords.push(("gain".into(), Coordinate::scalar(seed[0] as f64 / 3.0)));
        coords.push(("index".into(), Coordinate::scalar(seed[1])));
        coords.push((
            "origin".into(),
            Coordinate::scalar(Datetime::from_ns(seed[2].rem_euclid(1 << 60))),
        ));
        coords.push((
            "channel".into(),
            Coordinate::dense(
                (0..nx as i64)
                    .map(|k| k.wrapping_mul(seed[0]))
                    .collect::<Vec<i64>>(),
                "distance",
            ),
        ));
        coords.push(("depth".into(), float_coord(1, nt, &seed[1..], "time")));
        coords.push(("utc".into(), time_coord(2, nt, &seed[2..], "time")));
    }
    DataArray::from_parts(
        data,
        vec!["time".into(), "distance".into()],
        coords,
        named
            .then(|| {
                format!(
                    "{}_rate",
                    words[0]
                        .chars()
                        .filter(|c| c.is_ascii_alphabetic())
                        .collect::<String>()
                )
            })
            .filter(|n| n != "_rate"),
        random_attrs(seed, words),
    )
    .unwrap()
}

fn round_trip<T: native::NativeElement + xdas_io::FromData>(
    da: &DataArray<T>,
    opts: &WriteOptions,
) -> DataArray<T> {
    let dir = TmpDir::new("prop");
    let p = dir.join("x.nc");
    native::write(da, &p, opts).unwrap();
    xdas_io::open(&p).unwrap().load_as::<T>().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_f64(
        nt in 1usize..40,
        nx in 1usize..6,
        tkind in 0u8..9,
        xkind in 0u8..6,
        extras in any::<bool>(),
        named in any::<bool>(),
        seed in proptest::collection::vec(any::<i64>(), 12),
        words in proptest::collection::vec("[a-zA-Zé_ ]{0,6}", 1..4),
        values in proptest::collection::vec(any::<f64>(), 240),
    ) {
        let data = ArrayD::from_shape_fn(IxDyn(&[nt, nx]), |i| values[(i[0] * nx + i[1]) % values.len()]);
        let da = build_array(data, tkind, xkind, extras, named, &seed, &words);
        let back = round_trip(&da, &WriteOptions::default());
        prop_assert!(back.equals(&da), "{:?}\n!=\n{:?}", back, da);
    }

    #[test]
    fn round_trip_f32_compressed(
        nt in 1usize..40,
        nx in 1usize..6,
        tkind in 0u8..9,
        xkind in 0u8..6,
        extras in any::<bool>(),
        seed in proptest::collection::vec(any::<i64>(), 12),
        words in proptest::collection::vec("[a-z]{1,6}", 1..4),
        values in proptest::collection::vec(any::<f32>(), 240),
        level in 0u8..10,
        chunk in 1usize..50,
    ) {
        let data = ArrayD::from_shape_fn(IxDyn(&[nt, nx]), |i| values[(i[0] * nx + i[1]) % values.len()]);
        let da = build_array(data, tkind, xkind, extras, true, &seed, &words);
        let opts = WriteOptions::default().chunks(vec![chunk, nx]).deflate(level).shuffle(level % 2 == 0);
        let back = round_trip(&da, &opts);
        prop_assert!(back.equals(&da), "{:?}\n!=\n{:?}", back, da);
    }
}

// ------------------------------------------------------------------ Python interop

/// The Python with xdas 0.2.10 to check against (`XDAS_PYTHON`, else /tmp/venv).
fn python() -> Option<PathBuf> {
    let p = std::env::var("XDAS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/tmp/venv/bin/python"));
    let ok = std::process::Command::new(&p)
        .args(["-c", "import xdas"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        Some(p)
    } else {
        eprintln!("skipping: no Python with xdas ({})", p.display());
        None
    }
}

/// For every `src dst` pair: open `src` with xdas, check it against `src.json` (dims,
/// shape, dtype, name, coordinate kinds and first/last values), load it, write it back
/// to `dst` with `to_netcdf`, reopen `dst` and check it `equals`.
const PY_CHECK: &str = r#"
import json, sys, warnings
import numpy as np
import xdas as xd
warnings.simplefilter("ignore")
args = sys.argv[1:]
for src, dst in zip(args[::2], args[1::2]):
    want = json.load(open(src + ".json"))
    da = xd.open_dataarray(src)
    assert list(da.dims) == want["dims"], (src, da.dims)
    assert list(da.shape) == want["shape"], (src, da.shape)
    assert str(da.dtype) == want["dtype"], (src, da.dtype)
    assert da.name == want["name"], (src, da.name)
    assert sorted(da.coords) == sorted(want["coords"]), (src, list(da.coords))
    for k, kind in want["coords"].items():
        assert type(da.coords[k]).__name__ == kind, (src, k, type(da.coords[k]))
    values = np.fromfile(src + ".raw", dtype=want["dtype"]).reshape(want["shape"])
    assert np.array_equal(da.values, values, equal_nan=True), src
    da = da.load()
    da.to_netcdf(dst)
    back = xd.open_dataarray(dst).load()
    same_attrs = back.attrs is None and da.attrs is None or (
        back.attrs.keys() == da.attrs.keys()
        and all(np.array_equal(back.attrs[k], da.attrs[k]) for k in da.attrs))
    a2, b2 = da.copy(), back.copy()
    a2.attrs = b2.attrs = None
    assert a2.equals(b2) and same_attrs, src
    print("python ok:", src, dict(zip(da.dims, da.shape)), da.dtype)
"#;

fn kind_name(c: &Coordinate) -> &'static str {
    use xdas_core::coords::CoordKind::*;
    match c.kind() {
        InterpF64(_) | InterpTime(_) => "InterpCoordinate",
        SampledF64(_) | SampledTime(_) => "SampledCoordinate",
        Dense(_) => "DenseCoordinate",
        Scalar(_) => "ScalarCoordinate",
    }
}

fn describe<T: xdas_core::Element + Copy>(
    da: &DataArray<T>,
    path: &Path,
    to_bytes: fn(T) -> Vec<u8>,
) {
    let coords: serde_json::Map<String, Value> = da
        .coords()
        .map(|(k, c)| (k.to_string(), Value::from(kind_name(c))))
        .collect();
    let json = serde_json::json!({
        "dims": da.dims(),
        "shape": da.shape(),
        "dtype": T::DTYPE.name(),
        "name": da.name(),
        "coords": coords,
    });
    std::fs::write(format!("{}.json", path.display()), json.to_string()).unwrap();
    let raw: Vec<u8> = da.data().iter().flat_map(|&v| to_bytes(v)).collect();
    std::fs::write(format!("{}.raw", path.display()), raw).unwrap();
}

#[test]
fn python_xdas_reads_what_we_write() {
    let Some(py) = python() else { return };
    let keep = std::env::var("XDAS_INTEROP_DIR").ok().map(PathBuf::from);
    let tmp = TmpDir::new("py");
    let dir = keep.clone().unwrap_or_else(|| tmp.0.clone());
    std::fs::create_dir_all(&dir).unwrap();
    let seed: Vec<i64> = (0..12).map(|k| 7919 * k * k - 104_729 * k + 13).collect();
    let words: Vec<String> = ["strain", "SRN", "é"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut f64s: Vec<(String, DataArray<f64>)> = Vec::new();
    for (i, (tk, xk)) in [
        (0, 0),
        (1, 2),
        (2, 3),
        (3, 4),
        (4, 5),
        (5, 1),
        (6, 0),
        (7, 2),
        (8, 3),
    ]
    .into_iter()
    .enumerate()
    {
        let data = ArrayD::from_shape_fn(IxDyn(&[23, 5]), |j| (j[0] * 5 + j[1]) as f64 * 0.1 - 1.0);
        let mut da = build_array(data, tk, xk, i % 2 == 0, i % 3 != 0, &seed, &words);
        if da.attrs().is_some_and(|a| a.get("ints").is_some()) {
            // Python's own `equals` cannot compare array attributes; keep scalars here
            da = da.with_attrs([("units", "m/s")].into_iter().collect());
        }
        f64s.push((format!("case{i}.nc"), da));
    }
    let mut args: Vec<String> = Vec::new();
    for (name, da) in &f64s {
        let p = dir.join(name);
        native::write(da, &p, &WriteOptions::default()).unwrap();
        describe(da, &p, |v: f64| v.to_le_bytes().to_vec());
        args.push(p.display().to_string());
        args.push(dir.join(format!("{name}.py.nc")).display().to_string());
    }
    // float32, chunked and compressed
    let f32da = sample_array::<f32>(300, 21).with_name("strain_rate");
    let p = dir.join("f32_gzip.nc");
    native::write(
        &f32da,
        &p,
        &WriteOptions::default().chunks(vec![50, 21]).deflate(4),
    )
    .unwrap();
    describe(&f32da, &p, |v: f32| v.to_le_bytes().to_vec());
    args.push(p.display().to_string());
    args.push(dir.join("f32_gzip.py.nc").display().to_string());
    // a virtual dataset over three files
    let vdir = TmpDir::new("pyvds");
    let (whole, files) = three_parts(&vdir);
    let vds = vdir.join("vds.nc");
    native::write_virtual(&stacked(&files, &whole), &vds).unwrap();
    describe(&whole, &vds, |v: f64| v.to_le_bytes().to_vec());
    args.push(vds.display().to_string());
    args.push(dir.join("vds.py.nc").display().to_string());

    let out = std::process::Command::new(&py)
        .arg("-c")
        .arg(PY_CHECK)
        .args(&args)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "Python xdas failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // and what Python wrote back reads equal to what we wrote
    for (name, da) in &f64s {
        let back = xdas_io::open(dir.join(format!("{name}.py.nc")))
            .unwrap()
            .load_as::<f64>()
            .unwrap();
        assert!(back.equals(da), "{name}: {back:?}\n!=\n{da:?}");
    }
    let back = xdas_io::open(dir.join("f32_gzip.py.nc"))
        .unwrap()
        .load_as::<f32>()
        .unwrap();
    assert!(back.equals(&f32da));
    let back = xdas_io::open(dir.join("vds.py.nc"))
        .unwrap()
        .load_as::<f64>()
        .unwrap();
    assert!(back.equals(&whole));
    // a collection: Python reads its tree and writes it back, we read that
    let dc = nested_collection();
    let src = dir.join("coll.nc");
    native::write_collection(&dc, &src, &WriteOptions::default()).unwrap();
    let dst = dir.join("coll.py.nc");
    let out = std::process::Command::new(&py)
        .arg("-c")
        .arg(PY_COLLECTION)
        .arg(&src)
        .arg(&dst)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "Python xdas failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = native::open_collection(&dst)
        .unwrap()
        .load_as::<f64>()
        .unwrap();
    assert!(back.equals(&dc), "{back:?}");
}

/// Open a collection written by Rust, check its shape of keys, write it back.
const PY_COLLECTION: &str = r#"
import sys, warnings
import xdas as xd
warnings.simplefilter("ignore")
src, dst = sys.argv[1:3]
dc = xd.open_datacollection(src)
assert isinstance(dc, xd.DataMapping) and dc.name == "network", dc
assert list(dc) == ["a", "b", "z"], list(dc)
assert isinstance(dc["b"], xd.DataSequence) and dc["b"].name == "record", dc["b"]
assert dc["a"].name == "a_rate" and dc["a"].shape == (12, 3)
assert dc["b"][1].attrs == {"units": "m"}
dc.load().to_netcdf(dst)
print("python ok:", src)
"#;

/// `direct_io` writes the samples past the page cache: the file reads back `equals`, for
/// sizes with and without a tail shorter than a disk block, float32 and float64, and a
/// name; options that need HDF5 to write the samples (chunks, deflate) still work.
#[test]
fn direct_io_writes_read_back_equal() {
    let dir = std::env::temp_dir().join(format!("xdas-direct-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let t0 = t0();
    for (k, &(nt, nx)) in [(1usize, 3usize), (500, 1000), (1025, 7), (64, 1024)]
        .iter()
        .enumerate()
    {
        let coords = vec![
            (
                "time",
                Coordinate::from_block_time(t0, nt, Timedelta::from_ns(2_000_000), "time"),
            ),
            ("distance", Coordinate::from_block(0.0, nx, 2.0, "distance")),
        ];
        let a32 = DataArray::new(
            ArrayD::from_shape_fn(IxDyn(&[nt, nx]), |ix| (ix[0] * 7 + ix[1]) as f32 * 0.5),
            &["time", "distance"],
            coords.clone(),
        )
        .unwrap();
        let a64 = DataArray::new(
            ArrayD::from_shape_fn(IxDyn(&[nt, nx]), |ix| (ix[0] as f64).sin() + ix[1] as f64),
            &["time", "distance"],
            coords,
        )
        .unwrap()
        .with_name("strain");
        for opts in [
            WriteOptions::default().direct_io(true),
            WriteOptions::default().direct_io(true).deflate(1),
        ] {
            let p = dir.join(format!("{k}-32.nc"));
            native::write(&a32, &p, &opts).unwrap();
            let back = xdas_io::open(&p).unwrap().load_as::<f32>().unwrap();
            assert!(back.equals(&a32), "f32 {nt}x{nx} {opts:?}");
            let p = dir.join(format!("{k}-64.nc"));
            native::write(&a64, &p, &opts).unwrap();
            let back = xdas_io::open(&p).unwrap().load_as::<f64>().unwrap();
            assert!(back.equals(&a64), "f64 {nt}x{nx} {opts:?}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Opened native files are not held open (a scan of thousands of files stays linear):
/// reading reopens them, a file rewritten in between reads back its new samples, and a
/// file that a lazy array points at can be rewritten.
#[test]
fn rewritten_files_read_back_new_samples() {
    let dir = std::env::temp_dir().join(format!("xdas-rewrite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("a.nc");
    let make = |v: f32| {
        DataArray::new(
            ArrayD::from_elem(IxDyn(&[4, 3]), v),
            &["time", "distance"],
            vec![("distance", Coordinate::from_block(0.0, 3, 1.0, "distance"))],
        )
        .unwrap()
    };
    native::write(&make(1.0), &p, &WriteOptions::default()).unwrap();
    let lazy = xdas_io::open(&p).unwrap();
    assert!(lazy.load_as::<f32>().unwrap().equals(&make(1.0)));
    // rewritten while `lazy` still exists (and after a read cached the handle)
    native::write(&make(2.0), &p, &WriteOptions::default()).unwrap();
    assert!(lazy.load_as::<f32>().unwrap().equals(&make(2.0)));
    native::write(&make(3.0), &p, &WriteOptions::default().direct_io(true)).unwrap();
    let again = xdas_io::open(&p).unwrap().load_as::<f32>().unwrap();
    assert!(again.equals(&make(3.0)));
    // replaced by a file of another shape: a clear error, not wrong samples
    let other = DataArray::new(
        ArrayD::from_elem(IxDyn(&[5, 3]), 0.0f32),
        &["time", "distance"],
        vec![],
    )
    .unwrap();
    native::write(&other, &p, &WriteOptions::default()).unwrap();
    let err = lazy.load_as::<f32>().unwrap_err().to_string();
    assert!(err.contains("not the"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Large blocks of whole rows of a contiguous dataset are read from the file directly
/// (with `O_DIRECT` when cold): cold and warm, single and stacked files, blocks at rows
/// whose bytes start anywhere in a disk block, int16 / float32 / float64 — the samples
/// are exactly those written.
#[test]
fn cold_row_blocks_read_back_exactly() {
    let dir = TmpDir::new("cold-rows");
    let evict = |p: &Path| {
        // the test file is cold again: written back, then dropped from the page cache
        let f = std::fs::File::open(p).unwrap();
        f.sync_all().unwrap();
        use std::os::fd::AsRawFd;
        // SAFETY: a valid descriptor; advice only.
        unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    };
    let (nt, nx) = (900, 1001); // odd rows: blocks start at every offset modulo 4 KiB
    let a32 = sample_array::<f32>(nt, nx);
    let a64 = sample_array::<f64>(nt, nx);
    let a16 = DataArray::new(
        a32.data().mapv(|v| (v as i64 % 30000) as i16),
        &["time", "distance"],
        a32.coords().map(|(n, c)| (n, c.clone())).collect(),
    )
    .unwrap();
    let p32 = dir.join("a32.nc");
    let p64 = dir.join("a64.nc");
    let p16 = dir.join("a16.nc");
    native::write(&a32, &p32, &WriteOptions::default()).unwrap();
    native::write(&a64, &p64, &WriteOptions::default().direct_io(true)).unwrap();
    native::write(&a16, &p16, &WriteOptions::default()).unwrap();
    let blocks = [(0, nt), (1, 400), (333, 899), (517, 900), (3, 4)];
    for cold in [true, false] {
        for &(lo, hi) in &blocks {
            for p in [&p32, &p64, &p16] {
                if cold {
                    evict(p);
                }
            }
            let sel = |a: &LazyArray| a.isel("time", lo, hi).unwrap();
            let rows = xdas_core::Indexer::range(lo as i64, hi as i64);
            let want32 = a32.isel("time", rows.clone()).unwrap();
            let want64 = a64.isel("time", rows).unwrap();
            let got32 = sel(&xdas_io::open(&p32).unwrap()).load_as::<f32>().unwrap();
            let got64 = sel(&xdas_io::open(&p64).unwrap()).load_as::<f64>().unwrap();
            assert!(got32.equals(&want32), "f32 rows {lo}..{hi} cold={cold}");
            assert!(got64.equals(&want64), "f64 rows {lo}..{hi} cold={cold}");
            let got16 = sel(&xdas_io::open(&p16).unwrap()).load().unwrap().to_f64();
            let want16 = a16.data().slice(ndarray::s![lo..hi, ..]).mapv(|v| v as f64);
            assert_eq!(got16, want16.into_dyn(), "i16 rows {lo}..{hi} cold={cold}");
        }
    }
    // three files stacked: blocks within and across the seams
    let mut parts = Vec::new();
    for (k, (lo, hi)) in [(0, 300), (300, 600), (600, nt)].into_iter().enumerate() {
        let p = dir.join(format!("part{k}.nc"));
        let part = a32
            .isel("time", xdas_core::Indexer::range(lo as i64, hi as i64))
            .unwrap();
        native::write(&part, &p, &WriteOptions::default()).unwrap();
        evict(&p);
        parts.push(p);
    }
    let LazyCollection::Array(stacked) = xdas_io::open_mfdataarray(&parts, "time").unwrap() else {
        panic!("one array expected")
    };
    for (lo, hi) in [(0, nt), (250, 650), (300, 600), (599, 601)] {
        let rows = xdas_core::Indexer::range(lo as i64, hi as i64);
        let got = stacked
            .isel("time", lo, hi)
            .unwrap()
            .load_as::<f32>()
            .unwrap();
        assert!(
            got.equals(&a32.isel("time", rows).unwrap()),
            "stacked rows {lo}..{hi}"
        );
    }
}
