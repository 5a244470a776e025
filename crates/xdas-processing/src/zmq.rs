//! ZeroMQ streaming, wire-compatible with xdas 0.2.10's `ZMQPublisher` / `ZMQSubscriber`:
//! [`ZmqPublisher`] (a [`Writer`]) and [`ZmqSubscriber`] (a [`Loader`]).
//!
//! # The protocol
//!
//! * The publisher binds an **XPUB** socket with `XPUB_VERBOSE` and the welcome message
//!   `b"xdas"` (`XPUB_WELCOME_MSG`); subscribers connect a **SUB** socket subscribed to
//!   everything (`""`).
//! * Every message is one frame: the bytes of a **native file** (NetCDF4/HDF5, CF-1.13,
//!   as [`xdas_io::native::write`] writes it and `DataArray.to_netcdf` of xdas does),
//!   i.e. xdas's `tobytes(da)`; the receiver opens it as a file (`frombuffer`). Like xdas,
//!   both ends go through a temporary file ([`encode`], [`decode`]; the directory is
//!   [`std::env::temp_dir`] unless set with `with_scratch_dir`: a tmpfs such as
//!   `/dev/shm` is the fastest).
//! * A subscriber skips the `b"xdas"` greeting, which says that the publisher has
//!   registered it (it comes again after a reconnection).
//! * A publisher drops what it sends before a subscription reached it (ZeroMQ's "slow
//!   joiner"): a publisher replaying a recording calls
//!   [`ZmqPublisher::wait_for_subscribers`] first; a real-time one does not wait.
//!
//! Float32 and float64 arrays travel as stored; a subscriber loads 32/64-bit integers as
//! `f64` and the rest as `f32`, as [`crate::ArrayLoader`] does. A message that is not a
//! native file image is an error of [`Loader::next_chunk`] (the run stops with it; the
//! subscriber itself stays usable).
//!
//! The `zmq` crate builds libzmq 4.3 from its C++ sources (the `zeromq-src` crate): a C++
//! compiler is needed, nothing else, and it costs about 1.5 minutes of one build.
//!
//! # Checking interoperability with Python xdas
//!
//! The test `python_xdas_interop` (in `tests/watch_zmq.rs`) does the check in both
//! directions whenever a Python with xdas 0.2.10 and pyzmq is around (`XDAS_PYTHON`,
//! default `/tmp/venv/bin/python`; it says "skipping" otherwise):
//!
//! ```text
//! XDAS_PYTHON=/tmp/venv/bin/python cargo test -p xdas-processing --test watch_zmq python -- --nocapture
//! ```
//!
//! 1. Rust → Python: Rust binds a [`ZmqPublisher`] on `tcp://127.0.0.1:*`, writes the whole
//!    `float32` array to `expected.nc`, starts Python, which runs
//!    `sub = ZMQSubscriber(address, timeout=60)`, receives the 5 packets and checks
//!    `xd.concat(packets).equals(xd.open_dataarray("expected.nc").load())`; Rust waits for
//!    the subscriber (`wait_for_subscribers(1, ..)`) then sends the 5 chunks.
//! 2. Python → Rust: Rust writes a `float64` array to `source.nc`; Python runs
//!    `pub = ZMQPublisher(address)`, `pub.wait_for_subscribers(1, timeout=60)` and submits
//!    `xd.split(xd.open_dataarray("source.nc").load(), 5)`; a Rust [`ZmqSubscriber`]
//!    receives 5 chunks (skipping the greeting) and checks that they join `equals` the
//!    array it wrote.
//!
//! By hand, the Python side of 1 is:
//!
//! ```text
//! import xdas as xd
//! from xdas.processing import ZMQSubscriber
//! sub = ZMQSubscriber("tcp://127.0.0.1:PORT", timeout=60)
//! packets = [next(sub) for _ in range(5)]
//! print(xd.concat(packets))
//! ```
//!
//! and of 2:
//!
//! ```text
//! import xdas as xd
//! from xdas.processing import ZMQPublisher
//! pub = ZMQPublisher("tcp://127.0.0.1:PORT")
//! pub.wait_for_subscribers(1, timeout=60)
//! for p in xd.split(xd.testing.dummy(), 5):
//!     pub.submit(p)
//! pub.close()
//! ```

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use xdas_atoms::Chunk;
use xdas_core::DType;
use xdas_io::IoError;
use xdas_io::native::WriteOptions;

