//! The executor: golden outputs through loader → pipeline → writer at every chunk size,
//! errors from any stage, checkpoints and resuming.

use serde_json::Value;
use xdas_atoms::{Chunk, description};
use xdas_core::{DataArray, Split, Tolerance};
use xdas_processing::{Loader, MemoryLoader, MemoryWriter, Options, ProcessError, Writer, process};
use xdas_testdata::{Case, close, golden_dir, input_dataarray};

fn pieces(da: &DataArray<f64>, size: usize) -> Vec<Chunk> {
    let n = da.shape()[0];
    da.split(
        Split::Indices((size..n).step_by(size).collect()),
        "time",
        Tolerance::Default,
    )
    .unwrap()
    .into_iter()
    .map(Chunk::F64)
    .collect()
}

/// Golden cases as descriptions.
fn description_of(name: &str, case: &Case) -> Option<String> {
    Some(match name {
        "seed_pipeline" => format!(
            r#"step = [{{op="decimate", q=2, ftype="fir", dim="distance"}}, {{op="LFilter", b={:?}, a={:?}, dim="time"}}, {{op="square"}}]"#,
            case.p_f64s("b"),
            case.p_f64s("a")
        ),
        "DownSample_3" => r#"step = [{op="DownSample", factor=3, dim="time"}]"#.into(),
        "FIRFilter_lp21_down2" => r#"step = [{op="FIRFilter", numtaps=21, cutoff=10.0, btype="lowpass", down=2, dim="time"}]"#.into(),
        "IIRFilter_bp6_sos" => r#"step = [{op="IIRFilter", order=6, cutoff=[1.0, 10.0], btype="bandpass", dim="time"}]"#.into(),
        "ResamplePoly_75Hz" => r#"step = [{op="ResamplePoly", target=75.0, dim="time"}]"#.into(),
        "Sequential_IIR_Down2" => r#"step = [{op="IIRFilter", order=4, cutoff=10.0, btype="lowpass", dim="time"}, {op="DownSample", factor=2, dim="time"}]"#.into(),
        "UpSample_3_noscale" => r#"step = [{op="UpSample", factor=3, scale=false, dim="time"}]"#.into(),
        _ => return None,
    })
}

#[test]
fn golden_outputs_through_the_executor_at_every_chunk_size() {
    let Some(root) = golden_dir() else {
        eprintln!("skipping: golden data not found (set XDAS_TEST_DATA)");
        return;
    };
    let mut cases = Case::all(&root, "atoms");
    cases.push(Case::load(&root, &root.join("seed/seed_pipeline.json")));
    let mut checked = 0;
    for case in &cases {
        let Some(text) = description_of(&case.name, case) else {
            continue;
        };
        let da = input_dataarray(case, "x");
        let want = case.output("monolithic").f64();
        let mut eager = description::from_toml(&text).unwrap();
        let reference = xdas_atoms::AtomExt::apply(&mut eager, da.clone()).unwrap();
        for size in [1, 7, 64, 100, 137, 300] {
            let mut atom = description::from_toml(&text).unwrap();
            let mut loader = MemoryLoader::new(pieces(&da, size), "time");
            let mut writer = MemoryWriter::new("time");
            let options = Options {
                read_ahead: 1 + size % 3,
                write_behind: 1 + size % 2,
                ..Options::default()
            };
            let report = process(&mut atom, &mut loader, &mut writer, &options).unwrap();
            assert_eq!(report.chunks_in, 300usize.div_ceil(size));
            let got = writer.result().unwrap().unwrap();
            assert!(got.equals(&reference), "{} at chunks of {size}", case.name);
            let Chunk::F64(g) = got else { panic!() };
            close(&case.name, g.data(), &want, 1e-12).unwrap();
            checked += 1;
        }
    }
    eprintln!("executor: {checked} golden runs (7 cases x 6 chunk sizes) equal eager and golden");
    assert_eq!(checked, 42);
}

/// A loader failing at a given chunk.
struct FailingLoader {
    inner: MemoryLoader,
    at: usize,
}

impl Loader for FailingLoader {
    fn chunk_dim(&self) -> &str {
        self.inner.chunk_dim()
    }
    fn n_chunks(&self) -> Option<usize> {
        self.inner.n_chunks()
    }
    fn total_bytes(&self) -> Option<u64> {
        self.inner.total_bytes()
    }
    fn position(&self) -> usize {
        self.inner.position()
    }
    fn seek(&mut self, p: usize) -> xdas_processing::Result<()> {
        self.inner.seek(p)
    }
    fn next_chunk(&mut self) -> Option<xdas_processing::Result<(Chunk, u64)>> {
        if self.inner.position() == self.at {
            return Some(Err(ProcessError::Read(xdas_io::IoError::Invalid(
                "truncated file".into(),
            ))));
        }
        self.inner.next_chunk()
    }
    fn identity(&self) -> String {
        self.inner.identity()
    }
}

/// A writer that stops working after `limit` chunks (a crash, as far as the run knows).
struct CrashingWriter {
    inner: MemoryWriter,
    limit: usize,
}

