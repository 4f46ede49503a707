//! Browser tests (wasm32 only) of the module's own allocator (`src/web/alloc.rs`), which is the
//! global allocator of this test binary too: alignment, no overlap, content kept by `realloc`
//! across classes, wasm-bindgen's `__wbindgen_malloc`/`__wbindgen_realloc`/`__wbindgen_free`, and
//! memory that stops growing once a repeated pattern has run once.
#![cfg(target_arch = "wasm32")]

use std::alloc::{alloc, dealloc, realloc, Layout};

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

extern "C" {
    fn __wbindgen_malloc(size: usize, align: usize) -> *mut u8;
    fn __wbindgen_realloc(ptr: *mut u8, old_size: usize, new_size: usize, align: usize) -> *mut u8;
    fn __wbindgen_free(ptr: *mut u8, size: usize, align: usize);
}

/// Links the crate (and so its `#[global_allocator]`) into this test binary.
fn link_the_crate() {
    let free: fn(u32) = storefront_collector::web::collector_free;
    free(u32::MAX);
}

fn pages() -> usize {
    core::arch::wasm32::memory_size(0)
}

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

fn fill(p: *mut u8, n: usize, tag: u8) {
    for i in 0..n {
        unsafe { *p.add(i) = tag.wrapping_add(i as u8) };
    }
}

fn intact(p: *const u8, n: usize, tag: u8) -> bool {
    (0..n).all(|i| unsafe { *p.add(i) } == tag.wrapping_add(i as u8))
}

#[wasm_bindgen_test]
fn it_is_the_size_class_allocator() {
    link_the_crate();
    unsafe {
        // 17 and 32 bytes are one class (32): a freed block is handed out again at once.
        let a = alloc(Layout::from_size_align(17, 1).unwrap());
        dealloc(a, Layout::from_size_align(17, 1).unwrap());
        let b = alloc(Layout::from_size_align(32, 8).unwrap());
        assert_eq!(a, b, "not the size-class allocator");
        dealloc(b, Layout::from_size_align(32, 8).unwrap());
    }
}

#[wasm_bindgen_test]
fn layouts_are_aligned_and_blocks_do_not_overlap() {
    link_the_crate();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut live: Vec<(usize, usize, usize, u8)> = Vec::new();
    for step in 0..20_000u32 {
        let r = rng.below(100);
        if r < 45 || live.is_empty() {
            let size = match rng.below(10) {
                0 => 1 + rng.below(16) as usize,
                1..=6 => 1 + rng.below(200) as usize,
                7 | 8 => 1 + rng.below(5000) as usize,
                _ => 1 + rng.below(100_000) as usize,
            };
            let align = 1usize << rng.below(5);
            let p = unsafe { alloc(Layout::from_size_align(size, align).unwrap()) };
            assert!(!p.is_null());
            assert_eq!(p as usize % align, 0, "{size} bytes aligned {align}");
            let tag = rng.next() as u8;
            fill(p, size, tag);
            live.push((p as usize, size, align, tag));
        } else if r < 75 {
            let (p, size, align, tag) = live.swap_remove(rng.below(live.len() as u64) as usize);
            assert!(intact(p as *const u8, size, tag), "block {p:#x} ({size} B) was overwritten");
            unsafe { dealloc(p as *mut u8, Layout::from_size_align(size, align).unwrap()) };
        } else {
            let i = rng.below(live.len() as u64) as usize;
            let (p, size, align, tag) = live[i];
            let new_size = match rng.below(4) {
                0 => (size / 2).max(1),
                1 => size + 1,
                2 => size * 2,
                _ => 1 + rng.below(20_000) as usize,
            };
            let q = unsafe { realloc(p as *mut u8, Layout::from_size_align(size, align).unwrap(), new_size) };
            assert!(!q.is_null());
            assert_eq!(q as usize % align, 0);
            assert!(intact(q, size.min(new_size), tag), "realloc {size} → {new_size} lost the content");
            fill(q, new_size, tag);
            live[i] = (q as usize, new_size, align, tag);
        }
        if step % 500 == 0 {
            let mut spans: Vec<(usize, usize)> = live.iter().map(|&(p, s, _, _)| (p, s)).collect();
            spans.sort_unstable();
            for w in spans.windows(2) {
                assert!(w[0].0 + w[0].1 <= w[1].0, "blocks overlap: {w:x?}");
            }
        }
    }
    for (p, size, align, tag) in live {
        assert!(intact(p as *const u8, size, tag));
        unsafe { dealloc(p as *mut u8, Layout::from_size_align(size, align).unwrap()) };
    }
}

#[wasm_bindgen_test]
fn wasm_bindgen_entry_points() {
    link_the_crate();
    unsafe {
        // A zero-size request gets the alignment back as a dangling pointer, and its free is a no-op.
        assert_eq!(__wbindgen_malloc(0, 1) as usize, 1);
        __wbindgen_free(1 as *mut u8, 0, 1);
        // passStringToWasm0's non-ASCII path: malloc(len), realloc to len * 3, realloc down.
        let p = __wbindgen_malloc(100, 1);
        fill(p, 100, 7);
        let q = __wbindgen_realloc(p, 100, 300, 1);
        assert!(intact(q, 100, 7));
        let r = __wbindgen_realloc(q, 300, 120, 1);
        assert!(intact(r, 100, 7));
        __wbindgen_free(r, 120, 1);
    }
}

/// A string built by pushes (as the outbox snapshot is), dropped after use, many times: the
/// memory grows for the first one only.
#[wasm_bindgen_test]
fn repeated_growth_reuses_its_blocks() {
    link_the_crate();
    let build = |len: usize| {
        let mut s = String::new();
        while s.len() < len {
            s.push_str("{\"id\":\"0123456789abcdef\",\"xdm\":{}},");
        }
        s.len()
    };
    build(1_000_000);
    let after_first = pages();
    for _ in 0..20 {
        build(1_000_000);
    }
    assert_eq!(pages(), after_first, "memory grew on repeats of the same pattern");
}
