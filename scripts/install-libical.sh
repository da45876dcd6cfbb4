#!/bin/sh
# Calendar tests read our iCalendar output with libical as an independent client, through its
# GObject bindings for Debian's own Python. Install them when we can (root with apt-get);
# otherwise those checks are skipped with a message naming this script.
probe="import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
/usr/bin/python3 -c "$probe" >/dev/null 2>&1 && exit 0
need="python3-gi gir1.2-ical-3.0"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages for the libical checks: $need"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null) \
        || echo "could not install $need: libical checks will be skipped"
else
    echo "missing $need (apt-get install $need): libical checks will be skipped"
fi
exit 0
