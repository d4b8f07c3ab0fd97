"""The webhook notifier: each ticket event POSTed as signed JSON to a URL the host names.

The body is ``payload_bytes(event)``. ``X-Chamados-Signature`` is an HMAC-SHA256, keyed by a
secret the sender and the receiver share, of the ``X-Chamados-Timestamp`` header, a dot
and the body. A receiver checks it with ``verify_signature``, which also refuses old
timestamps (replays). Delivery is at least once: the same event may arrive again, with
the same ``X-Chamados-Event-Id``, and the receiver must drop the repeat.

>>> body = b'{"id":"ev-1"}'
>>> signature = sign("s3cret", 1772452800, body)
>>> signature
'sha256=97b88553152b1db8ff63e37c129f805909918cccd680bbe3b9176e3ab2f6efae'
>>> verify_signature("s3cret", body=body, timestamp="1772452800", signature=signature,
...                  now=1772452860)
True
>>> verify_signature("other", body=body, timestamp="1772452800", signature=signature,
...                  now=1772452860)
False
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import math
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Final

from chamados._version import __version__
from chamados.clock import Clock, SystemClock
from chamados.events import TicketEvent
from chamados.exceptions import ConfigurationError, DeliveryError
from chamados.notify.payload import payload_bytes

__all__ = ["WebhookNotifier", "sign", "verify_signature"]

EVENT_ID_HEADER: Final = "X-Chamados-Event-Id"
EVENT_KIND_HEADER: Final = "X-Chamados-Event-Kind"
TIMESTAMP_HEADER: Final = "X-Chamados-Timestamp"
SIGNATURE_HEADER: Final = "X-Chamados-Signature"

TRANSIENT_STATUSES: Final = frozenset({408, 425, 429})
"""Client-error statuses that mean "not now" rather than "never"; every 5xx is transient too."""

_RESERVED = frozenset(
    name.lower()
    for name in (
        "Content-Type",
        "Content-Length",
        "Host",
        EVENT_ID_HEADER,
        EVENT_KIND_HEADER,
        TIMESTAMP_HEADER,
        SIGNATURE_HEADER,
    )
)
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")
_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_SNIPPET_BYTES = 200
_SNIPPET_CHARS = 120


def sign(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """The ``X-Chamados-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds):
    ``"sha256="`` and the hex HMAC-SHA256, keyed by ``secret``, of ``f"{timestamp}."``
    followed by ``body``.

    >>> sign(b"s3cret", 1772452800, b"{}")
    'sha256=a5ac58aa0492bea1aab733184fe6d19e232c47c0f7f3d0c02bc5f0b49e1f0a7d'
    """
    return _sign(_key(secret), str(timestamp), body)


def verify_signature(
    secret: str | bytes,
    *,
    body: bytes,
    timestamp: str | int | None,
    signature: str | None,
    now: datetime | float | None = None,
    tolerance: timedelta | float = 300,
) -> bool:
    """Whether a webhook request is authentic and fresh.

    Pass the raw request body exactly as received (not JSON parsed and encoded again),
    the ``X-Chamados-Timestamp`` and ``X-Chamados-Signature`` headers as received (a
    missing header may be passed as ``None``), and the shared ``secret``. True when the
    signature matches (compared in constant time) and the timestamp is within
    ``tolerance`` (seconds, or a ``timedelta``; 5 minutes by default) of ``now`` (an aware
    datetime or Unix seconds; the system clock by default). A malformed or missing header
    gives False, never an exception.

    A valid signature proves who sent the request, not that it is the first time: the
    notifier delivers at least once, so the receiver must also drop requests whose
    ``X-Chamados-Event-Id`` it has already handled.

    >>> body = b'{"id":"ev-1"}'
    >>> headers = {"X-Chamados-Timestamp": "1772452800",
    ...            "X-Chamados-Signature": sign("s3cret", 1772452800, body)}
    >>> def check(body, *, now):
    ...     return verify_signature("s3cret", body=body, now=now,
    ...                             timestamp=headers.get("X-Chamados-Timestamp"),
    ...                             signature=headers.get("X-Chamados-Signature"))
    >>> check(body, now=1772452800 + 60)
    True
    >>> check(b'{"id":"ev-2"}', now=1772452800 + 60)  # tampered body
    False
    >>> check(body, now=1772452800 + 3600)  # an hour later: a replay
    False
    """
    key = _key(secret)
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(
            f"body must be the raw request body as bytes, got {type(body).__name__}; "
            f"verify the bytes as received, before parsing the JSON"
        )
    limit = _seconds(tolerance)
    if isinstance(timestamp, bool) or not isinstance(timestamp, str | int):
        return False
    stamp = str(timestamp) if isinstance(timestamp, int) else timestamp
    if not _TIMESTAMP.fullmatch(stamp):
        return False
    if not isinstance(signature, str):
        return False
    match = _SIGNATURE.fullmatch(signature.strip())
    if match is None:
        return False
    if abs(_unix_seconds(now) - int(stamp)) > limit:
        return False
    expected = _sign(key, stamp, bytes(body))
    return hmac.compare_digest(expected, "sha256=" + match.group(1).lower())


class WebhookNotifier:
    """Delivers each event as a signed JSON POST to ``url``.

    ``secret`` (text or bytes) keys the signature; give each receiver its own. ``timeout``
    (seconds) bounds connecting and each wait for the receiver's answer, so a receiver
    that hangs fails the delivery soon after it. ``headers`` are added to every request
    (an ``Authorization`` the receiver wants, say); they may not replace the headers
    chamados signs and sets. A URL with ``user:password@`` sends them as HTTP Basic
    authentication. ``name`` tells this notifier apart in logs and errors. ``wants``
    narrows the events this receiver gets (``lambda e: e.kind != "note_added"``); by
    default it gets every event. ``clock`` gives the ``X-Chamados-Timestamp``.

    The notifier connects directly (it reads no proxy settings from the environment) and
    does not follow redirects. A 2xx answer is a delivery. 408, 425, 429 and 5xx answers,
    timeouts and network failures (refused or reset connections, unknown hosts) raise
    ``DeliveryError(transient=True)``; other answers raise
    ``DeliveryError(transient=False)``: retrying will not help until the receiver or the
    notifier's settings change.
    """

    def __init__(
        self,
        url: str,
        *,
        secret: str | bytes,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        name: str | None = None,
        wants: Callable[[TicketEvent], bool] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._url, self._shown_url, credentials = _parse_url(url)
        self._key = _key(secret)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ConfigurationError(
                f"webhook timeout must be a number of seconds, got {timeout!r}", key="timeout"
            )
        if not math.isfinite(timeout) or timeout <= 0:
            raise ConfigurationError(
                f"webhook timeout must be a positive number of seconds, got {timeout!r}",
                key="timeout",
            )
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ConfigurationError(
                f"webhook name must be a non-empty string, got {name!r}", key="name"
            )
        if wants is not None and not callable(wants):
            raise ConfigurationError(
                f"webhook wants must be a function of an event, got {wants!r}", key="wants"
            )
        self.timeout = float(timeout)
        self.name = name or "webhook"
        self._wants = wants
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._headers = _fixed_headers(headers, credentials)
        self._opener = _opener()

    def wants(self, event: TicketEvent) -> bool:
        """Whether this receiver gets ``event``; ``notify`` leaves the others alone."""
        return self._wants is None or bool(self._wants(event))

    def notify(self, event: TicketEvent) -> None:
        """POST ``event`` to the URL, or do nothing when ``wants(event)`` is false.

        Raises ``DeliveryError`` when the receiver does not answer 2xx in time.
        """
        if not self.wants(event):
            return
        body = payload_bytes(event)
        timestamp = str(int(self._clock.now().timestamp()))
        headers = {
            **self._headers,
            EVENT_ID_HEADER: event.id,
            EVENT_KIND_HEADER: event.kind,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: _sign(self._key, timestamp, body),
        }
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
        what = (
            f"{self.name} could not deliver {event.kind} event {event.id!r} to {self._shown_url}"
        )
        try:
            # A 2xx is a delivery: the body is not read, so a slow one cannot fail it.
            self._opener.open(request, timeout=self.timeout).close()
        except urllib.error.HTTPError as error:
            with error:
                raise _refused(what, error) from None
        except urllib.error.URLError as error:
            raise _network(what, error.reason) from error
        except (OSError, http.client.HTTPException) as error:
            raise _network(what, error) from error

    def __repr__(self) -> str:
        return f"WebhookNotifier({self._shown_url!r}, name={self.name!r}, timeout={self.timeout})"


def _refused(what: str, error: urllib.error.HTTPError) -> DeliveryError:
    """The error for a receiver that answered with a status other than 2xx."""
    status = error.code
    try:
        snippet = _snippet(error.read(_SNIPPET_BYTES))
    except (OSError, http.client.HTTPException):
        snippet = ""
    said = f": {snippet!r}" if snippet else ""
    answer = f"the receiver answered {status} {error.reason}{said}".rstrip()
    if status in TRANSIENT_STATUSES or 500 <= status <= 599:
        return DeliveryError(f"{what}: {answer}; it may succeed later", transient=True)
    if 300 <= status <= 399:
        where = error.headers.get("Location") if error.headers else None
        hint = f"update the webhook URL (the receiver points to {where!r})" if where else ""
        hint = hint or "update the webhook URL (redirects are not followed)"
        return DeliveryError(f"{what}: {answer}; {hint}", transient=False)
    return DeliveryError(
        f"{what}: {answer}; retrying will not help: fix the receiver or the webhook's "
        f"URL, secret or headers",
        transient=False,
    )


def _network(what: str, reason: object) -> DeliveryError:
    """The error for a receiver that could not be reached or did not answer in time."""
    if isinstance(reason, TimeoutError):
        why = "the receiver did not answer within the timeout"
    else:
        why = (
            f"{type(reason).__name__}: {reason}" if isinstance(reason, Exception) else str(reason)
        )
    return DeliveryError(f"{what}: {why}; it may succeed later", transient=True)


def _snippet(raw: bytes) -> str:
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 3] + "..."


def _opener() -> urllib.request.OpenerDirector:
    """An opener that talks HTTP(S) directly, follows no redirect and raises on non-2xx."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(context=ssl.create_default_context()),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _parse_url(url: object) -> tuple[str, str, str | None]:
    """The URL to request, the URL to show (no credentials, no query) and the
    ``user:password`` it carried, if any."""
    if not isinstance(url, str):
        raise ConfigurationError(f"webhook url must be a string, got {url!r}", key="url")
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
        _ = parts.port  # a bad port raises ValueError
    except ValueError as error:
        raise ConfigurationError(f"webhook url is not a valid URL: {error}", key="url") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            "webhook url must be an absolute http:// or https:// URL, got "
            f"{_without_credentials(parts)!r}",
            key="url",
        )
    if any(char.isspace() for char in url.strip()):
        raise ConfigurationError("webhook url must not contain spaces", key="url")
    credentials = None
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        credentials = f"{user}:{password}"
    netloc = parts.netloc.rpartition("@")[2]
    target = urllib.parse.urlunsplit(parts._replace(netloc=netloc, fragment=""))
    return target, _without_credentials(parts), credentials


