#!/usr/bin/env bash
# Refresh the vendored NHS.UK frontend and htmx from the npm registry.
# Usage: scripts/vendor-frontend.sh [nhsuk-frontend version] [htmx.org version]
set -euo pipefail
NHSUK_VERSION="${1:-10}"
HTMX_VERSION="${2:-2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "nhsuk-frontend@${NHSUK_VERSION}" "htmx.org@${HTMX_VERSION}" >/dev/null
mkdir nhsuk htmx
tar xzf nhsuk-frontend-*.tgz -C nhsuk
tar xzf htmx.org-*.tgz -C htmx

dest="$root/static/vendor/nhsuk-frontend"
rm -rf "$dest" && mkdir -p "$dest/assets"
dist=nhsuk/package/dist/nhsuk
# The compiled CSS refers to /assets/...; make that relative so it works under STATIC_URL.
# The source maps are not shipped, so their references go too: collectstatic's manifest storage
# refuses a reference to a missing file.
sed -e 's#url(/assets/#url(assets/#g' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
  "$dist/nhsuk-frontend.min.css" > "$dest/nhsuk-frontend.min.css"
sed 's#//\# sourceMappingURL=.*$##' "$dist/nhsuk-frontend.min.js" > "$dest/nhsuk-frontend.min.js"
cp -r "$dist/assets/images" "$dest/assets/"
version="$(node -p "require('./nhsuk/package/package.json').version")"
echo "$version" > "$dest/VERSION"
cat > "$dest/LICENSE.txt" <<LICENCE
nhsuk-frontend $version, from the npm registry (https://github.com/nhsuk/nhsuk-frontend).
Licensed under the MIT licence:

The MIT License (MIT)

Copyright (c) 2018 NHS Digital

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENCE

hdest="$root/static/vendor/htmx"
rm -rf "$hdest" && mkdir -p "$hdest"
cp htmx/package/dist/htmx.min.js "$hdest/"
cp htmx/package/LICENSE "$hdest/LICENSE.txt"
node -p "require('./htmx/package/package.json').version" > "$hdest/VERSION"
echo "nhsuk-frontend $version and htmx $(cat "$hdest/VERSION") vendored under static/vendor/"
