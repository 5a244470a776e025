//! The realtime loaders and the ZeroMQ publisher: a watched directory filled while a run
//! goes on, resuming a watched run, pub/sub round trips over tcp and ipc, timeouts, bad
//! files and bad messages, and (when Python xdas is around) interop with xdas's
//! `ZMQPublisher` / `ZMQSubscriber`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use xdas_atoms::{AtomExt, Chunk, LFilter, description};
use xdas_core::{DataArray, Split, Tolerance};
use xdas_io::native::{WriteOptions, write};
use xdas_processing::watch::DirectoryWatcher;
use xdas_processing::zmq::{ZmqPublisher, ZmqSubscriber, decode, encode};
use xdas_processing::{Loader, MemoryLoader, MemoryWriter, Options, ProcessError, Writer, process};

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let p = std::env::temp_dir().join(format!(
            "xdas-watch-zmq-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn data(nt: usize) -> DataArray<f64> {
    let da = xdas_synthetics::dummy::<f64>((nt, 4)).to_dataarray();
    da.with_data(da.data().mapv(|v| (v * 0.01).sin())).unwrap()
}

fn pieces(da: &DataArray<f64>, n: usize) -> Vec<DataArray<f64>> {
    da.split(Split::Sections(n), "time", Tolerance::Default)
        .unwrap()
}

fn filter() -> xdas_atoms::Along<xdas_atoms::RecursiveStream> {
    LFilter::new(vec![0.5], vec![1.0, -0.5], "time")
}

fn joined(chunks: &[Chunk]) -> Chunk {
    Chunk::concat(chunks, "time").unwrap()
}

fn collect(loader: &mut dyn Loader) -> Vec<Chunk> {
    let mut out = Vec::new();
    while let Some(c) = loader.next_chunk() {
        out.push(c.unwrap().0);
    }
    out
}

// ====================================================================== watcher

#[test]
fn watcher_processes_files_written_while_the_run_goes_on() {
    let dir = TempDir::new("live");
    let da = data(500);
    let parts = pieces(&da, 5);
    let mut watcher = DirectoryWatcher::new(dir.path())
        .unwrap()
        .with_pattern("*.nc")
        .until(5)
        .with_idle_timeout(Duration::from_secs(30));
    eprintln!("notifications: {}", watcher.has_notifications());
    let writer_dir = dir.path().to_path_buf();
    let to_write = parts.clone();
    let producer = std::thread::spawn(move || {
        for (i, p) in to_write.iter().enumerate() {
            std::thread::sleep(Duration::from_millis(80));
            // names in reverse of time order: the order must come from the time labels
            write(
                p,
                writer_dir.join(format!("part_{}.nc", 9 - i)),
                &WriteOptions::default(),
            )
            .unwrap();
            // a file the pattern keeps out
            std::fs::write(writer_dir.join(format!("log_{i}.txt")), b"not data").unwrap();
        }
    });
    let mut writer = MemoryWriter::new("time");
    let t = Instant::now();
    let report = process(
        &mut filter(),
        &mut watcher,
        &mut writer,
        &Options::default(),
    )
    .unwrap();
    producer.join().unwrap();
    eprintln!("watched run: {} in {:?}", report.summary(), t.elapsed());
    assert_eq!(report.chunks_in, 5);
    assert_eq!(watcher.position(), 5);
    let want = filter().apply(da.clone()).unwrap();
    let got = writer.result().unwrap().unwrap();
    assert!(
        got.equals(&want),
        "watched output differs from the monolithic run"
    );
    // and equal to processing the 5 files joined from disk
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "nc"))
        .collect();
    files.sort();
    files.reverse();
    let from_disk = xdas_io::open_mfdataarray(&files, "time").unwrap();
    let from_disk = from_disk.as_array().unwrap().load_as::<f64>().unwrap();
    assert!(got.equals(&filter().apply(from_disk).unwrap()));
}

