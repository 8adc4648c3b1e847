#!/usr/bin/env bash
# Builds the documentation site (docs/, README, examples and the library's XML docs as an API reference) with DocFX
# into artifacts/site, and checks that every page under docs/ is in the site's table of contents.
#   tools/docs-site.sh            then open artifacts/site/index.html, or check it: tools/docs-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
missing=0
while IFS= read -r page; do
  rel=${page#docs/}
  grep -q "href: $rel\$" docs/toc.yml || { echo "docs/toc.yml does not list $page"; missing=1; }
done < <(find docs -name '*.md' | sort)
[ $missing -eq 0 ] || exit 1
dotnet tool restore > /dev/null
rm -rf artifacts/site api
dotnet docfx metadata docfx.json
dotnet docfx build docfx.json --warningsAsErrors false
# The site opens on the README.
cat > artifacts/site/index.html <<'HTML'
<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=README.html"><title>Helmholtz</title></head>
<body><a href="README.html">Helmholtz</a></body></html>
HTML
echo "site: $(find artifacts/site -name '*.html' | wc -l) pages in artifacts/site"