use crate::error::{ProcessError, Result};
use crate::loader::{Loader, bytes_of};
use crate::writer::Writer;

/// The greeting an xdas publisher sends each subscriber it registers.
pub const WELCOME: &[u8] = b"xdas";

/// The signature that starts an HDF5 file (at offset 0, or 512, 1024, ... after a user
/// block).
const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(dir: &Path) -> Scratch {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        Scratch(dir.join(format!("xdas-zmq-{}-{n}.nc", std::process::id())))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn werr(e: impl std::fmt::Display) -> ProcessError {
    ProcessError::Write(e.to_string())
}

fn rerr(e: impl std::fmt::Display) -> ProcessError {
    ProcessError::Read(IoError::Invalid(e.to_string()))
}

/// The native file image of a real chunk (xdas's `tobytes`), through a temporary file in
/// `scratch`.
///
/// ```
/// use xdas_atoms::Chunk;
/// use xdas_processing::zmq::{decode, encode};
/// let da = xdas_synthetics::dummy::<f32>((50, 4)).to_dataarray();
/// let dir = std::env::temp_dir();
/// let image = encode(&Chunk::F32(da.clone()), &Default::default(), &dir).unwrap();
/// assert_eq!(&image[..4], b"\x89HDF");
/// assert!(decode(&image, &dir).unwrap().equals(&Chunk::F32(da)));
/// ```
pub fn encode(chunk: &Chunk, options: &WriteOptions, scratch: &Path) -> Result<Vec<u8>> {
    encode_image(chunk, options, scratch).map_err(werr)
}

fn encode_image(
    chunk: &Chunk,
    options: &WriteOptions,
    scratch: &Path,
) -> std::result::Result<Vec<u8>, String> {
    let tmp = Scratch::new(scratch);
    let written = match chunk {
        Chunk::F32(da) => xdas_io::native::write(da, &tmp.0, options),
        Chunk::F64(da) => xdas_io::native::write(da, &tmp.0, options),
        other => {
            return Err(format!(
                "a native file image holds a real array, not {}",
                other.dtype_name()
            ));
        }
    };
    written.map_err(|e| e.to_string())?;
    std::fs::read(&tmp.0).map_err(|e| format!("{}: {e}", tmp.0.display()))
}

/// A chunk from a native file image (xdas's `frombuffer`), through a temporary file in
/// `scratch`: `float64` and 32/64-bit integers load as `f64`, the rest as `f32`.
pub fn decode(image: &[u8], scratch: &Path) -> Result<Chunk> {
    decode_image(image, scratch).map_err(rerr)
}

fn decode_image(image: &[u8], scratch: &Path) -> std::result::Result<Chunk, String> {
    let signed = std::iter::once(0)
        .chain((9..).map(|k| 1usize << k))
        .take_while(|&o| o + HDF5_SIGNATURE.len() <= image.len())
        .any(|o| &image[o..o + HDF5_SIGNATURE.len()] == HDF5_SIGNATURE);
    if !signed {
        let head: String = image
            .iter()
            .take(16)
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    (b as char).to_string()
                } else {
                    format!("\\x{b:02x}")
                }
            })
            .collect();
        return Err(format!(
            "a message of {} bytes that is not a native file image (no HDF5 signature; it starts with \"{head}\")",
            image.len()
        ));
    }
    let tmp = Scratch::new(scratch);
    std::fs::write(&tmp.0, image).map_err(|e| format!("{}: {e}", tmp.0.display()))?;
    // the temporary file's name means nothing to the reader: say "the message"
    let tmp_name = tmp.0.display().to_string();
    let clean = |e: IoError| {
        e.to_string()
            .replace(&format!("{tmp_name}: "), "")
            .replace(&tmp_name, "the message")
    };
    let lazy = xdas_io::open(&tmp.0).map_err(|e| {
        format!(
            "a message of {} bytes that is not a native file image: {}",
            image.len(),
            clean(e)
        )
    })?;
    let as_f64 = matches!(
        lazy.dtype(),
        DType::F64 | DType::I32 | DType::I64 | DType::U32 | DType::U64
    );
    let chunk = if as_f64 {
        lazy.load_as::<f64>().map(Chunk::F64)
    } else {
        lazy.load_as::<f32>().map(Chunk::F32)
    };
    chunk.map_err(|e| {
        format!(
            "a message of {} bytes that does not load as a native file: {}",
            image.len(),
            clean(e)
        )
    })
}

