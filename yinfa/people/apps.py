from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "yinfa.people"
    label = "people"
    verbose_name = _("Person files")

    def ready(self):
        from yinfa.people import receivers  # noqa: F401
