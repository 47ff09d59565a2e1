"""Twilio routes (the real paths under https://api.twilio.com/) and the phone page."""

from __future__ import annotations

from django.urls import path

from integrations.sandbox.twilio import views

urlpatterns = [
    path("2010-04-01/Accounts/<str:account_sid>/Messages.json", views.messages),
    path("2010-04-01/Accounts/<str:account_sid>/IncomingPhoneNumbers.json", views.incoming_numbers),
    path("phone/", views.phone, name="sandbox_twilio_phone"),
    path("phone/<str:sid>/reply/", views.reply, name="sandbox_twilio_reply"),
]
