from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "yinfa.needs"
    label = "needs"
    verbose_name = _("Services and wishes")

    def ready(self):
        from yinfa.needs import receivers  # noqa: F401
