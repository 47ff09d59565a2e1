"""Twilio's REST paths (2010-04-01) and the phone page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from integrations.sandbox.twilio import faults
from integrations.sandbox.twilio.auth import is_sandbox_account
from integrations.sandbox.twilio.callbacks import new_sid, reply_as_shopper, report_statuses
from integrations.sandbox.twilio.models import SandboxSmsMessage, SandboxSmsNumber
from integrations.sandbox.web import basic_credentials, json_response

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


def _error(status: int, code: int, message: str) -> HttpResponse:
    # Twilio's error body.
    body = {
        "code": code,
        "message": message,
        "more_info": MORE_INFO.format(code=code),
        "status": status,
    }
    return json_response(body, status=status)


def _authenticated(request: HttpRequest, account_sid: str) -> HttpResponse | None:
    credentials = basic_credentials(request)
    if credentials is None or credentials[0] != account_sid or not is_sandbox_account(*credentials):
        return _error(401, 20003, "Authenticate")
    return None


def _message_json(message: SandboxSmsMessage) -> dict[str, Any]:
    base = f"/2010-04-01/Accounts/{message.account_sid}/Messages/{message.sid}"
    return {
        "sid": message.sid,
        "account_sid": message.account_sid,
        "to": message.to_number,
        "from": message.from_number,
        "body": message.body,
        "status": message.status,
        "direction": message.direction,
        "num_segments": "1",
        "error_code": int(message.error_code) if message.error_code else None,
        "error_message": None,
        "date_created": message.created_at.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "api_version": "2010-04-01",
        "uri": base + ".json",
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def messages(request: HttpRequest, account_sid: str) -> HttpResponse:
    refused = _authenticated(request, account_sid)
    if refused:
        return refused
    if request.method == "GET":
        rows = SandboxSmsMessage.objects.filter(account_sid=account_sid)[:50]
        return json_response({"messages": [_message_json(row) for row in rows]})
    to, sender, body = (request.POST.get(name, "") for name in ("To", "From", "Body"))
    if not E164.match(to):
        return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if not sender:
        return _error(400, 21603, "A 'From' phone number is required.")
    if not body:
        return _error(400, 21602, "Message body is required.")
    if faults.ending(to) == faults.SERVER_ERROR:
        return _error(500, 20500, "Internal Server Error")
    if faults.ending(to) in faults.REFUSED:
        code, text = faults.REFUSED[faults.ending(to)]
        return _error(400, code, text.format(to=to))
    message = SandboxSmsMessage.objects.create(
        sid=new_sid("SM"),
        account_sid=account_sid,
        direction=SandboxSmsMessage.OUTBOUND,
        from_number=sender,
        to_number=to,
        body=body,
        status="queued",
        error_code=faults.UNDELIVERED.get(faults.ending(to), ""),
        status_callback=request.POST.get("StatusCallback", ""),
    )
    answer = json_response(_message_json(message), status=201)
    # Twilio reports asynchronously; the sandbox reports before answering, which our app
    # must cope with anyway (a callback can beat the API's answer).
    report_statuses(message, ["sent", "undelivered" if message.error_code else "delivered"])
    return answer


@csrf_exempt
@require_POST
def incoming_numbers(request: HttpRequest, account_sid: str) -> HttpResponse:
    """Provision a number with its SmsUrl (Twilio's IncomingPhoneNumbers create)."""
    refused = _authenticated(request, account_sid)
    if refused:
        return refused
    phone, sms_url = request.POST.get("PhoneNumber", ""), request.POST.get("SmsUrl", "")
    if not E164.match(phone):
        return _error(400, 21421, "PhoneNumber is invalid.")
    number, _ = SandboxSmsNumber.objects.update_or_create(
        account_sid=account_sid,
        phone_number=phone,
        defaults={"sms_url": sms_url},
        create_defaults={"sms_url": sms_url, "sid": new_sid("PN")},
    )
    return json_response(
        {
            "sid": number.sid,
            "account_sid": account_sid,
            "phone_number": phone,
            "sms_url": sms_url,
            "sms_method": "POST",
        },
        status=201,
    )


def phone(request: HttpRequest) -> HttpResponse:
    """Every text the sandbox carried, newest first, with a reply box on each one sent to
    a shopper: a person (or a browser test) answers as that shopper."""
    number = request.GET.get("number", "").strip()
    rows = SandboxSmsMessage.objects.all()
    if number:
        rows = rows.filter(to_number=number) | rows.filter(from_number=number)
    return render(
        request,
        "sandbox/twilio_phone.html",
        {
            "messages": rows.order_by("-created_at", "-id")[:200],
            "number": number,
            "now": timezone.now(),
        },
    )


@require_POST
def reply(request: HttpRequest, sid: str) -> HttpResponse:
    message = get_object_or_404(SandboxSmsMessage, sid=sid, direction=SandboxSmsMessage.OUTBOUND)
    body = request.POST.get("body", "").strip()
    if body:
        reply_as_shopper(message, body)
    return redirect(f"{reverse('sandbox_twilio_phone')}?{urlencode({'number': message.to_number})}")
