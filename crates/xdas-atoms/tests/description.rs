//! Pipelines from TOML / JSON descriptions: the seed pipeline against its golden output,
//! every op of the documented table, and errors that name the step and the key.

use xdas_atoms::{Atom, AtomExt, Chunk, description};
use xdas_core::{Split, Tolerance};
use xdas_testdata::{Case, close, golden_dir, input_dataarray};

fn seed_toml(b: &[f64], a: &[f64]) -> String {
    format!(
        r#"
# the seed pipeline of the origin document
[[step]]
op = "decimate"
q = 2
ftype = "fir"
dim = "distance"

[[step]]
op = "LFilter"
b = {b:?}
a = {a:?}
dim = "time"

[[step]]
op = "square"
"#
    )
}

#[test]
fn seed_pipeline_from_toml_equals_golden() {
    let Some(root) = golden_dir() else {
        eprintln!("skipping: golden data not found (set XDAS_TEST_DATA)");
        return;
    };
    let case = Case::load(&root, &root.join("seed/seed_pipeline.json"));
    let (b, a) = (case.p_f64s("b"), case.p_f64s("a"));
    let da = input_dataarray(&case, "x");
    let want = case.output("monolithic").f64();
    let mut pipeline = description::from_toml(&seed_toml(&b, &a)).unwrap();
    let Chunk::F64(eager) = pipeline.apply(da.clone()).unwrap() else {
        panic!("float64 expected")
    };
    close("seed (TOML)", eager.data(), &want, 1e-12).unwrap();
    // chunked along time, 64 samples per chunk
    let n = da.shape()[0];
    let pieces = da
        .split(
            Split::Indices((64..n).step_by(64).collect()),
            "time",
            Tolerance::Default,
        )
        .unwrap();
    let mut fresh = description::from_toml(&seed_toml(&b, &a)).unwrap();
    let chunked = fresh
        .run_chunks(pieces.into_iter().map(Chunk::F64), "time")
        .unwrap()
        .unwrap();
    assert!(chunked.equals(&Chunk::F64(eager)));
    // the same description in JSON
    let json = format!(
        r#"{{"step": [{{"op": "decimate", "q": 2, "ftype": "fir", "dim": "distance"}},
                      {{"op": "LFilter", "b": {b:?}, "a": {a:?}, "dim": "time"}},
                      {{"op": "square"}}]}}"#
    );
    let mut from_json = description::from_json(&json).unwrap();
    assert_eq!(from_json.signature(), fresh.signature());
    let Chunk::F64(y) = from_json.apply(da).unwrap() else {
        panic!()
    };
    close("seed (JSON)", y.data(), &want, 1e-12).unwrap();
    eprintln!("seed pipeline from TOML and JSON: equal to golden, chunked == eager");
}

/// Every example of the crate documentation's op tables builds and runs.
#[test]
fn every_documented_op_builds_and_runs() {
    let examples = [
        r#"{op="LFilter", b=[0.5, 0.5], a=[1.0], dim="time"}"#,
        r#"{op="SOSFilter", sos=[[1.0, 0.0, 0.0, 1.0, -0.5, 0.0]], dim="time"}"#,
        r#"{op="IIRFilter", order=4, cutoff=1.5, btype="highpass", dim="time"}"#,
        r#"{op="FIRFilter", numtaps=31, cutoff=10.0, btype="lowpass", dim="time"}"#,
        r#"{op="Filter", freq=[1.0, 10.0], dim="time"}"#,
        r#"{op="Filter", freq=["none", 10.0], ftype="fir", dim="time"}"#,
        r#"{op="Polyphase", taps=[0.25, 0.5, 0.25], down=2, dim="time"}"#,
        r#"{op="DownSample", factor=2, dim="time"}"#,
        r#"{op="UpSample", factor=3, dim="time"}"#,
        r#"{op="Resample", rate=20.0, dim="time"}"#,
        r#"{op="Resample", up=1, down=4, method="iir", dim="time"}"#,
        r#"{op="ResamplePoly", target=25.0, dim="time"}"#,
        r#"{op="Decimate", q=4, ftype="fir", dim="time"}"#,
        r#"{op="Integrate", dim="time"}"#,
        r#"{op="Differentiate", dim="time"}"#,
        r#"{op="STFT", wlen=1.0, dim="time"}"#,
        r#"{op="STALTA", sta=0.1, lta=1.0, method="recursive", dim="time"}"#,
        r#"{op="Trigger", thresh=3.0, dim="time"}"#,
        r#"{op="Rechunk", chunks={time=100}}"#,
        r#"{op="Sequential", step=[{op="square"}]}"#,
        r#"{op="square"}"#,
        r#"{op="abs"}"#,
        r#"{op="sqrt"}"#,
        r#"{op="log10"}"#,
        r#"{op="scale", factor=1e-3}"#,
        r#"{op="add", offset=1.0}"#,
        r#"{op="detrend", type="constant", dim="time"}"#,
        r#"{op="taper", window="tukey", dim="time"}"#,
        r#"{op="filter", freq=[1.0, 10.0], btype="bandpass", dim="time"}"#,
        r#"{op="hilbert", dim="time"}"#,
        r#"{op="lfilter", b=[1.0], a=[1.0, -0.9], dim="time"}"#,
        r#"{op="sosfilt", sos=[[1.0, 0.0, 0.0, 1.0, -0.5, 0.0]], dim="time"}"#,
        r#"{op="filtfilt", b=[0.5, 0.5], a=[1.0], dim="time"}"#,
        r#"{op="sosfiltfilt", sos=[[1.0, 0.0, 0.0, 1.0, -0.5, 0.0]], dim="time"}"#,
        r#"{op="decimate", q=2, ftype="fir", dim="distance"}"#,
        r#"{op="resample_poly", up=2, down=5, dim="time"}"#,
        r#"{op="integrate", dim="time"}"#,
        r#"{op="differentiate", dim="distance"}"#,
        r#"{op="sliding_mean_removal", wlen=50.0, dim="distance"}"#,
        r#"{op="medfilt", kernel_dim={distance=5}}"#,
        r#"{op="medfilt", kernel={distance=50.0, time=0.05}}"#,
        r#"{op="segment_mean_removal", limits=[0.0, 200.0, 390.0], dim="distance"}"#,
        r#"{op="rfft", dim="time", newdim="frequency"}"#,
        r#"{op="fft", dim="time"}"#,
        r#"{op="stft", nperseg=64, dim="time"}"#,
    ];
    // 1000 time samples at 100 Hz, 40 channels 10 m apart, positive values
    let da = xdas_synthetics::dummy::<f64>((1000, 40)).to_dataarray();
    let da = da
        .with_data(da.data().mapv(|v| 1.0 + (v * 0.37).sin()))
        .unwrap();
    for ex in examples {
        let text = format!("step = [{ex}]");
        let mut p = description::from_toml(&text).unwrap_or_else(|e| panic!("{ex}: {e}"));
        p.apply(da.clone()).unwrap_or_else(|e| panic!("{ex}: {e}"));
    }
    eprintln!("{} documented ops built and run", examples.len());
}

