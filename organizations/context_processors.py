from .models import RoleAssignment
from .scoping import scope_for


def portal(request):
    """The viewer's scope, for menus and masking decisions in templates."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"scope": None, "role_labels": []}
    scope = scope_for(user)
    labels = [RoleAssignment.Role(role).label for role in sorted(scope.roles)]
    return {"scope": scope, "role_labels": labels}
