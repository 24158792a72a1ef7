"""Certificate downloads shared by the API and the redemption pages: the PEM chain stored on
issuance (leaf, intermediate, root) and the PKCS#7 the upstream builds."""

from __future__ import annotations

from litestar import Response

from plugins.digicert.client import CertCentralClient
from plugins.digicert.redemption import RedemptionView
from plugins.digicert.vouchers import refuse


def _file_name(view: RedemptionView, suffix: str) -> str:
    return view.common_name.replace("*", "star") + suffix


def _check_issued(view: RedemptionView) -> int:
    if view.status != "issued" or not view.pem_chain or view.certificate_id is None:
        raise refuse("certificate", "digicert.download.not_issued")
    return view.certificate_id


def pem_response(view: RedemptionView) -> Response[str]:
    _check_issued(view)
    return Response(
        view.pem_chain,
        media_type="application/x-pem-file",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(view, ".pem")}"'},
    )


async def p7b_response(client: CertCentralClient, view: RedemptionView) -> Response[bytes]:
    certificate_id = _check_issued(view)
    return Response(
        await client.download_pkcs7(certificate_id),
        media_type="application/x-pkcs7-certificates",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(view, ".p7b")}"'},
    )
