//! A small JSON value, parser and writer, made for a small WebAssembly module.
//!
//! Why not serde_json: in this crate's release wasm, serde_json with its `Value` cost 36 KB of code
//! plus 10 KB of `BTreeMap` and 7 KB of float formatting and parsing (measured with
//! `scripts/wasm-sizes.py`). This module does what the engine needs and no more:
//!
//! * Objects are a `Vec` of pairs in insertion order (storefront objects are small; a linear
//!   lookup is faster than a tree at that size, and it keeps the page's key order).
//! * A number keeps its source text, so values pass through byte-exact and nothing here ever
//!   formats a float. Numbers the engine computes are built from integers or from cents
//!   ([`Number::from_cents`]), whose decimal text is exact. Reading a number as `f64`
//!   ([`parse_f64`]) checks the decimal syntax here and leaves the conversion to JavaScript's
//!   `Number` in the wasm build (through the shell), to a Rust conversion on the host.
//! * The parser accepts exactly what `JSON.stringify` produces (RFC 8259), limits nesting, and never
//!   panics. The writer produces what `JSON.stringify` would for the same value.

use std::ops::Index;

/// Deepest nesting the parser accepts.
pub const MAX_DEPTH: usize = 128;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as its JSON text.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

/// A JSON number kept as its (valid) JSON text. Two numbers are equal when their values are
/// (`5` equals `5.0`). A `String` rather than a `Box<str>`: a `Value` is no larger for it, and the
/// shrinking copy into a box cost the wasm code of its own.
#[derive(Debug, Clone)]
pub struct Number(String);

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.0 == other.0 || self.as_f64() == other.as_f64()
    }
}

impl Number {
    /// The value as `f64`; infinite for an out-of-range literal such as `1e999` (as in JavaScript).
    pub fn as_f64(&self) -> f64 {
        parse_f64(&self.0).unwrap_or(0.0)
    }

    /// An integer number.
    pub fn from_i64(n: i64) -> Number {
        let mut text = String::new();
        push_int(&mut text, n);
        Number(text)
    }

    /// `cents / 100` with its exact decimal text (`3704` → `37.04`, `500` → `5`).
    pub fn from_cents(cents: i64) -> Number {
        let mut text = String::new();
        if cents < 0 {
            text.push('-');
        }
        let abs = cents.unsigned_abs();
        push_uint(&mut text, abs / 100);
        let frac = abs % 100;
        if frac != 0 {
            text.push('.');
            text.push(char::from(b'0' + (frac / 10) as u8));
            if frac % 10 != 0 {
                text.push(char::from(b'0' + (frac % 10) as u8));
            }
        }
        Number(text)
    }