fn millis(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

// ====================================================================== publisher

/// Publishes each output chunk as one message holding its native file image, on a
/// bound XPUB socket greeting subscribers with `b"xdas"` — what xdas's `ZMQPublisher`
/// does, and what its `ZMQSubscriber` (or [`ZmqSubscriber`]) receives.
///
/// ```
/// use xdas_processing::zmq::ZmqPublisher;
/// let mut publisher = ZmqPublisher::bind("tcp://127.0.0.1:*").unwrap();
/// assert!(publisher.endpoint().starts_with("tcp://127.0.0.1:"));
/// assert_eq!(publisher.nsubscribers(), 0);
/// ```
pub struct ZmqPublisher {
    // the socket is dropped before its context
    socket: ::zmq::Socket,
    _context: ::zmq::Context,
    address: String,
    endpoint: String,
    nsubscribers: i64,
    options: WriteOptions,
    scratch: PathBuf,
    sent: usize,
    bytes_sent: u64,
}

impl ZmqPublisher {
    /// Bind to `address` (`tcp://127.0.0.1:5556`, `tcp://*:5556`, `tcp://127.0.0.1:*` for
    /// any free port — see [`ZmqPublisher::endpoint`] — or `ipc:///path/to/socket`).
    /// Messages still queued when the publisher is dropped get 10 s to leave
    /// ([`ZmqPublisher::set_linger`]).
    pub fn bind(address: &str) -> Result<ZmqPublisher> {
        let bad = |e: ::zmq::Error| {
            ProcessError::Invalid(format!("ZeroMQ publisher on {address:?}: {e}"))
        };
        let context = ::zmq::Context::new();
        let socket = context.socket(::zmq::XPUB).map_err(bad)?;
        socket.set_xpub_verbose(true).map_err(bad)?;
        socket
            .set_xpub_welcome_msg(Some(std::str::from_utf8(WELCOME).expect("ascii")))
            .map_err(bad)?;
        socket.set_linger(10_000).map_err(bad)?;
        socket.bind(address).map_err(bad)?;
        let endpoint = socket
            .get_last_endpoint()
            .ok()
            .and_then(|e| e.ok())
            .unwrap_or_else(|| address.to_string());
        Ok(ZmqPublisher {
            socket,
            _context: context,
            address: address.to_string(),
            endpoint,
            nsubscribers: 0,
            options: WriteOptions::default(),
            scratch: std::env::temp_dir(),
            sent: 0,
            bytes_sent: 0,
        })
    }

    /// How the images are written (HDF5 chunks, deflate: xdas's `encoding`).
    pub fn with_options(mut self, options: WriteOptions) -> Self {
        self.options = options;
        self
    }

    /// Where the temporary files of [`encode`] go.
    pub fn with_scratch_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.scratch = dir.as_ref().to_path_buf();
        self
    }

    /// How long messages still queued may take to leave when the publisher is dropped
    /// (`None`: as long as it takes).
    pub fn set_linger(&self, linger: Option<Duration>) -> Result<()> {
        self.socket
            .set_linger(linger.map_or(-1, |d| millis(d).min(i32::MAX as i64) as i32))
            .map_err(werr)
    }

    /// The address bound, with the port chosen when it was `*`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Messages sent.
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// Bytes of file images sent.
    pub fn bytes_sent(&self) -> u64 {
        self.bytes_sent
    }

    /// The number of peers currently subscribed.
    pub fn nsubscribers(&mut self) -> usize {
        let _ = self.read_subscriptions(Some(Duration::ZERO));
        self.nsubscribers.max(0) as usize
    }

    /// Block until at least `count` peers are subscribed (`timeout` `None`: forever);
    /// whatever is sent afterwards reaches them. Returns the number subscribed; an error
    /// when fewer showed up in time.
    pub fn wait_for_subscribers(
        &mut self,
        count: usize,
        timeout: Option<Duration>,
    ) -> Result<usize> {
        let deadline = timeout.map(|t| Instant::now() + t);
        while self.nsubscribers() < count {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if !self.read_subscriptions(remaining)? {
                return Err(werr(format!(
                    "got {} of the {count} subscriber(s) expected on {} after {:?}",
                    self.nsubscribers.max(0),
                    self.endpoint,
                    timeout.unwrap_or_default()
                )));
            }
        }
        Ok(self.nsubscribers.max(0) as usize)
    }

    /// Fold pending (un)subscriptions into the count, waiting up to `timeout` for the
    /// first; returns whether any was read. Reading them is also what lets ZeroMQ send
    /// the greeting.
    fn read_subscriptions(&mut self, timeout: Option<Duration>) -> Result<bool> {
        let mut wait = timeout.map_or(-1, millis);
        let mut received = false;
        loop {
            match self.socket.poll(::zmq::POLLIN, wait) {
                Ok(0) => break,
                Ok(_) => {}
                Err(::zmq::Error::EINTR) => continue,
                Err(e) => return Err(werr(format!("{}: {e}", self.endpoint))),
            }
            let msg = self
                .socket
                .recv_bytes(::zmq::DONTWAIT)
                .map_err(|e| werr(format!("{}: {e}", self.endpoint)))?;
            match msg.first() {
                Some(1) => self.nsubscribers += 1,
                Some(0) => self.nsubscribers -= 1,
                _ => {}
            }
            received = true;
            wait = 0;
        }
        Ok(received)
    }

    /// Send one file image as it is (for images made elsewhere).
    pub fn send_image(&mut self, image: &[u8]) -> Result<()> {
        self.read_subscriptions(Some(Duration::ZERO))?;
        loop {
            match self.socket.send(image, 0) {
                Ok(()) => break,
                Err(::zmq::Error::EINTR) => continue,
                Err(e) => return Err(werr(format!("{}: {e}", self.endpoint))),
            }
        }
        self.sent += 1;
        self.bytes_sent += image.len() as u64;
        Ok(())
    }

    /// Send one chunk as its native file image (xdas's `submit`).
    pub fn submit(&mut self, chunk: &Chunk) -> Result<u64> {
        let image = encode_image(chunk, &self.options, &self.scratch)
            .map_err(|e| werr(format!("{}: {e}", self.endpoint)))?;
        self.send_image(&image)?;
        Ok(bytes_of(chunk))
    }
}

