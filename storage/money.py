"""Money: integer minor units of an ISO currency, read from and written for people with Babel.

How many decimals an amount may have comes from the currency (CNY 2, JPY 0, KWD 3) via Babel's
`get_currency_precision`, never from a fixed factor of 100; formatting follows the reader's
locale with `format_currency` ("¥1,234.50" in Chinese, "CN¥1,234.50" in English).
"""

from decimal import Decimal, InvalidOperation
from enum import StrEnum

from babel.numbers import format_currency, get_currency_precision

# Ten million in major units: far above any fee, far below integer overflow.
MAX_MAJOR = Decimal(10_000_000)
# Our locales as Babel names them; Simplified Chinese shows the yuan as plain "¥".
BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en"}


class AmountProblem(StrEnum):
    not_a_number = "not_a_number"
    not_positive = "not_positive"
    too_many_decimals = "too_many_decimals"
    too_large = "too_large"


class AmountError(ValueError):
    def __init__(self, problem: AmountProblem, decimals: int) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.decimals = decimals


def precision(currency: str) -> int:
    """Decimals of the currency's minor unit: 2 for CNY, 0 for JPY, 3 for KWD."""
    return int(get_currency_precision(currency.upper()))


def to_minor(text: str, currency: str) -> int:
    """A positive amount typed in major units ("1,234.5") as minor units (123450); raises
    AmountError for anything else. Never goes through float."""
    decimals = precision(currency)
    cleaned = text.replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(AmountProblem.not_a_number, decimals) from None
    if not value.is_finite():
        raise AmountError(AmountProblem.not_a_number, decimals)
    if value <= 0:
        raise AmountError(AmountProblem.not_positive, decimals)
    if value > MAX_MAJOR:
        raise AmountError(AmountProblem.too_large, decimals)
    minor = value.scaleb(decimals)
    if minor != minor.to_integral_value():
        raise AmountError(AmountProblem.too_many_decimals, decimals)
    return int(minor)


def to_major(amount: int, currency: str) -> Decimal:
    """Minor units back to an exact major amount: 123450 CNY → Decimal("1234.50")."""
    decimals = precision(currency)
    return Decimal(amount).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals))


def format_money(amount: int, currency: str, locale: str = "zh") -> str:
    """Minor units for a reader: 123450 CNY → "¥1,234.50" (zh), "CN¥1,234.50" (en)."""
    return str(
        format_currency(
            to_major(amount, currency), currency.upper(), locale=BABEL_LOCALES.get(locale, locale)
        )
    )


def number_format(currency: str) -> str:
    """A spreadsheet number format with the currency's decimals: "#,##0.00" for CNY."""
    decimals = precision(currency)
    return "#,##0" + ("." + "0" * decimals if decimals else "")
