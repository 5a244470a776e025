//! [`DirectoryWatcher`]: a [`Loader`] over the files arriving in a directory, each file one
//! chunk, taken once it is complete, in the order of its first time label — the realtime
//! source of xdas's `watch(path)` / `RealTimeLoader`, made resumable and able to end.
//!
//! # When is a file complete?
//!
//! * When the operating system reports that a writer closed it (Linux inotify's
//!   `IN_CLOSE_WRITE`, through the [`notify`] crate), and it has not changed since;
//! * or when it arrived by a rename (the "write to a temporary name, then rename" habit
//!   of acquisition systems and `rsync`);
//! * or, as a fallback where no close events exist (polling, network file systems, other
//!   systems, or events lost to an overflow), when it has not been modified for the
//!   *settle* time ([`DirectoryWatcher::with_settle`], 1 s by default). The directory is
//!   rescanned every poll interval for that, so a file is never missed.
//!
//! A complete file that fails to open is retried if it changes again; if it stays as it
//! is for another settle time and still fails, the stream ends with the error (so a
//! stray file in the directory stops a run with a message naming it: use a pattern such
//! as `*.nc` to keep other files out). Hidden files (names starting with `.`) are ignored.
//!
//! # Order, position and resuming
//!
//! The stream is: the files present when the watcher starts, in time order, then the
//! new ones as they complete; among the files complete at the same moment, the earliest
//! first time label (the first value of the chunk dim's coordinate, `time` by default;
//! the file name breaks ties and orders files without one) goes first. A file that
//! completes after a later one was already yielded is still yielded (late), never lost.
//!
//! [`Loader::position`] counts the files yielded. [`Loader::seek`]`(n)` — what a resumed
//! run does — takes the `n` earliest complete files of the directory as processed and
//! continues with the others: this is exact whenever files arrive in time order, as an
//! acquisition writes them. Files already yielded are never yielded again, even when
//! modified afterwards.
//!
//! [`DirectoryWatcher::new_files_only`] mirrors xdas's `watch`: files present at the start
//! are ignored. Such a stream cannot be resumed (its position does not say which files
//! were there at the start); `seek` refuses it.
//!
//! # Ending
//!
//! A watched directory is an unbounded source; the stream ends when
//! [`DirectoryWatcher::with_idle_timeout`] passes without a new complete file, when
//! [`DirectoryWatcher::until`] files have been yielded (counting from the start of the
//! first run, resumed runs included), or when the flag of
//! [`DirectoryWatcher::stop_handle`] is set. With none of these it runs until killed.
//!
//! ```
//! use std::time::Duration;
//! use xdas_processing::Loader;
//! use xdas_processing::watch::DirectoryWatcher;
//! let dir = std::env::temp_dir().join(format!("xdas-doc-watch-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let mut w = DirectoryWatcher::new(&dir)
//!     .unwrap()
//!     .with_pattern("*.nc")
//!     .with_idle_timeout(Duration::from_millis(200));
//! assert!(w.next_chunk().is_none()); // nothing arrived within 200 ms
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::cmp::Ordering as CmpOrdering;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher as _};
use xdas_atoms::Chunk;
use xdas_core::{DType, Scalar};
use xdas_io::IoError;

use crate::error::{ProcessError, Result};
use crate::loader::{Loader, bytes_of};

/// A file seen in the directory and not yet yielded.
#[derive(Debug)]
struct Entry {
    /// Size and modification time when last looked at.
    stamp: Option<(u64, SystemTime)>,
    /// A writer closed it (or it was renamed into place) and it has not changed since.
    closed: bool,
    /// First label along the chunk dim (`Some(None)`: opened, has none).
    label: Option<Option<Scalar>>,
    /// The stamp at which it failed to open, and when that was first seen.
    failed: Option<((u64, SystemTime), Instant, String)>,
}

impl Entry {
    fn new() -> Entry {
        Entry {
            stamp: None,
            closed: false,
            label: None,
            failed: None,
        }
    }
}

