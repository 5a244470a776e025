//! Zarr v3 stores: write → read round trips over every coordinate kind, appending,
//! block reads, and bad input.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use xdas_core::coords::{InterpCoordinate, SampledCoordinate};
use xdas_core::{
    AttrValue, Attrs, Coordinate, DType, DataArray, Datetime, Indexer, Scalar, Timedelta,
    Tolerance, Values,
};
use xdas_io::zarr::{
    Compression, ZarrElement, ZarrEngine, ZarrOptions, ZarrWriter, open_zarr, write_zarr,
};
use xdas_io::{Data, Engine, IoError, LazyArray, Probe};

// ---------------------------------------------------------------------------------------
// helpers

/// A unique temporary path, removed on drop.
struct Tmp(PathBuf);

impl Tmp {
    fn new(tag: &str) -> Tmp {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!(
            "xdas-zarr-test-{}-{tag}-{n}.zarr",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        Tmp(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Element types read back as stored.
trait Back: ZarrElement + Arbitrary {
    fn take(d: Data) -> Option<ArrayD<Self>>;
}
impl Back for f32 {
    fn take(d: Data) -> Option<ArrayD<f32>> {
        match d {
            Data::F32(a) => Some(a),
            _ => None,
        }
    }
}
impl Back for f64 {
    fn take(d: Data) -> Option<ArrayD<f64>> {
        match d {
            Data::F64(a) => Some(a),
            _ => None,
        }
    }
}
impl Back for i16 {
    fn take(d: Data) -> Option<ArrayD<i16>> {
        match d {
            Data::I16(a) => Some(a),
            _ => None,
        }
    }
}
impl Back for i32 {
    fn take(d: Data) -> Option<ArrayD<i32>> {
        match d {
            Data::I32(a) => Some(a),
            _ => None,
        }
    }
}

fn load<T: Back>(lazy: &LazyArray) -> DataArray<T> {
    let data = T::take(lazy.load().expect("load")).expect("stored dtype");
    lazy.label(data).expect("label")
}

fn read_back<T: Back>(path: &Path) -> DataArray<T> {
    load(&open_zarr(path).expect("open_zarr"))
}

/// A small deterministic generator for coordinate contents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn float(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2e4 - 1e4
    }
    /// Split `n` into up to `k` positive lengths.
    fn split(&mut self, n: usize, k: usize) -> Vec<usize> {
        if n == 0 {
            return vec![];
        }
        let mut cuts: Vec<usize> = (0..k.saturating_sub(1))
            .map(|_| 1 + self.below(n as u64) as usize)
            .filter(|&c| c < n)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = Vec::new();
        let mut prev = 0;
        for c in cuts.into_iter().chain([n]) {
            out.push(c - prev);
            prev = c;
        }
        out
    }
}

const T2020: i64 = 1_577_836_800_000_000_000;

/// A coordinate of `n` values along `dim`, of kind `kind` (0: none).
fn make_coord(kind: u8, n: usize, dim: &str, rng: &mut Rng) -> Option<Coordinate> {
    let t0 = Datetime::from_ns(T2020 + rng.below(1 << 50) as i64);
    let dt = Timedelta::from_ns(1 + rng.below(1_000_000_000) as i64);
    Some(match kind {
        0 => return None,
        1 => Coordinate::from_block_time(t0, n, dt, dim),
        2 => {
            let step = [0.1, 25.0, 1.0 / 3.0, -2.5, 1e-3][rng.below(5) as usize];
            Coordinate::from_block(rng.float(), n, step, dim)
        }
        3 => {
            // regular blocks with gaps (and, if `overlaps`, jumps back) between them
            let mut pieces = Vec::new();
            let mut t = t0;
            for len in rng.split(n, 4) {
                pieces.push(Coordinate::from_block_time(t, len, dt, dim));
                let gap = rng.below(20) as i64 * dt.ns();
                t = t + dt * len as i64 + Timedelta::from_ns(gap);
            }
            if pieces.is_empty() {
                Coordinate::from_block_time(t0, 0, dt, dim)
            } else {
                let refs: Vec<&Coordinate> = pieces.iter().collect();
                Coordinate::concat(&refs)
                    .unwrap()
                    .simplify(Tolerance::Default)
            }
        }
        4 => {
            // irregular floats
            let mut ti = vec![];
            if n > 0 {
                ti.push(0);
                for i in 1..n {
                    if rng.below(3) == 0 || i == n - 1 {
                        ti.push(i);
                    }
                }
            }
            let mut v = rng.float();
            let tv: Vec<f64> = ti
                .iter()
                .map(|_| {
                    v += rng.float().abs() + 0.5;
                    v
                })
                .collect();
            Coordinate::new(InterpCoordinate::new(ti, tv).unwrap(), dim)
        }
        5 => {
            // irregular datetimes with a declared rate that fits
            let ti: Vec<usize> = if n == 0 {
                vec![]
            } else if n == 1 {
                vec![0]
            } else {
                vec![0, n - 1]
            };
            let tv: Vec<Datetime> = ti.iter().map(|&i| t0 + dt * i as i64).collect();
            let c = InterpCoordinate::new(ti, tv).unwrap();
            let c = if rng.below(2) == 0 {
                c.with_rate(dt, 1, Some(Timedelta::from_ns(rng.below(10) as i64)))
                    .unwrap()
            } else {
                c
            };
            Coordinate::new(c, dim)
        }
        6 => {
            let lens = rng.split(n, 4);
            let den = 1 + rng.below(3);
            let mut t = t0;
            let tv: Vec<Datetime> = lens
                .iter()
                .map(|&l| {
                    let v = t;
                    t += dt * (l as i64 + rng.below(50) as i64);
                    v
                })
                .collect();
            if lens.is_empty() {
                Coordinate::new(SampledCoordinate::<Datetime>::empty(), dim)
            } else {
                Coordinate::new(SampledCoordinate::new(tv, lens, dt, den).unwrap(), dim)
            }
        }
        7 => {
            let lens = rng.split(n, 3);
            let mut v = rng.float();
            let tv: Vec<f64> = lens
                .iter()
                .map(|&l| {
                    let s = v;
                    v += l as f64 * 0.5 + 7.25;
                    s
                })
                .collect();
            Coordinate::new(SampledCoordinate::new(tv, lens, 0.5, 1).unwrap(), dim)
        }
        8 => {
            let v: Vec<f64> = (0..n)
                .map(|_| match rng.below(10) {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    _ => rng.float(),
                })
                .collect();
            Coordinate::dense(v, dim)
        }
        9 => Coordinate::dense((0..n).map(|_| rng.next() as i64).collect::<Vec<i64>>(), dim),
        10 => Coordinate::dense(
            (0..n)
                .map(|_| Datetime::from_ns(rng.next() as i64 >> 2))
                .collect::<Vec<Datetime>>(),
            dim,
        ),
        _ => Coordinate::dense(
            (0..n)
                .map(|i| {
                    ["ch\"1", "Ü b", "", "NaN", "x\ny"][(i + rng.below(5) as usize) % 5].to_string()
                })
                .collect::<Vec<String>>(),
            dim,
        ),
    })
}

fn make_scalar(kind: u8, rng: &mut Rng) -> Scalar {
    match kind % 7 {
        0 => Scalar::F64(rng.float()),
        1 => Scalar::F64(f64::NAN),
        2 => Scalar::I64(rng.next() as i64),
        3 => Scalar::Datetime(Datetime::from_ns(rng.next() as i64 >> 1)),
        4 => Scalar::Timedelta(Timedelta::from_ns(-(rng.below(1 << 40) as i64))),
        5 => Scalar::F64(f64::NEG_INFINITY),
        _ => Scalar::Str("station \"A\"".into()),
    }
}

fn make_attrs(rng: &mut Rng) -> Attrs {
    let mut a = Attrs::new();
    let n = rng.below(8);
    for i in 0..n {
        let v: AttrValue = match rng.below(12) {
            0 => AttrValue::Str("strain rate".into()),
            1 => AttrValue::Int(rng.next() as i64),
            2 => AttrValue::Float(rng.float()),
            3 => AttrValue::Float(10.0),
            4 => AttrValue::Float(
                [f64::NAN, f64::INFINITY, f64::NEG_INFINITY][rng.below(3) as usize],
            ),
            5 => AttrValue::IntArray(vec![1, -2, 3]),
            6 => AttrValue::IntArray(vec![]),
            7 => AttrValue::FloatArray(vec![1.0, 2.5, -0.0]),
            8 => AttrValue::FloatArray(vec![1.0, f64::NAN]),
            9 => AttrValue::FloatArray(vec![]),
            10 => AttrValue::StrArray(vec!["a".into(), "NaN".into()]),
            _ => AttrValue::StrArray(vec![]),
        };
        a.insert(&format!("key{i}"), v);
    }
    a
}

const DIMS: [&str; 3] = ["time", "distance", "band"];

#[derive(Debug, Clone)]
struct Spec {
    shape: Vec<usize>,
    kinds: Vec<u8>,
    extra: u8,
    scalar: Option<u8>,
    attrs: Option<u64>,
    name: Option<String>,
    seed: u64,
}

fn spec(max_ndim: usize) -> impl Strategy<Value = Spec> {
    (1..=max_ndim)
        .prop_flat_map(|ndim| {
            (
                prop::collection::vec(0usize..9, ndim),
                prop::collection::vec(0u8..12, ndim),
                0u8..12,
                prop::option::of(0u8..7),
                prop::option::of(any::<u64>()),
                prop::option::of("[a-z ]{0,8}"),
                any::<u64>(),
            )
        })
        .prop_map(|(shape, kinds, extra, scalar, attrs, name, seed)| Spec {
            shape,
            kinds,
            extra,
            scalar,
            attrs,
            name,
            seed,
        })
}

fn build<T: Back>(s: &Spec, data: Vec<T>) -> DataArray<T> {
    let mut rng = Rng(s.seed | 1);
    let dims: Vec<String> = DIMS[..s.shape.len()]
        .iter()
        .map(|d| d.to_string())
        .collect();
    let mut coords = Vec::new();
    for (i, d) in dims.iter().enumerate() {
        if let Some(c) = make_coord(s.kinds[i], s.shape[i], d, &mut rng) {
            coords.push((d.clone(), c));
        }
    }
    // a non-dimension coordinate along the first dim
    if let Some(c) = make_coord(s.extra, s.shape[0], &dims[0], &mut rng) {
        coords.push(("quality".to_string(), c));
    }
    if let Some(k) = s.scalar {
        coords.push((
            "station".to_string(),
            Coordinate::scalar(make_scalar(k, &mut rng)),
        ));
    }
    let attrs = s.attrs.map(|seed| make_attrs(&mut Rng(seed | 1)));
    let data = ArrayD::from_shape_vec(IxDyn(&s.shape), data).unwrap();
    DataArray::from_parts(data, dims, coords, s.name.clone(), attrs).unwrap()
}

fn with_data<T: Back>(max_ndim: usize) -> impl Strategy<Value = (Spec, Vec<T>)> {
    spec(max_ndim).prop_flat_map(|s| {
        let n: usize = s.shape.iter().product();
        (Just(s), prop::collection::vec(any::<T>(), n))
    })
}

fn options_strategy() -> impl Strategy<Value = (Option<Vec<usize>>, bool)> {
    (
        prop::option::of(prop::collection::vec(1usize..6, 3)),
        any::<bool>(),
    )
}

fn options(ndim: usize, chunks: &Option<Vec<usize>>, zstd: bool) -> ZarrOptions {
    ZarrOptions {
        chunks: chunks.as_ref().map(|c| c[..ndim].to_vec()),
        compression: if zstd {
            Compression::Zstd { level: 1 }
        } else {
            Compression::None
        },
        overwrite: false,
    }
}

fn round_trip<T: Back>(
    s: &Spec,
    data: Vec<T>,
    chunks: &Option<Vec<usize>>,
    zstd: bool,
) -> std::result::Result<(), TestCaseError> {
    let da = build(s, data);
    let tmp = Tmp::new("prop");
    write_zarr(&da, tmp.path(), &options(da.ndim(), chunks, zstd)).unwrap();
    let lazy = open_zarr(tmp.path()).unwrap();
    prop_assert_eq!(lazy.engine(), "zarr");
    prop_assert_eq!(lazy.dtype(), da.dtype());
    prop_assert_eq!(lazy.shape(), da.shape().to_vec());
    let back: DataArray<T> = load(&lazy);
    prop_assert!(back.equals(&da), "read back {back:?}\nwritten {da:?}");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// round trips

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn round_trip_f64((s, data) in with_data::<f64>(3), (chunks, zstd) in options_strategy()) {
        round_trip(&s, data, &chunks, zstd)?;
    }

    #[test]
    fn round_trip_f32((s, data) in with_data::<f32>(3), (chunks, zstd) in options_strategy()) {
        round_trip(&s, data, &chunks, zstd)?;
    }

    #[test]
    fn round_trip_i16((s, data) in with_data::<i16>(3), (chunks, zstd) in options_strategy()) {
        round_trip(&s, data, &chunks, zstd)?;
    }

    /// Appending any cut of an array (gappy time, every other coordinate kind off it)
    /// equals concatenating the parts in memory.
    #[test]
    fn append_equals_concat(
        (mut s, data) in with_data::<f32>(2),
        cuts in prop::collection::vec(0usize..9, 0..5),
        time_kind in prop::sample::select(vec![0u8, 1, 2, 3, 4, 7, 8]),
        chunk in prop::option::of(1usize..7),
    ) {
        s.kinds[0] = time_kind;
        if s.shape[0] == 0 { s.shape[0] = 1; }
        let da = build(&s, {
            let n: usize = s.shape.iter().product();
            let src = if data.is_empty() { vec![1.5f32] } else { data };
            src.into_iter().cycle().take(n).collect::<Vec<f32>>()
        });
        let n = s.shape[0];
        let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(n)).collect();
        bounds.push(0);
        bounds.push(n);
        bounds.sort_unstable();
        let parts: Vec<DataArray<f32>> = bounds
            .windows(2)
            .map(|w| da.isel("time", Indexer::slice(Some(w[0] as i64), Some(w[1] as i64), None)).unwrap())
            .collect();
        let tmp = Tmp::new("append-prop");
        let mut chunks = None;
        if let Some(c) = chunk { chunks = Some(vec![c; da.ndim()]); }
        let mut w = ZarrWriter::<f32>::create(tmp.path(), "time", ZarrOptions { chunks, ..ZarrOptions::default() }).unwrap();
        for p in &parts {
            w.append(p).unwrap();
        }
        w.finish().unwrap();
        let back: DataArray<f32> = read_back(tmp.path());
        let refs: Vec<&DataArray<f32>> = parts.iter().collect();
        // DataArray::concat sorts by the time coordinate: compare with a monotonic one only
        let sorted = da.coord("time").map_or(true, |c| c.is_monotonic());
        if sorted {
            let expected = DataArray::concat(&refs, "time", Tolerance::Default).unwrap();
            prop_assert!(back.equals(&expected), "appended {back:?}\nconcat {expected:?}");
        }
        // whatever the coordinates, the samples are the whole array's
        prop_assert_eq!(back.shape(), da.shape());
        prop_assert!(back
            .data()
            .iter()
            .zip(da.data().iter())
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan())));
    }
}

