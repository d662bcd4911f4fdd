# Sourced by scripts/run and scripts/test: find Python 3.12+, make .venv, install the package.
# Usage: setup_env [extras]   (extras: "dev" for the test tools)

find_python() {
  local candidates=()
  [ -n "${CIVICGRID_PYTHON:-}" ] && candidates+=("$CIVICGRID_PYTHON")
  candidates+=(python3.13 python3.12 python3)
  if [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
    for d in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
      candidates+=("$d/bin/python")
    done
  fi
  for c in "${candidates[@]}"; do
    local exe
    exe=$(command -v "$c" 2>/dev/null) || continue
    if "$exe" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$exe"
      return 0
    fi
  done
  return 1
}

setup_env() {
  local extras="${1:-}"
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    local py
    if ! py=$(find_python); then
      echo "error: civicgrid needs Python 3.12 or newer, and none was found." >&2
      echo "       Install one (e.g. 'pyenv install 3.12') or set CIVICGRID_PYTHON=/path/to/python3.12." >&2
      exit 1
    fi
    echo "== Creating .venv with $py"
    rm -rf .venv
    "$py" -m venv .venv
  fi
  # Reinstall only when the dependencies changed.
  local stamp=".venv/.installed-${extras:-base}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "== Installing civicgrid${extras:+ with [$extras]}"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
    touch "$stamp"
  fi
  export PATH="$PWD/.venv/bin:$PATH"
}