/// Watches a directory and yields each new complete file as one chunk (see the
/// [module docs](self)).
pub struct DirectoryWatcher {
    dir: PathBuf,
    pattern: Option<String>,
    recursive: bool,
    new_only: bool,
    dim: String,
    settle: Duration,
    poll: Duration,
    idle: Option<Duration>,
    until: Option<usize>,
    stop: Arc<AtomicBool>,
    // state
    events: Option<Receiver<notify::Result<Event>>>,
    _watcher: Option<notify::RecommendedWatcher>,
    /// Files present at the start (ignored in new-files-only mode unless written again).
    initial: HashSet<PathBuf>,
    entries: HashMap<PathBuf, Entry>,
    done: HashSet<PathBuf>,
    pos: usize,
    last_scan: Option<Instant>,
    last_yield: Instant,
    started: bool,
}

impl DirectoryWatcher {
    /// Start watching `dir` (which must exist): events are recorded from now on, so no file
    /// written after this call is missed. Close events come from the system's file
    /// notifications where available; without them the watcher polls.
    pub fn new(dir: impl AsRef<Path>) -> Result<DirectoryWatcher> {
        Self::start(dir.as_ref(), true)
    }

    /// Watch by rescanning the directory only (no system notifications): completeness is
    /// then judged by the settle time alone.
    pub fn polling(dir: impl AsRef<Path>) -> Result<DirectoryWatcher> {
        Self::start(dir.as_ref(), false)
    }

    fn start(dir: &Path, notifications: bool) -> Result<DirectoryWatcher> {
        let dir = std::fs::canonicalize(dir).map_err(|e| {
            ProcessError::Read(IoError::Os {
                path: dir.to_path_buf(),
                source: e,
            })
        })?;
        if !dir.is_dir() {
            return Err(ProcessError::Invalid(format!(
                "{}: not a directory to watch",
                dir.display()
            )));
        }
        let mut w = DirectoryWatcher {
            dir,
            pattern: None,
            recursive: false,
            new_only: false,
            dim: "time".into(),
            settle: Duration::from_secs(1),
            poll: Duration::from_millis(100),
            idle: None,
            until: None,
            stop: Arc::new(AtomicBool::new(false)),
            events: None,
            _watcher: None,
            initial: HashSet::new(),
            entries: HashMap::new(),
            done: HashSet::new(),
            pos: 0,
            last_scan: None,
            last_yield: Instant::now(),
            started: false,
        };
        if notifications {
            // watched recursively so that `recursive()` can be chosen afterwards; events
            // outside the chosen scope are filtered out
            let (tx, rx) = channel();
            if let Ok(mut watcher) = notify::recommended_watcher(tx)
                && watcher.watch(&w.dir, RecursiveMode::Recursive).is_ok()
            {
                w.events = Some(rx);
                w._watcher = Some(watcher);
            }
            // otherwise (no inotify, watch limit reached): polling only
        }
        w.initial = w.list()?.into_iter().collect();
        Ok(w)
    }

    /// Only files whose path relative to the directory matches `pattern`: `*` any
    /// characters but `/`, `**` any characters, `?` one character, `[a-z]` / `[!0-9]` a
    /// class (e.g. `*.nc`, `2024-*/*.h5` with [`DirectoryWatcher::recursive`]).
    pub fn with_pattern(mut self, pattern: &str) -> Self {
        self.pattern = Some(pattern.to_string());
        self
    }

    /// Also take files in subdirectories (xdas watches recursively).
    pub fn recursive(mut self) -> Self {
        self.recursive = true;
        self
    }

    /// Ignore the files present when the watcher started (as xdas's `watch`); such a stream
    /// cannot be resumed.
    pub fn new_files_only(mut self) -> Self {
        self.new_only = true;
        self
    }

    /// The dim the files are joined along, whose first label orders them (default `time`).
    pub fn with_chunk_dim(mut self, dim: &str) -> Self {
        self.dim = dim.to_string();
        self
    }