// ---------------------------------------------------------------------------------------
// fixed cases

fn acquisition(n_time: usize) -> DataArray<f64> {
    let t0: Datetime = "2024-05-01T12:00:00".parse().unwrap();
    let mut attrs = Attrs::new();
    attrs.insert("units", "strain_rate");
    attrs.insert("gauge_length", 10.0);
    attrs.insert("channels", vec![1i64, 2, 3]);
    DataArray::from_parts(
        ArrayD::from_shape_fn(IxDyn(&[n_time, 6]), |i| (i[0] * 10 + i[1]) as f64 * 0.5),
        vec!["time".into(), "distance".into()],
        vec![
            (
                "time".into(),
                Coordinate::from_block_time(t0, n_time, Timedelta::from_ns(4_000_000), "time"),
            ),
            (
                "distance".into(),
                Coordinate::from_block(100.0, 6, 2.5, "distance"),
            ),
            (
                "gps_ok".into(),
                Coordinate::dense(
                    (0..n_time).map(|i| (i % 2) as i64).collect::<Vec<i64>>(),
                    "time",
                ),
            ),
            ("fiber".into(), Coordinate::scalar("F1")),
        ],
        Some("das".into()),
        Some(attrs),
    )
    .unwrap()
}

fn slice(da: &DataArray<f64>, dim: &str, a: usize, b: usize) -> DataArray<f64> {
    da.isel(dim, Indexer::slice(Some(a as i64), Some(b as i64), None))
        .unwrap()
}

