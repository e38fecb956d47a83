"""Every catalog key the code can ask for exists, including keys built at run time.

The plain `t("key")` check in test_i18n.py misses `t(f"category-{code}")` and keys passed
through helpers (`label(t, "ticket-kind", code)`); a typo there only shows when that one value
turns up in production. This test reads the code's syntax tree: every key-like string literal
must be a key or a key family, and every family built at run time is listed in FAMILIES with
the values it can take, each of which must have a key in both languages.
"""

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from bot.i18n import Catalogs
from handlers.announce import AnnounceAction
from handlers.cards import TicketAction
from handlers.repairs import VISIT_CHOICES
from handlers.reports import SPANS
from scheduler.jobs import all_jobs
from storage.call_backs import TaskAction
from storage.models import (
    CallbackOrigin,
    CallbackStatus,
    OutboxStatus,
    OwnerStatus,
    StaffRole,
    SurveyKind,
    TicketEventType,
    TicketKind,
    TicketStatus,
    Urgency,
)
from storage.money import AmountProblem
from storage.payments import Refusal
from storage.registers import Problem
from storage.surveys import SurveyItem
from storage.tickets import COMPLAINT_CATEGORIES, REPAIR_CATEGORIES, RefusalCode

ROOT = Path(__file__).resolve().parent.parent
KEY_LIKE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
FAMILY_HEAD = re.compile(r"^[a-z][a-z0-9-]*-$")


def codes(values: Iterable[str]) -> set[str]:
    return {str(v).replace("_", "-") for v in values}


# Each family of keys the code builds at run time, with every value it may be built with.
# None: the family is open (its values come from data, and a missing one falls back to the
# code itself); the test then only asks that the family exists.
FAMILIES: dict[str, set[str] | None] = {
    "announce-btn-": codes(AnnounceAction),
    "announce-error-": None,
    "register-": codes(Problem),
    "card-btn-": codes(TicketAction),
    "category-": codes((*REPAIR_CATEGORIES, *COMPLAINT_CATEGORIES, "other")),
    "cb-status-": codes(CallbackStatus),
    "event-": codes(TicketEventType),
    "form-field-": {
        "call",
        "category",
        "description",
        "phone",
        "photos",
        "urgency",
        "visit",
        "where",
    },
    "grade-": {"a", "b"},
    "job-": codes(job.name for job in all_jobs()),
    "myreq-ev-": None,
    "outbox-status-": codes(OutboxStatus),
    "pay-amount-": codes(AmountProblem),
    "pay-refused-": codes(Refusal),
    "remind-error-": None,
    "repair-visit-": set(VISIT_CHOICES),
    "reports-col-": None,
    "staff-owner-": codes(OwnerStatus),
    "staff-role-": codes(StaffRole),
    "reports-span-": set(SPANS),
    "settings-window-": {"format", "empty", "backwards"},
    "sla-alert-": {"response-1", "response-2", "resolution-1", "resolution-2"},
    "staffcmd-usage-": None,
    "status-": codes(TicketStatus),
    "sv-item-": codes(SurveyItem),
    "sv-results-kind-": codes(SurveyKind),
    "task-btn-": codes(TaskAction),
    "task-origin-": codes(CallbackOrigin),
    "task-recorded-": codes(TaskAction),
    "task-status-": codes(CallbackStatus),
    "ticket-error-": codes(RefusalCode),
    "ticket-kind-": codes(TicketKind),
    "urgency-": codes(Urgency),
    "weekly-outcome-": {"open", "resolved", "cancelled"},
}

# Key-like strings in the code that are not catalog keys (file names, task names).
NOT_KEYS = {"outbox-sender", "receipt-", "arrears-", "frontdoor-report-"}


def nodes(source: str, where: str) -> Iterable[tuple[str, ast.AST]]:
    for node in ast.walk(ast.parse(source)):
        yield f"{where}:{getattr(node, 'lineno', 0)}", node


def code_nodes() -> Iterable[tuple[str, ast.AST]]:
    for folder in ("bot", "handlers", "scheduler"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield from nodes(path.read_text("utf-8"), str(path.relative_to(ROOT)))


def f_string_heads(found: Iterable[tuple[str, ast.AST]]) -> dict[str, list[str]]:
    """`t(f"category-{x}")` and `key = f"pay-amount-{…}"`: the constant head of each f-string."""
    heads: dict[str, list[str]] = {}
    for where, node in found:
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and FAMILY_HEAD.match(str(first.value)):
                heads.setdefault(str(first.value), []).append(where)
    return heads


def unknown_literals(found: Iterable[tuple[str, ast.AST]], keys: set[str]) -> list[str]:
    heads = {k.split("-")[0] for k in keys}
    wrong = []
    for where, node in found:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        value = node.value
        if not KEY_LIKE.match(value) or value.split("-")[0] not in heads or value in NOT_KEYS:
            continue
        is_family = any(k.startswith(value + "-") for k in keys)
        # Column names in the workbook are looked up as reports-col-<name>.
        is_column = f"reports-col-{value}" in keys
        if value not in keys and not is_family and not is_column:
            wrong.append(f"{where}: {value!r}")
    return wrong


def test_every_key_like_literal_is_a_key_or_a_family(catalogs: Catalogs) -> None:
    wrong = unknown_literals(code_nodes(), set(catalogs.keys("en")))
    assert not wrong, "not in the catalogs:\n" + "\n".join(wrong)


def test_every_family_built_at_run_time_is_listed() -> None:
    heads = f_string_heads(code_nodes())
    unlisted = {h: places for h, places in heads.items() if h not in FAMILIES.keys() | NOT_KEYS}
    assert not unlisted, f"add these to FAMILIES with the values they take: {unlisted}"


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_every_value_of_every_family_has_a_key(catalogs: Catalogs, locale: str) -> None:
    keys = catalogs.keys(locale)
    missing = []
    for family, values in FAMILIES.items():
        if values is None:
            if not any(k.startswith(family) for k in keys):
                missing.append(f"{family}*")
            continue
        missing += [family + v for v in sorted(values) if family + v not in keys]
    assert not missing, f"{locale}: " + ", ".join(missing)


def test_the_scan_finds_typos_in_helpers_and_new_families(catalogs: Catalogs) -> None:
    keys = set(catalogs.keys("en"))
    source = (
        'label(t, "ticket-kindd", code)\nbutton(t("menu-repair"))\ntext = t(f"urgencyy-{code}")\n'
    )
    found = list(nodes(source, "x.py"))
    assert unknown_literals(found, keys) == ["x.py:1: 'ticket-kindd'"]
    assert set(f_string_heads(found)) == {"urgencyy-"}
