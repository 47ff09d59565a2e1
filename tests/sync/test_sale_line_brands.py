"""Sale lines keep the product's brand: POSaBIT items carry it, Cova's and Clover's lines
do not (assumptions.py of each), and the sales writer stores it on either path without
rewriting stored brandless sales."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aiq.personas.models import SaleLine
from integrations.providers.clover.mapping import sale_from as clover_sale
from integrations.providers.cova.mapping import sale_from as cova_sale
from integrations.providers.posabit.mapping import sale_from as posabit_sale
from integrations.providers.values import Sale as PosSale
from integrations.providers.values import SaleLine as PosLine
from integrations.sync import bulk
from integrations.sync.sales import sale_row
from tests.providers.provider_scenarios import load_payload

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def test_posabit_items_bring_their_brand_cova_and_clover_lines_have_none():
    posabit = posabit_sale(load_payload("posabit", "sales_page_1")["sales_histories"][0], "1")
    assert {line.brand for line in posabit.lines} == {"House"}

    clover = clover_sale(load_payload("clover", "orders_page_1")["elements"][0], "M1")
    assert clover.lines and {line.brand for line in clover.lines} == {None}

    invoice = {
        "Id": "inv-1",
        "CreatedDateUtc": "2026-05-01T12:00:00Z",
        "Products": [
            {"Sku": "A", "ProductName": "Pre-roll", "Quantity": 1, "SoldAtPrice": 5},
            {
                "Sku": "B",
                "ProductName": "Gummies",
                "Quantity": 1,
                "SoldAtPrice": 9,
                "Brand": "Wyld",
            },
        ],
    }
    cova = cova_sale(invoice, "loc-1")
    assert [line.brand for line in cova.lines] == [None, "Wyld"]


def _sale(brand: str | None, total: str = "10.00") -> PosSale:
    amount = Decimal(total)
    line = PosLine(
        "L1", None, "SKU", "Item", Decimal(1), amount, Decimal(0), amount, "Flower", brand
    )
    return PosSale(
        external_id="S1",
        location_key="loc-1",
        customer_external_id=None,
        occurred_at=NOW,
        updated_at=None,
        subtotal=amount,
        tax=Decimal(0),
        discount=Decimal(0),
        total=amount,
        lines=(line,),
    )


def _write(company, sale):
    return bulk.write_sales(company.pk, "posabit", {"S1": sale_row(sale, False)}, {}, NOW)


@pytest.mark.django_db
def test_the_writer_stores_the_brand_and_a_new_brand_rewrites_the_sale(company_a):
    # given a sale written without a brand
    assert _write(company_a, _sale(None)).created == 1
    assert SaleLine.objects.get().brand == ""

    # when it is read again unchanged: nothing is written
    assert _write(company_a, _sale(None)).unchanged == 1

    # when the POS now names the line's brand: the sale is rewritten with it
    assert _write(company_a, _sale("Acme Farms")).updated == 1
    assert SaleLine.objects.get().brand == "Acme Farms"


def test_a_brandless_line_hashes_as_before_lines_had_a_brand():
    # The hash of a sale without brands is what the writer stored before brands existed,
    # so stored Cova and Clover sales are not all rewritten by their next read.
    from integrations.sync.hashing import text_hash

    row, lines = sale_row(_sale(None), False)
    assert row[-1] == text_hash(row[:-1], [line[:-1] for line in lines])
    branded, _ = sale_row(_sale("Acme"), False)
    assert branded[-1] != row[-1]
