//! Moving large blocks of samples between a file and memory with `O_DIRECT`, past the
//! page cache.
//!
//! Why: a chunked run reads its input once and writes as much as it reads.
//! - Writes: buffered writes copy every byte into freshly allocated page-cache pages — on
//!   this project's VM that copy ran at ~0.5 GB/s and slowed the concurrent cold reads of
//!   the input to half speed; direct writes from the (reused, page-aligned) output buffer
//!   cost almost no CPU. See [`crate::native::WriteOptions::direct_io`].
//! - Reads ([`read_into`]): a cold block read with `O_DIRECT` into a huge-page buffer goes
//!   to the disk in requests of up to `max_sectors_kb` and skips the page cache's copy; on
//!   this project's VM that read 2.4 GB/s where `cat` read 0.5–2.2 GB/s. Blocks that are
//!   mostly in the page cache already (a file just written, a second pass) are read
//!   through it, which is faster still: the kernel's `cachestat` tells which.
//!
//! The aligned middle of a block goes with `O_DIRECT`; unaligned heads and tails, and
//! everything when the file system refuses `O_DIRECT` (tmpfs) or the kernel has no
//! `cachestat`, go through ordinary buffered I/O. A buffer whose address does not match
//! the file offset's alignment is staged through a small aligned buffer.

use std::alloc::{Layout, alloc, dealloc};
use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

/// Alignment of offsets, lengths and buffers of direct I/O (covers 512 B and 4 KiB
/// sectors).
pub(crate) const ALIGN: usize = 4096;

/// The open flag for direct I/O (Linux; elsewhere every write is buffered: macOS has no
/// `O_DIRECT`, and opening with no extra flag makes the "direct" part an ordinary write).
#[cfg(target_os = "linux")]
const DIRECT: i32 = libc::O_DIRECT;
#[cfg(not(target_os = "linux"))]
const DIRECT: i32 = 0;

/// Size of the aligned staging buffer for unaligned sources and destinations.
const STAGE: usize = 8 << 20;

/// A page-aligned heap buffer.
struct Aligned {
    ptr: *mut u8,
    len: usize,
}

