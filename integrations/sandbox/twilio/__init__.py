"""The Twilio sandbox: Twilio's Messages API under /sandbox/twilio/ (same paths, form
fields, JSON, Basic auth and signed webhooks), a phone page to read the texts and reply
as the shopper, and faults chosen by the destination number."""
