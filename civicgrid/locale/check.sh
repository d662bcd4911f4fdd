#!/bin/sh
# Print untranslated and fuzzy counts of the zh_Hans catalogue; fail unless both are 0 and formats match.
PO="$(dirname "$0")/zh_Hans/LC_MESSAGES/django.po"
stats=$(LC_ALL=C msgfmt --check-format --check-header --statistics -o /dev/null "$PO" 2>&1) || { echo "$stats"; exit 1; }
untranslated=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) untranslated.*/\1/p'); untranslated=${untranslated:-0}
fuzzy=$(echo "$stats" | sed -n 's/.* \([0-9][0-9]*\) fuzzy.*/\1/p'); fuzzy=${fuzzy:-0}
echo "$stats"; echo "untranslated=$untranslated fuzzy=$fuzzy"
[ "$untranslated" -eq 0 ] && [ "$fuzzy" -eq 0 ]
