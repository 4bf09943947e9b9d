"""The room hub: the address at which phones in the room reach a facilitator's laptop.

`vaa serve --host 0.0.0.0` on a laptop joined to a phone's hotspot (or any local network)
serves the whole app to the room without internet. The join link and QR code must then
name the laptop's address on that network, not 127.0.0.1: `VAA_PUBLIC_URL` when set,
otherwise the address found here. Finding it sends nothing: connecting a UDP socket
only asks the system which local address it would route from.
"""

import contextlib
import ipaddress
import socket

ALL_INTERFACES = ("0.0.0.0", "::", "")
_ROUTE_PROBE = "198.51.100.1"  # TEST-NET-2 (RFC 5737): routed like the internet, never used


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def lan_address() -> str | None:
    """This machine's IPv4 address on its network (a private one first), or None."""
    found: list[str] = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect((_ROUTE_PROBE, 9))  # UDP: no packet leaves the machine
        found.append(probe.getsockname()[0])
    except OSError:
        pass  # no default route (a hotspot without one): ask the host name instead
    finally:
        probe.close()
    with contextlib.suppress(OSError):
        found += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)]
    usable = [a for a in dict.fromkeys(found) if _usable(a)]
    private = [a for a in usable if ipaddress.ip_address(a).is_private]
    return next(iter(private or usable), None)


def hub_url(host: str, port: int, public_url: str) -> str | None:
    """The base URL participants open: `public_url`, or the LAN address when serving to all
    interfaces; None when the server is only reachable from this machine."""
    if public_url:
        return public_url.rstrip("/")
    if host not in ALL_INTERFACES:
        return None
    address = lan_address()
    return f"http://{address}:{port}" if address else None