    /// A number from JSON text; `None` unless `text` is a valid JSON number.
    pub fn from_text(text: &str) -> Option<Number> {
        let mut p = Parser { text, pos: 0, depth: 0, max_depth: 0 };
        p.number().ok().filter(|_| p.pos == text.len())
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses a decimal number as JavaScript's `Number(text)` does for ordinary decimals (optional
/// sign, digits, fraction, exponent, surrounding ASCII white space); `None` for anything else or
/// for an empty string (where `Number` would give `NaN`, `0`, or read hex, binary, octal or
/// `Infinity`).
///
/// The syntax is checked here, on every target, so both builds accept exactly the same texts; the
/// conversion of a checked literal is [`decimal_value`]: JavaScript's own `Number` in the wasm
/// build, the Rust conversion below on the host.
pub fn parse_f64(text: &str) -> Option<f64> {
    let text = text.trim_ascii();
    is_decimal(text.as_bytes()).then(|| decimal_value(text))
}

/// Whether `text` is `[+-]digits[.digits][(e|E)[+-]digits]` with at least one digit before the
/// exponent, on either side of the point (`5.`, `.5`): JavaScript's `StrDecimalLiteral` without
/// `Infinity`.
fn is_decimal(text: &[u8]) -> bool {
    let mut i = usize::from(matches!(text.first(), Some(b'+' | b'-')));
    let (mut digits, mut point) = (false, false);
    loop {
        match text.get(i) {
            Some(b'0'..=b'9') => digits = true,
            Some(b'.') if !point => point = true,
            _ => break,
        }
        i += 1;
    }
    if let Some(b'e' | b'E') = text.get(i) {
        i += 1;
        i += usize::from(matches!(text.get(i), Some(b'+' | b'-')));
        let start = i;
        while let Some(b'0'..=b'9') = text.get(i) {
            i += 1;
        }
        digits &= i > start;
    }
    digits && i == text.len()
}

/// The value of a decimal literal [`is_decimal`] accepted: JavaScript's `Number(text)`, which the
/// language defines as correctly rounded, through the shell ([`crate::web`]) so that the engine
/// stays free of JavaScript values. This replaced the Rust conversion in the wasm build, where it
/// cost about 1 KB of code.
#[cfg(target_arch = "wasm32")]
fn decimal_value(text: &str) -> f64 {
    crate::web::js_number(text)
}

/// The value of a decimal literal [`is_decimal`] accepted, for host builds (tests, tools). Exact
/// (correctly rounded) when the significant digits fit in 2^53 and the decimal exponent is within
/// ±22, and when the value is an integer below 2^64 or has at most 19 significant digits and a
/// decimal exponent down to -27 (`0.30000000000000004`, every `JSON.stringify` of a price computed
/// in JavaScript); otherwise within a few units in the last place.
#[cfg(not(target_arch = "wasm32"))]
fn decimal_value(text: &str) -> f64 {
    let bytes = text.as_bytes();
    let (negative, bytes) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    };
    let (mut mantissa, mut exponent, mut i) = (0u64, 0i32, 0usize);
    let (mut seen_point, mut dropped) = (false, false);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    if seen_point {
                        exponent -= 1;
                    }
                } else {
                    dropped |= b != b'0';
                    if !seen_point {
                        exponent += 1;
                    }
                }
            }
            b'.' => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        let sign = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let mut e = 0i32;
        while let Some(&b @ b'0'..=b'9') = bytes.get(i) {
            e = e.saturating_mul(10).saturating_add(i32::from(b - b'0'));
            i += 1;
        }
        exponent = exponent.saturating_add(sign * e);
    }
    if !dropped && (mantissa > 1 << 53 || exponent.unsigned_abs() > 22) {
        if let Some(value) = exact_f64(mantissa, exponent) {
            return if negative { -value } else { value };
        }
    }
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let mut value = mantissa as f64;
    // Past ±400 the result is already 0 or infinite (the mantissa is below 2^64), and the loops
    // below would otherwise run up to 10^8 times for an exponent like `1e-9999999999`.
    let mut e = exponent.clamp(-400, 400);
    while e > 22 {
        value *= 1e22;
        e -= 22;
    }
    while e < -22 {
        value /= 1e22;
        e += 22;
    }
    let scale = POW10[e.unsigned_abs() as usize];
    value = if e >= 0 { value * scale } else { value / scale };
    if negative {
        -value
    } else {
        value
    }
}

/// `m × 10^e` correctly rounded when `m × 10^e` is an integer below 2^64 or `-27 <= e < 0`;
/// `None` otherwise. Integer arithmetic on `u64` only (no `u128`, no float parsing).
#[cfg(not(target_arch = "wasm32"))]
fn exact_f64(m: u64, e: i32) -> Option<f64> {
    if e >= 0 {
        // Past 10^19 any non-zero m overflows, so 20 steps decide.
        let mut n = m;
        for _ in 0..e.min(20) {
            n = times_ten(n)?;
        }
        return Some(n as f64);
    }
    let k = e.unsigned_abs();
    if m == 0 || k > 27 {
        return (m == 0).then_some(0.0);
    }
    // m / 10^k = m / 5^k / 2^k. Long division of m·2^shift by 5^k (< 2^63), one bit at a time, until
    // the quotient has 63 bits: then the remainder, folded into the lowest bit, only decides ties, and
    // the correctly rounded `u64 as f64` conversion rounds the whole quotient correctly.
    let d = 5u64.pow(k);
    let (mut q, mut rem, mut shift, mut left) = (0u64, 0u64, 0u32, 64 - m.leading_zeros());
    while q < 1 << 62 {
        let bit = if left > 0 {
            left -= 1;
            (m >> left) & 1
        } else {
            shift += 1;
            0
        };
        rem = rem * 2 + bit;
        q *= 2;
        if rem >= d {
            rem -= d;
            q += 1;
        }
    }
    let scale = f64::from_bits(u64::from(1023 - shift - k) << 52);
    Some((q | u64::from(rem != 0)) as f64 * scale)
}

