"""The today page's include of a module's section with the context that module made for it."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def today_section(context, section: dict) -> str:
    fragment = context.template.engine.get_template(section["template"])
    with context.push(**section["context"]):
        return fragment.render(context)
