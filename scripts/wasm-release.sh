# Sourced by scripts/build.sh and scripts/size-profile.sh: the release wasm's compiler and
# optimiser settings, in one place so that the size profile always measures what ships.
#
# RELEASE_RUSTFLAGS: `cargo build --release --config "$RELEASE_RUSTFLAGS"`.
#   immediate-abort: a panic (always a bug) becomes a bare trap, so no panic-formatting code ships;
#   location-detail=none and fmt-debug=none drop the file names and Debug code that would only serve
#   panic messages (-150 B brotli). Passed on the command line rather than in .cargo/config.toml so
#   that tests keep their panic messages.
RELEASE_RUSTFLAGS='target.wasm32-unknown-unknown.rustflags=["-Zunstable-options", "-Cpanic=immediate-abort", "-Zlocation-detail=none", "-Zfmt-debug=none"]'
#
# WASM_OPT: binaryen 132 from npm, then `--strip-debug` (what ships) or `-g` (names kept), input,
#   `-o` output. Explicit feature list (never --all-features: Chromium rejects the result).
#   Two -Oz rounds, and --low-memory-unused: the module never touches addresses below 1024 (the
#   stack comes first, from 1 MiB down, and the data after it), so binaryen may fold constant
#   additions into load/store offsets. Together -361 B brotli, with the engine's speed unchanged
#   (Node, 1,000 events). Measured and not kept: --flatten --rereloop (a further -320 B, but the
#   engine ran ~50 % slower).
WASM_OPT=(tools/node_modules/.bin/wasm-opt -Oz -Oz --low-memory-unused --strip-producers
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue --strip-target-features)