impl Writer for ZmqPublisher {
    fn write(&mut self, chunk: Chunk) -> Result<u64> {
        self.submit(&chunk)
    }
    fn progress(&self) -> Value {
        json!({ "messages": self.sent, "address": self.address })
    }
    /// A live stream cannot take back what it sent: the count continues from the
    /// checkpoint and the chunks after it are sent (again).
    fn resume(&mut self, progress: &Value) -> Result<()> {
        self.sent = progress["messages"].as_u64().ok_or_else(|| {
            ProcessError::Checkpoint("publisher progress without \"messages\"".into())
        })? as usize;
        Ok(())
    }
}

// ===================================================================== subscriber

/// Receives the chunks of an xdas publisher (or a [`ZmqPublisher`]): a SUB socket
/// connected to the address, skipping the `b"xdas"` greeting, each message one chunk.
///
/// The stream ends when no message came for the [timeout](ZmqSubscriber::with_timeout),
/// after [`ZmqSubscriber::until`] chunks, or when the [stop flag](ZmqSubscriber::stop_handle)
/// is set; with none of these it waits for ever. A subscription cannot be rewound:
/// [`Loader::seek`] only sets the count (a resumed run goes on with the messages that
/// come next).
pub struct ZmqSubscriber {
    socket: ::zmq::Socket,
    _context: ::zmq::Context,
    address: String,
    dim: String,
    timeout: Option<Duration>,
    until: Option<usize>,
    stop: Arc<AtomicBool>,
    scratch: PathBuf,
    pending: VecDeque<Vec<u8>>,
    subscribed: bool,
    pos: usize,
}

impl ZmqSubscriber {
    /// Connect to `address` (`tcp://host:port` or `ipc://path`); ZeroMQ connects in the
    /// background and reconnects by itself, so the publisher may come later.
    pub fn connect(address: &str) -> Result<ZmqSubscriber> {
        let bad = |e: ::zmq::Error| {
            ProcessError::Invalid(format!("ZeroMQ subscriber to {address:?}: {e}"))
        };
        let context = ::zmq::Context::new();
        let socket = context.socket(::zmq::SUB).map_err(bad)?;
        socket.set_linger(0).map_err(bad)?;
        socket.connect(address).map_err(bad)?;
        socket.set_subscribe(b"").map_err(bad)?;
        Ok(ZmqSubscriber {
            socket,
            _context: context,
            address: address.to_string(),
            dim: "time".into(),
            timeout: None,
            until: None,
            stop: Arc::new(AtomicBool::new(false)),
            scratch: std::env::temp_dir(),
            pending: VecDeque::new(),
            subscribed: false,
            pos: 0,
        })
    }