/// `10 n`, `None` on overflow: a comparison with a constant, where `checked_mul` costs a 128-bit
/// multiplication routine in the wasm.
fn times_ten(n: u64) -> Option<u64> {
    (n <= u64::MAX / 10).then(|| n * 10)
}

/// Parses unsigned decimal digits (no sign, no white space).
pub fn parse_uint(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(
        0u64,
        |n, b| {
            if b.is_ascii_digit() {
                times_ten(n)?.checked_add(u64::from(b - b'0'))
            } else {
                None
            }
        },
    )
}

/// Appends the decimal digits of `n`.
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_uint(out, n.unsigned_abs());
}

/// Appends the decimal digits of `n`.
pub fn push_uint(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// A JSON object: key/value pairs in insertion order, keys unique. Equality ignores key order.
#[derive(Debug, Clone, Default)]
pub struct Map(Vec<(String, Value)>);

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Map {
    /// An empty object.
    pub fn new() -> Map {
        Map(Vec::new())
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value under `key`, mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` (in place if present, else at the end); returns the old value. Generic only in
    /// its inlined conversions: the work is one shared function (measured smaller than a body per
    /// key/value type pair).
    #[inline(always)]
    pub fn insert(&mut self, key: impl AsRef<str>, value: impl Into<Value>) -> Option<Value> {
        self.insert_value(key.as_ref(), value.into())
    }

    /// [`Map::insert`] without conversions; the key is copied only when it is new.
    #[inline(never)]
    pub fn insert_value(&mut self, key: &str, value: Value) -> Option<Value> {
        match self.get_mut(key) {
            Some(slot) => Some(std::mem::replace(slot, value)),
            None => {
                self.0.push((key.to_owned(), value));
                None
            }
        }
    }

    /// Removes `key`, keeping the order of the rest.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    /// The value under `key`, inserted with `make` when absent.
    pub fn entry_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> Value) -> &mut Value {
        let at = match self.0.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.0.push((key.to_owned(), make()));
                self.0.len() - 1
            }
        };
        &mut self.0[at].1
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Values in order.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Map {
        let mut map = Map::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        if let Value::String(s) = self {
            Some(s)
        } else {
            None
        }
    }

    /// The number as `f64`, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        if let Value::Number(n) = self {
            Some(n.as_f64())
        } else {
            None
        }
    }

    /// The number as `u64`, if this is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        let n = self.as_f64()?;
        (n >= 0.0 && n.fract() == 0.0 && n < 1.8e19).then_some(n as u64)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        if let Value::Bool(b) = self {
            Some(*b)
        } else {
            None
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        if let Value::Array(a) = self {
            Some(a)
        } else {
            None
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Map> {
        if let Value::Object(m) = self {
            Some(m)
        } else {
            None
        }
    }

    /// The object, mutable, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        if let Value::Object(m) = self {
            Some(m)
        } else {
            None
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// `self[key]` for objects, `self[index]` for arrays (`index` as text is not supported).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// The element `index` of an array.
    pub fn at(&self, index: usize) -> Option<&Value> {
        self.as_array()?.get(index)
    }

    /// This value as JSON text, as `JSON.stringify` writes it.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write(self, &mut out);
        out
    }
}

impl Map {
    /// This object as JSON text (as [`Value::to_json`] writes it, without wrapping it in a value).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_map(self, &mut out);
        out
    }
}

static NULL: Value = Value::Null;

impl Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl Index<usize> for Value {
    type Output = Value;
    fn index(&self, index: usize) -> &Value {
        self.at(index).unwrap_or(&NULL)
    }
}

impl Index<&str> for Map {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(Number::from_i64(n))
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Value {
        Value::Array(a)
    }
}

/// Builds an object from `key => value` pairs: `obj! {"a" => 1i64, "b" => "x"}`.
#[macro_export]
macro_rules! obj {
    ($($key:expr => $value:expr),* $(,)?) => {{
        let mut map = $crate::engine::json::Map::new();
        $(map.insert($key, $value);)*
        $crate::engine::json::Value::Object(map)
    }};
}

/// Test helper: `json!(…)` written with serde_json's macro, converted through JSON text.
#[cfg(test)]
macro_rules! test_json {
    ($($t:tt)+) => {
        $crate::engine::json::parse(&serde_json::json!($($t)+).to_string()).unwrap()
    };
}
#[cfg(test)]
pub(crate) use test_json as json;

/// A text is not JSON (or nests too deeply). No offset or reason: nothing shows more than "not
/// valid JSON" to the page, and carrying them cost the wasm 455 B of brotli (their strings and
/// a wider `Result` through every parsing function).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError;

/// Parses JSON text.
///
/// # Errors
/// Returns a [`ParseError`] when `text` is not one JSON value (with optional surrounding white
/// space), or nests deeper than [`MAX_DEPTH`].
pub fn parse(text: &str) -> Result<Value, ParseError> {
    parse_nested(text, MAX_DEPTH)
}

/// [`parse`] with another nesting limit. The engine's own saved outbox nests page input (up to
/// [`MAX_DEPTH`]) a few levels deeper inside XDM and the snapshot, so it is read back with a
/// larger limit.
///
/// # Errors
/// As [`parse`], with `max_depth` for [`MAX_DEPTH`].
pub fn parse_nested(text: &str, max_depth: usize) -> Result<Value, ParseError> {
    let mut p = Parser { text, pos: 0, depth: 0, max_depth };
    let value = p.value()?;
    p.space();
    if p.pos != text.len() {
        return Err(ParseError); // trailing characters
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    max_depth: usize,
}

impl Parser<'_> {
    /// The byte at `pos`, or 0 at the end. A NUL byte is invalid wherever the parser looks (outside
    /// strings and, as a control character, inside them), so the end needs no value of its own.
    #[inline(never)]
    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.pos).copied().unwrap_or(0)
    }

    /// Skips `byte` if it comes next; whether it did.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == byte;
        self.pos += usize::from(found);
        found
    }

    fn space(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Value, ParseError> {
        if self.text.as_bytes().get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(ParseError) // unknown literal
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        self.space();
        match self.peek() {
            open @ (b'{' | b'[') => {
                if self.depth >= self.max_depth {
                    return Err(ParseError); // nested too deeply
                }
                self.depth += 1;
                self.pos += 1;
                let value = self.container(open == b'{');
                self.depth -= 1;
                value
            }
            b'"' => self.string().map(Value::String),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            _ => Err(ParseError), // unexpected character or end
        }
    }

    /// The rest of an object (`object`) or array after its opening bracket: one loop for both.
    fn container(&mut self, object: bool) -> Result<Value, ParseError> {
        let close = if object { b'}' } else { b']' };
        let (mut map, mut items) = (Map::new(), Vec::new());
        self.space();
        if !self.eat(close) {
            loop {
                if object {
                    self.space();
                    if self.peek() != b'"' {
                        return Err(ParseError); // expected a key
                    }
                    let key = self.string()?;
                    self.space();
                    if !self.eat(b':') {
                        return Err(ParseError); // expected ':'
                    }
                    let value = self.value()?;
                    // The key is already owned: no copy (a repeated key keeps its place, last value wins).
                    match map.get_mut(&key) {
                        Some(slot) => *slot = value,
                        None => map.0.push((key, value)),
                    }
                } else {
                    items.push(self.value()?);
                }
                self.space();
                if self.eat(close) {
                    break;
                }
                if !self.eat(b',') {
                    return Err(ParseError); // expected ',' or the closing bracket
                }
            }
        }
        Ok(if object { Value::Object(map) } else { Value::Array(items) })
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_ascii_digit() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Number, ParseError> {
        let start = self.pos;
        if self.peek() == b'-' {
            self.pos += 1;
        }
        let leading_zero = self.peek() == b'0';
        let int = self.digits();
        if int == 0 || (leading_zero && int > 1) {
            return Err(ParseError); // bad number
        }
        if self.peek() == b'.' {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(ParseError); // bad number
            }
        }
        if matches!(self.peek(), b'e' | b'E') {
            self.pos += 1;
            if matches!(self.peek(), b'+' | b'-') {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(ParseError); // bad number
            }
        }
        let text = self.text.get(start..self.pos).ok_or(ParseError)?;
        Ok(Number(text.to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut n = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                c @ b'0'..=b'9' => c - b'0',
                c @ b'a'..=b'f' => c - b'a' + 10,
                c @ b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(ParseError), // bad \u escape
            };
            n = n * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while !matches!(self.peek(), b'"' | b'\\' | 0..0x20) {
                self.pos += 1;
            }
            // We stop only at ASCII bytes, so both ends are character boundaries.
            out.push_str(self.text.get(start..self.pos).ok_or(ParseError)?);
            match self.peek() {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escape = self.peek();
                    self.pos += 1;
                    let decoded = match escape {
                        b'"' | b'\\' | b'/' => char::from(escape),
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code)
                                && self.text.as_bytes().get(self.pos..self.pos + 2) == Some(b"\\u")
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let low = self.hex4()?;
                                if (0xDC00..0xE000).contains(&low) {
                                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                } else {
                                    self.pos = save;
                                }
                            }
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => return Err(ParseError), // bad escape
                    };
                    out.push(decoded);
                }
                _ => return Err(ParseError), // control character in string, or its end
            }
        }
    }
}

/// Appends `value` as JSON text.
pub fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&n.0),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => write_map(map, out),
    }
}

/// Appends `map` as a JSON object.
pub fn write_map(map: &Map, out: &mut String) {
    out.push('{');
    for (i, (key, item)) in map.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(key, out);
        out.push(':');
        write(item, out);
    }
    out.push('}');
}

/// Appends `s` as a JSON string literal. Works on bytes (everything escaped is ASCII, which
/// never occurs inside a multi-byte character) and copies the runs between escapes whole.
pub fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            8 => "\\b",
            12 => "\\f",
            0..=0x1f => "\\u00",
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        out.push_str(escape);
        if escape.len() == 4 {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_what_json_stringify_writes() {
        for text in [
            r#"{"a":1,"b":[true,false,null],"c":{"d":"x\"y\\z\n\u0001"},"e":-0.5e-7,"f":12345678901234567890}"#,
            r#"[]"#,
            r#"{}"#,
            r#""é😀""#,
            r#"4.999999999999998"#,
        ] {
            assert_eq!(parse(text).unwrap().to_json(), text);
        }
    }

    #[test]
    fn decodes_escapes_and_surrogates() {
        assert_eq!(parse(r#""\ud83d\ude00 \u00e9 \/""#).unwrap(), Value::String("😀 é /".into()));
        assert_eq!(parse(r#""\ud800x""#).unwrap(), Value::String("\u{FFFD}x".into()));
    }

    #[test]
    fn rejects_what_json_parse_rejects() {
        for text in ["", "{", "[1,]", "{\"a\"}", "01", "1.", "-", "1e", "\"a", "tru", "{\"a\":1}x", "\"\t\"", "NaN"] {
            assert!(parse(text).is_err(), "{text:?} should not parse");
        }
        let nested = |depth| "[".repeat(depth) + &"]".repeat(depth);
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(parse(&nested(MAX_DEPTH + 1)), Err(ParseError), "nested too deeply");
    }

    #[test]
    fn last_duplicate_key_wins_in_place() {
        let v = parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.to_json(), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn cents_and_integers_have_exact_text() {
        assert_eq!(Number::from_cents(3704).as_str(), "37.04");
        assert_eq!(Number::from_cents(500).as_str(), "5");
        assert_eq!(Number::from_cents(50).as_str(), "0.5");
        assert_eq!(Number::from_cents(-7).as_str(), "-0.07");
        assert_eq!(Number::from_i64(-42).as_str(), "-42");
        assert_eq!(Number::from_i64(0).as_str(), "0");
        assert_eq!(Number::from_text("1.50").map(|n| n.as_f64()), Some(1.5));
        assert!(Number::from_text("1.5x").is_none());
    }

    #[test]
    fn parses_decimals_like_javascript_number() {
        for (text, expected) in [
            ("12.5", 12.5),
            (" 37.04 ", 37.04),
            ("-0.07", -0.07),
            ("1e3", 1000.0),
            ("2.5E-3", 0.0025),
            ("+4", 4.0),
            ("4.999999999999998", 4.999999999999998),
            ("0.30000000000000004", 0.30000000000000004),
            (".5", 0.5),
            ("5.", 5.0),
            ("\t-.5e+1\r\n", -5.0),
            ("1E-2", 0.01),
            ("1e999", f64::INFINITY),
            // Huge exponents answer at once (they once looped 10^8 times).
            ("1e-9999999999", 0.0),
            ("-7e9999999999", f64::NEG_INFINITY),
            ("0e9999999999", 0.0),
        ] {
            assert_eq!(parse_f64(text), Some(expected), "{text}");
        }
        let big = parse_f64("123456789012345678901234").unwrap();
        assert!((big / 1.2345678901234568e23 - 1.0).abs() < 1e-15, "beyond 19 digits: close, not exact");
        // What `Number` would read otherwise (0, hex, binary, octal, Infinity, other white space)
        // is refused before the conversion, so the wasm build's `Number` never sees it.
        for text in [
            "",
            " ",
            "abc",
            "1.2.3",
            "1e",
            "--1",
            "12px",
            ".",
            "+",
            "-",
            ".e1",
            "e5",
            "1e+",
            "1e-",
            "0x10",
            "0b1",
            "0o7",
            "Infinity",
            "-Infinity",
            "NaN",
            "1_000",
            "\u{b}1",
            "1\u{a0}",
            "1e5.5",
            "+-1",
        ] {
            assert_eq!(parse_f64(text), None, "{text:?}");
        }
        // Exact for every cents value a storefront sends.
        for cents in (0..2_000_000u64).step_by(7) {
            let text = format!("{}.{:02}", cents / 100, cents % 100);
            assert_eq!(parse_f64(&text), text.parse::<f64>().ok(), "{text}");
        }
        // 17 significant digits (beyond 2^53): what JSON.stringify writes for computed prices.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let cents = (seed % 10_000_000) as f64 / 100.0;
            for x in [cents * 1.08, cents / 3.0, cents + 0.1] {
                let text = x.to_string();
                assert_eq!(parse_f64(&text).map(f64::to_bits), Some(x.to_bits()), "{text}");
            }
        }
        assert_eq!(parse_f64("64975.878000000004"), Some(64975.878000000004));
        assert_eq!(parse_f64("1e19"), Some(1e19));
        assert_eq!(parse_f64("1.234567890123456789e-10"), "1.234567890123456789e-10".parse().ok());
        assert_eq!(parse_uint("120"), Some(120));
        assert_eq!(parse_uint("1x"), None);
    }

    #[test]
    fn agrees_with_serde_json_on_random_documents() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        fn gen(next: &mut dyn FnMut() -> u64, depth: u32) -> serde_json::Value {
            match next() % if depth > 3 { 5 } else { 7 } {
                0 => serde_json::Value::Null,
                1 => serde_json::Value::Bool(next() % 2 == 0),
                2 => serde_json::json!((next() % 100_000) as i64 - 50_000),
                3 => serde_json::json!(((next() % 1_000_000) as f64) / 100.0),
                4 => serde_json::Value::String(
                    (0..next() % 6).map(|_| char::from_u32((next() % 0x3000) as u32).unwrap_or('x')).collect(),
                ),
                5 => serde_json::Value::Array((0..next() % 4).map(|_| gen(next, depth + 1)).collect()),
                _ => serde_json::Value::Object(
                    (0..next() % 4).map(|i| (format!("k{i}"), gen(next, depth + 1))).collect(),
                ),
            }
        }
        for _ in 0..2000 {
            let doc = gen(&mut next, 0);
            let text = doc.to_string();
            let ours = parse(&text).unwrap();
            let back: serde_json::Value = serde_json::from_str(&ours.to_json()).unwrap();
            assert_eq!(back, doc, "{text}");
        }
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let bytes: Vec<u8> =
                (0..len).map(|_| b"{}[],:\"\\0123456789.eE-+truefalsn \x01"[(next() % 34) as usize]).collect();
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let theirs = serde_json::from_str::<serde_json::Value>(text);
                // JSON.parse (and we) accept out-of-range numbers such as 1e999; serde_json does not.
                if theirs.as_ref().is_err_and(|e| e.to_string().contains("out of range")) {
                    continue;
                }
                assert_eq!(parse(text).is_ok(), theirs.is_ok(), "{text:?}");
            }
        }
    }
}
