from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "yinfa.dues"
    label = "dues"
    verbose_name = _("Party dues")

    def ready(self):
        from yinfa.dues import receivers  # noqa: F401
