"""Survey messages for the outbox and for direct replies: the questions with their 1–5 buttons,
the reminder, the staff alert on a low score and the forwarded comment.

Built as plain Bot API dicts, without aiogram, so the survey jobs stay light to import; the
buttons' callback data is what `handlers.surveys.ScoreCB` / `SkipCB` pack (a test checks it).
"""

from datetime import datetime
from typing import Any

from bot.i18n import Catalogs, Html, Translator
from bot.texts import owner_t
from storage import calendar, keys
from storage.call_backs import task_deadline
from storage.models import CallbackOrigin, Estate, SurveyKind
from storage.outbox import Draft
from storage.surveys import SCORES, Drafts, SurveyItem, SurveyState

SCORE_PREFIX = "sv"
SKIP_PREFIX = "svs"


def score_data(survey_id: int, item: SurveyItem, score: int) -> str:
    return f"{SCORE_PREFIX}:{survey_id}:{item.value}:{score}"


def skip_data(survey_id: int) -> str:
    return f"{SKIP_PREFIX}:{survey_id}"


def item_label(t: Translator, item: str) -> str:
    return t(f"sv-item-{item.replace('_', '-')}")


def when(estate: Estate, moment: datetime) -> str:
    return calendar.local(estate, moment).strftime("%m-%d %H:%M")


def question(t: Translator, found: SurveyState) -> tuple[str, dict[str, Any]] | None:
    """The current question and its buttons, or None once every question is answered."""
    item = found.next_item
    if item is None:
        return None
    text = t(
        "sv-question",
        n=str(found.items.index(item) + 1),
        total=str(len(found.items)),
        item=item_label(t, item),
    )
    row = [{"text": str(s), "callback_data": score_data(found.id, item, s)} for s in SCORES]
    return text, {"inline_keyboard": [row]}


def skip_markup(t: Translator, survey_id: int) -> dict[str, Any]:
    return {
        "inline_keyboard": [[{"text": t("sv-btn-skip"), "callback_data": skip_data(survey_id)}]]
    }


def intro(t: Translator, estate: Estate, found: SurveyState) -> str:
    if found.survey.kind == SurveyKind.quarterly:
        unit = f"{found.unit.building}-{found.unit.number}" if found.unit else "—"
        return t("sv-intro-quarterly", quarter=found.survey.quarter or "", unit=unit)
    ticket = found.ticket
    return t(
        "sv-intro-post",
        number=str(ticket.number if ticket else "?"),
        category=Html(t(f"category-{(ticket.category if ticket else 'other').replace('_', '-')}")),
    )


def _ask(
    catalogs: Catalogs, estate: Estate, found: SurveyState, now: datetime, *, reminder: bool
) -> list[Draft]:
    chat = found.owner.chat_id or found.owner.telegram_user_id
    t = owner_t(catalogs, estate, found.owner)
    asked = question(t, found)
    if chat is None or asked is None:
        return []
    text, markup = asked
    head = intro(t, estate, found)
    if reminder and found.survey.expires_at is not None:
        head = t("sv-reminder", until=when(estate, found.survey.expires_at)) + "\n" + head
    return [
        Draft(
            keys.survey_reminder(found.id) if reminder else keys.survey_ask(found.id),
            chat,
            f"{head}\n\n{text}",
            # Only a run inside the quiet hours holds the message back (a run "as of" another
            # time, `jobs run --at`, still sends at once).
            not_before=calendar.quiet_until(estate, now),
            params={"reply_markup": markup},
        )
    ]


def ask_drafts(catalogs: Catalogs, estate: Estate, now: datetime) -> Drafts:
    """The first message of a survey (its first question), respecting quiet hours."""
    return lambda found: _ask(catalogs, estate, found, now, reminder=False)


def reminder_drafts(catalogs: Catalogs, estate: Estate, now: datetime) -> Drafts:
    """The one reminder: the current question again, with the closing date."""
    return lambda found: _ask(catalogs, estate, found, now, reminder=True)


def scores_text(t: Translator, found: SurveyState) -> str:
    return "\n".join(
        t(
            "sv-score-line",
            item=item_label(t, item),
            score=str(score),
            flag="⚠️ " if score <= 2 else "",
        )
        for item, score in found.scores()
    )


def _who(found: SurveyState) -> dict[str, str]:
    return {"name": found.owner.name, "phone": found.owner.phone or "—"}


def survey_about(found: SurveyState) -> str:
    """Staff messages about a survey are about its ticket, if it has one."""
    return keys.ticket_subject(found.ticket.id) if found.ticket else keys.survey_subject(found.id)


def alert_drafts(catalogs: Catalogs, estate: Estate, now: datetime) -> Drafts:
    """On the last score: a low score alerts the staff group (the ticket, the scores, the
    call-back due); the owner's comment follows under it if they write one."""
    t = catalogs.translator(estate.locale)

    def drafts(found: SurveyState) -> list[Draft]:
        if not found.low or estate.staff_chat_id is None:
            return []
        due = when(estate, task_deadline(estate, CallbackOrigin.low_score, now))
        if found.ticket is not None:
            text = t(
                "sv-alert",
                number=str(found.ticket.number),
                kind=Html(t(f"ticket-kind-{found.ticket.kind}")),
                category=Html(t(f"category-{found.ticket.category.replace('_', '-')}")),
                scores=Html(scores_text(t, found)),
                due=due,
                **_who(found),
            )
        else:
            unit = f"{found.unit.building}-{found.unit.number}" if found.unit else "—"
            text = t(
                "sv-alert-quarterly",
                quarter=found.survey.quarter or "",
                unit=unit,
                scores=Html(scores_text(t, found)),
                due=due,
                **_who(found),
            )
        return [
            Draft(
                keys.survey_alert(found.id),
                estate.staff_chat_id,
                text,
                subject=survey_about(found),
            )
        ]

    return drafts


def comment_drafts(catalogs: Catalogs, estate: Estate) -> Drafts:
    """A comment on a survey with a low score goes to the staff group, under the alert."""
    t = catalogs.translator(estate.locale)

    def drafts(found: SurveyState) -> list[Draft]:
        if not found.low or estate.staff_chat_id is None or found.comment is None:
            return []
        label = f"#{found.ticket.number}" if found.ticket else found.survey.quarter or ""
        return [
            Draft(
                keys.survey_comment(found.id),
                estate.staff_chat_id,
                t("sv-alert-comment", label=label, text=found.comment, **_who(found)),
                subject=survey_about(found),
                params={"$reply_to_of": keys.survey_alert(found.id)},
            )
        ]

    return drafts
