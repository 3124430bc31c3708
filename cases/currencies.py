"""The currencies expenses and funds are recorded in (ISO 4217 codes), and EUR, the one we report in.

A closed list, not free text: a typo in a currency code would make an amount
mean nothing. Every currency here has two decimal places or fewer (amounts
are stored to the cent); to add one, add a line and make a migration (the
choices of the currency fields change).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

REPORTING_CURRENCY = "EUR"

# Where the people we help come from, pass through and go to, and where donors give from.
NAMES = {
    "EUR": _("Euro"),
    "USD": _("US dollar"),
    "GBP": _("Pound sterling"),
    "CHF": _("Swiss franc"),
    "SEK": _("Swedish krona"),
    "NOK": _("Norwegian krone"),
    "DKK": _("Danish krone"),
    "PLN": _("Polish zloty"),
    "CZK": _("Czech koruna"),
    "HUF": _("Hungarian forint"),
    "RON": _("Romanian leu"),
    "CAD": _("Canadian dollar"),
    "AUD": _("Australian dollar"),
    "RUB": _("Russian rouble"),
    "BYN": _("Belarusian rouble"),
    "UAH": _("Ukrainian hryvnia"),
    "MDL": _("Moldovan leu"),
    "GEL": _("Georgian lari"),
    "AMD": _("Armenian dram"),
    "AZN": _("Azerbaijani manat"),
    "KZT": _("Kazakhstani tenge"),
    "KGS": _("Kyrgyzstani som"),
    "UZS": _("Uzbekistani sum"),
    "TRY": _("Turkish lira"),
    "RSD": _("Serbian dinar"),
    "ILS": _("Israeli new shekel"),
    "AED": _("UAE dirham"),
    "ARS": _("Argentine peso"),
    "UYU": _("Uruguayan peso"),
    "BRL": _("Brazilian real"),
}

CODES: frozenset[str] = frozenset(NAMES)

# Choices for the currency fields: "RUB · Russian rouble", in the order above (EUR first).
CHOICES = [(code, format_lazy("{} · {}", code, name)) for code, name in NAMES.items()]

# The rate table holds rates of the other currencies: EUR is 1 by definition.
RATE_CHOICES = [choice for choice in CHOICES if choice[0] != REPORTING_CURRENCY]


def is_known(code: str) -> bool:
    return code in CODES


def format_rate(rate: Decimal) -> str:
    """A rate as people read and type it: no trailing zeros, no exponent (0.0105, 1, 0.00007)."""
    return format(rate.normalize(), "f")
