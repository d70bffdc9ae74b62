#!/usr/bin/env bash
# Pin requirements.in and requirements-dev.in into one consistent set: both are
# resolved together, then requirements.txt keeps the packages the runtime needs
# and requirements-dev.txt adds the rest (so test and run environments agree).
set -euo pipefail
python=${PYTHON:-python3}
work=$(mktemp -d)
"$python" -m venv "$work/all" && "$python" -m venv "$work/runtime"
"$work/all/bin/pip" install --quiet -r requirements.in -r requirements-dev.in
"$work/runtime/bin/pip" install --quiet -r requirements.in
"$work/all/bin/pip" freeze | sort > "$work/all.txt"
"$work/runtime/bin/pip" freeze | cut -d= -f1 | tr 'A-Z_' 'a-z-' | sort > "$work/runtime-names.txt"
{
  echo "# Pinned from requirements.in by \`make lock\`; do not edit by hand."
  while read -r line; do
    name=$(echo "${line%%==*}" | tr 'A-Z_' 'a-z-')
    grep -qx "$name" "$work/runtime-names.txt" && echo "$line"
  done < "$work/all.txt"
} > requirements.txt
{
  echo "# Pinned from requirements-dev.in by \`make lock\`, resolved together with requirements.txt."
  echo "-r requirements.txt"
  while read -r line; do
    name=$(echo "${line%%==*}" | tr 'A-Z_' 'a-z-')
    grep -qx "$name" "$work/runtime-names.txt" || echo "$line"
  done < "$work/all.txt"
} > requirements-dev.txt
rm -rf "$work"
