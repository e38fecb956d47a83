"""Money as people read it, shared by handlers and scheduled jobs (no aiogram here)."""

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}
# Currencies without minor units; every other one has cents.
NO_DECIMALS = frozenset({"JPY", "KRW"})


def format_money(amount: int, currency: str) -> str:
    """Minor units as money: 123450, "CNY" → "¥1,234.50"; unknown codes → "GBP 1,234.50"."""
    code = currency.upper()
    sign = "-" if amount < 0 else ""
    if code in NO_DECIMALS:
        number = f"{abs(amount):,}"
    else:
        whole, cents = divmod(abs(amount), 100)
        number = f"{whole:,}.{cents:02d}"
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{code} {number}"