fn write_parts(dir: &Path, parts: &[DataArray<f64>]) {
    for (i, p) in parts.iter().enumerate() {
        // file names out of time order
        let name = format!("{}.nc", ["c", "a", "e", "b", "d"][i]);
        write(p, dir.join(name), &WriteOptions::default()).unwrap();
    }
}

#[test]
fn watcher_takes_existing_files_in_time_order_and_seeks() {
    let dir = TempDir::new("order");
    let da = data(300);
    let parts = pieces(&da, 5);
    write_parts(dir.path(), &parts);
    let settle = Duration::from_millis(200);
    let mut w = DirectoryWatcher::new(dir.path())
        .unwrap()
        .with_settle(settle)
        .with_idle_timeout(Duration::from_millis(500));
    let got = collect(&mut w);
    assert_eq!(got.len(), 5);
    for (g, p) in got.iter().zip(&parts) {
        assert!(g.equals(&Chunk::F64(p.clone())), "not in time order");
    }
    assert_eq!(w.position(), 5);

    // a resumed run: the 2 earliest files were processed
    let mut w = DirectoryWatcher::polling(dir.path())
        .unwrap()
        .with_settle(settle)
        .until(5);
    w.seek(2).unwrap();
    assert_eq!(w.position(), 2);
    let got = collect(&mut w);
    assert_eq!(got.len(), 3);
    let rest: Vec<Chunk> = parts[2..].iter().cloned().map(Chunk::F64).collect();
    assert!(joined(&got).equals(&joined(&rest)));

    // past the files there are
    let mut w = DirectoryWatcher::new(dir.path())
        .unwrap()
        .with_settle(settle);
    match w.seek(6) {
        Err(ProcessError::Checkpoint(m)) => assert!(m.contains("holds 5"), "{m}"),
        other => panic!("expected a checkpoint error, got {:?}", other.map(|_| ())),
    }
    // a new-files-only watcher ignores what is there, and cannot resume
    let mut w = DirectoryWatcher::new(dir.path())
        .unwrap()
        .new_files_only()
        .with_settle(settle)
        .with_idle_timeout(Duration::from_millis(400));
    assert!(w.next_chunk().is_none());
    assert!(matches!(w.seek(1), Err(ProcessError::Checkpoint(_))));
    // identities differ by pattern and mode
    let a = DirectoryWatcher::new(dir.path()).unwrap();
    let b = DirectoryWatcher::new(dir.path())
        .unwrap()
        .with_pattern("*.nc");
    assert_ne!(a.identity(), b.identity());
    assert!(
        a.identity()
            .contains(&*dir.path().canonicalize().unwrap().to_string_lossy())
    );
}

/// Fails after `limit` chunks, as a crash would.
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

#[test]
fn a_watched_run_resumes_after_the_last_processed_file() {
    let dir = TempDir::new("resume");
    let da = data(300);
    let parts = pieces(&da, 5);
    write_parts(dir.path(), &parts);
    let ckpt = dir.path().join(".checkpoint.json");
    let settle = Duration::from_millis(200);
    let watcher = || {
        DirectoryWatcher::new(dir.path())
            .unwrap()
            .with_pattern("*.nc")
            .with_settle(settle)
            .with_idle_timeout(Duration::from_millis(600))
    };
    let options = Options {
        checkpoint: Some(ckpt.clone()),
        ..Options::default()
    };
    let mut crashing = CrashingWriter {
        inner: MemoryWriter::new("time"),
        limit: 3,
    };
    let err = process(&mut filter(), &mut watcher(), &mut crashing, &options).unwrap_err();
    assert!(err.to_string().contains("disk full"));
    assert!(ckpt.exists());
    let mut resumed = crashing.inner;
    let report = process(
        &mut filter(),
        &mut watcher(),
        &mut resumed,
        &Options {
            resume: true,
            ..options
        },
    )
    .unwrap();
    let at = report.resumed_at.unwrap();
    assert!((1..=3).contains(&at), "resumed at {at}");
    assert_eq!(report.chunks_in, 5 - at);
    let want = filter().apply(da).unwrap();
    assert!(resumed.result().unwrap().unwrap().equals(&want));
    assert!(!ckpt.exists());
}

