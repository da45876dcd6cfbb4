#!/bin/sh
# Browser tests drive Debian's headless Chromium; CJK fonts make the Chinese screenshots legible.
# Install them when we can (root with apt-get); otherwise the browser tests are skipped with a
# message naming this script.
need=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need="chromium"
[ -d /usr/share/fonts/opentype/noto ] || need="$need fonts-noto-cjk"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages for the browser tests:$need"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null) \
        || echo "could not install$need: browser tests may be skipped"
else
    echo "missing$need (apt-get install$need): browser tests will be skipped"
fi
exit 0
