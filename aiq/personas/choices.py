from __future__ import annotations

from django.db import models


class Source(models.TextChoices):
    """Where a persona's data came from; shown in the "Sourced from" column."""

    COVA = "cova", "Cova"
    POSABIT = "posabit", "POSaBIT"
    CLOVER = "clover", "Clover"
    SIGNUP_FORM = "signup_form", "Signup form"
    API = "api", "API"
    IMPORT = "import", "Import"
    QUEUE = "queue", "Opt-in queue"


# The sources that are a point of sale: a shopper record there makes a POS member.
POS_SOURCES = frozenset({Source.COVA, Source.POSABIT, Source.CLOVER})


class EnrollmentRoute(models.TextChoices):
    """How a persona joined the loyalty program."""

    SIGNUP_FORM = "signup_form", "Signup form"
    POS = "pos", "Point of sale"
    PURCHASED_AFTER = "purchased_after", "Card setting: purchased after"
    API = "api", "API"
    STAFF = "staff", "Staff"
    IMPORT = "import", "Import"


class Consent(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    PENDING = "pending", "Double opt-in pending"
    OPTED_IN = "opted_in", "Opted in"
    OPTED_OUT = "opted_out", "Opted out"


class Fulfillment(models.TextChoices):
    """How a sale reached the shopper; usable in audiences ("Purchase fulfillment type")."""

    IN_STORE = "in_store", "In store"
    PICKUP = "pickup", "Pickup"
    DELIVERY = "delivery", "Delivery"


class MatchedOn(models.TextChoices):
    """The identifier that tied a source record to a persona, highest priority first."""

    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    NAME_BIRTH_DATE = "name_birth_date", "First + last name + date of birth"
    SOURCE_ID = "source_id", "Same source record"


class ConsentChannel(models.TextChoices):
    """A channel a shopper consents to be messaged on; each has its own consent."""

    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class ConsentProvenance(models.TextChoices):
    """What made a consent change: the kind of act, with details in the event's source."""

    API = "api", "API"
    POS_SIGNUP = "pos_signup", "POS signup"
    SIGNUP_FORM = "signup_form", "Signup form"
    DOUBLE_OPT_IN_REQUEST = "double_opt_in_request", "Double opt-in request (card setting)"
    DOUBLE_OPT_IN_REPLY = "double_opt_in_reply", "Double opt-in reply"
    KEYWORD_REPLY = "keyword_reply", "Keyword reply"
    STAFF = "staff", "Staff"
    IMPORT = "import", "Import"
