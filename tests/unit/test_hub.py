"""vaa.hub: the address phones in the room open, chosen without sending anything."""

import socket

import pytest

from vaa import hub


def test_the_public_url_wins_without_its_trailing_slash() -> None:
    assert hub.hub_url("127.0.0.1", 8000, "http://hub.lan:8000/") == "http://hub.lan:8000"


def test_a_server_on_loopback_has_no_room_address() -> None:
    assert hub.hub_url("127.0.0.1", 8000, "") is None
    assert hub.hub_url("localhost", 8000, "") is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", ""])
def test_serving_all_interfaces_names_the_lan_address(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub, "lan_address", lambda: "192.168.43.10")
    assert hub.hub_url(host, 8123, "") == "http://192.168.43.10:8123"


def test_serving_all_interfaces_on_no_network_has_no_room_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hub, "lan_address", lambda: None)
    assert hub.hub_url("0.0.0.0", 8000, "") is None


class _NoRoute:
    """A UDP socket on a machine without a default route (a hotspot without internet)."""

    def __init__(self, *_args: object) -> None: ...

    def connect(self, _address: object) -> None:
        raise OSError("Network is unreachable")

    def close(self) -> None: ...


def _host_addresses(monkeypatch: pytest.MonkeyPatch, addresses: list[str]) -> None:
    monkeypatch.setattr(socket, "socket", _NoRoute)
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *_a: [(0, 0, 0, "", (a, 0)) for a in addresses]
    )


def test_a_private_address_is_preferred_and_loopback_link_local_and_ipv6_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _host_addresses(
        monkeypatch, ["127.0.1.1", "169.254.3.4", "fe80::1", "93.184.216.34", "10.0.0.5"]
    )
    assert hub.lan_address() == "10.0.0.5"


def test_a_public_address_is_used_when_there_is_no_private_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _host_addresses(monkeypatch, ["127.0.0.1", "93.184.216.34"])
    assert hub.lan_address() == "93.184.216.34"


def test_only_loopback_means_no_address(monkeypatch: pytest.MonkeyPatch) -> None:
    _host_addresses(monkeypatch, ["127.0.0.1", "::1"])
    assert hub.lan_address() is None
