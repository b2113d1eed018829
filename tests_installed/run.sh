#!/usr/bin/env bash
# What users install, tested: build koppel's wheel, install it into a fresh venv (with the locked versions, and
# PyPI's unrelated `converters` package beside it), and run this folder's smoke suite from an empty temp folder,
# so nothing of the checkout is on sys.path.
#
# Usage: tests_installed/run.sh PYTHON [CONSTRAINTS]
#   PYTHON       a venv's python with setuptools: builds the wheel (offline, no build isolation)
#   CONSTRAINTS  pip constraints for the fresh venv (default constraints.txt; "" = the newest releases)
set -euo pipefail
py=$1
constraints=${2-constraints.txt}
repo=$(cd "$(dirname "$0")/.." && pwd)
[ -z "$constraints" ] || constraints=$(cd "$(dirname "$constraints")" && pwd)/$(basename "$constraints")
work=$(mktemp -d "${TMPDIR:-/tmp}/koppel-installed.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS

echo "== installed wheel: build"
rm -rf "$repo/build"
"$py" -m pip wheel --quiet --no-deps --no-build-isolation -w "$work/dist" "$repo" 2>&1 | tee "$work/build.log"
rm -rf "$repo/build"
# setuptools' "Package would be ignored": a data folder it may leave out of a future wheel (list it in pyproject)
if grep -q "would be ignored\|absent from the .packages. configuration" "$work/build.log"; then
    echo "installed wheel: the build warns that it would leave folders out (see above)" >&2
    exit 1
fi
wheel=$(ls "$work"/dist/koppel-*.whl)

echo "== installed wheel: fresh venv + $(basename "$wheel")${constraints:+ (constraints: $(basename "$constraints"))}"
"$py" -m venv "$work/venv"
# --no-compile: bytecode is written for what the tests import only, not for all of pandas and pyarrow
pip=("$work/venv/bin/python" -m pip install --quiet --no-compile ${constraints:+--constraint "$constraints"})
"${pip[@]}" "$wheel" pytest
"${pip[@]}" converters==0.0.1  # an unrelated PyPI package that owns the import name `converters`

echo "== installed wheel: smoke suite from $work/run"
mkdir "$work/run"
cd "$work/run"
unset PYTHONPATH
KOPPEL_WHEEL="$wheel" "$work/venv/bin/python" -m pytest -c "$repo/tests_installed/pytest.ini" "$repo/tests_installed"
echo "== installed wheel: done in $((SECONDS - start)) s"
