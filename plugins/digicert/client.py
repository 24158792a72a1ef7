"""An async HTTP client of the CertCentral Services API v2 (``/services/v2``, ``X-DC-DEVKEY``).

Kept apart from any provider or issuer logic (as lemur's ``lemur_digicert`` keeps its
client): it speaks the API, maps its errors to typed exceptions, retries what may be retried
with bounded exponential backoff and jitter, and makes every create idempotent on our key
(see ``plugins.digicert.idempotency`` and ``docs/digicert.md``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import httpx

from core.egress import Egress, EgressRefused
from plugins.digicert.errors import (
    ApiErrorDetail,
    CertCentralError,
    InvalidRequest,
    NotTheApi,
    RetriesExhausted,
    TransportFailure,
    UpstreamNotAllowed,
    error_for_status,
)
from plugins.digicert.idempotency import marker, with_marker
from plugins.digicert.models import (
    CertificateBundle,
    CertificateOrder,
    CertificateOrderRequest,
    CertificateSpec,
    CheckDcvResult,
    Coupon,
    DcvStatus,
    Json,
    OrderRequestAnswer,
    RevocationRequest,
    VoucherCode,
    VoucherCodesCsv,
    VoucherOrder,
    VoucherOrderRequest,
)
from plugins.digicert.retry import RetryPolicy

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
DEFAULT_BASE_URL = "https://www.digicert.com/services/v2"
DCV_NOT_FOUND = "dcv_token_not_found"


class CertCentralClient:
    """One account's API key against one base URL (``.../services/v2``).

    ``egress`` guards a base URL that a tenant set (``upstream.client_for`` always passes the
    account's): every request is checked and pinned by ``core.egress`` and a refusal is an
    ``UpstreamNotAllowed``, with nothing sent. Without it the URL is the operator's own (tests,
    the sandbox's command line); redirects are never followed either way."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        egress: Egress | None = None,
    ) -> None:
        options: dict[str, Any] = {
            "base_url": base_url.rstrip("/"),
            "headers": {"X-DC-DEVKEY": api_key, "Accept": "application/json"},
            "timeout": timeout,
        }
        if egress is not None:
            self._http = egress.client(inner=transport, **options)
        else:
            self._http = httpx.AsyncClient(transport=transport, follow_redirects=False, **options)
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()

    async def __aenter__(self) -> CertCentralClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def check_access(self) -> None:
        """One cheap authenticated read (``GET /voucher?limit=1``) that proves the base URL is
        the API and the key is accepted; raises the typed error otherwise (``NotTheApi`` for
        an answer that is not the API's JSON)."""
        response = await self._send("GET", "/voucher", params={"limit": 1})
        try:
            data = response.json()
        except ValueError:
            raise NotTheApi("the answer is not JSON", status=response.status_code) from None
        if not isinstance(data, dict) or "voucher_orders" not in data:
            raise NotTheApi("the answer is not a voucher order list", status=response.status_code)

    # -- voucher orders ---------------------------------------------------------------

    async def create_voucher_order(
        self, request: VoucherOrderRequest, idempotency_key: str
    ) -> VoucherOrder:
        """``POST /voucher``; a retry with the same key returns the first order."""

        async def find() -> VoucherOrder | None:
            return await self.find_voucher_order(idempotency_key)

        async def create() -> VoucherOrder:
            body = request.to_json(with_marker(request.notes, idempotency_key))
            answer = await self._json("POST", "/voucher", json=body, retry=False)
            return await self.get_voucher_order(int(answer["id"]))

        return await self._create(create, find)

    async def list_voucher_orders(
        self, *, search: str | None = None, status: str | None = None, limit: int = 100
    ) -> list[VoucherOrder]:
        params: dict[str, Any] = {"limit": limit}
        if search:
            params["filters[search]"] = search
        if status:
            params["filters[status]"] = status
        data = await self._json("GET", "/voucher", params=params)
        return [VoucherOrder.from_json(item) for item in data.get("voucher_orders", [])]

    async def get_voucher_order(self, voucher_order_id: int) -> VoucherOrder:
        return VoucherOrder.from_json(await self._json("GET", f"/voucher/{voucher_order_id}"))

    async def find_voucher_order(self, idempotency_key: str) -> VoucherOrder | None:
        """The voucher order made with ``idempotency_key``, if any."""
        for order in await self.list_voucher_orders(search=marker(idempotency_key), limit=20):
            if order.idempotency_key == idempotency_key:
                return order
        return None

    async def voucher_codes(self, voucher_order_id: int) -> list[VoucherCode]:
        data = await self._json("GET", f"/voucher/{voucher_order_id}/codes")
        return [VoucherCode.from_json(item) for item in data.get("codes", [])]

    async def voucher_codes_csv(self, voucher_order_id: int) -> VoucherCodesCsv:
        response = await self._send("GET", f"/voucher/{voucher_order_id}/codes/csv")
        return VoucherCodesCsv.parse(response.content)

    async def cancel_voucher_order(self, voucher_order_id: int) -> VoucherOrder:
        """``PUT /voucher/{id}/cancel``: every code of the order is cancelled, or none."""
        await self._send("PUT", f"/voucher/{voucher_order_id}/cancel")
        return await self.get_voucher_order(voucher_order_id)

    async def reissue_voucher_code(self, voucher_order_id: int, code_id: int) -> VoucherCode:
        """``POST /voucher/{id}/codes/{code_id}/reissue``: a new code, the same redeem-by.

        Not retried blindly: after an ambiguous failure, re-read the order's codes instead."""
        path = f"/voucher/{voucher_order_id}/codes/{code_id}/reissue"
        return VoucherCode.from_json(await self._json("POST", path, retry=False))

    # -- coupons (クーポンコンバーター) ---------------------------------------------------

    async def coupon_status(self, number: str) -> Coupon:
        """``GET /coupon/{number}``: product, expiry, converted or not."""
        return Coupon.from_json(await self._json("GET", f"/coupon/{number}"))

    async def convert_coupons(self, numbers: tuple[str, ...], idempotency_key: str) -> VoucherOrder:
        """``POST /coupon/convert``: one voucher (one code) for coupons of one product; the
        voucher order carries our key in ``notes``, so a retry returns the first one."""

        async def find() -> VoucherOrder | None:
            return await self.find_voucher_order(idempotency_key)

        async def create() -> VoucherOrder:
            body = {"coupons": list(numbers), "notes": marker(idempotency_key)}
            answer = await self._json("POST", "/coupon/convert", json=body, retry=False)
            return await self.get_voucher_order(int(answer["id"]))

        return await self._create(create, find)

    # -- certificate orders ----------------------------------------------------------

    async def order_certificate(
        self, request: CertificateOrderRequest, idempotency_key: str
    ) -> OrderRequestAnswer:
        """``POST /order/certificate/{product_name_id}``; idempotent on our key."""

        async def find() -> OrderRequestAnswer | None:
            order = await self.find_certificate_order(idempotency_key)
            if order is None:
                return None
            return OrderRequestAnswer.from_json(
                {
                    "id": order.id,
                    "certificate_id": order.certificate.id,
                    "requests": [{"status": order.status}],
                    "dcv_random_value": order.raw.get("dcv_random_value"),
                }
            )

        async def create() -> OrderRequestAnswer:
            body = request.to_json(with_marker(request.comments, idempotency_key))
            path = f"/order/certificate/{request.product_name_id}"
            return OrderRequestAnswer.from_json(
                await self._json("POST", path, json=body, retry=False)
            )

        return await self._create(create, find)

    async def list_certificate_orders(
        self, *, search: str | None = None, limit: int = 100
    ) -> list[CertificateOrder]:
        params: dict[str, Any] = {"limit": limit}
        if search:
            params["filters[search]"] = search
        data = await self._json("GET", "/order/certificate", params=params)
        return [CertificateOrder.from_json(item) for item in data.get("orders", [])]

    async def find_certificate_order(self, idempotency_key: str) -> CertificateOrder | None:
        for order in await self.list_certificate_orders(search=marker(idempotency_key), limit=20):
            if order.idempotency_key == idempotency_key:
                return order
        return None

    async def get_order(self, order_id: int) -> CertificateOrder:
        return CertificateOrder.from_json(await self._json("GET", f"/order/certificate/{order_id}"))

    async def reissue(
        self, order_id: int, certificate: CertificateSpec, comments: str | None = None
    ) -> OrderRequestAnswer:
        """``POST /order/certificate/{id}/reissue``. After an ambiguous failure, a retry first
        reads the order: if it already carries this CSR, the reissue happened."""

        async def find() -> OrderRequestAnswer | None:
            order = await self.get_order(order_id)
            if order.certificate.csr.strip() != certificate.csr.strip():
                return None
            return OrderRequestAnswer.from_json(
                {
                    "id": order.id,
                    "certificate_id": order.certificate.id,
                    "requests": [{"status": order.status}],
                    "dcv_random_value": order.raw.get("dcv_random_value"),
                }
            )

        async def create() -> OrderRequestAnswer:
            body: Json = {"certificate": certificate.to_json()}
            if comments:
                body["comments"] = comments
            path = f"/order/certificate/{order_id}/reissue"
            return OrderRequestAnswer.from_json(
                await self._json("POST", path, json=body, retry=False)
            )

        return await self._create(create, find, look_first=False)

    async def cancel_order(self, order_id: int, note: str = "") -> None:
        """``PUT /order/certificate/{id}/status`` with ``status: canceled``."""
        body = {"status": "canceled", "note": note}
        await self._send("PUT", f"/order/certificate/{order_id}/status", json=body)

    async def dcv_status(self, order_id: int) -> DcvStatus:
        return DcvStatus.from_json(await self._json("GET", f"/order/certificate/{order_id}/dcv"))

    async def check_dcv(self, order_id: int) -> CheckDcvResult:
        """``PUT .../check-dcv``: the upstream looks for the tokens now. A token not found
        (HTTP 400 ``dcv_token_not_found``) is a result, not an error."""
        try:
            data = await self._json("PUT", f"/order/certificate/{order_id}/check-dcv")
        except InvalidRequest as exc:
            if DCV_NOT_FOUND not in exc.codes:
                raise
            order = await self.get_order(order_id)
            problems = tuple(e.message for e in exc.errors)
            return CheckDcvResult(order.status, order.certificate.status, "pending", problems)
        return CheckDcvResult(
            str(data["order_status"]), str(data["certificate_status"]), str(data["dcv_status"])
        )

    # -- certificates ----------------------------------------------------------------

    async def revoke(
        self, certificate_id: int, reason: str = "unspecified", comments: str = ""
    ) -> RevocationRequest:
        """``PUT /certificate/{id}/revoke``."""
        body = {"reason": reason, "comments": comments}
        data = await self._json("PUT", f"/certificate/{certificate_id}/revoke", json=body)
        return RevocationRequest.from_json(data)

    async def download_pem_bundle(self, certificate_id: int) -> CertificateBundle:
        """The leaf, intermediate and root as PEM (format ``pem_all``)."""
        path = f"/certificate/{certificate_id}/download/format/pem_all"
        return CertificateBundle((await self._send("GET", path)).text)

    async def download_pkcs7(self, certificate_id: int) -> bytes:
        """The chain as PKCS#7 (format ``p7b``, PEM-armoured)."""
        path = f"/certificate/{certificate_id}/download/format/p7b"
        return (await self._send("GET", path)).content

    # -- plumbing --------------------------------------------------------------------

    async def _create(
        self,
        create: Callable[[], Awaitable[T]],
        find: Callable[[], Awaitable[T | None]],
        *,
        look_first: bool = True,
    ) -> T:
        """Create once: look for an earlier result first (a previous call may have died after
        the upstream acted), then create, and after an ambiguous failure look again."""
        if look_first:
            found = await find()
            if found is not None:
                return found
        ambiguous = False
        last: CertCentralError | None = None
        for attempt in range(1, self._retry.attempts + 1):
            if ambiguous:
                found = await find()
                if found is not None:
                    return found
            try:
                return await create()
            except CertCentralError as exc:
                if not exc.retryable:
                    raise
                last = exc
                ambiguous = ambiguous or exc.ambiguous
                if attempt < self._retry.attempts:
                    await self._sleep(self._retry.delay(attempt, self._rng, exc.retry_after))
        assert last is not None
        raise RetriesExhausted(last, self._retry.attempts)

    async def _json(self, method: str, path: str, *, retry: bool = True, **kwargs: Any) -> Json:
        """The JSON answer; ``retry=False`` for creates, whose retries ``_create`` drives."""
        send = self._send if retry else self._once
        response = await send(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return {}
        return response.json()

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request with bounded retries (reads and updates are safe to repeat)."""
        last: CertCentralError | None = None
        for attempt in range(1, self._retry.attempts + 1):
            try:
                return await self._once(method, path, **kwargs)
            except CertCentralError as exc:
                if not exc.retryable:
                    raise
                last = exc
                if attempt < self._retry.attempts:
                    await self._sleep(self._retry.delay(attempt, self._rng, exc.retry_after))
        assert last is not None
        raise RetriesExhausted(last, self._retry.attempts)

    async def _once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except EgressRefused as exc:
            raise UpstreamNotAllowed(exc.reason) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TransportFailure(f"{method} {path}: {exc!r}", sent=False) from exc
        except httpx.TransportError as exc:  # read/write timeouts, dropped connections
            raise TransportFailure(f"{method} {path}: {exc!r}", sent=True) from exc
        if response.status_code >= 400:
            raise error_for_status(
                response.status_code, _error_details(response), _retry_after(response)
            )
        return response


def _error_details(response: httpx.Response) -> tuple[ApiErrorDetail, ...]:
    try:
        data = response.json()
    except ValueError:
        return ()
    items = data.get("errors", []) if isinstance(data, dict) else []
    return tuple(
        ApiErrorDetail(str(e.get("code", "")), str(e.get("message", "")))
        for e in items
        if isinstance(e, dict)
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