#[test]
fn partial_files_wait_until_complete() {
    let da = data(200);
    let image = encode(
        &Chunk::F64(da.clone()),
        &WriteOptions::default(),
        &std::env::temp_dir(),
    )
    .unwrap();
    // (pause while half written, settle): shorter than settle, and longer (a failed open,
    // retried when the file changes)
    for (pause, polling) in [(150, true), (700, true), (700, false)] {
        let dir = TempDir::new("partial");
        let mut w = if polling {
            DirectoryWatcher::polling(dir.path()).unwrap()
        } else {
            DirectoryWatcher::new(dir.path()).unwrap()
        }
        .with_settle(Duration::from_millis(400))
        .until(1)
        .with_idle_timeout(Duration::from_secs(20));
        let path = dir.path().join("slow.nc");
        let image = image.clone();
        let slow = std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::File::create(&path).unwrap();
            f.write_all(&image[..image.len() / 2]).unwrap();
            f.flush().unwrap();
            std::thread::sleep(Duration::from_millis(pause));
            f.write_all(&image[image.len() / 2..]).unwrap();
        });
        let got = collect(&mut w);
        slow.join().unwrap();
        assert_eq!(got.len(), 1, "pause {pause} ms, polling {polling}");
        assert!(got[0].equals(&Chunk::F64(da.clone())));
    }
}

#[test]
fn watcher_timeouts_end_and_bad_files_are_errors() {
    let dir = TempDir::new("bad");
    let t = Instant::now();
    let mut w = DirectoryWatcher::new(dir.path())
        .unwrap()
        .with_idle_timeout(Duration::from_millis(300));
    assert!(w.next_chunk().is_none());
    assert!(t.elapsed() < Duration::from_secs(5));

    // the stop flag
    let mut w = DirectoryWatcher::new(dir.path()).unwrap();
    let stop = w.stop_handle();
    let t = Instant::now();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    assert!(w.next_chunk().is_none());
    assert!(t.elapsed() < Duration::from_secs(5));

    std::fs::write(dir.path().join("notes.nc"), b"not a DAS file").unwrap();
    std::fs::write(dir.path().join(".hidden.nc"), b"ignored").unwrap();
    let mut w = DirectoryWatcher::polling(dir.path())
        .unwrap()
        .with_settle(Duration::from_millis(100))
        .with_idle_timeout(Duration::from_secs(10));
    match w.next_chunk() {
        Some(Err(e)) => {
            let m = e.to_string();
            assert!(m.contains("notes.nc"), "{m}");
        }
        other => panic!("expected an error, got {:?}", other.map(|r| r.map(|_| ()))),
    }

    assert!(DirectoryWatcher::new(dir.path().join("missing")).is_err());
}

// ========================================================================== zmq

fn f32_parts(n: usize) -> (DataArray<f32>, Vec<Chunk>) {
    let da = xdas_synthetics::dummy::<f32>((250, 6)).to_dataarray();
    let parts = da
        .split(Split::Sections(n), "time", Tolerance::Default)
        .unwrap()
        .into_iter()
        .map(Chunk::F32)
        .collect();
    (da, parts)
}

#[test]
fn pubsub_round_trip_over_tcp() {
    let (_, sent) = f32_parts(5);
    let mut publisher = ZmqPublisher::bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = publisher.endpoint().to_string();
    assert!(!endpoint.ends_with('*'));
    let mut subscriber = ZmqSubscriber::connect(&endpoint)
        .unwrap()
        .with_timeout(Duration::from_secs(2));
    let to_send = sent.clone();
    let pubthread = std::thread::spawn(move || {
        assert_eq!(
            publisher
                .wait_for_subscribers(1, Some(Duration::from_secs(10)))
                .unwrap(),
            1
        );
        for c in &to_send {
            publisher.write(c.clone()).unwrap();
        }
        // f64 travels as f64
        publisher.write(Chunk::F64(data(10))).unwrap();
        assert_eq!(publisher.sent(), 6);
        publisher
    });
    let t = Instant::now();
    let got = collect(&mut subscriber);
    let publisher = pubthread.join().unwrap();
    assert_eq!(got.len(), 6);
    for (g, s) in got.iter().zip(&sent) {
        assert!(g.equals(s));
    }
    assert!(got[5].equals(&Chunk::F64(data(10))));
    assert!(
        subscriber.is_subscribed(),
        "the greeting was skipped and noted"
    );
    assert_eq!(subscriber.position(), 6);
    // the stream ended by the 2 s timeout after the last message
    assert!(t.elapsed() < Duration::from_secs(10));
    drop(publisher);
}

