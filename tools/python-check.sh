#!/usr/bin/env bash
# Checks the Python bridge (python/helmholtz_io.py) against the helmholtz command: checkpoints loaded into NumPy and
# PyTorch give Helmholtz's predictions, pymdp-shaped models round-trip through the model JSON. Not part of dotnet test.
#   tools/python-check.sh              (builds the CLI; HELMHOLTZ=PATH uses that command instead)
# Needs /usr/bin/python3 with NumPy (Debian: python3-numpy); the PyTorch checks run where python3-torch is installed
# and are reported as skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-/usr/bin/python3}
if [ -z "${HELMHOLTZ:-}" ]; then
  dotnet build src/Helmholtz.Cli -c Release --nologo -v quiet > /dev/null
  HELMHOLTZ=$PWD/src/Helmholtz.Cli/bin/Release/net10.0/Helmholtz.Cli
fi
export HELMHOLTZ
"$python" -c 'import numpy; print("numpy", numpy.__version__)'
"$python" -c 'import torch; print("torch", torch.__version__)' 2>/dev/null || echo "torch: not installed (its checks are skipped)"
"$python" -m unittest discover -s python/tests -v
