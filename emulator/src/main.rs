//! `edge-emulator`: a local stand-in for Adobe's Edge Network (work in progress).

fn main() {}
