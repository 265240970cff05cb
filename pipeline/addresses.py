"""Which network addresses a fetch may connect to (SSRF defence), decided once per connection.

A hostile site or source file can point a fetch at the network the crawler runs in: a
loopback admin port, a LAN host, the cloud metadata service. The rule:

* public (globally routable, not multicast) addresses are allowed;
* with ``allow_private`` (test, demo and intranet sites) loopback and RFC 1918 private
  addresses are allowed too;
* link-local addresses (169.254.0.0/16, fe80::/10, cloud metadata at 169.254.169.254 and
  fd00:ec2::254) and everything else (multicast, reserved, unspecified) are never allowed.

IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by that address.

A check is only worth something if the connection goes to the address that was checked: a host
name resolved once for the check and again for the connection can answer differently the
second time (DNS rebinding). So callers resolve once (``resolve_checked``) and connect to what it
returns: ``spiders.downloader`` (the crawl) and ``cleanwire.new_source`` (the probe).
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


class AddressRefused(OSError):
    """Every address of a host is one a fetch must not connect to."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4, Teredo or NAT64 address."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _judged(address: str) -> list[IPAddress] | None:
    """The address and the IPv4 address it carries, if any; None if it is not an IP address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    judged: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)) is not None:
        judged.append(embedded)
    return judged


def is_public(address: str) -> bool:
    judged = _judged(address)
    return judged is not None and all(ip.is_global and not ip.is_multicast for ip in judged)


def is_local_site(address: str) -> bool:
    """Loopback or RFC 1918: what ``allow_private`` opens (never link-local or metadata)."""
    judged = _judged(address)
    if judged is None:
        return False
    ip = judged[-1]
    if ip in _METADATA or ip.is_link_local:
        return False
    return ip.is_loopback or any(ip in net for net in _RFC1918)


def is_forbidden(address: str, allow_private: bool = False) -> bool:
    """Whether a fetch must not connect to ``address``."""
    if is_public(address):
        return False
    return not (allow_private and is_local_site(address))


def refusal(host: str, addresses: list[str], allow_private: bool) -> str | None:
    """Why a host with these addresses is refused, or None. Every address must pass: a host that
    answers one public and one private address is refused (which one is used is not ours to say)."""
    if not addresses:
        return f"{host} has no address"
    for address in addresses:
        if is_forbidden(address, allow_private):
            never = " (link-local or metadata: never allowed)" if _link_local(address) else ""
            return f"{host} resolves to non-public address {address}{never}"
    return None


def _link_local(address: str) -> bool:
    judged = _judged(address)
    return judged is not None and any(ip.is_link_local or ip in _METADATA for ip in judged)


def getaddrinfo(host: str, port: int | None) -> list[tuple]:
    """The one name lookup of a fetch (tests replace it to play a rebinding DNS server)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def resolve_checked(host: str, port: int, allow_private: bool) -> list[tuple[int, str]]:
    """Resolve once, check every address, return (family, address) to connect to: only these."""
    try:
        infos = getaddrinfo(host, port)
    except (OSError, UnicodeError) as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    found = list(dict.fromkeys((int(info[0]), str(info[4][0])) for info in infos))
    why = refusal(host, [address for _, address in found], allow_private)
    if why is not None:
        raise AddressRefused(why)
    return found
