from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "yinfa.care"
    label = "care"
    verbose_name = _("Care and visits")

    def ready(self):
        from yinfa.care import receivers  # noqa: F401