#[test]
fn appending_five_chunks_equals_writing_the_whole() {
    let whole = acquisition(500);
    let one = Tmp::new("whole");
    write_zarr(&whole, one.path(), &ZarrOptions::default()).unwrap();
    let five = Tmp::new("five");
    let mut w = ZarrWriter::<f64>::create(five.path(), "time", ZarrOptions::default()).unwrap();
    assert_eq!(w.shape(), None);
    for k in 0..5 {
        w.append(&slice(&whole, "time", k * 100, (k + 1) * 100))
            .unwrap();
        assert_eq!(w.shape(), Some(&[(k + 1) * 100, 6][..]));
        // the store is complete after every append
        assert_eq!(
            open_zarr(five.path()).unwrap().shape(),
            vec![(k + 1) * 100, 6]
        );
    }
    w.finish().unwrap();
    let a: DataArray<f64> = read_back(one.path());
    let b: DataArray<f64> = read_back(five.path());
    assert!(a.equals(&whole));
    assert!(b.equals(&whole), "{b:?}");
    // two tie points: contiguous chunks were merged
    match b.coord("time").unwrap().kind() {
        xdas_core::coords::CoordKind::InterpTime(c) => assert_eq!(c.tie_indices(), &[0, 499]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gaps_between_appended_chunks_become_tie_points() {
    let t0: Datetime = "2024-05-01T00:00:00".parse().unwrap();
    let dt = Timedelta::from_ns(10_000_000);
    let block = |start: Datetime, n: usize| {
        DataArray::new(
            ArrayD::<i32>::from_elem(vec![n, 3], 7),
            &["time", "distance"],
            vec![
                ("time", Coordinate::from_block_time(start, n, dt, "time")),
                ("distance", Coordinate::from_block(0.0, 3, 1.0, "distance")),
            ],
        )
        .unwrap()
    };
    let tmp = Tmp::new("gaps");
    let mut w = ZarrWriter::<i32>::create(tmp.path(), "first", ZarrOptions::default()).unwrap();
    w.append(&block(t0, 100)).unwrap();
    // contiguous
    w.append(&block(t0 + dt * 100, 50)).unwrap();
    // a 5 s gap
    let t2 = t0 + dt * 150 + Timedelta::from_ns(5_000_000_000);
    w.append(&block(t2, 20)).unwrap();
    w.finish().unwrap();
    let back: DataArray<i32> = read_back(tmp.path());
    assert_eq!(back.shape(), &[170, 3]);
    let time = back.coord("time").unwrap();
    match time.kind() {
        xdas_core::coords::CoordKind::InterpTime(c) => {
            assert_eq!(c.tie_indices(), &[0, 149, 150, 169]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(time.value(150).unwrap(), Scalar::Datetime(t2));
    // the zarr.json keeps datetimes as int64 ns with their unit
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("zarr.json")).unwrap()).unwrap();
    let c0 = &json["attributes"]["xdas"]["coords"][0];
    assert_eq!(c0["name"], "time");
    assert_eq!(c0["kind"], "interpolated");
    assert_eq!(c0["unit"], "ns");
    assert_eq!(c0["tie_values"][2], serde_json::json!(t2.ns()));
    assert_eq!(c0["sampling"]["num"], serde_json::json!(10_000_000));
    assert_eq!(
        json["dimension_names"],
        serde_json::json!(["time", "distance"])
    );
}

#[test]
fn resumed_writer_appends_to_an_existing_store() {
    let whole = acquisition(90);
    let tmp = Tmp::new("resume");
    write_zarr(
        &slice(&whole, "time", 0, 40),
        tmp.path(),
        &ZarrOptions::default(),
    )
    .unwrap();
    let mut w = ZarrWriter::<f64>::open(tmp.path(), "time").unwrap();
    w.append(&slice(&whole, "time", 40, 90)).unwrap();
    w.finish().unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&whole));
    // the wrong element type or dim is refused
    assert!(ZarrWriter::<f32>::open(tmp.path(), "time").is_err());
    assert!(ZarrWriter::<f64>::open(tmp.path(), "depth").is_err());
}

#[test]
fn truncating_back_to_a_checkpoint_then_appending_again() {
    let whole = acquisition(500);
    let tmp = Tmp::new("truncate");
    let opts = ZarrOptions {
        chunks: Some(vec![64, 6]),
        ..ZarrOptions::default()
    };
    let mut w = ZarrWriter::<f64>::create(tmp.path(), "time", opts).unwrap();
    assert!(w.truncate(0).is_ok());
    assert!(w.truncate(3).is_err());
    for k in 0..4 {
        w.append(&slice(&whole, "time", k * 100, (k + 1) * 100))
            .unwrap();
    }
    drop(w);
    // a crash after the checkpoint at 250 samples: reopen, cut back, go on
    let mut w = ZarrWriter::<f64>::open(tmp.path().join("zarr.json"), "time").unwrap();
    assert!(w.truncate(401).is_err());
    w.truncate(250).unwrap();
    assert_eq!(w.shape(), Some(&[250, 6][..]));
    assert!(read_back::<f64>(tmp.path()).equals(&slice(&whole, "time", 0, 250)));
    // chunks wholly beyond the new end are gone (64-sample chunks: 0..=3 remain)
    for k in 0..8 {
        let chunk = tmp.path().join("c").join(k.to_string()).join("0");
        assert_eq!(chunk.is_file(), k <= 3, "chunk {k}");
    }
    w.append(&slice(&whole, "time", 250, 500)).unwrap();
    w.finish().unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&whole));
}