def _without_credentials(parts: urllib.parse.SplitResult) -> str:
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _fixed_headers(extra: Mapping[str, str] | None, credentials: str | None) -> dict[str, str]:
    """The headers every request carries: content type, user agent, Basic authentication
    from the URL and the host's ``extra`` headers (checked here, not at the first send)."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"chamados/{__version__}",
    }
    if credentials is not None:
        token = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    if extra is None:
        return headers
    if not isinstance(extra, Mapping):
        raise ConfigurationError(
            f"webhook headers must be a mapping of names to values, got {extra!r}",
            key="headers",
        )
    for header, value in extra.items():
        if not isinstance(header, str) or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", header):
            raise ConfigurationError(f"invalid webhook header name {header!r}", key="headers")
        if header.lower() in _RESERVED:
            raise ConfigurationError(
                f"webhook header {header!r} is set by chamados and cannot be replaced",
                key="headers",
            )
        if not isinstance(value, str) or any(char in value for char in "\r\n\0"):
            raise ConfigurationError(
                f"webhook header {header!r} needs a one-line string value", key="headers"
            )
        for existing in [name for name in headers if name.lower() == header.lower()]:
            del headers[existing]
        headers[header] = value
    return headers


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if not isinstance(secret, bytes) or not secret:
        raise ConfigurationError(
            "the webhook secret must be a non-empty string or bytes; generate one with "
            "secrets.token_urlsafe(32) and give the receiver the same",
            key="secret",
        )
    return secret


def _sign(key: bytes, timestamp: str, body: bytes) -> str:
    digest = hmac.new(key, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _seconds(tolerance: timedelta | float) -> float:
    seconds = tolerance.total_seconds() if isinstance(tolerance, timedelta) else tolerance
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or seconds < 0
    ):
        raise ConfigurationError(
            f"tolerance must be a non-negative number of seconds or a timedelta, "
            f"got {tolerance!r}",
            key="tolerance",
        )
    return float(seconds)


def _unix_seconds(now: datetime | float | None) -> float:
    if now is None:
        return SystemClock().now().timestamp()
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            raise ConfigurationError(
                f"now must be a time-zone aware datetime, got the naive {now}", key="now"
            )
        return now.timestamp()
    if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now):
        raise ConfigurationError(
            f"now must be an aware datetime or Unix seconds, got {now!r}", key="now"
        )
    return float(now)
