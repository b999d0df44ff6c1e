from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yinfa.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from yinfa.core import checks, signals  # noqa: F401
