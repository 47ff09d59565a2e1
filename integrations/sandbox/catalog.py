"""Generated products with stock per location and lab specifications.

The catalog is small (40 products) and cached per account. Specifications carry a
"COA Link" on most products and number lab values (THCa, Limonene, ...) for the
ecommerce sync.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

from integrations.sandbox import words
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.timeline import DAY_MS, anchor_ms

PRODUCT_COUNT = 40


@dataclass(frozen=True, slots=True)
class Specification:
    name: str
    value: str
    unit: str  # "%" for lab values, "" for text
    kind: str  # "Number" or "Text"


@dataclass(frozen=True, slots=True)
class Product:
    """One sellable product, in provider-neutral terms. Money is in cents."""

    index: int
    name: str
    brand: str
    category: str
    strain: str
    strain_type: str
    unit: str
    grams: str
    price_cents: int
    cost_cents: int
    sku: str
    upc: str
    is_cannabis: bool
    thc_percent: float
    cbd_percent: float
    specifications: tuple[Specification, ...] = field(default_factory=tuple)
    stock: tuple[int, ...] = ()  # on hand per location
    updated_days_ago: int = 0

    def updated_ms(self) -> int:
        return anchor_ms() - self.updated_days_ago * DAY_MS - (self.index * 7_919_000) % DAY_MS


@lru_cache(maxsize=128)
def products(seed: int, locations: int) -> tuple[Product, ...]:
    """The catalog of the account with this seed."""
    return tuple(_product(seed, index, locations) for index in range(PRODUCT_COUNT))


def catalog(account: SandboxAccount) -> tuple[Product, ...]:
    return products(account.seed, account.locations)


def _product(seed: int, index: int, locations: int) -> Product:
    rng = random.Random(f"{seed}:product:{index}")
    category, unit, grams, (low, high), is_cannabis = words.FORMS[index % len(words.FORMS)]
    brand = rng.choice(words.BRANDS)
    strain, strain_type = rng.choice(words.STRAINS)
    name = (
        f"{brand} - {strain} {category.rstrip('s')} {unit}"
        if is_cannabis
        else (f"{brand} {rng.choice(('Grinder', 'Rolling Papers', 'Lighter', 'Glass Pipe'))}")
    )
    price = rng.randrange(low, high) // 25 * 25
    thc = round(rng.uniform(15, 32), 1) if category in ("Flower", "Pre-Rolls") else 0.0
    if category in ("Vapes", "Concentrates"):
        thc = round(rng.uniform(60, 90), 1)
    specs: list[Specification] = []
    if is_cannabis:
        if rng.random() < 0.85:
            lab = f"https://coa.example-labs.com/reports/{seed % 100000}-{index:04d}.pdf"
            specs.append(Specification("COA Link", lab, "", "Text"))
        specs.append(Specification("THCa", f"{thc * 1.1:.2f}", "%", "Number"))
        for terpene in rng.sample(words.TERPENES, 3):
            specs.append(Specification(terpene, f"{rng.uniform(0.05, 1.8):.2f}", "%", "Number"))
        if rng.random() < 0.4:
            specs.append(
                Specification(
                    rng.choice(words.CANNABINOIDS[1:]),
                    f"{rng.uniform(0.1, 2.0):.2f}",
                    "%",
                    "Number",
                )
            )
    stock = tuple(
        0 if rng.random() < 0.12 else rng.randrange(1, 250) for _ in range(max(1, locations))
    )
    return Product(
        index=index,
        name=name,
        brand=brand,
        category=category,
        strain=strain if is_cannabis else "",
        strain_type=strain_type if is_cannabis else "",
        unit=unit,
        grams=grams,
        price_cents=price,
        cost_cents=price * rng.randrange(35, 60) // 100,
        sku=f"{category[:3].upper()}-{seed % 9973:04d}-{index:03d}",
        upc=f"{850000000000 + (seed % 10**6) * 100 + index:012d}",
        is_cannabis=is_cannabis,
        thc_percent=thc,
        cbd_percent=round(rng.uniform(0, 2), 1) if is_cannabis else 0.0,
        specifications=tuple(specs),
        stock=stock,
        updated_days_ago=rng.randrange(0, 30),
    )
