//! The TDMS and miniSEED engines on the vendor sample files: labels, values, block reads,
//! and damaged copies (truncated, corrupted headers) that must fail with clear errors.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{ArrayD, IxDyn, s};
use xdas_io::miniseed::MseedEngine;
use xdas_io::tdms::TdmsEngine;
use xdas_io::xdas_core::{Scalar, Values};
use xdas_io::{Data, Engine, IoError, LazyArray, Probe};

const TDMS: &str = "sample_tdms_file_v4713.tdms";
const GEOFON: &str = "geofon_1D_HSF.mseed";
const ETNA: &str = "etna_9n_3chan_10s.mseed";

/// The engines under test, as a registry would hold them.
const ENGINES: &[&dyn Engine] = &[&TdmsEngine, &MseedEngine];

fn data_file(name: &str) -> Option<PathBuf> {
    xdas_testdata::vendor_file(name)
}

macro_rules! need {
    ($name:expr) => {
        match data_file($name) {
            Some(p) => p,
            None => {
                eprintln!("skipping: {} not found", $name);
                return;
            }
        }
    };
}

/// A file under the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, bytes: &[u8]) -> TempFile {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "xdas-io-tdms-mseed-{}-{}-{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&p, bytes).expect("write temporary file");
        TempFile(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Open with the first engine of [`ENGINES`] whose `detect` accepts the file.
fn open_any(path: &Path) -> Result<LazyArray, String> {
    let probe = Probe::new(path).map_err(|e| e.to_string())?;
    let mut why = Vec::new();
    for e in ENGINES {
        match e.detect(&probe) {
            Ok(()) => return e.open(path).map_err(|e| e.to_string()),
            Err(reason) => why.push(format!("{}: {reason}", e.name())),
        }
    }
    Err(why.join("; "))
}

fn time_str(da: &LazyArray, i: usize) -> String {
    match da.coord("time").expect("time").value(i).expect("value") {
        Scalar::Datetime(t) => t.to_string(),
        other => panic!("time value {other:?}"),
    }
}

fn f64_at(da: &LazyArray, name: &str, i: usize) -> f64 {
    match da.coord(name).expect(name).value(i).expect("value") {
        Scalar::F64(v) => v,
        other => panic!("{name} value {other:?}"),
    }
}

fn scalar_str(da: &LazyArray, name: &str) -> String {
    match da.coord(name).expect(name).value(0).expect("value") {
        Scalar::Str(s) => s,
        other => panic!("{name} value {other:?}"),
    }
}

fn i16s(d: Data) -> ArrayD<i16> {
    match d {
        Data::I16(a) => a,
        other => panic!("expected int16, got {:?}", other.dtype()),
    }
}

fn i32s(d: Data) -> ArrayD<i32> {
    match d {
        Data::I32(a) => a,
        other => panic!("expected int32, got {:?}", other.dtype()),
    }
}

fn format_message(e: &IoError) -> String {
    match e {
        IoError::Format {
            message, engine, ..
        } => format!("{engine}: {message}"),
        other => panic!("expected a format error, got {other}"),
    }
}

/// A small deterministic generator for corruption positions.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

// ---------------------------------------------------------------------------------------
// TDMS
// ---------------------------------------------------------------------------------------

/// Byte offset of the raw data in the sample file (lead-in + metadata, padded by iDAS).
const TDMS_RAW_START: usize = 122_880;
const TDMS_ROW_BYTES: usize = 2432 * 2;

#[test]
fn tdms_sample_labels_and_values() {
    let path = need!(TDMS);
    let da = TdmsEngine.open(&path).expect("open");
    assert_eq!(da.engine(), "tdms");
    assert_eq!(da.dims(), ["time", "distance"]);
    assert_eq!(da.shape(), [216, 2432]);
    assert_eq!(da.dtype(), xdas_io::xdas_core::DType::I16);
    // GPSTimeStamp is 03:33:35.812034314; xdas and DASCore read it at the microsecond
    assert_eq!(time_str(&da, 0), "2019-04-15T03:33:35.812034000");
    assert_eq!(time_str(&da, 215), "2019-04-15T03:33:36.242034000");
    assert_eq!(
        da.coord("time").unwrap().sampling_interval_seconds(),
        Some(0.002)
    );
    // distance from "Start Distance (m)" (xdas), not "StartPosition[m]" (DASCore: 240 m)
    let (x0, x1) = (f64_at(&da, "distance", 0), f64_at(&da, "distance", 2431));
    assert!((x0 - -0.5104299999999711).abs() < 1e-9, "{x0}");
    assert!((x1 - 4963.360060382782).abs() < 1e-9, "{x1}");
    // ... which the vendor's own "Stop Distance (m)" brackets to within one resolution
    let props = xdas_io::tdms::properties(&path).expect("properties");
    let stop = match props.get("Stop Distance (m)") {
        Some(xdas_io::xdas_core::AttrValue::Float(v)) => *v,
        other => panic!("Stop Distance {other:?}"),
    };
    assert!((stop - x1).abs() < 2.0, "stop {stop} vs last channel {x1}");
    assert_eq!(
        props.get("GPSTimeStamp"),
        Some(&xdas_io::xdas_core::AttrValue::Str(
            "2019-04-15T03:33:35.812034314".into()
        ))
    );

    // values as Python xdas reads them
    let full = i16s(da.load().expect("load"));
    assert_eq!(full.shape(), [216, 2432]);
    assert_eq!(
        full.slice(s![0, ..4]).to_vec(),
        [-1144, -1897, -2329, -2163]
    );
    assert_eq!(
        full.slice(s![215, 2428..]).to_vec(),
        [-57, -154, -299, -453]
    );
    assert_eq!(full.slice(s![100, 1000..1003]).to_vec(), [-40, -32, -41]);
    let sum: i64 = full.iter().map(|&v| v as i64).sum();
    assert_eq!(sum, 256151);
    let weighted: i64 = full
        .indexed_iter()
        .map(|(ix, &v)| v as i64 * ix[1] as i64)
        .sum();
    assert_eq!(weighted, 172390473);
}

#[test]
fn tdms_block_reads_equal_full_read() {
    let path = need!(TDMS);
    let da = TdmsEngine.open(&path).expect("open");
    let full = i16s(da.load().expect("load"));
    let blocks = [
        (0, 216, 0, 2432),
        (0, 1, 0, 1),
        (215, 216, 2431, 2432),
        (17, 93, 400, 1733),
        (100, 100, 5, 10), // empty
        (3, 200, 2000, 2001),
    ];
    for (t0, t1, x0, x1) in blocks {
        let sub = da
            .isel("time", t0, t1)
            .and_then(|d| d.isel("distance", x0, x1))
            .expect("isel");
        assert_eq!(sub.shape(), [t1 - t0, x1 - x0]);
        let got = i16s(sub.load().expect("load block"));
        assert_eq!(got, full.slice(s![t0..t1, x0..x1]).to_owned().into_dyn());
        // the labels follow the selection
        if t1 > t0 {
            assert_eq!(time_str(&sub, 0), time_str(&da, t0));
        }
    }
    // float conversion on load
    let f = da
        .isel("time", 0, 2)
        .unwrap()
        .load_as::<f64>()
        .expect("load_as");
    assert_eq!(f.data()[[0, 0]], -1144.0);
    // reading directly from the source with a bad region fails cleanly
    assert!(da.source().read(&[0..217, 0..1]).is_err());
    let one_axis = vec![std::ops::Range { start: 0, end: 1 }];
    assert!(da.source().read(&one_axis).is_err());
}

#[test]
fn tdms_detect_accepts_tdms_and_declines_wrong_tag() {
    let path = need!(TDMS);
    let probe = Probe::new(&path).expect("probe");
    assert_eq!(TdmsEngine.detect(&probe), Ok(()));
    let why = MseedEngine
        .detect(&probe)
        .expect_err("miniseed must decline TDMS");
    assert!(why.contains("miniSEED"), "{why}");

    let mut bytes = std::fs::read(&path).unwrap();
    bytes[..4].copy_from_slice(b"TDSh"); // an index file's tag, not a data file's
    let bad = TempFile::new("tag.tdms", &bytes);
    let probe = Probe::new(bad.path()).expect("probe");
    let why = TdmsEngine
        .detect(&probe)
        .expect_err("wrong tag must be declined");
    assert!(why.contains("TDSm") && why.contains("TDSh"), "{why}");
    let e = TdmsEngine
        .open(bad.path())
        .expect_err("wrong tag must not open");
    let m = format_message(&e);
    assert!(m.contains("segment 0") && m.contains("TDSm"), "{m}");
    // through the local registry: nobody takes it, and each engine says why
    let why = open_any(bad.path()).expect_err("no engine");
    assert!(why.contains("tdms:") && why.contains("miniseed:"), "{why}");

    bytes[..4].copy_from_slice(b"TDSm");
    bytes[8..12].copy_from_slice(&4711u32.to_le_bytes());
    let bad = TempFile::new("version.tdms", &bytes);
    let why = TdmsEngine
        .detect(&Probe::new(bad.path()).unwrap())
        .expect_err("version");
    assert!(why.contains("4711"), "{why}");
    assert!(format_message(&TdmsEngine.open(bad.path()).unwrap_err()).contains("4711"));
}

#[test]
fn tdms_truncated_copies() {
    let path = need!(TDMS);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), TDMS_RAW_START + 216 * TDMS_ROW_BYTES);

    // the first half: cut in the middle of a row
    let half = TempFile::new("half.tdms", &bytes[..bytes.len() / 2]);
    let m = format_message(&TdmsEngine.open(half.path()).unwrap_err());
    assert!(m.contains("truncated") && m.contains("row 95"), "{m}");
    // inside the lead-in, inside the metadata, at the start of the raw data
    for (n, expect) in [
        (0, "too few"),
        (20, "too few"),
        (60_000, "metadata"),
        (TDMS_RAW_START, "no samples"),
        (TDMS_RAW_START + 1, "row 0"),
    ] {
        let cut = TempFile::new("cut.tdms", &bytes[..n]);
        let m = format_message(&TdmsEngine.open(cut.path()).unwrap_err());
        assert!(m.contains(expect), "{n} bytes: {m}");
    }
    // a copy cut on a row boundary holds fewer whole rows (the sample file itself is a
    // 216-row cut of a 30 000-row segment)
    let rows100 = TempFile::new(
        "rows100.tdms",
        &bytes[..TDMS_RAW_START + 100 * TDMS_ROW_BYTES],
    );
    let da = TdmsEngine.open(rows100.path()).expect("whole rows open");
    assert_eq!(da.shape(), [100, 2432]);
    let full = i16s(TdmsEngine.open(&path).unwrap().load().unwrap());
    assert_eq!(
        i16s(da.load().unwrap()),
        full.slice(s![..100, ..]).to_owned().into_dyn()
    );
    // a file that shrinks after opening gives an I/O error, not garbage
    let shrinking = TempFile::new("shrink.tdms", &bytes);
    let da = TdmsEngine.open(shrinking.path()).expect("open");
    std::fs::write(shrinking.path(), &bytes[..TDMS_RAW_START + 10]).unwrap();
    assert!(matches!(da.load(), Err(IoError::Os { .. })));
}