#[test]
fn appending_along_the_last_dim() {
    let whole = acquisition(30);
    let tmp = Tmp::new("last");
    let mut w = ZarrWriter::<f64>::create(tmp.path(), "distance", ZarrOptions::default())
        .unwrap()
        .with_tolerance(Tolerance::Default);
    for (a, b) in [(0, 2), (2, 2), (2, 5), (5, 6)] {
        w.append(&slice(&whole, "distance", a, b)).unwrap();
    }
    w.finish().unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&whole));
}

#[test]
fn reading_a_block_reads_the_right_values() {
    let n = (37, 23);
    let da = DataArray::new(
        ArrayD::from_shape_fn(IxDyn(&[n.0, n.1]), |i| (i[0] * 1000 + i[1]) as i32),
        &["time", "distance"],
        vec![
            ("time", Coordinate::from_block(0.0, n.0, 0.5, "time")),
            (
                "distance",
                Coordinate::from_block(0.0, n.1, 2.0, "distance"),
            ),
        ],
    )
    .unwrap();
    let tmp = Tmp::new("blocks");
    let opts = ZarrOptions {
        chunks: Some(vec![7, 5]),
        ..ZarrOptions::default()
    };
    write_zarr(&da, tmp.path(), &opts).unwrap();
    let lazy = open_zarr(tmp.path()).unwrap();
    assert_eq!(lazy.dtype(), DType::I32);
    let mut rng = Rng(99);
    for _ in 0..60 {
        let (t0, t1) = {
            let a = rng.below(n.0 as u64 + 1) as usize;
            let b = rng.below(n.0 as u64 + 1) as usize;
            (a.min(b), a.max(b))
        };
        let (d0, d1) = {
            let a = rng.below(n.1 as u64 + 1) as usize;
            let b = rng.below(n.1 as u64 + 1) as usize;
            (a.min(b), a.max(b))
        };
        let sel = lazy
            .isel("time", t0, t1)
            .unwrap()
            .isel("distance", d0, d1)
            .unwrap();
        let got: DataArray<i32> = load(&sel);
        let want = da
            .isel(
                "time",
                Indexer::slice(Some(t0 as i64), Some(t1 as i64), None),
            )
            .unwrap()
            .isel(
                "distance",
                Indexer::slice(Some(d0 as i64), Some(d1 as i64), None),
            )
            .unwrap();
        assert!(got.equals(&want), "{t0}..{t1} x {d0}..{d1}");
        // converted on the fly
        let as_f64 = sel.load_as::<f64>().unwrap();
        assert_eq!(as_f64.data(), &want.data().mapv(f64::from));
    }
    // a region outside the array is an error, not a panic
    assert!(lazy.source().read(&[0..38, 0..1]).is_err());
    // one range for a 2-d array
    let one_axis: Vec<std::ops::Range<usize>> = std::iter::once(0..1).collect();
    assert!(lazy.source().read(&one_axis).is_err());
}