impl Writer for CrashingWriter {
    fn write(&mut self, chunk: Chunk) -> xdas_processing::Result<u64> {
        if self.inner.chunks().len() >= self.limit {
            return Err(ProcessError::Write("disk full".into()));
        }
        self.inner.write(chunk)
    }
    fn progress(&self) -> Value {
        self.inner.progress()
    }
    fn resume(&mut self, p: &Value) -> xdas_processing::Result<()> {
        self.inner.resume(p)
    }
}

fn data() -> DataArray<f64> {
    let da = xdas_synthetics::dummy::<f64>((400, 5)).to_dataarray();
    da.with_data(da.data().mapv(|v| (v * 0.01).sin())).unwrap()
}

const PIPE: &str = r#"step = [{op="IIRFilter", order=4, cutoff=5.0, btype="highpass", dim="time"}, {op="Decimate", q=3, ftype="fir", dim="time"}, {op="STALTA", sta=0.05, lta=0.3, dim="time"}]"#;

#[test]
fn a_failing_stage_stops_the_run_with_its_error() {
    let da = data();
    let mut atom = description::from_toml(PIPE).unwrap();
    let mut loader = FailingLoader {
        inner: MemoryLoader::new(pieces(&da, 40), "time"),
        at: 4,
    };
    let mut writer = MemoryWriter::new("time");
    let e = process(&mut atom, &mut loader, &mut writer, &Options::default()).unwrap_err();
    assert!(
        e.to_string().starts_with("reading: ") && e.to_string().contains("truncated"),
        "{e}"
    );
    assert!(writer.chunks().len() <= 4);
    // a writer error
    let mut atom = description::from_toml(PIPE).unwrap();
    let mut loader = MemoryLoader::new(pieces(&da, 40), "time");
    let mut writer = CrashingWriter {
        inner: MemoryWriter::new("time"),
        limit: 3,
    };
    let e = process(&mut atom, &mut loader, &mut writer, &Options::default()).unwrap_err();
    assert_eq!(e.to_string(), "writing: disk full");
    // a pipeline error (a dim the data lacks)
    let mut atom =
        description::from_toml(r#"step = [{op="LFilter", b=[1.0], a=[1.0], dim="depth"}]"#)
            .unwrap();
    let mut loader = MemoryLoader::new(pieces(&da, 40), "time");
    let e = process(
        &mut atom,
        &mut loader,
        &mut MemoryWriter::new("time"),
        &Options::default(),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("processing: "), "{e}");
}

#[test]
fn resuming_after_a_crash_equals_an_uninterrupted_run() {
    let da = data();
    let dir = std::env::temp_dir().join(format!("xdas-proc-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ckpt = dir.join("run.checkpoint");
    let mut atom = description::from_toml(PIPE).unwrap();
    let mut full = MemoryWriter::new("time");
    process(
        &mut atom,
        &mut MemoryLoader::new(pieces(&da, 37), "time"),
        &mut full,
        &Options::default(),
    )
    .unwrap();
    let want = full.result().unwrap().unwrap();
    for limit in [1, 4, 7] {
        let options = Options {
            checkpoint: Some(ckpt.clone()),
            ..Options::default()
        };
        let mut writer = CrashingWriter {
            inner: MemoryWriter::new("time"),
            limit,
        };
        let mut atom = description::from_toml(PIPE).unwrap();
        assert!(
            process(
                &mut atom,
                &mut MemoryLoader::new(pieces(&da, 37), "time"),
                &mut writer,
                &options
            )
            .is_err()
        );
        assert!(ckpt.exists());
        // a fresh pipeline and loader continue; the writer keeps what it had
        let mut atom = description::from_toml(PIPE).unwrap();
        let mut inner = writer.inner;
        let resume = Options {
            resume: true,
            ..options.clone()
        };
        let report = process(
            &mut atom,
            &mut MemoryLoader::new(pieces(&da, 37), "time"),
            &mut inner,
            &resume,
        )
        .unwrap();
        assert!(report.resumed_at.is_some());
        let got = inner.result().unwrap().unwrap();
        assert!(got.equals(&want), "crash after {limit} output chunks");
        assert!(!ckpt.exists(), "a finished run leaves no checkpoint");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_checkpoints_are_refused() {
    let da = data();
    let dir = std::env::temp_dir().join(format!("xdas-proc-badckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ckpt = dir.join("run.checkpoint");
    let options = Options {
        checkpoint: Some(ckpt.clone()),
        ..Options::default()
    };
    let mut writer = CrashingWriter {
        inner: MemoryWriter::new("time"),
        limit: 3,
    };
    let mut atom = description::from_toml(PIPE).unwrap();
    assert!(
        process(
            &mut atom,
            &mut MemoryLoader::new(pieces(&da, 37), "time"),
            &mut writer,
            &options
        )
        .is_err()
    );
    let resume = Options {
        resume: true,
        ..options.clone()
    };
    // another pipeline
    let mut other = description::from_toml(r#"step = [{op="square"}]"#).unwrap();
    let e = process(
        &mut other,
        &mut MemoryLoader::new(pieces(&da, 37), "time"),
        &mut MemoryWriter::new("time"),
        &resume,
    )
    .unwrap_err();
    assert!(e.to_string().contains("another pipeline"), "{e}");
    // another chunking
    let mut atom = description::from_toml(PIPE).unwrap();
    let e = process(
        &mut atom,
        &mut MemoryLoader::new(pieces(&da, 50), "time"),
        &mut MemoryWriter::new("time"),
        &resume,
    )
    .unwrap_err();
    assert!(e.to_string().contains("another input"), "{e}");
    // corrupt
    std::fs::write(&ckpt, b"{not json").unwrap();
    let e = process(
        &mut atom,
        &mut MemoryLoader::new(pieces(&da, 37), "time"),
        &mut MemoryWriter::new("time"),
        &resume,
    )
    .unwrap_err();
    assert!(e.to_string().contains("corrupt checkpoint"), "{e}");
    // missing
    std::fs::remove_file(&ckpt).unwrap();
    let e = process(
        &mut atom,
        &mut MemoryLoader::new(pieces(&da, 37), "time"),
        &mut MemoryWriter::new("time"),
        &resume,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("checkpoint: "), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn report_counts_and_overlap() {
    let da = data();
    let mut atom = description::from_toml(PIPE).unwrap();
    let mut writer = MemoryWriter::new("time");
    let r = process(
        &mut atom,
        &mut MemoryLoader::new(pieces(&da, 50), "time"),
        &mut writer,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(r.chunks_in, 8);
    assert_eq!(r.bytes_in, 400 * 5 * 8);
    assert!(r.chunks_out >= 1 && r.bytes_out > 0);
    assert!(r.wall >= r.max_stage());
    assert!(r.wall_over_max_stage() >= 1.0);
    assert!(r.summary().contains("8 chunks"));
}

/// `DataArrayWriter` writes each file on a helper thread: a file that cannot be written
/// still fails the run (at the next chunk or at the end), files before it stay readable,
/// and no index is written over a hole.
#[test]
fn a_file_that_cannot_be_written_fails_the_run() {
    use xdas_processing::DataArrayWriter;
    let dir = std::env::temp_dir().join(format!("xdas-writer-fail-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let da = data();
    let chunks: Vec<Chunk> = pieces(&da, 100)
        .into_iter()
        .map(|c| match c {
            Chunk::F64(d) => Chunk::F32(d.with_data(d.data().mapv(|v| v as f32)).unwrap()),
            other => other,
        })
        .collect();
    let mut w = DataArrayWriter::create(&dir, "time", Default::default()).unwrap();
    w.write(chunks[0].clone()).unwrap();
    // the next file's name is taken by a directory: it cannot be created
    std::fs::create_dir_all(dir.join("000000001.nc").join("blocker")).unwrap();
    let mut failed = w.write(chunks[1].clone()).is_err();
    if !failed {
        failed = w.write(chunks[2].clone()).is_err() || w.finish().is_err();
    }
    assert!(failed, "the unwritable file went unnoticed");
    assert!(!dir.join("index.nc").exists());
    let first = xdas_io::open(dir.join("000000000.nc")).unwrap();
    assert_eq!(first.shape(), chunks[0].shape());
    drop(w);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The array loader reads the next chunk ahead: seeking back and forth, and reading to
/// the end, give exactly the chunks of a fresh loader.
#[test]
fn the_array_loader_reads_ahead_and_seeks() {
    use xdas_processing::ArrayLoader;
    let da = data();
    let lazy = xdas_io::LazyArray::new(
        std::sync::Arc::new(xdas_io::InMemory(xdas_io::Data::F64(da.data().clone()))),
        da.dims().to_vec(),
        da.coords()
            .map(|(n, c)| (n.to_string(), c.clone()))
            .collect(),
        None,
        None,
        "memory",
    )
    .unwrap();
    let f64s = |c: Chunk| match c {
        Chunk::F64(d) => d,
        other => panic!("f64 chunks expected, got {}", other.dtype_name()),
    };
    let fresh = |pos: usize| {
        let mut l = ArrayLoader::new(lazy.clone(), &"time=64".parse().unwrap()).unwrap();
        l.seek(pos).unwrap();
        f64s(l.next_chunk().unwrap().unwrap().0)
    };
    let next = |l: &mut ArrayLoader| f64s(l.next_chunk().unwrap().unwrap().0);
    let mut l = ArrayLoader::new(lazy.clone(), &"time=64".parse().unwrap()).unwrap();
    let n = l.n_chunks().unwrap();
    let first = next(&mut l);
    let _second = next(&mut l); // the third is being read ahead
    l.seek(0).unwrap();
    assert!(next(&mut l).equals(&first));
    l.seek(n - 1).unwrap();
    assert!(next(&mut l).equals(&fresh(n - 1)));
    assert!(l.next_chunk().is_none());
    l.seek(2).unwrap();
    for pos in 2..n {
        assert!(next(&mut l).equals(&fresh(pos)), "chunk {pos}");
    }
    assert!(l.next_chunk().is_none());
}
