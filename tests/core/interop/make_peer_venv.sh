#!/usr/bin/env bash
# Makes the venv of outside reference runners the interop tests compare against (ONNX Runtime,
# ...): Debian's python3 with its site packages visible (python3-torch stays Debian's), the
# pinned versions of requirements.txt from PyPI. Does nothing when the venv already holds them.
#   make_peer_venv.sh VENV_DIR
set -euo pipefail
venv=$1
req="$(dirname "$0")/requirements.txt"
if [[ -x $venv/bin/python ]] && cmp -s "$req" "$venv/requirements.installed"; then
  exit 0
fi
rm -rf "$venv"
/usr/bin/python3 -m venv --system-site-packages "$venv"
if ! "$venv/bin/pip" install --disable-pip-version-check --no-input -q -r "$req"; then
  echo "make_peer_venv.sh: could not install $req from PyPI into $venv (the interop tests" \
       "need ONNX Runtime as an outside reference)" >&2
  rm -rf "$venv"
  exit 1
fi
cp "$req" "$venv/requirements.installed"
"$venv/bin/python" -c "import onnxruntime; print('peer venv:', '$venv', 'onnxruntime', onnxruntime.__version__)"