#[test]
fn reads_touch_only_the_chunks_of_the_region() {
    let da = acquisition(40);
    let tmp = Tmp::new("lazy");
    let opts = ZarrOptions {
        chunks: Some(vec![10, 6]),
        ..ZarrOptions::default()
    };
    write_zarr(&da, tmp.path(), &opts).unwrap();
    // corrupt the third chunk along time (rows 20..30)
    let chunk = tmp.path().join("c").join("2").join("0");
    assert!(chunk.is_file());
    std::fs::write(&chunk, b"not zstd at all").unwrap();
    let lazy = open_zarr(tmp.path()).unwrap();
    // rows 0..20 and 30..40 never touch it
    let a: DataArray<f64> = load(&lazy.isel("time", 0, 20).unwrap());
    assert!(a.equals(&slice(&da, "time", 0, 20)));
    let b: DataArray<f64> = load(&lazy.isel("time", 30, 40).unwrap());
    assert!(b.equals(&slice(&da, "time", 30, 40)));
    // a region that does gives a clear error
    let err = lazy.isel("time", 15, 25).unwrap().load().unwrap_err();
    assert!(matches!(err, IoError::Format { .. }), "{err}");
    assert!(err.to_string().contains("reading"), "{err}");
    // a truncated chunk too
    let chunk1 = tmp.path().join("c").join("1").join("0");
    let bytes = std::fs::read(&chunk1).unwrap();
    std::fs::write(&chunk1, &bytes[..bytes.len() / 2]).unwrap();
    assert!(lazy.isel("time", 10, 11).unwrap().load().is_err());
}

#[test]
fn options_chunks_and_compression() {
    let da = acquisition(64);
    for (chunks, compression) in [
        (None, Compression::None),
        (Some(vec![1, 1]), Compression::Zstd { level: 19 }),
        (Some(vec![100, 100]), Compression::Zstd { level: -3 }),
    ] {
        let tmp = Tmp::new("opts");
        let opts = ZarrOptions {
            chunks: chunks.clone(),
            compression,
            overwrite: false,
        };
        write_zarr(&da, tmp.path(), &opts).unwrap();
        assert!(
            read_back::<f64>(tmp.path()).equals(&da),
            "{chunks:?} {compression:?}"
        );
        let json = std::fs::read_to_string(tmp.path().join("zarr.json")).unwrap();
        assert_eq!(json.contains("zstd"), compression != Compression::None);
    }
    // bad options
    let tmp = Tmp::new("bad-opts");
    for opts in [
        ZarrOptions {
            chunks: Some(vec![10]),
            ..ZarrOptions::default()
        },
        ZarrOptions {
            chunks: Some(vec![10, 0]),
            ..ZarrOptions::default()
        },
        ZarrOptions {
            compression: Compression::Zstd { level: 99 },
            ..ZarrOptions::default()
        },
    ] {
        let err = write_zarr(&da, tmp.path(), &opts).unwrap_err();
        assert!(matches!(err, IoError::Invalid(_)), "{err}");
    }
}

#[test]
fn zero_dimensional_and_empty_arrays() {
    let scalar = DataArray::from_parts(
        ArrayD::from_elem(IxDyn(&[]), 3.5f32),
        vec![],
        vec![("time".into(), Coordinate::scalar(Datetime::from_ns(5)))],
        Some("x".into()),
        Some(Attrs::new()),
    )
    .unwrap();
    let tmp = Tmp::new("0d");
    write_zarr(&scalar, tmp.path(), &ZarrOptions::default()).unwrap();
    assert!(read_back::<f32>(tmp.path()).equals(&scalar));

    let empty = acquisition(0);
    let tmp = Tmp::new("empty");
    write_zarr(&empty, tmp.path(), &ZarrOptions::default()).unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&empty));
    // appending to an empty first block
    let mut w = ZarrWriter::<f64>::open(tmp.path(), "time").unwrap();
    let more = acquisition(12);
    w.append(&more).unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&more));
}

#[test]
fn existing_paths_are_not_clobbered() {
    let da = acquisition(5);
    let tmp = Tmp::new("exists");
    write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap();
    let err = write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert!(ZarrWriter::<f64>::create(tmp.path(), "time", ZarrOptions::default()).is_err());
    // overwrite replaces a Zarr store
    let other = acquisition(8);
    let ow = ZarrOptions {
        overwrite: true,
        ..ZarrOptions::default()
    };
    write_zarr(&other, tmp.path(), &ow).unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&other));
    // but never a directory that is not one
    let plain = Tmp::new("plain-dir");
    std::fs::create_dir_all(plain.path()).unwrap();
    std::fs::write(plain.path().join("keep.txt"), "x").unwrap();
    let err = write_zarr(&da, plain.path(), &ow).unwrap_err();
    assert!(err.to_string().contains("not a Zarr store"), "{err}");
    assert!(plain.path().join("keep.txt").is_file());
    // a writer that got nothing
    let nothing = Tmp::new("nothing");
    let w = ZarrWriter::<f64>::create(nothing.path(), "time", ZarrOptions::default()).unwrap();
    assert!(w.finish().is_err());
    assert!(!nothing.path().exists());
}

