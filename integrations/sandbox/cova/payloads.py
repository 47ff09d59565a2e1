"""Cova's JSON shapes, built from the provider-neutral generated records.

Field names follow pos-apis.md section 1 and the iQmetrix CRM reference Cova inherits.
Money is a decimal number of currency units, ids are GUIDs (locations and the company are
integers), times are UTC ISO strings.
"""

from __future__ import annotations

from typing import Any

from integrations.sandbox import ids, words
from integrations.sandbox.catalog import Product, menu_size
from integrations.sandbox.faults import malformed_variant
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.people import Person, person
from integrations.sandbox.places import location_place
from integrations.sandbox.sales import Sale
from integrations.sandbox.timeline import iso_z
from integrations.sandbox.web import money

Payload = dict[str, Any]
FULFILLMENT = {"in_store": "InStore", "pickup": "Pickup", "delivery": "Delivery"}


def company_id(account: SandboxAccount) -> int:
    return ids.small_int(account.key, "company", 100_000, 999_000)


def location_ids(account: SandboxAccount) -> list[int]:
    base = ids.small_int(account.key, "location", 200_000, 900_000)
    return [base + 17 * number for number in range(account.locations)]


def location_number(account: SandboxAccount, location_id: str | int) -> int | None:
    """0, 1 or 2 for one of the account's location ids; None for any other id."""
    try:
        return location_ids(account).index(int(location_id))
    except ValueError:
        return None


def location_name(account: SandboxAccount, number: int) -> str:
    store = words.STORE_NAMES[account.seed % len(words.STORE_NAMES)]
    return f"{store} {location_place(account, number).city}"


def customer_id(account: SandboxAccount, index: int) -> str:
    return ids.guid(account.key, "customer", index)


def sale_id(account: SandboxAccount, index: int) -> str:
    return ids.guid(account.key, "sale", index)


def product_id(account: SandboxAccount, index: int) -> str:
    return ids.guid(account.key, "product", index)


def product_index(account: SandboxAccount, value: str) -> int | None:
    """The menu index a ProductId encodes, or None when it is no product of the account's
    menu (every ``products=N`` product counts, not only the usual 40)."""
    index = ids.guid_index(account.key, "product", str(value))
    if index is None or not 0 <= index < menu_size(account):
        return None
    return index


def api_user(account: SandboxAccount) -> Payload:
    username = account.identity.split("|")[-1]
    return {
        "Id": ids.small_int(account.key, "user", 10_000, 99_999),
        "FirstName": "API",
        "LastName": "User",
        "UserName": username,
        "Email": None,
        "ParentEntityId": company_id(account),
        "IsActive": True,
        "ClientUserId": None,
        "Attributes": {},
        "Version": 1,
    }


def location(account: SandboxAccount, number: int) -> Payload:
    place = location_place(account, number)
    state, state_name, country = place.state, place.state_name, place.country
    city, postal = place.city, place.postal_prefix
    name = location_name(account, number)
    created = iso_z(1_600_000_000_000 + account.seed % 10**9)
    return {
        "Id": location_ids(account)[number],
        "Name": name,
        "DisplayName": name,
        "Description": "",
        "LocationStatus": "Active",
        "LocationType": "Store",
        "LocationSubType": "Retail",
        "Address": {
            "AddressLine1": f"{100 + 25 * number} {words.STREET_NAMES[number]}",
            "AddressLine2": "",
            "City": city,
            "StateCode": state,
            "State": state_name,
            "CountryCode": country,
            "Country": "Canada" if country == "CA" else "United States",
            "Zip": f"{postal}{number:02d}" if country == "US" else f"{postal} 1A{number}",
        },
        "Contacts": [],
        "StorePhoneNumbers": [
            {"Number": f"555010{number}", "Extension": "", "Description": "Main"}
        ],
        "StoreHours": [],
        "TimeZone": "Pacific Standard Time",
        "Roles": [{"Name": "Location"}],
        "Role": "Location",
        "SortName": name.lower(),
        "Attributes": {},
        "Relationships": [],
        "Version": 1,
        "CreatedUtc": created,
        "LastModifiedUtc": created,
        "CorrelationId": None,
        "ClientEntityId": f"STORE-{number + 1}",
        "TypeId": None,
        "Logo": None,
        "Website": None,
    }


def _address(account: SandboxAccount, customer: str, person: Person) -> Payload:
    country = "Canada" if person.country == "CA" else "United States"
    return {
        "Id": ids.guid(account.key, "address", person.index),
        "CustomerId": customer,
        "AddressTypeId": 2,
        "AddressType": "Home",
        "AddressLine1": person.line1,
        "AddressLine2": "",
        "StreetAddress1": person.line1,
        "StreetAddress2": "",
        "City": person.city,
        "Locality": person.city,
        "StateCode": person.state,
        "StateName": person.state_name,
        "State": person.state_name,
        "CountryCode": person.country,
        "CountryName": country,
        "Country": country,
        "Zip": person.postal_code,
        "PostalCode": person.postal_code,
        "PostOfficeBoxNumber": "",
        "AttentionTo": "",
        "Default": True,
        "DoNotContact": False,
        "Notes": "",
        "Version": 1,
    }


