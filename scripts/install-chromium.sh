#!/bin/sh
# Browser tests drive Debian's headless Chromium. Install it when we can (root with apt-get);
# otherwise the browser tests are skipped with a message naming this script.
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || echo "chromium could not be installed: browser tests will be skipped"
else
    echo "chromium not found (apt-get install chromium): browser tests will be skipped"
fi
exit 0