fn find(bytes: &[u8], what: &[u8]) -> usize {
    bytes
        .windows(what.len())
        .position(|w| w == what)
        .unwrap_or_else(|| panic!("{:?} not in file", String::from_utf8_lossy(what)))
}

#[test]
fn tdms_corrupted_headers() {
    let path = need!(TDMS);
    let good = std::fs::read(&path).unwrap();
    let corrupt = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut b = good.clone();
        f(&mut b);
        let t = TempFile::new("bad.tdms", &b);
        format_message(&TdmsEngine.open(t.path()).expect_err("corrupt file opened"))
    };
    // a required property renamed
    let m = corrupt(&|b| {
        let i = find(b, b"SamplingFrequency[Hz]");
        b[i] = b'X';
    });
    assert!(m.contains("SamplingFrequency[Hz]"), "{m}");
    // the start time stamp with an unknown type code
    let m = corrupt(&|b| {
        let i = find(b, b"GPSTimeStamp") + 12;
        b[i..i + 4].copy_from_slice(&0x99u32.to_le_bytes());
    });
    assert!(m.contains("GPSTimeStamp") && m.contains("0x99"), "{m}");
    // the start time stamp stored as a string
    let m = corrupt(&|b| {
        let i = find(b, b"GPSTimeStamp") + 12;
        b[i..i + 4].copy_from_slice(&0x20u32.to_le_bytes());
    });
    assert!(m.contains("GPSTimeStamp") || m.contains("bytes"), "{m}");
    // far too many objects
    let m = corrupt(&|b| b[28..32].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes()));
    // (the walk runs into the zero padding after the real objects)
    assert!(m.contains("remain") || m.contains("never had"), "{m}");
    // channel 0 holding strings
    let m = corrupt(&|b| {
        let i = find(b, b"/'Measurement'/'0'") + 18 + 4;
        b[i..i + 4].copy_from_slice(&0x20u32.to_le_bytes());
    });
    assert!(
        m.contains("not a number") || m.contains("not one DAS array"),
        "{m}"
    );
    // channel 1 with another chunk size
    let m = corrupt(&|b| {
        let i = find(b, b"/'Measurement'/'1'") + 18 + 12;
        b[i..i + 8].copy_from_slice(&217u64.to_le_bytes());
    });
    assert!(m.contains("not one DAS array"), "{m}");
    // a raw data offset past the segment's end
    let m = corrupt(&|b| b[20..28].copy_from_slice(&u64::MAX.to_le_bytes()));
    assert!(m.contains("raw data offset"), "{m}");
    // a next-segment offset inside the metadata
    let m = corrupt(&|b| b[12..20].copy_from_slice(&100u64.to_le_bytes()));
    assert!(m.contains("raw data offset"), "{m}");
    // an object path that is not UTF-8
    let m = corrupt(&|b| {
        let i = find(b, b"/'Measurement'/'7'");
        b[i + 16] = 0xFF;
    });
    assert!(m.contains("UTF-8"), "{m}");
}