def contact_method(
    contact_id: str, customer: str, category: str, value: str, do_not_contact: bool
) -> Payload:
    is_phone = category == "Phone"
    return {
        "Id": contact_id,
        "CustomerId": customer,
        "ContactMethodCategoryId": 1 if is_phone else 2,
        "ContactMethodCategory": category,
        "ContactMethodTypeId": 3 if is_phone else 9,
        "ContactMethodType": "Mobile" if is_phone else "Home",
        "Value": value,
        "Default": True,
        "DoNotContact": do_not_contact,
        "Notes": "",
        "Version": 1,
    }


def customer_full(account: SandboxAccount, index: int) -> Payload:
    """CustomerFull of generated shopper ``index``."""
    shopper = person(account, index)
    guid = customer_id(account, index)
    contacts = []
    if shopper.phone:
        contact = ids.guid(account.key, "phone-contact", index)
        contacts.append(contact_method(contact, guid, "Phone", shopper.phone, False))
    if shopper.email:
        contact = ids.guid(account.key, "email-contact", index)
        opted_out = not shopper.marketing_opt_in
        contacts.append(contact_method(contact, guid, "Email", shopper.email, opted_out))
    created = iso_z(shopper.created_ms)
    payload: Payload = {
        "Id": guid,
        "CustomerTypeId": 2,
        "CustomerType": "Person",
        "Title": "",
        "PrimaryName": shopper.first_name,
        "MiddleName": "",
        "FamilyName": shopper.last_name,
        "AlternateName": "",
        "ReferralSource": None,
        "DateOfBirth": f"{shopper.birth_date.isoformat()}T00:00:00",
        "PricingGroupId": shopper.pricing_group,
        "Notes": "",
        "UniqueIdentifier": shopper.drivers_license,
        "Disabled": False,
        "DoNotContact": not shopper.marketing_opt_in,
        "Addresses": [_address(account, guid, shopper)],
        "ContactMethods": contacts,
        "CustomerExtensions": [],
        "MemberOf": [],
        "RelatedCustomers": [],
        "CreatedDateUtc": created,
        "LastModifiedDateUtc": created,
        "Version": 1,
    }
    variant = malformed_variant(account, index)
    if variant == "missing":
        del payload["Id"]
    elif variant == "wrong-type":
        payload["DateOfBirth"] = int(shopper.birth_date.strftime("%Y%m%d"))
    return payload


FULL_ONLY = ("Addresses", "ContactMethods", "CustomerExtensions", "MemberOf", "RelatedCustomers")


def customer_base(full: Payload) -> Payload:
    """The plain Customer resource (what the Customers list returns) of a CustomerFull."""
    return {name: value for name, value in full.items() if name not in FULL_ONLY}


def _payment(account: SandboxAccount, sale: Sale) -> Payload:
    return {
        "Id": ids.guid(account.key, "payment", sale.index),
        # Cova stores have no POSaBIT Pay: that tender is "Other" here.
        "PaymentType": "Other" if sale.payment_method == "POSaBIT Pay" else sale.payment_method,
        "Amount": money(sale.total_cents),
        "TenderedAmount": money(sale.total_cents),
    }


def _detail_line(account: SandboxAccount, sale: Sale, number: int, product: Product) -> Payload:
    """One ``InStock`` line of a Sales({id}) detail."""
    line = sale.lines[number]
    return {
        "No": number + 1,
        "ProductId": product_id(account, product.index),
        "CatalogSku": product.sku,
        "Name": product.name,
        "ClassificationName": product.category,
        "Quantity": line.quantity,
        "UnitPrice": money(line.unit_price_cents),
        "Discount": money(line.discount_cents),
        "Total": money(line.subtotal_cents),
    }


def _invoice_line(account: SandboxAccount, sale: Sale, number: int, product: Product) -> Payload:
    """One ``Products`` line of ByInvoiceWithProducts: ``Sku``, ``ProductName``,
    ``Classification`` and ``Quantity`` as public client code reads them [Code]; the money
    fields are [I] (``SoldAtPrice`` as in ByProductByCustomerByInvoice)."""
    line = sale.lines[number]
    return {
        "Id": ids.guid(account.key, "invoice-line", sale.index * 8 + number),
        "ProductId": product_id(account, product.index),
        "Sku": product.sku,
        "ProductName": product.name,
        "Classification": product.category,
        "Quantity": line.quantity,
        "SoldAtPrice": money(line.unit_price_cents),
        "Discount": money(line.discount_cents),
        "Total": money(line.subtotal_cents),
    }