    /// How long a file must stay unmodified to count as complete without a close event
    /// (default 1 s).
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self.poll = (settle / 4).clamp(Duration::from_millis(10), Duration::from_millis(250));
        self
    }

    /// End the stream when no new complete file arrived for `idle`.
    pub fn with_idle_timeout(mut self, idle: Duration) -> Self {
        self.idle = Some(idle);
        self
    }

    /// End the stream once `n` files have been yielded (position `n`).
    pub fn until(mut self, n: usize) -> Self {
        self.until = Some(n);
        self
    }

    /// A flag that ends the stream when set (from any thread).
    pub fn stop_handle(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// The watched directory (canonical).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether system close notifications are in use (otherwise: polling).
    pub fn has_notifications(&self) -> bool {
        self.events.is_some()
    }

    /// The files yielded so far or taken as processed by a seek.
    pub fn processed(&self) -> usize {
        self.done.len()
    }

    // ------------------------------------------------------------------ scanning

    fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.dir).ok()?;
        let parts: Vec<&str> = rel
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<_>>()?;
        if parts.is_empty() || parts.iter().any(|p| p.starts_with('.')) {
            return None;
        }
        if !self.recursive && parts.len() > 1 {
            return None;
        }
        Some(parts.join("/"))
    }

    /// Whether `path` is a file this watcher takes (by name; existence not checked).
    fn wanted(&self, path: &Path) -> bool {
        let Some(rel) = self.relative(path) else {
            return false;
        };
        match &self.pattern {
            Some(p) => glob_match(p.as_bytes(), rel.as_bytes()),
            None => true,
        }
    }

    /// Every regular file under the directory (within the recursion scope).
    fn list(&self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        let mut stack = vec![self.dir.clone()];
        while let Some(d) = stack.pop() {
            let entries = match std::fs::read_dir(&d) {
                Ok(e) => e,
                // a subdirectory removed meanwhile
                Err(_) if d != self.dir => continue,
                Err(e) => {
                    return Err(ProcessError::Read(IoError::Os {
                        path: d.clone(),
                        source: e,
                    }));
                }
            };
            for e in entries.flatten() {
                let Ok(t) = e.file_type() else { continue };
                let p = e.path();
                if t.is_dir() {
                    if self.recursive && !e.file_name().to_string_lossy().starts_with('.') {
                        stack.push(p);
                    }
                } else if t.is_file() || (t.is_symlink() && p.is_file()) {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    fn consider(&mut self, path: &Path) -> bool {
        if self.done.contains(path) || !self.wanted(path) {
            return false;
        }
        if self.new_only && self.initial.contains(path) && !self.entries.contains_key(path) {
            return false;
        }
        true
    }

    /// Fold pending notifications into the entries.
    fn drain_events(&mut self) {
        let Some(rx) = self.events.take() else {
            return;
        };
        let mut rescan = false;
        while let Ok(ev) = rx.try_recv() {
            match ev {
                Ok(ev) => rescan |= self.event(ev),
                // an overflow or a watch error: the rescan finds what was missed
                Err(_) => rescan = true,
            }
        }
        self.events = Some(rx);
        if rescan {
            self.last_scan = None;
        }
    }

    /// Apply one notification; returns whether a rescan is called for.
    fn event(&mut self, ev: Event) -> bool {
        if ev.need_rescan() {
            return true;
        }
        match ev.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for p in &ev.paths {
                    // a file being written when the watcher started counts as new
                    self.initial.remove(p);
                    self.touch(p, Some(true));
                }
            }
            EventKind::Modify(ModifyKind::Name(mode)) => match mode {
                RenameMode::Both => {
                    if let [from, to] = ev.paths.as_slice() {
                        self.entries.remove(from);
                        self.initial.remove(to);
                        self.touch(to, Some(true));
                    }
                }
                RenameMode::From => {
                    for p in &ev.paths {
                        self.entries.remove(p);
                    }
                }
                _ => {
                    for p in &ev.paths {
                        if p.is_file() {
                            self.initial.remove(p);
                            self.touch(p, Some(true));
                        } else {
                            self.entries.remove(p);
                        }
                    }
                }
            },
            EventKind::Remove(_) => {
                for p in &ev.paths {
                    self.entries.remove(p);
                }
            }
            EventKind::Create(_) | EventKind::Modify(_) => {
                for p in &ev.paths {
                    // a new directory: files created in it before its watch was set up
                    // generate no events
                    if p.is_dir() {
                        return true;
                    }
                    self.touch(p, Some(false));
                }
            }
            _ => {}
        }
        false
    }

    /// Note that `path` exists (with `closed`: what the event says about it).
    fn touch(&mut self, path: &Path, closed: Option<bool>) {
        if !self.consider(path) {
            return;
        }
        let Ok(meta) = std::fs::metadata(path) else {
            self.entries.remove(path);
            return;
        };
        if !meta.is_file() {
            return;
        }
        let stamp = (
            meta.len(),
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        );
        let e = self
            .entries
            .entry(path.to_path_buf())
            .or_insert_with(Entry::new);
        if e.stamp != Some(stamp) {
            e.stamp = Some(stamp);
            e.label = None;
            e.closed = false;
        }
        if let Some(c) = closed {
            e.closed = c;
        }
    }

    fn scan(&mut self) -> Result<()> {
        self.last_scan = Some(Instant::now());
        let files = self.list()?;
        let present: HashSet<&PathBuf> = files.iter().collect();
        self.entries.retain(|p, _| present.contains(p));
        for p in &files {
            if self.new_only && self.initial.contains(p) && !self.entries.contains_key(p) {
                continue;
            }
            self.touch(p, None);
        }
        Ok(())
    }

    fn refresh(&mut self) -> Result<()> {
        if !self.started {
            self.started = true;
            self.last_yield = Instant::now();
        }
        self.drain_events();
        let due = match self.last_scan {
            None => true,
            Some(t) => t.elapsed() >= self.poll,
        };
        if due {
            self.scan()?;
        }
        Ok(())
    }

    fn is_complete(&self, e: &Entry) -> bool {
        if e.closed {
            return true;
        }
        match e.stamp {
            Some((_, mtime)) => SystemTime::now()
                .duration_since(mtime)
                .is_ok_and(|age| age >= self.settle),
            None => false,
        }
    }

    fn label_of(&self, path: &Path) -> Result<Option<Scalar>> {
        let lazy = xdas_io::open(path)?;
        Ok(lazy
            .coord(&self.dim)
            .filter(|c| !c.is_empty())
            .and_then(|c| c.value(0).ok()))
    }

    /// The complete files, labelled, earliest first. A file that fails to open is left
    /// for later unless it has failed unchanged for a settle time: then its error.
    fn complete_in_order(&mut self) -> Result<Vec<PathBuf>> {
        let ready: Vec<PathBuf> = self
            .entries
            .iter()
            .filter(|(_, e)| self.is_complete(e))
            .map(|(p, _)| p.clone())
            .collect();
        let mut labelled = Vec::new();
        for p in ready {
            let has_label = self.entries[&p].label.is_some();
            if !has_label {
                match self.label_of(&p) {
                    Ok(l) => {
                        let e = self.entries.get_mut(&p).expect("entry");
                        e.label = Some(l);
                        e.failed = None;
                    }
                    Err(err) => {
                        let e = self.entries.get_mut(&p).expect("entry");
                        let stamp = e.stamp.expect("a complete entry has a stamp");
                        match &e.failed {
                            Some((s, since, _)) if *s == stamp => {
                                if since.elapsed() >= self.settle {
                                    return Err(err);
                                }
                            }
                            _ => e.failed = Some((stamp, Instant::now(), err.to_string())),
                        }
                        // maybe still being written: look again later
                        e.closed = false;
                        continue;
                    }
                }
            }
            labelled.push(p);
        }
        labelled.sort_by(|a, b| {
            let la = self.entries[a].label.as_ref().and_then(|l| l.as_ref());
            let lb = self.entries[b].label.as_ref().and_then(|l| l.as_ref());
            cmp_labels(la, lb).then_with(|| a.cmp(b))
        });
        Ok(labelled)
    }

    fn finished(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.until.is_some_and(|n| self.pos >= n)
    }

    fn wait(&mut self) {
        let slice = self.poll;
        match &self.events {
            Some(rx) => match rx.recv_timeout(slice) {
                Ok(Ok(ev)) => {
                    if self.event(ev) {
                        self.last_scan = None;
                    }
                }
                Ok(Err(_)) => self.last_scan = None,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    self.events = None;
                    self._watcher = None;
                }
            },
            None => std::thread::sleep(slice),
        }
    }

    fn load(&mut self, path: &Path) -> Result<(Chunk, u64)> {
        let lazy = xdas_io::open(path)?;
        if lazy.axis(&self.dim).is_err() {
            return Err(ProcessError::Read(IoError::Invalid(format!(
                "{}: no dim {:?} to join the watched files along (dims are {:?})",
                path.display(),
                self.dim,
                lazy.dims()
            ))));
        }
        let as_f64 = matches!(
            lazy.dtype(),
            DType::F64 | DType::I32 | DType::I64 | DType::U32 | DType::U64
        );
        let chunk = if as_f64 {
            Chunk::F64(lazy.load_as::<f64>()?)
        } else {
            Chunk::F32(lazy.load_as::<f32>()?)
        };
        let b = bytes_of(&chunk);
        Ok((chunk, b))
    }
}

