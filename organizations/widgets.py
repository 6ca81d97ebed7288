"""Searching choice widgets: the page holds the current choice and a search box, never the
whole set, so that a form or a list filter weighs the same with twenty organisations or twenty
thousand. The search box asks the source's endpoint (``organizations.options``) for matches
and ``static/js/sanhui.js`` puts them into the list; what is submitted is validated by the
field against its own queryset, as for any choice field."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .options import ENDPOINTS, ORGANIZATION, PERSON, REGION, TEAM, OptionSource

PLACEHOLDERS = {
    ORGANIZATION: _("输入名称或编码搜索"),
    REGION: _("输入区域名称或区划代码搜索"),
    PERSON: _("输入姓名、单位或手机号搜索"),
    TEAM: _("输入服务队或组织名称搜索"),
}
SEARCH_LABELS = {
    ORGANIZATION: _("搜索组织"),
    REGION: _("搜索区域"),
    PERSON: _("搜索人员"),
    TEAM: _("搜索服务队"),
}


def _is_pk(value: object) -> bool:
    # Only a whole number can name a record; anything else that was submitted is answered by the
    # field's own message, not looked up.
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) < 19


class SearchSelect(forms.Select):
    """One choice: a search box above a <select> that holds the empty choice and the current
    one; matches replace the rest of the list as the user types.

    ``params`` are passed to the endpoint and on to the source (e.g. an inspection's id)."""

    template_name = "organizations/widgets/search_select.html"

    def __init__(self, source: OptionSource, attrs=None, params: dict | None = None):
        super().__init__(attrs)
        self.source = source
        self.params = dict(params or {})

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.params = dict(self.params)
        return copy

    def search_url(self) -> str:
        query = urlencode({"for": self.source.name, **self.params})
        return f"{reverse(ENDPOINTS[self.source.kind])}?{query}"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            search_url=self.search_url(),
            placeholder=PLACEHOLDERS[self.source.kind],
            search_label=SEARCH_LABELS[self.source.kind],
        )
        return context

    def optgroups(self, name, value, attrs=None):
        selected = [item for item in value if item not in (None, "") and _is_pk(item)]
        choices = []
        field = getattr(self.choices, "field", None)
        if not self.allow_multiple_selected and field is not None and field.empty_label is not None:
            choices.append(("", field.empty_label))
        if selected and hasattr(self.choices, "queryset"):
            # The current choice is labelled from the field's own queryset: a value outside it is
            # not shown, and the field says why it was refused.
            choices += [self.choices.choice(obj) for obj in self.choices.queryset.filter(pk__in=selected)]
        chosen = {str(item) for item in selected}
        groups = []
        for index, (option_value, label) in enumerate(choices):
            option = self.create_option(
                name, option_value, label, str(option_value) in chosen, index, attrs=attrs
            )
            groups.append((None, [option], index))
        return groups


class SearchSelectMultiple(SearchSelect):
    """Several choices: the chosen ones as ticked check boxes, matches of a search added below
    them unticked (check boxes work with a thumb on a phone, unlike a multiple <select>)."""

    allow_multiple_selected = True
    input_type = "checkbox"
    template_name = "organizations/widgets/search_select_multiple.html"
    option_template_name = "django/forms/widgets/checkbox_option.html"

    def use_required_attribute(self, initial):
        return False

    def value_omitted_from_data(self, data, files, name):
        # Nothing ticked sends nothing: that is an empty choice, not a field left out.
        return False

    def id_for_label(self, id_, index=None):
        return "" if index is None else super().id_for_label(id_, index)
