"""Whether the adapter may download a media URL: `TIPDESK_MEDIA_HOSTS` (parsed by the settings,
see `tipdesk/host_list.py`) plus the Graph API's own origin, checked before every hop.

A media URL comes from the Graph API's answer, so whoever can shape that answer could otherwise
aim the desk, with its bearer token, at anything it can reach.
"""

from __future__ import annotations

import httpx

from tipdesk.channels.base import MediaNotAllowed
from tipdesk.host_list import DEFAULT_PORTS, HostEntry, MediaHosts, host_label, origin


class MediaRefused(MediaNotAllowed):
    """The desk will not download from this URL: never worth retrying.

    The message names scheme, host and port only: a media URL's path and query carry
    short-lived credentials that have no place in logs or an editor's view."""


def entry_for(hosts: MediaHosts, url: httpx.URL) -> HostEntry:
    """The entry that allows this URL, or MediaRefused saying why not."""
    scheme, host, port = origin(url)
    if url.userinfo:
        raise MediaRefused(f"{scheme}://{host_label(host)}:{port} has a user name in its URL")
    entry = hosts.allowing(scheme, host, port)
    if entry is not None:
        return entry
    raise MediaRefused(
        f"{scheme}://{host_label(host)}:{port} is not in TIPDESK_MEDIA_HOSTS"
        if scheme in DEFAULT_PORTS
        else f"{scheme}: is not a download scheme"
    )