impl Loader for DirectoryWatcher {
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
        if position == self.pos {
            return Ok(());
        }
        if self.new_only {
            return Err(ProcessError::Checkpoint(format!(
                "{}: a watcher over new files only cannot resume at file {position} (watch without new_files_only to resume)",
                self.dir.display()
            )));
        }
        // every complete file, the processed ones included, in order
        for p in std::mem::take(&mut self.done) {
            self.entries.entry(p).or_insert_with(Entry::new);
        }
        self.last_scan = None;
        // files written just before the start (without a close event seen) complete
        // within a settle time
        let deadline = Instant::now() + self.settle * 2 + self.poll;
        let order = loop {
            self.refresh()?;
            let order = self.complete_in_order()?;
            if order.len() >= position
                || order.len() == self.entries.len()
                || Instant::now() >= deadline
            {
                break order;
            }
            self.wait();
        };
        if position > order.len() {
            return Err(ProcessError::Checkpoint(format!(
                "{}: position {position} but the directory holds {} complete file(s)",
                self.dir.display(),
                order.len()
            )));
        }
        for p in &order[..position] {
            self.entries.remove(p);
            self.done.insert(p.clone());
        }
        self.pos = position;
        Ok(())
    }

    fn next_chunk(&mut self) -> Option<Result<(Chunk, u64)>> {
        loop {
            if self.finished() {
                return None;
            }
            if let Err(e) = self.refresh() {
                return Some(Err(e));
            }
            let order = match self.complete_in_order() {
                Ok(o) => o,
                Err(e) => return Some(Err(e)),
            };
            if let Some(p) = order.into_iter().next() {
                self.entries.remove(&p);
                self.done.insert(p.clone());
                self.pos += 1;
                self.last_yield = Instant::now();
                return Some(self.load(&p));
            }
            if self
                .idle
                .is_some_and(|idle| self.last_yield.elapsed() >= idle)
            {
                return None;
            }
            self.wait();
        }
    }

    fn identity(&self) -> String {
        format!(
            "directory watcher {} pattern {:?}{}{}, files along {:?}",
            self.dir.display(),
            self.pattern.as_deref().unwrap_or("*"),
            if self.recursive { " recursive" } else { "" },
            if self.new_only { " new files only" } else { "" },
            self.dim
        )
    }
}