#[test]
fn tdms_random_corruption_never_panics() {
    let path = need!(TDMS);
    // the metadata and four rows: small enough to write many copies
    let base = std::fs::read(&path).unwrap()[..TDMS_RAW_START + 4 * TDMS_ROW_BYTES].to_vec();
    let mut rng = Lcg(0x5eed);
    let (mut opened, mut failed) = (0, 0);
    for _ in 0..150 {
        let mut b = base.clone();
        for _ in 0..1 + rng.below(4) {
            // mostly the lead-in and the first objects, where a flip changes structure
            let i = if rng.below(2) == 0 {
                rng.below(200)
            } else {
                rng.below(TDMS_RAW_START)
            };
            b[i] ^= 1 << rng.below(8);
        }
        let t = TempFile::new("fuzz.tdms", &b);
        match TdmsEngine.open(t.path()) {
            Ok(da) => {
                opened += 1;
                let _ = da.load();
            }
            Err(e) => {
                failed += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(opened > 0 && failed > 0, "{opened} opened, {failed} failed");
}

// ---------------------------------------------------------------------------------------
// miniSEED
// ---------------------------------------------------------------------------------------

#[test]
fn mseed_geofon_single_trace() {
    let path = need!(GEOFON);
    let da = open_any(&path).expect("open through the registry");
    assert_eq!(da.engine(), "miniseed");
    assert_eq!(da.dims(), ["time"]);
    assert_eq!(da.shape(), [452914]);
    assert_eq!(da.dtype(), xdas_io::xdas_core::DType::I32);
    assert_eq!(time_str(&da, 0), "2021-06-16T16:59:52.248000000");
    assert_eq!(time_str(&da, 452913), "2021-06-16T17:30:03.900000000");
    assert_eq!(
        da.coord("time").unwrap().sampling_interval_seconds(),
        Some(0.004)
    );
    assert_eq!(scalar_str(&da, "network"), "1D");
    assert_eq!(scalar_str(&da, "station"), "00000");
    assert_eq!(scalar_str(&da, "location"), "");
    assert_eq!(scalar_str(&da, "channel"), "HSF");

    let full = i32s(da.load().expect("load"));
    assert_eq!(full.slice(s![..3]).to_vec(), [2180, 2466, 2334]);
    assert_eq!(full.slice(s![452911..]).to_vec(), [3458, 4226, 3196]);
    assert_eq!(full[[200000]], -762);
    assert_eq!(full.iter().map(|&v| v as i64).sum::<i64>(), 144611);

    // blocks inside one record, across records, at both ends
    for (a, b) in [
        (0, 1),
        (0, 2000),
        (1900, 4100),
        (226000, 227000),
        (452000, 452914),
        (7, 7),
    ] {
        let got = i32s(da.isel("time", a, b).unwrap().load().expect("block"));
        assert_eq!(got, full.slice(s![a..b]).to_owned().into_dyn(), "{a}..{b}");
    }
}

#[test]
fn mseed_etna_three_channels() {
    let path = need!(ETNA);
    let da = MseedEngine.open(&path).expect("open");
    assert_eq!(da.dims(), ["time", "channel"]);
    // 13735, 13729 and 13556 samples: the common span
    assert_eq!(da.shape(), [13556, 3]);
    assert_eq!(da.dtype(), xdas_io::xdas_core::DType::I32);
    assert_eq!(time_str(&da, 0), "2018-08-31T07:01:08.896000000");
    assert_eq!(time_str(&da, 13555), "2018-08-31T07:01:22.451000000");
    let ids = da.coord("channel").unwrap().values();
    assert!(
        matches!(&ids, Values::Str(v) if v == &["9N.00066..HSF", "9N.00067..HSF", "9N.00068..HSF"]),
        "{ids:?}"
    );
    assert_eq!(scalar_str(&da, "network"), "9N");
    assert_eq!(scalar_str(&da, "location"), "");
    let stations = da.coord("station").unwrap();
    assert_eq!(stations.dim(), Some("channel"));
    assert!(matches!(stations.values(), Values::Str(v) if v == ["00066", "00067", "00068"]));

    let full = i32s(da.load().expect("load"));
    assert_eq!(full.slice(s![0, ..]).to_vec(), [1696, 567, -323]);
    assert_eq!(full.slice(s![1, ..]).to_vec(), [81, 265, 375]);
    assert_eq!(full.slice(s![13555, ..]).to_vec(), [-377, -111, -67]);
    let sums: Vec<i64> = (0..3)
        .map(|c| full.slice(s![.., c]).iter().map(|&v| v as i64).sum())
        .collect();
    assert_eq!(sums, [-7092, 159935, 296468]);

    for (t0, t1, c0, c1) in [
        (0, 13556, 1, 2),
        (3000, 9000, 0, 3),
        (13000, 13556, 2, 3),
        (5, 5, 0, 3),
    ] {
        let sub = da
            .isel("time", t0, t1)
            .and_then(|d| d.isel("channel", c0, c1))
            .expect("isel");
        let got = i32s(sub.load().expect("block"));
        assert_eq!(got, full.slice(s![t0..t1, c0..c1]).to_owned().into_dyn());
    }
    assert_eq!(
        ArrayD::<i32>::zeros(IxDyn(&[0, 3])),
        i32s(da.isel("time", 0, 0).unwrap().load().unwrap())
    );
}

#[test]
fn mseed_detect() {
    let path = need!(GEOFON);
    let probe = Probe::new(&path).expect("probe");
    assert_eq!(MseedEngine.detect(&probe), Ok(()));
    let why = TdmsEngine
        .detect(&probe)
        .expect_err("tdms must decline miniSEED");
    assert!(why.contains("TDSm"), "{why}");
    let empty = TempFile::new("empty.mseed", b"");
    let probe = Probe::new(empty.path()).unwrap();
    assert!(MseedEngine.detect(&probe).is_err());
    assert!(TdmsEngine.detect(&probe).is_err());
    assert!(format_message(&MseedEngine.open(empty.path()).unwrap_err()).contains("empty"));
}

#[test]
fn mseed_truncated_copies() {
    for name in [GEOFON, ETNA] {
        let path = need!(name);
        let bytes = std::fs::read(&path).unwrap();
        for n in [bytes.len() / 2 + 100, 100, 4095, 4096 + 2000] {
            let cut = TempFile::new("cut.mseed", &bytes[..n]);
            let m = format_message(&MseedEngine.open(cut.path()).unwrap_err());
            assert!(m.contains("truncated"), "{name} cut at {n}: {m}");
        }
        // a copy cut on a record boundary is a shorter file
        let whole = TempFile::new("whole.mseed", &bytes[..8192]);
        assert!(MseedEngine.open(whole.path()).is_ok());
    }
}

#[test]
fn mseed_corrupted_records() {
    let path = need!(GEOFON);
    let good = std::fs::read(&path).unwrap();
    let with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut b = good.clone();
        f(&mut b);
        TempFile::new("bad.mseed", &b)
    };
    // the first header overwritten: not miniSEED at all
    let t = with(&|b| b[..8].copy_from_slice(b"garbage!"));
    assert!(MseedEngine.detect(&Probe::new(t.path()).unwrap()).is_err());
    let m = format_message(&MseedEngine.open(t.path()).unwrap_err());
    assert!(m.contains("byte 0") && m.contains("not miniSEED"), "{m}");
    // a header in the middle of the file overwritten
    let t = with(&|b| b[10 * 4096..10 * 4096 + 8].copy_from_slice(b"garbage!"));
    let m = format_message(&MseedEngine.open(t.path()).unwrap_err());
    assert!(m.contains("byte 40960") && m.contains("damaged"), "{m}");
    // an unknown encoding in blockette 1000 (at byte 48: type, next, encoding, ...)
    let t = with(&|b| {
        assert_eq!(&b[48..50], &[0x03, 0xe8]);
        b[52] = 99;
    });
    let m = format_message(&MseedEngine.open(t.path()).unwrap_err());
    assert!(m.contains("byte 0"), "{m}");
    // a zero sample rate (factor and multiplier of the fixed header)
    let t = with(&|b| b[32..36].copy_from_slice(&[0, 0, 0, 0]));
    let m = format_message(&MseedEngine.open(t.path()).unwrap_err());
    assert!(m.contains("byte 0") && m.contains("rate"), "{m}");
    // Steim frames of record 5 scrambled: the headers open, the data fail to decode (or
    // decode to other values), never a panic
    let t = with(&|b| {
        for v in &mut b[5 * 4096 + 64..5 * 4096 + 4096] {
            *v = 0xA5;
        }
    });
    let da = MseedEngine.open(t.path()).expect("headers are intact");
    match da.load() {
        Ok(_) => {}
        Err(e) => assert!(format_message(&e).contains("byte 20480"), "{e}"),
    }
    // a record relabelled to another station: a second trace, and a gap in the first
    let t = with(&|b| b[10 * 4096 + 8..10 * 4096 + 13].copy_from_slice(b"00001"));
    let m = format_message(&MseedEngine.open(t.path()).unwrap_err());
    assert!(m.contains("1D.00000..HSF has 2 segments"), "{m}");
}

#[test]
fn mseed_random_corruption_never_panics() {
    let path = need!(ETNA);
    let base = std::fs::read(&path).unwrap();
    let mut rng = Lcg(0xfeed);
    let (mut opened, mut failed) = (0, 0);
    for _ in 0..150 {
        let mut b = base.clone();
        for _ in 0..1 + rng.below(4) {
            // record headers (first 64 bytes of a 4096-byte record), sometimes the data
            let rec = rng.below(b.len() / 4096);
            let i = rec * 4096
                + if rng.below(3) == 0 {
                    rng.below(4096)
                } else {
                    rng.below(64)
                };
            b[i] ^= 1 << rng.below(8);
        }
        let t = TempFile::new("fuzz.mseed", &b);
        match MseedEngine.open(t.path()) {
            Ok(da) => {
                opened += 1;
                let _ = da.load();
            }
            Err(e) => {
                failed += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(opened > 0 && failed > 0, "{opened} opened, {failed} failed");
}

// ---------------------------------------------------------------------------------------
// Synthetic TDMS files: the layouts the sample file does not use
// ---------------------------------------------------------------------------------------

const TOC_META: u32 = 1 << 1;
const TOC_NEW_LIST: u32 = 1 << 2;
const TOC_RAW: u32 = 1 << 3;
const TOC_INTERLEAVED: u32 = 1 << 5;
const TOC_BIG: u32 = 1 << 6;

/// Writes TDMS segments in either byte order.
struct TdmsWriter {
    big: bool,
    out: Vec<u8>,
}

/// How an object's raw data is described in a segment's metadata.
enum Index {
    None,
    Same,
    New(u32, u64),
}

impl TdmsWriter {
    fn u32(&self, v: u32) -> [u8; 4] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn u64(&self, v: u64) -> [u8; 8] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn string(&self, m: &mut Vec<u8>, s: &str) {
        m.extend(self.u32(s.len() as u32));
        m.extend(s.as_bytes());
    }
    /// Metadata: the root object with the iDAS properties (when `props`), then channels.
    fn metadata(&self, props: bool, channels: &[(String, Index)]) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend(self.u32(channels.len() as u32 + 1));
        self.string(&mut m, "/");
        m.extend(self.u32(0xFFFF_FFFF));
        if props {
            m.extend(self.u32(5));
            for (name, v) in [
                ("SamplingFrequency[Hz]", 1000.0f64),
                ("Start Distance (m)", 10.0),
                ("SpatialResolution[m]", 2.0),
                ("Fibre Length Multiplier", 1.5),
            ] {
                self.string(&mut m, name);
                m.extend(self.u32(0x0A));
                m.extend(if self.big {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                });
            }
            self.string(&mut m, "GPSTimeStamp");
            m.extend(self.u32(0x44));
            // 2020-01-01T00:00:00.5 UTC
            let (seconds, fractions) = (3_660_681_600u64, 1u64 << 63);
            if self.big {
                m.extend(self.u64(seconds));
                m.extend(self.u64(fractions));
            } else {
                m.extend(self.u64(fractions));
                m.extend(self.u64(seconds));
            }
        } else {
            m.extend(self.u32(0));
        }
        for (path, index) in channels {
            self.string(&mut m, path);
            match index {
                Index::None => m.extend(self.u32(0xFFFF_FFFF)),
                Index::Same => m.extend(self.u32(0)),
                Index::New(code, n) => {
                    m.extend(self.u32(20));
                    m.extend(self.u32(*code));
                    m.extend(self.u32(1));
                    m.extend(self.u64(*n));
                }
            }
            m.extend(self.u32(0));
        }
        m
    }
    /// A segment; `next` overrides the next-segment offset.
    fn segment(&mut self, toc: u32, meta: &[u8], raw: &[u8], next: Option<u64>) {
        let toc = toc | if self.big { TOC_BIG } else { 0 };
        self.out.extend(b"TDSm");
        self.out.extend(toc.to_le_bytes());
        self.out.extend(self.u32(4713));
        let next = next.unwrap_or((meta.len() + raw.len()) as u64);
        self.out.extend(self.u64(next));
        self.out.extend(self.u64(meta.len() as u64));
        self.out.extend(meta);
        self.out.extend(raw);
    }
}

fn channel_names(n: usize) -> Vec<String> {
    (0..n).map(|c| format!("/'Measurement'/'{c}'")).collect()
}

/// The value of row `r`, channel `c` in the synthetic files.
fn value(r: usize, c: usize) -> i16 {
    (r * 10 + c) as i16
}

/// Rows `rows` of 3 channels, channel by channel (one chunk).
fn chunk_i16(w: &TdmsWriter, rows: std::ops::Range<usize>) -> Vec<u8> {
    let mut raw = Vec::new();
    for c in 0..3 {
        for r in rows.clone() {
            let v = value(r, c);
            raw.extend(if w.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            });
        }
    }
    raw
}

#[test]
fn tdms_synthetic_chunked_segments() {
    for big in [false, true] {
        let mut w = TdmsWriter {
            big,
            out: Vec::new(),
        };
        let names = channel_names(3);
        // segment 0: new list, chunks of 4 rows: two full chunks and a 2-row tail
        let meta = w.metadata(
            true,
            &names
                .iter()
                .map(|n| (n.clone(), Index::New(2, 4)))
                .collect::<Vec<_>>(),
        );
        let mut raw = chunk_i16(&w, 0..4);
        raw.extend(chunk_i16(&w, 4..8));
        raw.extend(chunk_i16(&w, 8..10));
        w.segment(TOC_META | TOC_NEW_LIST | TOC_RAW, &meta, &raw, None);
        // segment 1: raw data only, same layout
        let raw = chunk_i16(&w, 10..14);
        w.segment(TOC_RAW, &[], &raw, None);
        // segment 2: metadata without a new list, indexes "as before"
        let meta = w.metadata(
            false,
            &names
                .iter()
                .map(|n| (n.clone(), Index::Same))
                .collect::<Vec<_>>(),
        );
        let raw = chunk_i16(&w, 14..18);
        w.segment(TOC_META | TOC_RAW, &meta, &raw, None);
        // segment 3: metadata only (a property update), no raw data
        let meta = w.metadata(false, &[]);
        w.segment(TOC_META, &meta, &[], None);

        let f = TempFile::new("chunked.tdms", &w.out);
        assert_eq!(TdmsEngine.detect(&Probe::new(f.path()).unwrap()), Ok(()));
        let da = TdmsEngine.open(f.path()).expect("open synthetic");
        assert_eq!(da.shape(), [18, 3]);
        assert_eq!(time_str(&da, 0), "2020-01-01T00:00:00.500000000");
        assert_eq!(time_str(&da, 17), "2020-01-01T00:00:00.517000000");
        assert_eq!(f64_at(&da, "distance", 2), 16.0);
        let want = ArrayD::from_shape_fn(IxDyn(&[18, 3]), |ix| value(ix[0], ix[1]));
        assert_eq!(i16s(da.load().unwrap()), want, "big-endian: {big}");
        for (a, b, c0, c1) in [(3, 11, 1, 3), (9, 10, 0, 3), (7, 16, 2, 3), (13, 18, 0, 1)] {
            let got = i16s(
                da.isel("time", a, b)
                    .and_then(|d| d.isel("distance", c0, c1))
                    .unwrap()
                    .load()
                    .unwrap(),
            );
            assert_eq!(got, want.slice(s![a..b, c0..c1]).to_owned().into_dyn());
        }
    }
}

#[test]
fn tdms_synthetic_interleaved_crashed_and_inconsistent() {
    // big-endian float32, interleaved, next-segment offset all ones (the writer crashed):
    // the whole rows present are read, the partial last row is left out
    let mut w = TdmsWriter {
        big: true,
        out: Vec::new(),
    };
    let names = channel_names(3);
    let meta = w.metadata(
        true,
        &names
            .iter()
            .map(|n| (n.clone(), Index::New(9, 100)))
            .collect::<Vec<_>>(),
    );
    let mut raw = Vec::new();
    for r in 0..5 {
        for c in 0..3 {
            raw.extend((value(r, c) as f32).to_be_bytes());
        }
    }
    raw.extend([1, 2, 3]);
    w.segment(
        TOC_META | TOC_NEW_LIST | TOC_RAW | TOC_INTERLEAVED,
        &meta,
        &raw,
        Some(u64::MAX),
    );
    let f = TempFile::new("crashed.tdms", &w.out);
    let da = TdmsEngine.open(f.path()).expect("open crashed file");
    assert_eq!(da.shape(), [5, 3]);
    assert_eq!(da.dtype(), xdas_io::xdas_core::DType::F32);
    let got = match da.load().unwrap() {
        Data::F32(a) => a,
        other => panic!("{:?}", other.dtype()),
    };
    let want = ArrayD::from_shape_fn(IxDyn(&[5, 3]), |ix| value(ix[0], ix[1]) as f32);
    assert_eq!(got, want);

    // a complete segment whose raw data are not whole rows
    let mut w = TdmsWriter {
        big: false,
        out: Vec::new(),
    };
    let meta = w.metadata(
        true,
        &names
            .iter()
            .map(|n| (n.clone(), Index::New(2, 2)))
            .collect::<Vec<_>>(),
    );
    w.segment(
        TOC_META | TOC_NEW_LIST | TOC_RAW | TOC_INTERLEAVED,
        &meta,
        &[0; 13],
        None,
    );
    let f = TempFile::new("rows.tdms", &w.out);
    let m = format_message(&TdmsEngine.open(f.path()).unwrap_err());
    assert!(m.contains("not whole rows"), "{m}");

    // channels of different types
    let mut w = TdmsWriter {
        big: false,
        out: Vec::new(),
    };
    let meta = w.metadata(
        true,
        &[
            (names[0].clone(), Index::New(2, 2)),
            (names[1].clone(), Index::New(3, 2)),
        ],
    );
    w.segment(TOC_META | TOC_NEW_LIST | TOC_RAW, &meta, &[0; 12], None);
    let f = TempFile::new("types.tdms", &w.out);
    let m = format_message(&TdmsEngine.open(f.path()).unwrap_err());
    assert!(m.contains("not one DAS array"), "{m}");

    // a later segment that changes the channel list
    let mut w = TdmsWriter {
        big: false,
        out: Vec::new(),
    };
    let all = names
        .iter()
        .map(|n| (n.clone(), Index::New(2, 1)))
        .collect::<Vec<_>>();
    let meta = w.metadata(true, &all);
    w.segment(TOC_META | TOC_NEW_LIST | TOC_RAW, &meta, &[0; 6], None);
    let meta = w.metadata(false, &[(names[2].clone(), Index::None)]);
    w.segment(TOC_META | TOC_RAW, &meta, &[0; 4], None);
    let f = TempFile::new("list.tdms", &w.out);
    let m = format_message(&TdmsEngine.open(f.path()).unwrap_err());
    assert!(
        m.contains("segment 1") && m.contains("channel list changed"),
        "{m}"
    );

    // "same as before" for an object never seen
    let mut w = TdmsWriter {
        big: false,
        out: Vec::new(),
    };
    let meta = w.metadata(true, &[(names[0].clone(), Index::Same)]);
    w.segment(TOC_META | TOC_NEW_LIST | TOC_RAW, &meta, &[0; 2], None);
    let f = TempFile::new("same.tdms", &w.out);
    let m = format_message(&TdmsEngine.open(f.path()).unwrap_err());
    assert!(m.contains("never had"), "{m}");

    // no channel with raw data at all
    let mut w = TdmsWriter {
        big: false,
        out: Vec::new(),
    };
    let meta = w.metadata(true, &[]);
    w.segment(TOC_META | TOC_NEW_LIST, &meta, &[], None);
    let f = TempFile::new("nodata.tdms", &w.out);
    let m = format_message(&TdmsEngine.open(f.path()).unwrap_err());
    assert!(m.contains("no channel holds raw data"), "{m}");
}

#[test]
fn mseed_gaps_and_record_order() {
    let path = need!(GEOFON);
    let good = std::fs::read(&path).unwrap();
    let full = i32s(MseedEngine.open(&path).unwrap().load().unwrap());
    let rec = |k: usize| &good[k * 4096..(k + 1) * 4096];

    // record 10 left out: one trace with a gap, labelled by tie points
    let mut b = good[..10 * 4096].to_vec();
    b.extend(&good[11 * 4096..]);
    let f = TempFile::new("gap.mseed", &b);
    let da = MseedEngine.open(f.path()).expect("open with a gap");
    let count10 = {
        let with = TempFile::new("r10.mseed", rec(10));
        MseedEngine.open(with.path()).unwrap().shape()[0]
    };
    let first10: usize = (0..10)
        .map(|k| {
            let one = TempFile::new("rk.mseed", rec(k));
            MseedEngine.open(one.path()).unwrap().shape()[0]
        })
        .sum();
    assert_eq!(da.shape(), [452914 - count10]);
    let time = da.coord("time").unwrap();
    match time.kind() {
        xdas_io::xdas_core::coords::CoordKind::InterpTime(c) => {
            assert_eq!(
                c.tie_indices(),
                [0, first10 - 1, first10, 452914 - count10 - 1]
            );
        }
        other => panic!("{other:?}"),
    }
    // the samples after the gap keep their times
    let orig = MseedEngine.open(&path).unwrap();
    assert_eq!(time_str(&da, first10), time_str(&orig, first10 + count10));
    assert_eq!(time_str(&da, first10 - 1), time_str(&orig, first10 - 1));
    let got = i32s(da.load().unwrap());
    assert_eq!(
        got.slice(s![first10..]),
        full.slice(s![first10 + count10..])
    );
    let got = i32s(
        da.isel("time", first10 - 5, first10 + 5)
            .unwrap()
            .load()
            .unwrap(),
    );
    assert_eq!(got.slice(s![..5]), full.slice(s![first10 - 5..first10]));
    assert_eq!(
        got.slice(s![5..]),
        full.slice(s![first10 + count10..first10 + count10 + 5])
    );

    // records out of order are put back in time order
    let mut b = Vec::new();
    b.extend(rec(1));
    b.extend(rec(0));
    b.extend(&good[2 * 4096..]);
    let f = TempFile::new("swapped.mseed", &b);
    let da = MseedEngine.open(f.path()).expect("open swapped");
    assert_eq!(da.shape(), [452914]);
    assert_eq!(time_str(&da, 0), "2021-06-16T16:59:52.248000000");
    assert_eq!(i32s(da.load().unwrap()), full);
}
