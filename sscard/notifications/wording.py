"""The words of a message: the event's template (as the administrator edited it, or the
default), the values every message has (the holder's masked name, the 消息中心's link, the
time), the formats of times and days, and the rendering that leaves an unknown placeholder
blank. The values drawn from an application, a card or an order are their apps' to give
(``applications.notices``, ``cards.notices``, ``production.notices``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sscard.accounts.models import Person
from sscard.notifications.constants import PLACEHOLDERS
from sscard.notifications.defaults import DEFAULT_TEMPLATES
from sscard.notifications.models import MessageTemplate


def local_time(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日 %H:%M") if moment else ""


def local_day(day: date | None) -> str:
    return day.strftime("%Y年%m月%d日") if day else ""


def absolute_url(path: str) -> str:
    return settings.SSCARD_PUBLIC_URL.rstrip("/") + path


def placeholder_values(person: Person, values: Mapping[str, str]) -> dict[str, str]:
    """Every placeholder's value: the holder's masked name, the 消息中心's link and the time
    now, unless ``values`` (masked strings, from the app that tells) names them otherwise."""
    known = {key: value for key, value in values.items() if key in PLACEHOLDERS}
    return {
        "name": person.masked_name,
        "link": absolute_url(reverse("notifications:inbox")),
        "at": local_time(timezone.now()),
    } | known


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


# a link placeholder: ``{link}``, ``{receipt_link}``, ``{ecard_link}``…
_LINK = re.compile(r"(?<!\{)\{(\w*link)\}(?!\})")
# a sentence, up to and with its full stop
_SENTENCE = re.compile(r"[^。]*(?:。|$)")


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with the values in place, an unknown placeholder blank; a sentence pointing to
    a link the occasion has none for (a 临时挂失 made by a “不是本人操作” report has no
    办结凭证) is left out rather than sent as “办结凭证：。” — unless it is all the text says
    (an administrator's wording in one sentence)."""
    known = _Blank(values)
    kept = [
        sentence
        for sentence in _SENTENCE.findall(text)
        if all(known[name] for name in _LINK.findall(sentence))
    ]
    return ("".join(kept) if any(s.strip() for s in kept) else text).format_map(known)


def event_wording(event: str) -> tuple[str, str, str] | None:
    """(title, body, wechat template id) of the event, or None when the administrator has
    switched the event off."""
    template = MessageTemplate.objects.filter(event=event).first()
    if template is None:
        title, body = DEFAULT_TEMPLATES[event]
        return title, body, ""
    if not template.active:
        return None
    return template.title, template.body, template.wechat_template_id
