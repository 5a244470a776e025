//! Writing a block of bytes into a file at an offset with `O_DIRECT`, past the page cache.
//!
//! Why: a chunked run writes as much as it reads. Buffered writes copy every byte into
//! freshly allocated page-cache pages — on this project's VM that copy ran at ~0.5 GB/s
//! and slowed the concurrent cold reads of the input to half speed; direct writes from
//! the (reused, page-aligned) output buffer cost almost no CPU. See [`crate::native::WriteOptions::direct_io`].
//!
//! The aligned middle of the block goes with `O_DIRECT`; the unaligned tail, and
//! everything when the file system refuses `O_DIRECT` (tmpfs) or the offset is not
//! aligned, goes through an ordinary buffered write. A source buffer that is not page
//! aligned is staged through a small aligned buffer.

use std::alloc::{Layout, alloc, dealloc};
use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

/// Alignment of offsets, lengths and buffers of direct writes (covers 512 B and 4 KiB
/// sectors).
pub(crate) const ALIGN: usize = 4096;

/// The open flag for direct I/O (Linux; elsewhere every write is buffered: macOS has no
/// `O_DIRECT`, and opening with no extra flag makes the "direct" part an ordinary write).
#[cfg(target_os = "linux")]
const DIRECT: i32 = libc::O_DIRECT;
#[cfg(not(target_os = "linux"))]
const DIRECT: i32 = 0;

/// Size of the aligned staging buffer for unaligned sources.
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
}
