//! The module's memory allocator: power-of-two size classes, one free list each, carved from a
//! bump region that grows the wasm memory when it runs out.
//!
//! Every operation is O(1) (a class index, then a list pop or push, or a bump), and the code is a
//! few hundred bytes of wasm: talc measured about 1.3 KB, dlmalloc 5.7 KB, and `lol_alloc`'s free
//! list (smaller than talc, but O(free blocks) per call) about 450 B.
//!
//! The price is memory, not time: a block is its request rounded up to a power of two (at least
//! 16 bytes, the largest alignment served), and a freed block is only reused for a request of the
//! same class (blocks are never split or merged). The collector's working set is bounded by the
//! outbox's limits, and a storefront's allocations repeat the same few shapes, so freed blocks
//! are reused quickly. Memory stays bounded (a class takes new memory only when all its blocks are
//! in use), but can be a few times the live data: a review's model of this allocator measured an
//! outbox at its 2 MB limit, drained and refilled for 200 rounds with event sizes between 300 B
//! and 12 KB, at 14 MB (2.6 MB live; flat from the sixth round), and building a 2.1 MB snapshot
//! string at 12 MB. Delivered normally, 6,000 events with a five-line cart stayed within the first
//! megabyte the allocator asks for (measured in Node: 33 pages, 17 of them the stack and data).
//! Should that ever matter, large requests (64 KiB and up) could be served in
//! whole pages from a list that merges neighbours.
//!
//! wasm32 without the `atomics` feature is single-threaded, which makes the `Cell`s sound.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

/// Bytes in a wasm memory page.
const PAGE: usize = 65536;
/// Largest alignment served (nothing in the module asks for more; larger requests fail).
const MAX_ALIGN: usize = 16;

/// The allocator; see the module docs.
pub struct Classes {
    /// The first free block of each class (blocks of `1 << class` bytes), 0 when none. A free
    /// block's first word is the address of the next free block of its class.
    free: [Cell<usize>; 32],
    /// The bump region `top..end` not handed out yet.
    top: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: the module is single-threaded (see the module docs).
unsafe impl Sync for Classes {}

impl Classes {
    /// An allocator with no memory yet (it grows the wasm memory on the first request).
    pub const fn new() -> Classes {
        Classes { free: [const { Cell::new(0) }; 32], top: Cell::new(0), end: Cell::new(0) }
    }

    /// The class of `layout`: `log2` of its block size, in `4..32` (a layout's size is at most
    /// `isize::MAX`, so `size - 1` has a leading zero). Blocks are at least [`MAX_ALIGN`] bytes,
    /// so carving them one after the other keeps every block aligned.
    fn class(layout: Layout) -> usize {
        let size = layout.size().max(MAX_ALIGN);
        (usize::BITS - (size - 1).leading_zeros()) as usize
    }

    /// The free list of `class` (masked: no bounds check, as every class is below 32).
    fn head(&self, class: usize) -> &Cell<usize> {
        &self.free[class & 31]
    }

    /// A fresh block of `1 << class` bytes from the bump region (which stays [`MAX_ALIGN`]-aligned:
    /// it starts on a page and grows by such blocks); null when the memory cannot grow.
    fn carve(&self, class: usize) -> *mut u8 {
        let size = 1usize << class;
        let mut start = self.top.get();
        if start.checked_add(size).is_none_or(|end| end > self.end.get()) {
            // Enough new pages for the block even when they do not follow the current region, and
            // at least a megabyte, so that the memory grows seldom.
            let pages = (size >> 16) + 16;
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return core::ptr::null_mut();
            }
            let fresh = old * PAGE;
            if fresh != self.end.get() {
                start = fresh;
            }
            // Saturating: growing to exactly 4 GiB would wrap the end to 0.
            self.end.set(fresh.saturating_add(pages * PAGE));
        }
        self.top.set(start + size);
        start as *mut u8
    }
}

impl Default for Classes {
    fn default() -> Self {
        Self::new()
    }
}

unsafe impl GlobalAlloc for Classes {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > MAX_ALIGN {
            return core::ptr::null_mut();
        }
        let class = Self::class(layout);
        let head = self.head(class);
        match head.get() {
            0 => self.carve(class),
            block => {
                // SAFETY: a free block of this class holds the address of the next one.
                head.set(unsafe { *(block as *const usize) });
                block as *mut u8
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let head = self.head(Self::class(layout));
        // SAFETY: the block is ours again and at least a word long.
        unsafe { *(ptr as *mut usize) = head.get() };
        head.set(ptr as usize);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size` with this alignment is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if Self::class(new_layout) == Self::class(layout) {
            return ptr; // The block already has room.
        }
        // SAFETY: as for `alloc`, `dealloc`; the blocks do not overlap.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}