impl Aligned {
    fn new(len: usize) -> Option<Aligned> {
        let layout = Layout::from_size_align(len, ALIGN).ok()?;
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { alloc(layout) };
        (!ptr.is_null()).then_some(Aligned { ptr, len })
    }
    fn as_mut(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` owns `len` bytes (uninitialised bytes are only written here).
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for Aligned {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.ptr, Layout::from_size_align_unchecked(self.len, ALIGN)) }
    }
}

/// Write an aligned `piece` at `offset` with `O_DIRECT`; returns the bytes written
/// before the first short or refused write (the rest is then written buffered).
fn direct_piece(f: &std::fs::File, piece: &[u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < piece.len() {
        match f.write_at(&piece[done..], offset + done as u64) {
            Ok(0) => break,
            // a short direct write that breaks alignment ends the direct part
            Ok(k) if k % ALIGN != 0 => return Ok(done),
            Ok(k) => done += k,
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Write `bytes` at `offset` of the existing file `path`: the aligned part with
/// `O_DIRECT` where possible, the rest buffered. Returns how many bytes went direct.
pub(crate) fn write_at(path: &Path, offset: u64, bytes: &[u8]) -> io::Result<usize> {
    let mut done = 0usize;
    let body = bytes.len() / ALIGN * ALIGN;
    if offset % ALIGN as u64 == 0
        && body > 0
        && let Ok(f) = OpenOptions::new()
            .write(true)
            .custom_flags(DIRECT)
            .open(path)
    {
        if (bytes.as_ptr() as usize) % ALIGN == 0 {
            done = direct_piece(&f, &bytes[..body], offset)?;
        } else if let Some(mut stage) = Aligned::new(STAGE.min(body)) {
            while done < body {
                let n = stage.len.min(body - done);
                let buf = &mut stage.as_mut()[..n];
                buf.copy_from_slice(&bytes[done..done + n]);
                let put = direct_piece(&f, buf, offset + done as u64)?;
                done += put;
                if put < n {
                    break;
                }
            }
        }
    }
    let direct = done;
    if done < bytes.len() {
        let f = OpenOptions::new().write(true).open(path)?;
        f.write_all_at(&bytes[done..], offset + done as u64)?;
    }
    Ok(direct)
}

/// Blocks shorter than this are always read through the page cache.
pub(crate) const MIN_DIRECT_READ: usize = 1 << 20;

/// `cachestat(2)` (Linux 6.5+; the same number on every architecture).
#[cfg(target_os = "linux")]
const SYS_CACHESTAT: libc::c_long = 451;

/// How many pages of `len` bytes at `offset` of `f` are in the page cache, if the kernel
/// can tell.
#[cfg(target_os = "linux")]
fn cached_pages(f: &std::fs::File, offset: u64, len: u64) -> Option<u64> {
    use std::os::fd::AsRawFd;
    #[repr(C)]
    struct Range {
        off: u64,
        len: u64,
    }
    #[repr(C)]
    #[derive(Default)]
    struct Stat {
        cache: u64,
        dirty: u64,
        writeback: u64,
        evicted: u64,
        recently_evicted: u64,
    }
    let range = Range { off: offset, len };
    let mut stat = Stat::default();
    // SAFETY: both structs have the kernel's layout and outlive the call; it only writes
    // `stat`.
    let r = unsafe {
        libc::syscall(
            SYS_CACHESTAT,
            f.as_raw_fd(),
            &range as *const Range,
            &mut stat as *mut Stat,
            0u32,
        )
    };
    (r == 0).then_some(stat.cache)
}

#[cfg(not(target_os = "linux"))]
fn cached_pages(_f: &std::fs::File, _offset: u64, _len: u64) -> Option<u64> {
    None
}

/// Whether less than half of the `len` bytes at `offset` of `f` is in the page cache, as
/// far as the kernel can tell (without `cachestat`: no, so everything is read through the
/// cache as before). Such a block is better read with `O_DIRECT`.
fn mostly_uncached(f: &std::fs::File, offset: u64, len: usize) -> bool {
    match cached_pages(f, offset, len as u64) {
        Some(pages) => pages.saturating_mul(2 * ALIGN as u64) < len as u64,
        None => false,
    }
}

/// `pread` until `len` bytes are in or the file ends; returns how many were read. With
/// `whole_blocks` (a descriptor opened with `O_DIRECT`): a partial block (the end of the
/// file) or a refused read (`EINVAL`) also ends the loop, and only whole blocks count.
///
/// # Safety
/// `dst..dst+len` must be writable memory owned by the caller (aligned to [`ALIGN`] with
/// `whole_blocks`).
unsafe fn pread_loop(
    f: &std::fs::File,
    dst: *mut u8,
    len: usize,
    offset: u64,
    whole_blocks: bool,
) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    let mut done = 0;
    while done < len {
        // SAFETY: the range is writable (the caller's contract) and stays in bounds; with
        // `whole_blocks` it stays aligned while reads are whole blocks.
        let r = unsafe {
            libc::pread(
                f.as_raw_fd(),
                dst.add(done).cast(),
                len - done,
                (offset + done as u64) as libc::off_t,
            )
        };
        if r > 0 {
            done += r as usize;
            if whole_blocks && r as usize % ALIGN != 0 {
                break; // the end of the file
            }
            continue;
        }
        if r == 0 {
            break;
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => {}
            Some(libc::EINVAL) if whole_blocks => break,
            _ => return Err(e),
        }
    }
    Ok(if whole_blocks {
        done / ALIGN * ALIGN
    } else {
        done
    })
}

fn truncated(offset: u64, len: usize, got: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!(
            "the file ends {} bytes into the {len} bytes at offset {offset} (truncated?)",
            got
        ),
    )
}

/// Read exactly `len` bytes at `offset` of `path` into `dst`: with `O_DIRECT` when the
/// block is large and cold ([`mostly_uncached`]), through the page cache otherwise. A file
/// that ends early is an `UnexpectedEof` error.
///
/// The copy is avoided when `dst` and `offset` have the same alignment (the caller can
/// arrange it: see [`crate::h5`]'s contiguous reads); otherwise the direct part is staged
/// through an aligned buffer. `slack` = (bytes before `dst`, bytes after `dst+len`) that
/// the read may overwrite: when they cover the partial disk blocks at both ends, the
/// whole block is one direct read (no separate small reads of the head and tail, each a
/// disk round trip that waits behind the writes of a busy run).
///
/// # Safety
/// `dst-slack.0..dst+len+slack.1` must be writable memory owned by the caller (it may be
/// uninitialised; `dst..dst+len` is fully written when this returns `Ok`).
pub(crate) unsafe fn read_into(
    path: &Path,
    offset: u64,
    dst: *mut u8,
    len: usize,
    slack: (usize, usize),
) -> io::Result<()> {
    let mut done = 0usize;
    if DIRECT != 0
        && len >= MIN_DIRECT_READ
        && let Ok(d) = OpenOptions::new()
            .read(true)
            .custom_flags(DIRECT)
            .open(path)
        && mostly_uncached(&d, offset, len)
    {
        // SAFETY: forwarded from the caller.
        done = unsafe { direct_reads(path, &d, offset, dst, len, slack)? };
    }
    if done == len {
        return Ok(());
    }
    // what is left (or everything): buffered
    let f = std::fs::File::open(path)?;
    // SAFETY: `dst+done..dst+len` is the caller's writable memory.
    let got = unsafe { pread_loop(&f, dst.add(done), len - done, offset + done as u64, false)? };
    if got < len - done {
        return Err(truncated(offset, len, done + got));
    }
    Ok(())
}

/// The direct part of [`read_into`]: the whole block in one read of whole disk blocks
/// when `dst` is aligned with the file and the slack covers the partial blocks at the
/// ends; else everything from an aligned offset on (the unaligned head read buffered
/// first); else staged. Returns how many bytes from the start of the block are in `dst`;
/// the rest is left to buffered reads (a tail shorter than a disk block, a refused or
/// short direct read).
///
/// # Safety
/// As [`read_into`].
unsafe fn direct_reads(
    path: &Path,
    d: &std::fs::File,
    offset: u64,
    dst: *mut u8,
    len: usize,
    slack: (usize, usize),
) -> io::Result<usize> {
    let a = ALIGN as u64;
    let lead = (offset % a) as usize;
    let head = (ALIGN - lead) % ALIGN;
    if head >= len {
        return Ok(0);
    }
    if (dst as usize + head) % ALIGN == 0 {
        // the bytes land where they belong: no copy
        let trail = (ALIGN - (lead + len) % ALIGN) % ALIGN;
        if lead <= slack.0 && trail <= slack.1 {
            let span = lead + len + trail;
            // SAFETY: `dst-lead..dst+len+trail` is the caller's (within the slack), and
            // `dst-lead` is aligned.
            let got = unsafe { pread_loop(d, dst.sub(lead), span, offset - lead as u64, true)? };
            return Ok(got.saturating_sub(lead).min(len));
        }
        let f = std::fs::File::open(path)?;
        // SAFETY: `dst..dst+head` is the caller's.
        let got = unsafe { pread_loop(&f, dst, head, offset, false)? };
        if got < head {
            return Ok(got);
        }
        let body = (len - head) / ALIGN * ALIGN;
        // SAFETY: `dst+head..dst+head+body` is the caller's, aligned for O_DIRECT.
        let got = unsafe { pread_loop(d, dst.add(head), body, offset + head as u64, true)? };
        return Ok(head + got);
    }
    // staged: aligned windows of the file into an aligned buffer, then copied
    let Some(stage) = Aligned::new(STAGE) else {
        return Ok(0);
    };
    let mut done = 0usize;
    while done < len {
        let at = offset + done as u64;
        let start = at / a * a;
        let skip = (at - start) as usize;
        let want = (skip + len - done).min(STAGE);
        let span = want.div_ceil(ALIGN) * ALIGN;
        // SAFETY: the stage buffer owns `STAGE >= span` aligned bytes.
        let got = unsafe { pread_loop(d, stage.ptr, span, start, true)? };
        if got <= skip {
            break;
        }
        let n = (got.min(want) - skip).min(len - done);
        // SAFETY: `n` bytes from the stage (initialised by the read) into the caller's
        // range, which they fit.
        unsafe { std::ptr::copy_nonoverlapping(stage.ptr.add(skip), dst.add(done), n) };
        done += n;
        if got < span {
            break;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Aligned and unaligned sources, aligned and unaligned offsets, lengths with and
    /// without a tail: the file holds exactly the bytes, and nothing around them moves.
    #[test]
    fn writes_land_exactly() {
        let dir = std::env::temp_dir().join(format!("xdas-direct-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.bin");
        let total = 3 * STAGE + 10 * ALIGN;
        let src: Vec<u8> = (0..total + ALIGN).map(|i| (i * 7 % 251) as u8).collect();
        for &(offset, start, len) in &[
            (ALIGN as u64, 0usize, 2 * ALIGN + 100),
            (0, 1, STAGE + 3 * ALIGN + 17), // unaligned source: staged
            (2 * ALIGN as u64, 0, total),
            (100, 0, 5000), // unaligned offset: buffered
            (0, 0, 10),     // shorter than one block
        ] {
            std::fs::write(&path, vec![0xAAu8; offset as usize + len + 2 * ALIGN]).unwrap();
            // an aligned source: copy into an aligned buffer when `start` is 0
            let mut holder = Aligned::new(len + ALIGN).unwrap();
            let bytes: &[u8] = if start == 0 {
                holder.as_mut()[..len].copy_from_slice(&src[..len]);
                &holder.as_mut()[..len]
            } else {
                &src[start..start + len]
            };
            write_at(&path, offset, bytes).unwrap();
            let back = std::fs::read(&path).unwrap();
            let o = offset as usize;
            assert!(back[..o].iter().all(|&b| b == 0xAA));
            assert_eq!(&back[o..o + len], bytes);
            assert!(back[o + len..].iter().all(|&b| b == 0xAA));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Drop `path` from the page cache (after writing it back), as a cold file.
    fn evict(path: &Path) {
        use std::os::fd::AsRawFd;
        let f = std::fs::File::open(path).unwrap();
        f.sync_all().unwrap();
        // SAFETY: a valid descriptor; advice only.
        unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    }

    /// Cold and warm blocks, offsets and destinations aligned alike (no copy) or not
    /// (staged), with heads and tails: exactly the bytes of the file; past its end, an
    /// `UnexpectedEof` error.
    #[test]
    fn reads_land_exactly() {
        let dir = std::env::temp_dir().join(format!("xdas-direct-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.bin");
        let total = 3 * STAGE + 5 * ALIGN + 123;
        let src: Vec<u8> = (0..total).map(|i| (i * 13 % 251) as u8).collect();
        std::fs::write(&path, &src).unwrap();
        let mut dst = Aligned::new(total + 2 * ALIGN).unwrap();
        for &(offset, shift, len) in &[
            (0u64, 0usize, 2 * STAGE),              // aligned both sides
            (100, 100, STAGE + 3 * ALIGN + 17),     // same alignment: in place
            (100, 0, STAGE + 3 * ALIGN + 17),       // different: staged
            (ALIGN as u64 + 8, 4, 2 * STAGE + 999), // staged over several windows
            (5, 5, total - 5),                      // up to the end of the file
            (0, 0, 1000),                           // small: buffered
        ] {
            for cold in [true, false] {
                if cold {
                    evict(&path);
                    if cached_pages(&std::fs::File::open(&path).unwrap(), 0, total as u64).is_some()
                        && len >= MIN_DIRECT_READ
                    {
                        assert!(mostly_uncached(
                            &std::fs::File::open(&path).unwrap(),
                            offset,
                            len
                        ));
                    }
                }
                let out = &mut dst.as_mut()[shift..shift + len];
                out.fill(0xEE);
                // SAFETY: `out` is ours and `len` long.
                unsafe { read_into(&path, offset, out.as_mut_ptr(), len, (0, 0)).unwrap() };
                assert_eq!(
                    out,
                    &src[offset as usize..offset as usize + len],
                    "{offset} {shift} {len}"
                );
            }
        }
        // a block past the end of the file
        evict(&path);
        let out = &mut dst.as_mut()[..2 * STAGE];
        // SAFETY: `out` is ours.
        let err = unsafe {
            read_into(
                &path,
                (total - STAGE) as u64,
                out.as_mut_ptr(),
                2 * STAGE,
                (0, 0),
            )
        }
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