#[test]
fn engine_detects_zarr_json() {
    let da = acquisition(5);
    let tmp = Tmp::new("engine");
    write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap();
    let meta = tmp.path().join("zarr.json");
    let probe = Probe::new(&meta).unwrap();
    assert_eq!(ZarrEngine.name(), "zarr");
    assert!(ZarrEngine.detect(&probe).is_ok());
    let lazy = ZarrEngine.open(&meta).unwrap();
    assert!(load::<f64>(&lazy).equals(&da));
    let other = tmp.path().join("c").join("0").join("0");
    assert!(ZarrEngine.detect(&Probe::new(&other).unwrap()).is_err());
}

#[test]
fn foreign_zarr_arrays_open_without_labels() {
    let da = acquisition(5);
    let tmp = Tmp::new("foreign");
    write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap();
    edit_json(tmp.path(), |j| {
        j["attributes"].as_object_mut().unwrap().remove("xdas");
        j["attributes"]["note"] = "from elsewhere".into();
    });
    let lazy = open_zarr(tmp.path()).unwrap();
    assert_eq!(lazy.dims(), ["time", "distance"]);
    assert!(lazy.coords().is_empty());
    assert_eq!(lazy.load_as::<f64>().unwrap().data(), da.data());
    edit_json(tmp.path(), |j| {
        j.as_object_mut().unwrap().remove("dimension_names");
    });
    assert_eq!(open_zarr(tmp.path()).unwrap().dims(), ["dim_0", "dim_1"]);
}

// ---------------------------------------------------------------------------------------
// bad input

fn edit_json(dir: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let p = dir.join("zarr.json");
    let mut j: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    f(&mut j);
    std::fs::write(&p, serde_json::to_vec_pretty(&j).unwrap()).unwrap();
}

fn expect_format_error(path: &Path, needle: &str) {
    match open_zarr(path) {
        Ok(lazy) => panic!("opened a bad store (expected {needle:?}): {lazy:?}"),
        Err(e) => {
            assert!(matches!(e, IoError::Format { .. }), "{e:?}");
            assert!(
                e.to_string().contains(needle),
                "error {e} does not mention {needle:?}"
            );
        }
    }
}

#[test]
fn missing_and_non_zarr_paths() {
    let missing = std::env::temp_dir().join("xdas-zarr-test-does-not-exist.zarr");
    let err = open_zarr(&missing).unwrap_err();
    assert!(matches!(err, IoError::Os { .. }), "{err}");
    assert!(err.to_string().contains("does-not-exist"), "{err}");

    let empty = Tmp::new("empty-dir");
    std::fs::create_dir_all(empty.path()).unwrap();
    expect_format_error(empty.path(), "no zarr.json");

    let file = Tmp::new("file");
    std::fs::write(file.path(), b"hello").unwrap();
    expect_format_error(file.path(), "not a directory");
}

#[test]
fn corrupted_zarr_json() {
    let da = acquisition(5);
    let tmp = Tmp::new("corrupt");
    write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap();
    let meta = tmp.path().join("zarr.json");
    let good = std::fs::read(&meta).unwrap();

    std::fs::write(&meta, &good[..good.len() / 2]).unwrap();
    expect_format_error(tmp.path(), "not valid JSON");
    std::fs::write(&meta, b"\x00\x01garbage").unwrap();
    expect_format_error(tmp.path(), "not valid JSON");
    std::fs::write(&meta, b"[1, 2]").unwrap();
    expect_format_error(tmp.path(), "node_type");
    std::fs::write(&meta, br#"{"zarr_format": 3, "node_type": "group"}"#).unwrap();
    expect_format_error(tmp.path(), "group");
    // valid JSON, broken Zarr metadata
    std::fs::write(&meta, &good).unwrap();
    edit_json(tmp.path(), |j| j["shape"] = serde_json::json!(["a", 2]));
    expect_format_error(tmp.path(), "opening the array");
    std::fs::write(&meta, &good).unwrap();
    edit_json(tmp.path(), |j| j["data_type"] = "bool".into());
    assert!(open_zarr(tmp.path()).is_err());
    std::fs::write(&meta, &good).unwrap();
    edit_json(tmp.path(), |j| j["data_type"] = "complex64".into());
    edit_json(tmp.path(), |j| {
        j["fill_value"] = serde_json::json!([0.0, 0.0])
    });
    expect_format_error(tmp.path(), "unsupported data type");
    std::fs::write(&meta, &good).unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&da));
}