fn cmp_labels(a: Option<&Scalar>, b: Option<&Scalar>) -> CmpOrdering {
    match (a, b) {
        (Some(x), Some(y)) => match (x, y) {
            (Scalar::Datetime(x), Scalar::Datetime(y)) => x.cmp(y),
            (Scalar::Timedelta(x), Scalar::Timedelta(y)) => x.cmp(y),
            (Scalar::I64(x), Scalar::I64(y)) => x.cmp(y),
            (Scalar::F64(x), Scalar::F64(y)) => x.total_cmp(y),
            (Scalar::I64(x), Scalar::F64(y)) => (*x as f64).total_cmp(y),
            (Scalar::F64(x), Scalar::I64(y)) => x.total_cmp(&(*y as f64)),
            (Scalar::Str(x), Scalar::Str(y)) => x.cmp(y),
            _ => CmpOrdering::Equal,
        },
        // labelled files before unlabelled ones
        (Some(_), None) => CmpOrdering::Less,
        (None, Some(_)) => CmpOrdering::Greater,
        (None, None) => CmpOrdering::Equal,
    }
}

/// Shell-style matching of a relative path: `*` (not across `/`), `**` (across), `?`,
/// `[abc]`, `[a-z]`, `[!x]`.
pub(crate) fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some(b'*') => {
            let (any_sep, rest) = if pattern.get(1) == Some(&b'*') {
                let rest = &pattern[2..];
                // `**/` also matches no directory at all
                if rest.first() == Some(&b'/') && glob_match(&rest[1..], text) {
                    return true;
                }
                (true, rest)
            } else {
                (false, &pattern[1..])
            };
            for i in 0..=text.len() {
                if glob_match(rest, &text[i..]) {
                    return true;
                }
                if i < text.len() && !any_sep && text[i] == b'/' {
                    return false;
                }
            }
            false
        }
        Some(b'?') => match text.first() {
            Some(&c) if c != b'/' => glob_match(&pattern[1..], &text[1..]),
            _ => false,
        },
        Some(b'[') => {
            let Some(&c) = text.first() else { return false };
            let body = &pattern[1..];
            let (negate, body) = match body.first() {
                Some(b'!') | Some(b'^') => (true, &body[1..]),
                _ => (false, body),
            };
            // `]` right after `[` or `[!` is a member
            let close = body
                .iter()
                .enumerate()
                .skip(1)
                .find(|&(_, &b)| b == b']')
                .map(|(i, _)| i);
            let Some(close) = close else {
                // no closing bracket: a literal `[`
                return c == b'[' && glob_match(&pattern[1..], &text[1..]);
            };
            let class = &body[..close];
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            let skip = 1 + usize::from(negate) + close + 1;
            hit != negate && c != b'/' && glob_match(&pattern[skip..], &text[1..])
        }
        Some(&p) => text.first() == Some(&p) && glob_match(&pattern[1..], &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, t: &str) -> bool {
        glob_match(p.as_bytes(), t.as_bytes())
    }

    #[test]
    fn globs() {
        assert!(m("*.nc", "a.nc"));
        assert!(m("*.nc", ".nc"));
        assert!(!m("*.nc", "a.nc.tmp"));
        assert!(!m("*.nc", "d/a.nc"));
        assert!(m("*/*.nc", "d/a.nc"));
        assert!(m("**/*.nc", "a.nc"));
        assert!(m("**/*.nc", "d/e/a.nc"));
        assert!(m("**", "d/e/a.nc"));
        assert!(m("file_??.h5", "file_01.h5"));
        assert!(!m("file_??.h5", "file_1.h5"));
        assert!(m("[0-9]*.nc", "0001.nc"));
        assert!(!m("[0-9]*.nc", "x001.nc"));
        assert!(m("[!x]*", "a"));
        assert!(!m("[!x]*", "x"));
        assert!(m("[]]", "]"));
        assert!(m("a[", "a["));
        assert!(m("*", "anything"));
        assert!(!m("?", ""));
    }
}
