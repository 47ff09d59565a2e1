"""The provider's webhooks: status callbacks and inbound texts. Public addresses (the
provider calls them), so each request must carry the provider's signature: 403 without.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aiq.messaging.delivery import record_status
from aiq.messaging.gateway import provider_for, webhook_origin
from aiq.messaging.inbound import receive_text
from aiq.messaging.models import SmsSettings
from aiq.messaging.providers.base import SmsProvider
from aiq.messaging.providers.twilio.signature import SIGNATURE_HEADER

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _authenticated(request: HttpRequest, webhook_key: str) -> tuple[SmsSettings, SmsProvider]:
    sms = SmsSettings.objects.filter(webhook_key=webhook_key).first()
    if sms is None:
        raise Http404("No SMS settings at this address.")
    provider = provider_for(sms)
    # The URL the provider signed is the one we gave it, whatever proxy sits in front.
    url = webhook_origin() + request.get_full_path()
    params = {name: request.POST.get(name, "") for name in request.POST}
    if not provider.is_authentic(url, params, request.headers.get(SIGNATURE_HEADER, "")):
        raise PermissionError
    return sms, provider


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest, webhook_key: str, message_id: int) -> HttpResponse:
    try:
        sms, provider = _authenticated(request, webhook_key)
    except PermissionError:
        return HttpResponseForbidden("Invalid signature.")
    record_status(sms, message_id, provider.parse_status_callback(request.POST))
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, webhook_key: str) -> HttpResponse:
    try:
        sms, provider = _authenticated(request, webhook_key)
    except PermissionError:
        return HttpResponseForbidden("Invalid signature.")
    receive_text(sms, provider.parse_inbound(request.POST))
    # Answers go through the outbox (recorded, counted), not in this TwiML.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