#[test]
fn wrong_attribute_layouts() {
    let da = acquisition(5);
    let tmp = Tmp::new("layout");
    write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap();
    let meta = tmp.path().join("zarr.json");
    let good = std::fs::read(&meta).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let cases: Vec<(Edit, &str)> = vec![
        (
            |j| j["attributes"]["xdas"] = "v1".into(),
            "expected an object",
        ),
        (
            |j| j["attributes"]["xdas"]["version"] = 2.into(),
            "version 2",
        ),
        (
            |j| {
                j["attributes"]["xdas"]
                    .as_object_mut()
                    .unwrap()
                    .remove("version");
            },
            "missing \"version\"",
        ),
        (
            |j| j["attributes"]["xdas"]["dims"] = serde_json::json!(["time"]),
            "1 dims",
        ),
        (
            |j| j["attributes"]["xdas"]["dims"] = serde_json::json!(["time", "time"]),
            "twice",
        ),
        (
            |j| j["attributes"]["xdas"]["dims"] = serde_json::json!(["a", "b"]),
            "disagree",
        ),
        (
            |j| j["attributes"]["xdas"]["dims"] = serde_json::json!(["time", 3]),
            "dims[1]",
        ),
        (|j| j["attributes"]["xdas"]["name"] = 5.into(), "\"name\""),
        (
            |j| j["attributes"]["xdas"]["attrs"] = serde_json::json!([1]),
            "\"attrs\"",
        ),
        (
            |j| j["attributes"]["xdas"]["attrs"]["units"] = true.into(),
            "attrs.units",
        ),
        (
            |j| j["attributes"]["xdas"]["attrs"]["units"] = serde_json::json!([]),
            "ambiguous",
        ),
        (
            |j| j["attributes"]["xdas"]["attrs"]["units"] = serde_json::json!({"complex": 1}),
            "unknown typed",
        ),
        (
            |j| j["attributes"]["xdas"]["attrs"]["units"] = serde_json::json!([1, "a"]),
            "only strings",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"] = "time".into(),
            "\"coords\" must be an array",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0] = 3.into(),
            "coords[0]",
        ),
        (
            |j| {
                j["attributes"]["xdas"]["coords"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("name");
            },
            "missing \"name\"",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["kind"] = "spline".into(),
            "unknown kind",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["dtype"] = "float16".into(),
            "unknown dtype",
        ),
        (
            |j| {
                let c = &mut j["attributes"]["xdas"]["coords"][0];
                c["dtype"] = "datetime64".into();
                c.as_object_mut().unwrap().remove("unit");
            },
            "needs a \"unit\"",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["unit"] = "fortnight".into(),
            "disagrees",
        ),
        (
            |j| {
                let c = &mut j["attributes"]["xdas"]["coords"][0];
                c["dtype"] = "datetime64".into();
                c["unit"] = "fortnight".into();
            },
            "unknown time unit",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["dtype"] = "datetime64[ms]".into(),
            "disagrees",
        ),
        (
            |j| {
                j["attributes"]["xdas"]["coords"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("tie_values");
            },
            "missing \"tie_values\"",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["tie_values"][1] = "soon".into(),
            "tie_values[1]",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["tie_values"][1] = 1.5.into(),
            "tie_values[1]",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["tie_indices"] = serde_json::json!([0, 0]),
            "strictly increasing",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["tie_indices"] = serde_json::json!([0, -4]),
            "tie_indices[1]",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["tie_indices"] = serde_json::json!([0, 9]),
            "not consistent",
        ),
        (
            |j| {
                let c = &mut j["attributes"]["xdas"]["coords"][0];
                c["tie_indices"] = serde_json::json!([0, 9]);
                c["sampling"] = serde_json::Value::Null;
            },
            "10 labels",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["sampling"]["den"] = 0.into(),
            "sampling.den",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["sampling"]["num"] = 3.into(),
            "not consistent",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["sampling"] = 3.into(),
            "\"sampling\"",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["tie_values"][0] = serde_json::json!(i64::MAX),
            "not consistent",
        ),
        (
            |j| {
                let c = &mut j["attributes"]["xdas"]["coords"][0];
                c["dtype"] = "datetime64".into();
                c["unit"] = "s".into();
            },
            "overflows",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][0]["dim"] = "depth".into(),
            "unknown dim",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][1]["name"] = "time".into(),
            "given twice",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][2]["values"][0] = 0.5.into(),
            "values[0]",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][2]["kind"] = "interpolated".into(),
            "interpolated coordinate cannot hold int64",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][2]["dtype"] = "str".into(),
            "values[0]",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][3]["dtype"] = "int64".into(),
            "expected an int64",
        ),
        (
            |j| {
                j["attributes"]["xdas"]["coords"][3]
                    .as_object_mut()
                    .unwrap()
                    .remove("value");
            },
            "missing \"value\"",
        ),
        (
            |j| j["attributes"]["xdas"]["coords"][3]["kind"] = "sampled".into(),
            "cannot hold",
        ),
    ];
    for (edit, needle) in cases {
        std::fs::write(&meta, &good).unwrap();
        edit_json(tmp.path(), edit);
        expect_format_error(tmp.path(), needle);
    }
    // the untouched store still reads back
    std::fs::write(&meta, &good).unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&da));
}

#[test]
fn mismatching_appends_are_refused_and_leave_the_store_intact() {
    let whole = acquisition(60);
    let tmp = Tmp::new("mismatch");
    let mut w = ZarrWriter::<f64>::create(tmp.path(), "time", ZarrOptions::default()).unwrap();
    let first = slice(&whole, "time", 0, 30);
    w.append(&first).unwrap();
    let next = slice(&whole, "time", 30, 60);

    let mut bad: Vec<(DataArray<f64>, &str)> = vec![
        (next.transpose(&["distance", "time"]).unwrap(), "dims"),
        (slice(&next, "distance", 0, 5), "shape"),
        (
            next.clone()
                .assign_coord("distance", Coordinate::from_block(0.0, 6, 2.5, "distance"))
                .unwrap(),
            "coordinate \"distance\" differs",
        ),
        (next.clone().drop_coord("gps_ok"), "\"gps_ok\" is missing"),
        (
            next.clone()
                .assign_coord("extra", Coordinate::scalar(1.0))
                .unwrap(),
            "\"extra\" is not in the store",
        ),
        (
            next.clone()
                .assign_coord("fiber", Coordinate::scalar("F2"))
                .unwrap(),
            "\"fiber\" differs",
        ),
        (
            next.clone()
                .assign_coord(
                    "time",
                    Coordinate::dense(next.coord("time").unwrap().values(), "time"),
                )
                .unwrap(),
            "coordinate \"time\"",
        ),
    ];
    // a block along another dim name
    let renamed = DataArray::from_parts(
        next.data().clone(),
        vec!["t".into(), "distance".into()],
        vec![],
        None,
        None,
    )
    .unwrap();
    bad.push((renamed, "dims"));
    for (b, needle) in &bad {
        let err = w.append(b).unwrap_err();
        assert!(matches!(err, IoError::Invalid(_)), "{err}");
        assert!(err.to_string().contains(needle), "{err} lacks {needle:?}");
        assert_eq!(w.shape(), Some(&[30, 6][..]));
        assert!(read_back::<f64>(tmp.path()).equals(&first));
    }
    // the writer still works after refusals
    w.append(&next).unwrap();
    w.finish().unwrap();
    assert!(read_back::<f64>(tmp.path()).equals(&whole));

    // the dim to append along must exist
    let tmp2 = Tmp::new("nodim");
    let mut w = ZarrWriter::<f64>::create(tmp2.path(), "depth", ZarrOptions::default()).unwrap();
    let err = w.append(&first).unwrap_err();
    assert!(err.to_string().contains("depth"), "{err}");
    assert!(!tmp2.path().exists());
}

