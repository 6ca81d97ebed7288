"""``{{ value|figure:"hours" }}``: a programme figure on a page, shown by the same formatter as
the report files (``sanhui.formats``), so the dashboards and the reports read alike."""

from django import template

from sanhui.formats import display

register = template.Library()


@register.filter
def figure(value, type_: str = "text") -> str:
    return display(value, type_)
