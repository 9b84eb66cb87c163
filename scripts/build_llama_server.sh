#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` from the llama-cpp-python source distribution (the only
# form the package index offers; it vendors the whole llama.cpp tree) and caches the binary,
# so only the first run pays the ~11-minute compile. Needs: pip (package index), cmake, a C++
# compiler. Prints the cached binary's path on success.
#
#   scripts/build_llama_server.sh            # build once, then reuse
#   LLAMA_CPP_PYTHON_VERSION=0.3.36 TOOLKIT_CACHE_DIR=/tmp/c scripts/build_llama_server.sh
set -euo pipefail

VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
CACHE_ROOT="${TOOLKIT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/industry-agent-toolkit}"
DEST="$CACHE_ROOT/llama/$VERSION"
BINARY="$DEST/llama-server"
PYTHON="${PYTHON:-python3}"
JOBS="${LLAMA_BUILD_JOBS:-2}"

if [ -x "$BINARY" ] && "$BINARY" --version >/dev/null 2>&1; then
  echo "$BINARY"
  exit 0
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/llama-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
start=$(date +%s)

echo "llama-server: downloading llama-cpp-python==$VERSION (source distribution)" >&2
"$PYTHON" -m pip download --quiet --no-deps --no-binary :all: \
  "llama-cpp-python==$VERSION" -d "$WORK/dl" >&2
tar -xzf "$WORK"/dl/llama_cpp_python-*.tar.gz -C "$WORK"
SRC="$(echo "$WORK"/llama_cpp_python-*/vendor/llama.cpp)"
if [ ! -f "$SRC/tools/server/CMakeLists.txt" ]; then
  echo "error: $SRC has no tools/server; pick a llama-cpp-python version that vendors it" >&2
  exit 1
fi

echo "llama-server: configuring ($SRC)" >&2
# A static binary needs no libllama.so beside it, so the cache holds one file.
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_CURL=OFF -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >"$WORK/configure.log" 2>&1 || {
  cat "$WORK/configure.log" >&2
  exit 1
}
echo "llama-server: compiling with $JOBS jobs under nice (about 11 minutes on 2 busy cores)" >&2
nice -n 10 cmake --build "$WORK/build" --target llama-server -j "$JOBS" >"$WORK/build.log" 2>&1 || {
  tail -n 60 "$WORK/build.log" >&2
  exit 1
}

mkdir -p "$DEST"
# Copy then rename, so a concurrent reader never sees a half-written binary.
cp "$WORK/build/bin/llama-server" "$BINARY.tmp"
mv "$BINARY.tmp" "$BINARY"
echo "llama-server: built in $(( $(date +%s) - start )) s" >&2
echo "$BINARY"