    /// End the stream when no message came for `timeout` (xdas raises `TimeoutError`
    /// then; here the stream ends cleanly).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// End the stream once `n` chunks have been received (position `n`).
    pub fn until(mut self, n: usize) -> Self {
        self.until = Some(n);
        self
    }

    /// The dim the chunks follow each other along (default `time`).
    pub fn with_chunk_dim(mut self, dim: &str) -> Self {
        self.dim = dim.to_string();
        self
    }

    /// Where the temporary files of [`decode`] go.
    pub fn with_scratch_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.scratch = dir.as_ref().to_path_buf();
        self
    }

    /// A flag that ends the stream when set (from any thread).
    pub fn stop_handle(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// The address connected to.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Whether the publisher's greeting has come (the subscription is registered).
    pub fn is_subscribed(&self) -> bool {
        self.subscribed
    }

    /// Wait until the publisher greets this subscriber (`timeout` `None`: forever); data
    /// received meanwhile is kept for [`Loader::next_chunk`]. An error when no greeting
    /// came in time (only a publisher that publishes greets).
    pub fn wait_until_subscribed(&mut self, timeout: Option<Duration>) -> Result<()> {
        let deadline = timeout.map(|t| Instant::now() + t);
        while !self.subscribed {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            match self.recv(remaining)? {
                None => {
                    return Err(rerr(format!(
                        "no greeting from {} after {:?}",
                        self.address,
                        timeout.unwrap_or_default()
                    )));
                }
                Some(m) if m == WELCOME => self.subscribed = true,
                Some(m) => self.pending.push_back(m),
            }
        }
        Ok(())
    }

    /// The next message, waiting up to `timeout`; `None` on timeout or stop.
    fn recv(&mut self, timeout: Option<Duration>) -> Result<Option<Vec<u8>>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let slice = Duration::from_millis(100);
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return Ok(None);
            }
            let wait = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    left.min(slice)
                }
                None => slice,
            };
            match self.socket.poll(::zmq::POLLIN, millis(wait)) {
                Ok(0) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(None);
                    }
                    continue;
                }
                Ok(_) => {}
                Err(::zmq::Error::EINTR) => continue,
                Err(e) => return Err(rerr(format!("{}: {e}", self.address))),
            }
            let first = self
                .socket
                .recv_bytes(::zmq::DONTWAIT)
                .map_err(|e| rerr(format!("{}: {e}", self.address)))?;
            // xdas sends single frames: drop the rest of a multipart message
            let mut parts = 1;
            while self.socket.get_rcvmore().unwrap_or(false) {
                let _ = self.socket.recv_bytes(0);
                parts += 1;
            }
            if parts > 1 {
                return Err(rerr(format!(
                    "{}: a message of {parts} frames (xdas sends one frame per chunk)",
                    self.address
                )));
            }
            return Ok(Some(first));
        }
    }
}

impl Loader for ZmqSubscriber {
    fn chunk_dim(&self) -> &str {
        &self.dim
    }
    fn n_chunks(&self) -> Option<usize> {
        None
    }
    fn total_bytes(&self) -> Option<u64> {
        None
    }
    fn position(&self) -> usize {
        self.pos
    }
    fn seek(&mut self, position: usize) -> Result<()> {
        self.pos = position;
        Ok(())
    }
    fn next_chunk(&mut self) -> Option<Result<(Chunk, u64)>> {
        loop {
            if self.stop.load(Ordering::SeqCst) || self.until.is_some_and(|n| self.pos >= n) {
                return None;
            }
            let message = match self.pending.pop_front() {
                Some(m) => m,
                None => match self.recv(self.timeout) {
                    Ok(Some(m)) => m,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                },
            };
            if message == WELCOME {
                self.subscribed = true;
                continue;
            }
            self.pos += 1;
            let n = self.pos;
            return Some(
                decode_image(&message, &self.scratch)
                    .map(|c| {
                        let b = bytes_of(&c);
                        (c, b)
                    })
                    .map_err(|e| rerr(format!("message {n} from {}: {e}", self.address))),
            );
        }
    }
    fn identity(&self) -> String {
        format!("zmq subscriber {} along {:?}", self.address, self.dim)
    }
}
