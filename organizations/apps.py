from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        from django.core import checks

        from sanhui.crypto import check_keys

        from .accounts import receivers
        from .exports.scoping import register_rules as register_export_rules
        from .imports.scoping import register_rules as register_import_rules

        receivers.connect()
        register_import_rules()
        # The member and leader imports (organizations.imports.people).
        from .imports.people import register_importers

        register_importers()
        register_export_rules()
        # The exports of the lists (organizations.exports): this app's own lists.
        from .exports.lists import register_exports

        register_exports()
        # The keys that phone and ID numbers are encrypted and matched with (sanhui/crypto.py).
        checks.register(check_keys, checks.Tags.security)
