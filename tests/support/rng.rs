//! The tests' small seeded random generator (xorshift64): the same sequence for a seed on every
//! run and target. Shared by `tests/outbox_property.rs` and `tests/alloc.rs` through `#[path]`
//! (a file under `tests/support/` is not a test target of its own).

/// A xorshift64 generator; the seed must not be 0.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
