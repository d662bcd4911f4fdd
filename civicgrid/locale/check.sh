#!/bin/sh
# Print untranslated and fuzzy counts of the zh_Hans catalogue; fail unless both are 0 and formats match.
# With --against-code, also fail when a message in the code is missing from the catalogue (the code's
# wording moved on and nobody ran makemessages): the catalogue is compared with a fresh extraction.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
PO="$HERE/zh_Hans/LC_MESSAGES/django.po"
stats=$(LC_ALL=C msgfmt --check-format --check-header --statistics -o /dev/null "$PO" 2>&1) || { echo "$stats"; exit 1; }
untranslated=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) untranslated.*/\1/p'); untranslated=${untranslated:-0}
fuzzy=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) fuzzy.*/\1/p'); fuzzy=${fuzzy:-0}
echo "$stats"; echo "untranslated=$untranslated fuzzy=$fuzzy"
[ "$untranslated" -eq 0 ] && [ "$fuzzy" -eq 0 ] || exit 1
[ "${1:-}" = "--against-code" ] || exit 0

PY="${PYTHON:-$HERE/../../.venv/bin/python}"
SAVED=$(mktemp)
cp "$PO" "$SAVED"
trap 'cp "$SAVED" "$PO"; rm -f "$SAVED" "$HERE/django.pot"' EXIT
# makemessages rewrites the catalogue; the committed one is put back by the trap above.
(cd "$HERE/.." && PYTHONPATH=.. "$PY" -P -m civicgrid makemessages -l zh_Hans --no-obsolete --keep-pot \
  --ignore "*/tests/*" --ignore "testing.py" > /dev/null) || exit 1
if ! LC_ALL=C msgcmp "$SAVED" "$HERE/django.pot" 2>&1; then
  echo "The catalogue lacks messages the code uses: run makemessages (see locale/README.md) and translate them."
  exit 1
fi
echo "every message in the code is in the catalogue"
