"""`manage.py pos fetch|check` against the sandboxes over a real socket."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from integrations.sandbox import faults
from integrations.sandbox.options import DEFAULT_CUSTOMERS, DEFAULT_SALES

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PROVIDERS = ("cova", "posabit", "clover")
EXPECTED = {"customers": DEFAULT_CUSTOMERS, "sales": DEFAULT_SALES}


@pytest.fixture(autouse=True)
def own_sandbox(settings):
    # Nothing answers here, so the command starts a sandbox of its own for each run.
    settings.POS_SANDBOX_ORIGIN = "http://127.0.0.1:9"
    faults.reset()


def run_pos(*args: str) -> tuple[list[dict], str]:
    out, err = StringIO(), StringIO()
    call_command("pos", *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("stream", ["customers", "sales"])
def test_fetch_covers_every_record_once_in_one_shape(provider, stream):
    records, err = run_pos("fetch", provider, stream, "--sandbox")

    assert len(records) == EXPECTED[stream]
    assert len({r["external_id"] for r in records}) == len(records)
    assert f"{len(records)} {stream} written, 0 malformed" in err


@pytest.mark.parametrize("stream", ["customers", "sales"])
def test_every_provider_yields_the_same_normalised_keys(stream):
    shapes = {
        provider: {
            frozenset(record) for record in run_pos("fetch", provider, stream, "--sandbox")[0]
        }
        for provider in PROVIDERS
    }

    assert len(set().union(*shapes.values())) == 1
    if stream == "sales":
        sales, _ = run_pos("fetch", "clover", "sales", "--sandbox", "--limit", "3")
        assert len(sales) == 3
        assert {"quantity", "unit_price", "total"} <= set(sales[0]["lines"][0])


def test_fetch_since_filters_sales():
    everything, _ = run_pos("fetch", "clover", "sales", "--sandbox")
    newest = max(record["occurred_at"] for record in everything)
    recent, _ = run_pos("fetch", "clover", "sales", "--sandbox", "--since", newest)

    assert 1 <= len(recent) < len(everything)


def test_malformed_records_go_to_stderr_with_their_reason():
    records, err = run_pos(
        "fetch", "clover", "sales", "--sandbox", "--credential-field", "api_token=t,fault=malformed"
    )

    malformed = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert malformed and all(m["reason"] for m in malformed)
    assert len(records) + len(malformed) == DEFAULT_SALES


def test_check_passes_for_good_credentials():
    for provider in PROVIDERS:
        out = StringIO()
        call_command("pos", "check", provider, "--sandbox", stdout=out)
        assert "the credentials work" in out.getvalue()


def test_check_temporary_password_says_what_to_do_and_fails():
    err = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "pos",
            "check",
            "cova",
            "--sandbox",
            "--credential-field",
            "password=first-login,fault=temporary-password",
            stderr=err,
        )

    assert exited.value.code == 2
    message = err.getvalue().lower()
    assert "change the temporary password" in message and "cova hub" in message
    assert "first-login" not in err.getvalue()  # the secret is never echoed


def test_check_missing_permission_posabit_works_with_a_warning():
    # given a POSaBIT key without Enhanced Customer Data Access: its sales still sync
    out, err = StringIO(), StringIO()

    # when it is checked
    call_command(
        "pos",
        "check",
        "posabit",
        "--sandbox",
        "--credential-field",
        "key=venue-9,fault=no-customer-access",
        stdout=out,
        stderr=err,
    )

    # then it works, and the missing permission is said with what it stops
    assert out.getvalue() == "POSaBIT: the credentials work.\n"
    assert "Enhanced Customer Data Access" in err.getvalue()
    assert "shoppers are not synced; sales still are" in err.getvalue()


def test_bad_credential_field_syntax_is_a_clear_error():
    with pytest.raises(CommandError, match="NAME=VALUE"):
        call_command("pos", "fetch", "clover", "sales", "--credential-field", "api_token")
