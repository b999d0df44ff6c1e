from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartylifeConfig(AppConfig):
    name = "yinfa.partylife"
    label = "partylife"
    verbose_name = _("Party life")

    def ready(self):
        from yinfa.partylife import receivers  # noqa: F401
