"""Index URLs read the way installers read them, or refused when installers could disagree about them.

uv (the Rust ``url`` crate) and browsers follow the WHATWG URL standard; pip checks hosts with
:mod:`urllib.parse` and then connects with urllib3. They disagree on backslashes (``http://evil\\@localhost``
is ``evil`` to WHATWG and urllib3, ``localhost`` to urllib.parse), percent-encoded hosts, missing or extra
slashes after the scheme, numeric hosts in other forms (``2130706433`` is 127.0.0.1 to WHATWG), tabs and
newlines (WHATWG drops them) and more. :func:`parse` accepts only URLs on which they all agree, so a host
found here is the host every installer contacts; ``tests/util/test_urls.py`` checks that against real uv
and pip. Credentials in a URL are allowed (private mirrors) but never shown: :func:`redact` hides them.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from hatch_torch.util.errors import ConfigurationError

SCHEMES = ("https", "http", "file")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")
_NUMERIC = re.compile(r"(0x[0-9a-f]*|[0-9]+)")  # WHATWG reads a host ending in such a label as IPv4
_USERCHARS = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:%-]*")  # RFC 3986 userinfo
_USERINFO = re.compile(r"(//)[^/?#\\]*@")


@dataclass(frozen=True)
class Url:
    scheme: str
    host: str  # lower case; IPv6 in brackets, compressed; "" for file:///
    port: int | None
    userinfo: str

    @property
    def local(self) -> bool:
        """The loopback interface: ``localhost``, 127.0.0.0/8 or ``[::1]`` (and local files)."""
        if self.scheme == "file" or self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False


def redact(text: str) -> str:
    """``text`` with the user name and password of any URL in it replaced by ``***``."""
    return _USERINFO.sub(r"\1***@", text)


def parse(url: str) -> Url:
    """The URL's parts; raises ValueError (the reason, with credentials hidden) when installers could read it
    differently, or when it is not an http(s) or file URL."""
    bad = sorted({c for c in url if not "!" <= c <= "~"})
    if bad:
        raise ValueError(
            f"contains {', '.join(repr(c) for c in bad)}: whitespace, control and non-ASCII characters are "
            f"dropped or re-encoded differently by different installers (write the host in punycode and "
            f"percent-encode the path)"
        )
    if "\\" in url:
        raise ValueError("contains a backslash, which uv reads as '/' and urllib as part of the host")
    match = _SCHEME.fullmatch(url)
    scheme = match[1] if match else ""
    if scheme.lower() not in SCHEMES:
        raise ValueError("is not an https, http or file URL")
    if scheme not in SCHEMES:
        raise ValueError(
            f"has the scheme {scheme!r} in upper case, which uv reads as a file path; write {scheme.lower()}"
        )
    rest = match[2] if match else ""
    if not rest.startswith("//") or (scheme != "file" and rest[2:3] in ("", "/")):
        raise ValueError(f"must start with {scheme}://HOST/ (uv skips missing or extra slashes, urllib does not)")
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
    userinfo, at, hostport = authority.rpartition("@")
    if at and "@" in userinfo:
        raise ValueError("has more than one '@' before the host; percent-encode an '@' in a password as %40")
    if at and not _USERCHARS.fullmatch(userinfo):
        raise ValueError(
            "has characters in its user name or password that installers read differently; percent-encode them"
        )
    host, port = _split_port(hostport)
    host = _host(host)
    if scheme == "file":
        if userinfo or port is not None or host not in ("", "localhost"):
            raise ValueError("is a file URL with a host; write file:///absolute/path")
    elif not host:
        raise ValueError("has no host")
    return Url(scheme, host, port, userinfo)


def _split_port(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        host, bracket, after = hostport.partition("]")
        if not bracket:
            raise ValueError("has an IPv6 address without its closing ']'")
        host += "]"
    else:
        host, colon, after = hostport.partition(":")
        after = colon + after
    if not after:
        return host, None
    if not re.fullmatch(r":[0-9]{1,5}", after) or int(after[1:]) > 65535:
        raise ValueError(f"has a bad port {after[1:]!r} (a number from 0 to 65535)")
    return host, int(after[1:])


def _host(host: str) -> str:
    if host.startswith("["):
        if "%" in host:
            raise ValueError(f"has an IPv6 zone id in {host!r}, which installers handle differently")
        try:
            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValueError(f"has a bad IPv6 address {host!r}") from None
        return f"[{address.compressed}]"
    if "%" in host:
        raise ValueError("has a percent-encoded host, which uv decodes and urllib does not")
    host = host.lower()
    if not host:
        return host
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(
            f"has the host {host!r}: write it as dot-separated letters, digits and hyphens, with no empty "
            f"part and no trailing dot"
        )
    if _NUMERIC.fullmatch(labels[-1]):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise ValueError(
                f"has the host {host!r}, which uv reads as an IPv4 address written in another form; "
                f"write the address as four decimal numbers (127.0.0.1)"
            ) from None
    return host


def check_index_url(url: str, where: str, *, allow_insecure: bool = False, allow_file: bool = True) -> Url:
    """``url`` parsed; a :class:`ConfigurationError` naming ``where`` unless it is unambiguous and https
    (plain http only to this machine, or anywhere with ``allow_insecure``)."""
    shown = redact(url)
    try:
        parts = parse(url)
    except ValueError as exc:
        raise ConfigurationError(
            [f"{where}={shown!r} {exc}. Fix: write a plain URL like https://mirror.example/pytorch/cu130."]
        ) from None
    if parts.scheme == "file" and not allow_file:
        raise ConfigurationError(
            [f"{where}={shown!r} is a file URL. Fix: serve the index over https (or http on localhost)."]
        )
    if parts.scheme == "http" and not parts.local and not allow_insecure:
        raise ConfigurationError(
            [
                f"{where}={shown!r} uses plain http to {parts.host}, so anyone on the way could swap the wheels. "
                f"Fix: use https (plain http is allowed only to localhost, 127.0.0.1 or [::1])."
            ]
        )
    return parts