def invoice(account: SandboxAccount, sale: Sale, products: tuple[Product, ...]) -> Payload:
    """One row of posreports ByInvoiceWithProducts."""
    shopper = person(account, sale.customer) if sale.customer is not None else None
    payload: Payload = {
        "Id": sale_id(account, sale.index),
        "CompanyId": company_id(account),
        "SoldAtEntityId": location_ids(account)[sale.location],
        "SoldAtEntityName": location_name(account, sale.location),
        "PrintableId": sale.receipt_number,
        "ReceiptNumber": sale.receipt_number,
        "SoldByEmployeeId": ids.guid(account.key, "employee", sale.employee),
        "SoldByEmployeeName": words.EMPLOYEES[sale.employee],
        "CreatedDateUtc": iso_z(sale.created_ms),
        "Type": "Return" if sale.is_refund else "Sale",
        "Delivery": sale.fulfillment == "delivery",
        "FulfillmentMethod": FULFILLMENT[sale.fulfillment],
        "ChangeDue": 0.0,
        "CashBack": 0.0,
        "SubTotal": money(sale.subtotal_cents),
        "TotalDiscount": money(sale.discount_cents),
        "TotalTax": money(sale.tax_cents),
        "Total": money(sale.total_cents),
        "Taxes": [{"Name": "Cannabis Excise Tax", "Amount": money(sale.tax_cents)}],
        "Payments": [_payment(account, sale)],
        "PostTaxDiscounts": [],
        "CustomerId": customer_id(account, sale.customer) if shopper else None,
        "CustomerName": shopper.full_name if shopper else None,
        "Medical": bool(shopper and shopper.pricing_group == 2),
        "MedicalRecommendationNumber": None,
        "DriverLicenseNumber": shopper.drivers_license if shopper else None,
        "CustomerState": shopper.state if shopper else None,
        "CustomerDateOfBirth": f"{shopper.birth_date.isoformat()}T00:00:00" if shopper else None,
        "CustomerMobileNumber": shopper.phone if shopper else None,
        "Products": [
            _invoice_line(account, sale, number, products[line.product_index])
            for number, line in enumerate(sale.lines)
        ],
    }
    variant = malformed_variant(account, sale.index)
    if variant == "missing":
        del payload["Id"]
    elif variant == "wrong-type":
        payload["Total"] = "#VALUE!"
    return payload


def completed_order(account: SandboxAccount, sale: Sale) -> Payload:
    """One row of pointofsale CompletedOrders."""
    payload: Payload = {
        "Id": sale_id(account, sale.index),
        "ReceiptNumber": sale.receipt_number,
        "Created": iso_z(sale.created_ms),
        "Source": "InStore" if sale.fulfillment == "in_store" else "Online",
        "FulfillmentMethod": FULFILLMENT[sale.fulfillment],
        "Reference": None,
        "OrderNumber": sale.receipt_number,
        "Status": "Completed",
        "DeliveryAddress": None,
        "CustomerId": customer_id(account, sale.customer) if sale.customer is not None else None,
        "Total": money(sale.total_cents),
    }
    if sale.fulfillment == "delivery" and sale.customer is not None:
        shopper = person(account, sale.customer)
        payload["DeliveryAddress"] = {
            "AddressLine1": shopper.line1,
            "City": shopper.city,
            "StateCode": shopper.state,
            "Zip": shopper.postal_code,
            "CountryCode": shopper.country,
        }
    variant = malformed_variant(account, sale.index)
    if variant == "missing":
        del payload["Id"]
    elif variant == "wrong-type":
        payload["Total"] = "#VALUE!"
    return payload


def sale_detail(account: SandboxAccount, sale: Sale, products: tuple[Product, ...]) -> Payload:
    """GET pointofsale Sales({id})."""
    shopper = person(account, sale.customer) if sale.customer is not None else None
    customer = None
    if shopper is not None:
        customer = {
            "Id": customer_id(account, shopper.index),
            "Number": str(shopper.index + 1),
            "FullName": shopper.full_name,
            "AddressId": ids.guid(account.key, "address", shopper.index),
            "ShippingAddressId": None,
            "ShippingAddress": None,
            "BillingAddressId": None,
            "BillingAddress": None,
            "MedicalInformation": None,
        }
    return {
        "Id": sale_id(account, sale.index),
        "Location": {
            "Id": location_ids(account)[sale.location],
            "Name": location_name(account, sale.location),
        },
        "Status": "Completed",
        "Details": None,
        "CreatedTime": iso_z(sale.created_ms),
        "TenderedByUserId": ids.small_int(account.key, f"employee{sale.employee}", 1000, 9999),
        "TenderedBy": words.EMPLOYEES[sale.employee],
        "ReceiptNumber": sale.receipt_number,
        "TaxCalculation": "TaxExclusive",
        "Payments": [_payment(account, sale)],
        "Discounts": [],
        "Total": money(sale.total_cents),
        "SaleOverrides": [],
        "Customer": customer,
        "InStock": [
            _detail_line(account, sale, number, products[line.product_index])
            for number, line in enumerate(sale.lines)
        ],
        "Dropships": [],
        "Invoice": {"Id": sale_id(account, sale.index), "Number": sale.receipt_number},
        "OrderFulfillment": {"FulfillmentMethod": FULFILLMENT[sale.fulfillment]},
    }
