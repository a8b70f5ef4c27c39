"""Who a client is to the public routes' limits and to ratings: an IPv4 address or an IPv6
/64 network, known only by a keyed digest."""

from __future__ import annotations

import pytest

from infrastructure.rate_limits import ClientDigests, client_network


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("testclient", "testclient"),
    ],
)
def test_a_client_is_an_ipv4_address_or_an_ipv6_64_network(address: str, network: str) -> None:
    assert client_network(address) == network


def test_a_clients_digest_is_keyed_and_does_not_hold_its_address() -> None:
    ours, theirs = ClientDigests(b"k" * 32), ClientDigests(b"x" * 32)

    digest = ours("203.0.113.9")

    assert digest == ours("203.0.113.9")
    assert digest != ours("203.0.113.10")
    assert digest != theirs("203.0.113.9"), "without the key the digest cannot be recomputed"
    assert ours("2001:db8::1") == ours("2001:db8::2"), "one /64 is one client"
    assert "203" not in digest
    assert len(digest) == 32