#[test]
fn pubsub_through_process_over_ipc() {
    let dir = TempDir::new("ipc");
    let address = format!("ipc://{}/xdas.sock", dir.path().display());
    let da = data(400);
    let chunks: Vec<Chunk> = pieces(&da, 8).into_iter().map(Chunk::F64).collect();
    let mut publisher = ZmqPublisher::bind(&address).unwrap();
    let sub_address = address.clone();
    let receiver = std::thread::spawn(move || {
        let mut subscriber = ZmqSubscriber::connect(&sub_address)
            .unwrap()
            .until(8)
            .with_timeout(Duration::from_secs(20));
        let mut square = description::from_toml(r#"step = [{op="square"}]"#).unwrap();
        let mut writer = MemoryWriter::new("time");
        let report = process(
            &mut square,
            &mut subscriber,
            &mut writer,
            &Options::default(),
        )
        .unwrap();
        assert_eq!(report.chunks_in, 8);
        writer.result().unwrap().unwrap()
    });
    publisher
        .wait_for_subscribers(1, Some(Duration::from_secs(10)))
        .unwrap();
    let report = process(
        &mut filter(),
        &mut MemoryLoader::new(chunks, "time"),
        &mut publisher,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(report.chunks_out, 8);
    assert_eq!(publisher.progress()["messages"], 8);
    let got = receiver.join().unwrap();
    let mut square = description::from_toml(r#"step = [{op="square"}]"#).unwrap();
    let want = square.apply(filter().apply(da).unwrap()).unwrap();
    assert!(got.equals(&want));
}

#[test]
fn bad_messages_are_errors_and_timeouts_end_streams() {
    let mut publisher = ZmqPublisher::bind("tcp://127.0.0.1:*").unwrap();
    let mut subscriber = ZmqSubscriber::connect(publisher.endpoint())
        .unwrap()
        .with_timeout(Duration::from_secs(2));
    publisher
        .wait_for_subscribers(1, Some(Duration::from_secs(10)))
        .unwrap();
    let good = Chunk::F64(data(20));
    let image = encode(&good, &WriteOptions::default(), &std::env::temp_dir()).unwrap();
    publisher.send_image(b"hello").unwrap();
    publisher.send_image(&image[..image.len() / 3]).unwrap();
    publisher.send_image(b"").unwrap();
    publisher.write(good.clone()).unwrap();
    for what in ["no HDF5 signature", "message 2", "no HDF5 signature"] {
        match subscriber.next_chunk() {
            Some(Err(e)) => {
                let m = e.to_string();
                assert!(m.contains(what), "{m}");
                eprintln!("bad message: {m}");
            }
            other => panic!("expected an error, got {:?}", other.map(|r| r.map(|_| ()))),
        }
    }
    // the subscriber goes on with the next message
    let (c, bytes) = subscriber.next_chunk().unwrap().unwrap();
    assert!(c.equals(&good));
    assert_eq!(bytes, 20 * 4 * 8);
    let t = Instant::now();
    assert!(subscriber.next_chunk().is_none());
    assert!(t.elapsed() >= Duration::from_millis(1900));

    // a publisher sends real arrays only
    let picks = Chunk::Picks(Default::default());
    assert!(matches!(
        publisher.write(picks),
        Err(ProcessError::Write(_))
    ));
    assert!(decode(b"\x89HDF\r\n\x1a\ngarbage", &std::env::temp_dir()).is_err());

    // nobody subscribes / nothing published
    let mut lonely = ZmqPublisher::bind("tcp://127.0.0.1:*").unwrap();
    let err = lonely
        .wait_for_subscribers(1, Some(Duration::from_millis(200)))
        .unwrap_err();
    assert!(err.to_string().contains("0 of the 1"), "{err}");
    let mut silent = ZmqSubscriber::connect(lonely.endpoint())
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    assert!(
        silent
            .wait_until_subscribed(Some(Duration::from_millis(200)))
            .is_err()
    );
    assert!(silent.next_chunk().is_none());
    assert!(ZmqPublisher::bind("bogus://x").is_err());
    assert!(ZmqSubscriber::connect("nonsense").is_err());
    // a port already bound
    let taken = publisher.endpoint().to_string();
    assert!(ZmqPublisher::bind(&taken).is_err());
}

// ================================================================ python interop

fn python() -> Option<PathBuf> {
    let py = PathBuf::from(
        std::env::var("XDAS_PYTHON").unwrap_or_else(|_| "/tmp/venv/bin/python".into()),
    );
    let ok = std::process::Command::new(&py)
        .args([
            "-c",
            "import xdas, zmq; assert xdas.__version__ == '0.2.10'",
        ])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    ok.then_some(py)
}

#[test]
fn python_xdas_interop() {
    let Some(py) = python() else {
        eprintln!("skipping: no Python with xdas 0.2.10 and pyzmq (set XDAS_PYTHON)");
        return;
    };
    let dir = TempDir::new("python");

    // ---- Rust publishes, xdas's ZMQSubscriber receives
    let (da32, sent) = f32_parts(5);
    let expected = dir.path().join("expected.nc");
    write(&da32, &expected, &WriteOptions::default()).unwrap();
    let mut publisher = ZmqPublisher::bind("tcp://127.0.0.1:*").unwrap();
    let script = format!(
        r#"
import xdas as xd
from xdas.processing import ZMQSubscriber
sub = ZMQSubscriber({addr:?}, timeout=60)
packets = [next(sub) for _ in range(5)]
assert sub._subscribed, "no b'xdas' greeting came"
whole = xd.concat(packets)
assert whole.dtype == "float32", whole.dtype
assert whole.equals(xd.open_dataarray({path:?}).load()), "differs"
sub.close()
print("python received", len(packets), "packets", whole.shape)
"#,
        addr = publisher.endpoint(),
        path = expected.to_str().unwrap()
    );
    let child = std::process::Command::new(&py)
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    publisher
        .wait_for_subscribers(1, Some(Duration::from_secs(60)))
        .unwrap();
    for c in &sent {
        publisher.write(c.clone()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "xdas's ZMQSubscriber failed");
    drop(publisher);

    // ---- xdas's ZMQPublisher publishes, Rust receives
    let da64 = data(300);
    let source = dir.path().join("source.nc");
    write(&da64, &source, &WriteOptions::default()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("tcp://127.0.0.1:{port}");
    let script = format!(
        r#"
import xdas as xd
from xdas.processing import ZMQPublisher
pub = ZMQPublisher({addr:?})
pub.wait_for_subscribers(1, timeout=60)
for p in xd.split(xd.open_dataarray({path:?}).load(), 5):
    pub.submit(p)
pub.close()
print("python published 5 packets")
"#,
        path = source.to_str().unwrap()
    );
    let child = std::process::Command::new(&py)
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut subscriber = ZmqSubscriber::connect(&addr)
        .unwrap()
        .until(5)
        .with_timeout(Duration::from_secs(60));
    let got = collect(&mut subscriber);
    let out = child.wait_with_output().unwrap();
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "xdas's ZMQPublisher failed");
    assert_eq!(got.len(), 5);
    assert!(
        subscriber.is_subscribed(),
        "xdas's greeting came and was skipped"
    );
    assert!(got.iter().all(|c| matches!(c, Chunk::F64(_))));
    assert!(joined(&got).equals(&Chunk::F64(da64)));
    eprintln!("interop: Rust -> xdas and xdas -> Rust, 5 packets each, equal");
}