#[test]
fn attribute_values_round_trip_exactly() {
    let mut attrs = Attrs::new();
    attrs.insert("int", 3i64);
    attrs.insert("float_integral", 3.0);
    attrs.insert("tiny", 5e-324);
    attrs.insert("nan", f64::NAN);
    attrs.insert("neg_inf", f64::NEG_INFINITY);
    attrs.insert("ints", vec![1i64, i64::MIN, i64::MAX]);
    attrs.insert("floats", vec![1.0, 0.1, -0.0]);
    attrs.insert("floats_nan", vec![f64::NAN, 2.0]);
    attrs.insert("empty_ints", Vec::<i64>::new());
    attrs.insert("empty_floats", Vec::<f64>::new());
    attrs.insert("empty_strs", AttrValue::StrArray(vec![]));
    attrs.insert(
        "strs",
        AttrValue::StrArray(vec!["NaN".into(), "{\"float64\": 1}".into()]),
    );
    attrs.insert("str_nan", "NaN");
    let da = acquisition(3).with_attrs(attrs.clone());
    let tmp = Tmp::new("attrs");
    write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap();
    let back = read_back::<f64>(tmp.path());
    assert_eq!(back.attrs(), Some(&attrs));
    // order is kept too
    assert_eq!(
        back.attrs().unwrap().keys().collect::<Vec<_>>(),
        attrs.keys().collect::<Vec<_>>()
    );
    match back.attrs().unwrap().get("float_integral") {
        Some(AttrValue::Float(x)) => assert_eq!(*x, 3.0),
        other => panic!("{other:?}"),
    }
    // None and empty attributes differ
    let none = DataArray::from_parts(
        ArrayD::<f64>::zeros(vec![2]),
        vec!["x".into()],
        vec![(
            "x".into(),
            Coordinate::dense(Values::F64(vec![0.0, 1.0]), "x"),
        )],
        None,
        None,
    )
    .unwrap();
    let tmp2 = Tmp::new("attrs-none");
    write_zarr(&none, tmp2.path(), &ZarrOptions::default()).unwrap();
    assert_eq!(read_back::<f64>(tmp2.path()).attrs(), None);
}

#[test]
fn other_time_units_are_read() {
    let t0: Datetime = "2024-01-01T00:00:00".parse().unwrap();
    let da = DataArray::new(
        ArrayD::<f32>::zeros(vec![3]),
        &["time"],
        vec![(
            "time",
            Coordinate::dense(
                vec![
                    t0,
                    t0 + Timedelta::from_ns(1_000_000_000),
                    t0 + Timedelta::from_ns(2_000_000_000),
                ],
                "time",
            ),
        )],
    )
    .unwrap();
    let tmp = Tmp::new("units");
    write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap();
    edit_json(tmp.path(), |j| {
        let c = &mut j["attributes"]["xdas"]["coords"][0];
        c["unit"] = "s".into();
        c["dtype"] = "datetime64".into();
        let s = t0.ns() / 1_000_000_000;
        c["values"] = serde_json::json!([s, s + 1, s + 2]);
    });
    assert!(read_back::<f32>(tmp.path()).equals(&da));
}

/// Metadata that lies about shapes, chunks or codecs: errors (or, where the bytes still
/// decode, values), never a panic.
#[test]
fn lying_metadata_never_panics() {
    let da = acquisition(5);
    let cases = [
        (
            serde_json::json!({"chunk_grid": {"name": "regular",
                "configuration": {"chunk_shape": [1u64 << 40, 6]}}}),
            None,
        ),
        (
            serde_json::json!({"shape": [1u64 << 62, 6]}),
            Some("labels for"),
        ),
        (
            serde_json::json!({"shape": [u64::MAX, u64::MAX]}),
            Some("labels for"),
        ),
        (
            serde_json::json!({"shape": [5, 6, 7]}),
            Some("opening the array"),
        ),
        (
            serde_json::json!({"codecs": [{"name": "bytes", "configuration": {"endian": "big"}}]}),
            None,
        ),
        (
            serde_json::json!({"codecs": [{"name": "gzip", "configuration": {"level": 1}}]}),
            Some("not supported"),
        ),
        (
            serde_json::json!({"chunk_grid": {"name": "regular",
                "configuration": {"chunk_shape": [0, 6]}}}),
            Some("opening the array"),
        ),
    ];
    for (edit, expect) in cases {
        let tmp = Tmp::new("lying");
        write_zarr(&da, tmp.path(), &ZarrOptions::default()).unwrap();
        edit_json(tmp.path(), |j| {
            for (k, v) in edit.as_object().unwrap() {
                j[k] = v.clone();
            }
        });
        match (open_zarr(tmp.path()), expect) {
            (Err(e), Some(needle)) => assert!(e.to_string().contains(needle), "{e}"),
            (Err(e), None) => panic!("{edit}: {e}"),
            (Ok(_), Some(needle)) => panic!("{edit} opened (expected {needle:?})"),
            (Ok(lazy), None) => {
                let _ = lazy.isel("time", 0, 2).unwrap().load();
            }
        }
    }
}

#[cfg(feature = "blosc")]
#[test]
fn blosc_round_trip() {
    let da = acquisition(40);
    let tmp = Tmp::new("blosc");
    let opts = ZarrOptions {
        chunks: Some(vec![16, 6]),
        compression: Compression::Blosc { level: 5 },
        overwrite: false,
    };
    write_zarr(&da, tmp.path(), &opts).unwrap();
    assert!(
        std::fs::read_to_string(tmp.path().join("zarr.json"))
            .unwrap()
            .contains("blosc")
    );
    assert!(read_back::<f64>(tmp.path()).equals(&da));
    let bad = ZarrOptions {
        compression: Compression::Blosc { level: 10 },
        ..ZarrOptions::default()
    };
    assert!(write_zarr(&da, Tmp::new("blosc-bad").path(), &bad).is_err());
}