fn err(text: &str) -> String {
    description::from_toml(text)
        .err()
        .expect("an error")
        .to_string()
}

#[test]
fn bad_descriptions_name_the_step_and_key() {
    assert_eq!(
        err("[[step]]\nop = \"square\"\n[[step]]\nop = \"Frobnicate\"\n"),
        "pipeline step 2 (Frobnicate): unknown op \"Frobnicate\" (atoms are CamelCase as in \
         xdas.atoms, e.g. \"LFilter\"; functions snake_case as in xdas.signal, e.g. \"decimate\")"
    );
    assert_eq!(
        err(
            "[[step]]\nop = \"IIRFilter\"\norder = 4\ncutoff = 1.0\nbtype = \"highpass\"\ncutof = 2\n"
        ),
        "pipeline step 1 (IIRFilter): unknown parameter \"cutof\""
    );
    assert_eq!(
        err("[[step]]\nop = \"IIRFilter\"\norder = \"four\"\ncutoff = 1.0\n"),
        "pipeline step 1 (IIRFilter): parameter \"order\" must be a non-negative integer, got \"four\""
    );
    assert_eq!(
        err("[[step]]\nop = \"STALTA\"\nsta = 0.1\n"),
        "pipeline step 1 (STALTA): missing required parameter \"lta\""
    );
    assert_eq!(
        err("[[step]]\nq = 2\n"),
        "pipeline step 1 (?): missing \"op\""
    );
    assert_eq!(
        err("[[step]]\nop = \"Sequential\"\nstep = [{op = \"square\"}, {op = \"DownSample\"}]\n"),
        "pipeline step 1.2 (DownSample): missing required parameter \"factor\""
    );
    assert!(
        err("[[step]]\nop = \"IIRFilter\"\norder = 4\ncutoff = 1.0\nbtype = \"notch\"\n")
            .starts_with("pipeline step 1 (IIRFilter): ")
    );
    assert!(
        err("[[step]]\nop = \"LFilter\"\nb = [1.0]\na = [1.0]\non_discontinuity = \"ignore\"\n")
            .contains("on_discontinuity")
    );
    assert!(err("step = []").contains("at least one step"));
    assert!(err("not toml [").contains("not valid TOML"));
    assert!(description::from_json("[{\"op\": 3}]").is_err());
}

#[test]
fn on_discontinuity_raise_from_a_description() {
    let mut p = description::from_toml(
        "[[step]]\nop = \"LFilter\"\nb = [1.0]\na = [1.0, -0.5]\ndim = \"time\"\non_discontinuity = \"raise\"\n",
    )
    .unwrap();
    let da = xdas_synthetics::dummy::<f64>((100, 2)).to_dataarray();
    let a = da.isel("time", xdas_core::Indexer::range(0, 40)).unwrap();
    let b = da.isel("time", xdas_core::Indexer::range(60, 100)).unwrap();
    p.call(Chunk::F64(a), Some("time")).unwrap();
    let e = p.call(Chunk::F64(b), Some("time")).unwrap_err().to_string();
    assert!(e.contains("discontinuity") && e.contains("gap"), "{e}");
}
