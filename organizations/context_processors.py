from django.utils.translation import pgettext

from .models import RoleAssignment
from .scoping import scope_for


def portal(request):
    """The viewer's scope, for menus and masking decisions in templates, and the list
    separator of the active language ("、" in Chinese, ", " in English)."""
    list_sep = pgettext("list separator", "、")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"scope": None, "role_labels": [], "list_sep": list_sep}
    scope = scope_for(user)
    labels = [RoleAssignment.Role(role).label for role in sorted(scope.roles)]
    return {"scope": scope, "role_labels": labels, "list_sep": list_sep}
