"""The ``{% url %}`` tag of every template (a builtin: ``settings.TEMPLATES``): Django's own,
with a link that takes no arguments reversed once a process instead of on every render.

A page's frame links the same few names on every request (首页, 我的办件, 个人中心, the 长辈模式
switch, the staff menu): reversing them anew was a tenth of a signed-in page's CPU. Such a link
depends only on the URL configuration in force, the script prefix the site is served under and
the current application's namespace, and those are its key: a new configuration (a test's
``ROOT_URLCONF``, ``clear_url_caches()``) is a new resolver and so new keys. A link with
arguments is reversed each time, as Django does."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template import defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.resolvers import URLResolver
from django.utils.html import conditional_escape

register = template.Library()


@lru_cache(maxsize=2048)
def _reversed(resolver: URLResolver, prefix: str, view_name: str, current_app: str | None) -> str:
    # the resolver and prefix are the key; reverse() finds the same ones in this thread
    return reverse(view_name, current_app=current_app)


def _current_app(context: template.Context) -> str | None:
    """The namespace Django's tag reverses in (the request's, as it decides)."""
    request = getattr(context, "request", None)
    try:
        return request.current_app  # type: ignore[union-attr]
    except AttributeError:
        try:
            return request.resolver_match.namespace  # type: ignore[union-attr]
        except AttributeError:
            return None


class URLNode(defaulttags.URLNode):
    def render(self, context: template.Context) -> str:
        if self.args or self.kwargs:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        resolver = get_resolver(get_urlconf())
        try:
            url = _reversed(resolver, get_script_prefix(), view_name, _current_app(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> Any:
    """Parsed as Django's ``{% url %}`` (``{% url 'name' arg … [as var] %}``)."""
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
